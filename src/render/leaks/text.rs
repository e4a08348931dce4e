//! `--format text`: findings grouped by token (fingerprint), the places listed under each;
//! then suppressed findings, scan errors, unused baseline entries and a summary line.

use std::collections::BTreeMap;
use std::io::Write;

use super::io_err;
use super::word;
use crate::model::{LeakFinding, LeakResults, SuppressionKind};
use crate::render::RenderError;

fn location(f: &LeakFinding) -> String {
    let mut s = f.path.clone();
    if let Some(l) = f.line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = f.column {
            s.push_str(&format!(":{c}"));
        }
    }
    if let Some(commit) = &f.commit {
        s.push_str(&format!(" (commit {}", &commit[..commit.len().min(12)]));
        if let Some(a) = &f.author {
            s.push_str(&format!(", {a}"));
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

fn write_group(
    out: &mut dyn Write,
    group: &[&LeakFinding],
    suppressed: bool,
) -> std::io::Result<()> {
    let f = group[0];
    writeln!(
        out,
        "{} [{}] {} ({}, confidence {}, status {})",
        f.severity.as_str().to_uppercase(),
        f.rule_id,
        f.rule,
        f.redacted,
        word(&f.confidence),
        word(&f.status),
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

fn write_all(r: &LeakResults, out: &mut dyn Write) -> std::io::Result<()> {
    let active = groups(&r.findings);
    for g in &active {
        write_group(out, g, false)?;
        writeln!(out)?;
    }
    if !r.suppressed.is_empty() {
        writeln!(out, "suppressed ({}):", r.suppressed.len())?;
        for g in groups(&r.suppressed) {
            write_group(out, &g, true)?;
        }
        writeln!(out)?;
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
    write_all(results, out).map_err(io_err("text"))
}
