//! Orchestration: collect -> evaluate -> render, one file per command.
//!
//! Each command file turns its clap arguments and the validated [`Config`] into a typed
//! request and calls one pipeline function that takes no clap type; `demo` calls the
//! same pipelines directly.

/// `eprintln!` through [`output::Stderr`]: tokens redacted, control and bidi characters
/// escaped (issue 13, point 14). Every line the app prints to stderr goes through it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::app::output::stderr(), $($arg)*);
    }};
}

pub mod audit;
pub mod calendar;
pub mod demo;
pub mod init;
pub mod leaks;
mod leaks_git;
pub mod merge;
pub mod output;
pub mod permissions;
mod progress;
pub mod redact;
pub mod report;
pub mod revoke;
pub mod revoke_grants;
pub mod rules;
mod simulate;
pub mod tokens;

pub use output::{Output, print_error};

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, Flags, RuleDirs};
use crate::error::Outcome;

/// Exit code for a run that failed with an error (`main` maps errors to it).
pub use crate::error::ERROR_EXIT;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    let global = &cli.global;
    match &cli.command {
        Command::Tokens(args) => tokens::run(global, args),
        Command::Permissions(args) => permissions::run(global, args),
        Command::Audit(args) => audit::run(args, global),
        Command::Leaks(args) => leaks::run(global, args),
        Command::Report(args) => report::run(global, args),
        Command::Merge(args) => merge::run(global, args),
        Command::Revoke(args) => revoke::run(global, args),
        Command::Rules(args) => rules::run(args, global),
        Command::Simulate(args) => simulate::run(global, args),
        Command::Demo(args) => demo::run(global, args),
        Command::Calendar(args) => calendar::run(global, args),
        Command::Init(args) => init::run(global, args),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
    }
}

/// `ksef-audit completions SHELL`: the completion script, generated from the CLI definition.
fn completions(args: &crate::cli::CompletionsArgs) -> Result<Outcome> {
    use clap::CommandFactory;
    use clap_complete::Shell as Target;
    let shell = match args.shell {
        crate::cli::Shell::Bash => Target::Bash,
        crate::cli::Shell::Zsh => Target::Zsh,
        crate::cli::Shell::Fish => Target::Fish,
        crate::cli::Shell::Powershell => Target::PowerShell,
    };
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "ksef-audit", &mut out);
    std::io::Write::flush(&mut out)?;
    Ok(Outcome::Clean)
}

/// `ksef-audit man`: the manual page (roff) generated from the CLI definition; with `--dir`,
/// one page per command.
fn man(args: &crate::cli::ManArgs) -> Result<Outcome> {
    use anyhow::Context;
    use clap::CommandFactory;
    let cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| {
                format!(
                    "cannot create directory '{}'",
                    crate::model::shown_path(dir)
                )
            })?;
            clap_mangen::generate_to(cmd, dir).with_context(|| {
                format!(
                    "cannot write the manual pages to '{}'",
                    crate::model::shown_path(dir)
                )
            })?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::Write::flush(&mut out)?;
        }
    }
    Ok(Outcome::Clean)
}

/// `--lang` as the renderers take it (English when not given).
pub fn lang(flag: Option<crate::cli::ReportLang>) -> crate::render::Lang {
    match flag {
        Some(crate::cli::ReportLang::Pl) => crate::render::Lang::Pl,
        Some(crate::cli::ReportLang::En) | None => crate::render::Lang::En,
    }
}

/// The environment variable naming the config file when `--config` is not given (it wins
/// over the file found upward from the working directory).
pub const CONFIG_ENV: &str = "KSEF_AUDIT_CONFIG";

/// `KSEF_AUDIT_CONFIG`, when set and not empty.
fn config_from_env() -> Option<std::path::PathBuf> {
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

/// The global flags as the plain values `config` takes (`--config`, else
/// `KSEF_AUDIT_CONFIG`).
pub fn flags(global: &GlobalArgs, rules: RuleDirs) -> Flags {
    Flags {
        config: global.config.clone().or_else(config_from_env),
        env: global.env.clone(),
        nips: global.nips.clone(),
        rules,
    }
}

/// Loads and validates the config (every section, every problem at once).
pub fn load_config(global: &GlobalArgs, rules: RuleDirs) -> Result<Config> {
    let from_env = global.config.is_none() && config_from_env().is_some();
    crate::config::load(&flags(global, rules)).map_err(|e| {
        let e = anyhow::Error::new(e);
        if from_env {
            e.context(format!(
                "{CONFIG_ENV} names a config that could not be used (unset it to use ./ksef-audit.toml)"
            ))
        } else {
            e
        }
    })
}
