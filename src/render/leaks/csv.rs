//! `--format csv`: one row per finding (active and suppressed). Layout v1; columns are only
//! ever added at the end.

use std::io::Write;

use crate::render::RenderError;
use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use crate::render::leaks::word;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::SuppressionKind;

const HEADER: &[&str; 18] = &[
    "rule_id",
    "rule",
    "severity",
    "path",
    "line",
    "column",
    "commit",
    "author",
    "date",
    "fingerprint",
    "redacted",
    "reference_number",
    "nip",
    "confidence",
    "status",
    "owner",
    "system",
    "suppressed",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
const HEADER_PL: &[&str; 18] = &[
    "Id reguły",
    "Reguła",
    "Istotność",
    "Ścieżka",
    "Wiersz",
    "Kolumna",
    "Commit",
    "Autor",
    "Data",
    "Odcisk",
    "Token (zamaskowany)",
    "Numer referencyjny",
    "NIP",
    "Pewność",
    "Status",
    "Właściciel",
    "System",
    "Wyłączone przez",
];

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn row(f: &LeakFinding, opts: CsvOptions) -> Vec<String> {
    vec![
        f.rule_id.clone(),
        f.rule.clone(),
        opts.word(f.severity.as_str()).into_owned(),
        f.path.clone(),
        opt(&f.line),
        opt(&f.column),
        opt(&f.commit),
        opt(&f.author),
        f.date
            .map(|d| crate::render::csv::csv_time(d, opts))
            .unwrap_or_default(),
        f.fingerprint.clone(),
        opts.lang.preview(&f.redacted),
        opt(&f.reference_number),
        opt(&f.nip),
        opts.word(&word(&f.confidence)).into_owned(),
        opts.word(&word(&f.status)).into_owned(),
        opt(&f.owner),
        opt(&f.system),
        f.suppression
            .as_ref()
            .map(|s| match s.kind {
                SuppressionKind::Baseline => "baseline",
                SuppressionKind::Exception => "exception",
                SuppressionKind::Inline => "inline",
                SuppressionKind::ConfiguredTokenFile => "configured-token-file",
            })
            .map(|w| opts.word(w).into_owned())
            .unwrap_or_default(),
    ]
}

/// The findings as CSV through the one [`CsvWriter`] (plain RFC 4180).
pub fn render(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    render_with(results, CsvOptions::default(), out)
}

/// The findings as CSV in the layout `opts` asks for (`--csv-excel`: Excel with Polish settings).
pub fn render_with(
    results: &LeakResults,
    opts: CsvOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let io = crate::render::leaks::io_err("csv");
    let mut w = CsvWriter::new(out, opts).map_err(&io)?;
    w.row(opts.headers(HEADER, HEADER_PL)).map_err(&io)?;
    for f in results.findings.iter().chain(&results.suppressed) {
        w.row(row(f, opts)).map_err(&io)?;
    }
    w.finish().map(|_| ()).map_err(io)
}
