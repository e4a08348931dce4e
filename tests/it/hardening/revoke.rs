//! Point 11: `revoke --yes` re-checks every target of an (edited) results file.

use super::inputs::cmd;
use crate::support::fixture::*;
use ksef_model::LeakStatus;
use ksef_sim as simulator;
use ksef_sim::SimOptions;

#[test]
fn issue_13_revoke_rechecks_targets_of_an_edited_results_file() {
    let rt = super::verify::runtime();
    let fixture = basic();
    let sim = rt
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .expect("simulator");
    // Beta's credential holds CredentialsManage: whatever it is pointed at, it could revoke.
    let beta = token(&fixture, BETA, BETA_AUDITOR);
    let mut own = finding(BETA, BETA_AUDITOR); // the credential the tool itself uses
    own.status = LeakStatus::Active;
    let mut forged = finding(BETA, "20260115-EC-B0D17A0001-0000000009-00");
    forged.redacted = format!("{BETA_AUDITOR}|nip-{BETA}|****"); // preview names another token
    forged.status = LeakStatus::Active;
    let mut foreign = finding(ALFA, BETA_AUDITOR); // Beta's reference under Alfa's NIP
    foreign.status = LeakStatus::Active;
    let results = leak_results(vec![foreign, forged, own]);
    let dir = tempfile::tempdir().expect("tmp");
    let leaks = dir.path().join("leaks.json");
    std::fs::write(&leaks, serde_json::to_vec(&results).expect("json")).expect("write");
    let out = cmd()
        .env("KSEF_TOKEN_7762811692", beta.expose())
        .args([
            "--env",
            &sim.base_url,
            "revoke",
            "--yes",
            "--max-actions",
            "10",
            "--from",
        ])
        .arg(&leaks)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "REFUSED  {BETA}  {BETA_AUDITOR}: this is the credential"
        )),
        "{text}"
    );
    assert!(text.contains("names another reference or NIP"), "{text}");
    // The (Alfa, Beta's reference) entry is refused on its own (no Alfa credential / not
    // Alfa's token); it does not hide the (Beta, reference) entry.
    assert!(
        text.contains(&format!("REFUSED  {ALFA}  {BETA_AUDITOR}")),
        "{text}"
    );
    let deletes = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 0, "nothing may be revoked: {text}");
    rt.block_on(sim.shutdown());
}

/// Issue 21, point 4: a leaks.json finding whose secret is not where it says (status active,
/// any fingerprint, a preview `REF|nip-NIP|…`) revokes nothing, and says why.
#[test]
fn issue_21_revoke_refuses_a_forged_leaks_finding_whose_secret_cannot_be_re_found() {
    let rt = super::verify::runtime();
    let fixture = basic();
    let sim = rt
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .expect("simulator");
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let mut forged = finding(ALFA, ALFA_INVOICING);
    forged.status = LeakStatus::Active;
    forged.fingerprint = ksef_model::fingerprint_hex(b"anything");
    let dir = tempfile::tempdir().expect("tmp");
    // The file the finding names exists, but holds no such secret.
    std::fs::write(dir.path().join(".env"), "KSEF_TOKEN=\n").expect("write");
    let leaks = dir.path().join("leaks.json");
    std::fs::write(
        &leaks,
        serde_json::to_vec(&leak_results(vec![forged])).expect("json"),
    )
    .expect("write");
    let out = cmd()
        .current_dir(dir.path())
        .env("KSEF_TOKEN_5265877635", auditor.expose())
        .args([
            "--env",
            &sim.base_url,
            "revoke",
            "--yes",
            "--max-actions",
            "10",
        ])
        .arg("--from")
        .arg(&leaks)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "REFUSED  {ALFA}  {ALFA_INVOICING}: the leaked secret cannot be re-found"
        )),
        "{text}"
    );
    let deletes = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 0, "nothing may be revoked: {text}");
    rt.block_on(sim.shutdown());
}
