//! `ksef-audit.toml`: read as [`RawConfig`] (unknown keys rejected), then checked.
//!
//! Every section belongs to the command that uses it; all keys are kebab-case and
//! documented in `docs/config.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

use crate::cli::GlobalArgs;
use crate::model::toml_error_message;
use crate::model::{EnvironmentRef, Secret, validate_nip};

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
    /// Seconds to wait for a TCP/TLS connection (default 10).
    pub connect_timeout: Option<u64>,
    /// Seconds one request may take in all (default 30).
    pub request_timeout: Option<u64>,
    /// Longest `Retry-After` (seconds) the tool waits on a 429; longer marks the context incomplete (default 120).
    pub max_retry_after: Option<u64>,
    /// Most pages of `GET /tokens` read per context before the cursor is called runaway (default 1000).
    pub max_pages: Option<u32>,
    /// Seconds to wait for KSeF to finish authenticating a token (default 120).
    pub auth_timeout: Option<u64>,
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
    /// `en` or `pl` (default `en`).
    pub lang: Option<String>,
    /// Days to fix a finding, by severity, for the remediation plan's due dates.
    #[serde(default)]
    pub due_days: DueDaysSection,
    /// NIPs of sole traders (natural persons): masked by `report --mask-nip`.
    #[serde(default)]
    pub sole_traders: Vec<String>,
    /// Directory with templates that override the built-in ones.
    pub templates: Option<PathBuf>,
}

/// `[report.due-days]`: days to remediate a finding of each severity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DueDaysSection {
    /// Default 7.
    pub critical: Option<u32>,
    /// Default 30.
    pub high: Option<u32>,
    /// Default 90.
    pub medium: Option<u32>,
    /// Default 180.
    pub low: Option<u32>,
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

// ---------------------------------------------------------------------------
// [ksef] + [[contexts]] + --env/--nip  ->  KsefSettings
// ---------------------------------------------------------------------------

/// Official API base URLs (everything lives under `/v2`).
pub const TEST_BASE_URL: &str = "https://api-test.ksef.mf.gov.pl/v2";
pub const DEMO_BASE_URL: &str = "https://api-demo.ksef.mf.gov.pl/v2";
pub const PROD_BASE_URL: &str = "https://api.ksef.mf.gov.pl/v2";

/// Environment variable holding the KSeF token of one NIP: `KSEF_TOKEN_<NIP>`.
pub fn token_env_var(nip: &str) -> String {
    format!("KSEF_TOKEN_{nip}")
}

/// Environment variable holding an already-obtained access token: `KSEF_ACCESS_TOKEN_<NIP>`.
pub fn access_token_env_var(nip: &str) -> String {
    format!("KSEF_ACCESS_TOKEN_{nip}")
}

/// The token of the only context, when exactly one is audited.
pub const SINGLE_TOKEN_ENV_VAR: &str = "KSEF_TOKEN";

/// Where the KSeF credential of one context comes from. Holds names, never values,
/// except `InMemory` (demo and tests), whose value is a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// A file holding the KSeF token (checked: not readable by group/others).
    File(PathBuf),
    /// An environment variable holding the KSeF token.
    Env(String),
    /// An environment variable holding an already-obtained access token.
    AccessToken(String),
    /// A KSeF token handed over in memory (demo, tests).
    InMemory(Secret),
    /// Nothing found: the context is reported incomplete.
    Missing,
}

impl CredentialSource {
    /// Where the credential comes from, for messages (never the value).
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::File(p) => format!("token file '{}'", p.display()),
            CredentialSource::Env(v) => format!("environment variable {v}"),
            CredentialSource::AccessToken(v) => format!("access token in {v}"),
            CredentialSource::InMemory(_) => "in-memory token".to_string(),
            CredentialSource::Missing => "no credential".to_string(),
        }
    }
}

/// One audited context (client NIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSpec {
    pub nip: String,
    pub name: Option<String>,
    pub credential: CredentialSource,
}

