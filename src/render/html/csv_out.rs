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

fn write_row<const N: usize>(
    w: &mut csv::Writer<Vec<u8>>,
    fields: [&str; N],
    opts: CsvOptions,
) -> Result<(), RenderError> {
    w.write_record(fields.iter().map(|f| cell(f, opts)).map(|c| c.into_owned()))
        .map_err(err)
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

/// For Excel, a cell starting with `=`, `+`, `-`, `@` (or tab/CR) would be run as a
/// formula: prefix it with `'` (CSV injection). RFC 4180 output is left untouched.
fn cell(s: &str, opts: CsvOptions) -> std::borrow::Cow<'_, str> {
    if opts.excel && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
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
                write_row(
                    &mut w,
                    [
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
                    ],
                    opts,
                )?;
            }
            for (rows, suppressed) in [(&view.leaks.rows, false), (&view.leaks.suppressed, true)] {
                for l in rows {
                    write_row(
                        &mut w,
                        [
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
                        ],
                        opts,
                    )?;
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
                write_row(
                    &mut w,
                    [
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
                    ],
                    opts,
                )?;
            }
        }
    }
    w.into_inner().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_cells_that_look_like_formulas_are_quoted() {
        let excel = CsvOptions { excel: true };
        assert_eq!(cell("=HYPERLINK(\"x\")", excel), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-5", excel), "'-5");
        assert_eq!(cell("=1", CsvOptions::default()), "=1");
        assert_eq!(cell("−5", excel), "−5");
    }
}
