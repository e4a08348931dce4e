//! `ksef-audit offboard`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{KsefCommonArgs, LangArg, OutputsArgs, help_for};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit offboard jan@firma.pl --staff staff.csv          the plan (dry run)
  ksef-audit offboard \"Jan Nowak\" --output-dir records/       the record as .txt, .json, .html
  ksef-audit offboard jan@firma.pl --yes                      act, asking once on a terminal
  ksef-audit offboard jan@firma.pl --yes --max-actions 20     in a script or CI";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OffboardFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Args)]
#[command(
    after_help = EXAMPLES,
    mut_args(help_for(
        "format",
        "Output format, or several separated by commas with --output-dir (default: text; \
         inferred from the extension of --output: .json, .html, .txt)"
    )),
    mut_args(help_for(
        "output",
        "Write the record to FILE instead of standard output; repeat for several formats, each \
         named by its extension (.txt, .json, .html)"
    )),
    mut_args(help_for(
        "lang",
        "Language of the record (text and HTML): en or pl (default: en)"
    )),
    mut_args(help_for(
        "output_dir",
        "Write the record into DIR as offboard-STAFFID-DATE.txt, .json and .html (or the \
         --format list)"
    ))
)]
pub struct OffboardArgs {
    /// The person who left: PESEL, staff-list id, e-mail, or a name that the staff list
    /// resolves to exactly one person
    #[arg(value_name = "PERSON")]
    pub person: String,
    /// Staff list CSV (default: `[audit] staff` in the config)
    #[arg(long, value_name = "CSV")]
    pub staff: Option<PathBuf>,
    /// Token inventory CSV: its owners tell which of the person's tokens a colleague still
    /// uses (default: `[audit] inventory` in the config)
    #[arg(long, value_name = "CSV")]
    pub inventory: Option<PathBuf>,
    /// Carry out the plan: revoke the tokens and remove the grants (re-read live first)
    #[arg(long)]
    pub yes: bool,
    /// With --yes: also revoke the tokens a colleague still uses (default: leave them to be
    /// rotated first)
    #[arg(long, requires = "yes")]
    pub revoke_in_use: bool,
    /// With --yes and no terminal to confirm on (scripts, CI): the most actions this run may
    /// take; a plan with more is refused before anything is done
    #[arg(long, value_name = "N")]
    pub max_actions: Option<usize>,
    #[command(flatten)]
    pub outputs: OutputsArgs<OffboardFormat>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub common: KsefCommonArgs,
}
