//! The audit results as text: the contexts, the findings, what changed and a summary.

mod findings;
mod items;

use std::io::Write;

use crate::render::html::model::Urgent;
use crate::render::style::Style;
use crate::render::style::Tone;
use findings::{finding, findings_block};
use ksef_model::AuditFinding;
use ksef_model::AuditResults;
use ksef_model::BaselineState;
use ksef_model::ContextStatus;
use ksef_model::ExceptionStatus;
use ksef_model::Severity;
use ksef_model::i18n;
use ksef_model::i18n::Lang;
use ksef_model::i18n::reason;
use ksef_model::plural_pl;

/// Text layout options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Show the baseline mark (`new`/`unchanged`) of each finding, list new findings apart
    /// from the others and give new/fixed counts in the summary.
    pub baseline: bool,
    /// Language of the labels and of the finding texts (`--lang`).
    pub lang: Lang,
    /// Group the actionable findings under a heading per rule, client or owner.
    pub group_by: Option<Grouping>,
    /// Colour (severities, statuses, headings).
    pub style: Style,
    /// `--expand`: every finding in its own block (as before items), not the items.
    pub expand: bool,
    /// The width lines are wrapped at (0: 100).
    pub width: usize,
}

/// How the findings are grouped (`audit --group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Rule,
    Client,
    Owner,
}

impl TextOptions {
    /// The width lines are wrapped at.
    fn width(&self) -> usize {
        if self.width == 0 { 100 } else { self.width }
    }

    /// `en` in English, `pl` in Polish: every label of the text summary has its two words here.
    fn t(&self, en: &'static str, pl: &'static str) -> &'static str {
        self.lang.t(en, pl)
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
        self.lang.count(n, en, pl)
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

/// Human-readable summary per context, then the actionable findings by severity,
/// then excepted findings, fixed ones (with a baseline) and warnings.
pub fn render_text(
    results: &AuditResults,
    opts: TextOptions,
    urgent: &[Urgent],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    title(out, results, opts)?;
    let active: Vec<&AuditFinding> = results.findings.iter().filter(|f| !f.excepted).collect();
    let excepted: Vec<&AuditFinding> = results.findings.iter().filter(|f| f.excepted).collect();
    let (new, old): (Vec<&AuditFinding>, Vec<&AuditFinding>) = active
        .iter()
        .partition(|f| opts.baseline && f.baseline == Some(BaselineState::New));
    summary(out, results, active.len(), new.len(), opts)?;
    by_rule(out, &active, opts)?;
    act_now(out, urgent, &items::critical_lines(results, opts), opts)?;
    contexts(out, results, opts)?;
    // Items need the document's `items`; a baseline or a grouping lists the findings.
    let blocks =
        opts.expand || opts.baseline || opts.group_by.is_some() || results.items.is_empty();
    if blocks || active.is_empty() {
        actionable(out, &active, &new, &old, opts)?;
    } else {
        items::items_section(out, results, opts)?;
    }
    excepted_findings(out, &excepted, opts)?;
    fixed(out, results, opts)?;
    exceptions_and_warnings(out, results, opts)
}

/// Findings per rule, one paragraph: the most frequent rule first.
fn by_rule(
    out: &mut dyn Write,
    active: &[&AuditFinding],
    opts: TextOptions,
) -> std::io::Result<()> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for f in active {
        match counts.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((&f.rule, 1)),
        }
    }
    if !counts.is_empty() {
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let text: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let label = opts.t("By rule:", "Według reguły:");
        let rest = " ".repeat(label.chars().count() + 1);
        for l in
            crate::render::wrap::wrap(&text.join(", "), opts.width(), &format!("{label} "), &rest)
        {
            writeln!(out, "{l}")?;
        }
    }
    writeln!(out)
}

/// The first lines: environment, time, firm.
fn title(out: &mut dyn Write, results: &AuditResults, opts: TextOptions) -> std::io::Result<()> {
    let line = format!(
        "ksef-audit audit: {} {} ({}), {} {}",
        opts.t("environment", "środowisko"),
        opts.lang.environment(&results.environment.label),
        results.environment.base_url,
        opts.t("as of", "stan na"),
        opts.lang.time(results.generated_at)
    );
    for l in crate::render::wrap::wrap(&line, opts.width(), "", "    ") {
        writeln!(out, "{l}")?;
    }
    if let Some(firm) = &results.firm {
        writeln!(out, "{} {firm}", opts.t("firm:", "firma:"))?;
    }
    writeln!(out)?;
    Ok(())
}

