//! `ksef-audit permissions`.

use std::path::PathBuf;

use clap::{Arg, Args};

use super::shared::{ColorArg, CsvExcelArg, FormatArg, KsefCommonArgs, LangArg, OutputArg};
use super::tokens::TokensFormat;

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit permissions                                every grant of every context, as a table
  ksef-audit permissions --format json -o grants.json   a snapshot (tokens and grants) for `audit --from`
  ksef-audit permissions --from grants.json --csv-excel -o grants.csv";

/// `--format` here: a table unless it says otherwise (the extension of `-o FILE` does not
/// choose).
fn format_flag(arg: Arg) -> Arg {
    if arg.get_id() != "format" {
        return arg;
    }
    arg.help("Output format (`json`: the versioned snapshot, tokens and grants)")
        .default_value("table")
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES, mut_args(format_flag))]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub format: FormatArg<TokensFormat>,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    #[command(flatten)]
    pub output: OutputArg,
    /// Re-render a saved `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
