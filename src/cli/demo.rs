//! `ksef-audit demo`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{LangArg, QuietArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit demo                      everything, written to ./ksef-audit-demo
  ksef-audit demo --out /tmp/demo -q   quietly, elsewhere";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "lang",
        "Language of the narration on the terminal: en or pl (default: en); the files it writes stay as they are"
    ))
)]
pub struct DemoArgs {
    /// Where to write the demo outputs (default: ./ksef-audit-demo)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub quiet: QuietArg,
}