/// Everything the KSeF client needs, resolved from the config and the global flags.
#[derive(Debug, Clone)]
pub struct KsefSettings {
    pub environment: EnvironmentRef,
    pub contexts: Vec<ContextSpec>,
    /// Contexts fetched at once (bounded pool).
    pub concurrency: usize,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Longest `Retry-After` honoured; a longer one makes the context incomplete.
    pub max_retry_after: Duration,
    /// Page cap for `GET /tokens`; reaching it means a runaway cursor.
    pub max_pages: u32,
    /// Bounded wait for `GET /auth/{ref}` to leave status 100.
    pub auth_timeout: Duration,
    /// Retries of 5xx, timeouts and connection resets per request.
    pub max_retries: u32,
    /// First backoff delay; doubles per retry (with jitter), capped at 30 s.
    pub retry_base: Duration,
    /// Client-side limiter for the token endpoints (10/s, 30/min, 120/h per context).
    pub rate_limits: RateLimits,
}

pub use crate::model::RateLimits;

impl KsefSettings {
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// Settings with default limits for an environment and contexts (demo, tests).
    pub fn new(environment: EnvironmentRef, contexts: Vec<ContextSpec>) -> KsefSettings {
        KsefSettings {
            environment,
            contexts,
            concurrency: Self::DEFAULT_CONCURRENCY,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_pages: 1000,
            auth_timeout: Duration::from_secs(120),
            max_retries: 4,
            retry_base: Duration::from_millis(500),
            rate_limits: RateLimits::TOKENS,
        }
    }

    /// The context of a NIP, if audited.
    pub fn context(&self, nip: &str) -> Option<&ContextSpec> {
        self.contexts.iter().find(|c| c.nip == nip)
    }

    /// Adds a context for `nip` with its credential from the environment
    /// (`KSEF_TOKEN_<NIP>`, then `KSEF_ACCESS_TOKEN_<NIP>`), unless already present.
    /// Used by `revoke --from` for NIPs named in a leaks file.
    pub fn ensure_context(&mut self, nip: &str) {
        if self.context(nip).is_none() {
            let credential = env_credential(nip, false, &|k| std::env::var(k).ok());
            self.contexts.push(ContextSpec {
                nip: nip.to_string(),
                name: None,
                credential,
            });
        }
    }
}

/// Parses `test|demo|prod`, a URL (label `custom`) or `LABEL=URL`.
pub fn parse_environment(value: &str) -> Result<EnvironmentRef, String> {
    let value = value.trim();
    let official = |label: &str, url: &str| EnvironmentRef {
        label: label.to_string(),
        base_url: url.to_string(),
    };
    match value.to_ascii_lowercase().as_str() {
        "test" | "te" => return Ok(official("test", TEST_BASE_URL)),
        "demo" | "tr" => return Ok(official("demo", DEMO_BASE_URL)),
        "prod" | "prd" | "production" => return Ok(official("prod", PROD_BASE_URL)),
        _ => {}
    }
    let (label, url) = match value.split_once('=') {
        Some((label, url)) if !label.contains("://") => (label.trim(), url.trim()),
        _ => ("custom", value),
    };
    if label.is_empty()
        || !label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "environment label '{label}' may contain only letters, digits, '-' and '_'"
        ));
    }
    match url::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            Ok(EnvironmentRef {
                label: label.to_string(),
                base_url: url.to_string(),
            })
        }
        _ => Err(format!(
            "'{value}' is not a KSeF environment: expected test, demo, prod, an http(s) URL, or LABEL=URL"
        )),
    }
}

/// Resolves `--env`, `--nip` and the config into [`KsefSettings`]; credentials are
/// located (file, `KSEF_TOKEN_<NIP>`, `KSEF_TOKEN`, `KSEF_ACCESS_TOKEN_<NIP>`) but not read.
/// Every problem is collected and reported at once.
pub fn resolve_settings(
    global: &GlobalArgs,
    config: &LoadedConfig,
) -> Result<KsefSettings, ConfigError> {
    resolve_settings_with(global, config, &|k| std::env::var(k).ok())
}

/// [`resolve_settings`] for commands whose NIPs come from their input (`leaks
/// --verify`, `revoke --from`): when neither `--nip` nor the config lists contexts,
/// `nips` are audited; NIPs of `nips` missing from the result are added with
/// credentials from the environment. Invalid NIPs in `nips` are skipped.
pub fn resolve_settings_for_nips(
    global: &GlobalArgs,
    config: &LoadedConfig,
    nips: &[String],
) -> Result<KsefSettings, ConfigError> {
    let mut scoped = global.clone();
    let valid: Vec<String> = nips.iter().filter_map(|n| validate_nip(n).ok()).collect();
    if scoped.nips.is_empty() && config.raw.contexts.is_empty() {
        scoped.nips = valid.clone();
    }
    let mut settings = resolve_settings(&scoped, config)?;
    for nip in &valid {
        settings.ensure_context(nip);
    }
    Ok(settings)
}

