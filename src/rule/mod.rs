//! Rules are data: TOML files under `rules/` built into the binary, plus an optional
//! `--rules DIR` that adds or overrides them. This module holds what policy and leak
//! rules share (status, load errors, file discovery); `policy` holds the policy rules.

pub mod policy;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where the generated rule documentation lives (findings link to `#<rule-name>`).
pub const RULES_DOC: &str = "docs/rules.md";

/// Link to the documentation of one rule.
pub fn help_uri(name: &str) -> String {
    format!("{RULES_DOC}#{name}")
}

/// Lifecycle of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    Stable,
    Preview,
    Deprecated,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Stable => "stable",
            RuleStatus::Preview => "preview",
            RuleStatus::Deprecated => "deprecated",
        }
    }
}

impl fmt::Display for RuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found while loading or checking rules, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// File (built-in files are shown as `rules/policy/<file>`), or `config` for overrides.
    pub origin: String,
    /// Rule id or name when known.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{} rule '{}': {}", self.origin, rule, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

#[derive(Debug, Error)]
pub enum RuleLoadError {
    #[error("cannot read rules from '{path}'")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", format_problems(.problems))]
    Invalid { problems: Vec<RuleProblem> },
}

fn format_problems(problems: &[RuleProblem]) -> String {
    let mut out = format!(
        "{} problem{} in the rules",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out.push_str("\nhelp: fix the rule files (or the [rules.<name>] config section), then run `ksef-audit rules check`");
    out
}

/// A rule file: its display name and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub origin: String,
    pub text: String,
}

/// Reads every `*.toml` file of `dir`, sorted by name.
pub fn read_rule_dir(dir: &Path) -> Result<Vec<RuleSource>, RuleLoadError> {
    let read_err = |source| RuleLoadError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| RuleLoadError::Read {
                path: path.clone(),
                source,
            })?;
            Ok(RuleSource {
                origin: path.display().to_string(),
                text,
            })
        })
        .collect()
}
