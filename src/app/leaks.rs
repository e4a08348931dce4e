//! `ksef-audit leaks`: flags and config -> a request -> [`scan`] (the inputs the binary
//! reads, then [`ksef_leaks::scan::scan_leaks`]) -> `--verify` -> outputs.
//!
//! [`run`] turns the flags and the [`Config`] into a [`LeaksRequest`] and calls
//! [`leaks`]; the demo calls [`scan`] with a [`LeakScanRequest`] of its own.

mod messages;
mod scan;
mod token_files;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use crate::app::output::Output;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::cli::LeaksArgs;
use crate::cli::LeaksFormat;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::render::html::ReportInput;
use crate::render::html::ReportOptions;
use crate::render::html::render_review;
use crate::render::leaks::LeakFormat;
use crate::render::leaks::render_leaks;
use crate::render::style::Style;
use ksef_leaks::findings::Baseline;
use ksef_leaks::findings::hide_below;
use ksef_leaks::findings::leak_outcome;
use ksef_leaks::scan::record_input;
use ksef_leaks::sources::DEFAULT_MAX_FILE_SIZE;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_leaks::sources::git::parse_since;
use ksef_model::LeakResults;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_model::i18n::Lang;
use ksef_rules::leak::LeakRule;

use scan::verify;
pub use scan::{LeakScanRequest, scan, verify_with};

/// How leak results are written.
#[derive(Debug, Clone)]
pub enum LeaksOutput {
    Format(LeakFormat),
    /// CSV, plain or for Excel with Polish settings (`--csv-excel`), in a language (`--lang`).
    Csv(crate::render::csv::CsvOptions),
    /// The security review, with the options of `[report]`.
    Html(Box<ReportOptions>),
}

/// Everything `ksef-audit leaks` does, without clap types.
#[derive(Debug, Clone)]
pub struct LeaksRequest {
    pub scan: LeakScanRequest,
    /// `--verify`: the config the KSeF settings are resolved from once the NIPs are known.
    pub verify: Option<Box<Config>>,
    pub write_baseline: Option<PathBuf>,
    /// Every output of the scan (one scan for all): a format and a file (`None`: stdout).
    pub outputs: Vec<(LeaksOutput, Option<PathBuf>)>,
    /// `--color` (text output).
    pub color: ColorChoice,
    pub fail_on: Severity,
    pub exit_zero: bool,
    /// `--fail-on-skipped`: anything skipped (a refused archive, a link) exits 2.
    pub fail_on_skipped: bool,
    pub quiet: bool,
    /// `-v`: list the findings accepted in the baseline, not only their count.
    pub verbose: u8,
    /// `--lang`: language of the text output.
    pub lang: Lang,
    /// `--min-severity`: text and CSV show only findings at or above it.
    pub min_severity: Option<Severity>,
    /// `--group-by`: the text groups the tokens found.
    pub group_by: Option<crate::render::audit::Grouping>,
    /// Language of the messages on stderr: `--lang`, else `[report] lang`.
    pub message_lang: Lang,
    /// `--since` as given when it is a date or a span, recorded in the results' target.
    pub since_date: Option<String>,
    /// The config's `token-file`s: found where the user was told to keep them, a note.
    pub token_files: Vec<PathBuf>,
}

