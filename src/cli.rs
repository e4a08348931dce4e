//! Command-line types (clap). No logic here: `app` acts on these.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use ksef_model::Severity;
use ksef_model::Shard;

#[derive(Debug, Parser)]
#[command(
    name = "ksef-audit",
    version,
    about = "Keeps KSeF authentication tokens under control: inventory audit, leak scanning, reports",
    propagate_version = true,
    after_help = MAIN_EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    pub leading: LeadingArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags given before the command (`ksef-audit --config x.toml audit`). Each command takes
/// the ones that apply to it after its name too, and lists only those in its `--help`; one
/// given here for a command that does not take it is ignored, as it always was.
#[derive(Debug, Clone, Default, Args)]
pub struct LeadingArgs {
    /// Config file (default: $KSEF_AUDIT_CONFIG, else ksef-audit.toml here or in a parent); also accepted after the command
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// KSeF environment (see `ksef-audit tokens --help`)
    #[arg(long, value_name = "ENV", hide = true)]
    pub env: Option<String>,
    /// NIP to work on (see `ksef-audit tokens --help`)
    #[arg(long = "nip", value_name = "NIP", hide = true)]
    pub nips: Vec<String>,
    /// Only errors on stderr, no progress; also accepted after the command
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more); also accepted after the command
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour (see `ksef-audit audit --help`)
    #[arg(long, value_enum, value_name = "WHEN", hide = true)]
    pub color: Option<ColorChoice>,
}

/// The flags shared by several commands, resolved: what was given before the command merged
/// with what was given after it. `app` passes this to every command.
#[derive(Debug, Clone, Default)]
pub struct GlobalArgs {
    pub config: Option<PathBuf>,
    pub env: Option<String>,
    pub nips: Vec<String>,
    pub quiet: bool,
    pub verbose: u8,
    pub color: ColorChoice,
}

/// When to colour severities and statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    // On a terminal, unless NO_COLOR is set (or TERM=dumb)
    #[default]
    Auto,
    // Always, even into a pipe or file (wins over NO_COLOR)
    Always,
    // Never
    Never,
}

impl ColorChoice {
    /// Whether output to a terminal (`is_terminal`) or elsewhere is coloured, given the
    /// environment's `NO_COLOR` and `TERM`.
    pub fn enabled(self, is_terminal: bool, no_color: Option<&str>, term: Option<&str>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb")
            }
        }
    }
}

/// `--color`, for the commands whose output has severities or statuses.
#[derive(Debug, Clone, Copy, Default, Args)]
#[command(next_help_heading = "Common options")]
pub struct ColorArg {
    /// Colour severities and statuses: auto (on a terminal, unless NO_COLOR is set), always,
    /// never
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
}

/// How `audit --group-by` groups the findings of the text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    // One group per rule, most severe first
    Rule,
    // One group per client (NIP)
    Client,
    // One group per token owner (no owner last)
    Owner,
}

/// `--config`, for the commands that read the config file.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Common options")]
pub struct ConfigArg {
    /// Config file (default: $KSEF_AUDIT_CONFIG, else ksef-audit.toml here or in a parent up to the repository root)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Where KSeF is and which contexts to read, for the commands that call KSeF.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "KSeF")]
pub struct KsefArgs {
    /// KSeF environment: test, demo, prod, a base URL, or LABEL=URL (e.g. prod=https://proxy/ksef);
    /// wins over `[ksef] environment` of the config
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Work on this NIP (repeatable) instead of the contexts of the config; its token comes from
    /// `KSEF_TOKEN_<NIP>` or `KSEF_TOKEN`
    #[arg(long = "nip", value_name = "NIP")]
    pub nips: Vec<String>,
}

/// `-q` and `-v`, for the commands that report progress or detail on stderr.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Common options")]
pub struct LogArgs {
    /// Only errors on stderr, no progress
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more)
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The shared flags of the commands that call KSeF: [`KsefArgs`], `--config`, `-q`, `-v`.
#[derive(Debug, Clone, Default, Args)]
pub struct KsefCommonArgs {
    #[command(flatten)]
    pub ksef: KsefArgs,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub log: LogArgs,
}

/// `-q` alone, for the commands with a summary on stderr but nothing more to say.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Common options")]
pub struct QuietArg {
    /// Only errors on stderr, no summary
    #[arg(short, long)]
    pub quiet: bool,
}

/// The shared flags one command takes (after its name): `None` where it takes none of that kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub config: Option<&'a Option<PathBuf>>,
    pub ksef: Option<&'a KsefArgs>,
    pub quiet: Option<bool>,
    pub verbose: Option<u8>,
    /// `Some(None)`: takes `--color`, not given after the command.
    pub color: Option<Option<ColorChoice>>,
}

