//! The exceptions file (`ksef-audit.exceptions.toml`): accepted risks, each with a
//! reason, an owner and an expiry date. Kept apart from the rules on purpose.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use ksef_leaks::position::line_col;
use ksef_model::ExceptionEntry;
use ksef_model::is_glob;

/// The file looked for next to the config when no `--exceptions` is given.
pub const DEFAULT_EXCEPTIONS_FILE: &str = "ksef-audit.exceptions.toml";

#[derive(Debug, Error)]
pub enum ExceptionsError {
    #[error("cannot read exceptions file '{path}'")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("exceptions file '{path}' has {} problem(s):\n{}\nhelp: every [[exception]] needs rule, target, reason, owner and expires (YYYY-MM-DD)", problems.len(), ksef_leaks::redact::problem_lines(problems, "  - "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    exception: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: Option<String>,
    target: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<toml::Value>,
}

/// Reads and checks an exceptions file; every problem is reported at once.
pub fn load_exceptions(path: &Path) -> Result<Vec<ExceptionEntry>, ExceptionsError> {
    let text = ksef_model::input::read_limited_text(path, ksef_model::input::MAX_TOML_BYTES)
        .map_err(|source| ExceptionsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    parse_exceptions(path, &text)
}

/// Parses exceptions text (`path` only names the file in messages).
pub fn parse_exceptions(path: &Path, text: &str) -> Result<Vec<ExceptionEntry>, ExceptionsError> {
    let invalid = |problems| ExceptionsError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| invalid(vec![ksef_model::toml_error_message(text, &e)]))?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for spanned in raw.exception {
        let line = line_col(text.as_bytes(), spanned.span().start).0 as usize;
        let raw = spanned.into_inner();
        let mut field = |name: &str, value: Option<String>| -> String {
            match value.map(|v| v.trim().to_string()) {
                Some(v) if !v.is_empty() => v,
                _ => {
                    problems.push(format!("line {line}: missing or empty '{name}'"));
                    String::new()
                }
            }
        };
        let rule = field("rule", raw.rule);
        let target = field("target", raw.target);
        let reason = field("reason", raw.reason);
        let owner = field("owner", raw.owner);
        let expires = match raw.expires.as_ref().map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(text)) => {
                problems.push(format!(
                    "line {line}: 'expires' is '{}', expected a date like 2026-12-31",
                    ksef_leaks::redact::echo(&text, 80)
                ));
                None
            }
            None => {
                problems.push(format!("line {line}: missing 'expires'"));
                None
            }
        };
        if is_glob(&target)
            && let Err(e) = globset::Glob::new(&target)
        {
            problems.push(format!(
                "line {line}: target '{}' is not a valid glob: {e}",
                ksef_leaks::redact::echo(&target, 80)
            ));
        }
        if let Some(expires) = expires {
            entries.push(ExceptionEntry {
                rule,
                target,
                reason,
                owner,
                expires,
                line,
                file: path.to_path_buf(),
            });
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(invalid(problems))
    }
}

fn parse_date(value: &toml::Value) -> Result<NaiveDate, String> {
    let text = match value {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&text, "%d.%m.%Y"))
        .map_err(|_| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_with_their_lines() {
        let text = "[[exception]]\nrule = \"unused-token\"\ntarget = \"5265877635\"\nreason = \"seasonal client\"\nowner = \"anna@biuro.pl\"\nexpires = 2026-12-31\n\n[[exception]]\nrule = \"*\"\ntarget = \"tests/fixtures/**\"\nreason = \"synthetic tokens\"\nowner = \"sec\"\nexpires = \"31.01.2027\"\n";
        let entries = parse_exceptions(Path::new("x.toml"), text).expect("valid");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].line, 1);
        assert_eq!(entries[1].line, 8);
        assert_eq!(
            entries[1].expires,
            NaiveDate::from_ymd_opt(2027, 1, 31).expect("date")
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "[[exception]]\nrule = \"unused-token\"\ntarget = \"x\"\nowner = \"a\"\nexpires = \"soon\"\n\n[[exception]]\nrule = \"\"\ntarget = \"[\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01\n";
        let err = parse_exceptions(Path::new("exc.toml"), text).expect_err("invalid");
        let msg = err.to_string();
        assert!(msg.contains("exc.toml"), "{msg}");
        assert!(msg.contains("line 1: missing or empty 'reason'"), "{msg}");
        assert!(msg.contains("line 1: 'expires' is 'soon'"), "{msg}");
        assert!(msg.contains("line 7: missing or empty 'rule'"), "{msg}");
        assert!(
            msg.contains("line 7: target '[' is not a valid glob"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = "[[exception]]\nrule = \"a\"\ntarget = \"b\"\nreason = \"c\"\nowner = \"d\"\nexpires = 2027-01-01\nexpiry = 2027-01-01\n";
        let msg = parse_exceptions(Path::new("e.toml"), text)
            .expect_err("typo")
            .to_string();
        assert!(msg.contains("expiry"), "{msg}");
    }
}
