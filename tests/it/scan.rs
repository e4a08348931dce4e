//! The fixture tree `tests/fixtures/trees/mixed` (regenerate with
//! `tests/fixtures/trees/make-mixed.py`) covers every format and location the scanner reads,
//! with look-alike decoys. The findings must be exactly these: no more, no fewer.

use std::path::PathBuf;

use ksef_leaks::findings::LeakScan;
use ksef_leaks::matcher::Scanner;
use ksef_leaks::scan::scan_files;
use ksef_leaks::sources::ArchiveLimits;
use ksef_leaks::sources::WalkOptions;
use ksef_leaks::sources::read_expanded;
use ksef_leaks::sources::walk_files;
use ksef_model::fingerprint_hex;
use ksef_rules::leak::builtin_leak_rules;

fn scan_mixed() -> LeakScan {
    scan_tree("tests/fixtures/trees/mixed")
}

fn scan_tree(root: &str) -> LeakScan {
    let root = PathBuf::from(root);
    let walked = walk_files(&[root], &WalkOptions::default()).expect("walk");
    assert!(walked.issues.is_empty(), "{:?}", walked.issues);
    let scanner = Scanner::new(&builtin_leak_rules().expect("rules")).expect("scanner");
    let mut scan = LeakScan::default();
    scan_files(
        &scanner,
        &walked.files,
        |f, visit| read_expanded(f, &ArchiveLimits::default(), visit),
        &mut scan,
    );
    scan
}

#[test]
fn mixed_tree_gives_exactly_the_planted_findings() {
    let scan = scan_mixed();
    let mut got: Vec<(String, String, u64, u64, bool)> = scan
        .candidates
        .iter()
        .map(|c| {
            let f = &c.finding;
            (
                f.rule_id.clone(),
                f.path.clone(),
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                c.inline_allowed,
            )
        })
        .collect();
    got.sort();
    let expected: Vec<(&str, &str, u64, u64, bool)> = vec![
        ("LEAK001", ".env", 2, 12, false),
        ("LEAK001", "README-pl.md", 3, 5, false),
        (
            "LEAK001",
            "archives/backup.tar.gz!nested.zip!inner/token.txt",
            1,
            13,
            false,
        ),
        (
            "LEAK001",
            "archives/bundle.zip!config/prod.env",
            1,
            12,
            false,
        ),
        (
            "LEAK001",
            "archives/invoices.xlsx!xl/sharedStrings.xml",
            1,
            56,
            false,
        ),
        ("LEAK001", "archives/notes.txt.gz", 1, 12, false),
        ("LEAK001", "dist/app.min.js", 1, 40008, false),
        ("LEAK001", "k8s/secret.yaml", 6, 15, false),
        ("LEAK001", "logs/access.log", 1, 32, false),
        ("LEAK001", "scripts/export.ps1", 2, 20, false),
        ("LEAK001", "tests/sample.env", 1, 12, true),
        ("LEAK001", "windows/notes.txt", 3, 6, false),
        ("LEAK002", ".config/app.yml", 5, 10, false),
        (
            "LEAK002",
            "archives/backup.tar.gz!etc/ksef.properties",
            1,
            12,
            false,
        ),
        ("LEAK002", "config/appsettings.json", 5, 15, false),
        ("LEAK002", "config/web.config", 3, 34, false),
        ("LEAK002", "k8s/secret.yaml", 7, 19, false),
        ("LEAK003", "legacy/ksef1.txt", 1, 23, false),
    ];
    let expected: Vec<(String, String, u64, u64, bool)> = expected
        .into_iter()
        .map(|(r, p, l, c, a)| (r.to_string(), p.to_string(), l, c, a))
        .collect();
    assert_eq!(got, expected);

    // Issue 22: the zip of 4 MiB of zeros (4 KiB packed, like git's t5004/big-pack.zip) is
    // within the absolute limits: scanned, not refused as a bomb by its ratio.
    assert!(scan.issues.is_empty(), "{:?}", scan.issues);
    assert!(scan.skipped.is_empty(), "{:?}", scan.skipped);
}

