//! `ksef-audit leaks`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use ksef_model::Severity;
use ksef_model::Shard;

use super::shared::{ColorArg, GroupBy, KsefCommonArgs, ReportLang};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit leaks .                                  files under the current directory
  ksef-audit leaks --git . --format sarif -o leaks.sarif   all git history, for code scanning
  ksef-audit leaks --staged                           what is about to be committed (pre-commit)
  ksef-audit leaks --git --since-commit origin/main   what a branch adds (pull request)
  ksef-audit leaks --git --since \"2 weeks ago\"       commits of the last two weeks
  ksef-audit leaks . --write-baseline ksef.baseline   accept today's findings, review the file
  ksef-audit leaks . --baseline ksef.baseline         report only findings not in the baseline
  ksef-audit leaks . -o leaks.json -o leaks.sarif     two formats from one scan
  ksef-audit leaks . --group-by owner --inventory inventory.csv   whose tokens leaked";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LeaksFormat {
    Text,
    Json,
    Jsonl,
    Csv,
    Sarif,
    Html,
    Gitlab,
    Junit,
}

// `--format`, `-o`, `--output-dir`, `--csv-excel` and `--lang` are the shared `OutputsArgs`,
// `CsvExcelArg` and `LangArg` of the other commands (`--csv-excel` and `--lang` with their help
// word for word), spelled out here until `app::leaks` reads them through those groups.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct LeaksArgs {
    /// Files or directories to scan (`-` for standard input; default: the current directory)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format, or several separated by commas with --output-dir (default: text;
    /// inferred from the extension of --output: .json, .jsonl, .csv, .sarif, .html, .txt,
    /// .junit.xml; gitlab needs --format)
    #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
    pub format: Vec<LeaksFormat>,
    /// Write to FILE instead of standard output; repeat to write several formats from one scan,
    /// each named by its extension (.txt, .json, .jsonl, .csv, .sarif, .html, .junit.xml)
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Write every --format into DIR as leaks.txt, leaks.json, leaks.sarif, … (one scan for all)
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Skip paths matching GLOB, relative to the scanned root (repeatable; adds to `[leaks] exclude`)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read files larger than SIZE in overlapping windows of SIZE (bytes, or with K/M/G suffix; default 64M)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Extra leak rules: DIR/leaks/*.toml or DIR/*.toml (same id replaces a built-in rule)
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Suppress findings whose fingerprint is listed in FILE
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to FILE as a reviewable baseline (one fingerprint a line,
    /// annotated with rule, place, redacted preview and date) and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Ignore inline allow markers (`ksef-audit:allow`, `gitleaks:allow`, `pragma: allowlist secret`)
    #[arg(long)]
    pub strict: bool,
    /// Exceptions file (default: `[audit] exceptions` of the config)
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,
    /// Token inventory CSV: leaked tokens get their owner and system
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Ask KSeF (with our own access) whether each leaked 2.0 token is still active; never sends the secret
    #[arg(long)]
    pub verify: bool,
    /// Scan git history instead of the working tree (every blob reachable from every ref)
    #[arg(long)]
    pub git: bool,
    /// Only commits newer than a date or span, as git reads it ("2 days ago", "3 weeks",
    /// 2026-11-01, an RFC 3339 time); implies --git. A revision here still works but is
    /// deprecated: use --since-commit
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only commits not reachable from REV (a CI push or pull-request range); implies --git
    #[arg(long, value_name = "REV", conflicts_with = "since")]
    pub since_commit: Option<String>,
    /// Only what is staged in the index (pre-commit hook); implies --git
    #[arg(long)]
    pub staged: bool,
    /// With --git: also scan unreachable (dangling) commits and blobs of the object database
    /// (the default for a whole-history scan; kept for older scripts)
    #[arg(long, requires = "git", conflicts_with_all = ["since", "staged"])]
    pub unreachable: bool,
    /// With --git: leave out the unreachable (dangling) commits and blobs
    #[arg(long, requires = "git", conflicts_with = "unreachable")]
    pub no_unreachable: bool,
    /// Fail (exit 1) on findings at or above this severity (default: any)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 2 when anything was skipped: an archive refused by a size or nesting limit, a
    /// corrupt or encrypted archive, a symbolic link (by default they are listed and counted)
    #[arg(long)]
    pub fail_on_skipped: bool,
    /// Show only findings at or above this severity in text and CSV (JSON and SARIF keep every
    /// finding; the exit code still follows --fail-on)
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Text output: group the tokens found by rule, client (NIP) or owner (from the inventory)
    #[arg(long, value_enum, value_name = "BY")]
    pub group_by: Option<GroupBy>,
    /// Scan only shard K of N (1-based): files by a hash of their path, git blobs by object id,
    /// commit messages by commit id. Combine the N results with `ksef-audit merge`
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Read more roots (files, directories or, with --git, repositories) from FILE, one per
    /// line (`#` comments and blank lines ignored; `-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub roots_from: Option<PathBuf>,
    /// Language of the text or table, the summary, finding texts and CSV headers and values:
    /// en or pl (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

/// `123`, `64K`, `64M`, `1G` (also `KiB`/`MiB`/`GiB`, `KB`/`MB`/`GB`: all binary units).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (examples: 1048576, 512K, 64M, 1G)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("'{s}': unknown size unit (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{s}' is too large"))
}
