//! `--format gitlab`: a GitLab secret-detection report (security report schema 15.2.1), for
//! `artifacts:reports:secret_detection`. One vulnerability per active finding: rule id as the
//! primary identifier, file, line and commit as the location, the severity mapped to GitLab's
//! words. Carries the redacted preview and the fingerprint, never the secret.

use std::io::Write;

use serde_json::{Value, json};

use crate::render::RenderError;
use crate::render::leaks::encode_err;
use crate::render::leaks::io_err;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::PROJECT_URL;
use ksef_model::Severity;
use ksef_model::TOOL_VERSION;
use ksef_rules::help_uri;
use ksef_rules::leak::LeakRule;

/// The schema version the report declares (and is tested against).
pub const GITLAB_SCHEMA_VERSION: &str = "15.2.1";

/// The commit GitLab's own analyzer names for a file outside git history.
const NO_COMMIT: &str = "0000000";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `yyyy-mm-ddThh:mm:ss` (UTC), as the schema's pattern requires.
fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn vulnerability(f: &LeakFinding, rule: Option<&LeakRule>) -> Value {
    let mut place = f.path.clone();
    if let Some(line) = f.line {
        place.push_str(&format!(":{line}"));
    }
    let commit = f.commit.clone().unwrap_or_else(|| NO_COMMIT.to_string());
    // Stable across runs: the same token at the same place is the same vulnerability.
    let id = format!(
        "{}:{}:{}:{}",
        f.rule_id,
        f.fingerprint,
        place,
        &commit[..commit.len().min(12)]
    );
    let description = rule
        .map(|r| one_line(&r.description))
        .unwrap_or_else(|| format!("{} ({})", f.rule, f.rule_id));
    let mut location = json!({ "file": f.path, "commit": { "sha": commit } });
    if let Some(line) = f.line {
        location["start_line"] = json!(line);
        location["end_line"] = json!(line);
    }
    let mut v = json!({
        "id": id,
        "category": "secret_detection",
        "name": format!("{} ({})", f.rule, f.rule_id),
        "description": format!(
            "{description} Found: {} (SHA-256 fingerprint {}), status {}.",
            f.redacted,
            f.fingerprint,
            crate::render::leaks::word(&f.status)
        ),
        "severity": severity(f.severity),
        "identifiers": [{
            "type": "ksef_audit_rule_id",
            "name": format!("ksef-audit {} {}", f.rule_id, f.rule),
            "value": f.rule_id,
            "url": help_uri(&f.rule),
        }],
        "location": location,
        "raw_source_code_extract": f.redacted,
    });
    if let Some(r) = rule {
        v["solution"] = json!(one_line(&r.remediation));
    }
    v
}

/// The report as a JSON value.
pub fn gitlab_document(results: &LeakResults, rules: &[LeakRule]) -> Value {
    let vulnerabilities: Vec<Value> = results
        .findings
        .iter()
        .map(|f| vulnerability(f, rules.iter().find(|r| r.id == f.rule_id)))
        .collect();
    let tool = json!({
        "id": "ksef-audit",
        "name": "ksef-audit",
        "url": PROJECT_URL,
        "version": TOOL_VERSION,
        "vendor": { "name": "ksef-audit" },
    });
    // A partial scan (unreadable files or objects) is a failed scan: GitLab shows it.
    let status = if results.errors.is_empty() {
        "success"
    } else {
        "failure"
    };
    let mut scan = json!({
        "analyzer": tool,
        "scanner": tool,
        "type": "secret_detection",
        "status": status,
        "start_time": time(results.generated_at),
        "end_time": time(results.generated_at),
    });
    if !results.errors.is_empty() || !results.skipped.is_empty() {
        scan["messages"] = results
            .errors
            .iter()
            .map(|e| json!({ "level": "warn", "value": format!("{}: {}", e.path, e.message) }))
            .chain(results.skipped.iter().map(|s| {
                json!({ "level": "info", "value": format!("skipped: {}: {}", s.path, s.message) })
            }))
            .collect();
    }
    json!({
        "version": GITLAB_SCHEMA_VERSION,
        "scan": scan,
        "vulnerabilities": vulnerabilities,
    })
}

pub fn render(
    results: &LeakResults,
    rules: &[LeakRule],
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let doc = gitlab_document(results, rules);
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(encode_err("gitlab"))?;
    writeln!(out).map_err(io_err("gitlab"))
}
