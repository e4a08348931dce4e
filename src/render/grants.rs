//! `ksef-audit permissions` output: every permission grant of every context as a
//! readable table (PESEL masked), CSV (the one [`CsvWriter`], plain or Excel mode; the
//! holder masked too, since people open it), or the versioned JSON snapshot (the same
//! document `tokens --format json` writes, so `audit --from` audits grants offline).

use std::io::{self, Write};

use crate::model::{ContextStatus, GrantRecord, TokenSnapshot};
use crate::render::csv::{CsvOptions, CsvWriter};

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
pub fn write_json(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, snapshot)?;
    writeln!(w)
}

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
        let head = [
            snapshot.environment.label.clone(),
            ctx.nip.clone(),
            ctx.name.clone().unwrap_or_default(),
            opts.word(status_word(ctx.status)).into_owned(),
            ctx.reason.clone().unwrap_or_default(),
        ];
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
    writeln!(
        w,
        "KSeF environment: {} ({}), fetched {}",
        snapshot.environment.label,
        snapshot.environment.base_url,
        snapshot.fetched_at.format("%Y-%m-%d %H:%M UTC")
    )?;
    for ctx in &snapshot.contexts {
        writeln!(w)?;
        let name = ctx
            .name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        writeln!(
            w,
            "{}{name}: {}, {} grant{}",
            ctx.nip,
            status_word(ctx.status),
            ctx.grants.len(),
            if ctx.grants.len() == 1 { "" } else { "s" }
        )?;
        if let Some(reason) = &ctx.reason {
            for line in reason.lines() {
                writeln!(w, "  ! {line}")?;
            }
        }
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
        let rows: Vec<[String; 8]> = ctx
            .grants
            .iter()
            .map(|g| {
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
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        for row in std::iter::once(header.map(str::to_string)).chain(rows) {
            let mut line = String::from("  ");
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(w, "{}", line.trim_end())?;
        }
    }
    Ok(())
}
