//! Issue 22, points 1 to 3: certificate-key passwords that matter (literals, not placeholders
//! or names of environment variables; weak ones only when they open a key of the scan), keys
//! in git history paired with the certificate beside them in their commit, one finding per
//! secret and path across commits, and KSeF TEST certificates told from production ones.
//! Keys and certificates are generated at test time; no key is committed.

use std::path::Path;

use ksef_audit::app::leaks::{LeakScanRequest, scan};
use ksef_leaks::sources::git::GitScanOptions;
use ksef_model::{LeakFinding, LeakResults, Severity};

use crate::scan::certificate_and_key;

/// The issuer of certificates of the KSeF TEST environment, as KSeF writes it.
const TEST_ISSUER: &str =
    "CN=TEST CCK KSeF,OU=Krajowa Administracja Skarbowa,O=Ministerstwo Finansow,C=PL";
/// The issuer of production KSeF certificates.
const PRODUCTION_ISSUER: &str = "CN=CCK KSeF,O=Ministerstwo Finansow,C=PL";
const SUBJECT: &str = "CN=Firma Sp. z o.o.,2.5.4.97=VATPL-5265877635,C=PL";
/// A weak password (a placeholder word and two digits): reported only because it opens the key.
const WEAK: &str = "Tajne-Haslo-77";

/// `key` (PKCS#8 PEM) encrypted with `password`.
fn encrypted(key: &str, password: &str) -> String {
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    let der = rsa::RsaPrivateKey::from_pkcs8_pem(key)
        .expect("key")
        .to_pkcs8_der()
        .expect("der");
    encrypted_der(der.as_bytes(), password)
}

/// A PKCS#8 key (DER) encrypted with `password` (PBKDF2, AES-256-CBC), as PEM.
pub(crate) fn encrypted_der(der: &[u8], password: &str) -> String {
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &[7u8; 16], &[9u8; 16])
            .expect("params");
    pkcs8::PrivateKeyInfo::try_from(der)
        .expect("info")
        .encrypt_with_params(params, password)
        .expect("encrypt")
        .to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
        .expect("pem")
        .to_string()
}

/// Scans `path` (its files, or with `git` its history) and checks the scan read everything.
fn scan_path(path: &Path, git: bool, list_placeholders: bool) -> LeakResults {
    let req = LeakScanRequest {
        paths: vec![path.to_path_buf()],
        git: git.then(GitScanOptions::default),
        max_file_size: 64 * 1024 * 1024,
        list_placeholders,
        ..Default::default()
    };
    let (results, _) = scan(&req).expect("scan");
    assert!(results.errors.is_empty(), "{:?}", results.errors);
    results
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// What the held-out repositories held that is no password: names of environment variables,
/// lookups and placeholders, in configs, READMEs and unit tests beside key-file names.
fn decoys(dir: &Path) {
    write(
        dir,
        "config/ksef.toml",
        "[ksef]\np12_path = \"certs/ksef.p12\"\np12_password_env=\"KSEF2_P12_PASSWORD\"\nkey_password_env=\"KSEF2_KEY_PASSWORD\"\n",
    );
    write(
        dir,
        "README.md",
        "# KSeF client\n\nPut your certificate in `certs/firma.pfx` and set:\n\n```yaml\ncertificate-password: \"twoje-haslo\"\ntoken_password: \"_____token_password_____\"\npassphrase: \"passphrase\"\nhaslo: \"haslo\"\n```\n",
    );
    write(
        dir,
        "tests/test_ksef_cert.py",
        "# KSeF certificate tests\nP12 = 'tests/data/ksef.p12'\nPASSWORD = os.environ[\"KSEF_P12_PASSWORD\"]\nwrong_password = \"wrong\"\npassword = \"test-password\"\ncert_password = 'certificate-password'\n",
    );
    // a weak password next to a key-file name that opens nothing in the scan
    write(
        dir,
        "src/test/java/pl/firma/ksef/OtherTest.java",
        "package pl.firma.ksef;\nclass OtherTest {\n  KeyStore ks = load(\"other.p12\",\n      \"Haslo-2024\".toCharArray());\n}\n",
    );
}

/// The TEST certificate, its key encrypted with [`WEAK`] beside it, and a unit test that
/// holds the password.
fn test_certificate(dir: &Path, cert: &str, key: &str) {
    write(dir, "certs/auth.crt", cert);
    write(dir, "certs/auth.key", &encrypted(key, WEAK));
    write(
        dir,
        "src/test/java/pl/firma/ksef/AuthTest.java",
        &format!(
            "package pl.firma.ksef;\nclass AuthTest {{\n  // certs/auth.key\n  String keyPassword = \"{WEAK}\";\n}}\n"
        ),
    );
}

fn found(results: &LeakResults) -> Vec<(&str, &str, Severity)> {
    let mut got: Vec<(&str, &str, Severity)> = results
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.path.as_str(), f.severity))
        .collect();
    got.sort();
    got
}

