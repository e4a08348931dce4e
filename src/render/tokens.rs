//! `ksef-audit tokens` output: a readable table, CSV (one row per token, plus one row
//! per incomplete context so it is never lost), or the versioned JSON snapshot.

use std::io::{self, Write};

use super::csv::csv_time;
use crate::model::{
    ContextSnapshot, ContextStatus, TokenRecord, TokenSnapshot, mask_pesel, mask_pesels_in,
};
use crate::render::csv::{CsvOptions, CsvWriter};
use crate::render::style::{Style, Tone};
use crate::render::{Lang, reason};

/// Longest description shown in the table (the JSON and CSV keep it whole).
const DESCRIPTION_WIDTH: usize = 48;

/// CSV columns, in order (part of the interface: add at the end only).
pub const CSV_COLUMNS: [&str; 16] = [
    "environment",
    "nip",
    "client_name",
    "context_status",
    "context_reason",
    "reference_number",
    "status",
    "permissions",
    "date_created",
    "last_use_date",
    "author_type",
    "author_value",
    "context_type",
    "context_value",
    "description",
    "status_details",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_COLUMNS_PL: [&str; 16] = [
    "Środowisko",
    "NIP",
    "Nazwa klienta",
    "Stan kontekstu",
    "Przyczyna niekompletności",
    "Numer referencyjny",
    "Status",
    "Uprawnienia",
    "Data utworzenia",
    "Ostatnie użycie",
    "Typ autora",
    "Autor",
    "Typ kontekstu",
    "Identyfikator kontekstu",
    "Opis",
    "Szczegóły statusu",
];

pub fn write_json(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, snapshot)?;
    writeln!(w)
}

/// The first five cells of every listing CSV row (tokens, grants): environment, NIP,
/// client name, context status and the reason it is incomplete.
pub(crate) fn context_csv_head(
    snapshot: &TokenSnapshot,
    ctx: &ContextSnapshot,
    opts: CsvOptions,
) -> [String; 5] {
    [
        snapshot.environment.label.clone(),
        ctx.nip.clone(),
        ctx.name.clone().unwrap_or_default(),
        opts.word(&status_word(ctx).to_ascii_lowercase())
            .into_owned(),
        reason::csv_cell(opts.lang, ctx.reason_code.as_ref(), ctx.reason.as_deref()),
    ]
}

/// The tokens as CSV through the one [`CsvWriter`] (plain RFC 4180).
pub fn write_csv(w: &mut dyn Write, snapshot: &TokenSnapshot, opts: CsvOptions) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    for ctx in &snapshot.contexts {
        let head = context_csv_head(snapshot, ctx, opts);
        if ctx.tokens.is_empty() {
            let mut row = head.to_vec();
            row.resize(CSV_COLUMNS.len(), String::new());
            out.row(&row)?;
        }
        for t in &ctx.tokens {
            let mut row = head.to_vec();
            row.extend([
                t.reference_number.clone(),
                opts.word(t.status.as_str()).into_owned(),
                permissions(t),
                csv_time(t.date_created, opts),
                t.last_use_date
                    .map(|d| csv_time(d, opts))
                    .unwrap_or_default(),
                t.author_identifier.kind.clone(),
                // Masked as in the table: a person reads this file, and Excel would turn
                // the digits into a number without their leading zeros.
                if t.author_identifier.kind == "Pesel" {
                    mask_pesel(&t.author_identifier.value)
                } else {
                    t.author_identifier.value.clone()
                },
                t.context_identifier.kind.clone(),
                t.context_identifier.value.clone(),
                mask_pesels_in(&t.description).into_owned(),
                t.status_details.clone().unwrap_or_default().join("; "),
            ]);
            out.row(&row)?;
        }
    }
    out.finish().map(|_| ())
}

/// `KSeF environment: LABEL (URL), fetched TIME`: the first line of every listing table.
pub(crate) fn write_environment_line(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
) -> io::Result<()> {
    writeln!(
        w,
        "KSeF environment: {} ({}), fetched {}",
        snapshot.environment.label,
        snapshot.environment.base_url,
        snapshot.fetched_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// Lines of cells padded to column widths, indented by two spaces.
pub(crate) fn write_aligned(w: &mut dyn Write, rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let n = cell.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(n),
                None => widths.push(n),
            }
        }
    }
    for row in rows {
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
    Ok(())
}

