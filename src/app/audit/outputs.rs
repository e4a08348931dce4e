//! The outputs of an audit run: text, JSON, CSV and the HTML review.

use super::{AuditRequest, AuditRun};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::app::output::Output;
use crate::cli::AuditArgs;
use crate::cli::AuditFormat;
use crate::cli::GroupBy;
use crate::config::Config;
use crate::render::audit::Grouping;
use crate::render::audit::TextOptions;
use crate::render::audit::render_csv;
use crate::render::audit::render_json;
use crate::render::audit::render_text;
use crate::render::csv::CsvOptions;
use crate::render::html::ReportInput;
use crate::render::html::ReportOptions;
use crate::render::html::model::Urgent;
use crate::render::html::model::urgent_facts;
use crate::render::style::Style;
use ksef_model::AuditResults;
use ksef_model::DueDays;
use ksef_model::ReportRules;
use ksef_model::Severity;
use ksef_model::i18n::Lang;
use ksef_policy::posture::report_rules;

/// How the audit results are written.
#[derive(Debug, Clone)]
pub enum AuditOutput {
    Text,
    Json,
    /// `excel`: `;`, UTF-8 BOM (`--csv-excel`).
    Csv {
        excel: bool,
    },
    /// The security review, with the options of `[report]`.
    Html(Box<ReportOptions>),
}

/// Every output `audit` flags ask for (one run for all): a format and a file (`None`:
/// standard output).
pub(super) fn outputs_from(
    args: &AuditArgs,
    config: &Config,
) -> Result<Vec<(AuditOutput, Option<PathBuf>)>> {
    let chosen = crate::cli::choose_outputs(
        &args.outputs.format,
        args.csv_excel.csv_excel,
        &args.outputs.output,
        args.outputs.output_dir.as_deref(),
        "audit",
        AuditFormat::Text,
    )
    .map_err(anyhow::Error::msg)?;
    let output = |format| match format {
        AuditFormat::Csv => AuditOutput::Csv {
            excel: args.csv_excel.csv_excel,
        },
        AuditFormat::Json => AuditOutput::Json,
        AuditFormat::Text => AuditOutput::Text,
        AuditFormat::Html => {
            let mut opts = crate::app::report::options_from_config(config);
            if args.lang.lang.is_some() {
                opts.lang = crate::app::lang(args.lang.lang);
            }
            AuditOutput::Html(Box::new(opts))
        }
    };
    Ok(chosen
        .into_iter()
        .map(|(format, path)| (output(format), path))
        .collect())
}

/// Writes the results as text, JSON or CSV to `out` in English (HTML: `audit --format html`).
pub fn render(results: &AuditResults, output: &AuditOutput, out: &mut dyn Write) -> Result<()> {
    render_in(results, output, Lang::En, out)
}

