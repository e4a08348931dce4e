//! `[ksef]` + `[[contexts]]` + `--env`/`--nip` -> [`KsefSettings`]: what the KSeF
//! client needs. Credentials are located (file, environment) but never read here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CertificateFiles, Config, ConfigError, ContextConfig, KsefConfig, Problem, defaults};
use crate::model::{EnvironmentRef, Secret, validate_nip};

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
    /// A KSeF certificate and its private key: XAdES sign-in (password from
    /// `KSEF_KEY_PASSWORD_<NIP>` or `KSEF_KEY_PASSWORD`).
    Certificate(CertificateFiles),
    /// Nothing found: the context is reported incomplete.
    Missing,
}

impl CredentialSource {
    /// Where the credential comes from, for messages (never the value).
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::File(p) => format!("token file '{}'", crate::model::shown_path(p)),
            CredentialSource::Env(v) => format!("environment variable {v}"),
            CredentialSource::AccessToken(v) => format!("access token in {v}"),
            CredentialSource::InMemory(_) => "in-memory token".to_string(),
            CredentialSource::Certificate(CertificateFiles::Pem { certificate, .. }) => {
                format!("certificate '{}'", crate::model::shown_path(certificate))
            }
            CredentialSource::Certificate(CertificateFiles::Pkcs12(p)) => {
                format!("PKCS#12 file '{}'", crate::model::shown_path(p))
            }
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
    /// Settings with default limits for an environment and contexts (demo, tests).
    pub fn new(environment: EnvironmentRef, contexts: Vec<ContextSpec>) -> KsefSettings {
        KsefSettings::with_limits(environment, contexts, &KsefConfig::default())
    }

    /// Settings with the limits of a (validated) `[ksef]` section.
    pub fn with_limits(
        environment: EnvironmentRef,
        contexts: Vec<ContextSpec>,
        limits: &KsefConfig,
    ) -> KsefSettings {
        KsefSettings {
            environment,
            contexts,
            concurrency: limits.concurrency,
            connect_timeout: limits.connect_timeout,
            request_timeout: limits.request_timeout,
            max_retry_after: limits.max_retry_after,
            max_pages: limits.max_pages,
            auth_timeout: limits.auth_timeout,
            max_retries: defaults::MAX_RETRIES,
            retry_base: defaults::RETRY_BASE,
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
            "environment label '{}' may contain only letters, digits, '-' and '_'",
            crate::rule::matcher::echo(label, 80)
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
            "'{}' is not a KSeF environment: expected test, demo, prod, an http(s) URL, or LABEL=URL",
            crate::rule::matcher::echo(value, 80)
        )),
    }
}

/// Resolves `--env`, `--nip` and the config into [`KsefSettings`]; credentials are
/// located (file, `KSEF_TOKEN_<NIP>`, `KSEF_TOKEN`, `KSEF_ACCESS_TOKEN_<NIP>`) but not read.
/// Resolves `--env`, `--nip` and the config into [`KsefSettings`]; credentials are
/// located (file, `KSEF_TOKEN_<NIP>`, `KSEF_TOKEN`, `KSEF_ACCESS_TOKEN_<NIP>`) but not read.
/// Every problem is collected and reported at once.
pub fn resolve_settings(config: &Config) -> Result<KsefSettings, ConfigError> {
    resolve_settings_with(config, &|k| std::env::var(k).ok())
}

/// [`resolve_settings`] for commands whose NIPs come from their input (`leaks
/// --verify`, `revoke --from`): when neither `--nip` nor the config lists contexts,
/// `nips` are audited; NIPs of `nips` missing from the result are added with
/// credentials from the environment. Invalid NIPs in `nips` are skipped.
pub fn resolve_settings_for_nips(
    config: &Config,
    nips: &[String],
) -> Result<KsefSettings, ConfigError> {
    let valid: Vec<String> = nips.iter().filter_map(|n| validate_nip(n).ok()).collect();
    let mut settings = if config.flags.nips.is_empty() && config.ksef.contexts.is_empty() {
        let mut scoped = config.clone();
        scoped.flags.nips = valid.clone();
        resolve_settings(&scoped)?
    } else {
        resolve_settings(config)?
    };
    for nip in &valid {
        settings.ensure_context(nip);
    }
    Ok(settings)
}

