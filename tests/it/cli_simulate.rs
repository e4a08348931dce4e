//! `ksef-audit simulate` as a user runs it.

use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use chrono::Utc;
use ksef_audit::demo::demo_auditor_tokens;
use ksef_audit::demo::demo_firm;

#[test]
fn non_loopback_address_is_refused_with_exit_2() {
    let output = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["simulate", "--addr", "0.0.0.0:8089"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn invalid_fixture_lists_its_problems_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        r#"{"contexts":[{"nip":"1234567890","tokens":[]},{"nip":"5265877635","tokens":[{"referenceNumber":"short","authorIdentifier":{"type":"Nip","value":"5265877635"},"contextIdentifier":{"type":"Nip","value":"7762811692"},"description":"Opis tokena","requestedPermissions":[],"dateCreated":"2026-01-01T00:00:00Z","status":"Active"}]}]}"#,
    )
    .expect("write");
    let output = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["simulate", "--addr", "127.0.0.1:0", "--fixture"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("contexts[0] (NIP 1234567890)"), "{stderr}");
    assert!(stderr.contains("must be 36 characters"), "{stderr}");
    assert!(stderr.contains("does not match the context"), "{stderr}");
}

#[test]
fn serves_and_writes_private_token_files_without_printing_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens_dir = dir.path().join("tokens");
    let child = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["simulate", "--addr", "127.0.0.1:0", "--write-tokens"])
        .arg(&tokens_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let printed = crate::support::cli::simulator_startup(child);

    assert!(
        printed.contains("KSeF simulator listening on http://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("ksef-audit tokens --env http://127.0.0.1:"),
        "{printed}"
    );
    // The demo firm's secrets do not depend on the date.
    let fixture = demo_firm(Utc::now());
    for (nip, secret) in demo_auditor_tokens(&fixture) {
        assert!(!printed.contains(secret.expose()), "token of {nip} printed");
        let secret_part = secret
            .expose()
            .rsplit('|')
            .next()
            .expect("secret")
            .to_string();
        assert!(!printed.contains(&secret_part));
        let file = tokens_dir.join(format!("{nip}.token"));
        assert_eq!(
            std::fs::read_to_string(&file).expect("token file"),
            secret.expose()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "{nip}.token readable by others");
        }
    }
}
