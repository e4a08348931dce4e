//! `ksef-audit tokens` output: a readable table, CSV (one row per token, plus one row
//! per incomplete context so it is never lost), or the versioned JSON snapshot.

use std::io::{self, Write};

use super::csv::csv_time;
use crate::model::{ContextSnapshot, ContextStatus, TokenRecord, TokenSnapshot, mask_pesel};
use crate::render::csv::{CsvOptions, CsvWriter};

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

/// The tokens as CSV through the one [`CsvWriter`] (plain RFC 4180).
pub fn write_csv(w: &mut dyn Write, snapshot: &TokenSnapshot, opts: CsvOptions) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    for ctx in &snapshot.contexts {
        let head = [
            snapshot.environment.label.clone(),
            ctx.nip.clone(),
            ctx.name.clone().unwrap_or_default(),
            opts.word(&status_word(ctx).to_ascii_lowercase())
                .into_owned(),
            ctx.reason.clone().unwrap_or_default(),
        ];
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
                t.description.clone(),
                t.status_details.clone().unwrap_or_default().join("; "),
            ]);
            out.row(&row)?;
        }
    }
    out.finish().map(|_| ())
}

/// One block per context: a header line (status, counts, reason) and a table.
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
            "{}{name}: {}, {} token{}",
            ctx.nip,
            status_word(ctx),
            ctx.tokens.len(),
            if ctx.tokens.len() == 1 { "" } else { "s" }
        )?;
        if let Some(reason) = &ctx.reason {
            for line in reason.lines() {
                writeln!(w, "  ! {line}")?;
            }
        }
        if ctx.tokens.is_empty() {
            continue;
        }
        let header = [
            "REFERENCE",
            "STATUS",
            "PERMISSIONS",
            "CREATED",
            "LAST USED",
            "AUTHOR",
            "DESCRIPTION",
        ];
        let rows: Vec<[String; 7]> = ctx.tokens.iter().map(table_row).collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        write_row(w, &header.map(str::to_string), &widths)?;
        for row in &rows {
            write_row(w, row, &widths)?;
        }
    }
    Ok(())
}

fn write_row(w: &mut dyn Write, cells: &[String; 7], widths: &[usize; 7]) -> io::Result<()> {
    let mut line = String::from("  ");
    for (i, cell) in cells.iter().enumerate() {
        line.push_str(cell);
        if i + 1 < cells.len() {
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
    let mut description: String = t.description.chars().take(DESCRIPTION_WIDTH).collect();
    if t.description.chars().count() > DESCRIPTION_WIDTH {
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