#[test]
fn fingerprints_are_of_the_decoded_token_and_group_repeats() {
    let scan = scan_mixed();
    let fp = |path: &str| {
        scan.candidates
            .iter()
            .find(|c| c.finding.path == path)
            .map(|c| c.finding.fingerprint.clone())
            .expect(path)
    };
    let env = std::fs::read_to_string("tests/fixtures/trees/mixed/.env").expect("read");
    let token = env
        .lines()
        .find_map(|l| l.strip_prefix("KSEF_TOKEN="))
        .expect("token line");
    assert_eq!(fp(".env"), fingerprint_hex(token.as_bytes()));
    assert_eq!(fp(".env"), fp("README-pl.md"));
    // URL-encoded and base64 tokens are fingerprinted decoded: each looks like a plain token.
    for path in ["logs/access.log", "k8s/secret.yaml", "scripts/export.ps1"] {
        let f = scan
            .candidates
            .iter()
            .find(|c| c.finding.path == path)
            .expect(path);
        let r = f.finding.redacted.as_str();
        assert!(r.contains("|nip-") || r.contains("|internalId-"), "{r}");
    }
    let v2: std::collections::BTreeSet<String> = scan
        .candidates
        .iter()
        .filter(|c| c.finding.rule_id == "LEAK001")
        .map(|c| c.finding.fingerprint.clone())
        .collect();
    assert_eq!(
        v2.len(),
        11,
        "12 v2 findings, .env and README share one token"
    );
}

/// (rule, path, line, encoding-free) of every candidate, sorted.
fn found(scan: &LeakScan) -> Vec<(String, String, u64)> {
    let mut got: Vec<(String, String, u64)> = scan
        .candidates
        .iter()
        .map(|c| {
            let f = &c.finding;
            (f.rule_id.clone(), f.path.clone(), f.line.unwrap_or(0))
        })
        .collect();
    got.sort();
    got
}

/// Issue 12: KSeF context beyond the line, glued tokens, escaped separators, quoted-printable,
/// wrapped base64 and nested 40-character keys, each next to look-alike decoys
/// (`tests/fixtures/trees/make-issue12.py`). Exactly these findings.
#[test]
fn issue12_tree_gives_exactly_the_planted_findings() {
    let scan = scan_tree("tests/fixtures/trees/issue12");
    assert!(scan.issues.is_empty(), "{:?}", scan.issues);
    let got = found(&scan);
    let expected: Vec<(&str, &str, u64)> = vec![
        // 2. glued to a SQLite record and to `prefix_…_old` (decoys: digit before, 65th hex)
        ("LEAK001", "data/cache.sqlite", 1),
        ("LEAK001", "data/cache.sqlite", 1),
        // 3. \u007c, %257C, \x7c; quoted-printable; base64 wrapped at 76; &#124; &vert; &#x7c;
        ("LEAK001", "logs/app.log", 1),
        ("LEAK001", "logs/app.log", 2),
        ("LEAK001", "logs/app.log", 3),
        ("LEAK001", "mail/invoice.eml", 6),
        ("LEAK001", "mail/wrapped.txt", 3),
        ("LEAK001", "web/page.html", 1),
        ("LEAK001", "web/page.html", 2),
        ("LEAK001", "web/page.html", 3),
        // 1. a namespace 40 lines up; 4. flattened, nested, XML, escaped, Postman; 1. nearby
        ("LEAK002", "app/Program.cs", 44),
        ("LEAK002", "config/app.env", 1),
        ("LEAK002", "config/appsettings.json", 6),
        ("LEAK002", "config/client.xml", 3),
        ("LEAK002", "config/escaped.json", 1),
        ("LEAK002", "config/secrets.json", 2),
        ("LEAK002", "postman/collection.json", 4),
        ("LEAK002", "scripts/settings.py", 5),
        // 1. package names KSeF; the TOKEN constant and the commented-out second token
        ("LEAK003", "src/test/java/com/acme/SessionTest.java", 4),
        ("LEAK003", "src/test/java/pl/firma/ksef/AuthTest.java", 6),
        ("LEAK003", "src/test/java/pl/firma/ksef/AuthTest.java", 7),
    ];
    let got_ref: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, p, l)| (r.as_str(), p.as_str(), *l))
        .collect();
    assert_eq!(got_ref, expected, "{got_ref:#?}");
    let redacted: Vec<&str> = scan
        .candidates
        .iter()
        .map(|c| c.finding.redacted.as_str())
        .collect();
    assert!(
        redacted
            .iter()
            .all(|r| !r.contains("fa4efa4e0") && r.contains('…')),
        "{redacted:?}"
    );
    // the decoded views keep the fingerprint of the plain token
    let log: Vec<&str> = scan
        .candidates
        .iter()
        .filter(|c| c.finding.path == "logs/app.log")
        .map(|c| c.finding.fingerprint.as_str())
        .collect();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|fp| fp.len() == 64));
}

