//! The findings of the text output: one block each, in groups when asked.

use std::io::Write;

use ksef_model::AuditFinding;
use ksef_model::BaselineState;
use ksef_model::i18n::Lang;

use super::{Grouping, TextOptions};
use crate::render::style::Tone;

/// The findings in groups (heading, members), in the order a reader wants them: rules by
/// their most severe finding, clients by NIP, owners by name with "no owner" last. Members
/// keep their order (severity first).
fn grouped<'a>(
    findings: &[&'a AuditFinding],
    by: Grouping,
    opts: TextOptions,
) -> Vec<(String, Vec<&'a AuditFinding>)> {
    let key = |f: &AuditFinding| -> (u8, String) {
        match by {
            Grouping::Rule => (0, format!("{} ({})", f.rule, f.rule_id)),
            Grouping::Client => (
                0,
                match &f.client_name {
                    Some(n) => format!("{} {n}", f.nip),
                    None => f.nip.clone(),
                },
            ),
            Grouping::Owner => match &f.owner {
                Some(o) => (0, o.clone()),
                None => (1, opts.t("(no owner)", "(brak właściciela)").to_string()),
            },
        }
    };
    let mut groups = crate::render::group_in_order(findings.iter().copied(), |f| key(f));
    match by {
        // Most severe rule first, then the larger group, then by id.
        Grouping::Rule => groups.sort_by(|(ka, a), (kb, b)| {
            let top = |m: &[&AuditFinding]| m.iter().map(|f| f.severity).max();
            top(b)
                .cmp(&top(a))
                .then(b.len().cmp(&a.len()))
                .then(ka.cmp(kb))
        }),
        Grouping::Client | Grouping::Owner => groups.sort_by(|(ka, _), (kb, _)| ka.cmp(kb)),
    }
    groups.into_iter().map(|((_, k), m)| (k, m)).collect()
}

/// Writes `findings`, under group headings when asked.
pub(super) fn findings_block(
    out: &mut dyn Write,
    findings: &[&AuditFinding],
    opts: TextOptions,
) -> std::io::Result<()> {
    let Some(by) = opts.group_by else {
        for f in findings {
            finding(out, f, opts)?;
        }
        return Ok(());
    };
    for (heading, members) in grouped(findings, by, opts) {
        let what = match by {
            Grouping::Rule => opts.t("rule", "reguła"),
            Grouping::Client => opts.t("client", "klient"),
            Grouping::Owner => opts.t("owner", "właściciel"),
        };
        writeln!(
            out,
            "{} {heading}: {}",
            opts.style.paint(Tone::Heading, &format!("== {what}")),
            opts.count(
                members.len() as u64,
                ("finding", "findings"),
                ("ustalenie", "ustalenia", "ustaleń")
            )
        )?;
        writeln!(out)?;
        for f in members {
            finding(out, f, opts)?;
        }
    }
    Ok(())
}

pub(super) fn finding(
    out: &mut dyn Write,
    f: &AuditFinding,
    opts: TextOptions,
) -> std::io::Result<()> {
    let mark = match (opts.baseline, f.baseline) {
        (true, Some(BaselineState::New)) => opts.t("  [new]", "  [nowe]"),
        (true, Some(BaselineState::Unchanged)) => opts.t("  [unchanged]", "  [bez zmian]"),
        (true, Some(BaselineState::Fixed)) => opts.t("  [fixed]", "  [rozwiązane]"),
        _ => "",
    };
    let mark = match f.baseline {
        Some(BaselineState::New) => opts.style.paint(Tone::Warn, mark),
        _ => mark.to_string(),
    };
    // As wide as the longest usual severity word: CRITICAL, KRYTYCZNE.
    let width = match opts.lang {
        Lang::En => 8,
        Lang::Pl => 9,
    };
    writeln!(
        out,
        "{}  {} ({}){mark}",
        opts.style.paint_padded(
            Tone::of(f.severity),
            &opts.sev(f.severity).to_uppercase(),
            width
        ),
        f.rule,
        f.rule_id
    )?;
    let (message, evidence, remediation) = f.words(opts.lang == Lang::Pl);
    field(out, opts, "  ", message)?;
    let client = f
        .client_name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    // Labels padded to one column (13 characters with the colon), in either language.
    let label = |en: &'static str, pl: &'static str| format!("  {:<13}", opts.t(en, pl));
    writeln!(out, "{}{}{client}", label("nip:", "NIP:"), f.nip)?;
    if let Some(r) = &f.reference_number {
        writeln!(out, "{}{r}", label("reference:", "numer ref.:"))?;
    }
    writeln!(
        out,
        "{}{}",
        label("owner:", "właściciel:"),
        f.owner.as_deref().unwrap_or(opts.t("(none)", "(brak)"))
    )?;
    field(out, opts, &label("evidence:", "dowód:"), evidence)?;
    field(out, opts, &label("remediation:", "zalecenie:"), remediation)?;
    if let Some(s) = &f.certificate_serial {
        writeln!(out, "{}{s}", label("certificate:", "certyfikat:"))?;
    }
    if let Some(e) = &f.exception {
        let text = format!(
            "{} ({} {}, {} {})",
            e.reason,
            opts.t("owner", "zaakceptował(a):"),
            e.owner,
            opts.t("until", "do"),
            e.expires.format(opts.t("%Y-%m-%d", "%d.%m.%Y"))
        );
        field(out, opts, &label("excepted:", "wyłączone:"), &text)?;
    }
    writeln!(out, "{}{}", label("id:", "id:"), f.id)?;
    writeln!(out)
}

/// A labelled field, wrapped at the width with continuation lines under its text.
fn field(out: &mut dyn Write, opts: TextOptions, label: &str, text: &str) -> std::io::Result<()> {
    let rest = " ".repeat(label.chars().count());
    for l in crate::render::wrap::wrap(text, opts.width(), label, &rest) {
        writeln!(out, "{l}")?;
    }
    Ok(())
}
