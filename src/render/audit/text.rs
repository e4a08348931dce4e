use std::io::Write;

use crate::model::{
    AuditFinding, AuditResults, BaselineState, ContextStatus, ExceptionStatus, Severity, plural_pl,
};
use crate::render::html::i18n::{self, Lang};

/// Text layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Show the baseline mark (`new`/`unchanged`) of each finding.
    pub baseline: bool,
    /// Language of the labels and of the finding texts (`--lang`).
    pub lang: Lang,
}

impl TextOptions {
    /// `en` in English, `pl` in Polish: every label of the text summary has its two words here.
    fn t(&self, en: &'static str, pl: &'static str) -> &'static str {
        match self.lang {
            Lang::En => en,
            Lang::Pl => pl,
        }
    }

    /// A severity as a word: `critical` in English, `krytyczne` in Polish (as the reports).
    fn sev(&self, sev: Severity) -> &'static str {
        match self.lang {
            Lang::En => sev.as_str(),
            Lang::Pl => i18n::tr(Lang::Pl, &format!("sev_{}", sev.as_str())),
        }
    }

    /// `n` and its noun: `3 tokens` in English; `1 token`, `3 tokeny`, `5 tokenów` in Polish.
    fn count(&self, n: u64, en: (&str, &str), pl: (&str, &str, &str)) -> String {
        let noun = match self.lang {
            Lang::En if n == 1 => en.0,
            Lang::En => en.1,
            Lang::Pl => plural_pl(n, pl.0, pl.1, pl.2),
        };
        format!("{n} {noun}")
    }
}

fn counts(results: &AuditResults, nip: &str, opts: TextOptions) -> (String, usize) {
    let mut parts = Vec::new();
    for sev in Severity::ALL {
        let n = results
            .findings
            .iter()
            .filter(|f| f.nip == nip && !f.excepted && f.severity == sev)
            .count();
        if n > 0 {
            parts.push(match opts.lang {
                Lang::En => format!("{sev} {n}"),
                Lang::Pl => format!("{}: {n}", opts.sev(sev)),
            });
        }
    }
    let excepted = results
        .findings
        .iter()
        .filter(|f| f.nip == nip && f.excepted)
        .count();
    let text = if parts.is_empty() {
        opts.t("no findings", "brak ustaleń").to_string()
    } else {
        parts.join(", ")
    };
    (text, excepted)
}

