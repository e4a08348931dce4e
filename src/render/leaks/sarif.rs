//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every loaded rule is listed
//! with its description and help URI; results carry locations and the token fingerprint in
//! `partialFingerprints`; suppressed findings carry `suppressions`.

use std::io::Write;

use serde_json::{Value, json};

use crate::render::RenderError;
use crate::render::leaks::encode_err;
use crate::render::leaks::io_err;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::Severity;
use ksef_model::SuppressionKind;
use ksef_model::TOOL_VERSION;
use ksef_rules::help_uri;
use ksef_rules::leak::LeakRule;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_sentence(text: &str) -> String {
    let line = one_line(text);
    match line.find(". ") {
        Some(p) => line[..=p].to_string(),
        None => line,
    }
}

/// Percent-encodes what a relative URI reference cannot hold (spaces, `%`, `#`, `?`, …).
fn uri(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    percent_encoding::utf8_percent_encode(path, SET).to_string()
}

fn rule_json(r: &LeakRule) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": { "text": first_sentence(&r.description) },
        "fullDescription": { "text": one_line(&r.description) },
        "help": {
            "text": one_line(&r.remediation),
            "markdown": format!("{}\n\n**Remediation:** {}", one_line(&r.description), one_line(&r.remediation)),
        },
        "helpUri": help_uri(&r.name),
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "tags": ["security", "secret", "ksef"],
            "precision": "high",
            "security-severity": security_severity(r.severity),
        },
    })
}

/// What the git scan names as the path of a finding in a commit message.
const COMMIT_MESSAGE_PATH: &str = "<commit message>";
/// ... and in a commit's author name or e-mail (placed like a commit-message finding).
const COMMIT_AUTHOR_PATH: &str = "<commit author>";

/// The file a commit-message finding is placed on in SARIF: code scanning shows only results
/// on a file of the repository, so the finding sits on its README without a line region, and
/// a `logicalLocations` entry names the commit (documented in README.md, "CI").
pub const COMMIT_MESSAGE_SARIF_FILE: &str = "README.md";

fn result_json(f: &LeakFinding, rule_index: Option<usize>) -> Value {
    let in_message = f.path == COMMIT_MESSAGE_PATH || f.path == COMMIT_AUTHOR_PATH;
    let mut region = serde_json::Map::new();
    if let Some(l) = f.line {
        region.insert("startLine".into(), json!(l));
    }
    if let Some(c) = f.column {
        region.insert("startColumn".into(), json!(c));
    }
    let file = if in_message {
        COMMIT_MESSAGE_SARIF_FILE
    } else {
        f.path.as_str()
    };
    let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
    if !region.is_empty() && !in_message {
        physical["region"] = Value::Object(region);
    }
    let mut message = format!("KSeF token {} found ({})", f.redacted, f.rule);
    match (&f.commit, &f.history) {
        (Some(_), Some(h)) => message.push_str(&format!(
            " in {} commits, first {}, last {}",
            h.commits, h.first_commit, h.last_commit
        )),
        (Some(c), None) => message.push_str(&format!(" in commit {c}")),
        _ => {}
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": ksef_leaks::redact::outbound(&message) },
        "locations": [location(physical, f, in_message)],
        "partialFingerprints": { "ksefTokenSha256/v1": f.fingerprint },
        "properties": {
            "confidence": f.confidence,
            "status": f.status,
            "referenceNumber": f.reference_number,
            "nip": f.nip,
            // The finding's own severity (an active leaked token is critical), as in text.
            "security-severity": security_severity(f.severity),
            "severity": f.severity.to_string(),
        },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if let Some(h) = &f.history {
        result["properties"]["history"] = json!({
            "commits": h.commits,
            "firstCommit": h.first_commit,
            "firstDate": h.first_date,
            "lastCommit": h.last_commit,
            "lastDate": h.last_date,
        });
    }
    if let Some(s) = &f.suppression {
        let kind = match s.kind {
            SuppressionKind::Inline => "inSource",
            SuppressionKind::Baseline
            | SuppressionKind::Exception
            | SuppressionKind::ConfiguredTokenFile => "external",
        };
        let mut sup = json!({ "kind": kind, "status": "accepted" });
        if let Some(reason) = &s.reason {
            sup["justification"] = json!(reason);
        }
        result["suppressions"] = json!([sup]);
    }
    result
}

fn location(physical: Value, f: &LeakFinding, in_message: bool) -> Value {
    let mut loc = json!({ "physicalLocation": physical });
    if in_message {
        let commit = f.commit.clone().unwrap_or_default();
        loc["logicalLocations"] = json!([{
            "name": "commit message",
            "fullyQualifiedName": format!("commit {commit}"),
            "kind": "commit",
        }]);
        loc["message"] = json!({ "text": format!("in the message of commit {commit}") });
    }
    loc
}

/// The SARIF log as a JSON value.
pub fn sarif_document(results: &LeakResults, rules: &[LeakRule]) -> Value {
    let index = |id: &str| rules.iter().position(|r| r.id == id);
    let sarif_results: Vec<Value> = results
        .findings
        .iter()
        .chain(&results.suppressed)
        .map(|f| result_json(f, index(&f.rule_id)))
        .collect();
    let notification = |level: &str, e: &ksef_model::ScanIssue| {
        json!({
            "level": level,
            "message": { "text": ksef_leaks::redact::outbound(&format!("{}: {}", e.path, one_line(&e.message))) },
        })
    };
    let mut notifications: Vec<Value> = results
        .errors
        .iter()
        .map(|e| notification("error", e))
        .chain(results.skipped.iter().map(|s| notification("warning", s)))
        .collect();
    // A history scan says what it covered beyond the refs (dangling commits among them).
    if let Some(coverage) = &results.target.coverage {
        notifications.push(json!({
            "level": "note",
            "message": { "text": format!("git history {}", one_line(coverage)) },
        }));
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ksef-audit",
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "informationUri": ksef_rules::DOCS_RULES_URL,
                "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": results.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": sarif_results,
        }],
    })
}

pub fn render(
    results: &LeakResults,
    rules: &[LeakRule],
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let doc = sarif_document(results, rules);
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(encode_err("sarif"))?;
    writeln!(out).map_err(io_err("sarif"))
}
