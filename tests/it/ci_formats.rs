//! Issue 25: `--format gitlab` (GitLab secret-detection report, schema 15.2.1) and
//! `--format junit` for `leaks` and `merge`, on the demo's example repository; and the GitLab
//! CI template's script run as GitLab would run it, with ksef-audit on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support;

use support::cli::{ksef_audit, text};

/// The demo's output directory (its example repository and config), written once.
fn demo() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("demo");
        let run = ksef_audit(dir.path())
            .args(["demo", "-q", "--out"])
            .arg(&out)
            .output()
            .expect("demo runs");
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        (dir, out)
    });
    out
}

/// The 64-hex secrets of every KSeF token in the example repository's history and work tree.
fn demo_secrets() -> Vec<String> {
    let repo = demo().join("example-repo");
    let log = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["log", "--all", "-p", "--format=%B"])
        .output()
        .expect("git log");
    let re = regex::Regex::new(r"\|(?:nip|internalId)-[0-9-]+\|([0-9a-fA-F]{64})").expect("re");
    let mut secrets: Vec<String> = re
        .captures_iter(&text(&log.stdout))
        .map(|c| c[1].to_string())
        .collect();
    secrets.sort();
    secrets.dedup();
    assert!(!secrets.is_empty(), "the example repository holds tokens");
    secrets
}

fn assert_no_secret(what: &str, body: &str) {
    for s in demo_secrets() {
        assert!(!body.contains(&s), "{what} carries a secret");
        assert!(
            !body.to_lowercase().contains(&s.to_lowercase()),
            "{what} carries a secret"
        );
    }
}

fn gitlab_errors(doc: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(
        "tests/fixtures/schemas/gitlab/secret-detection-report-format.json",
    )
    .expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Active findings of a scan of the example repository's history, from its JSON results.
fn active_findings() -> usize {
    let out = ksef_audit(demo())
        .args(["leaks", "--git", "example-repo", "--format", "json"])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    doc["findings"].as_array().expect("findings").len()
}

#[test]
fn gitlab_report_validates_against_the_schema_and_carries_no_secret() {
    let out = ksef_audit(demo())
        .args(["leaks", "--git", "example-repo", "--format", "gitlab"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let body = text(&out.stdout);
    let doc: Value = serde_json::from_str(&body).expect("json");
    let errors = gitlab_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["version"], "15.2.1");
    assert_eq!(doc["scan"]["type"], "secret_detection");
    assert_eq!(doc["scan"]["status"], "success");
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), active_findings());
    let mut ids = std::collections::BTreeSet::new();
    for v in vulns {
        assert!(ids.insert(v["id"].as_str().expect("id")), "unique ids");
        assert_eq!(v["category"], "secret_detection");
        assert_eq!(v["identifiers"][0]["type"], "ksef_audit_rule_id");
        assert!(
            v["identifiers"][0]["value"]
                .as_str()
                .is_some_and(|r| r.starts_with("LEAK"))
        );
        assert!(
            ["Critical", "High", "Medium", "Low", "Info"]
                .contains(&v["severity"].as_str().expect("severity"))
        );
        let sha = v["location"]["commit"]["sha"].as_str().expect("commit sha");
        assert_eq!(sha.len(), 40, "git findings name their commit");
        assert!(v["location"]["file"].as_str().is_some());
    }
    assert!(
        vulns
            .iter()
            .any(|v| v["location"]["start_line"].as_u64().is_some()),
        "lines are given"
    );
    assert_no_secret("the GitLab report", &body);
}

