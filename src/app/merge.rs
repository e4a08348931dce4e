//! `ksef-audit merge`: the JSON results of several `leaks` shards or repositories (or of
//! several `audit` runs) -> one document, with the exit code of the merged result.

use ksef_model::i18n::stderr;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};

use crate::app::audit::AuditOutput;
use crate::app::audit::render_in;
use crate::app::output::Output;
use crate::cli::GlobalArgs;
use crate::cli::LeaksFormat;
use crate::cli::MergeArgs;
use crate::config::RuleDirs;
use crate::inputs::results::load_audit_results;
use crate::inputs::results::load_leak_results;
use crate::render::leaks::LeakFormat;
use crate::render::leaks::render_leaks;
use ksef_leaks::findings::leak_outcome;
use ksef_model::AUDIT_KIND;
use ksef_model::LEAKS_KIND;
use ksef_model::Outcome;
use ksef_policy::audit::outcome;
use ksef_policy::merge::merge_audits;
use ksef_policy::merge::merge_leaks;
use ksef_rules::leak::load_leak_rules;

/// `ksef-audit merge FILE…`.
pub fn run(global: &GlobalArgs, args: &MergeArgs) -> Result<Outcome> {
    let config = crate::app::load_config(global, RuleDirs::NotRead)?;
    let kind = document_kind(&args.inputs[0])?;
    let format = crate::cli::choose_format(
        args.format.format,
        args.csv_excel.csv_excel,
        args.output.output.as_deref(),
        LeaksFormat::Json,
    )
    .map_err(anyhow::Error::msg)?;
    let lang = crate::app::lang(args.lang.lang);
    let csv = crate::render::csv::CsvOptions::new(args.csv_excel.csv_excel, lang);
    let mut out = Output::open(args.output.output.as_deref())?;
    let outcome = if kind == LEAKS_KIND {
        let docs = args
            .inputs
            .iter()
            .map(|p| {
                load_leak_results(p, "merge")
                    .map(|l| (ksef_model::shown_path(p).to_string(), l.value))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut merged = merge_leaks(docs).map_err(|e| anyhow!("cannot merge: {e}"))?;
        crate::app::redact::redact_leaks(&mut merged);
        let format = match format {
            LeaksFormat::Text => LeakFormat::Text,
            LeaksFormat::Json => LeakFormat::Json,
            LeaksFormat::Jsonl => LeakFormat::Jsonl,
            LeaksFormat::Csv => LeakFormat::Csv,
            LeaksFormat::Sarif => LeakFormat::Sarif,
            LeaksFormat::Gitlab => LeakFormat::Gitlab,
            LeaksFormat::Junit => LeakFormat::Junit,
            LeaksFormat::Html => bail!(
                "merge writes text, json, jsonl, csv, sarif, gitlab or junit\nhelp: render HTML from the merged JSON with `ksef-audit report --leaks FILE`"
            ),
        };
        if format == LeakFormat::Csv {
            crate::render::leaks::render_csv_with(&merged, csv, &mut out)?;
        } else if format == LeakFormat::Text {
            let style = crate::render::style::Style::default();
            crate::render::leaks::render_text_styled(&merged, true, style, lang, None, &mut out)?;
        } else {
            let rules = load_leak_rules(None)?;
            render_leaks(&merged, &rules, format, &mut out)?;
        }
        if !global.quiet {
            let mut err = crate::app::output::stderr();
            for e in &merged.errors {
                let _ = writeln!(
                    err,
                    "{}",
                    stderr::error_at(lang, &e.path, &e.message, false)
                );
            }
        }
        leak_outcome(
            &merged,
            args.fail_on.unwrap_or(config.leaks.fail_on),
            args.fail_on_skipped,
        )
    } else {
        let docs = args
            .inputs
            .iter()
            .map(|p| load_audit_results(p, "merge").map(|l| l.value))
            .collect::<Result<Vec<_>, _>>()?;
        let mut merged = merge_audits(docs).map_err(|e| anyhow!("cannot merge: {e}"))?;
        crate::app::redact::redact_audit(&mut merged);
        let output = match format {
            LeaksFormat::Json => AuditOutput::Json,
            LeaksFormat::Text => AuditOutput::Text,
            LeaksFormat::Csv => AuditOutput::Csv {
                excel: args.csv_excel.csv_excel,
            },
            other => bail!(
                "audit results merge to json, text or csv, not {}\nhelp: pass --format json",
                clap::ValueEnum::to_possible_value(&other)
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            ),
        };
        render_in(&merged, &output, lang, &mut out)?;
        outcome(&merged, args.fail_on.unwrap_or(config.audit.fail_on), false)
    };
    out.flush().context("cannot write the output")?;
    Ok(outcome.with_exit_zero(args.exit_zero))
}

/// `ksef-audit/leaks` or `ksef-audit/audit`, from the document's `kind`.
fn document_kind(path: &Path) -> Result<&'static str> {
    let bytes = ksef_model::input::read_limited(path, ksef_model::input::MAX_DOCUMENT_BYTES)
        .with_context(|| {
        format!(
            "cannot read '{}'\nhelp: give the JSON files written by `leaks --format json` or `audit --format json`",
            ksef_model::shown_path(path)
        )
    })?;
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    let kind: Kind = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "'{}' is not valid JSON\nhelp: give the JSON files written by `leaks --format json` or `audit --format json`",
            ksef_model::shown_path(path)
        )
    })?;
    match kind.kind.as_deref() {
        Some(LEAKS_KIND) => Ok(LEAKS_KIND),
        Some(AUDIT_KIND) => Ok(AUDIT_KIND),
        other => bail!(
            "'{}' is a '{}' document; merge combines leaks or audit results\nhelp: give the JSON files written by `leaks --format json` or `audit --format json`",
            ksef_model::shown_path(path),
            other.unwrap_or("(none)")
        ),
    }
}
