//! Issue 21, points 10, 14 and 20: every file the tool reads is a regular file under a limit,
//! the process never writes a core dump, links in a tree are counted as skipped.

use std::path::Path;
use std::time::Duration;

use super::inputs::cmd;

const LIMIT: Duration = Duration::from_secs(30);

/// A FIFO with no writer: opening it for reading blocks forever.
#[cfg(unix)]
fn fifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo failed");
}

/// A config whose one context signs in with `certificate` and a mode-600 `key`.
#[cfg(unix)]
fn certificate_config(dir: &Path, certificate: &Path, key_bytes: &[u8]) -> std::path::PathBuf {
    write_key(&dir.join("key.pem"), key_bytes);
    let config = dir.join("ksef-audit.toml");
    std::fs::write(
        &config,
        format!(
            "[[contexts]]\nnip = \"1111111111\"\ncertificate = \"{}\"\nprivate-key = \"key.pem\"\n",
            certificate.display()
        ),
    )
    .expect("config");
    config
}

#[cfg(unix)]
fn write_key(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).expect("key");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

/// Runs `tokens` with `config` against a port nothing listens on; returns stdout + stderr.
#[cfg(unix)]
fn tokens_with(config: &Path) -> String {
    let out = cmd()
        .arg("--config")
        .arg(config)
        .args(["--env", "http://127.0.0.1:1", "tokens"])
        .timeout(LIMIT)
        .assert()
        .code(2)
        .get_output()
        .clone();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
#[test]
fn issue_21_certificate_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = dir.path().join("cert.pem");
    fifo(&cert);
    let config = certificate_config(dir.path(), &cert, b"not a key");
    let all = tokens_with(&config);
    assert!(all.contains("cert.pem"), "{all}");
    assert!(all.contains("not a regular file (a FIFO)"), "{all}");
}

#[cfg(unix)]
#[test]
fn issue_21_certificate_dev_zero_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = certificate_config(dir.path(), Path::new("/dev/zero"), b"not a key");
    let all = tokens_with(&config);
    assert!(all.contains("/dev/zero"), "{all}");
    assert!(all.contains("not a regular file (a device)"), "{all}");
}

#[cfg(unix)]
#[test]
fn issue_21_key_file_has_a_size_limit() {
    // A PKCS#12 bundle (key and certificate) of 2 MiB: refused by size, not parsed.
    let dir = tempfile::tempdir().expect("tempdir");
    write_key(&dir.path().join("key.p12"), &vec![b'A'; 2 * 1024 * 1024]);
    let config = dir.path().join("ksef-audit.toml");
    std::fs::write(
        &config,
        "[[contexts]]\nnip = \"1111111111\"\npkcs12 = \"key.p12\"\n",
    )
    .expect("config");
    let all = tokens_with(&config);
    assert!(all.contains("key.p12"), "{all}");
    assert!(all.contains("larger than 1 MiB"), "{all}");
    // The certificate file has the same limit.
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, vec![b'A'; 2 * 1024 * 1024]).expect("cert");
    let config = certificate_config(dir.path(), &cert, b"not a key");
    let all = tokens_with(&config);
    assert!(
        all.contains("cert.pem") && all.contains("larger than 1 MiB"),
        "{all}"
    );
}

#[cfg(unix)]
#[test]
fn issue_21_roots_from_dev_zero_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cmd()
        .current_dir(dir.path())
        .args(["leaks", "--roots-from", "/dev/zero", "."])
        .timeout(LIMIT)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--roots-from '/dev/zero'"), "{err}");
    assert!(err.contains("not a regular file (a device)"), "{err}");
}

/// The first document `merge` reads is bounded like every other (it read `/dev/zero` to
/// exhaustion).
#[cfg(unix)]
#[test]
fn issue_21_merge_first_argument_is_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cmd()
        .current_dir(dir.path())
        .args(["merge", "/dev/zero", "/dev/zero"])
        .timeout(LIMIT)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read '/dev/zero'"), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}

