//! `ksef-audit revoke`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{KsefCommonArgs, LangArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit revoke --from leaks.json          list what would be revoked (dry run)
  ksef-audit revoke --from leaks.json --yes    revoke the active leaked tokens
  ksef-audit revoke --from audit.json --grants remove the grants the audit found (dry run)
  ksef-audit revoke --from audit.json --grants --yes --staff staff.csv --nip 5265877635 --max-actions 5";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "lang",
        "Language of the plan, the confirmation and the summary: en or pl (default: the config's [report] lang, else en)"
    ))
)]
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
    /// With --yes and no terminal to confirm on (scripts, CI): the most removals this run
    /// may make; a plan with more is refused before anything is done
    #[arg(long, value_name = "N")]
    pub max_actions: Option<usize>,
    /// With --grants --yes: the staff list the leaver and stranger rules are re-checked
    /// against (default: the config's `[audit] staff`)
    #[arg(long, value_name = "FILE", requires = "grants")]
    pub staff: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
