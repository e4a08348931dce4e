//! `ksef-audit.toml` -> a validated [`Config`], once, before any network call or scan.
//!
//! Two layers, as cargo-deny's `ValidConfig`: [`raw`] is the file exactly as written
//! (unknown keys rejected, positions kept), and `validate` checks every section in one
//! place and reports every problem at once with its line and column. Defaults live in
//! [`defaults`]. `config` never sees clap types: `app` turns the global flags into
//! [`Flags`] first. Keys are kebab-case and documented in `docs/config.md`.

pub mod defaults;
mod ksef;
pub mod raw;
mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use defaults::DEFAULT_CONFIG_FILE;
use defaults::NO_CONFIG_FILE;
pub use ksef::*;
use raw::RawConfig;
pub use validate::is_leak_rule_name;

use ksef_client::settings::CertificateFiles;
use ksef_model::EnvironmentRef;
use ksef_model::Severity;
use ksef_model::toml_error_message;
use ksef_policy::rule::PolicyRuleSet;
use ksef_rules::RuleLoadError;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config '{path}'")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config '{path}': {message}")]
    Parse { path: PathBuf, message: String },
    /// Every problem found, in file order; `origin` is the file or [`NO_CONFIG_FILE`].
    #[error("config '{origin}': {}", problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid {
        origin: String,
        problems: Vec<Problem>,
    },
    /// No config file was given and none was found.
    #[error(
        "no {DEFAULT_CONFIG_FILE} here or in a parent directory (up to the repository root)\nhelp: run `ksef-audit init` to write one, or pass --config FILE"
    )]
    NotFound,
    /// The rules the `[rules.*]` overrides apply to could not be loaded.
    #[error(transparent)]
    Rules(#[from] RuleLoadError),
}

/// One problem of a config: where (line, column; none for a flag) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, col)) => write!(f, "line {line}, column {col}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What the command line adds to the config: the global flags as plain values, plus
/// whether the command reads policy rules (and its `--rules DIR`).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--config FILE` (or `KSEF_AUDIT_CONFIG`); without it the file [`discover`] finds.
    pub config: Option<PathBuf>,
    /// `--env`: wins over `[ksef] environment`.
    pub env: Option<String>,
    /// `--nip` (repeatable): replaces the config's contexts. Checked when KSeF settings
    /// are resolved ([`resolve_settings`]).
    pub nips: Vec<String>,
    pub rules: RuleDirs,
}

/// Whether the command reads policy rules, and from where besides the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RuleDirs {
    /// The command reads no rules: overrides of built-in rules are still checked, a
    /// name that is no built-in rule is left alone (it may come from a `--rules` dir).
    #[default]
    NotRead,
    /// Built-in rules plus `--rules DIR` when given: every override is checked and
    /// the overridden rule set is kept in [`RulesConfig::policy`].
    Read(Option<PathBuf>),
}

/// The validated config: every value checked, defaults filled in, paths resolved
/// against the config file's directory.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file read; `None` when there is none ([`NO_CONFIG_FILE`] in messages).
    pub path: Option<PathBuf>,
    /// Firm name for report covers.
    pub firm: Option<String>,
    /// `--env` and `--nip`, resolved with `[ksef]` by [`resolve_settings`].
    pub flags: KsefFlags,
    pub ksef: KsefConfig,
    pub audit: AuditConfig,
    pub leaks: LeaksConfig,
    pub report: ReportConfig,
    pub offboard: OffboardConfig,
    pub rules: RulesConfig,
    /// `[[known-parties]]`: outside holders of grants the firm knows.
    pub known_parties: Vec<ksef_model::KnownParty>,
}

/// `--env` and `--nip` as given.
#[derive(Debug, Clone, Default)]
pub struct KsefFlags {
    pub env: Option<String>,
    pub nips: Vec<String>,
}

/// `[ksef]` and `[[contexts]]`, checked.
#[derive(Debug, Clone)]
pub struct KsefConfig {
    pub environment: Option<EnvironmentRef>,
    /// Unique, valid NIPs in file order.
    pub contexts: Vec<ContextConfig>,
    pub concurrency: usize,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_retry_after: Duration,
    pub max_pages: u32,
    pub auth_timeout: Duration,
}

impl Default for KsefConfig {
    fn default() -> Self {
        KsefConfig {
            environment: None,
            contexts: Vec::new(),
            concurrency: defaults::CONCURRENCY,
            connect_timeout: defaults::CONNECT_TIMEOUT,
            request_timeout: defaults::REQUEST_TIMEOUT,
            max_retry_after: defaults::MAX_RETRY_AFTER,
            max_pages: defaults::MAX_PAGES,
            auth_timeout: defaults::AUTH_TIMEOUT,
        }
    }
}

/// One `[[contexts]]` entry, checked (normalised NIP, resolved token file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextConfig {
    pub nip: String,
    pub name: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Certificate sign-in files (resolved), when the entry names them.
    pub certificate: Option<CertificateFiles>,
}

/// `[audit]`, checked.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub inventory: Option<PathBuf>,
    pub staff: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    pub fail_on: Severity,
    /// Approved access register CSV for grants.
    pub access_register: Option<PathBuf>,
    /// `token-last-issuance`: the last day KSeF tokens may be issued (default 2026-12-31).
    pub token_last_issuance: chrono::NaiveDate,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            inventory: None,
            staff: None,
            exceptions: None,
            access_register: None,
            fail_on: defaults::AUDIT_FAIL_ON,
            token_last_issuance: ksef_model::default_token_last_issuance(),
        }
    }
}

/// `[offboard]`, checked.
#[derive(Debug, Clone)]
pub struct OffboardConfig {
    /// A token the person authored that was used within this many days is in use.
    pub in_use_days: u32,
}