/// One line per context: NIP, name, status, tokens and finding counts, and why a context is
/// incomplete.
fn contexts(out: &mut dyn Write, results: &AuditResults, opts: TextOptions) -> std::io::Result<()> {
    let style = opts.style;
    writeln!(
        out,
        "{}",
        style.paint(Tone::Heading, opts.t("Contexts", "Konteksty"))
    )?;
    let name_width = results
        .contexts
        .iter()
        .map(|c| c.name.as_deref().unwrap_or("").chars().count())
        .max()
        .unwrap_or(0);
    // As wide as the longer status word: INCOMPLETE, NIEKOMPLETNY.
    let status_width = match opts.lang {
        Lang::En => 10,
        Lang::Pl => 12,
    };
    for c in &results.contexts {
        let (text, excepted) = counts(results, &c.nip, opts);
        let status = match c.status {
            ContextStatus::Complete => {
                style.paint_padded(Tone::Good, opts.t("complete", "kompletny"), status_width)
            }
            ContextStatus::Incomplete => style.paint_padded(
                Tone::Alarm,
                opts.t("INCOMPLETE", "NIEKOMPLETNY"),
                status_width,
            ),
        };
        let name = c.name.as_deref().unwrap_or("");
        let active = c.tokens.iter().filter(|t| t.token.status.is_live()).count();
        let tokens = match opts.lang {
            // `  12 tokens (3 active)`, the count right-aligned as before.
            Lang::En => format!(
                "{:>4} {} ({active} active)",
                c.tokens.len(),
                if c.tokens.len() == 1 {
                    "token "
                } else {
                    "tokens"
                }
            ),
            Lang::Pl => format!(
                "{:>4} {} (aktywne: {active})",
                c.tokens.len(),
                plural_pl(c.tokens.len() as u64, "token", "tokeny", "tokenów")
            ),
        };
        let mut text = text;
        if excepted > 0 {
            match opts.lang {
                Lang::En => text.push_str(&format!("; {excepted} excepted")),
                Lang::Pl => text.push_str(&format!("; wyłączone: {excepted}")),
            }
        }
        // The counts go on a line of their own when the row would not fit.
        let plain = 2 + c.nip.len() + 2 + name_width + 2 + status_width + 2;
        let plain = plain + tokens.chars().count() + 2 + text.chars().count();
        let gap = if plain > opts.width() {
            "\n              "
        } else {
            "  "
        };
        writeln!(
            out,
            "  {}  {:<name_width$}  {}  {tokens}{gap}{text}",
            c.nip, name, status
        )?;
        if c.reason.is_some() || c.status == ContextStatus::Incomplete {
            let label = opts.t("reason:", "przyczyna:");
            let why = reason::lines(opts.lang, c.reason_code.as_ref(), c.reason.as_deref());
            // Later lines stand under the first one's text.
            let width = label.chars().count();
            let rest = " ".repeat(6 + width + 1);
            for (i, line) in why.iter().enumerate() {
                let label = if i == 0 { label } else { "" };
                let first = format!("      {label:<width$} ");
                for l in crate::render::wrap::wrap(line, opts.width(), &first, &rest) {
                    writeln!(out, "{l}")?;
                }
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

/// The actionable findings; with a baseline, the new ones first and apart.
fn actionable(
    out: &mut dyn Write,
    active: &[&AuditFinding],
    new: &[&AuditFinding],
    old: &[&AuditFinding],
    opts: TextOptions,
) -> std::io::Result<()> {
    let style = opts.style;
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
    } else if opts.baseline {
        // New findings first and apart: they are what changed since the baseline.
        let heading = match opts.lang {
            Lang::En => format!("New since the baseline ({})", new.len()),
            Lang::Pl => format!("Nowe od linii bazowej: {}", new.len()),
        };
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        if new.is_empty() {
            writeln!(out, "  {}", opts.t("none", "brak"))?;
            writeln!(out)?;
        }
        findings_block(out, new, opts)?;
        if !old.is_empty() {
            let heading = match opts.lang {
                Lang::En => format!("Also in the baseline ({}, unchanged)", old.len()),
                Lang::Pl => format!("Także w linii bazowej: {} (bez zmian)", old.len()),
            };
            writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
            writeln!(out)?;
            findings_block(out, old, opts)?;
        }
    } else {
        let order = match opts.group_by {
            None => opts.t("highest severity first", "od najwyższej istotności"),
            Some(Grouping::Rule) => opts.t("by rule", "według reguły"),
            Some(Grouping::Client) => opts.t("by client", "według klienta"),
            Some(Grouping::Owner) => opts.t("by owner", "według właściciela"),
        };
        let heading = match opts.lang {
            Lang::En => format!("Findings ({} actionable, {order})", active.len()),
            Lang::Pl => format!("Ustalenia wymagające działania: {} ({order})", active.len()),
        };
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        findings_block(out, active, opts)?;
    }
    Ok(())
}

/// The excepted findings: listed, not failing the run.
fn excepted_findings(
    out: &mut dyn Write,
    excepted: &[&AuditFinding],
    opts: TextOptions,
) -> std::io::Result<()> {
    let style = opts.style;
    if !excepted.is_empty() {
        let heading = match opts.lang {
            Lang::En => format!("Excepted ({}: listed, not failing the run)", excepted.len()),
            Lang::Pl => format!(
                "Wyłączone: {} (wymienione, ale nie wpływają na wynik)",
                excepted.len()
            ),
        };
        writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
        writeln!(out)?;
        for f in excepted {
            finding(out, f, opts)?;
        }
    }
    Ok(())
}

/// The findings fixed since the baseline.
fn fixed(out: &mut dyn Write, results: &AuditResults, opts: TextOptions) -> std::io::Result<()> {
    let style = opts.style;
    if !results.fixed.is_empty() {
        let heading = match opts.lang {
            Lang::En => format!("Fixed since the baseline ({})", results.fixed.len()),
            Lang::Pl => format!("Rozwiązane od linii bazowej: {}", results.fixed.len()),
        };
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
    Ok(())
}

/// The exceptions file's counts and the run's warnings.
fn exceptions_and_warnings(
    out: &mut dyn Write,
    results: &AuditResults,
    opts: TextOptions,
) -> std::io::Result<()> {
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
        let w = ksef_model::i18n::warning::localised(opts.lang, w);
        let mut lines = w.lines();
        let wrapped = |out: &mut dyn Write, first: &str, text: &str| -> std::io::Result<()> {
            for l in crate::render::wrap::wrap(text, opts.width(), first, "    ") {
                writeln!(out, "{l}")?;
            }
            Ok(())
        };
        if let Some(first) = lines.next() {
            wrapped(
                out,
                &format!("{} ", opts.t("warning:", "ostrzeżenie:")),
                first,
            )?;
        }
        for l in lines {
            match (opts.lang, l.strip_prefix("help: ")) {
                (Lang::Pl, Some(h)) => wrapped(out, "  co zrobić: ", h)?,
                _ => wrapped(out, "  ", l)?,
            }
        }
    }
    Ok(())
}

/// The last line: findings by severity, tokens, contexts and (with a baseline) what changed.
fn summary(
    out: &mut dyn Write,
    results: &AuditResults,
    active: usize,
    new: usize,
    opts: TextOptions,
) -> std::io::Result<()> {
    let style = opts.style;
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
    let since = match (opts.baseline, opts.lang) {
        (false, _) => String::new(),
        (true, Lang::En) => format!(
            "; since the baseline: {} new, {} fixed",
            new,
            results.fixed.len()
        ),
        (true, Lang::Pl) => format!(
            "; od linii bazowej: nowe: {}, rozwiązane: {}",
            new,
            results.fixed.len()
        ),
    };
    let incomplete = s.contexts_incomplete.to_string();
    let incomplete = if s.contexts_incomplete > 0 {
        style.paint(Tone::Alarm, &incomplete)
    } else {
        incomplete
    };
    let summary = style.paint(Tone::Heading, opts.t("Summary:", "Podsumowanie:"));
    let line = match opts.lang {
        Lang::En => format!(
            "{summary} {} ({sev}), {} excepted; {} in {} ({} complete, {incomplete} incomplete){since}",
            opts.count(active as u64, ("finding", "findings"), ("", "", "")),
            s.excepted,
            opts.count(u64::from(s.tokens_total), ("token", "tokens"), ("", "", "")),
            opts.count(
                u64::from(s.contexts_total),
                ("context", "contexts"),
                ("", "", "")
            ),
            s.contexts_complete,
        ),
        Lang::Pl => format!(
            "{summary} {} ({sev}), wyłączone: {}; {} w {} (kompletne: {}, niekompletne: {incomplete}){since}",
            opts.count(
                active as u64,
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
        ),
    };
    let rest = " ".repeat(4);
    for l in crate::render::wrap::wrap(&line, opts.width(), "", &rest) {
        // The heading word keeps its colour: it is the line's first word.
        writeln!(out, "{l}")?;
    }
    Ok(())
}
/// What must not wait for the rest, before everything else: active leaks, contexts not read in
/// full, leavers' live access (the reports' "Act now", from [`crate::render::html::model::urgent_facts`]).
fn act_now(
    out: &mut dyn Write,
    urgent: &[Urgent],
    critical: &[String],
    opts: TextOptions,
) -> std::io::Result<()> {
    if urgent.is_empty() && critical.is_empty() {
        return Ok(());
    }
    let heading = i18n::tr(opts.lang, "urgent_title");
    writeln!(out, "{}", opts.style.paint(Tone::Alarm, heading))?;
    for u in urgent {
        let severity = Severity::ALL
            .iter()
            .find(|s| s.as_str() == u.severity)
            .copied()
            .unwrap_or(Severity::High);
        act_now_line(out, severity, &u.text, opts)?;
    }
    for text in critical {
        act_now_line(out, Severity::Critical, text, opts)?;
    }
    writeln!(out)
}

/// One "Act now" line, wrapped under its text.
fn act_now_line(
    out: &mut dyn Write,
    severity: Severity,
    text: &str,
    opts: TextOptions,
) -> std::io::Result<()> {
    let label = opts.sev(severity).to_uppercase();
    let indent = " ".repeat(13);
    let lines = crate::render::wrap::wrap(text, opts.width(), &indent, &indent);
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            let painted = opts.style.paint_padded(Tone::of(severity), &label, 9);
            writeln!(out, "  {painted}  {}", l.trim_start())?;
        } else {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}
