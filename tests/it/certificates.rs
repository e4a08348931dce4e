//! Certificate sign-in against the simulator: RSA and ECDSA succeed and read the
//! certificate list (paged) and limits; a certificate from another CA ends with 460 and
//! an incomplete context; a token-signed-in session gets 403 on the certificate list.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use ksef_client::fetch::fetch_snapshot_async;
use ksef_client::progress::Progress;
use ksef_client::settings::CertificateFiles;
use ksef_client::settings::ContextSpec;
use ksef_client::settings::CredentialSource;
use ksef_client::settings::KsefSettings;
use ksef_model::CertificateRecord;
use ksef_model::ContextStatus;
use ksef_model::EnvironmentRef;
use ksef_sim as simulator;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;
use ksef_sim::ca::CertSubject;
use ksef_sim::ca::IssuedCertificate;
use ksef_sim::ca::KeyKind;
use ksef_sim::ca::ScenarioCa;

const NIP: &str = "5265877635";

fn firm() -> CertSubject {
    CertSubject::Firm {
        nip: NIP.into(),
        organization: "Biuro Rachunkowe Test".into(),
        common_name: "Biuro Rachunkowe Test".into(),
    }
}

fn record(serial: &str, i: usize) -> CertificateRecord {
    serde_json::from_value(serde_json::json!({
        "certificateSerialNumber": serial,
        "name": format!("Certyfikat {i}"),
        "type": "Authentication",
        "commonName": "Jan Kowalski",
        "status": "Active",
        "subjectIdentifier": {"type": "Pesel", "value": "85010112345"},
        "validFrom": "2025-08-24T14:15:22+00:00",
        "validTo": "2027-08-24T14:15:22+00:00",
        "lastUseDate": null,
        "requestDate": "2025-08-24T14:15:22+00:00"
    }))
    .expect("record")
}

fn fixture(certificates: usize) -> Fixture {
    Fixture {
        contexts: vec![FixtureContext {
            nip: NIP.into(),
            name: None,
            internal_id: None,
            faults: None,
            tokens: Vec::new(),
            grants: Vec::new(),
            certificates: (0..certificates)
                .map(|i| record(&format!("{:016X}", 0x1000_0000_0000_0000u64 + i as u64), i))
                .collect(),
            certificate_limits: None,
        }],
    }
}

fn write_files(dir: &Path, issued: &IssuedCertificate) -> CertificateFiles {
    let certificate = dir.join("cert.pem");
    let private_key = dir.join("key.pem");
    std::fs::write(&certificate, issued.certificate_pem()).expect("cert");
    std::fs::write(&private_key, issued.key_pkcs8_pem().as_bytes()).expect("key");
    std::fs::set_permissions(&private_key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    CertificateFiles::Pem {
        certificate,
        private_key,
    }
}

fn settings(sim: &SimHandle, credential: CredentialSource) -> KsefSettings {
    let mut s = KsefSettings::new(
        EnvironmentRef {
            label: "test".into(),
            base_url: sim.base_url.clone(),
        },
        vec![ContextSpec {
            nip: NIP.into(),
            name: None,
            credential,
        }],
    );
    s.retry_base = Duration::from_millis(20);
    s
}

async fn sign_in_reads_certificates(kind: KeyKind) {
    let ca = ScenarioCa::generate("Scenario CA", KeyKind::Rsa2048).expect("ca");
    let issued = ca.issue_for_two_years(&firm(), kind).expect("issue");
    let sim = simulator::start(fixture(120), SimOptions::default())
        .await
        .expect("sim");
    sim.trust_ca(ca.certificate_der());
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_files(dir.path(), &issued);
    let snap = fetch_snapshot_async(
        &settings(&sim, CredentialSource::Certificate(files)),
        Progress::none(),
    )
    .await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Complete, "{:?}", ctx.reason);
    assert_eq!(
        ctx.certificates.signed_in_with.as_deref(),
        Some(issued.serial_hex.as_str())
    );
    // 120 certificates at 50 a page: three pages, none lost or repeated.
    assert_eq!(ctx.certificates.list.len(), 120);
    let pages = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/certificates/query"))
        .count();
    assert_eq!(pages, 3);
    assert!(ctx.certificates.limits.is_some());
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.path.ends_with("/auth/xades-signature") && r.status == 202)
    );
    let _ = Utc::now();
}

#[tokio::test]
async fn rsa_certificate_signs_in_and_lists_certificates() {
    sign_in_reads_certificates(KeyKind::Rsa2048).await;
}

#[tokio::test]
async fn ecdsa_certificate_signs_in_and_lists_certificates() {
    sign_in_reads_certificates(KeyKind::P256).await;
}

#[tokio::test]
async fn certificate_from_another_ca_is_460_and_incomplete() {
    let trusted = ScenarioCa::generate("Scenario CA", KeyKind::Rsa2048).expect("ca");
    let other = ScenarioCa::generate("Other CA", KeyKind::P256).expect("other");
    let issued = other
        .issue_for_two_years(&firm(), KeyKind::P256)
        .expect("issue");
    let sim = simulator::start(fixture(1), SimOptions::default())
        .await
        .expect("sim");
    sim.trust_ca(trusted.certificate_der());
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_files(dir.path(), &issued);
    let snap = fetch_snapshot_async(
        &settings(&sim, CredentialSource::Certificate(files)),
        Progress::none(),
    )
    .await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.clone().unwrap_or_default();
    assert!(reason.contains("460"), "{reason}");
    assert!(
        reason.contains("not issued by a CA KSeF trusts"),
        "{reason}"
    );
    assert!(!reason.contains("PRIVATE KEY"), "{reason}");
}

#[tokio::test]
async fn key_file_readable_by_others_is_refused_before_any_request() {
    let ca = ScenarioCa::generate("Scenario CA", KeyKind::Rsa2048).expect("ca");
    let issued = ca
        .issue_for_two_years(&firm(), KeyKind::P256)
        .expect("issue");
    let sim = simulator::start(fixture(1), SimOptions::default())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_files(dir.path(), &issued);
    std::fs::set_permissions(files.key_file(), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let snap = fetch_snapshot_async(
        &settings(&sim, CredentialSource::Certificate(files)),
        Progress::none(),
    )
    .await;
    let reason = snap.contexts[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("chmod 600"), "{reason}");
    assert!(sim.requests().is_empty());
}
