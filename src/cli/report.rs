//! `ksef-audit report`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{ConfigArg, CsvExcelArg, FormatArg, LangArg, OutputArg, QuietArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit report --audit audit.json --leaks leaks.json -o review.html
  ksef-audit report --kind quarterly --audit audit.json --previous q3.json --lang pl -o q4.html
  ksef-audit report --kind quarterly --audit audit.json --offboard-records records/ -o q4.html
  ksef-audit report --kind quarterly --audit audit.json --csv-excel -o q4.csv";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    Review,
    Quarterly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportTable {
    Findings,
    Clients,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaskNip {
    /// NIPs listed in `[report] sole-traders`
    SoleTraders,
    /// Every NIP
    All,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "format",
        "Output format (default: html; csv when --output ends in .csv or with --csv-excel)"
    )),
    mut_args(help_for(
        "lang",
        "Language of the report (default: `[report] lang` of the config, else en)"
    ))
)]
pub struct ReportArgs {
    /// Results of `audit --format json`
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
    /// Results of `leaks --format json`
    #[arg(long, value_name = "FILE")]
    pub leaks: Option<PathBuf>,
    /// Earlier audit results for the comparison and trend (repeatable, any order)
    #[arg(long, value_name = "FILE")]
    pub previous: Vec<PathBuf>,
    /// `review` (every finding) or `quarterly` (management report)
    #[arg(long, value_enum, default_value_t = ReportKind::Review)]
    pub kind: ReportKind,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub format: FormatArg<ReportFormat>,
    /// With `--format csv`: which table (default: findings for review, clients for quarterly)
    #[arg(long, value_enum)]
    pub table: Option<ReportTable>,
    #[command(flatten)]
    pub lang: LangArg,
    /// Directory of templates overriding the built-in ones (same file names as `reports/`)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Staff list CSV: PESELs of token authors are shown as staff names
    #[arg(long, value_name = "FILE")]
    pub staff: Option<PathBuf>,
    /// Directory of offboarding records (`offboard --output-dir DIR`): the quarterly report
    /// links each person who left to their newest record
    #[arg(long, value_name = "DIR")]
    pub offboard_records: Option<PathBuf>,
    /// Mask NIPs: of sole traders (`[report] sole-traders`), or all with `--mask-nip=all`
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "sole-traders", require_equals = true)]
    pub mask_nip: Option<MaskNip>,
    #[command(flatten)]
    pub csv_excel: CsvExcelArg,
    /// Quarter label on the cover, e.g. 2026Q4 (default: the quarter of the audit date)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub quiet: QuietArg,
}
