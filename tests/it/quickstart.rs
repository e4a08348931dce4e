//! The README's Quickstart, run verbatim (issue 20 point 7): the block between the
//! `quickstart:start`/`quickstart:end` markers, line by line, against the simulator on
//! loopback serving the demo firm (what `ksef-audit simulate` serves). Only the port the
//! README tells the user to substitute is replaced; the auditing token is typed on stdin,
//! as the README's `read -rs` asks. So the README and this test cannot drift apart.

use std::io::Write;
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use chrono::Utc;

/// The `sh` block of the README between the quickstart markers.
fn quickstart_block() -> Vec<String> {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme
        .find("<!-- quickstart:start -->")
        .expect("start marker");
    let end = readme.find("<!-- quickstart:end -->").expect("end marker");
    let block = &readme[start..end];
    let body = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(body, _)| body)
        .expect("a sh block between the markers");
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn issue_20_the_readme_quickstart_runs_verbatim_against_the_simulator() {
    let lines = quickstart_block();
    assert!(lines.len() >= 5, "{lines:?}");
    assert!(lines[0].contains("127.0.0.1:8089"), "{}", lines[0]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = ksef_audit::demo::demo_firm(Utc::now());
    let sim = rt
        .block_on(ksef_sim::start(
            fixture.clone(),
            ksef_sim::SimOptions::default(),
        ))
        .expect("simulator");
    let port = sim.base_url.trim_start_matches("http://");
    let port = port.split('/').next().expect("host:port");
    let nip = lines[0]
        .split("--nip ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the first line names a NIP");
    let token = ksef_audit::demo::demo_auditor_tokens(&fixture)
        .into_iter()
        .find(|(n, _)| n == nip)
        .map(|(_, secret)| secret)
        .expect("the simulator has an auditing token for the README's NIP");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    // One shell, so `export` carries over; each line's exit code is checked: 0, or 1
    // where findings are the point (audit, leaks); never 2.
    let mut script = String::from("set -u\n");
    for (i, line) in lines.iter().enumerate() {
        let findings_allowed = line.contains(" audit ") || line.contains(" leaks ");
        let worst = if findings_allowed { 1 } else { 0 };
        let line = line.replace("127.0.0.1:8089", port);
        script.push_str(&format!(
            "{line}\nrc=$?; if [ $rc -gt {worst} ]; then echo \"quickstart line {}: exit $rc\" >&2; exit 9; fi\n",
            i + 1
        ));
    }
    let bin_dir = cargo_bin("ksef-audit")
        .parent()
        .expect("target dir")
        .to_path_buf();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{}\n", token.expose()).as_bytes())
        .expect("token typed");
    let out = child.wait_with_output().expect("finishes");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    rt.block_on(sim.shutdown());
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("✔ signed in to KSeF"), "{stdout}");
    assert!(dir.path().join("inventory.csv").is_file());
    assert!(!stdout.contains(token.expose()) && !stderr.contains(token.expose()));
}

/// A directory holding a config whose context reads its token from `secrets/a.token`
/// (mode 600, a token of the leak rules' shape), as the README asks.
fn configured_token_file() -> (tempfile::TempDir, String) {
    let fixture = ksef_audit::demo::demo_firm(Utc::now());
    let (nip, secret) = ksef_audit::demo::demo_auditor_tokens(&fixture)
        .into_iter()
        .next()
        .expect("a token");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("secrets")).expect("dir");
    let file = dir.path().join("secrets/a.token");
    std::fs::write(&file, format!("{}\n", secret.expose())).expect("token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    std::fs::write(
        dir.path().join("ksef-audit.toml"),
        format!("[[contexts]]\nnip = \"{nip}\"\ntoken-file = \"secrets/a.token\"\n"),
    )
    .expect("config");
    (dir, secret.expose().to_string())
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn issue_20_leaks_notes_the_configured_token_files_instead_of_reporting_them() {
    let (dir, secret) = configured_token_file();
    git(dir.path(), &["init", "-q"]);
    let out = crate::support::cli::ksef_audit(dir.path())
        .args(["leaks", ".", "--format", "json"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0), "{doc:#}");
    assert_eq!(
        doc["suppressed"][0]["suppression"]["kind"], "configured-token-file",
        "{doc:#}"
    );
    let warning = doc["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.contains("your configured token files: secrets/a.token"),
        "{warning}"
    );
    assert!(warning.contains(".gitignore"), "{warning}");
    let (_, shown) = leaks(dir.path(), &["leaks", ".", "--lang", "pl"]);
    assert!(
        shown.contains("pliki tokenów z Twojej konfiguracji"),
        "{shown}"
    );
    assert!(!shown.contains(&secret));

    // Tracked by git, or held in its history: a finding, with the note.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "tokens"]);
    for args in [&["leaks", "."][..], &["leaks", "--git", "."][..]] {
        let (code, shown) = leaks(dir.path(), args);
        assert_eq!(code, Some(1), "{args:?}: {shown}");
        assert!(
            shown.contains("tracked by git or held in its history"),
            "{args:?}: {shown}"
        );
        assert!(!shown.contains(&secret));
    }
}

/// Exit code and stdout + stderr of `ksef-audit ARGS` in `dir`.
fn leaks(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = crate::support::cli::ksef_audit(dir)
        .args(args)
        .output()
        .expect("runs");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), shown)
}
