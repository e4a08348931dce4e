//! `ksef-audit permissions` output: every permission grant of every context as a
//! readable table (PESEL masked), CSV (the one [`CsvWriter`], plain or Excel mode; the
//! holder masked too, since people open it), or the versioned JSON snapshot (the same
//! document `tokens --format json` writes, so `audit --from` audits grants offline).

use std::io::{self, Write};

use crate::model::{ContextStatus, GrantRecord, TokenSnapshot};
use crate::render::csv::{CsvOptions, CsvWriter};
use crate::render::tokens::{
    context_csv_head, write_aligned, write_context_heading, write_environment_line,
};

/// CSV columns, in order (part of the interface: add at the end only).
pub const CSV_COLUMNS: [&str; 14] = [
    "environment",
    "nip",
    "client_name",
    "context_status",
    "context_reason",
    "grant_id",
    "kind",
    "holder_type",
    "holder",
    "holder_name",
    "permission",
    "can_delegate",
    "target",
    "start_date",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_COLUMNS_PL: [&str; 14] = [
    "Środowisko",
    "NIP",
    "Nazwa klienta",
    "Stan kontekstu",
    "Przyczyna niekompletności",
    "Id uprawnienia",
    "Rodzaj",
    "Typ posiadacza",
    "Posiadacz",
    "Nazwa posiadacza",
    "Uprawnienie",
    "Może przekazywać",
    "Cel",
    "Data nadania",
];

/// The snapshot as JSON (grants unmasked: the snapshot is the firm's own data and
/// joins need the identifiers).
/// The JSON snapshot is the one `tokens` writes (it holds the grants).
pub use crate::render::tokens::write_json;

fn status_word(status: ContextStatus) -> &'static str {
    match status {
        ContextStatus::Complete => "complete",
        ContextStatus::Incomplete => "incomplete",
    }
}

fn target(g: &GrantRecord) -> String {
    g.target
        .as_ref()
        .map(|t| match t.value.as_deref() {
            Some(_) => format!("{} {}", t.kind, t.masked()),
            None => t.kind.to_string(),
        })
        .unwrap_or_default()
}

/// One row per grant, plus one row per context without grants (so an incomplete
/// context is never lost).
pub fn write_csv(w: &mut dyn Write, snapshot: &TokenSnapshot, opts: CsvOptions) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    for ctx in &snapshot.contexts {
        let head = context_csv_head(snapshot, ctx, opts);
        if ctx.grants.is_empty() {
            let mut row = head.to_vec();
            row.resize(CSV_COLUMNS.len(), String::new());
            out.row(&row)?;
        }
        for g in &ctx.grants {
            let mut row = head.to_vec();
            row.extend([
                g.id.clone(),
                g.kind.to_string(),
                g.holder.kind.to_string(),
                g.holder.masked(),
                g.holder_name().unwrap_or_default(),
                g.scope.to_string(),
                opts.word(&g.can_delegate.to_string()).into_owned(),
                target(g),
                crate::render::csv::csv_time(g.start_date, opts),
            ]);
            out.row(&row)?;
        }
    }
    out.finish().map(|_| ())
}

/// One block per context: a header line (status, count, reason) and a table.
pub fn write_table(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    write_environment_line(w, snapshot)?;
    for ctx in &snapshot.contexts {
        write_context_heading(w, ctx, status_word(ctx.status), ctx.grants.len(), "grant")?;
        if ctx.grants.is_empty() {
            continue;
        }
        let header = [
            "GRANT ID",
            "KIND",
            "HOLDER",
            "NAME",
            "PERMISSION",
            "DELEGATE",
            "TARGET",
            "SINCE",
        ];
        let rows: Vec<Vec<String>> = std::iter::once(header.map(str::to_string).to_vec())
            .chain(ctx.grants.iter().map(|g| {
                [
                    g.id.clone(),
                    g.kind.to_string(),
                    format!("{} {}", g.holder.kind, g.holder.masked()),
                    g.holder_name().unwrap_or_default(),
                    g.scope.to_string(),
                    if g.can_delegate { "yes" } else { "" }.to_string(),
                    target(g),
                    g.start_date.format("%Y-%m-%d").to_string(),
                ]
                .to_vec()
            }))
            .collect();
        write_aligned(w, &rows)?;
    }
    Ok(())
}
