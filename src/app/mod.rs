//! Orchestration: collect -> evaluate -> render, one file per command.

pub mod audit;
mod leaks;
mod output;
pub mod rules;

pub use output::Output;

use anyhow::{Result, bail};

use crate::cli::{Cli, Command};
use crate::error::Outcome;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    let name = match &cli.command {
        Command::Audit(args) => return audit::run(args, &cli.global),
        Command::Rules(args) => return rules::run(args, &cli.global),
        Command::Tokens(_) => "tokens",
        Command::Leaks(args) => return leaks::run(&cli.global, args),
        Command::Report(_) => "report",
        Command::Revoke(_) => "revoke",
        Command::Simulate(_) => "simulate",
        Command::Demo(_) => "demo",
    };
    bail!("`ksef-audit {name}` is not available in this build yet")
}
