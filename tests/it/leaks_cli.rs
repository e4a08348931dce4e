//! `ksef-audit leaks` from the outside: exit codes, every format, baseline, inline markers,
//! exceptions, stdin, SARIF against the official schema, and no full token in any output.

/// Archives that scan instead of failing (issue 22).
mod archives;
/// `--verify` against the simulator.
mod verify;

use std::path::Path;

use assert_cmd::Command;
use ksef_model::LeakResults;
use ksef_model::SuppressionKind;
use predicates::prelude::*;

/// Synthetic (never issued) KSeF 2.0 token; the reference's CRC and the NIP check digit are valid.
const TOKEN: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";
const SECRET: &str = "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

fn leaks() -> Command {
    let mut c = Command::cargo_bin("ksef-audit").expect("binary");
    c.arg("leaks");
    c
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn leaky() -> tempfile::TempDir {
    tree(&[
        (".env", &format!("KSEF_TOKEN={TOKEN}\n")),
        ("src/main.rs", "fn main() {}\n"),
    ])
}

fn json_of(out: &[u8]) -> LeakResults {
    serde_json::from_slice(out).expect("leaks json")
}

/// Runs a `leaks --format json` command, checks its exit code and parses the results.
fn results_of(cmd: &mut Command, code: i32) -> LeakResults {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    json_of(&out)
}

#[test]
fn clean_tree_exits_0() {
    let dir = tree(&[(
        "a.txt",
        "nothing to see: 3f786850e387550fdab836ed7e6dc881de23001b\n",
    )]);
    leaks()
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings"));
}

#[test]
fn token_exits_1_and_exit_zero_turns_it_into_0() {
    let dir = leaky();
    leaks()
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(".env:1:12"))
        .stdout(predicate::str::contains(
            "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|face",
        ));
    leaks().arg(dir.path()).arg("--exit-zero").assert().code(0);
}

#[test]
fn fail_on_threshold_above_the_finding_exits_0() {
    let dir = leaky();
    leaks()
        .arg(dir.path())
        .args(["--fail-on", "critical"])
        .assert()
        .code(0);
    leaks()
        .arg(dir.path())
        .args(["--fail-on", "high"])
        .assert()
        .code(1);
}