/// [`resolve_settings`] with an explicit environment lookup (for tests).
pub fn resolve_settings_with(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<KsefSettings, ConfigError> {
    let mut problems: Vec<String> = Vec::new();
    let environment = match (&config.flags.env, &config.ksef.environment) {
        (Some(flag), _) => parse_environment(flag)
            .map_err(|e| problems.push(format!("--env: {e}\nhelp: use --env test, --env https://host/path or --env prod=https://proxy/ksef")))
            .ok(),
        (None, Some(environment)) => Some(environment.clone()),
        (None, None) => {
            problems.push(format!(
                "no KSeF environment given\nhelp: pass --env test|demo|prod|URL, or set `environment` in the [ksef] section of {}",
                defaults::DEFAULT_CONFIG_FILE
            ));
            None
        }
    };
    let wanted = wanted_contexts(config, &mut problems);
    let single = wanted.len() == 1;
    let mut contexts = Vec::new();
    for (nip, entry) in wanted {
        let certificate = entry.and_then(|e| e.certificate.clone());
        let credential = match entry.and_then(|e| e.token_file.as_ref()) {
            _ if certificate.is_some() => CredentialSource::Certificate(
                certificate.unwrap_or(CertificateFiles::Pkcs12(PathBuf::new())),
            ),
            Some(path) => match check_token_file(path) {
                Ok(()) => CredentialSource::File(path.clone()),
                Err(e) => {
                    problems.push(format!("context {nip}: token-file {e}"));
                    CredentialSource::Missing
                }
            },
            None => env_credential(&nip, single, env),
        };
        contexts.push(ContextSpec {
            name: entry.and_then(|e| e.name.clone()),
            nip,
            credential,
        });
    }
    let environment = match environment {
        Some(environment) if problems.is_empty() => environment,
        _ => {
            return Err(ConfigError::Invalid {
                origin: config.origin(),
                problems: problems
                    .into_iter()
                    .map(|message| Problem { at: None, message })
                    .collect(),
            });
        }
    };
    Ok(KsefSettings::with_limits(
        environment,
        contexts,
        &config.ksef,
    ))
}

/// The contexts to audit: `--nip` overrides the config's list (a matching config entry
/// lends its name and token file); without `--nip`, the config's contexts.
fn wanted_contexts<'a>(
    config: &'a Config,
    problems: &mut Vec<String>,
) -> Vec<(String, Option<&'a ContextConfig>)> {
    let configured = &config.ksef.contexts;
    let mut wanted: Vec<(String, Option<&ContextConfig>)> = Vec::new();
    if config.flags.nips.is_empty() {
        wanted.extend(configured.iter().map(|e| (e.nip.clone(), Some(e))));
    } else {
        for raw in &config.flags.nips {
            match validate_nip(raw) {
                Ok(nip) => {
                    if !wanted.iter().any(|(n, _)| *n == nip) {
                        let entry = configured.iter().find(|e| e.nip == nip);
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
        problems.push(format!(
            "no context to audit\nhelp: pass --nip NIP (repeatable) or add [[contexts]] entries with `nip = \"...\"` to {}",
            defaults::DEFAULT_CONFIG_FILE
        ));
    }
    wanted
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

/// What `check_token_file` cannot check on this platform, for the user to hear (Windows:
/// file access is governed by ACLs, which the tool does not read); `None` where it checks.
pub const TOKEN_FILE_CHECK_CAVEAT: Option<&str> = if cfg!(windows) {
    Some(
        "on Windows ksef-audit cannot check who may read a token-file (its ACL), so it is used unchecked\nhelp: keep it in your user profile and remove inherited access: icacls FILE /inheritance:r /grant:r \"%USERNAME%:R\"",
    )
} else {
    None
};

/// A token file must exist and be readable by its owner only.
pub fn check_token_file(path: &Path) -> Result<(), String> {
    check_private_file(path, "token")
}

/// A file holding a secret (`what`: "token", "private key") must exist, be a file and
/// be readable by its owner only.
pub fn check_private_file(path: &Path, what: &str) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "'{}' cannot be read: {e}\nhelp: check the path (relative paths are resolved against the config file's directory)",
            crate::model::shown_path(path)
        )
    })?;
    if !meta.is_file() {
        return Err(format!(
            "'{}' is not a file",
            crate::model::shown_path(path)
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "'{}' is readable by group or others (mode {mode:03o}), so the {what} is refused\nhelp: run `chmod 600 {}`",
                crate::model::shown_path(path),
                crate::model::shown_path(path)
            ));
        }
    }
    Ok(())
}
