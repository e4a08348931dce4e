//! Scale-out: `leaks --shard K/3` three times + `merge` gives exactly the document of one
//! run (working tree and git history), and several repositories in one run name theirs.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("ksef-audit").expect("binary");
    cmd.env_remove("KSEF_AUDIT_CONFIG").arg("--quiet");
    cmd
}

/// Runs `ksef-audit ARGS`, returns the exit code.
fn run(dir: &Path, args: &[&str]) -> i32 {
    let out = bin().current_dir(dir).args(args).output().expect("runs");
    out.status.code().expect("exit code")
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

/// The parts of a leak document that must not depend on how the scan was split.
fn essence(doc: &Value) -> Value {
    let mut stats = doc["stats"].clone();
    stats.as_object_mut().expect("stats").remove("bytes");
    serde_json::json!({
        "findings": doc["findings"],
        "suppressed": doc["suppressed"],
        "errors": doc["errors"],
        "stats": stats,
        "target": doc["target"],
        "warnings": doc["warnings"],
    })
}

fn fake_token(n: u32) -> String {
    let head = format!(
        "20260115-EC-{:010X}-{:010X}",
        0xA0_0000_0000u64 + u64::from(n),
        0xFA4E_u64 * u64::from(n + 1)
    );
    let reference = format!("{head}-{:02X}", ksef_model::crc8(head.as_bytes()));
    let secret = ksef_model::fingerprint_hex(format!("fake-secret-{n}").as_bytes());
    format!("{reference}|nip-5265877635|{secret}")
}

fn write_tree(root: &Path) {
    for n in 0..24u32 {
        let dir = root.join(format!("d{}", n % 5));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let body = if n % 2 == 0 {
            format!("# config {n}\nKSEF_TOKEN={}\n", fake_token(n))
        } else {
            format!("plain file {n}\n")
        };
        std::fs::write(dir.join(format!("f{n}.env")), body).expect("write");
    }
    // The same token in two files: two findings, one fingerprint.
    std::fs::write(root.join("copy.env"), format!("T={}\n", fake_token(0))).expect("write");
}

/// Shards 1..=3 of `args`, merged, against one run of `args`.
fn assert_shards_merge_to_one_run(dir: &Path, args: &[&str]) {
    let mut whole: Vec<&str> = args.to_vec();
    whole.extend(["--format", "json", "-o", "whole.json"]);
    let code = run(dir, &whole);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let out = format!("shard{k}.json");
        let shard = format!("{k}/3");
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", "json", "-o", &out, "--shard", &shard]);
        run(dir, &a);
        let doc = json(&dir.join(&out));
        assert_eq!(
            doc["target"]["shard"],
            serde_json::json!({"index": k, "count": 3})
        );
        parts.push(out);
    }
    let mut m = vec!["merge", "-o", "merged.json"];
    m.extend(parts.iter().map(String::as_str));
    let merged_code = run(dir, &m);
    let whole = json(&dir.join("whole.json"));
    let merged = json(&dir.join("merged.json"));
    assert!(
        whole["findings"].as_array().expect("findings").len() >= 10,
        "{whole}"
    );
    assert_eq!(essence(&merged), essence(&whole));
    assert_eq!(merged_code, code);
    // Every shard did part of the work, none did all.
    for p in &parts {
        let n = json(&dir.join(p))["findings"].as_array().expect("f").len();
        assert!(n > 0 && n < whole["findings"].as_array().expect("f").len());
    }
}

#[test]
fn three_tree_shards_merge_to_the_findings_of_one_run() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(&dir.path().join("tree"));
    assert_shards_merge_to_one_run(dir.path(), &["leaks", "tree"]);
}

fn git(dir: &Path, args: &[&str]) {
    let who =
        crate::support::git::Who::at("Alice Nowak", "alice@example.com", "2026-01-15T10:00:00Z");
    crate::support::git::git(dir, &who, args);
}

fn make_repo(root: &Path, offset: u32) {
    std::fs::create_dir_all(root).expect("mkdir");
    git(root, &["init", "-q"]);
    for n in 0..12u32 {
        let t = n + offset;
        std::fs::write(
            root.join(format!("f{}.env", n % 4)),
            format!("KSEF_TOKEN={}\n", fake_token(t)),
        )
        .expect("write");
        git(root, &["add", "-A"]);
        let msg = if n % 3 == 0 {
            format!("rotate token {}", fake_token(100 + t))
        } else {
            format!("commit {n}")
        };
        git(root, &["commit", "-q", "-m", &msg]);
    }
}

