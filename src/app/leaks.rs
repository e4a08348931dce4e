//! `ksef-audit leaks`: flags and config -> a request -> [`ksef_leaks::scan::scan_leaks`]
//! (walk, archives, stdin or git history; suppression; inventory) -> `--verify` -> render.
//!
//! [`run`] turns the flags and the [`Config`] into a [`LeaksRequest`] and calls
//! [`leaks`]; the demo calls [`scan`] with a [`LeakScanRequest`] of its own.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use crate::app::Output;
use crate::app::progress::ScanProgress;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::cli::LeaksArgs;
use crate::cli::LeaksFormat;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::config::resolve_settings_for_nips;
use crate::inputs::exceptions::load_exceptions;
use crate::inputs::inventory::load_inventory;
use crate::render::html::ReportInput;
use crate::render::html::ReportOptions;
use crate::render::html::render_review;
use crate::render::leaks::LeakFormat;
use crate::render::leaks::render_leaks;
use crate::render::style::Style;
use ksef_client::settings::KsefSettings;
use ksef_client::verify_leaks;
use ksef_leaks::findings::Baseline;
use ksef_leaks::findings::LeakOptions;
use ksef_leaks::findings::apply_leak_verdicts;
use ksef_leaks::findings::exception_targets;
use ksef_leaks::findings::hide_below;
use ksef_leaks::findings::leak_outcome;
use ksef_leaks::matcher::Scanner;
use ksef_leaks::scan::Progress;
use ksef_leaks::scan::ProgressPass;
use ksef_leaks::scan::ScanRequest;
use ksef_leaks::scan::record_input;
use ksef_leaks::scan::scan_leaks;
use ksef_leaks::sources::DEFAULT_MAX_FILE_SIZE;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_leaks::sources::git::parse_since;
use ksef_model::AppliedException;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_model::Shard;
use ksef_model::i18n::Lang;
use ksef_policy::exceptions::ExceptionSet;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::leak_rules_digest;
use ksef_rules::leak::load_leak_rules;

/// How leak results are written.
#[derive(Debug, Clone)]
pub enum LeaksOutput {
    Format(LeakFormat),
    /// CSV, plain or for Excel with Polish settings (`--csv-excel`), in a language (`--lang`).
    Csv(crate::render::csv::CsvOptions),
    /// The security review, with the options of `[report]`.
    Html(Box<ReportOptions>),
}

/// What to scan and how to judge it (flags already merged with `[leaks]`/`[audit]`).
#[derive(Debug, Clone, Default)]
pub struct LeakScanRequest {
    /// Files or directories (`-`: standard input); empty: the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan git history (of the one repository in `paths`) instead of files.
    pub git: Option<GitScanOptions>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    /// Extra leak rules (`--rules DIR`).
    pub rules: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    /// Ignore inline allow markers.
    pub strict: bool,
    /// `-v`: list where placeholders were dropped (the count is always given).
    pub list_placeholders: bool,
    /// Excludes or the size limit come (also) from a config file, which may be the scanned
    /// repository's own: a scan that then reads nothing from a non-empty tree is an error.
    pub config_filters: bool,
    /// `--shard K/N`: only this part of the work.
    pub shard: Option<Shard>,
    /// `--roots-from FILE`: more paths (or repositories), one per line.
    pub roots_from: Option<PathBuf>,
    /// Show progress on stderr (when it is a terminal).
    pub progress: bool,
}

impl LeakScanRequest {
    /// What the scanner reads: the sources and their limits.
    fn sources(&self) -> ScanRequest {
        ScanRequest {
            paths: self.paths.clone(),
            roots_from: self.roots_from.clone(),
            git: self.git.clone(),
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            shard: self.shard,
            config_filters: self.config_filters,
            list_placeholders: self.list_placeholders,
        }
    }
}

/// A scan's progress on stderr ([`ScanProgress`]), unless `--quiet`.
struct ShownProgress(bool);