/// A certificate (PEM) and its RSA private key (PKCS#8 PEM), generated for the test: no key
/// is ever committed.
pub(crate) fn certificate_and_key(subject: &str, issuer: &str, serial: u32) -> (String, String) {
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    use spki::EncodePublicKey;
    use std::str::FromStr;
    use std::time::{Duration, SystemTime};
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::EncodePem;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::{Time, Validity};

    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("key");
    let spki_der = key.to_public_key().to_public_key_der().expect("spki");
    let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).expect("spki");
    let now = SystemTime::now();
    let validity = Validity {
        not_before: Time::try_from(now - Duration::from_secs(3600)).expect("time"),
        not_after: Time::try_from(now + Duration::from_secs(365 * 24 * 3600)).expect("time"),
    };
    let signer = SigningKey::<sha2::Sha256>::new(key.clone());
    let cert = CertificateBuilder::new(
        Profile::Leaf {
            issuer: Name::from_str(issuer).expect("issuer"),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(serial),
        validity,
        Name::from_str(subject).expect("subject"),
        spki,
        &signer,
    )
    .expect("builder")
    .build::<rsa::pkcs1v15::Signature>()
    .expect("certificate");
    let cert_pem = cert.to_pem(LineEnding::LF).expect("pem");
    let key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("key pem")
        .to_string();
    (cert_pem, key_pem)
}