#[test]
fn three_history_shards_merge_to_the_findings_of_one_run() {
    let dir = tempfile::tempdir().expect("tmp");
    make_repo(&dir.path().join("repo"), 0);
    assert_shards_merge_to_one_run(dir.path(), &["leaks", "--git", "repo"]);
}

#[test]
fn several_repositories_in_one_run_equal_their_runs_merged() {
    let dir = tempfile::tempdir().expect("tmp");
    make_repo(&dir.path().join("a"), 0);
    make_repo(&dir.path().join("b"), 40);
    std::fs::write(dir.path().join("roots.txt"), "# repositories\na\n\nb\n").expect("write");
    let code = run(
        dir.path(),
        &[
            "leaks",
            "--git",
            "--roots-from",
            "roots.txt",
            "--format",
            "json",
            "-o",
            "both.json",
        ],
    );
    assert_eq!(code, 1);
    let both = json(&dir.path().join("both.json"));
    let findings = both["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["repository"] == "a"));
    assert!(findings.iter().any(|f| f["repository"] == "b"));
    assert!(findings.iter().all(|f| f["repository"].is_string()));
    for r in ["a", "b"] {
        let out = format!("{r}.json");
        run(
            dir.path(),
            &["leaks", "--git", r, "--format", "json", "-o", &out],
        );
    }
    let code = run(
        dir.path(),
        &["merge", "-o", "merged.json", "a.json", "b.json"],
    );
    assert_eq!(code, 1);
    let merged = json(&dir.path().join("merged.json"));
    assert_eq!(essence(&merged), essence(&both));
}

#[test]
fn an_error_in_one_shard_makes_the_merged_result_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(&dir.path().join("tree"));
    run(
        dir.path(),
        &[
            "leaks", "tree", "--format", "json", "-o", "ok.json", "--shard", "1/2",
        ],
    );
    let mut broken = json(&dir.path().join("ok.json"));
    broken["target"]["shard"] = serde_json::json!({"index": 2, "count": 2});
    broken["findings"] = serde_json::json!([]);
    broken["errors"] = serde_json::json!([{"path": "tree/x.zip", "message": "corrupt archive"}]);
    std::fs::write(dir.path().join("bad.json"), broken.to_string()).expect("write");
    let code = run(
        dir.path(),
        &["merge", "-o", "m.json", "ok.json", "bad.json"],
    );
    assert_eq!(code, 2);
    let merged = json(&dir.path().join("m.json"));
    assert_eq!(merged["errors"][0]["path"], "tree/x.zip");
    assert_eq!(merged["stats"]["errors"], 1);
    // A missing shard is said, not hidden.
    run(dir.path(), &["merge", "-o", "part.json", "ok.json"]);
    let part = json(&dir.path().join("part.json"));
    assert!(
        part["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("2/2 missing"))),
        "{part}"
    );
}

/// `merge` writes CSV for Polish Excel like `leaks` does: `--csv-excel` (BOM, semicolons),
/// `--lang pl` headers, `-o x.csv` infers CSV, and `--csv-excel` with another format is an error.
#[test]
fn merge_writes_csv_for_polish_excel() {
    let dir = tempfile::tempdir().expect("tmp");
    write_tree(&dir.path().join("tree"));
    for k in 1..=2 {
        let out = format!("shard{k}.json");
        let shard = format!("{k}/2");
        run(
            dir.path(),
            &[
                "leaks", "tree", "--format", "json", "-o", &out, "--shard", &shard,
            ],
        );
    }
    let parts = ["shard1.json", "shard2.json"];
    let mut args = vec!["merge", "--csv-excel", "--lang", "pl", "-o", "merged.csv"];
    args.extend(parts);
    assert_eq!(run(dir.path(), &args), 1, "findings exit 1");
    let csv = std::fs::read_to_string(dir.path().join("merged.csv")).expect("csv");
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .expect("header");
    assert!(
        header.starts_with("Id reguły;Reguła;Istotność;"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 1 + 13, "one row per finding:\n{csv}");

    let mut args = vec!["merge", "-o", "plain.csv"];
    args.extend(parts);
    run(dir.path(), &args);
    let plain = std::fs::read_to_string(dir.path().join("plain.csv")).expect("csv");
    assert!(
        plain.starts_with("rule_id,"),
        "CSV from the extension: {plain}"
    );

    let mut args = vec!["merge", "--csv-excel", "--format", "sarif"];
    args.extend(parts);
    let out = bin()
        .current_dir(dir.path())
        .args(&args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--csv-excel writes CSV, but --format sarif"),
        "{err}"
    );
}

/// Runs `ksef-audit ARGS`: exit code and stderr.
fn run_err(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = bin().current_dir(dir).args(args).output().expect("runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes shards `K/N` of `leaks ARGS` as `sK-N.json` in `dir`.
fn shards(dir: &Path, args: &[&str], count: u32, indexes: &[u32]) {
    for k in indexes {
        let out = format!("s{k}-{count}.json");
        let shard = format!("{k}/{count}");
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", "json", "-o", &out, "--shard", &shard]);
        run(dir, &a);
    }
}

fn error_messages(doc: &Value) -> String {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issue 21, point 1: a merge that lacks a shard, repeats one or mixes shard counts is
/// incomplete (exit 2, the gap named in JSON, text and SARIF), and a repeat is counted once.
#[test]
fn issue_21_missing_repeated_or_mixed_shards_exit_2_and_say_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    write_tree(&d.join("tree"));
    shards(d, &["leaks", "tree"], 3, &[1, 2, 3]);
    shards(d, &["leaks", "tree"], 2, &[1]);
    assert_eq!(
        run(
            d,
            &[
                "merge",
                "-o",
                "all.json",
                "s1-3.json",
                "s2-3.json",
                "s3-3.json"
            ]
        ),
        1,
        "the whole set merges as before"
    );
    let all = json(&d.join("all.json"));

    // A missing shard: exit 2, named in JSON, text and SARIF.
    let (code, _) = run_err(d, &["merge", "-o", "gap.json", "s1-3.json", "s2-3.json"]);
    assert_eq!(code, 2);
    let gap = json(&d.join("gap.json"));
    assert!(error_messages(&gap).contains("3/3 missing"), "{gap}");
    let (code, _) = run_err(
        d,
        &[
            "merge",
            "--format",
            "sarif",
            "-o",
            "gap.sarif",
            "s1-3.json",
            "s2-3.json",
        ],
    );
    assert_eq!(code, 2, "the format never changes the exit code");
    let sarif = json(&d.join("gap.sarif"));
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv}");
    let notes = inv["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("3/3 missing") && notes.contains("error"),
        "{notes}"
    );
    let out = bin()
        .current_dir(d)
        .args(["merge", "--format", "text", "s1-3.json", "s2-3.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3/3 missing"), "{text}");

    // A repeated shard: exit 2, and its stats are not counted twice.
    let (code, _) = run_err(
        d,
        &[
            "merge",
            "-o",
            "twice.json",
            "s1-3.json",
            "s1-3.json",
            "s2-3.json",
            "s3-3.json",
        ],
    );
    assert_eq!(code, 2);
    let twice = json(&d.join("twice.json"));
    assert!(error_messages(&twice).contains("given twice"), "{twice}");
    for key in ["files", "blobs", "skipped"] {
        assert_eq!(twice["stats"][key], all["stats"][key], "{key}");
    }
    assert_eq!(twice["findings"], all["findings"]);

    // Mixed shard counts: exit 2, named.
    let (code, _) = run_err(
        d,
        &[
            "merge",
            "-o",
            "mixed.json",
            "s1-2.json",
            "s2-3.json",
            "s3-3.json",
        ],
    );
    assert_eq!(code, 2);
    let mixed = json(&d.join("mixed.json"));
    assert!(
        error_messages(&mixed).contains("different splits"),
        "{mixed}"
    );
}

/// Issue 21, point 2: every leak result records its scan identity, and `merge` refuses
/// shards of one shard set that are parts of different scans (naming the files); results of
/// different roots still merge into one multi-root document.
#[test]
fn issue_21_shards_of_different_scans_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    make_repo(&d.join("repo"), 0);
    shards(d, &["leaks", "--git", "repo"], 2, &[1, 2]);
    let one = json(&d.join("s1-2.json"));
    let head = one["target"]["head"].as_str().expect("HEAD recorded");
    assert_eq!(head.len(), 40, "{head}");
    assert!(one["tool_version"].is_string() && one["digests"]["rules"].is_string());
    assert_eq!(one["target"]["staged"], false);
    run(
        d,
        &[
            "leaks",
            "--git",
            "repo",
            "--since",
            "HEAD",
            "--format",
            "json",
            "-o",
            "since.json",
            "--shard",
            "2/2",
        ],
    );
    assert_eq!(json(&d.join("since.json"))["target"]["since"], "HEAD");
    run(
        d,
        &[
            "leaks",
            "--git",
            "repo",
            "--since",
            "2026-01-01",
            "--format",
            "json",
            "-o",
            "date.json",
            "--shard",
            "2/2",
        ],
    );
    assert_eq!(
        json(&d.join("date.json"))["target"]["since_date"],
        "2026-01-01"
    );

    for other in ["since.json", "date.json"] {
        let (code, err) = run_err(d, &["merge", "-o", "m.json", "s1-2.json", other]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("different scans") && err.contains("s1-2.json") && err.contains(other),
            "{err}"
        );
    }
    // Another HEAD: a commit after shard 1 was scanned.
    std::fs::write(d.join("repo/new.env"), "x=1\n").expect("write");
    git(&d.join("repo"), &["add", "-A"]);
    git(&d.join("repo"), &["commit", "-q", "-m", "later"]);
    run(
        d,
        &[
            "leaks",
            "--git",
            "repo",
            "--format",
            "json",
            "-o",
            "later.json",
            "--shard",
            "2/2",
        ],
    );
    let (code, err) = run_err(d, &["merge", "-o", "m.json", "s1-2.json", "later.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("HEAD"), "{err}");
    // The matching shard still merges.
    assert_eq!(
        run(d, &["merge", "-o", "m.json", "s1-2.json", "s2-2.json"]),
        1
    );
    assert_eq!(json(&d.join("m.json"))["target"]["head"], head);
}

/// Issue 21, point 13: a shard count past the limit, `0/0` and `7/2` are refused with a
/// message naming the file (exit 2), never an abort.
#[test]
fn issue_21_hostile_shard_numbers_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    write_tree(&d.join("tree"));
    shards(d, &["leaks", "tree"], 2, &[1]);
    let base = json(&d.join("s1-2.json"));
    for (index, count) in [(1u64, 4_000_000_000u64), (0, 0), (7, 2), (1, 1025)] {
        let mut doc = base.clone();
        doc["target"]["shard"] = serde_json::json!({"index": index, "count": count});
        std::fs::write(d.join("evil.json"), doc.to_string()).expect("write");
        let (code, err) = run_err(d, &["merge", "-o", "m.json", "evil.json", "s1-2.json"]);
        assert_eq!(code, 2, "{index}/{count}: {err}");
        assert!(err.contains("evil.json") && err.contains("shard"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Issue 21, point 3: audits merge by `generated_at`, not by argument order: a context
/// incomplete in the newest document stays incomplete (and the merge exits 2).
#[test]
fn issue_21_audits_merge_newest_last_whatever_the_order() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results");
    let q3 = fixtures.join("audit-2026q3.json");
    let q4 = fixtures.join("audit-2026q4.json");
    for (name, args) in [("a.json", [&q4, &q3]), ("b.json", [&q3, &q4])] {
        let out = d.join(name);
        let code = bin()
            .args(["merge", "-o"])
            .arg(&out)
            .args(args)
            .output()
            .expect("runs")
            .status
            .code();
        assert_eq!(
            code,
            Some(2),
            "{name}: the newest run could not read a context"
        );
        let doc = json(&out);
        assert_eq!(doc["generated_at"], "2026-11-20T09:00:00Z");
        let ctx = doc["contexts"]
            .as_array()
            .expect("contexts")
            .iter()
            .find(|c| c["nip"] == "7762811692")
            .expect("context")
            .clone();
        assert_eq!(ctx["status"], "incomplete", "{name}");
        assert_eq!(doc["summary"]["contexts_incomplete"], 1, "{name}");
    }
    assert_eq!(
        json(&d.join("a.json"))["contexts"],
        json(&d.join("b.json"))["contexts"]
    );
}
