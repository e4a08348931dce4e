//! `ksef-audit doctor`: is the set-up ready for an audit? Offline, for every configured
//! context: the config's problems, the environment, the credential (token file present,
//! private and holding a KSeF token; an environment variable set; a certificate whose key
//! belongs to it, whose key file is private and whose dates are valid). Online, from one
//! listing read as `audit` reads it: sign-in and the auditing credential's permissions.
//!
//! Only plain [`DoctorCheck`] values come out: `render::doctor` words and writes them.

mod credential;
mod online;

pub use online::{online_checks, online_settings};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::config::ContextConfig;
use crate::config::Problem;
use crate::config::parse_environment;
use ksef_model::{CheckStatus, DoctorCheck, Fact, validate_nip};

/// The offline checks of `config` (read leniently, with its `problems`): the config as a
/// whole, then each context. `env` looks environment variables up; `now` dates the
/// certificates; `online` (sign-in follows) makes a missing environment a failure.
pub fn offline_checks(
    config: &Config,
    problems: &[Problem],
    env: &dyn Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
    online: bool,
) -> Vec<DoctorCheck> {
    let whole = |fact: Fact| DoctorCheck {
        nip: None,
        name: None,
        fact,
    };
    let mut checks = vec![whole(Fact::ConfigRead {
        path: config.origin(),
    })];
    checks.extend(problems.iter().map(|p| {
        whole(Fact::ConfigProblem {
            message: p.to_string(),
        })
    }));
    checks.push(whole(environment(config, online)));
    let (contexts, bad_nips) = contexts(config);
    checks.extend(
        bad_nips
            .into_iter()
            .map(|message| whole(Fact::ConfigProblem { message })),
    );
    if contexts.is_empty() {
        checks.push(whole(Fact::NoContexts));
    }
    let single = contexts.len() == 1;
    for context in &contexts {
        for fact in credential::facts(context, single, env, now) {
            checks.push(DoctorCheck {
                nip: Some(context.nip.clone()),
                name: context.name.clone(),
                fact,
            });
        }
    }
    checks
}

/// `--env`, else `[ksef] environment`.
fn environment(config: &Config, online: bool) -> Fact {
    let found = match &config.flags.env {
        Some(flag) => parse_environment(flag).ok(),
        None => config.ksef.environment.clone(),
    };
    match (found, &config.flags.env) {
        (Some(e), _) => Fact::Environment {
            label: e.label,
            url: e.base_url,
        },
        (None, Some(flag)) => Fact::ConfigProblem {
            message: format!(
                "--env '{}' is not a KSeF environment\nhelp: use --env test, demo, prod or a URL",
                ksef_leaks::redact::echo(flag, 80)
            ),
        },
        (None, None) => Fact::NoEnvironment { online },
    }
}

/// The contexts checked: those of `--nip` when given (a config entry lends its
/// credential), else the config's; and a message per invalid `--nip`.
fn contexts(config: &Config) -> (Vec<ContextConfig>, Vec<String>) {
    if config.flags.nips.is_empty() {
        return (config.ksef.contexts.clone(), Vec::new());
    }
    let mut out: Vec<ContextConfig> = Vec::new();
    let mut bad = Vec::new();
    for raw in &config.flags.nips {
        match validate_nip(raw) {
            Ok(nip) if out.iter().any(|c| c.nip == nip) => {}
            Ok(nip) => out.push(
                config
                    .ksef
                    .contexts
                    .iter()
                    .find(|c| c.nip == nip)
                    .cloned()
                    .unwrap_or(ContextConfig {
                        nip,
                        name: None,
                        token_file: None,
                        certificate: None,
                    }),
            ),
            Err(e) => bad.push(format!(
                "--nip '{}': {e}\nhelp: check the NIP for typos",
                ksef_leaks::redact::echo(raw, 40)
            )),
        }
    }
    (out, bad)
}

/// True when no check failed (warnings allowed).
pub fn ready(checks: &[DoctorCheck]) -> bool {
    checks
        .iter()
        .all(|c| c.fact.status() != CheckStatus::Failed)
}
