//! `ksef-audit doctor`: read the config leniently, run the offline checks (and with
//! `--online` one listing of the contexts that passed them), write the lines or the JSON.
//! Exit 0 when ready, 1 when a check failed, 2 when there is no config to check.

use anyhow::{Context, Result};

use crate::app::output::Output;
use crate::cli::{DoctorArgs, DoctorFormat, GlobalArgs};
use crate::config::{Config, Problem, RuleDirs};
use crate::doctor::{offline_checks, online_checks, online_settings, ready};
use crate::render::doctor as render;
use ksef_model::i18n::Lang;
use ksef_model::{DoctorCheck, Outcome};

/// `ksef-audit doctor`.
pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<Outcome> {
    let (config, problems) = load(global)?;
    let lang = crate::app::messages::message_lang(args.lang.lang, Some(&config));
    let checks = checks(&config, &problems, args.online, global, lang)?;
    let mut out = Output::open(args.output.output.as_deref())?;
    match args.format.format.unwrap_or(DoctorFormat::Text) {
        DoctorFormat::Text => render::write_text(&mut out, &checks, args.online, lang),
        DoctorFormat::Json => render::write_json(
            &mut out,
            &render::report(&checks, &config.origin(), args.online, lang),
        ),
    }
    .context("cannot write the checks")?;
    std::io::Write::flush(&mut out)?;
    Ok(if ready(&checks) {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The config, every problem collected (no config, or one that cannot be read or
/// parsed, is an error: exit 2).
fn load(global: &GlobalArgs) -> Result<(Config, Vec<Problem>)> {
    let flags = crate::app::flags(global, RuleDirs::NotRead);
    Ok(crate::config::load_collecting(&flags)?)
}

/// The offline checks, then (`online`) sign-in and permissions of the contexts that
/// passed them.
pub fn checks(
    config: &Config,
    problems: &[Problem],
    online: bool,
    global: &GlobalArgs,
    lang: Lang,
) -> Result<Vec<DoctorCheck>> {
    let env = |name: &str| std::env::var(name).ok();
    let mut checks = offline_checks(config, problems, &env, chrono::Utc::now(), online);
    if online && let Some(settings) = online_settings(config, &checks)? {
        let snapshot = crate::app::tokens::fetch(&settings, global.quiet, global.verbose, lang);
        checks.extend(online_checks(&snapshot.contexts));
    }
    Ok(checks)
}
