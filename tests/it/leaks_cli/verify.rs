//! `ksef-audit leaks --verify` end to end: leaked tokens in files, looked up by reference
//! number in the simulator with the firm's own auditor token (never the leaked secret).

use crate::support::fixture::*;
use assert_cmd::Command;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::Severity;
use ksef_sim as simulator;
use ksef_sim::SimOptions;

#[test]
fn verify_marks_active_leaks_critical_and_revoked_ones_revoked() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // The basic fixture's secrets are repeated patterns, which the scanner rightly treats as
    // placeholders: give the two leaked tokens random-looking (still synthetic) secrets.
    let mut fixture = basic();
    for ctx in &mut fixture.contexts {
        for (i, t) in ctx.tokens.iter_mut().enumerate() {
            let r = t.record.reference_number.as_str();
            if r == ALFA_INVOICING || r == ALFA_REVOKED {
                t.secret = Some(format!(
                    "fa4efa4e{}",
                    &ksef_model::fingerprint_hex(format!("verify test {i}").as_bytes())[..56]
                ));
            }
        }
    }
    let sim = rt
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .expect("simulator");
    let leaked_active = token(&fixture, ALFA, ALFA_INVOICING);
    let leaked_revoked = token(&fixture, ALFA, ALFA_REVOKED);
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "KSEF_TOKEN={}\nOLD_KSEF_TOKEN={}\n",
            leaked_active.expose(),
            leaked_revoked.expose()
        ),
    )
    .expect("write");

    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .env("KSEF_TOKEN_5265877635", auditor.expose())
        .current_dir(dir.path())
        .args([
            "--env",
            &sim.base_url,
            "leaks",
            "--verify",
            "--format",
            "json",
            ".",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for s in [&leaked_active, &leaked_revoked, &auditor] {
        let secret = s.expose().rsplit('|').next().expect("secret part");
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    let r: LeakResults = serde_json::from_str(&stdout).expect("json");
    let got: Vec<(&str, LeakStatus, Severity)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.reference_number.as_deref().unwrap_or(""),
                f.status,
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (ALFA_INVOICING, LeakStatus::Active, Severity::Critical),
            (ALFA_REVOKED, LeakStatus::Revoked, Severity::High),
        ]
    );
    // Only reference lookups with the auditor's session: the leaked tokens never authenticated.
    let lookups: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/tokens/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(lookups.len(), 2, "{lookups:?}");
    rt.block_on(sim.shutdown());
}
