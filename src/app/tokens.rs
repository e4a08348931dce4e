//! `ksef-audit tokens`: every token of every context, as a table, JSON snapshot or CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::app::messages::message_lang;
use crate::app::messages::write_incomplete;
use crate::app::output::Output;
use crate::app::progress::FetchProgress;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::cli::TokensArgs;
use crate::cli::TokensFormat;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use crate::render::csv::CsvOptions;
use crate::render::tokens as render;
use ksef_client::fetch::fetch_snapshot;
use ksef_client::settings::KsefSettings;
use ksef_model::ContextStatus;
use ksef_model::Outcome;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;

/// Where `tokens` takes the token list from.
pub enum TokenSource {
    /// A saved `tokens --format json` snapshot (`--from`): no KSeF call.
    Snapshot(PathBuf),
    /// KSeF, with these settings.
    Live(KsefSettings),
}

/// How the token list is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormat {
    Table,
    Json,
    /// CSV, plain or for Excel with Polish settings (`--csv-excel`), in a language (`--lang`).
    Csv(CsvOptions),
}

/// Everything `ksef-audit tokens` does, without clap types.
pub struct TokensRequest {
    pub source: TokenSource,
    pub format: TokenFormat,
    /// `None`: standard output.
    pub output: Option<PathBuf>,
    pub quiet: bool,
    pub verbose: u8,
    /// `--color` (the table).
    pub color: ColorChoice,
    /// `--lang`, else `[report] lang`: the table, the summary, the messages on stderr and
    /// the CSV (which also carries it in its options).
    pub lang: Lang,
    /// `--nip`: with `--from`, only these contexts of the snapshot are shown and decide the
    /// exit code (a live listing reads only them already).
    pub nips: Vec<String>,
}

/// `ksef-audit tokens`: flags + config -> [`TokensRequest`] -> [`list_tokens`].
pub fn run(global: &GlobalArgs, args: &TokensArgs) -> Result<Outcome> {
    let format = crate::cli::choose_format(
        args.format.format,
        args.csv_excel.csv_excel,
        args.output.output.as_deref(),
        TokensFormat::Table,
    )
    .map_err(anyhow::Error::msg)?;
    let (source, lang) = match &args.from {
        Some(path) => (
            TokenSource::Snapshot(path.clone()),
            crate::app::lang(args.lang.lang),
        ),
        None => {
            let config = crate::app::load_config(global, RuleDirs::NotRead)?;
            (
                TokenSource::Live(resolve_settings(&config)?),
                message_lang(args.lang.lang, Some(&config)),
            )
        }
    };
    list_tokens(&TokensRequest {
        source,
        format: match format {
            TokensFormat::Table => TokenFormat::Table,
            TokensFormat::Json => TokenFormat::Json,
            TokensFormat::Csv => TokenFormat::Csv(CsvOptions::new(
                args.csv_excel.csv_excel,
                crate::app::lang(args.lang.lang),
            )),
        },
        output: args.output.output.clone(),
        quiet: global.quiet,
        verbose: global.verbose,
        color: global.color,
        lang,
        nips: global.nips.clone(),
    })
}

/// The `tokens` pipeline: read or fetch the snapshot, write it, summarise on stderr.
pub fn list_tokens(req: &TokensRequest) -> Result<Outcome> {
    let snapshot = match &req.source {
        TokenSource::Snapshot(path) => only_contexts(read_snapshot(path)?, &req.nips)?,
        TokenSource::Live(settings) => fetch(settings, req.quiet, req.verbose, req.lang),
    };
    let mut out = Output::open(req.output.as_deref())?;
    if req.format == TokenFormat::Table {
        let style = crate::app::table_style(req.color, &mut out);
        let mut shown = snapshot.clone();
        crate::app::redact::redact_snapshot(&mut shown);
        // The data is escaped first, terminal or not (a file or pipe is read in a terminal
        // later); colour codes are ours.
        shown = crate::app::output::escaped(&shown)?;
        render::write_table_styled(&mut out, &shown, style, req.lang)
            .context("cannot write the token list")?;
    } else {
        write(&mut out, &snapshot, req.format)?;
    }
    out.flush()?;
    if !req.quiet {
        summary(
            &mut crate::app::output::stderr(),
            &snapshot,
            out.path(),
            req.lang,
        )?;
    } else {
        // Quiet keeps the errors: the reason for exit 2 is always on stderr.
        incomplete_reasons(&mut crate::app::output::stderr(), &snapshot, req.lang)?;
    }
    Ok(outcome(&snapshot))
}