impl Command {
    /// The command's name as typed (`tokens`, `rules`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Tokens(_) => "tokens",
            Command::Permissions(_) => "permissions",
            Command::Certificates(_) => "certificates",
            Command::Init(_) => "init",
            Command::Audit(_) => "audit",
            Command::Leaks(_) => "leaks",
            Command::Report(_) => "report",
            Command::Merge(_) => "merge",
            Command::Revoke(_) => "revoke",
            Command::Rules(_) => "rules",
            Command::Simulate(_) => "simulate",
            Command::Demo(_) => "demo",
            Command::Calendar(_) => "calendar",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
        }
    }

    /// Which shared flags this command takes, with the values given after its name.
    pub fn scope(&self) -> Scope<'_> {
        let log = |l: &LogArgs| (Some(l.quiet), Some(l.verbose));
        let (config, ksef, (quiet, verbose)) = match self {
            Command::Tokens(TokensArgs { common, .. })
            | Command::Permissions(PermissionsArgs { common, .. })
            | Command::Certificates(CertificatesArgs { common, .. })
            | Command::Init(InitArgs { common, .. })
            | Command::Audit(AuditArgs { common, .. })
            | Command::Leaks(LeaksArgs { common, .. })
            | Command::Revoke(RevokeArgs { common, .. }) => (
                Some(&common.config.config),
                Some(&common.ksef),
                log(&common.log),
            ),
            Command::Report(a) => (Some(&a.config.config), None, (Some(a.quiet.quiet), None)),
            Command::Merge(a) => (Some(&a.config.config), None, (Some(a.quiet.quiet), None)),
            Command::Rules(a) => (Some(&a.config), None, (None, None)),
            Command::Simulate(a) => (None, None, log(&a.log)),
            Command::Demo(a) => (None, None, (Some(a.quiet.quiet), None)),
            Command::Calendar(a) => (None, None, (Some(a.quiet.quiet), None)),
            Command::Completions(_) | Command::Man(_) => (None, None, (None, None)),
        };
        let color = match self {
            Command::Tokens(a) => Some(a.color.color),
            Command::Audit(a) => Some(a.color.color),
            Command::Leaks(a) => Some(a.color.color),
            Command::Permissions(a) => Some(a.color.color),
            Command::Certificates(a) => Some(a.color.color),
            Command::Rules(RulesArgs {
                action: RulesAction::List { color, .. },
                ..
            }) => Some(color.color),
            _ => None,
        };
        Scope {
            config,
            ksef,
            quiet,
            verbose,
            color,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every KSeF token of every context (live, or from a saved snapshot)
    #[command(after_help = TOKENS_EXAMPLES)]
    Tokens(TokensArgs),
    /// List every permission grant of every context (live, or from a saved snapshot)
    #[command(after_help = PERMISSIONS_EXAMPLES)]
    Permissions(PermissionsArgs),
    /// List the KSeF certificates of every context signed in with a certificate, with findings
    #[command(after_help = CERTIFICATES_EXAMPLES)]
    Certificates(CertificatesArgs),
    /// Audit tokens against the inventory, staff list and policy rules
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// Find KSeF tokens in files, archives and git history
    #[command(after_help = LEAKS_EXAMPLES)]
    Leaks(LeaksArgs),
    /// Render HTML/CSV reports from audit and leak results
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Combine the JSON results of several `leaks` shards or repositories (or `audit` runs) into one
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Revoke tokens or (--grants) permission grants found by an audit (dry run unless --yes)
    #[command(after_help = REVOKE_EXAMPLES)]
    Revoke(RevokeArgs),
    /// List, explain and check the policy and leak rules
    #[command(after_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// Serve a KSeF API simulator on loopback
    #[command(after_help = SIMULATE_EXAMPLES)]
    Simulate(SimulateArgs),
    /// Run the whole pipeline on the built-in example firm
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Write calendar reminders (iCalendar) before each planned token expiry and certificate expiry
    #[command(after_help = CALENDAR_EXAMPLES)]
    Calendar(CalendarArgs),
    /// Start out: write a commented ksef-audit.toml and, from a token listing, a starter inventory
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell)
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from this command line
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const MAIN_EXAMPLES: &str = "EXAMPLES:
  ksef-audit demo                                  try everything on a built-in example firm
  ksef-audit tokens --nip 5265877635               every KSeF token of one context
  ksef-audit audit --inventory inventory.csv       audit the tokens against your inventory
  ksef-audit leaks --git .                         look for leaked tokens in a repository
  ksef-audit help audit                            the flags and examples of one command";
