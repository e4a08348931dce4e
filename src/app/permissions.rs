//! `ksef-audit permissions`: every permission grant of every context, as a table (PESEL
//! masked), CSV (plain or Excel mode) or the versioned JSON snapshot. Live like
//! `tokens` (the same fetch reads tokens and grants), or `--from SNAPSHOT`.

use std::io::Write;

use anyhow::{Context, Result};

use crate::app::output::Output;
use crate::app::tokens::TokenSource;
use crate::app::tokens::contexts_pl;
use crate::app::tokens::fetch;
use crate::app::tokens::incomplete_reasons;
use crate::app::tokens::outcome;
use crate::app::tokens::read_snapshot;
use crate::cli::GlobalArgs;
use crate::cli::PermissionsArgs;
use crate::cli::TokensFormat;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use crate::render::csv::CsvOptions;
use crate::render::grants as render;
use ksef_model::ContextStatus;
use ksef_model::Outcome;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;

/// `ksef-audit permissions`.
pub fn run(global: &GlobalArgs, args: &PermissionsArgs) -> Result<Outcome> {
    let (source, lang) = match &args.from {
        Some(path) => (
            TokenSource::Snapshot(path.clone()),
            crate::app::lang(args.lang.lang),
        ),
        None => {
            let config = crate::app::load_config(global, RuleDirs::NotRead)?;
            (
                TokenSource::Live(resolve_settings(&config)?),
                crate::app::messages::message_lang(args.lang.lang, Some(&config)),
            )
        }
    };
    let mut snapshot = match &source {
        TokenSource::Snapshot(path) => read_snapshot(path)?,
        TokenSource::Live(settings) => fetch(settings, global.quiet, global.verbose, lang),
    };
    // Grant descriptions are free text from KSeF: a token pasted there is not written out.
    crate::app::redact::redact_snapshot(&mut snapshot);
    let mut out = Output::open(args.output.output.as_deref())?;
    let csv = CsvOptions::new(args.csv_excel.csv_excel, crate::app::lang(args.lang.lang));
    // `--format` has a default (table): the extension of `-o FILE` does not choose here.
    let format = args.format.format.unwrap_or(TokensFormat::Table);
    if format == TokensFormat::Table && !args.csv_excel.csv_excel {
        let style = crate::app::table_style(global.color, &mut out);
        // The data is escaped first, terminal or not (a file or pipe is read in a terminal
        // later); colour codes are ours.
        let shown = crate::app::output::escaped(&snapshot)?;
        render::write_table_styled(&mut out, &shown, style, lang)
            .context("cannot write the permission grants")?;
    } else {
        write(&mut out, &snapshot, format, csv)?;
    }
    out.flush()?;
    let mut err = crate::app::output::stderr();
    if global.quiet {
        // Quiet keeps the errors: the reason for exit 2 is always on stderr.
        incomplete_reasons(&mut err, &snapshot, lang)?;
    } else {
        summary(&mut err, &snapshot, lang)?;
    }
    Ok(outcome(&snapshot))
}

/// Writes the grants in the chosen format (`csv.excel` implies CSV).
pub fn write(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
    format: TokensFormat,
    csv: CsvOptions,
) -> Result<()> {
    match (format, csv.excel) {
        (_, true) | (TokensFormat::Csv, false) => render::write_csv(w, snapshot, csv),
        (TokensFormat::Json, false) => crate::render::tokens::write_json(w, snapshot),
        (TokensFormat::Table, false) => render::write_table(w, snapshot),
    }
    .context("cannot write the permission grants")
}

/// `N contexts: C complete, I incomplete; G grants` plus the reasons, in `lang`.
fn summary(w: &mut dyn Write, snapshot: &TokenSnapshot, lang: Lang) -> Result<()> {
    let incomplete: Vec<_> = snapshot
        .contexts
        .iter()
        .filter(|c| c.status == ContextStatus::Incomplete)
        .collect();
    let total = snapshot.contexts.len();
    let grants: usize = snapshot.contexts.iter().map(|c| c.grants.len()).sum();
    match lang {
        Lang::En => writeln!(
            w,
            "{total} contexts: {} complete, {} incomplete; {grants} grants",
            total - incomplete.len(),
            incomplete.len()
        )?,
        Lang::Pl => writeln!(
            w,
            "{}: kompletne: {}, niekompletne: {}; {}",
            contexts_pl(total),
            total - incomplete.len(),
            incomplete.len(),
            lang.count(
                grants as u64,
                ("", ""),
                ("uprawnienie", "uprawnienia", "uprawnień")
            )
        )?,
    }
    incomplete_reasons(w, snapshot, lang)?;
    Ok(())
}
