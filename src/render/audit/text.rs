use std::io::Write;

use crate::model::{
    AuditFinding, AuditResults, BaselineState, ContextStatus, ExceptionStatus, Severity,
};
use crate::render::style::{Style, Tone};

/// Text layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Show the baseline mark (`new`/`unchanged`) of each finding, list new findings apart
    /// from the others and give new/fixed counts in the summary.
    pub baseline: bool,
    /// Group the actionable findings under a heading per rule, client or owner.
    pub group_by: Option<Grouping>,
    /// Colour (severities, statuses, headings).
    pub style: Style,
}

/// How the findings are grouped (`audit --group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Rule,
    Client,
    Owner,
}

/// The findings in groups (heading, members), in the order a reader wants them: rules by
/// their most severe finding, clients by NIP, owners by name with "no owner" last. Members
/// keep their order (severity first).
fn grouped<'a>(
    findings: &[&'a AuditFinding],
    by: Grouping,
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
                None => (1, "(no owner)".to_string()),
            },
        }
    };
    let mut groups: Vec<((u8, String), Vec<&AuditFinding>)> = Vec::new();
    for f in findings {
        let k = key(f);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(f),
            None => groups.push((k, vec![f])),
        }
    }
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
fn findings_block(
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
    for (heading, members) in grouped(findings, by) {
        let what = match by {
            Grouping::Rule => "rule",
            Grouping::Client => "client",
            Grouping::Owner => "owner",
        };
        writeln!(
            out,
            "{} {heading}: {} finding{}",
            opts.style.paint(Tone::Heading, &format!("== {what}")),
            members.len(),
            if members.len() == 1 { "" } else { "s" }
        )?;
        writeln!(out)?;
        for f in members {
            finding(out, f, opts)?;
        }
    }
    Ok(())
}

fn counts(results: &AuditResults, nip: &str) -> (String, usize) {
    let mut parts = Vec::new();
    for sev in Severity::ALL {
        let n = results
            .findings
            .iter()
            .filter(|f| f.nip == nip && !f.excepted && f.severity == sev)
            .count();
        if n > 0 {
            parts.push(format!("{sev} {n}"));
        }
    }
    let excepted = results
        .findings
        .iter()
        .filter(|f| f.nip == nip && f.excepted)
        .count();
    let text = if parts.is_empty() {
        "no findings".to_string()
    } else {
        parts.join(", ")
    };
    (text, excepted)
}

fn finding(out: &mut dyn Write, f: &AuditFinding, opts: TextOptions) -> std::io::Result<()> {
    let mark = match (opts.baseline, f.baseline) {
        (true, Some(BaselineState::New)) => "  [new]",
        (true, Some(BaselineState::Unchanged)) => "  [unchanged]",
        (true, Some(BaselineState::Fixed)) => "  [fixed]",
        _ => "",
    };
    let mark = match f.baseline {
        Some(BaselineState::New) => opts.style.paint(Tone::Warn, mark),
        _ => mark.to_string(),
    };
    writeln!(
        out,
        "{}  {} ({}){mark}",
        opts.style
            .paint_padded(Tone::of(f.severity), &f.severity.as_str().to_uppercase(), 8),
        f.rule,
        f.rule_id
    )?;
    writeln!(out, "  {}", f.message)?;
    let client = f
        .client_name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    writeln!(out, "  nip:         {}{client}", f.nip)?;
    if let Some(r) = &f.reference_number {
        writeln!(out, "  reference:   {r}")?;
    }
    if let Some(s) = &f.certificate_serial {
        writeln!(out, "  certificate: {s}")?;
    }
    writeln!(
        out,
        "  owner:       {}",
        f.owner.as_deref().unwrap_or("(none)")
    )?;
    writeln!(out, "  evidence:    {}", f.evidence)?;
    writeln!(out, "  remediation: {}", f.remediation)?;
    if let Some(e) = &f.exception {
        writeln!(
            out,
            "  excepted:    {} (owner {}, until {})",
            e.reason, e.owner, e.expires
        )?;
    }
    writeln!(out, "  id:          {}", f.id)?;
    writeln!(out)
}