fn finding<'a>(results: &'a LeakResults, path: &str) -> &'a LeakFinding {
    results
        .findings
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {:#?}", results.findings))
}

#[test]
fn files_report_only_passwords_that_matter() {
    let (test_cert, test_key) = certificate_and_key(SUBJECT, TEST_ISSUER, 0x7E57);
    let (prod_cert, prod_key) = certificate_and_key(SUBJECT, PRODUCTION_ISSUER, 0x9A0D);
    let dir = tempfile::tempdir().expect("tmp");
    decoys(dir.path());
    test_certificate(dir.path(), &test_cert, &test_key);
    write(
        dir.path(),
        "prod/ksef.pem",
        &format!("{prod_cert}{prod_key}"),
    );
    let results = scan_path(dir.path(), false, true);
    assert_eq!(
        found(&results),
        vec![
            ("LEAK004", "certs/auth.key", Severity::High),
            ("LEAK004", "prod/ksef.pem", Severity::Critical),
            (
                "LEAK005",
                "src/test/java/pl/firma/ksef/AuthTest.java",
                Severity::High
            ),
        ]
    );
    let key = finding(&results, "certs/auth.key");
    assert!(
        key.redacted.contains("KSeF TEST environment")
            && key.redacted.contains("its password is in the repository"),
        "{}",
        key.redacted
    );
    let prod = finding(&results, "prod/ksef.pem");
    assert!(!prod.redacted.contains("TEST"), "{}", prod.redacted);
    let password = finding(&results, "src/test/java/pl/firma/ksef/AuthTest.java");
    assert!(
        password.redacted.contains(&format!(
            "it opens the key in certs/auth.key (key fingerprint {})",
            &key.fingerprint[..12]
        )),
        "{}",
        password.redacted
    );
    assert!(
        !password.redacted.contains("Tajne"),
        "{}",
        password.redacted
    );
    // placeholders within five lines of the key-file name are counted (listed with -v)
    let readme: Vec<&str> = results
        .placeholders
        .iter()
        .filter(|p| p.path == "README.md" && p.rule_id == "LEAK005")
        .map(|p| p.reason.as_str())
        .collect();
    assert_eq!(readme.len(), 3, "{:?}", results.placeholders);
    // the weak password that opens nothing is counted with the placeholders, not reported
    assert!(
        results
            .placeholders
            .iter()
            .any(|p| p.path.ends_with("OtherTest.java") && p.reason.contains("opens no key")),
        "{:?}",
        results.placeholders
    );
}

