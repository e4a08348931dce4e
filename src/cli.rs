//! Command-line types (clap). No logic here: `app` acts on these.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "ksef-audit",
    version,
    about = "Keeps KSeF authentication tokens under control: inventory audit, leak scanning, reports",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Config file (default: ./ksef-audit.toml when present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// KSeF environment: test, demo, prod, a base URL, or LABEL=URL (e.g. prod=https://proxy/ksef)
    #[arg(long, global = true, value_name = "ENV")]
    pub env: Option<String>,
    /// Audit this NIP (repeatable); overrides the contexts of the config
    #[arg(long = "nip", global = true, value_name = "NIP")]
    pub nips: Vec<String>,
    /// Only errors on stderr, no progress
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every KSeF token of every context (live, or from a saved snapshot)
    Tokens(TokensArgs),
    /// Audit tokens against the inventory, staff list and policy rules
    Audit(AuditArgs),
    /// Find KSeF tokens in files, archives and git history
    Leaks(LeaksArgs),
    /// Render HTML/CSV reports from audit and leak results
    Report(ReportArgs),
    /// Revoke tokens (dry run unless --yes)
    Revoke(RevokeArgs),
    /// List, explain and check the policy and leak rules
    Rules(RulesArgs),
    /// Serve a KSeF API simulator on loopback
    Simulate(SimulateArgs),
    /// Run the whole pipeline on the built-in example firm
    Demo(DemoArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokensFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = TokensFormat::Table)]
    pub format: TokensFormat,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Re-render a saved `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
    Html,
}

#[derive(Debug, Args)]
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
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Fail (exit 1) on findings at or above this severity (default: high)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors and incomplete contexts still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Earlier `audit --format json` results: mark findings new, unchanged or fixed
    #[arg(long, value_name = "JSON")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: fail only on new findings
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Judge ages against this moment (RFC 3339 or YYYY-MM-DD; default: the snapshot's fetch time)
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LeaksFormat {
    Text,
    Json,
    Jsonl,
    Csv,
    Sarif,
    Html,
}

#[derive(Debug, Args)]
pub struct LeaksArgs {
    /// Files or directories to scan (`-` for standard input; default: the current directory)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LeaksFormat::Text)]
    pub format: LeaksFormat,
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip paths matching GLOB, relative to the scanned root (repeatable; adds to `[leaks] exclude`)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than SIZE (bytes, or with K/M/G suffix; default 64M)
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Extra leak rules: DIR/leaks/*.toml or DIR/*.toml (same id replaces a built-in rule)
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Suppress findings whose fingerprint is listed in FILE
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the fingerprints of every finding of this run to FILE (sorted, stable)
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
    /// With --git: only commits not reachable from REV (a CI push or PR range)
    #[arg(long, value_name = "REV", requires = "git")]
    pub since: Option<String>,
    /// With --git: only what is staged in the index (pre-commit hook)
    #[arg(long, requires = "git")]
    pub staged: bool,
    /// With --git: also scan unreachable (dangling) commits and blobs of the object database
    #[arg(long, requires = "git", conflicts_with_all = ["since", "staged"])]
    pub unreachable: bool,
    /// Fail (exit 1) on findings at or above this severity (default: any)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
}

/// `123`, `64K`, `64M`, `1G` (also `KiB`/`MiB`/`GiB`, `KB`/`MB`/`GB`: all binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    Review,
    Quarterly,
}

#[derive(Debug, Args)]
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
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// With `--format csv`: which table (default: findings for review, clients for quarterly)
    #[arg(long, value_enum)]
    pub table: Option<ReportTable>,
    /// Language of the report (default: `[report] lang` of the config, else en)
    #[arg(long, value_enum)]
    pub lang: Option<ReportLang>,
    /// Directory of templates overriding the built-in ones (same file names as `reports/`)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Staff list CSV: PESELs of token authors are shown as staff names
    #[arg(long, value_name = "FILE")]
    pub staff: Option<PathBuf>,
    /// Mask NIPs: of sole traders (`[report] sole-traders`), or all with `--mask-nip=all`
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "sole-traders", require_equals = true)]
    pub mask_nip: Option<MaskNip>,
    /// CSV for Polish Excel: `;` delimiter and a UTF-8 BOM
    #[arg(long)]
    pub csv_excel: bool,
    /// Quarter label on the cover, e.g. 2026Q4 (default: the quarter of the audit date)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
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
pub enum ReportLang {
    En,
    Pl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaskNip {
    /// NIPs listed in `[report] sole-traders`
    SoleTraders,
    /// Every NIP
    All,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Revoke the active tokens found by `leaks --verify --format json`
    #[arg(long, value_name = "LEAKS_JSON")]
    pub from: Option<PathBuf>,
    /// Really revoke (without it, only list what would be revoked)
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,
    /// Extra rule files besides the built-in ones: `DIR/policy/*.toml` and `DIR/leaks/*.toml`
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List every rule
    List,
    /// Show one rule in full
    Explain { name: String },
    /// Validate the rules and run their examples
    Check,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Listen address (loopback only)
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub addr: String,
    /// Fixture with contexts and tokens (default: the built-in demo firm)
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// Write each context's auditor token to DIR/NIP.token (mode 0600) and a
    /// matching DIR/ksef-audit.toml; token values are never printed
    #[arg(long, value_name = "DIR")]
    pub write_tokens: Option<PathBuf>,
    /// Lifetime of access tokens in seconds (short values exercise the client's refresh)
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Do not enforce the contract's rate limits
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Faults for every context without its own: a JSON file such as
    /// {"rateLimitEvery": 3, "retryAfterSecs": 2} (see docs/simulator.md)
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo outputs (default: ./ksef-audit-demo)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