impl Progress for ShownProgress {
    fn start(
        &self,
        unit: &'static str,
        items: Option<u64>,
        bytes: Option<u64>,
    ) -> Box<dyn ProgressPass + '_> {
        Box::new(ScanProgress::new(self.0, unit, items, bytes))
    }
}

impl ProgressPass for ScanProgress {
    fn item(&self, bytes: u64) {
        ScanProgress::item(self, bytes);
    }

    fn finish(&self) {
        ScanProgress::finish(self);
    }
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
            quiet: global.quiet,
            verbose: global.verbose,
            lang: crate::app::lang(args.lang),
            message_lang: crate::app::messages::message_lang(args.lang, Some(config)),
            min_severity: args.min_severity,
            group_by: args.group_by.map(crate::app::audit::grouping),
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
        unreachable: args.unreachable,
        since_time: None,
    };
    if let Some(since) = &args.since {
        match parse_since(since, now) {
            Some(t) => opts.since_time = Some(t),
            None => {
                match (quiet, lang) {
                    (true, _) => {}
                    (false, Lang::En) => say!(
                        "warning: --since '{since}' is not a date or span, so it is read as a revision; this is deprecated\nhelp: use --since-commit {since} (--since takes a date such as 2026-11-01 or \"2 weeks ago\")"
                    ),
                    (false, Lang::Pl) => say!(
                        "warning: --since '{since}' nie jest datą ani okresem, więc odczytano je jako rewizję; ta forma jest przestarzała\nhelp: użyj --since-commit {since} (--since przyjmuje datę, np. 2026-11-01, lub okres, np. \"2 weeks ago\")"
                    ),
                }
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
    let lang = req.message_lang;
    if let Some(config) = &req.verify {
        let n = (results.findings.len() + results.suppressed.len()) as u64;
        let spinner = crate::app::progress::Spinner::start(
            req.quiet,
            match lang {
                Lang::En => format!("asking KSeF about {n} leaked token(s)"),
                Lang::Pl => format!(
                    "pytam KSeF o {}",
                    lang.count(
                        n,
                        ("", ""),
                        ("wyciekły token", "wyciekłe tokeny", "wyciekłych tokenów")
                    )
                ),
            },
        );
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
        report_problems(req.quiet, &results, lang);
        let count = Baseline::from_results(&results).fingerprints.len();
        if !req.quiet {
            let shown = ksef_model::shown_path(path);
            match lang {
                Lang::En => say!(
                    "wrote {count} fingerprint{} to {shown} (review it, then commit it and pass --baseline {shown})",
                    if count == 1 { "" } else { "s" },
                ),
                Lang::Pl => say!(
                    "zapisano {} w {shown} (przejrzyj plik, zatwierdź go w repozytorium i podawaj --baseline {shown})",
                    lang.count(count as u64, ("", ""), ("odcisk", "odciski", "odcisków")),
                ),
            }
        }
        return Ok(if results.errors.is_empty() {
            Outcome::Clean
        } else {
            leak_outcome(&results, req.fail_on)
        });
    }
    let shown_in_output = req.outputs.iter().any(|(output, path)| {
        matches!(output, LeaksOutput::Format(LeakFormat::Text)) && path.is_none()
    });
    if !shown_in_output {
        report_problems(req.quiet, &results, lang);
    } else {
        // The text on stdout lists the errors; stderr still says why the run exits 2.
        let _ = crate::app::messages::write_scan_errors(
            &mut crate::app::output::stderr(),
            lang,
            results.errors.len(),
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
    Ok(leak_outcome(&results, req.fail_on).with_exit_zero(req.exit_zero))
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
            // Colour codes are ours; the data is escaped first so it cannot add its own.
            let escaped;
            let results = if style.color {
                escaped = crate::app::output::escaped(results)?;
                out.keep_escapes();
                &escaped
            } else {
                results
            };
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

/// Everything `leaks` does before `--verify` and output: the inputs read, then
/// [`scan_leaks`] (collection, scanning, suppression, inventory correlation), then the
/// exceptions' states and the one redaction.
pub fn scan(req: &LeakScanRequest) -> Result<(LeakResults, Vec<LeakRule>)> {
    let inventory = match &req.inventory {
        Some(path) => load_inventory(path)?,
        None => Vec::new(),
    };
    let rules = load_leak_rules(req.rules.as_deref())?;
    let scanner = Scanner::new(&rules)?;
    let baseline = req.baseline.as_deref().map(Baseline::read).transpose()?;
    let mut exceptions = match exceptions(req.exceptions.as_deref())? {
        Some(set) => {
            let policy = ksef_policy::rule::load_policy_rules(None)?;
            Some(set.without_rules(|r| policy.get(r).is_some()))
        }
        None => None,
    };
    let mut check = |f: &LeakFinding| -> Option<AppliedException> {
        let set = exceptions.as_mut()?;
        set.check(&f.rule, &f.rule_id, &exception_targets(f))
    };
    let judge = LeakOptions {
        strict: req.strict,
        baseline: baseline.as_ref(),
        exceptions: Some(&mut check),
        inventory: &inventory,
    };
    let progress = ShownProgress(req.progress);
    let mut results = scan_leaks(
        &scanner,
        leak_rules_digest(&rules),
        &req.sources(),
        judge,
        &progress,
    )?;
    if let Some(set) = exceptions {
        let (states, warnings) = set.finish();
        results.exceptions = states;
        results.warnings.extend(warnings);
    }
    crate::app::redact::redact_leaks(&mut results);
    Ok((results, rules))
}

/// `--verify`: asks KSeF, with the firm's own credential for each NIP, about each leaked
/// reference number (never the secret). Active leaked tokens become critical.
pub fn verify(config: &Config, results: &mut LeakResults) -> Result<()> {
    let mut nips: Vec<String> = results
        .findings
        .iter()
        .chain(&results.suppressed)
        .filter(|f| f.reference_number.is_some())
        .filter_map(|f| f.nip.clone())
        .collect();
    nips.sort();
    nips.dedup();
    if nips.is_empty() {
        return Ok(());
    }
    let settings = resolve_settings_for_nips(config, &nips)
        .context("--verify needs KSeF access for the NIPs of the findings")?;
    verify_with(&settings, results);
    Ok(())
}

/// Looks the leaked references up in KSeF with `settings` (collect) and applies the verdicts
/// (evaluate: status, an active leaked token becomes critical, findings sorted again).
pub fn verify_with(settings: &KsefSettings, results: &mut LeakResults) {
    let verdicts = verify_leaks(results, settings);
    apply_leak_verdicts(results, verdicts);
}

fn exceptions(path: Option<&Path>) -> Result<Option<ExceptionSet>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let entries = load_exceptions(path)?;
    Ok(Some(ExceptionSet::new(entries, Utc::now().date_naive())))
}

/// Scan errors (with their count and what to do) and warnings also go to stderr, whatever
/// the output format; the sentences in `lang`.
fn report_problems(quiet: bool, results: &LeakResults, lang: Lang) {
    let mut err = crate::app::output::stderr();
    for e in &results.errors {
        let _ = writeln!(err, "error: {}: {}", e.path, e.message);
    }
    let _ = crate::app::messages::write_scan_errors(&mut err, lang, results.errors.len());
    if !quiet {
        for w in &results.warnings {
            let _ = writeln!(
                err,
                "warning: {}",
                ksef_model::i18n::warning::localised(lang, w)
            );
        }
        if !results.unused_baseline.is_empty() {
            let _ = writeln!(
                err,
                "warning: {} {}",
                lang.count(
                    results.unused_baseline.len() as u64,
                    (
                        "baseline entry matched nothing",
                        "baseline entries matched nothing"
                    ),
                    (
                        "wpis linii bazowej do niczego nie pasuje",
                        "wpisy linii bazowej do niczego nie pasują",
                        "wpisów linii bazowej do niczego nie pasuje"
                    )
                ),
                lang.t("(listed in the output)", "(lista w wyniku)")
            );
        }
    }
}
