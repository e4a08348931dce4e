//! The items of the text output: the findings as a person acts on them, one line per
//! client context (or person) under a heading per rule, wrapped at the width.

use std::io::Write;

use ksef_model::AuditItem;
use ksef_model::AuditResults;
use ksef_model::ItemKind;
use ksef_model::Severity;
use ksef_model::i18n::Lang;

use super::TextOptions;
use crate::render::style::Tone;
use crate::render::wrap::wrap;

/// At most this many credentials are named per item line; `--expand` lists every one.
const SHOWN_CREDENTIALS: usize = 3;

/// Writes one paragraph wrapped at the width: `first` leads, continuation lines start with
/// `rest`, or (when `rest` is empty) with spaces as wide as `first`.
fn para(
    out: &mut dyn Write,
    opts: TextOptions,
    first: &str,
    rest: &str,
    text: &str,
) -> std::io::Result<()> {
    let under = " ".repeat(first.chars().count());
    let rest = if rest.is_empty() { &under } else { rest };
    for l in wrap(text, opts.width(), first, rest) {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// `en` in English, `pl` in Polish (an item's own words).
fn pick<'a>(opts: TextOptions, en: &'a str, pl: &'a str) -> &'a str {
    match opts.lang {
        Lang::En => en,
        Lang::Pl => pl,
    }
}

/// The item's words in the output's language.
fn title(item: &AuditItem, opts: TextOptions) -> &str {
    pick(opts, &item.title, &item.title_pl)
}

fn action(item: &AuditItem, opts: TextOptions) -> &str {
    pick(opts, &item.action, &item.action_pl)
}

fn detail(item: &AuditItem, opts: TextOptions) -> Option<&str> {
    match opts.lang {
        Lang::En => item.detail.as_deref(),
        Lang::Pl => item.detail_pl.as_deref().or(item.detail.as_deref()),
    }
}

/// `rule (ID)`, or `rule, rule (ID, ID)` for an item of several rules.
fn rules(item: &AuditItem) -> String {
    format!("{} ({})", item.rules.join(", "), item.rule_ids.join(", "))
}

/// The items, most severe first: a heading per rule (title, what to do) and a line per
/// context; a paragraph per person who left and for a starter inventory.
pub(super) fn items_section(
    out: &mut dyn Write,
    results: &AuditResults,
    opts: TextOptions,
) -> std::io::Result<()> {
    let items: Vec<&AuditItem> = results.items.iter().collect();
    let findings: usize = items.iter().map(|i| i.finding_ids.len()).sum();
    let heading = match opts.lang {
        Lang::En => format!(
            "Items ({} from {findings} findings, highest severity first; --expand lists every finding)",
            items.len()
        ),
        Lang::Pl => format!(
            "Pozycje: {} z {findings} ustaleń, od najwyższej istotności (--expand wymienia każde ustalenie)",
            items.len()
        ),
    };
    writeln!(out, "{}", opts.style.paint(Tone::Heading, &heading))?;
    writeln!(out)?;
    let groups = crate::render::group_in_order(items, |i| {
        let person = i.kind == ItemKind::Person;
        (
            i.severity,
            i.kind == ItemKind::Inventory,
            person,
            if person {
                Vec::new()
            } else {
                i.rule_ids.clone()
            },
        )
    });
    for (_, members) in groups {
        group(out, &members, opts)?;
    }
    Ok(())
}

/// One heading and its items.
fn group(out: &mut dyn Write, members: &[&AuditItem], opts: TextOptions) -> std::io::Result<()> {
    let first = members[0];
    let sev = severity_label(first.severity, opts);
    let heading = match first.kind {
        ItemKind::Person => opts
            .t(
                "People who left the firm and still have access",
                "Osoby, które odeszły z firmy, a nadal mają dostęp",
            )
            .to_string(),
        _ => format!("{} · {}", title(first, opts), rules(first)),
    };
    para(out, opts, &format!("{sev}  "), "           ", &heading)?;
    let same_action = members
        .iter()
        .all(|i| action(i, opts) == action(first, opts));
    if same_action && first.kind != ItemKind::Person {
        para(
            out,
            opts,
            &format!("  {} ", opts.t("do:", "co zrobić:")),
            "",
            action(first, opts),
        )?;
    }
    for item in members {
        line(out, item, opts)?;
        if !same_action || item.kind == ItemKind::Person {
            para(
                out,
                opts,
                &format!("      {} ", opts.t("do:", "co zrobić:")),
                "",
                action(item, opts),
            )?;
        }
    }
    writeln!(out)
}

/// The severity word, upper case, padded (and coloured) like the finding blocks.
fn severity_label(sev: Severity, opts: TextOptions) -> String {
    opts.style
        .paint_padded(Tone::of(sev), &opts.sev(sev).to_uppercase(), 9)
}

/// One item: where (context or person), how many credentials and which.
fn line(out: &mut dyn Write, item: &AuditItem, opts: TextOptions) -> std::io::Result<()> {
    let place = match (&item.nip, &item.client_name) {
        (Some(nip), Some(name)) => format!("{nip} {name}"),
        (Some(nip), None) => nip.clone(),
        (None, _) => match opts.lang {
            Lang::En => format!("{} contexts", item.nips.len()),
            Lang::Pl => format!("kontekstów: {}", item.nips.len()),
        },
    };
    let text = match item.kind {
        ItemKind::Person => format!("{} [{}]", title(item, opts), rules(item)),
        ItemKind::Inventory => format!("{} ({place}) [{}]", title(item, opts), rules(item)),
        ItemKind::Rule | ItemKind::Firm => match detail(item, opts) {
            Some(d) => format!("{place}: {d}"),
            None => format!("{place}: {}", credentials(item, opts)),
        },
    };
    para(out, opts, "  - ", "    ", &text)
}

/// `N: a, b, c and M more`, the credentials of an item, compact.
fn credentials(item: &AuditItem, opts: TextOptions) -> String {
    let n = item.credentials.len();
    let shown = item.credentials[..n.min(SHOWN_CREDENTIALS)]
        .iter()
        .map(|c| ksef_model::i18n::credential(opts.lang, c))
        .collect::<Vec<_>>()
        .join(", ");
    let more = n.saturating_sub(SHOWN_CREDENTIALS);
    let mut text = match opts.lang {
        Lang::En => format!("{n} ({shown}"),
        Lang::Pl => format!("{n} ({shown}"),
    };
    if more > 0 {
        text.push_str(&match opts.lang {
            Lang::En => format!(" and {more} more"),
            Lang::Pl => format!(" i {more} innych"),
        });
    }
    text.push(')');
    text
}

/// "Act now" lines for the critical items: one per critical rule (with its count and
/// contexts), one per person who left with critical access.
pub(super) fn critical_lines(results: &AuditResults, opts: TextOptions) -> Vec<String> {
    let critical = results
        .items
        .iter()
        .filter(|i| i.severity == Severity::Critical);
    let groups = crate::render::group_in_order(critical, |i| {
        if i.kind == ItemKind::Person {
            i.person.clone().unwrap_or_default()
        } else {
            i.rule_ids.join(",")
        }
    });
    groups
        .into_iter()
        .map(|(_, members)| {
            let first = members[0];
            if first.kind == ItemKind::Person {
                let cmd = first.command.as_deref().unwrap_or_default();
                return format!("{} [{}]: {cmd}", title(first, opts), rules(first));
            }
            let findings: usize = members.iter().map(|i| i.finding_ids.len()).sum();
            let nips: std::collections::BTreeSet<&String> =
                members.iter().flat_map(|i| &i.nips).collect();
            match opts.lang {
                Lang::En => format!(
                    "{} [{}]: {findings} in {} context(s)",
                    title(first, opts),
                    rules(first),
                    nips.len()
                ),
                Lang::Pl => format!(
                    "{} [{}]: {findings}, kontekstów: {}",
                    title(first, opts),
                    rules(first),
                    nips.len()
                ),
            }
        })
        .collect()
}
