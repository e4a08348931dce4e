//! `ksef-audit certificates`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{
    ColorArg, CsvExcelArg, FormatArg, KsefCommonArgs, LangArg, OutputArg, help_for,
};
use super::tokens::{TABLE_FORMAT_HELP, TokensFormat};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit certificates --staff staff.csv            certificates, expiry and leavers, as a table
  ksef-audit certificates --format json -o certs.json  a snapshot (for `audit --from`) with findings
  ksef-audit certificates --csv-excel -o certs.csv     for Excel with Polish settings
  ksef-audit certificates --from certs.json --inventory inventory.csv   offline, with the inventory";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES, mut_args(help_for("format", TABLE_FORMAT_HELP)))]
pub struct CertificatesArgs {
    #[command(flatten)]
    pub format: FormatArg<TokensFormat>,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    #[command(flatten)]
    pub output: OutputArg,
    /// Re-render a saved `tokens`/`certificates --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// Staff list CSV: certificates of leavers (default: `[audit] staff` in the config)
    #[arg(long, value_name = "CSV")]
    pub staff: Option<PathBuf>,
    /// Inventory CSV with a `certificate_serial` column (default: `[audit] inventory`)
    #[arg(long, value_name = "CSV")]
    pub inventory: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