/// Human-readable summary per context, then the actionable findings by severity,
/// then excepted findings, fixed ones (with a baseline) and warnings.
pub fn render_text(
    results: &AuditResults,
    opts: TextOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "ksef-audit audit: environment {} ({}), as of {}",
        results.environment.label,
        results.environment.base_url,
        results.generated_at.format("%Y-%m-%d %H:%M UTC")
    )?;
    if let Some(firm) = &results.firm {
        writeln!(out, "firm: {firm}")?;
    }
    writeln!(out)?;
    let style = opts.style;
    writeln!(out, "{}", style.paint(Tone::Heading, "Contexts"))?;
    for c in &results.contexts {
        let (text, excepted) = counts(results, &c.nip);
        let status = match c.status {
            ContextStatus::Complete => style.paint_padded(Tone::Good, "complete", 10),
            ContextStatus::Incomplete => style.paint_padded(Tone::Alarm, "INCOMPLETE", 10),
        };
        let name = c.name.as_deref().unwrap_or("");
        let active = c.tokens.iter().filter(|t| t.token.status.is_live()).count();
        write!(
            out,
            "  {}  {:<28}  {}  {:>4} tokens ({active} active)  {text}",
            c.nip,
            name,
            status,
            c.tokens.len()
        )?;
        if excepted > 0 {
            write!(out, "; {excepted} excepted")?;
        }
        writeln!(out)?;
        if let Some(reason) = &c.reason {
            writeln!(out, "      reason: {reason}")?;
        }
    }
    writeln!(out)?;
    let active: Vec<&AuditFinding> = results.findings.iter().filter(|f| !f.excepted).collect();
    let excepted: Vec<&AuditFinding> = results.findings.iter().filter(|f| f.excepted).collect();
    let (new, old): (Vec<&AuditFinding>, Vec<&AuditFinding>) = active
        .iter()
        .partition(|f| opts.baseline && f.baseline == Some(BaselineState::New));
    if active.is_empty() {
        writeln!(out, "No actionable findings.")?;
        writeln!(out)?;
    } else if opts.baseline {
        // New findings first and apart: they are what changed since the baseline.
        let heading = format!("New since the baseline ({})", new.len());
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        if new.is_empty() {
            writeln!(out, "  none")?;
            writeln!(out)?;
        }
        findings_block(out, &new, opts)?;
        if !old.is_empty() {
            let heading = format!("Also in the baseline ({}, unchanged)", old.len());
            writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
            writeln!(out)?;
            findings_block(out, &old, opts)?;
        }
    } else {
        let order = match opts.group_by {
            None => "highest severity first",
            Some(Grouping::Rule) => "by rule",
            Some(Grouping::Client) => "by client",
            Some(Grouping::Owner) => "by owner",
        };
        let heading = format!("Findings ({} actionable, {order})", active.len());
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        findings_block(out, &active, opts)?;
    }
    if !excepted.is_empty() {
        let heading = format!("Excepted ({}: listed, not failing the run)", excepted.len());
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        for f in &excepted {
            finding(out, f, opts)?;
        }
    }
    if !results.fixed.is_empty() {
        let heading = format!("Fixed since the baseline ({})", results.fixed.len());
        writeln!(out, "{}", style.paint(Tone::Good, &heading))?;
        for f in &results.fixed {
            writeln!(
                out,
                "  {} ({})  {}  {}",
                f.rule,
                f.rule_id,
                f.nip,
                f.reference_number.as_deref().unwrap_or("")
            )?;
        }
        writeln!(out)?;
    }
    let expired = results
        .exceptions
        .iter()
        .filter(|e| e.status == ExceptionStatus::Expired)
        .count();
    let unused = results
        .exceptions
        .iter()
        .filter(|e| e.status == ExceptionStatus::Unused)
        .count();
    if !results.exceptions.is_empty() {
        writeln!(
            out,
            "Exceptions: {} in file, {expired} expired, {unused} unused",
            results.exceptions.len()
        )?;
    }
    for w in &results.warnings {
        let mut lines = w.lines();
        if let Some(first) = lines.next() {
            writeln!(out, "warning: {first}")?;
        }
        for l in lines {
            writeln!(out, "  {l}")?;
        }
    }
    let s = &results.summary;
    let sev: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            s.findings_by_severity
                .get(sev)
                .map(|n| format!("{n} {sev}"))
        })
        .collect();
    let since = if opts.baseline {
        format!(
            "; since the baseline: {} new, {} fixed",
            new.len(),
            results.fixed.len()
        )
    } else {
        String::new()
    };
    let incomplete = if s.contexts_incomplete > 0 {
        style.paint(
            Tone::Alarm,
            &format!("{} incomplete", s.contexts_incomplete),
        )
    } else {
        format!("{} incomplete", s.contexts_incomplete)
    };
    writeln!(
        out,
        "{} {} finding{} ({}), {} excepted; {} token{} in {} context{} ({} complete, {incomplete}){since}",
        style.paint(Tone::Heading, "Summary:"),
        active.len(),
        if active.len() == 1 { "" } else { "s" },
        if sev.is_empty() {
            "none".to_string()
        } else {
            sev.join(", ")
        },
        s.excepted,
        s.tokens_total,
        if s.tokens_total == 1 { "" } else { "s" },
        s.contexts_total,
        if s.contexts_total == 1 { "" } else { "s" },
        s.contexts_complete,
    )
}
