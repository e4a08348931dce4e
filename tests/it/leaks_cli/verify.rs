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

/// `leaks --verify --format json .` over a `.env` holding Alfa's leaked invoicing token, with
/// `faults` in the simulator; `extra` flags go after `leaks`.
fn verify_with_faults(faults: ksef_sim::Faults, extra: &[&str]) -> std::process::Output {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut fixture = basic();
    for ctx in &mut fixture.contexts {
        for t in &mut ctx.tokens {
            if t.record.reference_number == ALFA_INVOICING {
                t.secret = Some(format!(
                    "fa4efa4e{}",
                    &ksef_model::fingerprint_hex(b"issue 21 verify")[..56]
                ));
            }
        }
    }
    let sim = rt
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .expect("simulator");
    sim.set_faults(Some(ALFA), faults);
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "KSEF_TOKEN={}\n",
            token(&fixture, ALFA, ALFA_INVOICING).expose()
        ),
    )
    .expect("write");
    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .env(
            "KSEF_TOKEN_5265877635",
            token(&fixture, ALFA, ALFA_AUDITOR).expose(),
        )
        .current_dir(dir.path())
        .args(["--env", &sim.base_url, "leaks", "--verify"])
        .args(extra)
        .args(["--format", "json", "."])
        .output()
        .expect("runs");
    rt.block_on(sim.shutdown());
    out
}

/// Issue 21, point 16: a 404 on `GET /tokens/{ref}` means KSeF does not know the reference:
/// the finding stays, marked `not-found`, and the exit code follows `--fail-on`.
#[test]
fn issue_21_verify_404_keeps_the_finding_marked_unknown_to_ksef() {
    let faults = ksef_sim::Faults {
        token_lookup_status: Some(404),
        ..ksef_sim::Faults::default()
    };
    let out = verify_with_faults(faults.clone(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let r: LeakResults = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r.findings.len(), 1, "{stderr}");
    assert_eq!(r.findings[0].status, LeakStatus::NotFound);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        json.contains("\"status\": \"not-found\"") || json.contains("\"status\":\"not-found\"")
    );
    let out = verify_with_faults(faults, &["--fail-on", "critical"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 21, point 16: a 400 or a 5xx on the lookup is an error (exit 2), reported as a
/// failed verification of the context, not as a file that could not be scanned.
#[test]
fn issue_21_verify_400_and_5xx_are_errors_naming_the_context() {
    for code in [400, 500] {
        let out = verify_with_faults(
            ksef_sim::Faults {
                token_lookup_status: Some(code),
                ..ksef_sim::Faults::default()
            },
            &[],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "HTTP {code}: {stderr}");
        assert!(
            stderr.contains(&format!("verification failed for context {ALFA}")),
            "HTTP {code}: {stderr}"
        );
        assert!(
            !stderr.contains("could not be scanned"),
            "HTTP {code}: {stderr}"
        );
    }
}
