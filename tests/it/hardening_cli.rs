//! Issue 13 regressions that only show as a user runs the binary: an access token
//! given in `KSEF_ACCESS_TOKEN_<NIP>`, and `simulate --write-tokens` into a directory
//! that already holds files or links. The simulator runs in the test process.

use crate::support;

use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use ksef_model::ContextStatus;
use ksef_model::TokenSnapshot;
use ksef_sim::SimHandle;
use support::fixture::*;
use support::sim::RunningSim;

struct Sim {
    sim: RunningSim,
    dir: tempfile::TempDir,
}

impl Sim {
    fn start() -> Sim {
        Sim {
            sim: RunningSim::start(basic()),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn handle(&self) -> &SimHandle {
        self.sim.handle()
    }

    /// `tokens --format json` for Alfa with an access token of `reference`.
    fn tokens_with_access_token(&self, reference: &str) -> (Output, TokenSnapshot) {
        let jwt = self
            .handle()
            .access_token(ALFA, reference)
            .expect("token of Alfa");
        let out = Command::cargo_bin("ksef-audit")
            .expect("binary")
            .env_clear()
            .current_dir(self.dir.path())
            .args(["--env", &self.handle().base_url, "--nip", ALFA])
            .args(["tokens", "--format", "json"])
            .env(format!("KSEF_ACCESS_TOKEN_{ALFA}"), &jwt)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(&jwt), "the access token was printed");
        let snap = serde_json::from_slice(&out.stdout).expect("JSON snapshot");
        (out, snap)
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn issue_13_access_token_without_claims_is_checked_before_complete() {
    let sim = Sim::start();
    // InvoiceRead + InvoiceWrite: KSeF shows it only its own token.
    let (out, snap) = sim.tokens_with_access_token(ALFA_INVOICING);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    assert_eq!(ctx.tokens.len(), 1);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(
        reason.contains("neither CredentialsRead nor CredentialsManage"),
        "{reason}"
    );
    assert!(reason.contains("InvoiceRead"), "{reason}");
    assert!(
        stderr(&out).contains("incomplete: 5265877635"),
        "{}",
        stderr(&out)
    );

    // CredentialsRead, established by asking KSeF: the whole list, complete.
    let (out, snap) = sim.tokens_with_access_token(ALFA_AUDITOR);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Complete, "{:?}", ctx.reason);
    assert_eq!(ctx.tokens.len(), 6);
    assert_eq!(
        ctx.auditor_permissions
            .as_ref()
            .map(|p| p.iter().map(|p| p.as_str().to_string()).collect::<Vec<_>>()),
        Some(vec!["CredentialsRead".to_string()])
    );
    let asked = sim
        .handle()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/permissions/query/personal/grants"))
        .count();
    assert_eq!(asked, 2, "one permissions query per run");
}

#[test]
fn issue_13_userinfo_in_env_url_stays_out_of_the_snapshot_and_stderr() {
    let sim = Sim::start();
    let url = sim
        .handle()
        .base_url
        .replace("http://", "http://proxyuser:pr0xy-s3cret@");
    let fixture = basic();
    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(sim.dir.path())
        .args([
            "--env", &url, "--nip", ALFA, "-v", "tokens", "--format", "json",
        ])
        .env("KSEF_TOKEN", token(&fixture, ALFA, ALFA_AUDITOR).expose())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!all.contains("pr0xy-s3cret"), "{all}");
    let snap: TokenSnapshot = serde_json::from_slice(&out.stdout).expect("JSON snapshot");
    assert_eq!(snap.environment.base_url, sim.handle().base_url);
}

#[cfg(unix)]
#[test]
fn issue_13_write_tokens_never_follows_a_link_or_reuses_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).expect("mkdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "someone else's file\n").expect("write");
    let link = tokens.join(format!("{ALFA}.token"));
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");

    let run = || {
        Command::cargo_bin("ksef-audit")
            .expect("binary")
            .args(["simulate", "--addr", "127.0.0.1:0", "--fixture"])
            .arg(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/api/simulator/basic.json"),
            )
            .arg("--write-tokens")
            .arg(&tokens)
            // Before the fix the simulator wrote through the link and went on serving.
            .timeout(Duration::from_secs(30))
            .output()
            .expect("runs")
    };
    let out = run();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("{ALFA}.token")), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "someone else's file\n"
    );

    // A plain file left there (perhaps another user's) is not reused either.
    std::fs::remove_file(&link).expect("rm");
    std::fs::write(&link, "old\n").expect("write");
    let out = run();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&link).expect("read"), "old\n");
}

/// Alfa's token whose status (`Suspended`) this version does not know.
const ALFA_SUSPENDED: &str = "20260401-EC-A0D17A0006-0000000006-C5";

#[test]
fn issue_13_unknown_status_is_counted_shown_and_judged_live() {
    let sim = Sim::start();
    let fixture = basic();
    let snapshot = sim.dir.path().join("snap.json");
    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(sim.dir.path())
        .args(["--env", &sim.handle().base_url, "--nip", ALFA])
        .args(["tokens", "--format", "json", "-o"])
        .arg(&snapshot)
        .env("KSEF_TOKEN", token(&fixture, ALFA, ALFA_AUDITOR).expose())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("1 token with a status this version does not know ('Suspended' x1)"),
        "{err}"
    );
    // Active x3 and the unknown one.
    assert!(err.contains("6 tokens (4 active)"), "{err}");

    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(sim.dir.path())
        .args(["audit", "--format", "json", "--from"])
        .arg(&snapshot)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let results: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("audit JSON: {e}\n{}", stderr(&out)));
    let about_suspended: Vec<&str> = results["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.to_string().contains(ALFA_SUSPENDED))
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(
        about_suspended.contains(&"POL001"),
        "an unlisted live token is untracked: {about_suspended:?}"
    );
}
