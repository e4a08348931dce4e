//! `ksef-audit demo`.

use std::path::PathBuf;

use clap::Args;

use super::shared::QuietArg;

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit demo                      everything, written to ./ksef-audit-demo
  ksef-audit demo --out /tmp/demo -q   quietly, elsewhere";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DemoArgs {
    /// Where to write the demo outputs (default: ./ksef-audit-demo)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: QuietArg,
}
