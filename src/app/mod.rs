//! Orchestration: collect -> evaluate -> render, one file per command.
//!
//! Each command file turns its clap arguments and the validated [`Config`] into a typed
//! request and calls one pipeline function that takes no clap type; `demo` calls the
//! same pipelines directly.

/// `eprintln!` through [`output::Stderr`]: tokens redacted, control and bidi characters
/// escaped (issue 13, point 14). Every line the app prints to stderr goes through it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::app::output::stderr(), $($arg)*);
    }};
}

pub mod audit;
pub mod calendar;
pub mod certificates;
pub mod demo;
pub mod doctor;
pub mod init;
pub mod leaks;
pub mod merge;
pub mod messages;
pub mod offboard;
pub mod output;
pub mod permissions;
pub mod process;
mod progress;
pub mod redact;
pub mod report;
pub mod revoke;
pub mod revoke_grants;
pub mod revoke_plan;
pub mod rules;
mod simulate;
pub mod tokens;

use output::Output;

use anyhow::Result;

use crate::cli::Cli;
use crate::cli::ColorChoice;
use crate::cli::Command;
use crate::cli::GlobalArgs;
use crate::cli::LeadingArgs;
use crate::config::Config;
use crate::config::Flags;
use crate::config::RuleDirs;
use ksef_model::Outcome;

/// Runs one command. Errors are printed by `main` with their cause chain and exit 2.
pub fn run(cli: Cli) -> Result<Outcome> {
    let global = &resolve(&cli.leading, &cli.command)?;
    match &cli.command {
        Command::Tokens(args) => tokens::run(global, args),
        Command::Permissions(args) => permissions::run(global, args),
        Command::Certificates(args) => certificates::run(global, args),
        Command::Audit(args) => audit::run(args, global),
        Command::Leaks(args) => leaks::run(global, args),
        Command::Report(args) => report::run(global, args),
        Command::Merge(args) => merge::run(global, args),
        Command::Revoke(args) => revoke::run(global, args),
        Command::Offboard(args) => offboard::run(global, args),
        Command::Rules(args) => rules::run(args, global),
        Command::Simulate(args) => simulate::run(global, args),
        Command::Demo(args) => demo::run(global, args),
        Command::Calendar(args) => calendar::run(global, args),
        Command::Init(args) => init::run(global, args),
        Command::Doctor(args) => doctor::run(global, args),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
    }
}

/// Merges the shared flags given before the command with those given after its name. Before
/// the command, a flag the command does not take is ignored, as it always was (a script may
/// put `--env` in front of every command); after its name, clap accepts only the command's
/// own flags. One given in both places must agree.
pub fn resolve(leading: &LeadingArgs, command: &Command) -> Result<GlobalArgs> {
    let scope = command.scope();
    let config = match scope.config {
        None => None,
        Some(after) => match (&leading.config, after) {
            (Some(b), Some(a)) if b != a => anyhow::bail!(
                "--config given twice, '{}' before the command and '{}' after it\nhelp: give it once",
                b.display(),
                a.display()
            ),
            (b, a) => a.clone().or_else(|| b.clone()),
        },
    };
    let (env, nips) = match scope.ksef {
        None => (None, Vec::new()),
        Some(after) => {
            let env = match (&leading.env, &after.env) {
                (Some(b), Some(a)) if b != a => anyhow::bail!(
                    "--env given twice, '{b}' before the command and '{a}' after it\nhelp: give it once"
                ),
                (b, a) => a.clone().or_else(|| b.clone()),
            };
            let mut nips = leading.nips.clone();
            nips.extend(
                after
                    .nips
                    .iter()
                    .filter(|n| !leading.nips.contains(n))
                    .cloned(),
            );
            (env, nips)
        }
    };
    let color = match scope.color {
        Some(after) => after.or(leading.color).unwrap_or_default(),
        None => ColorChoice::Auto,
    };
    Ok(GlobalArgs {
        color,
        config,
        env,
        nips,
        quiet: leading.quiet || scope.quiet.unwrap_or(false),
        verbose: leading.verbose.saturating_add(scope.verbose.unwrap_or(0)),
    })
}

/// `ksef-audit completions SHELL`: the completion script, generated from the CLI definition.
fn completions(args: &crate::cli::CompletionsArgs) -> Result<Outcome> {
    use clap::CommandFactory;
    use clap_complete::Shell as Target;
    let shell = match args.shell {
        crate::cli::Shell::Bash => Target::Bash,
        crate::cli::Shell::Zsh => Target::Zsh,
        crate::cli::Shell::Fish => Target::Fish,
        crate::cli::Shell::Powershell => Target::PowerShell,
    };
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "ksef-audit", &mut out);
    std::io::Write::flush(&mut out)?;
    Ok(Outcome::Clean)
}