const TOKENS_EXAMPLES: &str = "EXAMPLES:
  ksef-audit tokens                                  every token of every context, as a table
  ksef-audit tokens --format json -o tokens.json     a snapshot for `audit --from`
  ksef-audit tokens --csv-excel -o tokens.csv        for Excel with Polish settings
  ksef-audit tokens --from tokens.json --format csv  re-render a saved snapshot";
const PERMISSIONS_EXAMPLES: &str = "EXAMPLES:
  ksef-audit permissions                                every grant of every context, as a table
  ksef-audit permissions --format json -o grants.json   a snapshot (tokens and grants) for `audit --from`
  ksef-audit permissions --from grants.json --csv-excel -o grants.csv";
const MERGE_EXAMPLES: &str = "EXAMPLES:
  ksef-audit merge -o leaks.json shard-1.json shard-2.json shard-3.json
  ksef-audit merge --format sarif -o leaks.sarif repo-a.json repo-b.json";
const CERTIFICATES_EXAMPLES: &str = "EXAMPLES:
  ksef-audit certificates --staff staff.csv            certificates, expiry and leavers, as a table
  ksef-audit certificates --format json -o certs.json  a snapshot (for `audit --from`) with findings
  ksef-audit certificates --csv-excel -o certs.csv     for Excel with Polish settings
  ksef-audit certificates --from certs.json --inventory inventory.csv   offline, with the inventory";
const AUDIT_EXAMPLES: &str = "EXAMPLES:
  ksef-audit audit                                    live audit of the contexts in ksef-audit.toml
  ksef-audit audit --from tokens.json --inventory inventory.csv
  ksef-audit audit --format json -o audit.json        results for `report` and `--baseline`
  ksef-audit audit --csv-excel -o audit.csv           for Excel with Polish settings
  ksef-audit audit --baseline last.json --fail-on-new fail only on findings new since last time
  ksef-audit audit --format json,html,csv --output-dir out/   every format from one KSeF fetch
  ksef-audit audit --group-by owner --min-severity high       who has what to fix";
const LEAKS_EXAMPLES: &str = "EXAMPLES:
  ksef-audit leaks .                                  files under the current directory
  ksef-audit leaks --git . --format sarif -o leaks.sarif   all git history, for code scanning
  ksef-audit leaks --staged                           what is about to be committed (pre-commit)
  ksef-audit leaks --git --since-commit origin/main   what a branch adds (pull request)
  ksef-audit leaks --git --since \"2 weeks ago\"       commits of the last two weeks
  ksef-audit leaks . --write-baseline ksef.baseline   accept today's findings, review the file
  ksef-audit leaks . --baseline ksef.baseline         report only findings not in the baseline
  ksef-audit leaks . -o leaks.json -o leaks.sarif     two formats from one scan
  ksef-audit leaks . --group-by owner --inventory inventory.csv   whose tokens leaked";
