//! Several outputs from one run (issue 14): `audit` writes every format from ONE KSeF fetch
//! (the simulator counts the requests), `leaks` every format from one scan.

use crate::support;

use assert_cmd::Command;
use support::fixture::*;

#[test]
fn audit_writes_every_format_from_one_ksef_fetch() {
    let (rt, fixture, sim) = basic_simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::cargo_bin("ksef-audit")
            .expect("binary")
            .env_clear()
            .current_dir(dir.path())
            .args(["audit", "--env", &sim.base_url, "--nip", ALFA])
            .args(args)
            .env("KSEF_TOKEN", token(&fixture, ALFA, ALFA_AUDITOR).expose())
            .output()
            .expect("runs")
    };
    let challenges = || {
        sim.requests()
            .iter()
            .filter(|r| r.path.ends_with("/auth/challenge"))
            .count()
    };
    let listings = || {
        sim.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/tokens"))
            .count()
    };

    // One format: the cost of one fetch.
    let one = run(&["--format", "json", "-o", "one.json"]);
    assert_ne!(
        one.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let (one_auth, one_list) = (challenges(), listings());
    assert_eq!(one_auth, 1);
    sim.clear_requests();

    // Four formats into a directory: the same single fetch.
    let many = run(&["--format", "json,html,csv,text", "--output-dir", "out"]);
    let err = String::from_utf8_lossy(&many.stderr).into_owned();
    assert_eq!(many.status.code(), one.status.code(), "{err}");
    assert_eq!((challenges(), listings()), (one_auth, one_list), "{err}");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
    let json: serde_json::Value = serde_json::from_str(&read("out/audit.json")).expect("JSON");
    assert_eq!(json["kind"], "ksef-audit/audit");
    let single: serde_json::Value = serde_json::from_str(&read("one.json")).expect("JSON");
    assert_eq!(
        json["findings"], single["findings"],
        "the same findings as a single run"
    );
    assert!(read("out/audit.html").contains("<html"), "HTML review");
    assert!(read("out/audit.csv").starts_with("id,rule,rule_id,severity"));
    assert!(read("out/audit.txt").starts_with("ksef-audit audit: environment"));
    for name in ["audit.json", "audit.html", "audit.csv", "audit.txt"] {
        assert!(err.contains(&format!("written to out/{name}")), "{err}");
    }
    sim.clear_requests();

    // Repeated -o: each file's extension names its format; still one fetch.
    let files = run(&["-o", "a.json", "-o", "a.txt"]);
    assert_eq!(files.status.code(), one.status.code());
    assert_eq!(challenges(), 1);
    assert!(read("a.json").contains("\"kind\": \"ksef-audit/audit\""));
    assert!(read("a.txt").starts_with("ksef-audit audit: environment"));
    rt.block_on(sim.shutdown());
}

#[test]
fn leaks_writes_every_format_from_one_scan_and_refuses_ambiguous_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The synthetic 40-character token of the rule examples (LEAK002), built at run time.
    let value = ["FAKEksefT0ken", "ForTestsOnly9Q8W7E6R5T4Y3U2"].concat();
    std::fs::write(dir.path().join("app.env"), format!("KSEF_TOKEN={value}\n")).expect("write");
    let leaks = |args: &[&str]| {
        Command::cargo_bin("ksef-audit")
            .expect("binary")
            .env_clear()
            .current_dir(dir.path())
            .args(["leaks", "app.env"])
            .args(args)
            .output()
            .expect("runs")
    };
    let out = leaks(&[
        "-o",
        "r/l.json",
        "-o",
        "r/l.sarif",
        "-o",
        "r/l.csv",
        "-o",
        "r/l.txt",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
    assert!(read("r/l.json").contains("\"kind\": \"ksef-audit/leaks\""));
    assert!(read("r/l.sarif").contains("\"version\": \"2.1.0\""));
    assert!(read("r/l.csv").lines().count() >= 2);
    assert!(read("r/l.txt").contains("LEAK002"));

    // Several formats with nowhere to put them, and an extension that names no format.
    let out = leaks(&["--format", "json,sarif"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--output-dir"), "{err}");
    let out = leaks(&["-o", "x.json", "-o", "x.dat"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.dat"));
    let out = leaks(&["-o", "x.json", "--output-dir", "d"]);
    assert_eq!(out.status.code(), Some(2), "-o and --output-dir conflict");
}
