//! `ksef-audit merge`.

use std::path::PathBuf;

use clap::Args;

use ksef_model::Severity;

use super::leaks::LeaksFormat;
use super::shared::{ConfigArg, CsvExcelArg, FormatArg, LangArg, OutputArg, QuietArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit merge -o leaks.json shard-1.json shard-2.json shard-3.json
  ksef-audit merge --format sarif -o leaks.sarif repo-a.json repo-b.json";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "format",
        "Output format: text, json, jsonl, csv, sarif, gitlab, junit for leaks; json, text, csv for audits \
         (default: json; inferred from the extension of --output)"
    ))
)]
pub struct MergeArgs {
    /// JSON results of `leaks` (shards or repositories) or of `audit` (several runs), all of one kind
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub format: FormatArg<LeaksFormat>,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    #[command(flatten)]
    pub lang: LangArg,
    /// Fail (exit 1) on findings at or above this severity (default: any)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Leak results: exit 2 when any part skipped something (a refused archive, a link)
    #[arg(long)]
    pub fail_on_skipped: bool,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub quiet: QuietArg,
}
