//! CSV tables of a report: findings, and the per-client table. RFC 4180 by default;
//! `excel` gives `;` and a UTF-8 BOM for Polish Excel.

use super::RenderError;
use super::model::ReportView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    Findings,
    Clients,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    pub excel: bool,
}

fn writer(opts: CsvOptions) -> csv::Writer<Vec<u8>> {
    let mut buf = Vec::new();
    if opts.excel {
        buf.extend_from_slice("\u{feff}".as_bytes());
    }
    csv::WriterBuilder::new()
        .delimiter(if opts.excel { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(buf)
}

fn err(e: impl std::fmt::Display) -> RenderError {
    RenderError::Csv(e.to_string())
}

/// Writes one table of an already built (and masked) report view.
pub fn render_csv(
    view: &ReportView,
    table: CsvTable,
    opts: CsvOptions,
) -> Result<Vec<u8>, RenderError> {
    let mut w = writer(opts);
    match table {
        CsvTable::Findings => {
            w.write_record([
                "source",
                "id",
                "rule",
                "rule_id",
                "severity",
                "nip",
                "client",
                "reference_number",
                "owner",
                "message",
                "evidence",
                "remediation",
                "excepted",
                "exception_owner",
                "exception_reason",
                "exception_expires",
                "due",
                "status",
                "location",
                "help",
            ])
            .map_err(err)?;
            for f in &view.review.findings {
                w.write_record([
                    "audit",
                    &f.id,
                    &f.rule,
                    &f.rule_id,
                    f.severity,
                    &f.nip,
                    &f.client,
                    &f.reference,
                    &f.owner,
                    &f.message,
                    &f.evidence,
                    &f.remediation,
                    if f.excepted { "true" } else { "false" },
                    &f.exc_owner,
                    &f.exc_reason,
                    &f.exc_expires,
                    &f.due,
                    "",
                    "",
                    &f.help,
                ])
                .map_err(err)?;
            }
            for (rows, suppressed) in [(&view.leaks.rows, false), (&view.leaks.suppressed, true)] {
                for l in rows {
                    w.write_record([
                        "leaks",
                        &l.fingerprint,
                        &l.rule,
                        "",
                        l.severity,
                        &l.nip,
                        "",
                        &l.reference,
                        &l.owner,
                        &l.redacted,
                        "",
                        "",
                        if suppressed { "true" } else { "false" },
                        "",
                        &l.suppression,
                        "",
                        "",
                        l.status,
                        &l.locations.join(" | "),
                        "",
                    ])
                    .map_err(err)?;
                }
            }
        }
        CsvTable::Clients => {
            w.write_record([
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
            ])
            .map_err(err)?;
            for c in &view.clients {
                w.write_record([
                    c.nip.as_str(),
                    &c.name,
                    if c.incomplete {
                        "incomplete"
                    } else {
                        "complete"
                    },
                    &c.tokens.to_string(),
                    &c.critical.to_string(),
                    &c.high.to_string(),
                    &c.medium.to_string(),
                    &c.low.to_string(),
                    &c.score,
                    &c.change,
                ])
                .map_err(err)?;
            }
        }
    }
    w.into_inner().map_err(err)
}
