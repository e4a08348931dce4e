//! `--format junit`: JUnit XML for the test tabs of GitLab, Azure DevOps and Jenkins. One failing
//! test case per active finding (class name: the rule, name: the location), one passing case per
//! loaded rule without findings, and an `<error>` case when the scan is partial. Texts are the
//! redacted preview and the fingerprint, never the secret; every text is XML-escaped.

use std::collections::BTreeSet;
use std::io::Write;

use crate::render::RenderError;
use crate::render::leaks::io_err;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_rules::leak::LeakRule;

/// One `<testcase>` of a JUnit report.
pub struct Case {
    pub classname: String,
    pub name: String,
    pub outcome: Outcome,
}

/// How a test case ended: passed, failed (a finding) or errored (the run could not finish).
pub enum Outcome {
    Pass,
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    Error {
        message: String,
        text: String,
    },
    /// Not run: an archive refused by a limit, corrupt or encrypted (the reason).
    Skipped {
        message: String,
    },
}

/// Escapes text for XML content and attribute values; characters XML 1.0 cannot hold
/// (control characters other than tab, newline and carriage return) become U+FFFD.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes one `<testsuites>` document with one suite named `suite`.
pub fn write_suite(suite: &str, cases: &[Case], out: &mut dyn Write) -> Result<(), RenderError> {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failure { .. }))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Error { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped { .. }))
        .count();
    let e = io_err("junit");
    let suite = xml_escape(suite);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#).map_err(&e)?;
    writeln!(
        out,
        r#"<testsuites name="{suite}" tests="{}" failures="{failures}" errors="{errors}">"#,
        cases.len()
    )
    .map_err(&e)?;
    writeln!(
        out,
        r#"  <testsuite name="{suite}" tests="{}" failures="{failures}" errors="{errors}" skipped="{skipped}">"#,
        cases.len()
    )
    .map_err(&e)?;
    for c in cases {
        let head = format!(
            r#"    <testcase classname="{}" name="{}""#,
            xml_escape(&c.classname),
            xml_escape(&c.name)
        );
        match &c.outcome {
            Outcome::Pass => writeln!(out, "{head}/>").map_err(&e)?,
            Outcome::Failure {
                message,
                kind,
                text,
            } => writeln!(
                out,
                "{head}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml_escape(message),
                xml_escape(kind),
                xml_escape(text)
            )
            .map_err(&e)?,
            Outcome::Error { message, text } => writeln!(
                out,
                "{head}>\n      <error message=\"{}\">{}</error>\n    </testcase>",
                xml_escape(message),
                xml_escape(text)
            )
            .map_err(&e)?,
            Outcome::Skipped { message } => writeln!(
                out,
                "{head}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml_escape(message)
            )
            .map_err(&e)?,
        }
    }
    writeln!(out, "  </testsuite>\n</testsuites>").map_err(&e)
}

fn location(f: &LeakFinding) -> String {
    let mut s = f.path.clone();
    if let Some(line) = f.line {
        s.push_str(&format!(":{line}"));
    }
    if let Some(c) = &f.commit {
        s.push_str(&format!(" @ {}", &c[..c.len().min(12)]));
    }
    s
}

fn finding_case(f: &LeakFinding) -> Case {
    Case {
        classname: f.rule_id.clone(),
        name: location(f),
        outcome: Outcome::Failure {
            message: format!("{} ({}): {}", f.rule, f.rule_id, f.redacted),
            kind: crate::render::leaks::word(&f.severity),
            text: format!(
                "rule: {} {}\nseverity: {}\nstatus: {}\nlocation: {}\npreview: {}\nfingerprint: {}",
                f.rule_id,
                f.rule,
                crate::render::leaks::word(&f.severity),
                crate::render::leaks::word(&f.status),
                location(f),
                f.redacted,
                f.fingerprint
            ),
        },
    }
}

/// The cases of a leak scan.
pub fn leak_cases(results: &LeakResults, rules: &[LeakRule]) -> Vec<Case> {
    let mut cases: Vec<Case> = results.findings.iter().map(finding_case).collect();
    let fired: BTreeSet<&str> = results
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    for r in rules.iter().filter(|r| !fired.contains(r.id.as_str())) {
        cases.push(Case {
            classname: r.id.clone(),
            name: format!("{}: no findings", r.name),
            outcome: Outcome::Pass,
        });
    }
    for s in &results.skipped {
        cases.push(Case {
            classname: "ksef-audit".into(),
            name: format!("skipped: {}", s.path),
            outcome: Outcome::Skipped {
                message: s.message.clone(),
            },
        });
    }
    if !results.errors.is_empty() {
        cases.push(Case {
            classname: "ksef-audit".into(),
            name: "scan complete".into(),
            outcome: Outcome::Error {
                message: format!(
                    "partial scan: {} place(s) could not be read",
                    results.errors.len()
                ),
                text: results
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        });
    }
    cases
}

pub fn render(
    results: &LeakResults,
    rules: &[LeakRule],
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    write_suite("ksef-audit leaks", &leak_cases(results, rules), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\n"
        );
    }
}
