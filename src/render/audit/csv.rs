//! The audit findings table as CSV (layout version 1; columns are only ever added at
//! the end). The report's findings CSV starts with the same columns.

use std::io::Write;

use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use ksef_model::AuditFinding;
use ksef_model::AuditResults;
use ksef_model::BaselineState;
use ksef_model::i18n::Lang;

/// Column headers of the audit findings table (layout version 1).
pub const CSV_HEADERS: &[&str; 16] = &[
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

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_HEADERS_PL: &[&str; 16] = &[
    "Identyfikator",
    "Reguła",
    "Id reguły",
    "Istotność",
    "NIP",
    "Nazwa klienta",
    "Numer referencyjny",
    "Właściciel",
    "Ustalenie",
    "Dowód",
    "Zalecenie",
    "Wyłączone",
    "Uzasadnienie wyjątku",
    "Właściciel wyjątku",
    "Wyjątek ważny do",
    "Linia bazowa",
];

/// Columns after the shared layout, in the `audit` CSV only (the report's findings table
/// puts its own columns after the shared 16): what the finding is about, to join with the
/// `permissions` and `certificates` listings.
pub const CSV_SUBJECT_COLUMNS: &[&str; 2] = &["grant_id", "certificate_serial"];
/// The same with Polish headers.
pub const CSV_SUBJECT_COLUMNS_PL: &[&str; 2] = &["Id uprawnienia", "Numer seryjny certyfikatu"];

/// The `baseline` cell of a finding.
pub fn baseline_word(state: Option<BaselineState>) -> &'static str {
    match state {
        Some(BaselineState::New) => "new",
        Some(BaselineState::Unchanged) => "unchanged",
        Some(BaselineState::Fixed) => "fixed",
        None => "",
    }
}

fn row(f: &AuditFinding, opts: CsvOptions) -> Vec<String> {
    let exc = f.exception.as_ref();
    let (message, evidence, remediation) = f.words(opts.lang == Lang::Pl);
    vec![
        f.id.clone(),
        f.rule.clone(),
        f.rule_id.clone(),
        opts.word(f.severity.as_str()).into_owned(),
        f.nip.clone(),
        f.client_name.clone().unwrap_or_default(),
        f.reference_number.clone().unwrap_or_default(),
        f.owner.clone().unwrap_or_default(),
        message.to_string(),
        evidence.to_string(),
        remediation.to_string(),
        opts.word(&f.excepted.to_string()).into_owned(),
        exc.map(|e| e.reason.clone()).unwrap_or_default(),
        exc.map(|e| e.owner.clone()).unwrap_or_default(),
        exc.map(|e| e.expires.to_string()).unwrap_or_default(),
        opts.word(baseline_word(f.baseline)).into_owned(),
        f.subject
            .as_ref()
            .and_then(|s| s.grant_id())
            .unwrap_or_default()
            .to_string(),
        f.certificate_serial.clone().unwrap_or_default(),
    ]
}

/// The findings as CSV through the one [`CsvWriter`] (RFC 4180, or Excel mode).
pub fn render_csv(
    results: &AuditResults,
    opts: CsvOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = CsvWriter::new(out, opts)?;
    let headers = match opts.lang {
        Lang::En => CSV_HEADERS.iter().chain(CSV_SUBJECT_COLUMNS),
        Lang::Pl => CSV_HEADERS_PL.iter().chain(CSV_SUBJECT_COLUMNS_PL),
    };
    w.row(headers)?;
    for f in &results.findings {
        w.row(row(f, opts))?;
    }
    w.finish().map(|_| ())
}
