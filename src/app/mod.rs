//! Orchestration: collect -> evaluate -> render, one file per command.

pub mod audit;
pub mod demo;
mod leaks;
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

use crate::cli::{Cli, Command};
use crate::error::Outcome;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    match &cli.command {
        Command::Tokens(args) => tokens::run(&cli.global, args),
        Command::Audit(args) => audit::run(args, &cli.global),
        Command::Leaks(args) => leaks::run(&cli.global, args),
        Command::Report(args) => report::run(&cli.global, args),
        Command::Revoke(args) => revoke::run(&cli.global, args),
        Command::Rules(args) => rules::run(args, &cli.global),
        Command::Simulate(args) => simulate::run(&cli.global, args),
        Command::Demo(args) => demo::run(&cli.global, args),
    }
}