#[test]
fn gitlab_report_of_a_partial_scan_says_failure_and_stays_valid() {
    let out = ksef_audit(Path::new("."))
        // A root that does not exist makes the scan partial.
        .args([
            "leaks",
            "tests/fixtures/trees/mixed",
            "tests/fixtures/trees/missing",
            "--format",
            "gitlab",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the format never changes the code"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(gitlab_errors(&doc).is_empty(), "{:#?}", gitlab_errors(&doc));
    assert_eq!(doc["scan"]["status"], "failure");
    assert!(
        doc["scan"]["messages"]
            .as_array()
            .is_some_and(|m| !m.is_empty())
    );
}

/// `Some(note)` when Python's junitparser is missing: fails under CI=true, otherwise a note.
fn junitparser_missing() -> Option<String> {
    let ok = Command::new("python3")
        .args(["-c", "import junitparser"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return None;
    }
    let note = "python3 with junitparser not found (scripts/install-test-tools.sh installs it)";
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{note}");
    Some(note.to_string())
}

/// (tests, failures, errors) of a JUnit file as junitparser reads it.
fn junitparser_counts(path: &Path) -> (u64, u64, u64) {
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
tests = failures = errors = 0
for suite in xml:
    for case in suite:
        tests += 1
        for r in case.result:
            if isinstance(r, Failure): failures += 1
            if isinstance(r, Error): errors += 1
print(tests, failures, errors)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3");
    assert!(out.status.success(), "junitparser: {}", text(&out.stderr));
    let n: Vec<u64> = text(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    (n[0], n[1], n[2])
}

#[test]
fn junit_has_one_failing_case_per_active_finding_and_parses_with_junitparser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("leaks.junit.xml");
    // The extension .junit.xml names the format.
    let out = ksef_audit(demo())
        .args(["leaks", "--git", "example-repo", "-o"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let body = std::fs::read_to_string(&file).expect("junit written");
    assert!(body.starts_with("<?xml"), "{body}");
    let doc = roxmltree::Document::parse(&body).expect("well-formed XML");
    let active = active_findings();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, active);
    // Each failing case is named by its rule and location; rules without findings pass.
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        assert!(
            case.attribute("classname")
                .is_some_and(|c| c.starts_with("LEAK"))
        );
        assert!(case.attribute("name").is_some_and(|n| !n.is_empty()));
    }
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("testcase") && n.children().all(|c| !c.is_element())),
        "a passing case for a rule without findings"
    );
    assert_no_secret("the JUnit report", &body);
    if let Some(note) = junitparser_missing() {
        eprintln!("note: {note}; junitparser check skipped");
        return;
    }
    let (tests, failures, errors) = junitparser_counts(&file);
    assert_eq!(failures as usize, active);
    assert_eq!(errors, 0);
    assert!(tests as usize > active);
}

#[test]
fn junit_of_a_partial_scan_has_an_error_case() {
    let out = ksef_audit(Path::new("."))
        // A root that does not exist makes the scan partial.
        .args([
            "leaks",
            "tests/fixtures/trees/mixed",
            "tests/fixtures/trees/missing",
            "--format",
            "junit",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let body = text(&out.stdout);
    let doc = roxmltree::Document::parse(&body).expect("well-formed XML");
    let errors: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{body}");
    assert!(
        errors[0]
            .attribute("message")
            .is_some_and(|m| m.contains("partial scan"))
    );
}

#[test]
fn merge_writes_gitlab_and_junit_from_shards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut shards = Vec::new();
    for k in 1..=2 {
        let file = dir.path().join(format!("leaks-{k}.json"));
        let out = ksef_audit(demo())
            .args([
                "leaks",
                "--git",
                "example-repo",
                "--exit-zero",
                "--format",
                "json",
            ])
            .args(["--shard", &format!("{k}/2"), "-o"])
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        shards.push(file);
    }
    let gitlab = ksef_audit(dir.path())
        .args(["merge", "--format", "gitlab"])
        .args(&shards)
        .output()
        .expect("runs");
    assert_eq!(gitlab.status.code(), Some(1), "{}", text(&gitlab.stderr));
    let doc: Value = serde_json::from_slice(&gitlab.stdout).expect("json");
    assert!(gitlab_errors(&doc).is_empty());
    assert_eq!(
        doc["vulnerabilities"].as_array().map(Vec::len),
        Some(active_findings())
    );
    assert_no_secret("the merged GitLab report", &text(&gitlab.stdout));
    let junit = ksef_audit(dir.path())
        .args(["merge", "--format", "junit"])
        .args(&shards)
        .output()
        .expect("runs");
    assert_eq!(junit.status.code(), Some(1));
    let body = text(&junit.stdout);
    let doc = roxmltree::Document::parse(&body).expect("XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        active_findings()
    );
}

#[test]
fn gitlab_needs_format_json_extension_stays_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("gl-secret-detection-report.json");
    ksef_audit(demo())
        .args(["leaks", "--git", "example-repo", "-o"])
        .arg(&file)
        .output()
        .expect("runs");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("json");
    assert_eq!(
        doc["kind"], "ksef-audit/leaks",
        "a .json file is the JSON results"
    );
}

/// The `script:` of the GitLab template's hidden `.ksef-audit` job, as one shell script.
fn gitlab_template_script() -> String {
    let text = std::fs::read_to_string("ci/gitlab/ksef-audit.gitlab-ci.yml").expect("template");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    doc[".ksef-audit"]["script"]
        .as_sequence()
        .expect("script")
        .iter()
        .map(|l| l.as_str().expect("a script line").to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the template's script in a clone of the demo repository with ksef-audit on PATH,
/// as GitLab's runner would (`sh -c`), with `env` set; returns the clone and the exit code.
fn run_gitlab_script(env: &[(&str, &str)]) -> (tempfile::TempDir, Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    std::fs::copy(env!("CARGO_BIN_EXE_ksef-audit"), bin.join("ksef-audit")).expect("copy");
    let repo = dir.path().join("repo");
    let clone = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(demo().join("example-repo"))
        .arg(&repo)
        .output()
        .expect("git clone");
    assert!(clone.status.success(), "{}", text(&clone.stderr));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The template's `variables:` (global, then the job's), as GitLab sets them.
    let template: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string("ci/gitlab/ksef-audit.gitlab-ci.yml").expect("template"),
    )
    .expect("YAML");
    let variables: Vec<(String, String)> = [
        &template["variables"],
        &template[".ksef-audit"]["variables"],
    ]
    .into_iter()
    .filter_map(serde_yaml::Value::as_mapping)
    .flatten()
    .map(|(k, v)| {
        (
            k.as_str().expect("name").to_string(),
            v.as_str().expect("a string value").to_string(),
        )
    })
    .collect();
    assert!(variables.iter().any(|(k, _)| k == "KSEF_AUDIT_ARGS"));
    let out = Command::new("sh")
        .args(["-c", &gitlab_template_script()])
        .env_clear()
        .envs(variables)
        .env("PATH", path)
        .envs(env.iter().copied())
        .current_dir(&repo)
        .output()
        .expect("sh");
    (dir, out.status.code(), text(&out.stderr))
}

fn check_gitlab_artifacts(repo: &Path, failures: usize) {
    let report = std::fs::read_to_string(repo.join("gl-secret-detection-report.json"))
        .expect("the secret_detection report is written");
    let doc: Value = serde_json::from_str(&report).expect("json");
    let errors = gitlab_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        doc["vulnerabilities"].as_array().map(Vec::len),
        Some(failures)
    );
    assert_no_secret("the template's GitLab report", &report);
    let junit = std::fs::read_to_string(repo.join("ksef-audit-junit.xml"))
        .expect("the junit report is written");
    let xml = roxmltree::Document::parse(&junit).expect("XML");
    assert_eq!(
        xml.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        failures
    );
    assert_no_secret("the template's JUnit report", &junit);
}

#[test]
fn gitlab_template_script_writes_both_reports_on_the_demo_repository() {
    let (dir, code, stderr) = run_gitlab_script(&[]);
    assert_eq!(code, Some(1), "active findings fail the job: {stderr}");
    check_gitlab_artifacts(&dir.path().join("repo"), active_findings());
}

#[test]
fn gitlab_template_script_on_a_merge_request_scans_only_its_commits() {
    let repo = demo().join("example-repo");
    let head = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git");
    let head = text(&head.stdout).trim().to_string();
    // A merge request that adds nothing: no vulnerabilities, the job passes.
    let (dir, code, stderr) =
        run_gitlab_script(&[("CI_MERGE_REQUEST_DIFF_BASE_SHA", head.as_str())]);
    assert_eq!(code, Some(0), "{stderr}");
    check_gitlab_artifacts(&dir.path().join("repo"), 0);
}
