//! Rules are data: TOML files under `rules/`, built into the binary, checked at load time.

mod error;
pub mod leak;

pub use error::RuleLoadError;

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

/// Where a rule's documentation lives: `docs/rules.md#<name>`, as SARIF and findings link it.
pub fn help_uri(name: &str) -> String {
    format!("{DOCS_RULES_URL}#{name}")
}

/// Base URL of the generated rule documentation.
pub const DOCS_RULES_URL: &str = "https://github.com/ksef-audit/ksef-audit/blob/main/docs/rules.md";
