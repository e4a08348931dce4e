//! `ksef-audit doctor` as a user runs it (issue 25 point 4): a mode-644 token file, a key
//! that does not belong to its certificate and an expired certificate are each named with
//! their fix (exit 1); the demo's own config is ready (exit 0); no config is exit 2; the
//! JSON document and the Polish words; `--online` against the simulator on loopback.

use std::path::Path;
use std::process::Output;

use chrono::{Duration, Utc};
use ksef_sim::ca::{CertSubject, IssuedCertificate, KeyKind, ScenarioCa};

use crate::support::cli::{ksef_audit, text};
use crate::support::fixture::{
    ALFA, ALFA_AUDITOR, ALFA_INVOICING, ALFA_REVOKED, BETA, basic_simulator, token,
};

/// A KSeF 2.0 token's shape, not a real one.
const SHAPED_TOKEN: &str = "20260110-EC-A0D17A0001-0000000001-F6|nip-5265877635|0123abcd";

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    set_mode(path, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

fn issue(ca: &ScenarioCa, from_days: i64, to_days: i64) -> IssuedCertificate {
    let now = Utc::now();
    ca.issue(
        &CertSubject::Firm {
            nip: ALFA.into(),
            organization: "Alfa sp. z o.o.".into(),
            common_name: "Alfa seal".into(),
        },
        KeyKind::P256,
        now + Duration::days(from_days),
        now + Duration::days(to_days),
    )
    .expect("certificate")
}

/// Writes `NAME.pem` and `NAME.key` (mode 600) into `dir`.
fn write_certificate(dir: &Path, name: &str, certificate: &str, key: &str) {
    std::fs::write(dir.join(format!("{name}.pem")), certificate).expect("write");
    write_private(&dir.join(format!("{name}.key")), key);
}

fn certificate_entry(nip: &str, name: &str) -> String {
    format!(
        "\n[[contexts]]\nnip = \"{nip}\"\ncertificate = \"{name}.pem\"\nprivate-key = \"{name}.key\"\n"
    )
}

fn doctor(dir: &Path, args: &[&str]) -> Output {
    ksef_audit(dir)
        .arg("doctor")
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

/// A config with three broken contexts: a mode-644 token file, a key of another
/// certificate, an expired certificate.
fn broken_setup(dir: &Path) {
    let ca = ScenarioCa::generate("doctor test CA", KeyKind::P256).expect("ca");
    let good = issue(&ca, -1, 365);
    let other = issue(&ca, -1, 365);
    write_certificate(
        dir,
        "mismatched",
        &good.certificate_pem(),
        &other.key_pkcs8_pem(),
    );
    let expired = issue(&ca, -400, -10);
    write_certificate(
        dir,
        "expired",
        &expired.certificate_pem(),
        &expired.key_pkcs8_pem(),
    );
    std::fs::write(dir.join("beta.token"), format!("{SHAPED_TOKEN}\n")).expect("write");
    set_mode(&dir.join("beta.token"), 0o644);
    let config = format!(
        "[ksef]\nenvironment = \"test\"\n\n[[contexts]]\nnip = \"{BETA}\"\ntoken-file = \"beta.token\"\n{}{}",
        certificate_entry(ALFA, "mismatched"),
        certificate_entry("5261048379", "expired"),
    );
    std::fs::write(dir.join("ksef-audit.toml"), config).expect("config");
}

#[cfg(unix)]
#[test]
fn issue_25_doctor_names_an_open_token_file_a_mismatched_key_and_an_expired_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    broken_setup(dir.path());
    let out = doctor(dir.path(), &[]);
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}{}", text(&out.stderr));
    assert!(
        shown.contains("✘ token file 'beta.token' is readable by group or others (mode 644)"),
        "{shown}"
    );
    assert!(shown.contains("fix: chmod 600 beta.token"), "{shown}");
    assert!(
        shown.contains("✘ the private key in 'mismatched.key' does not belong to the certificate in 'mismatched.pem'"),
        "{shown}"
    );
    assert!(shown.contains("✘ certificate expired on"), "{shown}");
    assert!(shown.contains("not ready: "), "{shown}");
    assert!(!shown.contains(SHAPED_TOKEN), "{shown}");

    // Fixed one by one, the run gets ready.
    set_mode(&dir.path().join("beta.token"), 0o600);
    let out = doctor(dir.path(), &[]);
    assert!(
        stdout(&out).contains("✔ token file 'beta.token': present"),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn issue_25_doctor_on_the_demos_own_config_is_ready() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = ksef_audit(dir.path())
        .args(["demo", "-q", "--out", "demo"])
        .output()
        .expect("demo runs");
    assert_eq!(demo.status.code(), Some(0), "{}", text(&demo.stderr));
    let out = doctor(&dir.path().join("demo"), &[]);
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("✔ certificate and private key belong together"),
        "{shown}"
    );
    assert!(shown.contains("✔ certificate valid until"), "{shown}");
    assert!(shown.contains("✔ token file 'secrets/"), "{shown}");
    assert!(!shown.contains('✘'), "{shown}");
    // The demo ran it too, on the same config.
    let written = std::fs::read_to_string(dir.path().join("demo/doctor.txt")).expect("doctor.txt");
    assert!(written.contains("ready: "), "{written}");
}

