//! `--format text`: findings grouped by token (fingerprint), the places listed under each;
//! then suppressed findings, scan errors, unused baseline entries and a summary line.

use std::collections::BTreeMap;
use std::io::Write;

use super::io_err;
use super::word;
use crate::model::escape_terminal;
use crate::model::{LeakFinding, LeakResults, LeakStatus, SuppressionKind};
use crate::render::RenderError;
use crate::render::style::{Style, Tone};
use crate::rule::matcher::redact_text;

/// A name from outside (file, archive member, author) as the terminal shows it: tokens
/// redacted, control and bidi characters escaped.
fn shown_name(name: &str) -> String {
    escape_terminal(&redact_text(name)).into_owned()
}

fn location(f: &LeakFinding) -> String {
    let mut s = shown_name(&f.path);
    if let Some(l) = f.line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = f.column {
            s.push_str(&format!(":{c}"));
        }
    }
    if let Some(commit) = &f.commit {
        let short: String = commit.chars().take(12).collect();
        s.push_str(&format!(" (commit {}", shown_name(&short)));
        if let Some(a) = &f.author {
            s.push_str(&format!(", {}", shown_name(a)));
        }
        if let Some(d) = f.date {
            s.push_str(&format!(", {}", d.format("%Y-%m-%d")));
        }
        s.push(')');
    }
    s
}

/// Groups by fingerprint, keeping the order of first appearance (results are sorted).
fn groups(findings: &[LeakFinding]) -> Vec<Vec<&LeakFinding>> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: BTreeMap<&str, Vec<&LeakFinding>> = BTreeMap::new();
    for f in findings {
        let e = by.entry(f.fingerprint.as_str()).or_default();
        if e.is_empty() {
            order.push(&f.fingerprint);
        }
        e.push(f);
    }
    order.into_iter().filter_map(|fp| by.remove(fp)).collect()
}

/// A leak's status as a person reads it: what to do for an active one, and why an unknown
/// one could not be checked (KSeF did not list it to the auditor, most often for lack of
/// the read permission), never "unknown to KSeF".
fn status_text(status: LeakStatus) -> String {
    match status {
        LeakStatus::Active => "ACTIVE in KSeF: revoke now".into(),
        LeakStatus::Unknown => {
            "not verifiable: KSeF did not list it (no read permission for its context?)".into()
        }
        other => word(&other),
    }
}

