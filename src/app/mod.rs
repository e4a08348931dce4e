//! Orchestration: collect -> evaluate -> render, one file per command.
//!
//! Each command file turns its clap arguments and the validated [`Config`] into a typed
//! request and calls one pipeline function that takes no clap type; `demo` calls the
//! same pipelines directly.

pub mod audit;
pub mod calendar;
pub mod demo;
pub mod leaks;
mod leaks_git;
mod output;
mod progress;
pub mod report;
pub mod revoke;
pub mod rules;
mod simulate;
pub mod tokens;

pub use output::Output;

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
        Command::Audit(args) => audit::run(args, global),
        Command::Leaks(args) => leaks::run(global, args),
        Command::Report(args) => report::run(global, args),
        Command::Revoke(args) => revoke::run(global, args),
        Command::Rules(args) => rules::run(args, global),
        Command::Simulate(args) => simulate::run(global, args),
        Command::Demo(args) => demo::run(global, args),
        Command::Calendar(args) => calendar::run(global, args),
    }
}

/// The global flags as the plain values `config` takes.
pub fn flags(global: &GlobalArgs, rules: RuleDirs) -> Flags {
    Flags {
        config: global.config.clone(),
        env: global.env.clone(),
        nips: global.nips.clone(),
        rules,
    }
}

/// Loads and validates the config (every section, every problem at once).
pub fn load_config(global: &GlobalArgs, rules: RuleDirs) -> Result<Config> {
    Ok(crate::config::load(&flags(global, rules))?)
}
