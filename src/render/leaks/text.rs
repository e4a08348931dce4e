//! `--format text`: findings grouped by token (fingerprint), the places listed under each;
//! then suppressed findings, scan errors, unused baseline entries and a summary line.

use ksef_model::i18n::errors;
use ksef_model::i18n::stderr;
use std::io::Write;

use crate::render::RenderError;
use crate::render::audit::Grouping;
use crate::render::leaks::io_err;
use crate::render::leaks::word;
use crate::render::style::Style;
use crate::render::style::Tone;
use ksef_leaks::redact::redact_text;
use ksef_model::Confidence;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::Severity;
use ksef_model::SuppressionKind;
use ksef_model::escape_terminal;
use ksef_model::i18n;
use ksef_model::i18n::Lang;

/// A name from outside (file, archive member, author) as the terminal shows it: tokens
/// redacted, control and bidi characters escaped.
fn shown_name(name: &str) -> String {
    escape_terminal(&redact_text(name)).into_owned()
}

/// `path:line:column (commit C, author, date; in N commits, last L on D)`, in `lang`.
fn location(f: &LeakFinding, lang: Lang) -> String {
    let mut s = shown_name(&f.path);
    if let Some(l) = f.line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = f.column {
            s.push_str(&format!(":{c}"));
        }
    }
    if let Some(commit) = &f.commit {
        let short: String = commit.chars().take(12).collect();
        let commit_word = lang.t("commit", "w commicie");
        s.push_str(&format!(" ({commit_word} {}", shown_name(&short)));
        if let Some(a) = &f.author {
            s.push_str(&format!(", {}", shown_name(a)));
        }
        if let Some(d) = f.date {
            s.push_str(&format!(", {}", d.format("%Y-%m-%d")));
        }
        if let Some(h) = &f.history {
            let last: String = h.last_commit.chars().take(12).collect();
            let (commits, last, date) =
                (h.commits, shown_name(&last), h.last_date.format("%Y-%m-%d"));
            s.push_str(&match lang {
                Lang::En => format!("; in {commits} commits, last {last} on {date}"),
                Lang::Pl => format!("; commitów: {commits}, ostatni {last} z {date}"),
            });
        }
        s.push(')');
    }
    s
}

/// Groups by fingerprint, keeping the order of first appearance (results are sorted).
fn groups(findings: &[LeakFinding]) -> Vec<Vec<&LeakFinding>> {
    crate::render::group_in_order(findings, |f| f.fingerprint.as_str())
        .into_iter()
        .map(|(_, members)| members)
        .collect()
}

/// A leak's status as a person reads it: what to do for an active one, and why an unknown
/// one could not be checked (KSeF did not list it to the auditor, most often for lack of
/// the read permission), never "unknown to KSeF".
fn status_text(status: LeakStatus, lang: Lang) -> String {
    match status {
        LeakStatus::Active => lang
            .t(
                "ACTIVE in KSeF: revoke now",
                "AKTYWNY w KSeF: unieważnij natychmiast",
            )
            .into(),
        LeakStatus::Unknown => lang
            .t(
                "not verifiable: KSeF did not list it (no read permission for its context?)",
                "nie można zweryfikować: KSeF go nie wymienił (brak uprawnienia do odczytu w jego kontekście?)",
            )
            .into(),
        LeakStatus::Revoked => lang.t("revoked", "unieważniony").into(),
        LeakStatus::Unverified => lang.t("unverified", "niesprawdzony").into(),
        LeakStatus::NotFound => lang
            .t(
                "KSeF does not know this reference (HTTP 404 in its context): check the finding by hand",
                "KSeF nie zna tego numeru referencyjnego (HTTP 404 w jego kontekście): sprawdź ustalenie ręcznie",
            )
            .into(),
    }
}

/// A confidence word; in Polish it agrees with "pewność" (feminine).
fn confidence_text(c: Confidence, lang: Lang) -> String {
    match (lang, c) {
        (Lang::En, c) => word(&c),
        (Lang::Pl, Confidence::Low) => "niska".into(),
        (Lang::Pl, Confidence::Medium) => "średnia".into(),
        (Lang::Pl, Confidence::High) => "wysoka".into(),
    }
}