/// [`render`] in `lang` (text summary, CSV headers, values and finding texts).
pub fn render_in(
    results: &AuditResults,
    output: &AuditOutput,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<()> {
    let view = TextView {
        lang,
        ..TextView::default()
    };
    let rules = report_rules(&ksef_policy::rule::load_policy_rules(None)?);
    render_with(results, output, view, &rules, out)
}

/// How the text output looks: grouping, colour and language.
#[derive(Debug, Clone, Copy, Default)]
struct TextView {
    group_by: Option<Grouping>,
    /// `--expand`.
    expand: bool,
    /// The width text is wrapped at.
    width: usize,
    style: Style,
    lang: Lang,
}

/// [`render`] with the text grouped, coloured and in the language `view` says (CSV takes
/// its language from `view` too).
/// The text leads with the reports' "Act now" facts; `rules` give their rule titles.
fn render_with(
    results: &AuditResults,
    output: &AuditOutput,
    view: TextView,
    rules: &ReportRules,
    out: &mut dyn Write,
) -> Result<()> {
    match output {
        AuditOutput::Csv { excel } => render_csv(results, CsvOptions::new(*excel, view.lang), out)?,
        AuditOutput::Json => render_json(results, out)?,
        AuditOutput::Text => render_text(
            results,
            TextOptions {
                baseline: results.findings.iter().any(|f| f.baseline.is_some())
                    || !results.fixed.is_empty(),
                group_by: view.group_by,
                expand: view.expand,
                width: view.width,
                style: view.style,
                lang: view.lang,
            },
            &urgent_lines(results, None, rules, view.lang),
            out,
        )?,
        AuditOutput::Html(_) => bail!(
            "the HTML review needs the config and staff list: use `ksef-audit audit --format html`"
        ),
    }
    Ok(())
}

/// The reports' "Act now" facts of `results` and, when given, a leak scan: they lead the
/// audit text (without leaks: those lead `leaks` itself) and the demo's summary.
pub fn urgent_lines(
    results: &AuditResults,
    leaks: Option<&ksef_model::LeakResults>,
    rules: &ReportRules,
    lang: Lang,
) -> Vec<Urgent> {
    let input = ReportInput {
        audit: Some(results.clone()),
        leaks: leaks.cloned(),
        ..ReportInput::default()
    };
    let input =
        crate::app::report::with_facts(input, DueDays::default(), rules, results.generated_at);
    urgent_facts(&input, lang)
}

/// The text layout's grouping for `--group-by` (`audit` and `leaks`).
pub fn grouping(by: GroupBy) -> Grouping {
    match by {
        GroupBy::Rule => Grouping::Rule,
        GroupBy::Client => Grouping::Client,
        GroupBy::Owner => Grouping::Owner,
    }
}

/// Writes one output of a finished run; `Some((hidden, min))` when --min-severity hid findings.
pub(super) fn write_output(
    req: &AuditRequest,
    run: &AuditRun,
    output: &AuditOutput,
    path: Option<&Path>,
) -> Result<Option<(usize, Severity)>> {
    let mut out = Output::open(path)?;
    let color = matches!(output, AuditOutput::Text) && crate::app::colored(req.color, &out);
    let view = TextView {
        group_by: req.group_by,
        expand: req.expand,
        width: crate::render::wrap::text_width(out.is_terminal()),
        style: Style { color, width: None },
        lang: req.lang,
    };
    // Text is escaped, terminal or not (a file or pipe is read in a terminal later); colour
    // codes are ours, added after.
    let escaped;
    let results = if matches!(output, AuditOutput::Text) {
        escaped = crate::app::output::escaped(&run.results)?;
        out.keep_escapes();
        &escaped
    } else {
        &run.results
    };
    let hidden = match (req.min_severity, output) {
        (Some(min), AuditOutput::Text | AuditOutput::Csv { .. }) => {
            let mut shown = results.clone();
            shown.findings.retain(|f| f.severity >= min);
            shown.items.retain(|i| i.severity >= min);
            let hidden = results.findings.len() - shown.findings.len();
            render_with(&shown, output, view, &run.report_rules, &mut out)?;
            Some((hidden, min))
        }
        _ => {
            if matches!(output, AuditOutput::Text) {
                render_with(results, output, view, &run.report_rules, &mut out)?;
            } else {
                write_results_in(run, output, req.lang, &mut out)?;
            }
            None
        }
    };
    out.flush()?;
    Ok(hidden)
}

/// Writes a finished run in any output, HTML included, with text and CSV in `lang` (HTML
/// takes its language from its options).
fn write_results_in(
    run: &AuditRun,
    output: &AuditOutput,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<()> {
    let AuditOutput::Html(opts) = output else {
        return render_in(&run.results, output, lang, out);
    };
    let mut opts = (**opts).clone();
    opts.now = Some(run.results.generated_at);
    opts.input_digests = run
        .results
        .digests
        .inputs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let input = crate::app::report::with_facts(
        ReportInput {
            audit: Some(run.results.clone()),
            staff: run.staff.clone(),
            ..ReportInput::default()
        },
        opts.due_days,
        &run.report_rules,
        run.results.generated_at,
    );
    let html = crate::render::html::render_review(&input, &opts)?;
    out.write_all(html.as_bytes())?;
    Ok(())
}
