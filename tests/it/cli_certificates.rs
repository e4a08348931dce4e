//! `ksef-audit certificates` and `audit` with a context that signs in with a KSeF certificate
//! (issue 10), as a user runs them against the simulator on loopback: every format, `--from`,
//! the certificate findings with `certificate_serial`, the token-sunset rules, and no private
//! key, key bytes or password in any output or error.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use base64::Engine;
use chrono::{Duration, Utc};
use ksef_model::CertificateRecord;
use ksef_model::TokenSnapshot;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::ca::CertSubject;
use ksef_sim::ca::IssuedCertificate;
use ksef_sim::ca::KeyKind;
use ksef_sim::ca::ScenarioCa;
use pkcs8::der::pem::LineEnding;

use crate::support::sim::RunningSim;

const NIP: &str = "5265877635";
const PASSWORD: &str = "Tajne-Haslo-Do-Klucza-42";
const LEAVER_PESEL: &str = "85010112345";
const EXPIRING: &str = "1000000000000001";
const LEAVER: &str = "1000000000000002";
const UNLISTED: &str = "1000000000000003";

fn record(
    serial: &str,
    pesel: &str,
    valid_days: i64,
    last_use_days: Option<i64>,
) -> CertificateRecord {
    let now = Utc::now();
    serde_json::from_value(serde_json::json!({
        "certificateSerialNumber": serial,
        "name": format!("Certyfikat {serial}"),
        "type": "Authentication",
        "commonName": "Jan Kowalski",
        "status": "Active",
        "subjectIdentifier": {"type": "Pesel", "value": pesel},
        "validFrom": (now - Duration::days(300)).to_rfc3339(),
        "validTo": (now + Duration::days(valid_days)).to_rfc3339(),
        "lastUseDate": last_use_days.map(|d| (now - Duration::days(d)).to_rfc3339()),
        "requestDate": (now - Duration::days(301)).to_rfc3339(),
    }))
    .expect("record")
}

struct Env {
    sim: RunningSim,
    dir: tempfile::TempDir,
    issued: IssuedCertificate,
    config: PathBuf,
}

impl Env {
    fn new() -> Env {
        let ca = ScenarioCa::generate("Scenario CA", KeyKind::Rsa2048).expect("ca");
        let issued = ca
            .issue_for_two_years(
                &CertSubject::Firm {
                    nip: NIP.into(),
                    organization: "Alfa sp. z o.o.".into(),
                    common_name: "Alfa sp. z o.o.".into(),
                },
                KeyKind::P256,
            )
            .expect("issue");
        let fixture = Fixture {
            contexts: vec![FixtureContext {
                nip: NIP.into(),
                name: Some("Alfa sp. z o.o.".into()),
                internal_id: None,
                faults: None,
                tokens: Vec::new(),
                grants: Vec::new(),
                certificates: vec![
                    record(EXPIRING, "90010112349", 20, Some(1)),
                    record(LEAVER, LEAVER_PESEL, 400, Some(3)),
                    record(UNLISTED, "90010112349", 500, Some(2)),
                ],
                certificate_limits: None,
            }],
        };
        let sim = RunningSim::start(fixture);
        sim.handle().trust_ca(ca.certificate_der());
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("cert.pem"), issued.certificate_pem()).expect("cert");
        write_key(&d.join("key.pem"), &encrypted_key(&issued));
        std::fs::write(
            d.join("staff.csv"),
            format!("id,name,pesel,status\njan@alfa.pl,Jan Nowak,{LEAVER_PESEL},left\n"),
        )
        .expect("staff");
        std::fs::write(
            d.join("inventory.csv"),
            format!(
                "nip,certificate_serial,owner,system\n{NIP},{EXPIRING},anna@alfa.pl,ERP\n{NIP},{LEAVER},jan@alfa.pl,ERP\n{NIP},FFFF000000000009,anna@alfa.pl,old ERP\n"
            ),
        )
        .expect("inventory");
        let config = d.join("ksef-audit.toml");
        std::fs::write(
            &config,
            format!(
                "[[contexts]]\nnip = \"{NIP}\"\ncertificate = \"cert.pem\"\nprivate-key = \"key.pem\"\n"
            ),
        )
        .expect("config");
        Env {
            sim,
            dir,
            issued,
            config,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with a clean environment (the key password set), pointed at the simulator.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ksef-audit").expect("binary");
        c.env_clear()
            .current_dir(self.dir.path())
            .env("KSEF_KEY_PASSWORD", PASSWORD)
            .arg("--config")
            .arg(&self.config)
            .args(["--env", &self.sim.handle().base_url]);
        c
    }