/// A severity in capitals: `CRITICAL`; in Polish `KRYTYCZNE` (as the audit text says it).
fn severity_text(sev: Severity, lang: Lang) -> String {
    match lang {
        Lang::En => sev.as_str().to_uppercase(),
        Lang::Pl => i18n::tr(Lang::Pl, &format!("sev_{}", sev.as_str())).to_uppercase(),
    }
}

fn write_group(
    out: &mut dyn Write,
    group: &[&LeakFinding],
    suppressed: bool,
    style: Style,
    lang: Lang,
) -> std::io::Result<()> {
    let f = group[0];
    let status = status_text(f.status, lang);
    writeln!(
        out,
        "{} [{}] {} ({}, {} {}, {} {})",
        style.paint(Tone::of(f.severity), &severity_text(f.severity, lang)),
        f.rule_id,
        f.rule,
        lang.preview(&f.redacted),
        lang.t("confidence", "pewność:"),
        confidence_text(f.confidence, lang),
        lang.t("status", "status:"),
        match f.status {
            LeakStatus::Active => style.paint(Tone::Alarm, &status),
            _ => status,
        },
    )?;
    writeln!(
        out,
        "  {} {}",
        lang.t("fingerprint", "odcisk:"),
        f.fingerprint
    )?;
    if f.owner.is_some() || f.system.is_some() {
        writeln!(
            out,
            "  {} {}, {} {}",
            lang.t("inventory: owner", "ewidencja: właściciel"),
            f.owner.as_deref().unwrap_or("-"),
            lang.t("system", "system"),
            f.system.as_deref().unwrap_or("-")
        )?;
    }
    for g in group {
        let how = if suppressed {
            g.suppression
                .as_ref()
                .map(|s| match s.kind {
                    SuppressionKind::Baseline => {
                        format!(" [{}]", lang.t("baseline", "linia bazowa"))
                    }
                    SuppressionKind::Inline => {
                        format!(" [{}]", lang.t("inline marker", "znacznik w pliku"))
                    }
                    SuppressionKind::ConfiguredTokenFile => {
                        format!(" [{}]", ksef_model::i18n::tr(lang, "supp_token_file"))
                    }
                    SuppressionKind::Exception => format!(
                        " [{} {}]",
                        lang.t("exception:", "wyjątek:"),
                        s.reason
                            .as_deref()
                            .unwrap_or(lang.t("no reason", "bez uzasadnienia"))
                    ),
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        writeln!(out, "    {}{how}", location(g, lang))?;
    }
    Ok(())
}

/// The tokens found under a heading per rule, client (NIP) or owner: rules and clients in
/// order of their most severe token (the results' order), owners by name with "no owner"
/// last. Each token keeps its place in the results' order.
/// One token's findings (every place it was found).
type Token<'f> = Vec<&'f LeakFinding>;

fn grouped<'a, 'f>(
    tokens: &'a [Token<'f>],
    by: Grouping,
    lang: Lang,
) -> Vec<(String, Vec<&'a Token<'f>>)> {
    let key = |f: &LeakFinding| -> (u8, String) {
        match by {
            Grouping::Rule => (0, format!("{} ({})", f.rule, f.rule_id)),
            Grouping::Client => match &f.nip {
                Some(nip) => (0, format!("NIP {nip}")),
                None => (1, lang.t("(no NIP)", "(bez NIP)").to_string()),
            },
            Grouping::Owner => match &f.owner {
                Some(o) => (0, o.clone()),
                None => (
                    1,
                    lang.t(
                        "(no owner in the inventory)",
                        "(brak właściciela w ewidencji)",
                    )
                    .to_string(),
                ),
            },
        }
    };
    let mut groups = crate::render::group_in_order(tokens, |g| key(g[0]));
    if by == Grouping::Owner {
        groups.sort_by(|a, b| a.0.cmp(&b.0));
    } else {
        // The "no NIP" group after every client.
        groups.sort_by_key(|(k, _)| k.0);
    }
    groups
        .into_iter()
        .map(|((_, name), members)| {
            let heading = format!(
                "{name}: {}",
                lang.count(
                    members.len() as u64,
                    ("token", "tokens"),
                    ("token", "tokeny", "tokenów")
                )
            );
            (heading, members)
        })
        .collect()
}

fn write_all(
    r: &LeakResults,
    list_baselined: bool,
    style: Style,
    lang: Lang,
    group_by: Option<Grouping>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let active = groups(&r.findings);
    write_urgent(out, r, style, lang)?;
    write_active(out, &active, group_by, style, lang)?;
    write_suppressed(out, r, list_baselined, style, lang)?;
    write_unused_baseline(out, r, lang)?;
    write_problems(out, r, lang)?;
    write_placeholders(out, r, lang)?;
    if let Some(coverage) = &r.target.coverage {
        let coverage = ksef_model::i18n::errors::localised(lang, coverage);
        writeln!(out, "git: {coverage}")?;
    }
    write_summary(out, r, active.len(), lang)
}

/// Urgent first: a leaked token KSeF still accepts leads the output.
fn write_urgent(
    out: &mut dyn Write,
    r: &LeakResults,
    style: Style,
    lang: Lang,
) -> std::io::Result<()> {
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
            "{} {}: {}\n  (ksef-audit leaks --verify --format json -o leaks.json && ksef-audit revoke --from leaks.json)\n",
            style.paint(Tone::Alarm, lang.t("URGENT:", "PILNE:")),
            lang.count(
                refs.len() as u64,
                (
                    "leaked token is still ACTIVE in KSeF, revoke now",
                    "leaked tokens are still ACTIVE in KSeF, revoke now"
                ),
                (
                    "wyciekły token jest nadal AKTYWNY w KSeF, unieważnij go natychmiast",
                    "wyciekłe tokeny są nadal AKTYWNE w KSeF, unieważnij je natychmiast",
                    "wyciekłych tokenów jest nadal AKTYWNYCH w KSeF, unieważnij je natychmiast"
                )
            ),
            refs.join(", ")
        )?;
    }
    Ok(())
}