/// Issue 12, point 7: private keys of KSeF certificates (LEAK004) and their passwords (LEAK005).
#[test]
fn ksef_certificate_keys_and_their_passwords_are_found() {
    let scanner = Scanner::new(&builtin_leak_rules().expect("rules")).expect("scanner");
    let (cert, key) = certificate_and_key(
        "CN=Jan Kowalski,serialNumber=PNOPL-80010112345,C=PL",
        "CN=CCK KSeF TEST,C=PL",
        0x4B53_4546,
    );
    let key_body: String = key.lines().nth(1).expect("body line").to_string();

    // the certificate and its key in one file
    let both = format!("{cert}{key}");
    let found = scanner.scan("certs/auth.pem", both.as_bytes()).matches;
    let ids: Vec<&str> = found.iter().map(|m| m.rule_id.as_str()).collect();
    assert_eq!(ids, ["LEAK004"]);
    let r = &found[0].redacted;
    assert!(r.contains("serial 4B534546"), "{r}");
    assert!(r.contains("PNOPL-"), "{r}");
    assert!(!r.contains("80010112345"), "PESEL must be masked: {r}");
    assert!(!r.contains(&key_body[..20]), "{r}");
    // issued by the TEST environment's CA: said so, and high rather than critical
    assert!(r.contains("KSeF TEST environment"), "{r}");
    assert_eq!(found[0].severity, ksef_model::Severity::High);
    let (prod_cert, prod_key) = certificate_and_key(
        "CN=Jan Kowalski,serialNumber=PNOPL-80010112345,C=PL",
        "CN=CCK KSeF,C=PL",
        0x4B53_4547,
    );
    let found = scanner
        .scan(
            "certs/prod.pem",
            format!("{prod_cert}{prod_key}").as_bytes(),
        )
        .matches;
    assert_eq!(found[0].severity, ksef_model::Severity::Critical);
    assert!(!found[0].redacted.contains("TEST"), "{}", found[0].redacted);

    // a password literal next to it raises the key and is a finding of its own
    let with_password = format!("{both}\n# for the tests\nkeyPassword = \"Tajne-Haslo-77\"\n");
    let found = scanner
        .scan("certs/auth.pem", with_password.as_bytes())
        .matches;
    let ids: Vec<&str> = found.iter().map(|m| m.rule_id.as_str()).collect();
    assert_eq!(ids, ["LEAK004", "LEAK005"]);
    assert_eq!(found[0].confidence, ksef_model::Confidence::High);
    assert!(
        !found[1].redacted.contains("Tajne"),
        "{}",
        found[1].redacted
    );

    // a VATPL- subject is KSeF too, and gives the NIP
    let (cert, key) = certificate_and_key(
        "CN=Firma Sp. z o.o.,2.5.4.97=VATPL-1111111111,C=PL",
        "CN=Some CA,C=PL",
        7,
    );
    let found = scanner
        .scan("a.pem", format!("{key}{cert}").as_bytes())
        .matches;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].nip.as_deref(), Some("1111111111"));

    // a password in a KSeF test naming the key file (the key itself is a sibling file)
    let test = "package pl.firma.ksef;\nclass CertTest {\n  KeyStore ks = load(\"src/test/resources/firma.p12\",\n      \"Tajne-Haslo-77\".toCharArray());\n}\n";
    let found = scanner
        .scan("src/test/java/CertTest.java", test.as_bytes())
        .matches;
    let ids: Vec<&str> = found.iter().map(|m| m.rule_id.as_str()).collect();
    assert_eq!(ids, ["LEAK005"]);

    // decoys: a key of a certificate that is not KSeF's; a PEM assembled in code; a password
    // next to a key file in a project that is not about KSeF
    let (cert, key) = certificate_and_key("CN=www.example.test,C=PL", "CN=Example CA,C=PL", 9);
    let other = format!("{cert}{key}password = \"Tajne-Haslo-77\"\n");
    assert!(
        scanner
            .scan("tls/server.pem", other.as_bytes())
            .matches
            .is_empty()
    );
    let code = "String pem = \"-----BEGIN PRIVATE KEY-----\\n\" + b64 + \"\\n-----END PRIVATE KEY-----\\n\";\n";
    assert!(
        scanner
            .scan("src/ksef/Pem.java", code.as_bytes())
            .matches
            .is_empty()
    );
    let plain = "ks.load(\"server.p12\", \"Tajne-Haslo-77\".toCharArray());\n";
    assert!(
        scanner
            .scan("src/Tls.java", plain.as_bytes())
            .matches
            .is_empty()
    );
}

/// Issue 12, point 6: placeholders are counted, with where and why.
#[test]
fn placeholders_are_counted_not_silently_dropped() {
    let scanner = Scanner::new(&builtin_leak_rules().expect("rules")).expect("scanner");
    let text = "KSEF_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\
                KSEF_TOKEN=20250101-EC-1234567890-ABCDEF0123-00|nip-1234567890|0badc0de1111222233334444555566667777888899990000aaaabbbbccccdddd\n";
    let out = scanner.scan(".env", text.as_bytes());
    assert!(out.matches.is_empty(), "{:?}", out.matches);
    let drops: Vec<(&str, u64, &str)> = out
        .placeholders
        .iter()
        .map(|d| (d.rule_id.as_str(), d.line, d.reason))
        .collect();
    assert_eq!(
        drops,
        [
            ("LEAK002", 1, "placeholder text"),
            ("LEAK001", 2, "documentation example")
        ]
    );
}