/// Runs `f` on a thread; fails (instead of hanging) when it has not returned in time.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(LIMIT)
        .expect("the read did not return in time")
}

#[cfg(unix)]
#[test]
fn issue_21_access_register_fifo_and_size_are_refused() {
    use ksef_audit::inputs::access_register::load_access_register;
    let dir = tempfile::tempdir().expect("tempdir");
    let pipe = dir.path().join("register.csv");
    fifo(&pipe);
    let err = within(move || {
        load_access_register(&pipe).map(|_| ()).map_err(|e| {
            format!(
                "{e:#}: {:?}",
                std::error::Error::source(&e).map(ToString::to_string)
            )
        })
    });
    let err = err.expect_err("a FIFO is refused");
    assert!(
        err.contains("register.csv") && err.contains("not a regular file"),
        "{err}"
    );

    // A (sparse) file over the table limit is refused without being read whole.
    let big = dir.path().join("big.csv");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(64 * 1024 * 1024 + 1).expect("set_len");
    let err = load_access_register(&big).expect_err("too large");
    let cause = std::error::Error::source(&err)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(cause.contains("larger than 64 MiB"), "{err}: {cause}");
}

#[test]
fn issue_21_bounded_read_names_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("f");
    std::fs::write(&p, vec![0u8; 2048]).expect("write");
    let err = ksef_model::input::read_limited(&p, 1024).expect_err("over the limit");
    assert!(err.to_string().contains("larger than 1 KiB"), "{err}");
    let err = ksef_model::input::read_limited(dir.path(), 1024).expect_err("a directory");
    assert!(
        err.to_string().contains("not a regular file (a directory)"),
        "{err}"
    );
    assert_eq!(
        ksef_model::input::read_limited(&p, 4096)
            .expect("fits")
            .len(),
        2048
    );
}

/// The binary lowers RLIMIT_CORE to 0 and marks itself not dumpable at start: read while it
/// waits on standard input (`leaks /dev/stdin`).
#[cfg(target_os = "linux")]
#[test]
fn issue_21_core_dumps_are_disabled() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ksef-audit"))
        .env_clear()
        .args(["leaks", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let started = std::time::Instant::now();
    // Wait until the process has run its start-up (the limit changed), at most LIMIT.
    let limits = loop {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap_or_default()
            .to_string();
        let soft_and_hard: Vec<&str> = line.split_whitespace().skip(4).take(2).collect();
        if soft_and_hard == ["0", "0"] || started.elapsed() > LIMIT {
            break line;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Not dumpable: /proc/PID/status then belongs to root (only visible when not root).
    let owner = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/proc/{pid}/status")).map(|m| m.uid())
    };
    let me = std::fs::metadata("/proc/self/status").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    });
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"nothing\n");
    }
    let _ = child.wait();
    let fields: Vec<&str> = limits.split_whitespace().collect();
    assert_eq!(fields.get(4..6), Some(&["0", "0"][..]), "{limits}");
    if let (Ok(owner), Ok(me)) = (owner, me)
        && me != 0
    {
        assert_eq!(owner, 0, "the process is still dumpable");
    }
}

/// Issue 21 point 20: a symbolic link in a scanned tree is not followed, and it is counted in
/// `skipped` and listed (it was silently dropped).
#[cfg(unix)]
#[test]
fn issue_21_symlinks_in_a_tree_are_counted_and_listed() {
    let dir = super::inputs::tree(&[("app/a.env", "nothing here\n")]);
    std::os::unix::fs::symlink("a.env", dir.path().join("app/link.env")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("app/self")).expect("symlink");
    let out = cmd()
        .current_dir(dir.path())
        .args(["leaks", "--format", "json", "."])
        .timeout(LIMIT)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let r: ksef_model::LeakResults = serde_json::from_slice(&out).expect("json");
    assert_eq!(r.stats.files, 1, "{r:?}");
    assert_eq!(r.stats.skipped, 2, "{r:?}");
    let warnings = r.warnings.join("\n");
    assert!(
        warnings.contains("app/link.env") && warnings.contains("app/self"),
        "{warnings}"
    );
}
