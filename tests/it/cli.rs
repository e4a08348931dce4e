//! CLI cases in `tests/cli/*.toml` (trycmd): every exit code and format of
//! `audit` and `rules`. Refresh expected output with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "ksef-audit",
            std::path::Path::new(env!("CARGO_BIN_EXE_ksef-audit")),
        )
        .case("tests/cli/*.toml");
}

/// The staff list, inventory and exceptions are read and checked before the first KSeF
/// call: a typo in the staff list is reported at once, and KSeF (here a loopback
/// listener standing in for it) is never contacted.
#[test]
fn bad_staff_list_fails_before_any_ksef_call() {
    use std::io::ErrorKind;
    use std::net::TcpListener;

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let staff = dir.path().join("staff.csv");
    std::fs::write(&staff, "this is not a staff list\n").expect("write staff");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ksef-audit"))
        .current_dir(dir.path())
        .env_remove("KSEF_TOKEN")
        .env(
            "KSEF_TOKEN_5265877635",
            "20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|ab12",
        )
        .args(["audit", "--nip", "5265877635", "--env"])
        .arg(format!("http://127.0.0.1:{port}/v2"))
        .arg("--staff")
        .arg(&staff)
        .output()
        .expect("run ksef-audit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("staff.csv"),
        "the error names the staff file: {stderr}"
    );
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, peer)) => {
            panic!("KSeF was called (connection from {peer}) before the staff list was checked")
        }
        Err(e) => panic!("accept: {e}"),
    }
}