/// Issue 12, points 4 and 1: logrotate's `.xz`, `.bz2` and `.zst` and tar backups under them
/// are opened; SHA-256 fingerprints of tokens under digest keys (`skrót_tokena_ksef`,
/// `ksef_token_sha256`, `tokenFingerprint`) are not tokens, the token beside them is
/// (`tests/fixtures/trees/make-issue12-sources.py`). Exactly these findings.
#[test]
fn issue12_sources_tree_gives_exactly_the_planted_findings() {
    let scan = scan_tree("tests/fixtures/trees/issue12-sources");
    assert!(scan.issues.is_empty(), "{:?}", scan.issues);
    let got = found(&scan);
    let got: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, p, l)| (r.as_str(), p.as_str(), *l))
        .collect();
    assert_eq!(
        got,
        vec![
            ("LEAK001", "backup/etc.tar.xz!etc/ksef.env", 2),
            ("LEAK001", "logs/app.log.1.xz", 21),
            ("LEAK001", "logs/app.log.2.bz2", 21),
            ("LEAK001", "logs/app.log.3.zst", 21),
            ("LEAK003", "inventory/ksef_tokens.env", 7),
        ],
        "{got:#?}"
    );
}

/// A test tree with a KSeF certificate's key in the ways point 7 of issue 12 lists beyond one
/// PEM file: a PKCS#12 bundle without a password, one whose password a KSeF test names, and a
/// PEM key whose certificate is a sibling file. Decoys: a bundle whose password is nowhere,
/// a sibling key of another certificate, a key beside a certificate that is not KSeF's.
#[test]
fn issue12_pkcs12_bundles_and_sibling_certificates() {
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use x509_cert::der::{DecodePem, Encode};

    let der = |cert: &str, key: &str| {
        let cert = x509_cert::Certificate::from_pem(cert)
            .expect("cert")
            .to_der()
            .expect("der");
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(key)
            .expect("key")
            .to_pkcs8_der()
            .expect("der")
            .as_bytes()
            .to_vec();
        (cert, key)
    };
    let p12 = |cert: &[u8], key: &[u8], password: &str| {
        use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
        let mut store = KeyStore::new();
        let chain = PrivateKeyChain::new(
            key,
            [1u8, 2, 3, 4],
            [Certificate::from_der(cert).expect("cert")],
        );
        store.add_entry("ksef", KeyStoreEntry::PrivateKeyChain(chain));
        store.writer(password).write().expect("p12")
    };
    let (ksef_cert, ksef_key) = certificate_and_key(
        "CN=Firma Sp. z o.o.,2.5.4.97=VATPL-1111111111,C=PL",
        "CN=CCK KSeF TEST,C=PL",
        0x0C12,
    );
    let (other_cert, other_key) =
        certificate_and_key("CN=www.example.test,C=PL", "CN=Example CA,C=PL", 9);
    let (ksef_cert_der, ksef_key_der) = der(&ksef_cert, &ksef_key);

    let encrypted =
        |password: &str| crate::key_passwords::encrypted_der(&ksef_key_der, password).into_bytes();

    let dir = tempfile::tempdir().expect("tmp");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("open/ksef.p12", p12(&ksef_cert_der, &ksef_key_der, "")),
        ("test/resources/firma.pfx", p12(&ksef_cert_der, &ksef_key_der, "Tajne-Haslo-77")),
        (
            "test/java/pl/firma/ksef/CertTest.java",
            b"package pl.firma.ksef;\nclass CertTest {\n  KeyStore ks = load(\"resources/firma.pfx\",\n      \"Tajne-Haslo-77\".toCharArray());\n}\n".to_vec(),
        ),
        ("locked/ksef.p12", p12(&ksef_cert_der, &ksef_key_der, "nowhere-written-9")),
        ("certs/firma.key", ksef_key.clone().into_bytes()),
        ("certs/firma.crt", ksef_cert.clone().into_bytes()),
        ("mixed/key.pem", other_key.clone().into_bytes()),
        ("mixed/cert.pem", ksef_cert.clone().into_bytes()),
        // names that do not pair: the encrypted key opens with the password of CertTest
        ("enc/signing.key", encrypted("Tajne-Haslo-77")),
        ("enc/ksef-cert.crt", ksef_cert.clone().into_bytes()),
        ("enc2/signing.key", encrypted("nowhere-written-9")),
        ("enc2/ksef-cert.crt", ksef_cert.clone().into_bytes()),
        ("tls/server.key", other_key.into_bytes()),
        ("tls/server.crt", other_cert.into_bytes()),
    ];
    for (name, data) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, data).expect("write");
    }
    let req = ksef_audit::app::leaks::LeakScanRequest {
        paths: vec![dir.path().to_path_buf()],
        max_file_size: 64 * 1024 * 1024,
        ..Default::default()
    };
    let (results, _) = ksef_audit::app::leaks::scan(&req).expect("scan");
    assert!(results.errors.is_empty(), "{:?}", results.errors);
    let mut got: Vec<(&str, &str, u64, &str)> = results
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.path.as_str(),
                f.line.unwrap_or(0),
                f.redacted.as_str(),
            )
        })
        .collect();
    got.sort();
    let paths: Vec<(&str, &str, u64)> = got.iter().map(|g| (g.0, g.1, g.2)).collect();
    assert_eq!(
        paths,
        vec![
            ("LEAK004", "certs/firma.key", 1),
            ("LEAK004", "enc/signing.key", 1),
            ("LEAK004", "open/ksef.p12", 1),
            ("LEAK004", "test/resources/firma.pfx", 1),
            ("LEAK005", "test/java/pl/firma/ksef/CertTest.java", 4),
        ],
        "{got:#?}"
    );
    let detail = |path: &str| got.iter().find(|g| g.1 == path).map(|g| g.3).unwrap_or("");
    assert!(
        detail("certs/firma.key").contains("sibling file firma.crt"),
        "{got:#?}"
    );
    assert!(
        detail("open/ksef.p12").contains("without a password"),
        "{got:#?}"
    );
    assert!(
        detail("enc/signing.key").contains("encrypted, its password is in the repository"),
        "{got:#?}"
    );
    assert!(detail("test/resources/firma.pfx").contains("its password is in the repository"));
    for g in &got {
        assert!(!g.3.contains("Tajne"), "{g:?}");
        if g.0 == "LEAK004" {
            assert!(
                g.3.contains("serial 0C12") && g.3.contains("VATPL-1111111111"),
                "{g:?}"
            );
        }
    }
}