/// `ksef-audit man`: the manual page (roff) generated from the CLI definition; with `--dir`,
/// one page per command.
fn man(args: &crate::cli::ManArgs) -> Result<Outcome> {
    use anyhow::Context;
    use clap::CommandFactory;
    let cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("cannot create directory '{}'", ksef_model::shown_path(dir))
            })?;
            clap_mangen::generate_to(cmd, dir).with_context(|| {
                format!(
                    "cannot write the manual pages to '{}'",
                    ksef_model::shown_path(dir)
                )
            })?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::Write::flush(&mut out)?;
        }
    }
    Ok(Outcome::Clean)
}

/// `--lang` as the renderers take it (English when not given).
pub fn lang(flag: Option<crate::cli::ReportLang>) -> ksef_model::i18n::Lang {
    match flag {
        Some(crate::cli::ReportLang::Pl) => ksef_model::i18n::Lang::Pl,
        Some(crate::cli::ReportLang::En) | None => ksef_model::i18n::Lang::En,
    }
}

/// The environment variable naming the config file when `--config` is not given (it wins
/// over the file found upward from the working directory).
pub const CONFIG_ENV: &str = "KSEF_AUDIT_CONFIG";

/// `KSEF_AUDIT_CONFIG`, when set and not empty.
fn config_from_env() -> Option<std::path::PathBuf> {
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

/// The global flags as the plain values `config` takes (`--config`, else
/// `KSEF_AUDIT_CONFIG`).
pub fn flags(global: &GlobalArgs, rules: RuleDirs) -> Flags {
    Flags {
        config: global.config.clone().or_else(config_from_env),
        env: global.env.clone(),
        nips: global.nips.clone(),
        rules,
    }
}

/// Whether output to `out` is coloured under `choice` (reads NO_COLOR and TERM).
pub fn colored(choice: ColorChoice, out: &Output) -> bool {
    let no_color = std::env::var("NO_COLOR").ok();
    let term = std::env::var("TERM").ok();
    choice.enabled(out.is_terminal(), no_color.as_deref(), term.as_deref())
}

/// The width tables fit on `out`: on a terminal, `COLUMNS` when set, else the terminal's
/// width; files and pipes get every column at full width.
pub fn table_width(out: &Output) -> Option<usize> {
    if !out.is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
}

/// How a table is written to `out` under `--color choice`: coloured or not ([`colored`]), and
/// fitted to [`table_width`]. With colour on, `out` keeps the escape codes as they are, so the
/// caller must have escaped every data string ([`output::escaped`]) first.
pub fn table_style(choice: ColorChoice, out: &mut Output) -> crate::render::style::Style {
    let style = crate::render::style::Style {
        color: colored(choice, out),
        width: table_width(out),
    };
    if style.color {
        out.keep_escapes();
    }
    style
}

/// Loads and validates the config (every section, every problem at once).
pub fn load_config(global: &GlobalArgs, rules: RuleDirs) -> Result<Config> {
    let from_env = global.config.is_none() && config_from_env().is_some();
    crate::config::load(&flags(global, rules)).map_err(|e| {
        let e = anyhow::Error::new(e);
        if from_env {
            e.context(format!(
                "{CONFIG_ENV} names a config that could not be used (unset it to use ./ksef-audit.toml)"
            ))
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn resolved(argv: &[&str]) -> Result<GlobalArgs> {
        let cli = Cli::try_parse_from(std::iter::once("ksef-audit").chain(argv.iter().copied()))?;
        resolve(&cli.leading, &cli.command)
    }

    #[test]
    fn shared_flags_before_and_after_the_command_are_merged() {
        let g = resolved(&[
            "--nip",
            "1111111111",
            "-q",
            "tokens",
            "--nip",
            "2222222222",
            "--env",
            "test",
        ])
        .expect("resolves");
        assert_eq!(g.nips, ["1111111111", "2222222222"]);
        assert_eq!(g.env.as_deref(), Some("test"));
        assert!(g.quiet);
        let g = resolved(&["--env", "demo", "audit", "-v"]).expect("resolves");
        assert_eq!((g.env.as_deref(), g.verbose), (Some("demo"), 1));
        // -q before a command without it is harmless and ignored.
        assert!(resolved(&["-q", "man"]).is_ok());
    }

    #[test]
    fn shared_flag_before_a_command_that_does_not_take_it_is_ignored_after_it_refused() {
        let g = resolved(&["--env", "test", "--nip", "1111111111", "report"]).expect("ignored");
        assert_eq!((g.env, g.nips.len()), (None, 0));
        assert!(Cli::try_parse_from(["ksef-audit", "simulate", "--nip", "1111111111"]).is_err());
        assert!(Cli::try_parse_from(["ksef-audit", "rules", "list", "--env", "test"]).is_err());
    }
}
