//! The audit findings table as CSV (layout version 1; columns are only ever added at
//! the end). The report's findings CSV starts with the same columns.

use std::io::Write;

use crate::model::{AuditFinding, AuditResults, BaselineState};
use crate::render::csv::{CsvOptions, CsvWriter};

/// Column headers of the audit findings table (layout version 1).
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

/// The `baseline` cell of a finding.
pub fn baseline_word(state: Option<BaselineState>) -> &'static str {
    match state {
        Some(BaselineState::New) => "new",
        Some(BaselineState::Unchanged) => "unchanged",
        Some(BaselineState::Fixed) => "fixed",
        None => "",
    }
}

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
        baseline_word(f.baseline).to_string(),
    ]
}

/// The findings as CSV through the one [`CsvWriter`] (RFC 4180, or Excel mode).
pub fn render_csv(
    results: &AuditResults,
    opts: CsvOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = CsvWriter::new(out, opts)?;
    w.row(CSV_HEADERS)?;
    for f in &results.findings {
        w.row(row(f))?;
    }
    w.finish().map(|_| ())
}
