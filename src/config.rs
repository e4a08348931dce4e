//! `ksef-audit.toml`: read as [`RawConfig`] (unknown keys rejected), then checked.
//!
//! Every section belongs to the command that uses it; all keys are kebab-case and
//! documented in `docs/config.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "ksef-audit.toml";

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
    #[error("config '{path}': {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Firm name for report covers.
    pub firm: Option<String>,
    #[serde(default)]
    pub ksef: KsefSection,
    #[serde(default)]
    pub contexts: Vec<ContextEntry>,
    #[serde(default)]
    pub audit: AuditSection,
    /// Per-rule overrides by rule name: severity, enabled, parameters.
    #[serde(default)]
    pub rules: BTreeMap<String, toml::Table>,
    #[serde(default)]
    pub leaks: LeaksSection,
    #[serde(default)]
    pub report: ReportSection,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KsefSection {
    /// `test`, `demo`, `prod`, a base URL, or `LABEL=URL`.
    pub environment: Option<String>,
    /// Contexts fetched at once (default 4).
    pub concurrency: Option<usize>,
}

/// One audited context (client NIP) and where its KSeF token comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextEntry {
    pub nip: String,
    pub name: Option<String>,
    /// File holding the KSeF token (must not be readable by group or others).
    pub token_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuditSection {
    pub inventory: Option<PathBuf>,
    pub staff: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    pub fail_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LeaksSection {
    /// Globs of paths not scanned (added to `--exclude`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Bytes; larger files are skipped (default 64 MiB).
    pub max_file_size: Option<u64>,
    /// Severity at or above which findings fail the run (default: any).
    pub fail_on: Option<String>,
    /// Baseline file used when `--baseline` is not given.
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReportSection {
    pub lang: Option<String>,
}

/// A loaded config and the file it came from (None when no file was used).
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub raw: RawConfig,
    pub path: Option<PathBuf>,
}

impl LoadedConfig {
    /// Directory that relative paths in the config are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Resolves a path from the config relative to the config file.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir().join(p)
        }
    }
}

/// Loads `--config FILE`, else `./ksef-audit.toml` if present, else an empty config.
pub fn load(explicit: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            if !default.exists() {
                return Ok(LoadedConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let raw = parse(&path, &text)?;
    Ok(LoadedConfig {
        raw,
        path: Some(path),
    })
}

/// Parses config text; errors name the line and column.
pub fn parse(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: toml_error_message(text, &e),
    })
}

/// `line L, column C: message` for a toml error.
pub fn toml_error_message(text: &str, err: &toml::de::Error) -> String {
    let msg = err.message().trim().to_string();
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_rejected_with_its_line() {
        let err = parse(
            Path::new("k.toml"),
            "firm = \"X\"\n[ksef]\nenviroment = \"test\"\n",
        )
        .expect_err("typo must fail");
        let msg = err.to_string();
        assert!(msg.contains("k.toml"), "{msg}");
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("enviroment"), "{msg}");
    }
}