#[test]
fn unreadable_path_exits_2_even_with_exit_zero_and_the_rest_is_scanned() {
    let dir = leaky();
    let missing = dir.path().join("does-not-exist");
    let out = leaks()
        .arg(&missing)
        .arg(dir.path())
        .args(["--exit-zero", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist"))
        .get_output()
        .stdout
        .clone();
    let r = json_of(&out);
    assert_eq!(r.findings.len(), 1, "the readable root is still scanned");
    assert_eq!(r.errors.len(), 1);
}

#[test]
fn bad_rules_and_html_are_errors() {
    let dir = leaky();
    let rules = tree(&[("leaks/bad.toml", "[[rule]]\nid = 'LEAK9'\n")]);
    leaks()
        .arg(dir.path())
        .arg("--rules")
        .arg(rules.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml"));
}

#[test]
fn html_review_is_written_without_the_token() {
    let dir = leaky();
    let out = leaks()
        .arg(dir.path())
        .args(["--format", "html"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8_lossy(&out);
    assert!(html.contains("<html"), "{}", &html[..html.len().min(200)]);
    assert!(html.contains("20250101-EC-FA4EFA4E00-0000000001-49"));
    assert!(!html.contains(SECRET));
}

#[test]
fn inventory_gives_leaked_tokens_an_owner_and_system() {
    let dir = leaky();
    let inv = tree(&[(
        "inventory.csv",
        "nip,reference_number,system,owner\n1111111111,20250101-EC-FA4EFA4E00-0000000001-49,ERP Optima,anna@example.test\n",
    )]);
    let r = results_of(
        leaks()
            .arg(dir.path())
            .arg("--inventory")
            .arg(inv.path().join("inventory.csv"))
            .args(["--format", "json"]),
        1,
    );
    assert_eq!(r.findings[0].owner.as_deref(), Some("anna@example.test"));
    assert_eq!(r.findings[0].system.as_deref(), Some("ERP Optima"));
    assert!(r.digests.inputs.contains_key("inventory"));

    let bad = tree(&[("inv.csv", "foo,bar\n1,2\n")]);
    leaks()
        .arg(dir.path())
        .arg("--inventory")
        .arg(bad.path().join("inv.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("inv.csv"));
}

#[test]
fn stdin_is_scanned_with_dash() {
    let r = results_of(
        leaks()
            .args(["-", "--format", "json"])
            .write_stdin(format!("log line token={TOKEN}\n")),
        1,
    );
    assert_eq!(r.findings[0].path, "-");
    assert_eq!(r.target.mode, "stdin");
}

#[test]
fn every_format_is_written_and_parseable() {
    let dir = leaky();
    let out_dir = tempfile::tempdir().expect("tmp");
    for format in ["text", "json", "jsonl", "csv", "sarif"] {
        let file = out_dir.path().join(format!("out.{format}"));
        leaks()
            .arg(dir.path())
            .args(["--format", format, "--output"])
            .arg(&file)
            .assert()
            .code(1)
            .stdout(predicate::str::is_empty());
        let text = std::fs::read_to_string(&file).expect("output");
        match format {
            "json" => {
                let r: LeakResults = serde_json::from_str(&text).expect("json");
                assert_eq!(r.schema_version, 1);
                assert_eq!(r.findings[0].path, ".env");
                assert_eq!(r.findings[0].nip.as_deref(), Some("1111111111"));
            }
            "jsonl" => {
                let lines: Vec<serde_json::Value> = text
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("jsonl line"))
                    .collect();
                assert_eq!(lines.len(), 1);
                assert_eq!(lines[0]["rule_id"], "LEAK001");
            }
            "csv" => {
                let mut r = csv::Reader::from_reader(text.as_bytes());
                let headers = r.headers().expect("header").clone();
                assert_eq!(&headers[0], "rule_id");
                assert_eq!(r.records().count(), 1);
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&text).expect("sarif");
                assert_eq!(v["version"], "2.1.0");
            }
            _ => assert!(text.contains("LEAK001")),
        }
    }
}

#[test]
fn baseline_suppresses_by_content_and_reports_unused_entries() {
    let dir = leaky();
    let base_dir = tempfile::tempdir().expect("tmp");
    let baseline = base_dir.path().join("leaks.baseline");
    leaks()
        .arg(dir.path())
        .arg("--write-baseline")
        .arg(&baseline)
        .assert()
        .code(0); // issue 14: writing a baseline accepts the findings
    let text = std::fs::read_to_string(&baseline).expect("baseline");
    let fp = ksef_model::fingerprint_hex(TOKEN.as_bytes());
    // Each fingerprint line is annotated for a reviewer: rule, place, redacted preview, date.
    let line = text
        .lines()
        .find(|l| l.starts_with(&fp))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("  # ") && line.contains(".env:"), "{line}");
    assert!(!line.contains(TOKEN), "{line}");

    // The token moves to another line and file: still suppressed (content, not position).
    std::fs::write(
        dir.path().join(".env"),
        format!("# moved\n\nKSEF_TOKEN={TOKEN}\n"),
    )
    .expect("write");
    std::fs::write(dir.path().join("copy.env"), format!("T={TOKEN}\n")).expect("write");
    let stale = "ab".repeat(32);
    std::fs::write(&baseline, format!("{text}{stale}\n")).expect("write");
    let r = results_of(
        leaks()
            .arg(dir.path())
            .arg("--baseline")
            .arg(&baseline)
            .args(["--format", "json"]),
        0,
    );
    assert!(r.findings.is_empty());
    assert_eq!(r.suppressed.len(), 2);
    assert!(
        r.suppressed
            .iter()
            .all(|f| f.suppression.as_ref().map(|s| s.kind) == Some(SuppressionKind::Baseline))
    );
    assert_eq!(r.unused_baseline, vec![stale]);

    // Writing it again gives the same sorted file.
    let again = base_dir.path().join("again.baseline");
    leaks()
        .arg(dir.path())
        .arg("--write-baseline")
        .arg(&again)
        .assert()
        .code(0);
    // The same sorted fingerprints (the annotations follow the token to its new place).
    let fingerprints = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    let again = std::fs::read_to_string(&again).expect("again");
    assert_eq!(fingerprints(&again), fingerprints(&text));
}

#[test]
fn bad_baseline_is_an_error() {
    let dir = leaky();
    let b = tree(&[("b.txt", "not a fingerprint\n")]);
    leaks()
        .arg(dir.path())
        .arg("--baseline")
        .arg(b.path().join("b.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1"));
}

#[test]
fn inline_markers_suppress_unless_strict() {
    let dir = tree(&[
        ("a.env", &format!("KSEF_TOKEN={TOKEN} # ksef-audit:allow\n")),
        (
            "b.py",
            &format!("TOKEN = \"{TOKEN}\"  # pragma: allowlist secret\n"),
        ),
        ("c.js", &format!("const t = '{TOKEN}'; // gitleaks:allow\n")),
    ]);
    let r = results_of(leaks().arg(dir.path()).args(["--format", "json"]), 0);
    assert!(r.findings.is_empty());
    assert_eq!(r.suppressed.len(), 3);
    leaks().arg(dir.path()).arg("--strict").assert().code(1);
}

#[test]
fn exceptions_file_waives_with_reason_and_owner() {
    let dir = leaky();
    let ex = tree(&[(
        "exceptions.toml",
        "[[exception]]\nrule = \"ksef-token-v2\"\ntarget = \"20250101-EC-FA4EFA4E00-0000000001-49\"\nreason = \"test token of the sandbox, revoked\"\nowner = \"sec@example.test\"\nexpires = \"2999-12-31\"\n\n[[exception]]\nrule = \"*\"\ntarget = \"nothing/**\"\nreason = \"old\"\nowner = \"sec@example.test\"\nexpires = \"2999-12-31\"\n",
    )]);
    let r = results_of(
        leaks()
            .arg(dir.path())
            .arg("--exceptions")
            .arg(ex.path().join("exceptions.toml"))
            .args(["--format", "json"]),
        0,
    );
    assert!(r.findings.is_empty());
    let s = r.suppressed[0].suppression.as_ref().expect("suppression");
    assert_eq!(s.kind, SuppressionKind::Exception);
    assert_eq!(
        s.exception.as_ref().map(|e| e.owner.as_str()),
        Some("sec@example.test")
    );
    assert_eq!(r.exceptions.len(), 2);
    assert!(
        r.warnings.iter().any(|w| w.contains("nothing/**")),
        "{:?}",
        r.warnings
    );
}

/// Issue 14, point 6: `leaks --group-by rule` puts each rule's tokens under a heading, and
/// `--min-severity` hides lower findings from text and CSV (saying how many) but never from
/// the exit code.
#[test]
fn leaks_group_by_rule_and_min_severity() {
    let dir = tree(&[
        ("a.env", &format!("KSEF_TOKEN={TOKEN}\n")),
        (
            "b.env",
            "KSEF_TOKEN=k3J9xQ2mZ7pL4vR8tY1wB6nC5hG0dF2sA9eU3iO7\n",
        ),
    ]);
    let out = leaks()
        .arg(dir.path())
        .args(["--group-by", "rule"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let v2 = text
        .find("ksef-token-v2 (LEAK001): 1 token\n")
        .expect("LEAK001 heading");
    let v1 = text
        .find("ksef-token-40-char (LEAK002): 1 token\n")
        .expect("LEAK002 heading");
    assert!(
        v2 < text.find("a.env:1:12").expect("a.env") && v1 > v2,
        "{text}"
    );
    assert!(text.find("b.env:1:12").expect("b.env") > v1, "{text}");

    let out = leaks()
        .arg(dir.path())
        .args(["--min-severity", "critical", "--format", "csv"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the exit code still sees both");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "header only"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 finding(s) below critical not shown (--min-severity)"),
        "{err}"
    );
}

/// One exceptions file serves `audit` and `leaks`: a leak scan leaves the policy rules'
/// exceptions alone (no "matched no finding" for them), but a misspelt rule still warns.
#[test]
fn a_leak_scan_ignores_the_audits_exceptions_but_not_a_typo() {
    let dir = leaky();
    let entry = |rule: &str| {
        format!(
            "[[exception]]\nrule = \"{rule}\"\ntarget = \"2025*\"\nreason = \"r\"\nowner = \"sec@example.test\"\nexpires = \"2999-12-31\"\n\n"
        )
    };
    let text = entry("rotation-due") + &entry("POL002") + &entry("ksef-tokn-v2");
    let ex = tree(&[("exceptions.toml", &text)]);
    let r = results_of(
        leaks()
            .arg(dir.path())
            .arg("--exceptions")
            .arg(ex.path().join("exceptions.toml"))
            .args(["--format", "json"]),
        1,
    );
    assert_eq!(r.findings.len(), 1);
    let warned: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("matched no finding"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("'ksef-tokn-v2'"), "{warned:?}");
}

/// Excludes skip files; a file over --max-file-size is scanned in windows (issue 12: it used
/// to be skipped with a warning and exit 0).
#[test]
fn excludes_skip_files_and_a_file_over_max_file_size_is_still_scanned() {
    let dir = tree(&[
        ("vendor/lib.env", &format!("KSEF_TOKEN={TOKEN}\n")),
        (
            "big.log",
            &format!("{}\nKSEF_TOKEN={TOKEN}\n", "x".repeat(4096)),
        ),
    ]);
    leaks()
        .arg(dir.path())
        .args(["--exclude", "vendor/**", "--max-file-size", "1K"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("big.log:2:12"))
        .stdout(predicate::str::contains("vendor").not());
}

/// Issue 12: a log of several MiB over --max-file-size is read in overlapping windows; tokens
/// right at the window edges (every MiB) are found once each, at their true line.
#[test]
fn issue_12_large_file_is_scanned_in_windows() {
    let line = "2026-11-30T02:00:00Z INFO invoice sent, session closed normally\n";
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut lines = 0u64;
    while text.len() < 5 * 1024 * 1024 {
        // windows of 1 MiB, one every 768 KiB: a token across the end of each window
        let step = 768 * 1024;
        let edge = 1024 * 1024 + (text.len().saturating_sub(1024 * 1024) / step + 1) * step;
        let edge = if expected.is_empty() {
            1024 * 1024
        } else {
            edge
        };
        while text.len() + line.len() < edge - 40 {
            text.push_str(line);
            lines += 1;
        }
        text.push_str(&format!("KSEF_TOKEN={TOKEN}\n"));
        lines += 1;
        expected.push(lines);
    }
    let dir = tree(&[("logs/huge.log", &text)]);
    let out = leaks()
        .arg(dir.path())
        .args(["--max-file-size", "1M", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let got: Vec<u64> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(doc["stats"]["files"], 1);
    assert_eq!(doc["stats"]["bytes"], text.len() as u64);
    assert!(doc["errors"].as_array().expect("errors").is_empty());
}

/// A zip over --max-file-size cannot be windowed: the run says so and exits 2, never 0.
fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    let text =
        std::fs::read_to_string("tests/fixtures/sarif/sarif-schema-2.1.0.json").expect("schema");
    // The official schema's `run.language` pattern has a lone `]`, a literal in ECMA-262 regex
    // syntax but rejected by the Rust regex engine; escaping it keeps the meaning.
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let out = leaks()
        .arg(Path::new("tests/fixtures/trees/mixed"))
        .args(["--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("sarif json");
    let errors = sarif_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(
        !sarif_errors(&broken).is_empty(),
        "the schema check must be able to fail"
    );
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| {
        r["id"] == "LEAK001"
            && r["helpUri"]
                .as_str()
                .is_some_and(|u| u.ends_with("docs/rules.md#ksef-token-v2"))
    }));
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 18);
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["ksefTokenSha256/v1"].is_string())
    );
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["kind"] == "inSource")
    );
    // Issue 22: the 4 MiB zip of zeros is scanned, not refused as a bomb.
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn no_output_format_contains_a_full_token() {
    let fixture = Path::new("tests/fixtures/trees/mixed");
    let dir = leaky();
    let v1 = regex::Regex::new("FA4EFA4E[0-9A-F]{8}").expect("regex");
    for format in ["text", "json", "jsonl", "csv", "sarif", "html"] {
        for root in [fixture, dir.path()] {
            let assert = leaks().arg(root).args(["--format", format]).assert();
            let out = assert.get_output();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!all.contains(SECRET), "{format}: secret in output");
            // Fixture secrets start with fa4efa4e / FA4EFA4E / FAKEksef40Fixture; only the first
            // four characters may be shown.
            for needle in ["fa4efa4e", "FAKEksef40Fixture"] {
                assert!(!all.contains(needle), "{format}: {needle}… in output");
            }
            assert!(!v1.is_match(&all), "{format}: KSeF 1.0 secret in output");
        }
    }
}