/// A weak password in the same file as the encrypted key it opens: both reported, the password
/// naming the key's line and fingerprint; a weak one beside a key it does not open is not.
#[test]
fn a_weak_password_opening_the_key_of_its_own_file_is_reported() {
    let (cert, key) = certificate_and_key(SUBJECT, PRODUCTION_ISSUER, 0x5A3E);
    let dir = tempfile::tempdir().expect("tmp");
    let bundle = format!(
        "{cert}{}\nkey_password = \"{WEAK}\"\n",
        encrypted(&key, WEAK)
    );
    write(dir.path(), "ksef/auth.pem", &bundle);
    let other = format!(
        "{cert}{}\nkey_password = \"{WEAK}\"\n",
        encrypted(&key, "Zx8!kq2LmT")
    );
    write(dir.path(), "ksef2/auth.pem", &other);
    let results = scan_path(dir.path(), false, false);
    assert_eq!(
        found(&results),
        vec![
            ("LEAK004", "ksef/auth.pem", Severity::Critical),
            ("LEAK004", "ksef2/auth.pem", Severity::Critical),
            ("LEAK005", "ksef/auth.pem", Severity::Critical),
        ]
    );
    let password = results
        .findings
        .iter()
        .find(|f| f.rule_id == "LEAK005")
        .expect("password");
    let key = results
        .findings
        .iter()
        .find(|f| f.rule_id == "LEAK004" && f.path == "ksef/auth.pem")
        .expect("key");
    assert!(
        password.redacted.contains(&format!(
            "it opens the key on line {} of this file (key fingerprint {})",
            key.line.unwrap_or(0),
            &key.fingerprint[..12]
        )),
        "{}",
        password.redacted
    );
    assert!(
        key.redacted.contains("its password is in the same file"),
        "{}",
        key.redacted
    );
}

/// A strong password next to a key-file name is reported on its own (high), without a key.
#[test]
fn a_strong_password_is_reported_without_a_key() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "src/test/java/pl/firma/ksef/CertTest.java",
        "package pl.firma.ksef;\nclass CertTest {\n  KeyStore ks = load(\"firma.p12\",\n      \"qN4#vT8w!Lp2Zr\".toCharArray());\n}\n",
    );
    let results = scan_path(dir.path(), false, false);
    assert_eq!(
        found(&results),
        vec![(
            "LEAK005",
            "src/test/java/pl/firma/ksef/CertTest.java",
            Severity::High
        )]
    );
}

fn git(dir: &Path, date: &str, args: &[&str]) -> String {
    let who = crate::support::git::Who::at("Alice Nowak", "alice@example.com", date);
    crate::support::git::git(dir, &who, args)
}

fn commit(dir: &Path, day: u32, message: &str) -> String {
    let date = format!("2026-02-{day:02}T10:00:00Z");
    git(dir, &date, &["add", "-A"]);
    git(dir, &date, &["commit", "-q", "-m", message]);
    git(dir, &date, &["rev-parse", "HEAD"])
}

/// Points 1 and 2 in history: the key is paired with the certificate committed beside it and
/// opened with the password of a unit test; the password kept across four commits is one
/// finding listing them; decoys committed and changed stay clean; the key and certificate
/// deleted later are still found.
#[test]
fn history_pairs_keys_and_folds_passwords_across_commits() {
    let (cert, key) = certificate_and_key(SUBJECT, TEST_ISSUER, 0x7E58);
    let dir = tempfile::tempdir().expect("tmp");
    let repo = dir.path();
    git(repo, "2026-02-01T10:00:00Z", &["init", "-q"]);
    decoys(repo);
    commit(repo, 1, "decoys");
    test_certificate(repo, &cert, &key);
    let first = commit(repo, 2, "certificate for the KSeF TEST environment");
    let test = "src/test/java/pl/firma/ksef/AuthTest.java";
    let mut last = first.clone();
    for day in 3..=5 {
        let text = std::fs::read_to_string(repo.join(test)).expect("read");
        write(repo, test, &format!("{text}// run {day}\n"));
        write(
            repo,
            "README.md",
            &format!(
                "# KSeF client, take {day}\n\ncertificate-password: \"twoje-haslo\" (certs/firma.pfx)\n"
            ),
        );
        last = commit(repo, day, "tests");
    }
    std::fs::remove_dir_all(repo.join("certs")).expect("rm");
    commit(repo, 6, "remove the certificate");
    let results = scan_path(repo, true, false);
    assert_eq!(
        found(&results),
        vec![
            ("LEAK004", "certs/auth.key", Severity::High),
            ("LEAK005", test, Severity::High),
        ]
    );
    let key = finding(&results, "certs/auth.key");
    assert_eq!(key.commit.as_deref(), Some(first.as_str()));
    assert!(
        key.redacted
            .contains("certificate in sibling file auth.crt")
            && key.redacted.contains("its password is in the repository")
            && key.redacted.contains("KSeF TEST environment"),
        "{}",
        key.redacted
    );
    let password = finding(&results, test);
    let history = password.history.as_ref().expect("commits listed");
    assert_eq!(
        (
            history.commits,
            history.first_commit.as_str(),
            history.last_commit.as_str()
        ),
        (4, first.as_str(), last.as_str())
    );
    assert_eq!(password.commit.as_deref(), Some(first.as_str()));
    assert!(
        password
            .redacted
            .contains("it opens the key in certs/auth.key")
    );
    // the JSON document carries the span
    let json = serde_json::to_value(&results).expect("json");
    let listed = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == test)
        .expect("password finding");
    assert_eq!(listed["history"]["commits"], 4);
    assert_eq!(listed["history"]["last_commit"], last.as_str());
    // SARIF: the message names the span, the properties carry it
    let rules = ksef_rules::leak::builtin_leak_rules().expect("rules");
    let sarif = ksef_audit::render::leaks::sarif_document(&results, &rules);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "LEAK005")
        .expect("LEAK005 result");
    let text = result["message"]["text"].as_str().unwrap_or("");
    assert!(
        text.contains(&format!("in 4 commits, first {first}, last {last}")),
        "{text}"
    );
    assert_eq!(result["properties"]["history"]["commits"], 4);
    assert!(!sarif.to_string().contains(WEAK));
    // text: one line for the password, naming the span
    let mut out = Vec::new();
    ksef_audit::render::leaks::render_text_with(&results, false, &mut out).expect("text");
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("in 4 commits, last"), "{out}");
    assert!(!out.contains(WEAK), "{out}");
}

