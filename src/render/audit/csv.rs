use std::io::Write;

use crate::model::{AuditFinding, AuditResults, BaselineState};

/// CSV layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Semicolons and a UTF-8 BOM, for Excel with Polish regional settings.
    pub excel: bool,
}

/// Column headers of the findings CSV (layout version 1).
pub const CSV_HEADERS: &[&str] = &[
    "id",
    "rule",
    "rule_id",
    "severity",
    "nip",
    "client_name",
    "reference_number",
    "owner",
    "message",
    "evidence",
    "remediation",
    "excepted",
    "exception_reason",
    "exception_owner",
    "exception_expires",
    "baseline",
];

fn row(f: &AuditFinding) -> Vec<String> {
    let exc = f.exception.as_ref();
    vec![
        f.id.clone(),
        f.rule.clone(),
        f.rule_id.clone(),
        f.severity.to_string(),
        f.nip.clone(),
        f.client_name.clone().unwrap_or_default(),
        f.reference_number.clone().unwrap_or_default(),
        f.owner.clone().unwrap_or_default(),
        f.message.clone(),
        f.evidence.clone(),
        f.remediation.clone(),
        f.excepted.to_string(),
        exc.map(|e| e.reason.clone()).unwrap_or_default(),
        exc.map(|e| e.owner.clone()).unwrap_or_default(),
        exc.map(|e| e.expires.to_string()).unwrap_or_default(),
        match f.baseline {
            Some(BaselineState::New) => "new".into(),
            Some(BaselineState::Unchanged) => "unchanged".into(),
            Some(BaselineState::Fixed) => "fixed".into(),
            None => String::new(),
        },
    ]
}

/// The findings as RFC 4180 CSV (CRLF line ends, quotes where needed).
pub fn render_csv(
    results: &AuditResults,
    opts: CsvOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if opts.excel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if opts.excel { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(CSV_HEADERS)?;
    for f in &results.findings {
        w.write_record(row(f))?;
    }
    w.flush()
}