fn finding(out: &mut dyn Write, f: &AuditFinding, opts: TextOptions) -> std::io::Result<()> {
    let mark = match (opts.baseline, f.baseline) {
        (true, Some(BaselineState::New)) => opts.t("  [new]", "  [nowe]"),
        (true, Some(BaselineState::Unchanged)) => opts.t("  [unchanged]", "  [bez zmian]"),
        (true, Some(BaselineState::Fixed)) => opts.t("  [fixed]", "  [rozwiązane]"),
        _ => "",
    };
    // As wide as the longest usual severity word: CRITICAL, KRYTYCZNE.
    let width = match opts.lang {
        Lang::En => 8,
        Lang::Pl => 9,
    };
    writeln!(
        out,
        "{:<width$}  {} ({}){mark}",
        opts.sev(f.severity).to_uppercase(),
        f.rule,
        f.rule_id
    )?;
    let (message, evidence, remediation) = f.words(opts.lang == Lang::Pl);
    writeln!(out, "  {message}")?;
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
    writeln!(out, "{}{evidence}", label("evidence:", "dowód:"))?;
    writeln!(out, "{}{remediation}", label("remediation:", "zalecenie:"))?;
    if let Some(e) = &f.exception {
        writeln!(
            out,
            "{}{} ({} {}, {} {})",
            label("excepted:", "wyłączone:"),
            e.reason,
            opts.t("owner", "zaakceptował(a):"),
            e.owner,
            opts.t("until", "do"),
            e.expires
        )?;
    }
    writeln!(out, "{}{}", label("id:", "id:"), f.id)?;
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
        "ksef-audit audit: {} {} ({}), {} {}",
        opts.t("environment", "środowisko"),
        results.environment.label,
        results.environment.base_url,
        opts.t("as of", "stan na"),
        results.generated_at.format("%Y-%m-%d %H:%M UTC")
    )?;
    if let Some(firm) = &results.firm {
        writeln!(out, "{} {firm}", opts.t("firm:", "firma:"))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", opts.t("Contexts", "Konteksty"))?;
    for c in &results.contexts {
        let (text, excepted) = counts(results, &c.nip, opts);
        let status = match c.status {
            ContextStatus::Complete => opts.t("complete", "kompletny"),
            ContextStatus::Incomplete => opts.t("INCOMPLETE", "NIEKOMPLETNY"),
        };
        let name = c.name.as_deref().unwrap_or("");
        let active = c.tokens.iter().filter(|t| t.token.status.is_live()).count();
        let tokens = match opts.lang {
            // `  12 tokens (3 active)`, the count right-aligned as before.
            Lang::En => format!("{:>4} tokens ({active} active)", c.tokens.len()),
            Lang::Pl => format!(
                "{:>4} {} (aktywne: {active})",
                c.tokens.len(),
                plural_pl(c.tokens.len() as u64, "token", "tokeny", "tokenów")
            ),
        };
        write!(
            out,
            "  {}  {:<28}  {:<10}  {tokens}  {text}",
            c.nip, name, status
        )?;
        if excepted > 0 {
            match opts.lang {
                Lang::En => write!(out, "; {excepted} excepted")?,
                Lang::Pl => write!(out, "; wyłączone: {excepted}")?,
            }
        }
        writeln!(out)?;
        if let Some(reason) = &c.reason {
            writeln!(out, "      {} {reason}", opts.t("reason:", "przyczyna:"))?;
        }
    }
    writeln!(out)?;
    let active: Vec<&AuditFinding> = results.findings.iter().filter(|f| !f.excepted).collect();
    let excepted: Vec<&AuditFinding> = results.findings.iter().filter(|f| f.excepted).collect();
    if active.is_empty() {
        writeln!(
            out,
            "{}",
            opts.t(
                "No actionable findings.",
                "Brak ustaleń wymagających działania."
            )
        )?;
        writeln!(out)?;
    } else {
        match opts.lang {
            Lang::En => writeln!(
                out,
                "Findings ({} actionable, highest severity first)",
                active.len()
            )?,
            Lang::Pl => writeln!(
                out,
                "Ustalenia wymagające działania: {} (od najwyższej istotności)",
                active.len()
            )?,
        }
        writeln!(out)?;
        for f in &active {
            finding(out, f, opts)?;
        }
    }
    if !excepted.is_empty() {
        match opts.lang {
            Lang::En => writeln!(
                out,
                "Excepted ({}: listed, not failing the run)",
                excepted.len()
            )?,
            Lang::Pl => writeln!(
                out,
                "Wyłączone: {} (wymienione, nie wpływają na wynik)",
                excepted.len()
            )?,
        }
        writeln!(out)?;
        for f in &excepted {
            finding(out, f, opts)?;
        }
    }
    if !results.fixed.is_empty() {
        match opts.lang {
            Lang::En => writeln!(out, "Fixed since the baseline ({})", results.fixed.len())?,
            Lang::Pl => writeln!(out, "Rozwiązane od linii bazowej: {}", results.fixed.len())?,
        }
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
        match opts.lang {
            Lang::En => writeln!(
                out,
                "Exceptions: {} in file, {expired} expired, {unused} unused",
                results.exceptions.len()
            )?,
            Lang::Pl => writeln!(
                out,
                "Wyjątki: w pliku {}, wygasłe: {expired}, niewykorzystane: {unused}",
                results.exceptions.len()
            )?,
        }
    }
    for w in &results.warnings {
        let mut lines = w.lines();
        if let Some(first) = lines.next() {
            writeln!(out, "{} {first}", opts.t("warning:", "ostrzeżenie:"))?;
        }
        for l in lines {
            writeln!(out, "  {l}")?;
        }
    }
    let s = &results.summary;
    let sev: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            s.findings_by_severity.get(sev).map(|n| match opts.lang {
                Lang::En => format!("{n} {sev}"),
                Lang::Pl => format!("{}: {n}", opts.sev(*sev)),
            })
        })
        .collect();
    let sev = if sev.is_empty() {
        opts.t("none", "brak").to_string()
    } else {
        sev.join(", ")
    };
    match opts.lang {
        Lang::En => writeln!(
            out,
            "Summary: {} ({sev}), {} excepted; {} in {} ({} complete, {} incomplete)",
            opts.count(active.len() as u64, ("finding", "findings"), ("", "", "")),
            s.excepted,
            opts.count(u64::from(s.tokens_total), ("token", "tokens"), ("", "", "")),
            opts.count(
                u64::from(s.contexts_total),
                ("context", "contexts"),
                ("", "", "")
            ),
            s.contexts_complete,
            s.contexts_incomplete
        ),
        Lang::Pl => writeln!(
            out,
            "Podsumowanie: {} ({sev}), wyłączone: {}; {} w {} (kompletne: {}, niekompletne: {})",
            opts.count(
                active.len() as u64,
                ("", ""),
                ("ustalenie", "ustalenia", "ustaleń")
            ),
            s.excepted,
            opts.count(
                u64::from(s.tokens_total),
                ("", ""),
                ("token", "tokeny", "tokenów")
            ),
            opts.count(
                u64::from(s.contexts_total),
                ("", ""),
                ("kontekście", "kontekstach", "kontekstach")
            ),
            s.contexts_complete,
            s.contexts_incomplete
        ),
    }
}
