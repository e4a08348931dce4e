//! Points 3, 9, 20, 21, 22: hostile or odd inputs on the command line and in files.

use assert_cmd::Command;
use ksef_model::LeakResults;

/// Synthetic (never issued) KSeF 2.0 token; the reference's CRC and the NIP check digit are valid.
pub const TOKEN: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";
pub const SECRET: &str = "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

pub fn cmd() -> Command {
    let mut c = Command::cargo_bin("ksef-audit").expect("binary");
    c.env_clear();
    c
}

/// Runs `c`, checks its exit code, returns stdout and stderr together.
pub fn run(c: &mut Command, code: i32) -> String {
    let out = c.assert().code(code).get_output().clone();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn json_of(out: &[u8]) -> LeakResults {
    serde_json::from_slice(out).expect("leaks json")
}

#[test]
fn issue_13_non_regular_path_is_read_as_a_stream() {
    // `cat f | leaks /dev/stdin`: a pipe named as a path is scanned, not dropped.
    let out = cmd()
        .args(["leaks", "--format", "json", "/dev/stdin"])
        .write_stdin(format!("KSEF_TOKEN={TOKEN}\n"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r = json_of(&out);
    assert_eq!(r.findings.len(), 1, "{r:?}");
    assert_eq!(r.stats.files, 1);
}

#[cfg(unix)]
#[test]
fn issue_13_non_regular_path_over_the_limit_is_an_error() {
    // A device that never ends (/dev/zero) is cut at --max-file-size and reported: exit 2.
    let all = run(
        cmd().args(["leaks", "--max-file-size", "1000", "/dev/zero"]),
        2,
    );
    assert!(all.contains("larger than 1000 bytes"), "{all}");
}

#[test]
fn issue_13_stdin_honours_max_file_size() {
    let all = run(
        cmd()
            .args(["leaks", "--max-file-size", "100", "-"])
            .write_stdin(format!("{}KSEF_TOKEN={TOKEN}\n", "x".repeat(200))),
        2,
    );
    assert!(all.contains("larger than 100 bytes"), "{all}");
}

#[test]
fn issue_13_huge_input_files_are_refused_with_a_clear_error() {
    let dir = tree(&[("a.txt", "nothing\n")]);
    let huge = dir.path().join("huge");
    // Sparse: 5 GB that take no disk space.
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(5 * 1024 * 1024 * 1024))
        .expect("sparse file");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--config", "huge", "leaks", "a.txt"],
        vec!["leaks", "--exceptions", "huge", "a.txt"],
        vec!["leaks", "--inventory", "huge", "a.txt"],
        vec!["leaks", "--baseline", "huge", "a.txt"],
        vec!["report", "--leaks", "huge"],
        vec!["revoke", "--from", "huge"],
    ];
    for args in cases {
        let started = std::time::Instant::now();
        let all = run(cmd().current_dir(dir.path()).args(&args), 2);
        assert!(all.contains("larger than"), "{args:?}: {all}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn issue_13_echoed_values_are_redacted() {
    let exceptions = format!(
        "[[exception]]\nrule = \"*\"\ntarget = \"x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"{TOKEN}\"\n"
    );
    let dir = tree(&[("a.txt", "nothing\n"), ("exc.toml", exceptions.as_str())]);
    let all = run(
        cmd()
            .current_dir(dir.path())
            .args(["leaks", "--exceptions", "exc.toml", "a.txt"]),
        2,
    );
    assert!(all.contains("'expires' is"), "{all}");
    assert!(!all.contains(SECRET), "token echoed: {all}");
}

#[test]
fn issue_13_echoed_values_are_cut_and_problems_capped() {
    let mut inventory = String::from("nip,reference_number,owner,expires\n");
    inventory.push_str(&format!("1111111111,x,a,{}\n", "Z".repeat(10_000)));
    for _ in 0..300 {
        inventory.push_str("1111111111,x,a,not-a-date\n");
    }
    let dir = tree(&[("a.txt", "nothing\n"), ("inv.csv", inventory.as_str())]);
    let all = run(
        cmd()
            .current_dir(dir.path())
            .args(["leaks", "--inventory", "inv.csv", "a.txt"]),
        2,
    );
    assert!(all.len() < 40_000, "{} bytes of errors", all.len());
    assert!(!all.contains(&"Z".repeat(1000)), "whole cell echoed");
    assert!(all.contains("more ("), "{all}");
}

#[test]
fn issue_13_scan_that_read_nothing_is_not_clean() {
    let dir = tree(&[
        ("ksef-audit.toml", "[leaks]\nexclude = [\"**\"]\n"),
        (".env", &format!("KSEF_TOKEN={TOKEN}\n")),
    ]);
    let all = run(cmd().current_dir(dir.path()).args(["leaks", "."]), 2);
    assert!(all.contains("read nothing"), "{all}");
    // --strict ignores the repository's own excludes: the token is found.
    cmd()
        .current_dir(dir.path())
        .args(["leaks", "--strict", "."])
        .assert()
        .code(1);
}

#[test]
fn issue_13_truncated_last_inventory_row_is_reported() {
    let inventory = "nip,reference_number,owner,expires\n1111111111,20250101-EC-FA4EFA4E00-0000000001-49,anna,2026-12-31\n1111111111,\"20250101-EC-FA4E";
    let dir = tree(&[("a.txt", "nothing\n"), ("inv.csv", inventory)]);
    let all = run(
        cmd()
            .current_dir(dir.path())
            .args(["leaks", "--inventory", "inv.csv", "a.txt"]),
        2,
    );
    assert!(all.contains("row 3") && all.contains("truncated"), "{all}");
}

#[test]
fn issue_13_config_error_does_not_echo_a_token() {
    let config = format!("[ksef]\nenvironment = \"{TOKEN}\"\n");
    let dir = tree(&[("ksef-audit.toml", config.as_str())]);
    let all = run(cmd().current_dir(dir.path()).args(["tokens"]), 2);
    assert!(all.contains("environment"), "{all}");
    assert!(!all.contains(SECRET), "token echoed: {all}");
}

#[cfg(unix)]
#[test]
fn issue_13_error_lines_escape_controls_and_bidi() {
    // An error printed by main echoes a file name: ESC, BEL, CR, LF and U+202E must not reach
    // the terminal raw (colour injection, fake lines, reordered text), nor a token in the name.
    let dir = tree(&[("a.txt", "nothing\n")]);
    let hostile = format!("inv\u{1b}[31mRED\u{7}\r\nerror: fake\u{202e}vsc.{TOKEN}_old.csv");
    let out = cmd()
        .current_dir(dir.path())
        .args(["leaks", "--inventory"])
        .arg(&hostile)
        .arg("a.txt")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(!stderr.contains(bad), "{bad:?} raw in: {stderr:?}");
    }
    assert!(stderr.contains("\\u{1b}[31mRED"), "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("error: fake")),
        "a faked line: {stderr}"
    );
    assert!(!stderr.contains(SECRET), "token echoed: {stderr}");
}

#[test]
fn issue_13_warning_lines_escape_cell_values() {
    // A warning printed by the app on stderr (an exception matching nothing) echoes values.
    let exceptions = "[[exception]]\nrule = \"*\"\ntarget = \"x\\u001b]0;pwned\\u0007\\u202egpj.exe\"\nreason = \"r\\u001b[2J\"\nowner = \"o\"\nexpires = \"2099-01-01\"\n";
    let dir = tree(&[("a.txt", "nothing\n"), ("exc.toml", exceptions)]);
    let out = cmd()
        .current_dir(dir.path())
        .args([
            "leaks",
            "--format",
            "json",
            "--exceptions",
            "exc.toml",
            "a.txt",
        ])
        .assert()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("pwned"),
        "{stderr}"
    );
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!stderr.contains(bad), "{bad:?} raw in: {stderr:?}");
    }
}

#[test]
fn issue_13_a_cell_value_cannot_fake_an_error_line() {
    // A quoted inventory cell with a newline and ESC: one problem line, escaped.
    let inventory =
        "nip,reference_number,owner,expires\n1111111111,x,a,\"2026\nerror: all clean\u{1b}[0m\"\n";
    let dir = tree(&[("a.txt", "nothing\n"), ("inv.csv", inventory)]);
    let out = cmd()
        .current_dir(dir.path())
        .args(["leaks", "--inventory", "inv.csv", "a.txt"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.lines().any(|l| l.starts_with("error: all clean")),
        "a faked line: {stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.contains("all clean"), "{stderr}");
}