/// Fetches with a progress display on stderr (its words in `lang`).
pub fn fetch(settings: &KsefSettings, quiet: bool, verbose: u8, lang: Lang) -> TokenSnapshot {
    let uses_file = settings.contexts.iter().any(|c| {
        matches!(
            c.credential,
            ksef_client::settings::CredentialSource::File(_)
        )
    });
    if let (true, false, Some(caveat)) = (
        uses_file,
        quiet,
        ksef_client::settings::TOKEN_FILE_CHECK_CAVEAT,
    ) {
        say!("{}", ksef_model::i18n::stderr::warning(lang, caveat));
    }
    let display = FetchProgress::new(quiet, verbose, settings.contexts.len(), lang);
    let snapshot = fetch_snapshot(settings, display.progress.clone());
    display.finish();
    snapshot
}

pub fn write(w: &mut dyn Write, snapshot: &TokenSnapshot, format: TokenFormat) -> Result<()> {
    let mut redacted = snapshot.clone();
    crate::app::redact::redact_snapshot(&mut redacted);
    let snapshot = &redacted;
    match format {
        TokenFormat::Table => render::write_table(w, snapshot),
        TokenFormat::Json => render::write_json(w, snapshot),
        TokenFormat::Csv(opts) => render::write_csv(w, snapshot, opts),
    }
    .context("cannot write the token list")
}

/// Exit 2 when any context is incomplete.
pub fn outcome(snapshot: &TokenSnapshot) -> Outcome {
    if snapshot
        .contexts
        .iter()
        .any(|c| c.status == ContextStatus::Incomplete)
    {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    }
}

/// `N contexts: C complete, I incomplete; T tokens (A active)` plus the reasons, in `lang`.
pub fn summary(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
    written: Option<&Path>,
    lang: Lang,
) -> Result<()> {
    let total = snapshot.contexts.len();
    let incomplete = snapshot
        .contexts
        .iter()
        .filter(|c| c.status == ContextStatus::Incomplete)
        .count();
    let tokens: usize = snapshot.contexts.iter().map(|c| c.tokens.len()).sum();
    let active = snapshot
        .contexts
        .iter()
        .flat_map(|c| &c.tokens)
        .filter(|t| t.status.is_live())
        .count();
    writeln!(
        w,
        "{}",
        match lang {
            Lang::En => format!(
                "{}: {} complete, {incomplete} incomplete; {tokens} tokens ({active} active)",
                lang.count(total as u64, ("context", "contexts"), ("", "", "")),
                total - incomplete,
            ),
            Lang::Pl => format!(
                "{}: kompletne: {}, niekompletne: {incomplete}; {} (aktywne: {active})",
                contexts_pl(total),
                total - incomplete,
                lang.count(tokens as u64, ("", ""), ("token", "tokeny", "tokenów")),
            ),
        }
    )?;
    incomplete_reasons(w, snapshot, lang)?;
    if let Some(p) = written {
        writeln!(
            w,
            "{} {}",
            lang.t("written to", "zapisano do pliku"),
            ksef_model::shown_path(p)
        )?;
    }
    Ok(())
}

/// `N kontekst/konteksty/kontekstów`: the count that starts every listing summary in Polish.
pub fn contexts_pl(n: usize) -> String {
    Lang::Pl.count(n as u64, ("", ""), ("kontekst", "konteksty", "kontekstów"))
}

/// `incomplete: NIP: reason` and what to do for every incomplete context, then their
/// count (why the run exits 2), in `lang`.
pub fn incomplete_reasons(w: &mut dyn Write, snapshot: &TokenSnapshot, lang: Lang) -> Result<()> {
    write_incomplete(w, lang, &snapshot.contexts)?;
    Ok(())
}

/// Reads a `tokens --format json` snapshot (for `--from`; the one reader in
/// `collect::results`).
pub fn read_snapshot(path: &Path) -> Result<TokenSnapshot> {
    Ok(crate::inputs::results::load_token_snapshot(path, "from")?.value)
}

/// The contexts of a saved snapshot that `--nip` asks for (all without `--nip`); a NIP the
/// snapshot does not have is an error.
fn only_contexts(mut snapshot: TokenSnapshot, nips: &[String]) -> Result<TokenSnapshot> {
    if nips.is_empty() {
        return Ok(snapshot);
    }
    snapshot.contexts.retain(|c| nips.contains(&c.nip));
    for n in nips {
        if !snapshot.contexts.iter().any(|c| &c.nip == n) {
            anyhow::bail!(
                "--nip {n}: the snapshot has no such context\nhelp: list the snapshot's contexts with `ksef-audit tokens --from SNAPSHOT`"
            );
        }
    }
    Ok(snapshot)
}