    /// No password, no PEM armour of a key, no line of the key's base64, no key bytes.
    fn assert_no_key_material(&self, what: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(PASSWORD), "{what}: the password leaked");
        assert!(!text.contains("PRIVATE KEY"), "{what}: a PEM key leaked");
        let der = self.issued.key_pkcs8_der();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        for chunk in b64.as_bytes().chunks(24) {
            let chunk = String::from_utf8_lossy(chunk);
            assert!(!text.contains(chunk.as_ref()), "{what}: key base64 leaked");
        }
        let hex_key = hex::encode(der);
        assert!(
            !text.to_lowercase().contains(&hex_key[hex_key.len() - 64..]),
            "{what}: key bytes leaked"
        );
        assert!(
            !bytes.windows(32).any(|w| w == &der[der.len() - 32..]),
            "{what}: raw key bytes leaked"
        );
    }

    fn assert_clean(&self, out: &Output) {
        self.assert_no_key_material("stdout", &out.stdout);
        self.assert_no_key_material("stderr", &out.stderr);
    }
}

fn encrypted_key(issued: &IssuedCertificate) -> String {
    let info = pkcs8::PrivateKeyInfo::try_from(issued.key_pkcs8_der()).expect("pkcs8");
    // PBKDF2 with few rounds: scrypt (the default) is slow in a debug build.
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(
        2048,
        b"saltsaltsaltsalt",
        b"0123456789abcdef",
    )
    .expect("params");
    let doc = info
        .encrypt_with_params(params, PASSWORD.as_bytes())
        .expect("encrypt");
    doc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .expect("pem")
        .to_string()
}

fn write_key(path: &Path, pem: &str) {
    std::fs::write(path, pem).expect("key");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn findings(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings[]")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["certificate_serial"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn issue_10_certificates_command_in_every_format_without_key_material() {
    let env = Env::new();
    json_run_writes_the_certificate_findings(&env);
    table_from_the_snapshot_masks_the_pesel(&env);
    csv_and_excel_from_the_snapshot(&env);
    audit_covers_the_certificates_too(&env);
    an_exception_names_the_certificate_by_serial(&env);
}

/// `certificates --format json -o certs.json`: the context, the signing certificate, every
/// certificate finding with its serial, the PESEL masked, no key material anywhere.
fn json_run_writes_the_certificate_findings(env: &Env) {
    let json = env
        .cmd()
        .args([
            "certificates",
            "--staff",
            "staff.csv",
            "--inventory",
            "inventory.csv",
        ])
        .args(["--format", "json", "-o", "certs.json"])
        .output()
        .expect("runs");
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    env.assert_clean(&json);
    let written = std::fs::read(env.path("certs.json")).expect("written");
    env.assert_no_key_material("certs.json", &written);
    let doc: serde_json::Value = serde_json::from_slice(&written).expect("JSON");
    assert_eq!(doc["contexts"][0]["nip"], NIP);
    assert_eq!(doc["contexts"][0]["status"], "complete");
    assert_eq!(
        doc["contexts"][0]["certificates"]["signed-in-with"],
        env.issued.serial_hex.as_str()
    );
    let found = findings(&doc);
    for (rule, serial) in [
        ("certificate-expiring", EXPIRING),
        ("certificate-of-leaver", LEAVER),
        ("certificate-not-in-inventory", UNLISTED),
        ("inventory-certificate-unknown", "FFFF000000000009"),
    ] {
        assert!(
            found.contains(&(rule.to_string(), serial.to_string())),
            "{rule} {serial} in {found:?}"
        );
    }
    // The subject's PESEL is masked in findings.
    let text = String::from_utf8_lossy(&written);
    let leaver = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "certificate-of-leaver")
        .expect("leaver finding");
    assert!(!leaver.to_string().contains(LEAVER_PESEL), "{leaver}");
    assert_eq!(leaver["subject"]["kind"], "certificate");
    assert!(leaver["subject"]["valid_to"].is_string(), "{leaver}");
    assert!(text.contains("certificate_serial"));
}