/// The heading of one context's block: a blank line, `NIP name: status, N nouns`, and each
/// line of the reason it is incomplete as `  ! …`.
pub(crate) fn write_context_heading(
    w: &mut dyn Write,
    ctx: &ContextSnapshot,
    status: &str,
    count: usize,
    noun: &str,
) -> io::Result<()> {
    writeln!(w)?;
    let name = ctx
        .name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    writeln!(
        w,
        "{}{name}: {status}, {count} {noun}{}",
        ctx.nip,
        if count == 1 { "" } else { "s" }
    )?;
    if ctx.reason.is_some() {
        // The tables are English for now: the reason follows the table's language.
        let why = reason::lines(Lang::En, ctx.reason_code.as_ref(), ctx.reason.as_deref());
        for line in why {
            writeln!(w, "  ! {line}")?;
        }
    }
    Ok(())
}

/// One block per context: a header line (status, counts, reason) and a table.
pub fn write_table(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    write_table_styled(w, snapshot, Style::default())
}

const HEADER: [&str; 7] = [
    "REFERENCE",
    "STATUS",
    "PERMISSIONS",
    "CREATED",
    "LAST USED",
    "AUTHOR",
    "DESCRIPTION",
];
const PERMISSIONS: usize = 2;
const CREATED: usize = 3;
const AUTHOR: usize = 5;
const DESCRIPTION: usize = 6;
/// Narrowest a shrunk column gets (description, permissions) before columns are dropped.
const MIN_DESCRIPTION: usize = 16;
const MIN_PERMISSIONS: usize = 20;

/// The columns shown and their widths when the table must fit `limit` characters: first the
/// description and the permissions shrink (cut with `…`), then CREATED, AUTHOR, PERMISSIONS
/// and DESCRIPTION are left out, in that order. REFERENCE, STATUS and LAST USED always stay.
fn fit(natural: &[usize; 7], limit: Option<usize>) -> ([bool; 7], [usize; 7]) {
    let mut shown = [true; 7];
    let Some(limit) = limit else {
        return (shown, *natural);
    };
    let line = |shown: &[bool; 7], widths: &[usize; 7]| {
        let cols: Vec<usize> = (0..7).filter(|&i| shown[i]).map(|i| widths[i]).collect();
        2 + cols.iter().sum::<usize>() + 2 * cols.len().saturating_sub(1)
    };
    for drop in [
        None,
        Some(CREATED),
        Some(AUTHOR),
        Some(PERMISSIONS),
        Some(DESCRIPTION),
    ] {
        if let Some(d) = drop {
            shown[d] = false;
        }
        let mut widths = *natural;
        widths[DESCRIPTION] = natural[DESCRIPTION].min(MIN_DESCRIPTION);
        widths[PERMISSIONS] = natural[PERMISSIONS].min(MIN_PERMISSIONS);
        let min = line(&shown, &widths);
        if min > limit && drop != Some(DESCRIPTION) {
            continue;
        }
        // Give the room left to the description, then to the permissions.
        let mut room = limit.saturating_sub(min);
        for col in [DESCRIPTION, PERMISSIONS] {
            if shown[col] {
                let more = natural[col].saturating_sub(widths[col]).min(room);
                widths[col] += more;
                room -= more;
            }
        }
        return (shown, widths);
    }
    (shown, *natural)
}

/// `cell` cut to `width` characters, ending in `…` when cut.
fn cut_cell(cell: &str, width: usize) -> String {
    if cell.chars().count() <= width {
        return cell.to_string();
    }
    let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// [`write_table`] for a terminal: statuses coloured, the table fitted to `style.width`
/// (with a note naming the columns left out; CSV and JSON always have every column).
pub fn write_table_styled(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
    style: Style,
) -> io::Result<()> {
    write_environment_line(w, snapshot)?;
    // Which columns fit is decided once, from the widest values of all contexts, so every
    // context shows the same columns.
    let mut widest = HEADER.map(|h| h.chars().count());
    for t in snapshot.contexts.iter().flat_map(|c| &c.tokens) {
        for (i, cell) in table_row(t).iter().enumerate() {
            widest[i] = widest[i].max(cell.chars().count());
        }
    }
    let (shown, _) = fit(&widest, style.width);
    let left_out: Vec<&str> = (0..7).filter(|&i| !shown[i]).map(|i| HEADER[i]).collect();
    if !left_out.is_empty() {
        writeln!(
            w,
            "(not shown, the terminal is too narrow: {}; --format csv has every column)",
            left_out.join(", ")
        )?;
    }
    for ctx in &snapshot.contexts {
        let status = match ctx.status {
            ContextStatus::Complete => style.paint(Tone::Good, status_word(ctx)),
            ContextStatus::Incomplete => style.paint(Tone::Alarm, status_word(ctx)),
        };
        write_context_heading(w, ctx, &status, ctx.tokens.len(), "token")?;
        if ctx.tokens.is_empty() {
            continue;
        }
        let rows: Vec<[String; 7]> = ctx.tokens.iter().map(table_row).collect();
        let mut natural = HEADER.map(|h| h.chars().count());
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                natural[i] = natural[i].max(cell.chars().count());
            }
        }
        let (_, widths) = fit(&natural, style.width);
        write_row(w, &HEADER.map(str::to_string), &widths, &shown)?;
        for row in &rows {
            write_row(w, row, &widths, &shown)?;
        }
    }
    Ok(())
}

