//! Orchestration: collect -> evaluate -> render, one file per command.

mod leaks;
mod leaks_git;
mod output;

pub use output::Output;

use anyhow::{Result, bail};

use crate::cli::{Cli, Command};
use crate::error::Outcome;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    let name = match &cli.command {
        Command::Tokens(_) => "tokens",
        Command::Audit(_) => "audit",
        Command::Leaks(args) => return leaks::run(&cli.global, args),
        Command::Report(_) => "report",
        Command::Revoke(_) => "revoke",
        Command::Rules(_) => "rules",
        Command::Simulate(_) => "simulate",
        Command::Demo(_) => "demo",
    };
    bail!("`ksef-audit {name}` is not available in this build yet")
}