impl LeaksRequest {
    /// The request `leaks` flags and the config describe (flags win over the config).
    pub fn new(args: &LeaksArgs, global: &GlobalArgs, config: &Config) -> Result<LeaksRequest> {
        let chosen = crate::cli::choose_outputs(
            &args.format,
            args.csv_excel,
            &args.output,
            args.output_dir.as_deref(),
            "leaks",
            LeaksFormat::Text,
        )
        .map_err(anyhow::Error::msg)?;
        let outputs = chosen
            .into_iter()
            .map(|(format, path)| {
                let output = match format {
                    LeaksFormat::Csv => LeaksOutput::Csv(crate::render::csv::CsvOptions::new(
                        args.csv_excel,
                        crate::app::lang(args.lang),
                    )),
                    LeaksFormat::Text => LeaksOutput::Format(LeakFormat::Text),
                    LeaksFormat::Json => LeaksOutput::Format(LeakFormat::Json),
                    LeaksFormat::Jsonl => LeaksOutput::Format(LeakFormat::Jsonl),
                    LeaksFormat::Sarif => LeaksOutput::Format(LeakFormat::Sarif),
                    LeaksFormat::Gitlab => LeaksOutput::Format(LeakFormat::Gitlab),
                    LeaksFormat::Junit => LeaksOutput::Format(LeakFormat::Junit),
                    LeaksFormat::Html => {
                        let mut opts = crate::app::report::options_from_config(config);
                        if args.lang.is_some() {
                            opts.lang = crate::app::lang(args.lang);
                        }
                        LeaksOutput::Html(Box::new(opts))
                    }
                };
                (output, path)
            })
            .collect();
        // --strict: excludes and the size limit come from the command line only, never from a
        // (repository-provided) ksef-audit.toml.
        let mut exclude = if args.strict {
            Vec::new()
        } else {
            config.leaks.exclude.clone()
        };
        exclude.extend(args.exclude.iter().cloned());
        let config_max_file_size = if args.strict {
            DEFAULT_MAX_FILE_SIZE
        } else {
            config.leaks.max_file_size
        };
        Ok(LeaksRequest {
            scan: LeakScanRequest {
                paths: args.paths.clone(),
                git: git_options(
                    args,
                    Utc::now(),
                    global.quiet,
                    crate::app::messages::message_lang(args.lang, Some(config)),
                ),
                exclude,
                max_file_size: args.max_file_size.unwrap_or(config_max_file_size),
                rules: args.rules.clone(),
                baseline: args
                    .baseline
                    .clone()
                    .or_else(|| config.leaks.baseline.clone()),
                exceptions: args
                    .exceptions
                    .clone()
                    .or_else(|| config.audit.exceptions.clone()),
                inventory: args
                    .inventory
                    .clone()
                    .or_else(|| config.audit.inventory.clone()),
                strict: args.strict,
                list_placeholders: global.verbose > 0,
                config_filters: !args.strict
                    && (!config.leaks.exclude.is_empty()
                        || (args.max_file_size.is_none()
                            && config_max_file_size != DEFAULT_MAX_FILE_SIZE)),
                shard: args.shard,
                roots_from: args.roots_from.clone(),
                progress: !global.quiet,
            },
            verify: args.verify.then(|| Box::new(config.clone())),
            write_baseline: args.write_baseline.clone(),
            outputs,
            color: global.color,
            fail_on: args.fail_on.unwrap_or(config.leaks.fail_on),
            exit_zero: args.exit_zero,
            fail_on_skipped: args.fail_on_skipped,
            quiet: global.quiet,
            verbose: global.verbose,
            lang: crate::app::lang(args.lang),
            message_lang: crate::app::messages::message_lang(args.lang, Some(config)),
            min_severity: args.min_severity,
            group_by: args.group_by.map(crate::app::audit::grouping),
            token_files: config
                .ksef
                .contexts
                .iter()
                .filter_map(|c| c.token_file.clone())
                .collect(),
            since_date: args
                .since
                .clone()
                .filter(|s| parse_since(s, Utc::now()).is_some()),
        })
    }
}

/// The git part of `leaks`: `--staged`, `--since` and `--since-commit` imply `--git`.
/// `--since` takes a date or span; a value that is neither is read as a revision, as before,
/// with a deprecation note on stderr.
fn git_options(
    args: &LeaksArgs,
    now: chrono::DateTime<Utc>,
    quiet: bool,
    lang: Lang,
) -> Option<GitScanOptions> {
    let git = args.git || args.staged || args.since.is_some() || args.since_commit.is_some();
    if !git {
        return None;
    }
    let mut opts = GitScanOptions {
        since: args.since_commit.clone(),
        staged: args.staged,
        // Dangling commits are searched by default in a whole-history scan: on real
        // repositories it costs no more than the noise of the run (docs/git-history.md). A
        // `--since` range (a date or a revision) is about recent commits: not there.
        unreachable: !args.no_unreachable
            && args.since.is_none()
            && args.since_commit.is_none()
            && !args.staged,
        since_time: None,
    };
    if let Some(since) = &args.since {
        match parse_since(since, now) {
            Some(t) => opts.since_time = Some(t),
            None => {
                messages::since_is_a_revision(quiet, lang, since);
                opts.since = Some(since.clone());
            }
        }
    }
    Some(opts)
}

/// `ksef-audit leaks`: flags + config -> [`LeaksRequest`] -> [`leaks`].
pub fn run(global: &GlobalArgs, args: &LeaksArgs) -> Result<Outcome> {
    let config = crate::app::load_config(global, RuleDirs::NotRead)?;
    leaks(&LeaksRequest::new(args, global, &config)?)
}

