//! `ksef-audit tokens` and `revoke` as a user runs them: exit codes, formats, and no
//! token value anywhere in stdout or stderr. The simulator runs in the test process
//! on loopback; the binary talks to it.

use crate::support;

use std::process::Output;

use assert_cmd::Command;
use ksef_model::ContextStatus;
use ksef_model::Secret;
use ksef_model::TokenSnapshot;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use support::fixture::*;

struct Env {
    rt: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
    fixture: Fixture,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let (rt, fixture, sim) = basic_simulator();
        Env {
            rt,
            sim: Some(sim),
            fixture,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn sim(&self) -> &SimHandle {
        self.sim.as_ref().expect("running")
    }

    fn secret(&self, nip: &str, reference: &str) -> Secret {
        token(&self.fixture, nip, reference)
    }

    /// The binary with a clean environment, in an empty directory, pointed at the simulator.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ksef-audit").expect("binary");
        c.env_clear()
            .current_dir(self.dir.path())
            .args(["--env", &self.sim().base_url]);
        c
    }

    /// Every secret of the fixture: none may appear in any output.
    fn assert_no_secret(&self, out: &Output) {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for ctx in &self.fixture.contexts {
            for t in &ctx.tokens {
                if let Some(secret) = &t.secret {
                    assert!(
                        !text.contains(secret.as_str()),
                        "secret of {} leaked",
                        t.record.reference_number
                    );
                }
            }
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn json_snapshot_of_complete_contexts_exits_0() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["--nip", ALFA, "--nip", BETA, "tokens", "--format", "json"])
        .env(
            "KSEF_TOKEN_5265877635",
            env.secret(ALFA, ALFA_AUDITOR).expose(),
        )
        .env(
            "KSEF_TOKEN_7762811692",
            env.secret(BETA, BETA_AUDITOR).expose(),
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snap: TokenSnapshot = serde_json::from_slice(&out.stdout).expect("JSON snapshot");
    assert_eq!(snap.schema_version, 1);
    assert_eq!(snap.kind, "ksef-audit/tokens");
    assert_eq!(snap.environment.label, "custom");
    assert_eq!(snap.environment.base_url, env.sim().base_url);
    assert_eq!(snap.contexts.len(), 2);
    assert!(
        snap.contexts
            .iter()
            .all(|c| c.status == ContextStatus::Complete)
    );
    assert_eq!(snap.contexts[0].tokens.len(), 6);
    assert!(
        stderr(&out).contains("2 contexts: 2 complete, 0 incomplete"),
        "{}",
        stderr(&out)
    );
    env.assert_no_secret(&out);
}

#[test]
fn csv_and_table_formats() {
    let env = Env::new();
    let run = |format: &str| {
        env.cmd()
            .args(["--nip", ALFA, "tokens", "--format", format])
            .env("KSEF_TOKEN", env.secret(ALFA, ALFA_AUDITOR).expose())
            .output()
            .expect("runs")
    };
    let csv_out = run("csv");
    assert_eq!(csv_out.status.code(), Some(0), "{}", stderr(&csv_out));
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(&reader.headers().expect("header")[5], "reference_number");
    assert_eq!(reader.records().count(), 6);
    let table = run("table");
    assert_eq!(table.status.code(), Some(0));
    let text = stdout(&table);
    assert!(text.contains("5265877635: complete, 6 tokens"), "{text}");
    assert!(text.contains(ALFA_AUDITOR), "{text}");
    assert!(text.contains("Suspended"), "{text}");
    env.assert_no_secret(&csv_out);
    env.assert_no_secret(&table);
}

#[test]
fn incomplete_context_exits_2_but_still_writes_the_list() {
    let env = Env::new();
    let snapshot = env.dir.path().join("out/snap.json");
    let out = env
        .cmd()
        .args([
            "--nip",
            ALFA,
            "--nip",
            "3756977049",
            "tokens",
            "--format",
            "json",
            "-o",
        ])
        .arg(&snapshot)
        .env(
            "KSEF_TOKEN_5265877635",
            env.secret(ALFA, ALFA_INVOICING).expose(),
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("incomplete: 5265877635"), "{err}");
    assert!(err.contains("lacks CredentialsRead"), "{err}");
    assert!(
        err.contains(
            "incomplete: 3756977049: not verifiable: no usable token or certificate for this NIP: context 3756977049: no KSeF token"
        ),
        "{err}"
    );
    env.assert_no_secret(&out);

    // --from re-renders the saved snapshot, with the same exit code.
    let again = env
        .cmd()
        .args(["tokens", "--format", "table", "--from"])
        .arg(&snapshot)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stdout(&again).contains("5265877635: INCOMPLETE, 1 token"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn revoked_or_wrong_tokens_never_appear_in_output() {
    let env = Env::new();
    let revoked = env.secret(ALFA, ALFA_REVOKED);
    // Right reference, wrong secret.
    let (reference, rest) = revoked.expose().split_once('|').expect("token");
    let (ctx, _) = rest.split_once('|').expect("token");
    let forged = format!("{reference}|{ctx}|{}", "ab".repeat(32));
    for secret in [revoked.expose().to_string(), forged.clone()] {
        let out = env
            .cmd()
            .args(["-vv", "--nip", ALFA, "tokens"])
            .env("KSEF_TOKEN", &secret)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("status 450"), "{text}");
        assert!(
            text.contains("POST /auth/ksef-token -> 202"),
            "-vv logs requests: {text}"
        );
        assert!(!text.contains(&secret), "token value in output");
        assert!(!text.contains(&"ab".repeat(32)), "secret part in output");
        env.assert_no_secret(&out);
    }
}

#[test]
fn usage_and_config_errors_exit_2_with_help() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["--nip", "1234567890", "tokens"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--nip '1234567890'"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("help:"), "{}", stderr(&out));

    let mut no_env = Command::cargo_bin("ksef-audit").expect("binary");
    let out = no_env
        .env_clear()
        .current_dir(env.dir.path())
        .args(["--nip", ALFA, "tokens"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no KSeF environment given"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn token_file_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let token_file = env.dir.path().join("alfa.token");
    std::fs::write(
        &token_file,
        format!("{}\n", env.secret(ALFA, ALFA_AUDITOR).expose()),
    )
    .expect("write");
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::write(
        env.dir.path().join("ksef-audit.toml"),
        format!(
            "[ksef]\nenvironment = \"test={}\"\n\n[[contexts]]\nnip = \"{ALFA}\"\nname = \"Alfa\"\ntoken-file = \"alfa.token\"\n",
            env.sim().base_url
        ),
    )
    .expect("config");
    let mut cmd = Command::cargo_bin("ksef-audit").expect("binary");
    let out = cmd
        .env_clear()
        .current_dir(env.dir.path())
        .args(["tokens"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));

    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut cmd = Command::cargo_bin("ksef-audit").expect("binary");
    let out = cmd
        .env_clear()
        .current_dir(env.dir.path())
        .args(["tokens", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snap: TokenSnapshot = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(snap.environment.label, "test");
    assert_eq!(snap.contexts[0].name.as_deref(), Some("Alfa"));
    env.assert_no_secret(&out);
}

#[test]
fn revoke_lists_in_a_dry_run_and_revokes_with_yes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut fixture = basic();
    realistic_secrets(&mut fixture, &[ALFA_INVOICING]);
    let sim = rt
        .block_on(ksef_sim::start(
            fixture.clone(),
            ksef_sim::SimOptions::default(),
        ))
        .expect("simulator");
    let env = Env {
        rt,
        sim: Some(sim),
        fixture,
        dir: tempfile::tempdir().expect("tempdir"),
    };
    // The leaked invoicing token is really in `.env` (revoke re-finds it there, issue 21).
    let leaked = leaked_in_file(env.dir.path(), ".env", &env.secret(ALFA, ALFA_INVOICING));
    let mut results = leak_results(vec![
        leaked,
        finding(ALFA, ALFA_REVOKED),
        finding(BETA, BETA_AUDITOR),
    ]);
    results.findings[0].status = ksef_model::LeakStatus::Active;
    results.findings[1].status = ksef_model::LeakStatus::Revoked;
    results.findings[2].status = ksef_model::LeakStatus::Active;
    let leaks = env.dir.path().join("leaks.json");
    std::fs::write(&leaks, serde_json::to_vec(&results).expect("json")).expect("write");

    let dry = env
        .cmd()
        .args(["revoke", "--from"])
        .arg(&leaks)
        .output()
        .expect("runs");
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(text.contains("would revoke 2 token(s)"), "{text}");
    assert!(text.contains(ALFA_INVOICING), "{text}");
    assert!(!text.contains(ALFA_REVOKED), "{text}");
    assert!(env.sim().requests().is_empty(), "a dry run calls nothing");

    // Alfa's credential holds only CredentialsRead: KSeF refuses, the run says why
    // and exits 2. Beta's finding is Beta's own credential: never revoked (issue 13, point 11;
    // this test revoked it before).
    let yes = env
        .cmd()
        .args(["revoke", "--yes", "--max-actions", "10", "--from"])
        .arg(&leaks)
        .env(
            "KSEF_TOKEN_5265877635",
            env.secret(ALFA, ALFA_AUDITOR).expose(),
        )
        .env(
            "KSEF_TOKEN_7762811692",
            env.secret(BETA, BETA_AUDITOR).expose(),
        )
        .output()
        .expect("runs");
    let text = stdout(&yes);
    assert_eq!(yes.status.code(), Some(2), "{text}{}", stderr(&yes));
    assert!(
        text.contains(&format!(
            "REFUSED  {BETA}  {BETA_AUDITOR}: this is the credential"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("FAILED   {ALFA}  {ALFA_INVOICING}")),
        "{text}"
    );
    assert!(text.contains("needs any of [CredentialsManage]"), "{text}");
    assert!(text.contains("0 revoked, 1 failed"), "{text}");
    let deletes: Vec<_> = env
        .sim()
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.contains("/tokens/"))
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    env.assert_no_secret(&yes);
}

#[test]
fn demo_exits_0_and_writes_its_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("demo-out");
    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(dir.path())
        .args(["demo", "--out"])
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("7 contexts: 6 complete, 1 incomplete"),
        "{text}"
    );
    assert!(text.contains("tokens.json"), "{text}");
    // The summary leads with what must not wait: the leaked token KSeF still accepts first.
    let act = text.find("act now:\n").expect("an act now block");
    assert!(
        act < text.find("7 contexts:").expect("contexts line"),
        "{text}"
    );
    let first = text[act..].lines().nth(1).expect("a first urgent line");
    assert!(
        first.starts_with("  CRITICAL  Leaked token ") && first.contains("still works in KSeF"),
        "{first}"
    );
    let snap: TokenSnapshot =
        serde_json::from_slice(&std::fs::read(out_dir.join("tokens.json")).expect("snapshot"))
            .expect("JSON");
    assert_eq!(snap.contexts.len(), 7);
    assert!(snap.contexts.iter().map(|c| c.tokens.len()).sum::<usize>() > 300);
    assert!(out_dir.join("tokens.txt").exists());
}

/// Issue 21, point 20: `tokens --from SNAPSHOT --nip X` shows only the contexts asked for,
/// and only they decide the exit code.
#[test]
fn issue_21_tokens_from_a_snapshot_honours_nip() {
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inventory/incomplete/snapshot.json");
    let run = |nip: &str| {
        Command::cargo_bin("ksef-audit")
            .expect("binary")
            .env_remove("KSEF_AUDIT_CONFIG")
            .args(["tokens", "--format", "json", "--nip", nip, "--from"])
            .arg(&snapshot)
            .output()
            .expect("runs")
    };
    let out = run("7773103964");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snap: TokenSnapshot = serde_json::from_slice(&out.stdout).expect("JSON snapshot");
    let nips: Vec<&str> = snap.contexts.iter().map(|c| c.nip.as_str()).collect();
    assert_eq!(nips, ["7773103964"]);
    let out = run("5261040828");
    assert_eq!(out.status.code(), Some(2));
    let out = run("1111111111");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such context"), "{}", stderr(&out));
}
