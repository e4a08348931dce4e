//! `ksef-audit doctor`.

use clap::{Args, ValueEnum};

use super::shared::{FormatArg, KsefCommonArgs, LangArg, OutputArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit doctor                          every context's credential, offline
  ksef-audit doctor --online                 and sign-in and the auditing credential's permissions
  ksef-audit doctor --format json -o doctor.json --lang pl

Exit 0: ready (warnings allowed); 1: a check failed; 2: no config, or it cannot be read.";

/// The formats of `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    // One line per check with its fix
    Text,
    // The versioned JSON document (kind ksef-audit/doctor)
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for("format", "Output format: text (default) or json"))
)]
pub struct DoctorArgs {
    /// Also sign in to every context whose offline checks passed and check the auditing
    /// credential's permissions (CredentialsRead to audit, CredentialsManage to revoke)
    #[arg(long)]
    pub online: bool,
    #[command(flatten)]
    pub format: FormatArg<DoctorFormat>,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
