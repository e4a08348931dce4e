use std::io::Write;

use crate::model::{
    AuditFinding, AuditResults, BaselineState, ContextStatus, ExceptionStatus, Severity,
};

/// Text layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Show the baseline mark (`new`/`unchanged`) of each finding.
    pub baseline: bool,
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
    writeln!(
        out,
        "{:<8}  {} ({}){mark}",
        f.severity.as_str().to_uppercase(),
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
    writeln!(out, "Contexts")?;
    for c in &results.contexts {
        let (text, excepted) = counts(results, &c.nip);
        let status = match c.status {
            ContextStatus::Complete => "complete",
            ContextStatus::Incomplete => "INCOMPLETE",
        };
        let name = c.name.as_deref().unwrap_or("");
        let active = c.tokens.iter().filter(|t| t.token.status.is_live()).count();
        write!(
            out,
            "  {}  {:<28}  {:<10}  {:>4} tokens ({active} active)  {text}",
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
    if active.is_empty() {
        writeln!(out, "No actionable findings.")?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "Findings ({} actionable, highest severity first)",
            active.len()
        )?;
        writeln!(out)?;
        for f in &active {
            finding(out, f, opts)?;
        }
    }
    if !excepted.is_empty() {
        writeln!(
            out,
            "Excepted ({}: listed, not failing the run)",
            excepted.len()
        )?;
        writeln!(out)?;
        for f in &excepted {
            finding(out, f, opts)?;
        }
    }
    if !results.fixed.is_empty() {
        writeln!(out, "Fixed since the baseline ({})", results.fixed.len())?;
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
    writeln!(
        out,
        "Summary: {} finding{} ({}), {} excepted; {} token{} in {} context{} ({} complete, {} incomplete)",
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
        s.contexts_incomplete
    )
}
