//! The flags several commands take, each defined once here and `#[command(flatten)]`ed into
//! the commands that take it, in the place it has in their `--help`.
//!
//! A command whose flag means something of its own there (the formats and default of its
//! `--format`, what its `--lang` translates) says so with [`help_for`]; the flag itself (name,
//! value, parsing) stays the one defined here.

use std::path::PathBuf;

use clap::{Arg, Args, ValueEnum};

/// The help one command gives a shared flag `id`, for `#[command(mut_args(help_for(..)))]`.
/// `mut_args` changes the flag where it stands (`mut_arg` would move it last, and so reorder
/// completions and the manual page).
pub(crate) fn help_for(id: &'static str, help: &'static str) -> impl FnMut(Arg) -> Arg {
    move |arg| {
        if arg.get_id() == id {
            arg.help(help)
        } else {
            arg
        }
    }
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

/// The languages of `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    En,
    Pl,
}

/// `--lang`, for the commands whose output has words in it.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct LangArg {
    /// Language of the text or table, the summary, finding texts and CSV headers and values:
    /// en or pl (default: en)
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<ReportLang>,
}

/// `--format` of a command that writes one output. Its formats `F` and its default are the
/// command's, so each command gives it its help (`help_for`).
#[derive(Debug, Clone, Copy, Args)]
pub struct FormatArg<F>
where
    F: ValueEnum + Clone + Send + Sync + 'static,
{
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<F>,
}

impl<F: ValueEnum + Clone + Send + Sync + 'static> Default for FormatArg<F> {
    fn default() -> Self {
        FormatArg { format: None }
    }
}

/// `-o FILE`, for the commands that write one output.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArg {
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--format`, `-o` and `--output-dir` of a command that writes several outputs from one run
/// (see `choose_outputs`). The formats' extensions and the files' names are the command's, so
/// each command gives these flags their help (`help_for`).
#[derive(Debug, Clone, Args)]
pub struct OutputsArgs<F>
where
    F: ValueEnum + Clone + Send + Sync + 'static,
{
    #[arg(long, value_enum, value_name = "FORMAT", value_delimiter = ',')]
    pub format: Vec<F>,
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
}

impl<F: ValueEnum + Clone + Send + Sync + 'static> Default for OutputsArgs<F> {
    fn default() -> Self {
        OutputsArgs {
            format: Vec::new(),
            output: Vec::new(),
            output_dir: None,
        }
    }
}

/// `--csv-excel`, for the commands that write CSV.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct CsvExcelArg {
    /// CSV for Excel with Polish settings: semicolons and a UTF-8 BOM (implies --format csv)
    #[arg(long)]
    pub csv_excel: bool,
}

/// How `--group-by` groups the findings of the text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    // One group per rule, most severe first
    Rule,
    // One group per client (NIP)
    Client,
    // One group per token owner (no owner last)
    Owner,
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
