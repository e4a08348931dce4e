//! Command-line types (clap). No logic here: `app` acts on these.
//!
//! One file per command ([`TokensArgs`] in `tokens.rs`, …) with its flags and examples; the
//! flags several commands take are defined once in `shared.rs` and flattened into each.

mod audit;
mod calendar;
mod certificates;
mod completions;
mod demo;
mod doctor;
mod init;
mod leaks;
mod man;
mod merge;
mod offboard;
mod outputs;
mod permissions;
mod report;
mod revoke;
mod rules;
mod shared;
mod simulate;
mod tokens;

pub use audit::{AuditArgs, AuditFormat};
pub use calendar::CalendarArgs;
pub use certificates::CertificatesArgs;
pub use completions::{CompletionsArgs, Shell};
pub use demo::DemoArgs;
pub use doctor::{DoctorArgs, DoctorFormat};
pub use init::InitArgs;
pub use leaks::{LeaksArgs, LeaksFormat};
pub use man::ManArgs;
pub use merge::MergeArgs;
pub use offboard::{OffboardArgs, OffboardFormat};
pub use outputs::{choose_format, choose_outputs, format_extension};
pub use permissions::PermissionsArgs;
pub use report::{MaskNip, ReportArgs, ReportFormat, ReportKind, ReportTable};
pub use revoke::RevokeArgs;
pub use rules::{RulesAction, RulesArgs};
pub use shared::{
    ColorArg, ColorChoice, ConfigArg, CsvExcelArg, FormatArg, GroupBy, KsefArgs, KsefCommonArgs,
    LangArg, LogArgs, OutputArg, OutputsArgs, QuietArg, ReportLang,
};
pub use simulate::SimulateArgs;
pub use tokens::{TokensArgs, TokensFormat};

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
            Command::Offboard(_) => "offboard",
            Command::Rules(_) => "rules",
            Command::Simulate(_) => "simulate",
            Command::Demo(_) => "demo",
            Command::Doctor(_) => "doctor",
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
            | Command::Doctor(DoctorArgs { common, .. })
            | Command::Audit(AuditArgs { common, .. })
            | Command::Leaks(LeaksArgs { common, .. })
            | Command::Revoke(RevokeArgs { common, .. })
            | Command::Offboard(OffboardArgs { common, .. }) => (
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

    /// The `--lang` given after the command's name, if it takes one: the language of the
    /// error that ends a run.
    pub fn lang_flag(&self) -> Option<ReportLang> {
        match self {
            Command::Tokens(a) => a.lang.lang,
            Command::Permissions(a) => a.lang.lang,
            Command::Certificates(a) => a.lang.lang,
            Command::Audit(a) => a.lang.lang,
            Command::Leaks(a) => a.lang,
            Command::Report(a) => a.lang.lang,
            Command::Merge(a) => a.lang.lang,
            Command::Offboard(a) => a.lang.lang,
            Command::Calendar(a) => a.lang.lang,
            Command::Doctor(a) => a.lang.lang,
            Command::Init(a) => a.lang.lang,
            Command::Revoke(a) => a.lang.lang,
            Command::Simulate(a) => a.lang.lang,
            Command::Demo(a) => a.lang.lang,
            Command::Rules(RulesArgs {
                action: RulesAction::List { lang, .. },
                ..
            }) => lang.lang,
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every KSeF token of every context (live, or from a saved snapshot)
    Tokens(TokensArgs),
    /// List every permission grant of every context (live, or from a saved snapshot)
    Permissions(PermissionsArgs),
    /// List the KSeF certificates of every context signed in with a certificate, with findings
    Certificates(CertificatesArgs),
    /// Audit tokens against the inventory, staff list and policy rules
    Audit(AuditArgs),
    /// Find KSeF tokens in files, archives and git history
    Leaks(LeaksArgs),
    /// Render HTML/CSV reports from audit and leak results
    Report(ReportArgs),
    /// Combine the JSON results of several `leaks` shards or repositories (or `audit` runs) into one
    Merge(MergeArgs),
    /// Revoke tokens or (--grants) permission grants found by an audit (dry run unless --yes)
    Revoke(RevokeArgs),
    /// Everything a person who left can still do in every context: the plan, --yes to act, the record
    Offboard(OffboardArgs),
    /// List, explain and check the policy and leak rules
    Rules(RulesArgs),
    /// Serve a KSeF API simulator on loopback
    Simulate(SimulateArgs),
    /// Run the whole pipeline on the built-in example firm
    Demo(DemoArgs),
    /// Write calendar reminders (iCalendar) before each planned token expiry and certificate expiry
    Calendar(CalendarArgs),
    /// Check the set-up before the first audit: config, credentials, certificates (--online: sign-in, permissions)
    Doctor(DoctorArgs),
    /// Start out: write a commented ksef-audit.toml and, from a token listing, a starter inventory
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from this command line
    Man(ManArgs),
}

const MAIN_EXAMPLES: &str = "EXAMPLES:
  ksef-audit demo                                  try everything on a built-in example firm
  ksef-audit tokens --nip 5265877635               every KSeF token of one context
  ksef-audit audit --inventory inventory.csv       audit the tokens against your inventory
  ksef-audit leaks --git .                         look for leaked tokens in a repository
  ksef-audit help audit                            the flags and examples of one command";

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every visible flag of every command, `--help` and `--version` aside, has its help: a
    /// shared flag without help of its own (`--format`, `-o`, `--output-dir` of several
    /// outputs) gets it from the command (`help_for`), and a misspelt id there would leave it
    /// without.
    #[test]
    fn the_command_line_is_well_formed_and_every_flag_has_help() {
        fn missing(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if !arg.is_hide_set() && arg.get_help().is_none() {
                    out.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                missing(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
        let mut cmd = super::Cli::command();
        cmd.build();
        cmd.clone().debug_assert();
        let mut out = Vec::new();
        missing(&cmd, "ksef-audit", &mut out);
        out.retain(|m| !m.ends_with(" help") && !m.ends_with(" version"));
        assert!(out.is_empty(), "flags without help: {out:?}");
    }
}
