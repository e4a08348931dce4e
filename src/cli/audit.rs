//! `ksef-audit audit`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use ksef_model::Severity;

use super::shared::{
    ColorArg, CsvExcelArg, GroupBy, KsefCommonArgs, LangArg, OutputsArgs, help_for,
};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit audit                                    live audit of the contexts in ksef-audit.toml
  ksef-audit audit --from tokens.json --inventory inventory.csv
  ksef-audit audit --format json -o audit.json        results for `report` and `--baseline`
  ksef-audit audit --csv-excel -o audit.csv           for Excel with Polish settings
  ksef-audit audit --baseline last.json --fail-on-new fail only on findings new since last time
  ksef-audit audit --format json,html,csv --output-dir out/   every format from one KSeF fetch
  ksef-audit audit --group-by owner --min-severity high       who has what to fix";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
    Html,
}

#[derive(Debug, Default, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "format",
        "Output format, or several separated by commas with --output-dir (default: text; \
         inferred from the extension of --output: .json, .csv, .html, .txt)"
    )),
    mut_args(help_for(
        "output",
        "Write to FILE instead of standard output; repeat to write several formats from one \
         run, each named by its extension (.txt, .json, .csv, .html)"
    )),
    mut_args(help_for(
        "output_dir",
        "Write every --format into DIR as audit.txt, audit.json, audit.csv, audit.html (one \
         KSeF fetch for all)"
    ))
)]
pub struct AuditArgs {
    /// Read tokens from a `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// Token inventory CSV (default: `[audit] inventory` in the config)
    #[arg(long, value_name = "CSV")]
    pub inventory: Option<PathBuf>,
    /// Staff list CSV (default: `[audit] staff` in the config)
    #[arg(long, value_name = "CSV")]
    pub staff: Option<PathBuf>,
    /// Exceptions file (default: `[audit] exceptions`, else ksef-audit.exceptions.toml next to the config)
    #[arg(long, value_name = "TOML")]
    pub exceptions: Option<PathBuf>,
    /// Extra rule files added to the built-in ones (`DIR/policy/*.toml`; leak rules in `DIR/leaks/`)
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    #[command(flatten)]
    pub outputs: OutputsArgs<AuditFormat>,
    /// Text output: group the findings by rule, client (NIP) or owner
    #[arg(long, value_enum, value_name = "BY")]
    pub group_by: Option<GroupBy>,
    /// Text output: every finding in its own block instead of the items (one rule in one
    /// context, one person who left)
    #[arg(long)]
    pub expand: bool,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    /// Fail (exit 1) on findings at or above this severity (default: high)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors and incomplete contexts still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Show only findings at or above this severity in text and CSV (JSON keeps every
    /// finding; the exit code still follows --fail-on)
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Earlier `audit --format json` results: mark findings new, unchanged or fixed
    #[arg(long, value_name = "JSON")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: fail only on new findings
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Judge ages against this moment (RFC 3339 or YYYY-MM-DD; default: the snapshot's fetch time)
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Approved access register CSV for permission grants: NIP, holder, permissions (default: `[audit] access-register`)
    #[arg(long, value_name = "CSV")]
    pub access_register: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