fn write_group(
    out: &mut dyn Write,
    group: &[&LeakFinding],
    suppressed: bool,
    style: Style,
) -> std::io::Result<()> {
    let f = group[0];
    let status = status_text(f.status);
    writeln!(
        out,
        "{} [{}] {} ({}, confidence {}, status {})",
        style.paint(Tone::of(f.severity), &f.severity.as_str().to_uppercase()),
        f.rule_id,
        f.rule,
        f.redacted,
        word(&f.confidence),
        match f.status {
            LeakStatus::Active => style.paint(Tone::Alarm, &status),
            _ => status,
        },
    )?;
    writeln!(out, "  fingerprint {}", f.fingerprint)?;
    if f.owner.is_some() || f.system.is_some() {
        writeln!(
            out,
            "  inventory: owner {}, system {}",
            f.owner.as_deref().unwrap_or("-"),
            f.system.as_deref().unwrap_or("-")
        )?;
    }
    for g in group {
        let how = if suppressed {
            g.suppression
                .as_ref()
                .map(|s| match s.kind {
                    SuppressionKind::Baseline => " [baseline]".to_string(),
                    SuppressionKind::Inline => " [inline marker]".to_string(),
                    SuppressionKind::Exception => format!(
                        " [exception: {}]",
                        s.reason.as_deref().unwrap_or("no reason")
                    ),
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        writeln!(out, "    {}{how}", location(g))?;
    }
    Ok(())
}

fn write_all(
    r: &LeakResults,
    list_baselined: bool,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let active = groups(&r.findings);
    // Urgent first: a leaked token KSeF still accepts leads the output.
    let live: Vec<&LeakFinding> = r
        .findings
        .iter()
        .filter(|f| f.status == LeakStatus::Active)
        .collect();
    if !live.is_empty() {
        let mut refs: Vec<&str> = live
            .iter()
            .map(|f| f.reference_number.as_deref().unwrap_or(f.redacted.as_str()))
            .collect();
        refs.sort_unstable();
        refs.dedup();
        writeln!(
            out,
            "{} {} leaked token{} still ACTIVE in KSeF, revoke now: {}\n  (ksef-audit leaks --verify --format json -o leaks.json && ksef-audit revoke --from leaks.json)\n",
            style.paint(Tone::Alarm, "URGENT:"),
            refs.len(),
            if refs.len() == 1 { " is" } else { "s are" },
            refs.join(", ")
        )?;
    }
    for g in &active {
        write_group(out, g, false, style)?;
        writeln!(out)?;
    }
    // Findings accepted in the baseline are a count unless asked for (-v): a CI log shows
    // what is new, not the same old list every run.
    let (baselined, listed): (Vec<LeakFinding>, Vec<LeakFinding>) =
        r.suppressed.iter().cloned().partition(|f| {
            !list_baselined
                && f.suppression
                    .as_ref()
                    .is_some_and(|s| s.kind == SuppressionKind::Baseline)
        });
    if !listed.is_empty() {
        writeln!(out, "suppressed ({}):", listed.len())?;
        for g in groups(&listed) {
            write_group(out, &g, true, style)?;
        }
        writeln!(out)?;
    }
    if !baselined.is_empty() {
        writeln!(
            out,
            "{} finding{} accepted in the baseline (not listed; -v lists them)\n",
            baselined.len(),
            if baselined.len() == 1 { "" } else { "s" }
        )?;
    }
    if !r.unused_baseline.is_empty() {
        writeln!(
            out,
            "unused baseline entries ({}): these fingerprints were not found any more",
            r.unused_baseline.len()
        )?;
        for fp in &r.unused_baseline {
            writeln!(out, "  {fp}")?;
        }
        writeln!(out)?;
    }
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    for e in &r.errors {
        writeln!(out, "error: {}: {}", e.path, e.message)?;
    }
    if r.stats.placeholders > 0 {
        writeln!(
            out,
            "{} placeholder value{} not reported (documentation examples, patterned or repeated secrets){}",
            r.stats.placeholders,
            if r.stats.placeholders == 1 { "" } else { "s" },
            if r.placeholders.is_empty() {
                "; -v lists them"
            } else {
                ":"
            }
        )?;
        for p in &r.placeholders {
            writeln!(out, "  {}:{} {} ({})", p.path, p.line, p.rule_id, p.reason)?;
        }
    }
    if let Some(coverage) = &r.target.coverage {
        writeln!(out, "git: {coverage}")?;
    }
    let files = r.stats.files.max(r.stats.blobs);
    writeln!(
        out,
        "{} finding{} ({} distinct token{}), {} suppressed, {} error{}; scanned {} file{}, {} bytes",
        r.findings.len(),
        if r.findings.len() == 1 { "" } else { "s" },
        active.len(),
        if active.len() == 1 { "" } else { "s" },
        r.suppressed.len(),
        r.errors.len(),
        if r.errors.len() == 1 { "" } else { "s" },
        files,
        if files == 1 { "" } else { "s" },
        r.stats.bytes
    )
}

pub fn render(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    write_all(results, true, Style::default(), out).map_err(io_err("text"))
}

/// Like `render`; `list_baselined: false` shows findings accepted in the baseline as a count.
pub fn render_with(
    results: &LeakResults,
    list_baselined: bool,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    write_all(results, list_baselined, Style::default(), out).map_err(io_err("text"))
}

/// Like `render_with`, coloured as `style` says.
pub fn render_styled(
    results: &LeakResults,
    list_baselined: bool,
    style: Style,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    write_all(results, list_baselined, style, out).map_err(io_err("text"))
}
