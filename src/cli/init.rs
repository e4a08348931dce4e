//! `ksef-audit init`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{KsefCommonArgs, LangArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit init                                  a commented ksef-audit.toml to fill in
  ksef-audit init --from tokens.json               and inventory.csv: every active token one row
  ksef-audit --env prod --nip 5265877635 init --live   the same from a live listing (KSEF_TOKEN)
  ksef-audit init --dir records --force            elsewhere, overwriting what is there";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "lang",
        "Language of the summary and messages: en or pl (default: the config's [report] lang, else en); the files written stay English"
    ))
)]
pub struct InitArgs {
    /// Also write inventory.csv from this saved `tokens --format json` snapshot
    #[arg(long, value_name = "SNAPSHOT", conflicts_with = "live")]
    pub from: Option<PathBuf>,
    /// Also write inventory.csv from a live KSeF listing (--env, --nip or a config)
    #[arg(long)]
    pub live: bool,
    /// Directory to write into (default: the current directory)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Overwrite an existing ksef-audit.toml or inventory.csv
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
