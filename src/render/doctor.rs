//! `ksef-audit doctor`: one line per check (✔ ready, ⚠ warning, ✘ failed) with its fix,
//! grouped by context, then the verdict; or the versioned JSON document.

use std::io::{self, Write};

use ksef_model::i18n::Lang;
use ksef_model::i18n::doctor as words;
use ksef_model::{
    CheckStatus, DOCTOR_KIND, DOCTOR_SCHEMA_VERSION, DoctorCheck, DoctorCheckJson, DoctorCounts,
    DoctorReport, TOOL_VERSION,
};

/// The sign of a status.
fn sign(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => "✔",
        CheckStatus::Warning => "⚠",
        CheckStatus::Failed => "✘",
    }
}

/// Checks by status.
pub fn counts(checks: &[DoctorCheck]) -> DoctorCounts {
    let mut counts = DoctorCounts::default();
    for c in checks {
        match c.fact.status() {
            CheckStatus::Ok => counts.ok += 1,
            CheckStatus::Warning => counts.warning += 1,
            CheckStatus::Failed => counts.failed += 1,
        }
    }
    counts
}

/// The text: the config's checks, each context's, and the verdict.
pub fn write_text(
    w: &mut dyn Write,
    checks: &[DoctorCheck],
    online: bool,
    lang: Lang,
) -> io::Result<()> {
    let groups = crate::render::group_in_order(checks, |c| c.nip.clone());
    for (nip, group) in groups {
        match &nip {
            None => writeln!(w, "{}", words::config_heading(lang))?,
            Some(nip) => writeln!(
                w,
                "{}",
                words::context_heading(lang, nip, group[0].name.as_deref())
            )?,
        }
        for check in group {
            let (message, fix) = words::words(lang, &check.fact);
            let status = check.fact.status();
            writeln!(w, "  {} {}", sign(status), indent(&message, "    "))?;
            if let (Some(fix), false) = (fix, status == CheckStatus::Ok) {
                writeln!(
                    w,
                    "      {}: {}",
                    words::fix_label(lang),
                    indent(&fix, "        ")
                )?;
            }
        }
    }
    writeln!(w, "{}", words::summary(lang, counts(checks), online))
}

/// Continuation lines of a multi-line text, indented under the first.
fn indent(text: &str, by: &str) -> String {
    text.replace('\n', &format!("\n{by}"))
}

/// The JSON document of a run.
pub fn report(checks: &[DoctorCheck], config: &str, online: bool, lang: Lang) -> DoctorReport {
    let counts = counts(checks);
    DoctorReport {
        schema_version: DOCTOR_SCHEMA_VERSION,
        kind: DOCTOR_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        config: config.to_string(),
        online,
        ready: counts.failed == 0,
        counts,
        // Each context's checks together (the online ones come after every offline one).
        checks: crate::render::group_in_order(checks, |c| c.nip.clone())
            .into_iter()
            .flat_map(|(_, group)| group)
            .map(|c| {
                let (message, fix) = words::words(lang, &c.fact);
                let status = c.fact.status();
                DoctorCheckJson {
                    nip: c.nip.clone(),
                    check: c.fact.check().to_string(),
                    status,
                    message,
                    fix: fix.filter(|_| status != CheckStatus::Ok),
                }
            })
            .collect(),
    }
}

pub fn write_json(w: &mut dyn Write, report: &DoctorReport) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    writeln!(w)
}
