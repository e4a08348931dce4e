//! Rules are data: TOML files under `rules/`, built into the binary, checked at load time.
//! `--rules DIR` adds or overrides them. This module holds what policy and leak rules
//! share; `policy` and `leak` hold each kind.

mod error;
pub mod leak;
pub mod matcher;
pub mod policy;

pub use error::RuleLoadError;

use std::fmt;
use std::path::{Path, PathBuf};

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

/// A rule file: its display name and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub origin: String,
    pub text: String,
}

/// The id of the first rule in a rule file (`POL001`, `LEAK002`), telling its kind when
/// a flat `--rules DIR` mixes policy and leak files.
pub fn first_rule_id(text: &str) -> Option<String> {
    let table = toml::from_str::<toml::Table>(text).ok()?;
    let id = table
        .get("rule")?
        .as_array()?
        .first()?
        .get("id")?
        .as_str()?;
    Some(id.to_string())
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