/// The active findings, one group per token, under headings with `--group-by`.
fn write_active(
    out: &mut dyn Write,
    active: &[Token<'_>],
    group_by: Option<Grouping>,
    style: Style,
    lang: Lang,
) -> std::io::Result<()> {
    match group_by {
        None => {
            for g in active {
                write_group(out, g, false, style, lang)?;
                writeln!(out)?;
            }
        }
        Some(by) => {
            for (heading, members) in grouped(active, by, lang) {
                writeln!(out, "{}", style.paint(Tone::Heading, &heading))?;
                for g in members {
                    write_group(out, g, false, style, lang)?;
                    writeln!(out)?;
                }
            }
        }
    }
    Ok(())
}

/// Suppressed findings; those accepted in the baseline are a count unless asked for (-v): a
/// CI log shows what is new, not the same old list every run.
fn write_suppressed(
    out: &mut dyn Write,
    r: &LeakResults,
    list_baselined: bool,
    style: Style,
    lang: Lang,
) -> std::io::Result<()> {
    let (baselined, listed): (Vec<LeakFinding>, Vec<LeakFinding>) =
        r.suppressed.iter().cloned().partition(|f| {
            !list_baselined
                && f.suppression
                    .as_ref()
                    .is_some_and(|s| s.kind == SuppressionKind::Baseline)
        });
    if !listed.is_empty() {
        writeln!(
            out,
            "{} ({}):",
            lang.t("suppressed", "wyłączone"),
            listed.len()
        )?;
        for g in groups(&listed) {
            write_group(out, &g, true, style, lang)?;
        }
        writeln!(out)?;
    }
    if !baselined.is_empty() {
        writeln!(
            out,
            "{} {}\n",
            lang.count(
                baselined.len() as u64,
                (
                    "finding accepted in the baseline",
                    "findings accepted in the baseline"
                ),
                (
                    "ustalenie przyjęte w linii bazowej",
                    "ustalenia przyjęte w linii bazowej",
                    "ustaleń przyjętych w linii bazowej"
                )
            ),
            lang.t(
                "(not listed; -v lists them)",
                "(lista pominięta; -v ją pokazuje)"
            )
        )?;
    }
    Ok(())
}

fn write_unused_baseline(out: &mut dyn Write, r: &LeakResults, lang: Lang) -> std::io::Result<()> {
    if !r.unused_baseline.is_empty() {
        writeln!(
            out,
            "{} ({}): {}",
            lang.t("unused baseline entries", "nieużywane wpisy linii bazowej"),
            r.unused_baseline.len(),
            lang.t(
                "these fingerprints were not found any more",
                "tych odcisków już nie znaleziono"
            )
        )?;
        for fp in &r.unused_baseline {
            writeln!(out, "  {fp}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Warnings, then scan errors, then what was skipped (refused archives).
fn write_problems(out: &mut dyn Write, r: &LeakResults, lang: Lang) -> std::io::Result<()> {
    for w in &r.warnings {
        writeln!(out, "{}", stderr::warning(lang, w))?;
    }
    for e in &r.errors {
        writeln!(
            out,
            "{}",
            stderr::error_at(lang, &e.path, &e.message, false)
        )?;
    }
    for s in &r.skipped {
        writeln!(
            out,
            "{}: {}: {}",
            lang.t("skipped", "pominięto"),
            s.path,
            stderr::prefixed(lang, &errors::localised(lang, &s.message))
        )?;
    }
    Ok(())
}

/// How many values were dropped as placeholders (and where, with -v).
fn write_placeholders(out: &mut dyn Write, r: &LeakResults, lang: Lang) -> std::io::Result<()> {
    if r.stats.placeholders > 0 {
        let count = lang.count(
            r.stats.placeholders,
            ("placeholder value", "placeholder values"),
            (
                "wartość przykładową",
                "wartości przykładowe",
                "wartości przykładowych",
            ),
        );
        writeln!(
            out,
            "{}{}",
            match lang {
                Lang::En => format!(
                    "{count} not reported (documentation examples, patterned or repeated secrets)"
                ),
                Lang::Pl => format!(
                    "pominięto {count} (przykłady z dokumentacji, wartości o regularnym wzorze lub powtarzające się)"
                ),
            },
            if r.placeholders.is_empty() {
                lang.t("; -v lists them", "; -v pokazuje miejsca")
            } else {
                ":"
            }
        )?;
        for p in &r.placeholders {
            writeln!(out, "  {}:{} {} ({})", p.path, p.line, p.rule_id, p.reason)?;
        }
    }
    Ok(())
}

/// The summary line: findings, distinct tokens, suppressed, errors, files and bytes.
fn write_summary(
    out: &mut dyn Write,
    r: &LeakResults,
    distinct: usize,
    lang: Lang,
) -> std::io::Result<()> {
    let files = r.stats.files.max(r.stats.blobs);
    match lang {
        Lang::En => writeln!(
            out,
            "{} finding{} ({} distinct token{}), {} suppressed, {} error{}; scanned {} file{}, {} bytes",
            r.findings.len(),
            if r.findings.len() == 1 { "" } else { "s" },
            distinct,
            if distinct == 1 { "" } else { "s" },
            r.suppressed.len(),
            r.errors.len(),
            if r.errors.len() == 1 { "" } else { "s" },
            files,
            if files == 1 { "" } else { "s" },
            r.stats.bytes
        ),
        Lang::Pl => writeln!(
            out,
            "{} ({}), wyłączone: {}, {}; przeskanowano {}, {}",
            lang.count(
                r.findings.len() as u64,
                ("", ""),
                ("ustalenie", "ustalenia", "ustaleń")
            ),
            lang.count(
                distinct as u64,
                ("", ""),
                ("token", "różne tokeny", "różnych tokenów")
            ),
            r.suppressed.len(),
            lang.count(r.errors.len() as u64, ("", ""), ("błąd", "błędy", "błędów")),
            lang.count(files, ("", ""), ("plik", "pliki", "plików")),
            lang.count(r.stats.bytes, ("", ""), ("bajt", "bajty", "bajtów")),
        ),
    }
}

pub fn render(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    write_all(results, true, Style::default(), Lang::En, None, out).map_err(io_err("text"))
}

/// Like `render`; `list_baselined: false` shows findings accepted in the baseline as a count.
pub fn render_with(
    results: &LeakResults,
    list_baselined: bool,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    write_all(
        results,
        list_baselined,
        Style::default(),
        Lang::En,
        None,
        out,
    )
    .map_err(io_err("text"))
}

/// Like `render_with`, coloured as `style` says, in `lang` (`--lang`), the tokens grouped
/// as `group_by` says (`--group-by`).
pub fn render_styled(
    results: &LeakResults,
    list_baselined: bool,
    style: Style,
    lang: Lang,
    group_by: Option<Grouping>,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    write_all(results, list_baselined, style, lang, group_by, out).map_err(io_err("text"))
}