/// The snapshot part still reads with `audit --from`; offline re-rendering needs no config.
fn table_from_the_snapshot_masks_the_pesel(env: &Env) {
    let table = env
        .cmd()
        .args([
            "certificates",
            "--from",
            "certs.json",
            "--staff",
            "staff.csv",
        ])
        .output()
        .expect("runs");
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    env.assert_clean(&table);
    let t = stdout(&table);
    assert!(
        t.contains(LEAVER) && t.contains("certificate-of-leaver"),
        "{t}"
    );
    assert!(
        t.contains("PESEL 85*******45") && !t.contains(LEAVER_PESEL),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "signed in with certificate {}",
            env.issued.serial_hex
        )),
        "{t}"
    );
}

/// CSV from the snapshot (one row per KSeF certificate), and the Excel flavour with a BOM.
fn csv_and_excel_from_the_snapshot(env: &Env) {
    let csv = env
        .cmd()
        .args(["certificates", "--from", "certs.json", "--format", "csv"])
        .output()
        .expect("runs");
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    env.assert_clean(&csv);
    let c = stdout(&csv);
    assert!(c.starts_with("environment,nip,client_name"), "{c}");
    assert_eq!(
        c.lines().count(),
        1 + 3,
        "one row per KSeF certificate: {c}"
    );
    assert!(c.contains(EXPIRING), "{c}");

    let excel = env
        .cmd()
        .args(["certificates", "--from", "certs.json", "--csv-excel"])
        .output()
        .expect("runs");
    assert_eq!(excel.status.code(), Some(0), "{}", stderr(&excel));
    assert!(excel.stdout.starts_with(b"\xEF\xBB\xBF"), "BOM");
    assert!(stdout(&excel).contains(";certificate_serial;"));
}

/// `audit` audits the certificates of the certificate-signed-in context too.
fn audit_covers_the_certificates_too(env: &Env) {
    let audit = env
        .cmd()
        .args([
            "audit",
            "--inventory",
            "inventory.csv",
            "--staff",
            "staff.csv",
        ])
        .args(["--format", "json", "--exit-zero"])
        .output()
        .expect("runs");
    assert_eq!(audit.status.code(), Some(0), "{}", stderr(&audit));
    env.assert_clean(&audit);
    let doc: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("JSON");
    assert_eq!(doc["contexts"][0]["nip"], NIP);
    assert_eq!(doc["contexts"][0]["status"], "complete");
    let found = findings(&doc);
    assert!(
        found.contains(&("certificate-of-leaver".into(), LEAVER.into())),
        "{found:?}"
    );
    assert!(
        doc["contexts"][0]["certificates"]["list"].is_array(),
        "audit keeps the list"
    );
}

/// An exception can name the certificate by its serial number; the snapshot keeps all three.
fn an_exception_names_the_certificate_by_serial(env: &Env) {
    std::fs::write(
        env.path("exc.toml"),
        format!(
            "[[exception]]\nrule = \"certificate-of-leaver\"\ntarget = \"{LEAVER}\"\nreason = \"revocation requested\"\nowner = \"anna@alfa.pl\"\nexpires = 2099-01-01\n"
        ),
    )
    .expect("exceptions");
    let waived = env
        .cmd()
        .args([
            "audit",
            "--from",
            "certs.json",
            "--inventory",
            "inventory.csv",
        ])
        .args([
            "--staff",
            "staff.csv",
            "--exceptions",
            "exc.toml",
            "--format",
            "json",
            "--exit-zero",
        ])
        .output()
        .expect("runs");
    assert_eq!(waived.status.code(), Some(0), "{}", stderr(&waived));
    let doc: serde_json::Value = serde_json::from_slice(&waived.stdout).expect("JSON");
    let leaver = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "certificate-of-leaver")
        .expect("leaver finding");
    assert_eq!(leaver["excepted"], true, "{leaver}");
    let snap: TokenSnapshot =
        serde_json::from_slice(&std::fs::read(env.path("certs.json")).expect("read"))
            .expect("a token snapshot");
    assert_eq!(snap.contexts[0].certificates.list.len(), 3);
}

