//! CSV tables of a report: findings, and the per-client table, written through the one
//! [`CsvWriter`] (RFC 4180, or Excel mode with `;`, BOM and the formula guard).
//!
//! The findings table starts with the audit findings layout (`audit --format csv`,
//! [`CSV_HEADERS`]) and adds the report's own columns after it, so a sheet built on
//! one reads the other.

use crate::render::RenderError;
use crate::render::audit::CSV_HEADERS;
use crate::render::audit::CSV_HEADERS_PL;
use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use crate::render::html::model::ReportView;
use ksef_model::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    Findings,
    Clients,
}

/// Report columns after the audit findings layout.
const REPORT_COLUMNS: &[&str] = &["source", "due", "status", "location", "help"];
/// The same with Polish headers (`--lang pl`; docs/csv.md).
const REPORT_COLUMNS_PL: &[&str] = &["Źródło", "Termin", "Status", "Miejsce", "Opis reguły"];
/// Columns of the clients table, in English and Polish.
const CLIENT_COLUMNS: &[&str; 10] = &[
    "nip",
    "name",
    "status",
    "active_tokens",
    "critical",
    "high",
    "medium",
    "low",
    "score",
    "change",
];
const CLIENT_COLUMNS_PL: &[&str; 10] = &[
    "NIP",
    "Nazwa",
    "Stan",
    "Aktywne tokeny",
    "Krytyczne",
    "Wysokie",
    "Średnie",
    "Niskie",
    "Wskaźnik",
    "Zmiana",
];

fn err(e: impl std::fmt::Display) -> RenderError {
    RenderError::Csv(e.to_string())
}

/// Writes one table of an already built (and masked) report view.
pub fn render_csv(
    view: &ReportView,
    table: CsvTable,
    opts: CsvOptions,
) -> Result<Vec<u8>, RenderError> {
    let mut w = CsvWriter::new(Vec::new(), opts).map_err(err)?;
    match table {
        CsvTable::Findings => write_findings(&mut w, view, opts),
        CsvTable::Clients => write_clients(&mut w, view, opts),
    }
    .map_err(err)?;
    w.finish().map_err(err)
}

fn write_findings(
    w: &mut CsvWriter<Vec<u8>>,
    view: &ReportView,
    opts: CsvOptions,
) -> std::io::Result<()> {
    match opts.lang {
        Lang::Pl => w.row(CSV_HEADERS_PL.iter().chain(REPORT_COLUMNS_PL))?,
        Lang::En => w.row(CSV_HEADERS.iter().chain(REPORT_COLUMNS))?,
    }
    let yes_no = |b: bool| opts.word(if b { "true" } else { "false" });
    for f in &view.review.findings {
        w.row([
            f.id.as_str(),
            &f.rule,
            &f.rule_id,
            &opts.word(f.severity),
            &f.nip,
            &f.client,
            &f.reference,
            &f.owner,
            &f.message,
            &f.evidence,
            &f.remediation,
            &yes_no(f.excepted),
            &f.exc_reason,
            &f.exc_owner,
            &f.exc_expires,
            &opts.word(f.baseline),
            &opts.word("audit"),
            &f.due,
            "",
            "",
            &f.help,
        ])?;
    }
    for (rows, suppressed) in [(&view.leaks.rows, false), (&view.leaks.suppressed, true)] {
        for l in rows {
            let location = l.locations.join(" | ");
            w.row([
                l.fingerprint.as_str(),
                &l.rule,
                "",
                &opts.word(l.severity),
                &l.nip,
                "",
                &l.reference,
                &l.owner,
                &l.redacted,
                "",
                "",
                &yes_no(suppressed),
                &l.suppression,
                "",
                "",
                "",
                &opts.word("leaks"),
                "",
                &opts.word(l.status),
                &location,
                "",
            ])?;
        }
    }
    Ok(())
}

fn write_clients(
    w: &mut CsvWriter<Vec<u8>>,
    view: &ReportView,
    opts: CsvOptions,
) -> std::io::Result<()> {
    w.row(opts.headers(CLIENT_COLUMNS, CLIENT_COLUMNS_PL))?;
    for c in &view.clients {
        // Counts, score and change are numbers to Excel (ASCII minus; empty when n/a).
        w.row_numeric(
            [
                c.nip.clone(),
                c.name.clone(),
                opts.word(if c.incomplete {
                    "incomplete"
                } else {
                    "complete"
                })
                .into_owned(),
                c.tokens.to_string(),
                c.critical.to_string(),
                c.high.to_string(),
                c.medium.to_string(),
                c.low.to_string(),
                c.score.clone(),
                c.change.clone(),
            ],
            &[3, 4, 5, 6, 7, 8, 9],
        )?;
    }
    Ok(())
}
