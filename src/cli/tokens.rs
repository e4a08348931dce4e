//! `ksef-audit tokens`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{
    ColorArg, CsvExcelArg, FormatArg, KsefCommonArgs, LangArg, OutputArg, help_for,
};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit tokens                                  every token of every context, as a table
  ksef-audit tokens --format json -o tokens.json     a snapshot for `audit --from`
  ksef-audit tokens --csv-excel -o tokens.csv        for Excel with Polish settings
  ksef-audit tokens --from tokens.json --format csv  re-render a saved snapshot";

/// `--format` of `tokens` and `certificates`.
pub(super) const TABLE_FORMAT_HELP: &str =
    "Output format (default: table; csv when --output ends in .csv, json for .json)";

/// The formats of the token, grant and certificate listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokensFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES, mut_args(help_for("format", TABLE_FORMAT_HELP)))]
pub struct TokensArgs {
    #[command(flatten)]
    pub format: FormatArg<TokensFormat>,
    #[command(flatten)]
    pub output: OutputArg,
    /// Re-render a saved `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