/// [`resolve_settings`] with an explicit environment lookup (for tests).
pub fn resolve_settings_with(
    global: &GlobalArgs,
    config: &LoadedConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<KsefSettings, ConfigError> {
    let source = config
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("command line"));
    let mut problems: Vec<String> = Vec::new();
    let section = &config.raw.ksef;

    let environment = match (&global.env, &section.environment) {
        (Some(flag), _) => parse_environment(flag)
            .map_err(|e| format!("--env: {e}\nhelp: use --env test, --env https://host/path or --env prod=https://proxy/ksef"))
            .map_err(|e| problems.push(e))
            .ok(),
        (None, Some(value)) => parse_environment(value)
            .map_err(|e| format!("[ksef] environment: {e}\nhelp: set environment = \"test\", \"demo\", \"prod\", a URL or \"LABEL=URL\""))
            .map_err(|e| problems.push(e))
            .ok(),
        (None, None) => {
            problems.push(
                "no KSeF environment given\nhelp: pass --env test|demo|prod|URL, or set `environment` in the [ksef] section of ksef-audit.toml".to_string(),
            );
            None
        }
    };

    let concurrency = section
        .concurrency
        .unwrap_or(KsefSettings::DEFAULT_CONCURRENCY);
    if concurrency == 0 || concurrency > 64 {
        problems.push(format!(
            "[ksef] concurrency = {concurrency}: must be between 1 and 64\nhelp: the default is {}",
            KsefSettings::DEFAULT_CONCURRENCY
        ));
    }

    // Contexts of the config, checked.
    let mut seen = std::collections::BTreeSet::new();
    let mut configured: Vec<(String, &ContextEntry)> = Vec::new();
    for (i, entry) in config.raw.contexts.iter().enumerate() {
        match validate_nip(&entry.nip) {
            Ok(nip) => {
                if !seen.insert(nip.clone()) {
                    problems.push(format!(
                        "contexts[{i}].nip '{}': NIP {nip} is listed twice\nhelp: keep one [[contexts]] entry per NIP",
                        entry.nip
                    ));
                }
                configured.push((nip, entry));
            }
            Err(e) => problems.push(format!(
                "contexts[{i}].nip '{}': {e}\nhelp: check the NIP for typos",
                entry.nip
            )),
        }
    }

    // --nip overrides the config's list; a matching config entry lends its name and token file.
    let mut wanted: Vec<(String, Option<&ContextEntry>)> = Vec::new();
    if global.nips.is_empty() {
        wanted.extend(configured.iter().map(|(nip, e)| (nip.clone(), Some(*e))));
    } else {
        for raw in &global.nips {
            match validate_nip(raw) {
                Ok(nip) => {
                    if !wanted.iter().any(|(n, _)| *n == nip) {
                        let entry = configured.iter().find(|(n, _)| *n == nip).map(|(_, e)| *e);
                        wanted.push((nip, entry));
                    }
                }
                Err(e) => problems.push(format!(
                    "--nip '{raw}': {e}\nhelp: check the NIP for typos (10 digits, the last one is a check digit)"
                )),
            }
        }
    }
    if wanted.is_empty() && problems.is_empty() {
        problems.push(
            "no context to audit\nhelp: pass --nip NIP (repeatable) or add [[contexts]] entries with `nip = \"...\"` to ksef-audit.toml".to_string(),
        );
    }

    let single = wanted.len() == 1;
    let mut contexts = Vec::new();
    for (nip, entry) in wanted {
        let credential = match entry.and_then(|e| e.token_file.as_ref()) {
            Some(file) => {
                let path = config.resolve(file);
                match check_token_file(&path) {
                    Ok(()) => CredentialSource::File(path),
                    Err(e) => {
                        problems.push(format!("context {nip}: token-file {e}"));
                        CredentialSource::Missing
                    }
                }
            }
            None => env_credential(&nip, single, env),
        };
        contexts.push(ContextSpec {
            name: entry.and_then(|e| e.name.clone()),
            nip,
            credential,
        });
    }

    if !problems.is_empty() {
        return Err(ConfigError::Invalid {
            path: source,
            message: problems.join("\n"),
        });
    }
    let Some(environment) = environment else {
        return Err(ConfigError::Invalid {
            path: source,
            message: "no KSeF environment given".to_string(),
        });
    };
    let mut settings = KsefSettings::new(environment, contexts);
    settings.concurrency = concurrency;
    if let Some(s) = section.connect_timeout {
        settings.connect_timeout = Duration::from_secs(s.max(1));
    }
    if let Some(s) = section.request_timeout {
        settings.request_timeout = Duration::from_secs(s.max(1));
    }
    if let Some(s) = section.max_retry_after {
        settings.max_retry_after = Duration::from_secs(s);
    }
    if let Some(p) = section.max_pages {
        settings.max_pages = p.max(1);
    }
    if let Some(s) = section.auth_timeout {
        settings.auth_timeout = Duration::from_secs(s.max(1));
    }
    Ok(settings)
}