impl Default for OffboardConfig {
    fn default() -> Self {
        OffboardConfig {
            in_use_days: defaults::OFFBOARD_IN_USE_DAYS,
        }
    }
}

/// `[leaks]`, checked.
#[derive(Debug, Clone)]
pub struct LeaksConfig {
    /// Globs that compile.
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub fail_on: Severity,
    pub baseline: Option<PathBuf>,
}

impl Default for LeaksConfig {
    fn default() -> Self {
        LeaksConfig {
            exclude: Vec::new(),
            max_file_size: defaults::MAX_FILE_SIZE,
            fail_on: defaults::LEAKS_FAIL_ON,
            baseline: None,
        }
    }
}

/// Report language (`[report] lang`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Language {
    #[default]
    En,
    Pl,
}

/// Days to fix a finding, by severity (`[report.due-days]`); defaults in the model.
use ksef_model::DueDays;

/// `[report]`, checked.
#[derive(Debug, Clone, Default)]
pub struct ReportConfig {
    pub lang: Language,
    pub due_days: DueDays,
    /// Valid, normalised NIPs.
    pub sole_traders: BTreeSet<String>,
    pub templates: Option<PathBuf>,
    /// Offboarding records the quarterly report links (relative to the config file).
    pub offboard_records: Option<PathBuf>,
}

/// `[rules.*]`, checked against the rules.
#[derive(Debug, Clone, Default)]
pub struct RulesConfig {
    /// The overrides as written, by rule name.
    pub overrides: BTreeMap<String, toml::Table>,
    /// The `--rules` directory and the built-in (+ its) policy rules with the overrides
    /// applied, when the command reads rules ([`RuleDirs::Read`]).
    pub policy: Option<(Option<PathBuf>, PolicyRuleSet)>,
}

impl Config {
    /// Where the settings come from, for messages: the file, or [`NO_CONFIG_FILE`].
    pub fn origin(&self) -> String {
        origin(self.path.as_deref())
    }

    /// Directory that relative paths in the config are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The policy rules (built-in, plus `extra` = `--rules DIR`) with the `[rules.*]`
    /// overrides applied: those [`load`] already built for [`RuleDirs::Read`] with the
    /// same directory, else loaded now.
    pub fn policy_rules(&self, extra: Option<&Path>) -> Result<PolicyRuleSet, ConfigError> {
        match &self.rules.policy {
            Some((dir, rules)) if dir.as_deref() == extra => Ok(rules.clone()),
            _ => {
                let mut rules = ksef_policy::rule::load_policy_rules(extra)?;
                rules.apply_overrides(&self.rules.overrides, &is_leak_rule_name)?;
                Ok(rules)
            }
        }
    }
}

fn origin(path: Option<&Path>) -> String {
    path.map_or_else(
        || NO_CONFIG_FILE.to_string(),
        |p| ksef_model::shown_path(p).to_string(),
    )
}

/// Loads `--config FILE` (or `KSEF_AUDIT_CONFIG`, which `app` passes the same way), else
/// the nearest `ksef-audit.toml` found by [`discover`] from the working directory, else no
/// file; then validates it with the flags. Every problem is reported at once.
pub fn load(flags: &Flags) -> Result<Config, ConfigError> {
    let path = match &flags.config {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir().ok().and_then(|cwd| discover(&cwd)),
    };
    let Some(path) = path else {
        return validate::validate(&RawConfig::default(), "", None, flags);
    };
    let (text, raw) = read(&path)?;
    validate::validate(&raw, &text, Some(&path), flags)
}

/// The config file's text (bounded) and its raw layer.
fn read(path: &Path) -> Result<(String, RawConfig), ConfigError> {
    let text = ksef_model::input::read_limited_text(path, ksef_model::input::MAX_TOML_BYTES)
        .map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let raw = parse(path, &text)?;
    Ok((text, raw))
}

/// A config read for `doctor`: the file must exist and parse, and then every problem is
/// collected instead of failing, with the config as far as it is valid. Certificate and
/// key files are not looked at (`doctor` checks each itself).
pub fn load_collecting(flags: &Flags) -> Result<(Config, Vec<Problem>), ConfigError> {
    let path = match &flags.config {
        Some(p) => p.clone(),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| discover(&cwd))
            .ok_or(ConfigError::NotFound)?,
    };
    let (text, raw) = read(&path)?;
    validate::validate_collecting(&raw, &text, Some(&path), flags, false)
}

/// The config file a command run in `start` reads when neither `--config` nor
/// `KSEF_AUDIT_CONFIG` names one: `ksef-audit.toml` in `start`, else in its parent, and so
/// on upward. The search stops after the first directory holding `.git` (a repository's
/// root: a file outside the repository never configures it) and at the filesystem root.
///
/// The path is relative to `start` (`ksef-audit.toml`, `../ksef-audit.toml`, …), so
/// messages stay short and paths in the file resolve the same way.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for dir in start.ancestors() {
        if dir.join(DEFAULT_CONFIG_FILE).is_file() {
            return Some(relative.join(DEFAULT_CONFIG_FILE));
        }
        if dir.join(".git").exists() {
            return None;
        }
        relative.push("..");
    }
    None
}

/// Parses and validates config text (tests, and files written by `simulate`).
pub fn from_text(path: &Path, text: &str, flags: &Flags) -> Result<Config, ConfigError> {
    let raw = parse(path, text)?;
    validate::validate(&raw, text, Some(path), flags)
}

/// Parses config text into the raw layer; errors name the line and column.
pub fn parse(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: toml_error_message(text, &e),
    })
}

#[cfg(test)]
mod tests;
