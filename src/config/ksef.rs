//! `[ksef]` + `[[contexts]]` + `--env`/`--nip` -> [`KsefSettings`]: what the KSeF
//! client needs. Credentials are located (file, environment) but never read here.

use std::path::PathBuf;

use crate::config::Config;
use crate::config::ConfigError;
use crate::config::ContextConfig;
use crate::config::KsefConfig;
use crate::config::Problem;
use crate::config::defaults;
use ksef_client::settings::{
    CertificateFiles, ContextSpec, CredentialSource, KsefSettings, check_token_file, env_credential,
};
use ksef_model::EnvironmentRef;
use ksef_model::validate_nip;

/// Official API base URLs (everything lives under `/v2`).
pub const TEST_BASE_URL: &str = "https://api-test.ksef.mf.gov.pl/v2";
pub const DEMO_BASE_URL: &str = "https://api-demo.ksef.mf.gov.pl/v2";
pub const PROD_BASE_URL: &str = "https://api.ksef.mf.gov.pl/v2";

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
            ksef_leaks::redact::echo(label, 80)
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
            ksef_leaks::redact::echo(value, 80)
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
    Ok(settings_with_limits(environment, contexts, &config.ksef))
}

/// Settings with the limits of a (validated) `[ksef]` section.
pub fn settings_with_limits(
    environment: EnvironmentRef,
    contexts: Vec<ContextSpec>,
    limits: &KsefConfig,
) -> KsefSettings {
    KsefSettings {
        concurrency: limits.concurrency,
        connect_timeout: limits.connect_timeout,
        request_timeout: limits.request_timeout,
        max_retry_after: limits.max_retry_after,
        max_pages: limits.max_pages,
        auth_timeout: limits.auth_timeout,
        ..KsefSettings::new(environment, contexts)
    }
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