#[test]
fn issue_10_wrong_key_password_is_a_clear_error_without_the_password() {
    let env = Env::new();
    let wrong = "Zle-Haslo-Nie-Pasuje-17";
    let out = env
        .cmd()
        .env("KSEF_KEY_PASSWORD", wrong)
        .args(["certificates", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wrong password"), "{err}");
    assert!(err.contains("KSEF_KEY_PASSWORD"), "{err}");
    assert!(
        !err.contains(wrong) && !stdout(&out).contains(wrong),
        "{err}"
    );
    env.assert_clean(&out);
    // The context is incomplete, never clean.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["contexts"][0]["status"], "incomplete");
    assert!(
        !doc["contexts"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(wrong)
    );

    // No password at all: the message says which variable to set.
    let none = env
        .cmd()
        .env_remove("KSEF_KEY_PASSWORD")
        .args(["certificates"])
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("KSEF_KEY_PASSWORD_5265877635"),
        "{}",
        stderr(&none)
    );
    env.assert_clean(&none);
}

/// A snapshot with one Active token, for the sunset rules.
fn token_snapshot(dir: &Path) -> PathBuf {
    let path = dir.join("tokens.json");
    let doc = serde_json::json!({
        "schema_version": 1,
        "kind": "ksef-audit/tokens",
        "tool_version": "test",
        "environment": {"label": "prod", "base_url": "https://api.ksef.mf.gov.pl/v2"},
        "fetched_at": "2026-11-30T08:00:00Z",
        "contexts": [{
            "nip": NIP,
            "environment": "prod",
            "status": "complete",
            "fetched_at": "2026-11-30T08:00:00Z",
            "tokens": [{
                "referenceNumber": "20250301-EC-A0D17A0002-0000000002-D5",
                "authorIdentifier": {"type": "Nip", "value": NIP},
                "contextIdentifier": {"type": "Nip", "value": NIP},
                "description": "Alfa-ERP-prod-2025",
                "requestedPermissions": ["InvoiceRead"],
                "dateCreated": "2026-10-01T08:00:00Z",
                "lastUseDate": "2026-11-29T08:00:00Z",
                "status": "Active"
            }]
        }]
    });
    std::fs::write(&path, doc.to_string()).expect("snapshot");
    path
}

fn sunset_findings(
    dir: &Path,
    now: &str,
    config: Option<&str>,
) -> (Option<i32>, Vec<(String, String)>) {
    let snapshot = token_snapshot(dir);
    let inventory = dir.join("inv.csv");
    std::fs::write(
        &inventory,
        format!(
            "nip,reference_number,owner\n{NIP},20250301-EC-A0D17A0002-0000000002-D5,anna@alfa.pl\n"
        ),
    )
    .expect("inventory");
    let mut cmd = Command::cargo_bin("ksef-audit").expect("binary");
    cmd.env_clear().current_dir(dir);
    if let Some(text) = config {
        let path = dir.join("sunset.toml");
        std::fs::write(&path, text).expect("config");
        cmd.arg("--config").arg(&path);
    }
    let out = cmd
        .args(["audit", "--from"])
        .arg(&snapshot)
        .arg("--inventory")
        .arg(&inventory)
        .args(["--now", now, "--format", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let found = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| {
                    f["rule"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("token-sunset")
                })
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["severity"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (out.status.code(), found)
}

#[test]
fn issue_10_token_sunset_raises_severity_as_the_date_nears() {
    let dir = tempfile::tempdir().expect("tempdir");
    // More than a year before 2027-11-30: nothing.
    let (_, found) = sunset_findings(dir.path(), "2026-10-01", None);
    assert!(found.is_empty(), "{found:?}");
    // Within the year: low.
    let (code, found) = sunset_findings(dir.path(), "2027-01-15", None);
    assert_eq!(
        found,
        [("token-sunset-approaching".to_string(), "low".to_string())]
    );
    assert_eq!(code, Some(0));
    // Within 90 days: high, and the default --fail-on high fails the run.
    let (code, found) = sunset_findings(dir.path(), "2027-10-01", None);
    assert_eq!(
        found,
        [("token-sunset-near".to_string(), "high".to_string())]
    );
    assert_eq!(code, Some(1));
    // The date is configurable: a later sunset moves the finding back to low.
    let later = "[rules.token-sunset-near]\nsunset = \"2028-06-30\"\n[rules.token-sunset-approaching]\nsunset = \"2028-06-30\"\n";
    let (_, found) = sunset_findings(dir.path(), "2027-10-01", Some(later));
    assert_eq!(
        found,
        [("token-sunset-approaching".to_string(), "low".to_string())]
    );
    // A sunset that is not a date is a config error naming the parameter.
    let bad = "[rules.token-sunset-near]\nsunset = \"end of 2027\"\n";
    let (code, _) = sunset_findings(dir.path(), "2027-10-01", Some(bad));
    assert_eq!(code, Some(2));
}
