//! `--format csv`: one row per finding (active and suppressed). Layout v1; columns are only
//! ever added at the end.

use std::io::Write;

use super::encode_err;
use super::word;
use crate::model::{LeakFinding, LeakResults, SuppressionKind};
use crate::render::RenderError;

const HEADER: &[&str] = &[
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

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn row(f: &LeakFinding) -> Vec<String> {
    vec![
        f.rule_id.clone(),
        f.rule.clone(),
        f.severity.to_string(),
        f.path.clone(),
        opt(&f.line),
        opt(&f.column),
        opt(&f.commit),
        opt(&f.author),
        f.date.map(|d| d.to_rfc3339()).unwrap_or_default(),
        f.fingerprint.clone(),
        f.redacted.clone(),
        opt(&f.reference_number),
        opt(&f.nip),
        word(&f.confidence),
        word(&f.status),
        opt(&f.owner),
        opt(&f.system),
        f.suppression
            .as_ref()
            .map(|s| match s.kind {
                SuppressionKind::Baseline => "baseline",
                SuppressionKind::Exception => "exception",
                SuppressionKind::Inline => "inline",
            })
            .unwrap_or_default()
            .to_string(),
    ]
}

pub fn render(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(encode_err("csv"))?;
    for f in results.findings.iter().chain(&results.suppressed) {
        w.write_record(row(f)).map_err(encode_err("csv"))?;
    }
    w.flush().map_err(super::io_err("csv"))
}