/// The `leaks` pipeline: scan, `--verify`, record inputs, write the baseline, output.
pub fn leaks(req: &LeaksRequest) -> Result<Outcome> {
    let (mut results, rules) = scan(&req.scan)?;
    token_files::note_configured_token_files(&mut results, &req.scan.paths, &req.token_files);
    if results.target.mode == "git" {
        results.target.since_date.clone_from(&req.since_date);
    }
    let lang = req.message_lang;
    if let Some(config) = &req.verify {
        let n = (results.findings.len() + results.suppressed.len()) as u64;
        let spinner =
            crate::app::progress::Spinner::start(req.quiet, messages::asking_ksef(lang, n));
        verify(config, &mut results)?;
        spinner.finish();
    }
    for (name, path) in [
        ("baseline", &req.scan.baseline),
        ("exceptions", &req.scan.exceptions),
        ("inventory", &req.scan.inventory),
    ] {
        if let Some(path) = path {
            record_input(&mut results, name, path);
        }
    }
    if let Some(path) = &req.write_baseline {
        let text = Baseline::render_annotated(&results, Utc::now());
        std::fs::write(path, text)
            .with_context(|| format!("cannot write baseline '{}'", ksef_model::shown_path(path)))?;
        // Writing a baseline accepts today's findings: a summary, exit 0 (errors still exit 2).
        messages::report_problems(req.quiet, &results, lang);
        let count = Baseline::from_results(&results).fingerprints.len();
        if !req.quiet {
            messages::baseline_written(lang, count, path);
        }
        return Ok(if results.errors.is_empty() {
            Outcome::Clean
        } else {
            leak_outcome(&results, req.fail_on, req.fail_on_skipped)
        });
    }
    let shown_in_output = req.outputs.iter().any(|(output, path)| {
        matches!(output, LeaksOutput::Format(LeakFormat::Text)) && path.is_none()
    });
    if !shown_in_output {
        messages::report_problems(req.quiet, &results, lang);
    } else {
        // The text on stdout lists the errors; stderr still says why the run exits 2.
        let _ = crate::app::messages::write_leak_errors(
            &mut crate::app::output::stderr(),
            lang,
            &results.errors,
        );
    }
    let mut hidden = None;
    for (output, path) in &req.outputs {
        hidden = write_output(req, &results, &rules, output, path.as_deref())?.or(hidden);
        if let (Some(p), false, true) = (path, req.quiet, req.outputs.len() > 1) {
            say!(
                "{} {}",
                lang.t("written to", "zapisano w pliku"),
                ksef_model::shown_path(p)
            );
        }
    }
    if let (Some((n, min)), false) = (hidden, req.quiet) {
        crate::app::messages::say_hidden(req.message_lang, n, min);
    }
    if req.fail_on_skipped && results.stats.skipped > 0 {
        messages::skipped_fails(lang, results.stats.skipped);
    }
    Ok(leak_outcome(&results, req.fail_on, req.fail_on_skipped).with_exit_zero(req.exit_zero))
}

/// Writes one output of a finished scan; `Some((hidden, min))` when --min-severity hid
/// findings from it (text and CSV only).
fn write_output(
    req: &LeaksRequest,
    results: &LeakResults,
    rules: &[LeakRule],
    output: &LeaksOutput,
    path: Option<&Path>,
) -> Result<Option<(usize, Severity)>> {
    let mut out = Output::open(path)?;
    let shown;
    let (results, hidden) = match (req.min_severity, output) {
        (Some(min), LeaksOutput::Format(LeakFormat::Text) | LeaksOutput::Csv(_)) => {
            let mut kept = results.clone();
            let hidden = hide_below(&mut kept, min);
            shown = kept;
            (&shown, Some((hidden, min)))
        }
        _ => (results, None),
    };
    match output {
        LeaksOutput::Format(LeakFormat::Text) => {
            let style = Style {
                color: crate::app::colored(req.color, &out),
                width: None,
            };
            // The data is escaped, terminal or not (a file or pipe is read in a terminal
            // later); colour codes are ours, added after.
            let escaped = crate::app::output::escaped(results)?;
            out.keep_escapes();
            let results = &escaped;
            crate::render::leaks::render_text_styled(
                results,
                req.verbose > 0,
                style,
                req.lang,
                req.group_by,
                &mut out,
            )?
        }
        LeaksOutput::Format(format) => render_leaks(results, rules, *format, &mut out)?,
        LeaksOutput::Csv(opts) => crate::render::leaks::render_csv_with(results, *opts, &mut out)?,
        LeaksOutput::Html(opts) => {
            let input = crate::app::report::with_facts(
                ReportInput {
                    leaks: Some(results.clone()),
                    ..ReportInput::default()
                },
                opts.due_days,
                &Default::default(),
                results.generated_at,
            );
            let html = render_review(&input, opts)?;
            out.write_all(html.as_bytes())
                .context("cannot write the output")?;
        }
    }
    out.flush().context("cannot write the output")?;
    Ok(hidden)
}
