//! Orchestration: collect -> evaluate -> render, one file per command.

pub mod audit;
pub mod demo;
mod leaks;
mod output;
mod progress;
pub mod revoke;
pub mod rules;
mod simulate;
pub mod tokens;

pub use output::Output;

use anyhow::{Result, bail};

use crate::cli::{Cli, Command};
use crate::error::Outcome;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    let name = match &cli.command {
        Command::Tokens(args) => return tokens::run(&cli.global, args),
        Command::Revoke(args) => return revoke::run(&cli.global, args),
        Command::Demo(args) => return demo::run(&cli.global, args),
        Command::Audit(args) => return audit::run(args, &cli.global),
        Command::Leaks(args) => return leaks::run(&cli.global, args),
        Command::Report(_) => "report",
        Command::Rules(args) => return rules::run(args, &cli.global),
        Command::Simulate(args) => return simulate::run(&cli.global, args),
    };
    bail!("`ksef-audit {name}` is not available in this build yet")
}
