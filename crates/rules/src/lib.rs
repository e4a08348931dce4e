//! Rules are data: TOML files under `rules/`, built into the binary, checked at load time.
//! `--rules DIR` adds or overrides them. This module holds what policy and leak rules
//! share (the status, the problem type, the loader in [`load`]); `policy` and `leak` hold
//! each kind, `matcher` the compiled leak rules over bytes.

mod error;
pub mod leak;
pub mod load;

pub use error::RuleLoadError;

use std::fmt;

use serde::{Deserialize, Serialize};

/// Life-cycle state of a rule.
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

/// Where a rule's documentation lives: `docs/rules.md#<name>`, as SARIF and findings link it.
pub fn help_uri(name: &str) -> String {
    format!("{DOCS_RULES_URL}#{name}")
}

/// Base URL of the generated rule documentation.
pub const DOCS_RULES_URL: &str = "https://github.com/ksef-audit/ksef-audit/blob/main/docs/rules.md";

/// One problem found while loading or checking rules, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// File (built-in files are shown as `rules/policy/<file>`), or `config [rules]` for overrides.
    pub origin: String,
    /// Rule id or name when known.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{}: rule {}: {}", self.origin, rule, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl RuleLoadError {
    /// Collected problems -> one error.
    pub fn from_problems(problems: Vec<RuleProblem>) -> RuleLoadError {
        RuleLoadError::Invalid {
            problems: problems.iter().map(ToString::to_string).collect(),
        }
    }
}