#[test]
fn issue_25_doctor_without_a_config_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let out = doctor(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no ksef-audit.toml"), "{err}");
    assert!(err.contains("ksef-audit init"), "{err}");
    let out = doctor(dir.path(), &["--config", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.path().join("bad.toml"), "[ksef\n").expect("write");
    let out = doctor(dir.path(), &["--config", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn issue_25_doctor_names_an_unset_environment_variable_with_its_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("ksef-audit.toml"),
        format!("[ksef]\nenvironment = \"test\"\n\n[[contexts]]\nnip = \"{ALFA}\"\n\n[[contexts]]\nnip = \"{BETA}\"\n"),
    )
    .expect("config");
    let out = ksef_audit(dir.path())
        .args(["doctor"])
        .env(format!("KSEF_TOKEN_{ALFA}"), SHAPED_TOKEN)
        .output()
        .expect("runs");
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains(&format!(
            "✔ KSeF token from environment variable KSEF_TOKEN_{ALFA}"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "✘ no KSeF token: environment variable KSEF_TOKEN_{BETA} is not set"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("fix: export KSEF_TOKEN_{BETA}=<token>")),
        "{shown}"
    );
}

#[cfg(unix)]
#[test]
fn issue_25_doctor_json_is_a_versioned_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    broken_setup(dir.path());
    let out = doctor(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["kind"], "ksef-audit/doctor");
    assert_eq!(doc["ready"], false);
    assert_eq!(doc["online"], false);
    assert_eq!(doc["counts"]["failed"], 3, "{doc:#}");
    let checks = doc["checks"].as_array().expect("checks");
    let find = |nip: &str, check: &str| {
        checks
            .iter()
            .find(|c| c["nip"] == nip && c["check"] == check)
            .unwrap_or_else(|| panic!("{nip} {check} in {doc:#}"))
    };
    assert_eq!(find(BETA, "token")["status"], "failed");
    assert_eq!(find(BETA, "token")["fix"], "chmod 600 beta.token");
    assert_eq!(find(ALFA, "certificate-key")["status"], "failed");
    assert_eq!(
        find("5261048379", "certificate-validity")["status"],
        "failed"
    );
    assert!(
        checks
            .iter()
            .any(|c| c["check"] == "config" && c["nip"].is_null())
    );
}

#[cfg(unix)]
#[test]
fn issue_25_doctor_speaks_polish() {
    let dir = tempfile::tempdir().expect("tempdir");
    broken_setup(dir.path());
    let out = doctor(dir.path(), &["--lang", "pl"]);
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    for phrase in [
        "plik tokena „beta.token” mogą czytać grupa lub inni (tryb 644)",
        "co zrobić: chmod 600 beta.token",
        "klucz prywatny z „mismatched.key” nie pasuje do certyfikatu z „mismatched.pem”",
        "certyfikat wygasł",
        "niegotowe: poprawne: ",
        "kontekst 5265877635",
    ] {
        assert!(shown.contains(phrase), "{phrase} in {shown}");
    }
    for english in ["readable", "expired", "fix:", "context ", "not ready"] {
        assert!(!shown.contains(english), "{english} in {shown}");
    }
}

#[test]
fn issue_25_doctor_online_signs_in_and_reads_the_auditing_permissions() {
    let (rt, fixture, sim) = basic_simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let write_config = |reference: &str| {
        write_private(
            &dir.path().join("alfa.token"),
            &format!("{}\n", token(&fixture, ALFA, reference).expose()),
        );
        std::fs::write(
            dir.path().join("ksef-audit.toml"),
            format!(
                "[ksef]\nenvironment = \"sim={}\"\n\n[[contexts]]\nnip = \"{ALFA}\"\ntoken-file = \"alfa.token\"\n",
                sim.base_url
            ),
        )
        .expect("config");
    };
    write_config(ALFA_AUDITOR);
    let out = doctor(dir.path(), &["--online", "-q"]);
    let shown = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}{}", text(&out.stderr));
    assert!(shown.contains("✔ signed in to KSeF"), "{shown}");
    assert!(
        shown.contains("✔ may audit: the credential holds CredentialsRead"),
        "{shown}"
    );
    assert!(shown.contains("⚠ cannot revoke"), "{shown}");

    write_config(ALFA_INVOICING);
    let out = doctor(dir.path(), &["--online", "-q", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["online"], true);
    let audit = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "permission-audit")
        .expect("permission check");
    assert_eq!(audit["status"], "failed", "{doc:#}");
    assert!(
        audit["fix"]
            .as_str()
            .is_some_and(|f| f.contains("CredentialsRead")),
        "{doc:#}"
    );
    let secret = token(&fixture, ALFA, ALFA_INVOICING);
    assert!(!text(&out.stdout).contains(secret.expose()));

    // A revoked token: the sign-in fails, said with KSeF's reason and what to do.
    write_config(ALFA_REVOKED);
    for (lang, said) in [
        ("en", "✘ sign-in failed: "),
        ("pl", "✘ logowanie nieudane: "),
    ] {
        let out = doctor(dir.path(), &["--online", "-q", "--lang", lang]);
        let shown = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{shown}");
        assert!(shown.contains(said), "{shown}");
        assert!(!shown.contains("permission"), "{shown}");
    }
    rt.block_on(sim.shutdown());
}
