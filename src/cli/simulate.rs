//! `ksef-audit simulate`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{LangArg, LogArgs, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit simulate                                  the demo firm on 127.0.0.1:8089
  ksef-audit simulate --write-tokens sim/              tokens and a config for the tool in sim/
  ksef-audit tokens --config sim/ksef-audit.toml       (in another shell) the simulator's tokens";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for("lang", "Language of the startup lines: en or pl (default: en)"))
)]
pub struct SimulateArgs {
    /// Listen address (loopback only)
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub addr: String,
    /// Fixture with contexts and tokens (default: the built-in demo firm)
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// Write each context's auditor token to DIR/NIP.token (mode 0600) and a
    /// matching DIR/ksef-audit.toml; token values are never printed
    #[arg(long, value_name = "DIR")]
    pub write_tokens: Option<PathBuf>,
    /// Lifetime of access tokens in seconds (short values exercise the client's refresh)
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Do not enforce the contract's rate limits
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Faults for every context without its own: a JSON file such as
    /// {"rateLimitEvery": 3, "retryAfterSecs": 2} (see docs/simulator.md)
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub log: LogArgs,
}
