//! `ksef-audit revoke`.

use std::path::PathBuf;

use clap::Args;

use super::shared::KsefCommonArgs;

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit revoke --from leaks.json          list what would be revoked (dry run)
  ksef-audit revoke --from leaks.json --yes    revoke the active leaked tokens
  ksef-audit revoke --from audit.json --grants remove the grants the audit found (dry run)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
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