/// Issue 22, point 4: the constructed misses (`tests/fixtures/trees/make-issue22.py`), one token
/// per file, each found at its place in the original (line, or archive member); the same
/// formats without a token stay clean.
#[test]
fn issue_22_decoded_views_find_every_constructed_miss() {
    let scan = scan_tree("tests/fixtures/trees/issue22/positives");
    assert!(scan.issues.is_empty(), "{:?}", scan.issues);
    let got = found(&scan);
    let got: Vec<(&str, u64)> = got.iter().map(|(_, p, l)| (p.as_str(), *l)).collect();
    let expected: Vec<(&str, u64)> = vec![
        ("KsefConfig.java", 4),                 // "…" + "…"
        ("app.properties", 2),                  // trailing backslash
        ("cache-utf16.sqlite", 1),              // UTF-16le pages
        ("cache-utf8.sqlite", 1),               // raw pages
        ("ci-build.log", 3),                    // inside colour codes
        ("deploy.sh", 2),                       // shell continuation
        ("handover.docx!word/document.xml", 2), // runs split by <w:proofErr/>
        ("invoice.pdf", 9),                     // FlateDecode stream, TJ pieces
        ("session.txt", 2),                     // JWT payload, base64url misaligned
        ("settings.py", 2),                     // implicit concatenation
        ("tokens-export.txt", 3),               // UTF-16LE + BOM, tab-separated
    ];
    assert_eq!(got, expected, "{got:#?}");
    assert!(
        scan.candidates
            .iter()
            .all(|c| c.finding.rule_id == "LEAK001" && c.finding.redacted.contains("fa4e…")),
        "one whole token each"
    );
    let clean = scan_tree("tests/fixtures/trees/issue22/negatives");
    assert!(clean.candidates.is_empty(), "{:#?}", found(&clean));
    assert!(clean.issues.is_empty() && clean.skipped.is_empty());
}