fn write_row(
    w: &mut dyn Write,
    cells: &[String; 7],
    widths: &[usize; 7],
    shown: &[bool; 7],
) -> io::Result<()> {
    let mut line = String::from("  ");
    let last = (0..7).rev().find(|&i| shown[i]).unwrap_or(0);
    for (i, cell) in cells.iter().enumerate() {
        if !shown[i] {
            continue;
        }
        let cell = cut_cell(cell, widths[i]);
        line.push_str(&cell);
        if i < last {
            let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(w, "{}", line.trim_end())
}

fn table_row(t: &TokenRecord) -> [String; 7] {
    let author = match t.author_identifier.kind.as_str() {
        "Pesel" => format!("Pesel {}", mask_pesel(&t.author_identifier.value)),
        kind => format!("{kind} {}", t.author_identifier.value),
    };
    let shown = mask_pesels_in(&t.description);
    let mut description: String = shown.chars().take(DESCRIPTION_WIDTH).collect();
    if shown.chars().count() > DESCRIPTION_WIDTH {
        description.pop();
        description.push('…');
    }
    [
        t.reference_number.clone(),
        t.status.to_string(),
        permissions(t),
        t.date_created.format("%Y-%m-%d").to_string(),
        t.last_use_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "never".into()),
        author,
        description,
    ]
}

fn permissions(t: &TokenRecord) -> String {
    t.requested_permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn status_word(ctx: &ContextSnapshot) -> &'static str {
    match ctx.status {
        ContextStatus::Complete => "complete",
        ContextStatus::Incomplete => "INCOMPLETE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_shrink_then_drop_low_value_columns() {
        // reference 36, status 6, permissions 60, created 10, last used 10, author 18, description 48
        let natural = [36, 6, 60, 10, 10, 18, 48];
        let (shown, widths) = fit(&natural, None);
        assert_eq!((shown, widths), ([true; 7], natural));
        // 140 columns: everything stays, description and permissions cut to fit.
        let (shown, widths) = fit(&natural, Some(140));
        assert_eq!(shown, [true; 7]);
        let total = 2 + widths.iter().sum::<usize>() + 12;
        assert!(total <= 140, "{widths:?}");
        assert!(widths[DESCRIPTION] >= MIN_DESCRIPTION && widths[DESCRIPTION] < 48);
        // 120 columns: CREATED goes first; 100: AUTHOR too; 80: PERMISSIONS too.
        let (shown, _) = fit(&natural, Some(120));
        assert_eq!(shown, [true, true, true, false, true, true, true]);
        let (shown, _) = fit(&natural, Some(100));
        assert_eq!(shown, [true, true, true, false, true, false, true]);
        let (shown, widths) = fit(&natural, Some(80));
        assert_eq!(shown, [true, true, false, false, true, false, true]);
        let used: usize = (0..7).filter(|&i| shown[i]).map(|i| widths[i]).sum();
        assert!(2 + used + 2 * 3 <= 80, "{widths:?}");
        let (shown, _) = fit(&natural, Some(40));
        assert!(shown[0] && shown[1] && shown[4]);
        assert_eq!(cut_cell("abcdefgh", 5), "abcd…");
    }
    use crate::model::EnvironmentRef;

    fn snapshot() -> TokenSnapshot {
        let token: TokenRecord = serde_json::from_value(serde_json::json!({
            "referenceNumber": "20251001-EC-2DD3AFF000-A6B7F19A95-11",
            "authorIdentifier": {"type": "Pesel", "value": "85010112345"},
            "contextIdentifier": {"type": "Nip", "value": "5265877635"},
            "description": "Wystawianie i przeglądanie faktur, bardzo długi opis tokena w systemie ERP",
            "requestedPermissions": ["InvoiceRead", "InvoiceWrite"],
            "dateCreated": "2025-10-01T13:20:52.9919681+00:00",
            "status": "Active",
            "statusDetails": []
        }))
        .expect("token");
        let ctx =
            |nip: &str, status, reason: Option<&str>, tokens: Vec<TokenRecord>| ContextSnapshot {
                nip: nip.into(),
                name: Some("Alfa sp. z o.o.".into()),
                environment: "test".into(),
                status,
                reason: reason.map(str::to_string),
                reason_code: None,
                fetched_at: "2026-01-01T00:00:00Z".parse().expect("date"),
                duration_ms: 5,
                auditor_reference: None,
                auditor_permissions: None,
                tokens,
                grants: Vec::new(),
                certificates: Default::default(),
            };
        TokenSnapshot {
            schema_version: 1,
            kind: crate::model::SNAPSHOT_KIND.into(),
            tool_version: "0.1.0".into(),
            environment: EnvironmentRef {
                label: "test".into(),
                base_url: "https://api-test.ksef.mf.gov.pl/v2".into(),
            },
            fetched_at: "2026-01-01T00:00:00Z".parse().expect("date"),
            contexts: vec![
                ctx("5265877635", ContextStatus::Complete, None, vec![token]),
                ctx(
                    "7762811692",
                    ContextStatus::Incomplete,
                    Some("HTTP 503"),
                    vec![],
                ),
            ],
        }
    }

    #[test]
    fn table_shows_status_reason_and_masks_pesel() {
        let mut out = Vec::new();
        write_table(&mut out, &snapshot()).expect("renders");
        let text = String::from_utf8(out).expect("utf8");
        assert!(
            text.contains("5265877635 Alfa sp. z o.o.: complete, 1 token"),
            "{text}"
        );
        assert!(
            text.contains("7762811692 Alfa sp. z o.o.: INCOMPLETE, 0 tokens"),
            "{text}"
        );
        assert!(text.contains("! HTTP 503"), "{text}");
        assert!(text.contains("Pesel 85*******45"), "{text}");
        assert!(!text.contains("85010112345"), "{text}");
        assert!(text.contains("InvoiceRead,InvoiceWrite"), "{text}");
        assert!(text.contains('…'), "{text}");
    }

    #[test]
    fn a_pesel_in_a_description_is_masked_in_table_and_csv() {
        let mut snap = snapshot();
        snap.contexts[0].tokens[0].description = "token Tomka 96050930871".into();
        for csv in [false, true] {
            let mut out = Vec::new();
            if csv {
                write_csv(&mut out, &snap, CsvOptions::default()).expect("renders");
            } else {
                write_table(&mut out, &snap).expect("renders");
            }
            let text = String::from_utf8(out).expect("utf8");
            assert!(text.contains("token Tomka 96*******71"), "{text}");
            assert!(!text.contains("96050930871"), "{text}");
        }
    }

    #[test]
    fn csv_has_a_row_per_token_and_per_incomplete_context() {
        let mut out = Vec::new();
        write_csv(&mut out, &snapshot(), CsvOptions::default()).expect("renders");
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][5], "20251001-EC-2DD3AFF000-A6B7F19A95-11");
        assert_eq!(&rows[1][3], "incomplete");
        assert_eq!(&rows[1][4], "HTTP 503");
        assert_eq!(reader.headers().expect("header").len(), CSV_COLUMNS.len());
        // The PESEL is masked as in the table (a person reads the file; Excel would
        // otherwise turn it into a number).
        assert_eq!(&rows[0][11], "85*******45");
    }

    #[test]
    fn excel_csv_has_semicolons_and_times_excel_parses() {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &snapshot(),
            CsvOptions::excel(crate::render::Lang::En),
        )
        .expect("renders");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with('\u{feff}'), "BOM");
        let row = text.lines().nth(1).expect("a row");
        assert!(row.contains(";85*******45;"), "{row}");
        assert!(!row.contains("+00:00"), "{row}");
    }

    #[test]
    fn json_round_trips() {
        let mut out = Vec::new();
        write_json(&mut out, &snapshot()).expect("renders");
        let back: TokenSnapshot = serde_json::from_slice(&out).expect("parses");
        assert_eq!(back, snapshot());
    }
}