const REPORT_EXAMPLES: &str = "EXAMPLES:
  ksef-audit report --audit audit.json --leaks leaks.json -o review.html
  ksef-audit report --kind quarterly --audit audit.json --previous q3.json --lang pl -o q4.html
  ksef-audit report --kind quarterly --audit audit.json --csv-excel -o q4.csv";
const REVOKE_EXAMPLES: &str = "EXAMPLES:
  ksef-audit revoke --from leaks.json          list what would be revoked (dry run)
  ksef-audit revoke --from leaks.json --yes    revoke the active leaked tokens
  ksef-audit revoke --from audit.json --grants remove the grants the audit found (dry run)";
const RULES_EXAMPLES: &str = "EXAMPLES:
  ksef-audit rules list
  ksef-audit rules explain credential-without-owner
  ksef-audit rules check --rules ./my-rules";
const SIMULATE_EXAMPLES: &str = "EXAMPLES:
  ksef-audit simulate                                  the demo firm on 127.0.0.1:8089
  ksef-audit simulate --write-tokens sim/              tokens and a config for the tool in sim/
  ksef-audit tokens --config sim/ksef-audit.toml       (in another shell) the simulator's tokens";
const DEMO_EXAMPLES: &str = "EXAMPLES:
  ksef-audit demo                      everything, written to ./ksef-audit-demo
  ksef-audit demo --out /tmp/demo -q   quietly, elsewhere";
const INIT_EXAMPLES: &str = "EXAMPLES:
  ksef-audit init                                  a commented ksef-audit.toml to fill in
  ksef-audit init --from tokens.json               and inventory.csv: every active token one row
  ksef-audit --env prod --nip 5265877635 init --live   the same from a live listing (KSEF_TOKEN)
  ksef-audit init --dir records --force            elsewhere, overwriting what is there";
const COMPLETIONS_EXAMPLES: &str = "EXAMPLES:
  ksef-audit completions bash > ~/.local/share/bash-completion/completions/ksef-audit
  ksef-audit completions zsh > \"${fpath[1]}/_ksef-audit\"
  ksef-audit completions fish > ~/.config/fish/completions/ksef-audit.fish
  ksef-audit completions powershell >> $PROFILE";
const CALENDAR_EXAMPLES: &str = "EXAMPLES:
  ksef-audit calendar --audit audit.json -o ksef-reminders.ics
  ksef-audit calendar --audit audit.json --days-before 21 --per-owner reminders/
  ksef-audit calendar --audit audit.json --lang pl -o przypomnienia.ics   event texts in Polish";
const MAN_EXAMPLES: &str = "EXAMPLES:
  ksef-audit man > ksef-audit.1 && man ./ksef-audit.1
  ksef-audit man --dir /usr/local/share/man/man1   one page per command";

/// Shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ksef-audit.1 and one page per command (ksef-audit-audit.1, …) into DIR instead of
    /// printing the main page
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// Output format (`json`: the versioned snapshot, tokens and grants)
    #[arg(long, value_enum, default_value_t = TokensFormat::Table)]
    pub format: TokensFormat,
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Re-render a saved `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// Language of the table, the summary and the CSV headers and values: en or pl
    /// (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

#[derive(Debug, Args)]
pub struct CertificatesArgs {
    /// Output format (default: table; csv when --output ends in .csv, json for .json)
    #[arg(long, value_enum)]
    pub format: Option<TokensFormat>,
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Re-render a saved `tokens`/`certificates --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// Staff list CSV: certificates of leavers (default: `[audit] staff` in the config)
    #[arg(long, value_name = "CSV")]
    pub staff: Option<PathBuf>,
    /// Inventory CSV with a `certificate_serial` column (default: `[audit] inventory`)
    #[arg(long, value_name = "CSV")]
    pub inventory: Option<PathBuf>,
    /// Language of the table, the summary, the finding texts and the CSV headers and values:
    /// en or pl (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokensFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Output format (default: table; csv when --output ends in .csv, json for .json)
    #[arg(long, value_enum)]
    pub format: Option<TokensFormat>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Re-render a saved `tokens --format json` snapshot instead of calling KSeF
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// CSV for Excel with Polish settings: semicolons, a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Language of CSV headers and values, finding texts and the text summary: en or pl
    /// (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
    Html,
}