/// `KSEF_TOKEN_<NIP>`, then `KSEF_TOKEN` (only for a single context), then
/// `KSEF_ACCESS_TOKEN_<NIP>`; empty values count as unset.
fn env_credential(
    nip: &str,
    single: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> CredentialSource {
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    let per_nip = token_env_var(nip);
    let access = access_token_env_var(nip);
    if set(&per_nip) {
        CredentialSource::Env(per_nip)
    } else if single && set(SINGLE_TOKEN_ENV_VAR) {
        CredentialSource::Env(SINGLE_TOKEN_ENV_VAR.to_string())
    } else if set(&access) {
        CredentialSource::AccessToken(access)
    } else {
        CredentialSource::Missing
    }
}

/// A token file must exist and be readable by its owner only.
pub fn check_token_file(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "'{}' cannot be read: {e}\nhelp: check the path (relative paths are resolved against the config file's directory)",
            path.display()
        )
    })?;
    if !meta.is_file() {
        return Err(format!("'{}' is not a file", path.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "'{}' is readable by group or others (mode {mode:03o}), so the token is refused\nhelp: run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
    Ok(())
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

#[cfg(test)]
mod settings_tests {
    use super::*;

    fn global(env: Option<&str>, nips: &[&str]) -> GlobalArgs {
        GlobalArgs {
            config: None,
            env: env.map(str::to_string),
            nips: nips.iter().map(|s| s.to_string()).collect(),
            quiet: false,
            verbose: 0,
        }
    }

    fn config(text: &str, path: &Path) -> LoadedConfig {
        LoadedConfig {
            raw: parse(path, text).expect("test config parses"),
            path: Some(path.to_path_buf()),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn official_environments_map_to_v2_urls() {
        let e = parse_environment("test").expect("test");
        assert_eq!(
            (e.label.as_str(), e.base_url.as_str()),
            ("test", "https://api-test.ksef.mf.gov.pl/v2")
        );
        assert_eq!(
            parse_environment("prod").expect("prod").base_url,
            "https://api.ksef.mf.gov.pl/v2"
        );
        assert_eq!(
            parse_environment("DEMO").expect("demo").base_url,
            "https://api-demo.ksef.mf.gov.pl/v2"
        );
    }

    #[test]
    fn urls_are_used_exactly_and_labelled() {
        let e = parse_environment("http://127.0.0.1:4010").expect("url");
        assert_eq!(
            (e.label.as_str(), e.base_url.as_str()),
            ("custom", "http://127.0.0.1:4010")
        );
        let e = parse_environment("prod=https://proxy.example/ksef").expect("labelled");
        assert_eq!(
            (e.label.as_str(), e.base_url.as_str()),
            ("prod", "https://proxy.example/ksef")
        );
        // A URL whose query holds '=' is still a plain URL.
        let e = parse_environment("https://h.example/x?a=b").expect("query url");
        assert_eq!(e.label, "custom");
        assert!(parse_environment("staging").is_err());
        assert!(parse_environment("pr od=https://x.example").is_err());
        assert!(parse_environment("ftp://x.example").is_err());
    }

    #[test]
    fn nip_flag_is_validated_with_a_clear_message() {
        let err = resolve_settings_with(
            &global(Some("test"), &["1234567890"]),
            &LoadedConfig::default(),
            &no_env,
        )
        .expect_err("bad NIP");
        let msg = err.to_string();
        assert!(msg.contains("--nip '1234567890'"), "{msg}");
        assert!(msg.contains("check digit"), "{msg}");
        assert!(msg.contains("help:"), "{msg}");
    }

    #[test]
    fn missing_environment_says_what_to_do() {
        let err = resolve_settings_with(
            &global(None, &["5265877635"]),
            &LoadedConfig::default(),
            &no_env,
        )
        .expect_err("no env");
        assert!(err.to_string().contains("--env"), "{err}");
    }

    #[test]
    fn credentials_come_from_env_in_order_and_never_hold_values() {
        let env = |k: &str| match k {
            "KSEF_TOKEN_5265877635" => Some("secret-a".to_string()),
            "KSEF_TOKEN" => Some("secret-single".to_string()),
            "KSEF_ACCESS_TOKEN_7762811692" => Some("jwt".to_string()),
            _ => None,
        };
        let s = resolve_settings_with(
            &global(Some("test"), &["5265877635", "7762811692", "3756977049"]),
            &LoadedConfig::default(),
            &env,
        )
        .expect("resolves");
        let creds: Vec<_> = s.contexts.iter().map(|c| c.credential.clone()).collect();
        assert_eq!(
            creds,
            vec![
                CredentialSource::Env("KSEF_TOKEN_5265877635".into()),
                CredentialSource::AccessToken("KSEF_ACCESS_TOKEN_7762811692".into()),
                CredentialSource::Missing,
            ]
        );
        assert!(!format!("{s:?}").contains("secret-a"));
        // KSEF_TOKEN applies only to a single context.
        let s = resolve_settings_with(
            &global(Some("test"), &["3756977049"]),
            &LoadedConfig::default(),
            &env,
        )
        .expect("resolves");
        assert_eq!(
            s.contexts[0].credential,
            CredentialSource::Env("KSEF_TOKEN".into())
        );
    }

    #[test]
    fn nip_flag_overrides_config_contexts_but_keeps_their_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ksef-audit.toml");
        let cfg = config(
            "[ksef]\nenvironment = \"demo\"\nconcurrency = 2\n[[contexts]]\nnip = \"5265877635\"\nname = \"Alfa\"\n[[contexts]]\nnip = \"7762811692\"\n",
            &path,
        );
        let s = resolve_settings_with(&global(None, &[]), &cfg, &no_env).expect("config only");
        assert_eq!(s.contexts.len(), 2);
        assert_eq!(s.concurrency, 2);
        assert_eq!(s.environment.label, "demo");
        let s = resolve_settings_with(&global(Some("prod"), &["526-587-76-35"]), &cfg, &no_env)
            .expect("flag wins");
        assert_eq!(s.contexts.len(), 1);
        assert_eq!(s.contexts[0].nip, "5265877635");
        assert_eq!(s.contexts[0].name.as_deref(), Some("Alfa"));
        assert_eq!(s.environment.label, "prod");
    }

    #[test]
    fn config_problems_name_the_key_and_are_reported_together() {
        let path = Path::new("/nonexistent/ksef-audit.toml");
        let cfg = config(
            "[ksef]\nenvironment = \"staging\"\nconcurrency = 0\n[[contexts]]\nnip = \"1234567890\"\n",
            path,
        );
        let msg = resolve_settings_with(&global(None, &[]), &cfg, &no_env)
            .expect_err("invalid")
            .to_string();
        assert!(msg.contains("ksef-audit.toml"), "{msg}");
        assert!(msg.contains("[ksef] environment"), "{msg}");
        assert!(msg.contains("concurrency"), "{msg}");
        assert!(msg.contains("contexts[0].nip"), "{msg}");
    }

    #[cfg(unix)]
    #[test]
    fn token_file_readable_by_others_is_refused_with_chmod_hint() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let token = dir.path().join("alfa.token");
        std::fs::write(&token, "x").expect("write");
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let path = dir.path().join("ksef-audit.toml");
        let cfg = config(
            "[ksef]\nenvironment = \"test\"\n[[contexts]]\nnip = \"5265877635\"\ntoken-file = \"alfa.token\"\n",
            &path,
        );
        let msg = resolve_settings_with(&global(None, &[]), &cfg, &no_env)
            .expect_err("refused")
            .to_string();
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(msg.contains("alfa.token"), "{msg}");
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let s = resolve_settings_with(&global(None, &[]), &cfg, &no_env).expect("accepted");
        assert_eq!(s.contexts[0].credential, CredentialSource::File(token));
    }
}
