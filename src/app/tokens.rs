//! `ksef-audit tokens`: every token of every context, as a table, JSON snapshot or CSV.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::Output;
use super::progress::FetchProgress;
use crate::cli::{GlobalArgs, TokensArgs, TokensFormat};
use crate::collect::ksef::fetch_snapshot;
use crate::config::{self, KsefSettings, resolve_settings};
use crate::error::Outcome;
use crate::model::{ContextStatus, TokenSnapshot};
use crate::render::tokens as render;

pub fn run(global: &GlobalArgs, args: &TokensArgs) -> Result<Outcome> {
    let snapshot = match &args.from {
        Some(path) => read_snapshot(path)?,
        None => {
            let config = config::load(global.config.as_deref())?;
            let settings = resolve_settings(global, &config)?;
            fetch(&settings, global.quiet, global.verbose)
        }
    };
    let mut out = Output::open(args.output.as_deref())?;
    write(&mut out, &snapshot, args.format)?;
    out.flush()?;
    if !global.quiet {
        let stderr = std::io::stderr();
        summary(&mut stderr.lock(), &snapshot, out.path())?;
    }
    Ok(outcome(&snapshot))
}

/// Fetches with a progress display on stderr.
pub fn fetch(settings: &KsefSettings, quiet: bool, verbose: u8) -> TokenSnapshot {
    let display = FetchProgress::new(quiet, verbose, settings.contexts.len());
    let snapshot = fetch_snapshot(settings, display.progress.clone());
    display.finish();
    snapshot
}

pub fn write(w: &mut dyn Write, snapshot: &TokenSnapshot, format: TokensFormat) -> Result<()> {
    match format {
        TokensFormat::Table => render::write_table(w, snapshot),
        TokensFormat::Json => render::write_json(w, snapshot),
        TokensFormat::Csv => render::write_csv(w, snapshot),
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

/// `N contexts: C complete, I incomplete; T tokens (A active)` plus the reasons.
pub fn summary(w: &mut dyn Write, snapshot: &TokenSnapshot, written: Option<&Path>) -> Result<()> {
    let total = snapshot.contexts.len();
    let incomplete: Vec<_> = snapshot
        .contexts
        .iter()
        .filter(|c| c.status == ContextStatus::Incomplete)
        .collect();
    let tokens: usize = snapshot.contexts.iter().map(|c| c.tokens.len()).sum();
    let active = snapshot
        .contexts
        .iter()
        .flat_map(|c| &c.tokens)
        .filter(|t| t.status == crate::model::TokenStatus::Active)
        .count();
    writeln!(
        w,
        "{total} context{}: {} complete, {} incomplete; {tokens} tokens ({active} active)",
        if total == 1 { "" } else { "s" },
        total - incomplete.len(),
        incomplete.len()
    )?;
    for c in &incomplete {
        let reason = c.reason.as_deref().unwrap_or("unknown reason");
        writeln!(
            w,
            "incomplete: {}: {}",
            c.nip,
            reason.lines().next().unwrap_or(reason)
        )?;
    }
    if let Some(p) = written {
        writeln!(w, "written to {}", p.display())?;
    }
    Ok(())
}

/// Reads a `tokens --format json` snapshot (for `--from`; the one reader in
/// `collect::results`).
pub fn read_snapshot(path: &Path) -> Result<TokenSnapshot> {
    Ok(crate::collect::results::load_token_snapshot(path, "from")?.value)
}