#[derive(Debug, Default, Args)]
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
    /// Output format, or several separated by commas with --output-dir (default: text;
    /// inferred from the extension of --output: .json, .csv, .html, .txt)
    #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
    pub format: Vec<AuditFormat>,
    /// Write to FILE instead of standard output; repeat to write several formats from one run,
    /// each named by its extension (.txt, .json, .csv, .html)
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Write every --format into DIR as audit.txt, audit.json, audit.csv, audit.html (one
    /// KSeF fetch for all)
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// Text output: group the findings by rule, client (NIP) or owner
    #[arg(long, value_enum, value_name = "BY")]
    pub group_by: Option<GroupBy>,
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
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
    /// Language of CSV headers and values, finding texts and the text summary: en or pl
    /// (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
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
    /// Output format, or several separated by commas with --output-dir (default: text;
    /// inferred from the extension of --output: .json, .jsonl, .csv, .sarif, .html, .txt)
    #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
    pub format: Vec<LeaksFormat>,
    /// Write to FILE instead of standard output; repeat to write several formats from one scan,
    /// each named by its extension (.txt, .json, .jsonl, .csv, .sarif, .html)
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Write every --format into DIR as leaks.txt, leaks.json, leaks.sarif, … (one scan for all)
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// CSV for Excel with Polish settings: semicolons, a UTF-8 BOM (implies --format csv)
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
    #[arg(long, requires = "git", conflicts_with_all = ["since", "staged"])]
    pub unreachable: bool,
    /// Fail (exit 1) on findings at or above this severity (default: any)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
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
    /// Language of CSV headers and values, finding texts and the text summary: en or pl
    /// (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub color: ColorArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON results of `leaks` (shards or repositories) or of `audit` (several runs), all of one kind
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format: text, json, jsonl, csv, sarif for leaks; json, text, csv for audits
    /// (default: json; inferred from the extension of --output)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<LeaksFormat>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV for Excel with Polish settings: semicolons, a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Language of CSV headers and values and of the text: en or pl (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    /// Fail (exit 1) on findings at or above this severity (default: any)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0 even with findings (errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub quiet: QuietArg,
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
    /// Output format (default: html; csv when --output ends in .csv or with --csv-excel)
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
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
    /// CSV for Polish Excel: `;` delimiter and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
    /// Quarter label on the cover, e.g. 2026Q4 (default: the quarter of the audit date)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub quiet: QuietArg,
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
    /// Revoke the active tokens found by `leaks --verify --format json` (with --grants: the
    /// grants found by `audit --format json`)
    #[arg(long, value_name = "LEAKS_JSON")]
    pub from: Option<PathBuf>,
    /// Really revoke (without it, only list what would be revoked)
    #[arg(long)]
    pub yes: bool,
    /// Remove the permission grants of the audit findings in --from (an `audit --format json` file)
    #[arg(long)]
    pub grants: bool,
    /// With --grants: the findings of this rule (name or id; repeatable; default: the
    /// leaver rules grant-held-by-leaver and read-grant-held-by-leaver)
    #[arg(long, value_name = "RULE", requires = "grants")]
    pub rule: Vec<String>,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,
    /// Extra rule files besides the built-in ones: `DIR/policy/*.toml` and `DIR/leaks/*.toml`
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Config file: its disabled rules and severity changes apply (default: ./ksef-audit.toml
    /// when present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List every rule
    List {
        /// Language of the headings and of the titles (policy rules have Polish titles): en
        /// or pl (default: en)
        #[arg(long, value_enum, value_name = "LANG")]
        lang: Option<ReportLang>,
        #[command(flatten)]
        color: ColorArg,
    },
    /// Show one rule in full
    Explain {
        /// Rule id or name (POL001, credential-without-owner, ksef-token-v2)
        #[arg(value_name = "RULE")]
        name: String,
    },
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
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo outputs (default: ./ksef-audit-demo)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: QuietArg,
}

#[derive(Debug, Args)]
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
    pub common: KsefCommonArgs,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Results of `audit --format json` (tokens with a planned expiry in the inventory)
    #[arg(long, value_name = "FILE")]
    pub audit: PathBuf,
    /// How many days before the planned expiry the reminder falls
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub days_before: u32,
    /// Also write one calendar per owner into DIR (`OWNER.ics`, `unassigned.ics`)
    #[arg(long, value_name = "DIR")]
    pub per_owner: Option<PathBuf>,
    /// Write the calendar to FILE (`.ics`) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Language of the event texts: en or pl (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// The format `-o FILE`'s extension names (`.csv` -> "csv"), lower-cased; `None` without one.
pub fn extension_format(output: Option<&std::path::Path>) -> Option<String> {
    output?
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// The output format a command writes: `--format` when given, else `csv` with `--csv-excel`,
/// else the extension of `-o FILE` when it names one of `known`, else `default`. A conflict
/// (`--csv-excel` with another `--format`) is an error naming both flags.
pub fn choose_format<F: ValueEnum + Copy + PartialEq>(
    format: Option<F>,
    csv_excel: bool,
    output: Option<&std::path::Path>,
    default: F,
) -> Result<F, String> {
    let csv = F::from_str("csv", true).ok();
    if csv_excel {
        return match (format, csv) {
            (Some(f), Some(c)) if f != c => Err(format!(
                "--csv-excel writes CSV, but --format {} was given\nhelp: drop --format, or use --format csv",
                f.to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            )),
            (_, Some(c)) => Ok(c),
            (_, None) => Err("--csv-excel: this command writes no CSV".into()),
        };
    }
    if let Some(f) = format {
        return Ok(f);
    }
    Ok(extension_format(output)
        .and_then(|ext| F::from_str(&ext, true).ok())
        .unwrap_or(default))
}

/// The file extension a format is written with (`text` -> `txt`).
pub fn format_extension<F: ValueEnum>(format: F) -> String {
    let name = format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    if name == "text" { "txt".into() } else { name }
}

fn format_name<F: ValueEnum>(format: F) -> String {
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Every output one run writes: `(format, None)` for standard output, `(format, Some(file))`.
///
/// One `--format` and at most one `-o` behave as [`choose_format`]. Several outputs come from
/// `--format a,b --output-dir DIR` (`DIR/STEM.EXT` each) or from repeated `-o FILE`, each
/// format named by the file's extension (`.txt` is text); a `--format` list must then name
/// the same formats. Anything ambiguous is an error that says what to write instead.
pub fn choose_outputs<F: ValueEnum + Copy + PartialEq>(
    formats: &[F],
    csv_excel: bool,
    outputs: &[PathBuf],
    output_dir: Option<&std::path::Path>,
    stem: &str,
    default: F,
) -> Result<Vec<(F, Option<PathBuf>)>, String> {
    let mut wanted: Vec<F> = Vec::new();
    for f in formats {
        if !wanted.contains(f) {
            wanted.push(*f);
        }
    }
    let csv = F::from_str("csv", true).ok();
    let names = |fs: &[F]| {
        fs.iter()
            .map(|f| format_name(*f))
            .collect::<Vec<_>>()
            .join(",")
    };
    if let Some(dir) = output_dir {
        if wanted.is_empty() {
            match (csv_excel, csv) {
                (true, Some(c)) => wanted.push(c),
                _ => {
                    return Err(
                        "--output-dir needs the formats to write\nhelp: add e.g. --format json,html,csv"
                            .into(),
                    );
                }
            }
        }
        if csv_excel && csv.is_some_and(|c| !wanted.contains(&c)) {
            return Err(format!(
                "--csv-excel writes CSV, but --format {} has no csv\nhelp: add csv to --format, or drop --csv-excel",
                names(&wanted)
            ));
        }
        return Ok(wanted
            .into_iter()
            .map(|f| (f, Some(dir.join(format!("{stem}.{}", format_extension(f))))))
            .collect());
    }
    if outputs.len() <= 1 {
        if wanted.len() > 1 {
            return Err(format!(
                "--format {} writes {} formats, but {}\nhelp: add --output-dir DIR, or give one -o FILE per format ({})",
                names(&wanted),
                wanted.len(),
                match outputs.first() {
                    Some(p) => format!("only one file was given (-o {})", p.display()),
                    None => "no place to write them was given".to_string(),
                },
                wanted
                    .iter()
                    .map(|f| format!("-o {stem}.{}", format_extension(*f)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        let out = outputs.first().map(PathBuf::as_path);
        let format = choose_format(wanted.first().copied(), csv_excel, out, default)?;
        let path = out.filter(|p| *p != std::path::Path::new("-"));
        return Ok(vec![(format, path.map(std::path::Path::to_path_buf))]);
    }
    let mut chosen: Vec<(F, Option<PathBuf>)> = Vec::new();
    for path in outputs {
        if chosen.iter().any(|(_, p)| p.as_ref() == Some(path)) {
            return Err(format!("-o {} is given twice", path.display()));
        }
        let ext = extension_format(Some(path));
        let format = ext
            .as_deref()
            .map(|e| if e == "txt" { "text" } else { e })
            .and_then(|e| F::from_str(e, true).ok())
            .ok_or_else(|| {
                format!(
                    "-o {}: with several -o, each file's extension names its format, and '{}' names none\nhelp: use one of {}",
                    path.display(),
                    ext.as_deref().map(|e| format!(".{e}")).unwrap_or_default(),
                    F::value_variants()
                        .iter()
                        .map(|f| format!(".{}", format_extension(*f)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        chosen.push((format, Some(path.clone())));
    }
    let written: Vec<F> = chosen.iter().map(|(f, _)| *f).collect();
    if !wanted.is_empty()
        && (wanted.iter().any(|f| !written.contains(f))
            || written.iter().any(|f| !wanted.contains(f)))
    {
        return Err(format!(
            "--format {} does not match the formats the -o files name ({})\nhelp: drop --format: each -o file's extension picks its format",
            names(&wanted),
            names(&written)
        ));
    }
    if csv_excel && csv.is_some_and(|c| !written.contains(&c)) {
        return Err("--csv-excel writes CSV, but no -o file ends in .csv\nhelp: add -o FILE.csv, or drop --csv-excel".into());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn several_outputs_come_from_output_dir_or_repeated_output() {
        let dir = Path::new("out");
        let got = choose_outputs(
            &[AuditFormat::Json, AuditFormat::Html, AuditFormat::Text],
            false,
            &[],
            Some(dir),
            "audit",
            AuditFormat::Text,
        );
        assert_eq!(
            got,
            Ok(vec![
                (AuditFormat::Json, Some(dir.join("audit.json"))),
                (AuditFormat::Html, Some(dir.join("audit.html"))),
                (AuditFormat::Text, Some(dir.join("audit.txt"))),
            ])
        );
        let files = [
            PathBuf::from("a.json"),
            PathBuf::from("b.CSV"),
            PathBuf::from("c.txt"),
        ];
        let got = choose_outputs(&[], false, &files, None, "audit", AuditFormat::Text);
        assert_eq!(
            got,
            Ok(vec![
                (AuditFormat::Json, Some(files[0].clone())),
                (AuditFormat::Csv, Some(files[1].clone())),
                (AuditFormat::Text, Some(files[2].clone())),
            ])
        );
        // One format, one file: as before (an explicit --format wins over the extension).
        let one = [PathBuf::from("x.csv")];
        assert_eq!(
            choose_outputs(
                &[AuditFormat::Json],
                false,
                &one,
                None,
                "audit",
                AuditFormat::Text
            ),
            Ok(vec![(AuditFormat::Json, Some(one[0].clone()))])
        );
        assert_eq!(
            choose_outputs::<AuditFormat>(&[], false, &[], None, "audit", AuditFormat::Text),
            Ok(vec![(AuditFormat::Text, None)])
        );
    }

    #[test]
    fn ambiguous_several_outputs_are_errors() {
        let two = [AuditFormat::Json, AuditFormat::Html];
        let err = choose_outputs(&two, false, &[], None, "audit", AuditFormat::Text)
            .expect_err("nowhere");
        assert!(
            err.contains("--output-dir") && err.contains("-o audit.json -o audit.html"),
            "{err}"
        );
        let err = choose_outputs(
            &two,
            false,
            &[PathBuf::from("a.json")],
            None,
            "audit",
            AuditFormat::Text,
        )
        .expect_err("one file");
        assert!(err.contains("only one file"), "{err}");
        let files = [PathBuf::from("a.json"), PathBuf::from("b.dat")];
        let err =
            choose_outputs::<AuditFormat>(&[], false, &files, None, "audit", AuditFormat::Text)
                .expect_err("unknown extension");
        assert!(err.contains("b.dat") && err.contains(".html"), "{err}");
        let files = [PathBuf::from("a.json"), PathBuf::from("b.html")];
        let err = choose_outputs(
            &[AuditFormat::Csv],
            false,
            &files,
            None,
            "audit",
            AuditFormat::Text,
        )
        .expect_err("mismatch");
        assert!(err.contains("does not match"), "{err}");
        let err =
            choose_outputs::<AuditFormat>(&[], true, &files, None, "audit", AuditFormat::Text)
                .expect_err("excel without csv");
        assert!(err.contains("--csv-excel"), "{err}");
        let same = [PathBuf::from("a.json"), PathBuf::from("a.json")];
        assert!(
            choose_outputs::<AuditFormat>(&[], false, &same, None, "audit", AuditFormat::Text)
                .is_err()
        );
        let err = choose_outputs::<AuditFormat>(
            &[],
            false,
            &[],
            Some(Path::new("d")),
            "audit",
            AuditFormat::Text,
        )
        .expect_err("no formats");
        assert!(err.contains("--format json,html,csv"), "{err}");
    }

    #[test]
    fn color_auto_follows_the_terminal_no_color_and_term() {
        assert!(ColorChoice::Auto.enabled(true, None, Some("xterm")));
        assert!(!ColorChoice::Auto.enabled(false, None, Some("xterm")));
        assert!(!ColorChoice::Auto.enabled(true, Some("1"), None));
        assert!(ColorChoice::Auto.enabled(true, Some(""), None));
        assert!(!ColorChoice::Auto.enabled(true, None, Some("dumb")));
        assert!(ColorChoice::Always.enabled(false, Some("1"), None));
        assert!(!ColorChoice::Never.enabled(true, None, None));
    }

    #[test]
    fn output_extension_and_csv_excel_choose_the_format() {
        let pick = |format, excel, out: Option<&str>| {
            choose_format(format, excel, out.map(Path::new), ReportFormat::Html)
        };
        // `-o q.csv` writes CSV, not HTML into a .csv file.
        assert_eq!(pick(None, false, Some("q.csv")), Ok(ReportFormat::Csv));
        assert_eq!(pick(None, false, Some("Q.CSV")), Ok(ReportFormat::Csv));
        assert_eq!(pick(None, false, Some("q.html")), Ok(ReportFormat::Html));
        assert_eq!(pick(None, false, Some("q.txt")), Ok(ReportFormat::Html));
        assert_eq!(pick(None, true, None), Ok(ReportFormat::Csv));
        assert_eq!(
            pick(Some(ReportFormat::Csv), true, Some("q.csv")),
            Ok(ReportFormat::Csv)
        );
        let err = pick(Some(ReportFormat::Html), true, None).expect_err("conflict");
        assert!(
            err.contains("--csv-excel") && err.contains("--format html"),
            "{err}"
        );
        // An explicit --format wins over the extension.
        assert_eq!(
            pick(Some(ReportFormat::Html), false, Some("q.csv")),
            Ok(ReportFormat::Html)
        );
        let leaks = choose_format(None, false, Some(Path::new("x.sarif")), LeaksFormat::Text);
        assert_eq!(leaks, Ok(LeaksFormat::Sarif));
    }
}
