//! `ksef-audit calendar`.

use std::path::PathBuf;

use clap::Args;

use super::shared::{LangArg, OutputArg, QuietArg, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit calendar --audit audit.json -o ksef-reminders.ics
  ksef-audit calendar --audit audit.json --days-before 21 --per-owner reminders/
  ksef-audit calendar --audit audit.json --lang pl -o przypomnienia.ics   event texts in Polish";

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for("lang", "Language of the event texts: en or pl (default: en)"))
)]
pub struct CalendarArgs {
    /// Results of `audit --format json` (tokens with a planned expiry in the inventory)
    #[arg(long, value_name = "FILE")]
    pub audit: PathBuf,
    /// How many days before the planned expiry the reminder falls
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub days_before: u32,
    /// Judge reminders against this moment (RFC 3339 or YYYY-MM-DD; default: now): a
    /// reminder whose day has passed falls on it and says it is overdue
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Also write one calendar per owner into DIR (`OWNER.ics`, `unassigned.ics`)
    #[arg(long, value_name = "DIR")]
    pub per_owner: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub quiet: QuietArg,
}