/// Point 2 for bundles: a PKCS#12 bundle of a TEST certificate committed first, the unit test
/// holding its (weak) password a commit later: the bundle opens with the history's password.
#[test]
fn history_opens_a_bundle_with_a_password_of_a_later_commit() {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use x509_cert::der::{DecodePem, Encode};
    let (cert, key) = certificate_and_key(SUBJECT, TEST_ISSUER, 0x7E59);
    let cert_der = x509_cert::Certificate::from_pem(&cert)
        .expect("cert")
        .to_der()
        .expect("der");
    let key_der = rsa::RsaPrivateKey::from_pkcs8_pem(&key)
        .expect("key")
        .to_pkcs8_der()
        .expect("der");
    let mut store = KeyStore::new();
    let chain = PrivateKeyChain::new(
        key_der.as_bytes(),
        [1u8, 2, 3, 4],
        [Certificate::from_der(&cert_der).expect("cert")],
    );
    store.add_entry("ksef", KeyStoreEntry::PrivateKeyChain(chain));
    let p12 = store.writer(WEAK).write().expect("p12");
    let dir = tempfile::tempdir().expect("tmp");
    let repo = dir.path();
    git(repo, "2026-03-01T10:00:00Z", &["init", "-q"]);
    std::fs::create_dir_all(repo.join("src/test/resources")).expect("mkdir");
    std::fs::write(repo.join("src/test/resources/firma.p12"), &p12).expect("write");
    let bundle_commit = commit(repo, 1, "bundle");
    write(
        repo,
        "src/test/java/pl/firma/ksef/CertTest.java",
        &format!(
            "package pl.firma.ksef;\nclass CertTest {{\n  KeyStore ks = load(\"resources/firma.p12\",\n      \"{WEAK}\".toCharArray());\n}}\n"
        ),
    );
    commit(repo, 2, "test");
    let results = scan_path(repo, true, false);
    assert_eq!(
        found(&results),
        vec![
            ("LEAK004", "src/test/resources/firma.p12", Severity::High),
            (
                "LEAK005",
                "src/test/java/pl/firma/ksef/CertTest.java",
                Severity::High
            ),
        ]
    );
    let bundle = finding(&results, "src/test/resources/firma.p12");
    assert_eq!(bundle.commit.as_deref(), Some(bundle_commit.as_str()));
    assert!(
        bundle
            .redacted
            .contains("its password is in the repository"),
        "{}",
        bundle.redacted
    );
    let password = finding(&results, "src/test/java/pl/firma/ksef/CertTest.java");
    assert!(
        password
            .redacted
            .contains("it opens the key in src/test/resources/firma.p12"),
        "{}",
        password.redacted
    );
}
