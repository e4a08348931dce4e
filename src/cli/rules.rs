//! `ksef-audit rules`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::shared::{ColorArg, LangArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit rules list
  ksef-audit rules explain credential-without-owner
  ksef-audit rules check --rules ./my-rules";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,
    /// Extra rule files besides the built-in ones: `DIR/policy/*.toml` and `DIR/leaks/*.toml`
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Config file: its disabled rules and severity changes apply (default: ./ksef-audit.toml
    /// when present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List every rule
    #[command(mut_args(help_for(
        "lang",
        "Language of the headings and of the titles (policy rules have Polish titles): en or \
         pl (default: en)"
    )))]
    List {
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Show one rule in full
    Explain {
        /// Rule id or name (POL001, credential-without-owner, ksef-token-v2)
        #[arg(value_name = "RULE")]
        name: String,
    },
    /// Validate the rules and run their examples
    Check,
}
