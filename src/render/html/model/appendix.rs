//! The appendix and the security review tables.

use crate::render::html::model::*;

/// The appendix: methodology, contexts, warnings.
pub(super) fn appendix(cx: &Ctx<'_>) -> Appendix {
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let mask = cx.mask;
    let context_rows: Vec<ContextRow> = audit
        .map(|a| {
            a.contexts
                .iter()
                .map(|c| {
                    let status = match c.status {
                        ContextStatus::Complete => "complete",
                        ContextStatus::Incomplete => "incomplete",
                    };
                    ContextRow {
                        nip: mask.nip(&c.nip),
                        name: mask.opt_text(c.name.as_deref()),
                        status,
                        status_label: tr(&format!("ctx_{status}")),
                        reason: context_reason_line(cx, c),
                        fetched_local: show_time(cx.lang, c.fetched_at),
                        duration: show_decimal(
                            cx.lang,
                            &format!("{:.1} s", c.duration_ms as f64 / 1000.0),
                        ),
                        tokens: c.tokens.len() as u32,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Appendix {
        methodology: (1..=5).map(|i| tr(&format!("method_{i}"))).collect(),
        incomplete: context_rows
            .iter()
            .filter(|c| c.status == "incomplete")
            .cloned()
            .collect(),
        contexts: context_rows,
        warnings: audit
            .map(|a| {
                a.warnings
                    .iter()
                    .map(|w| {
                        ksef_model::i18n::warning::lines(cx.lang, w)
                            .iter()
                            .map(|l| mask.text(l))
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The security review: by context, by rule, excepted.
pub(super) fn review(cx: &Ctx<'_>) -> Review {
    let lang = cx.lang;
    let mut review = match cx.audit {
        Some(a) => Review {
            findings: a.findings.iter().map(|f| cx.finding_row(f)).collect(),
            contexts: a
                .contexts
                .iter()
                .map(|c| review_context(cx, a, c))
                .collect(),
            by_rule: by_rule(cx, a),
            excepted: a
                .findings
                .iter()
                .filter(|f| f.excepted)
                .map(|f| cx.finding_row(f))
                .collect(),
            open_count: a.findings.iter().filter(|f| !f.excepted).count() as u32,
            open_label: String::new(),
            excepted_label: String::new(),
        },
        None => Review {
            findings: Vec::new(),
            contexts: Vec::new(),
            by_rule: Vec::new(),
            excepted: Vec::new(),
            open_count: 0,
            open_label: String::new(),
            excepted_label: String::new(),
        },
    };
    review.open_label = count_words(
        lang,
        review.open_count.into(),
        "review_open",
        (
            "otwarte ustalenie",
            "otwarte ustalenia",
            "otwartych ustaleń",
        ),
    );
    review.excepted_label = count_words(
        lang,
        review.excepted.len() as u64,
        "review_excepted_count",
        ("wyłączone", "wyłączone", "wyłączonych"),
    );
    review
}

/// One context of the review: its open findings as items (most severe first) and its
/// tokens (not those Revoked or Failed without a finding: counted), with the inventory's
/// extra columns of any of them.
fn review_context(
    cx: &Ctx<'_>,
    a: &ksef_model::AuditResults,
    c: &ksef_model::AuditContext,
) -> ReviewContext {
    let tr = |k: &str| cx.tr(k);
    let mask = cx.mask;
    let extra_columns: Vec<String> = c
        .tokens
        .iter()
        .flat_map(|t| t.inventory_extra.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let status = match c.status {
        ContextStatus::Complete => "complete",
        ContextStatus::Incomplete => "incomplete",
    };
    let with_findings: BTreeSet<&str> = a
        .findings
        .iter()
        .filter(|f| f.nip == c.nip && !f.excepted)
        .filter_map(|f| f.reference_number.as_deref())
        .collect();
    let (listed, not_listed): (Vec<_>, Vec<_>) = c.tokens.iter().partition(|t| {
        !matches!(
            t.token.status,
            ksef_model::TokenStatus::Revoked | ksef_model::TokenStatus::Failed
        ) || with_findings.contains(t.token.reference_number.as_str())
    });
    let tokens = listed
        .into_iter()
        .map(|t| token_row(cx, t, &extra_columns))
        .collect();
    let tokens_not_listed = if not_listed.is_empty() {
        String::new()
    } else {
        tr("tokens_not_listed").replace("{n}", &show_count(cx.lang, not_listed.len() as u32))
    };
    ReviewContext {
        nip: mask.nip(&c.nip),
        name: mask.opt_text(c.name.as_deref()),
        anchor: anchor(&c.nip, mask),
        status,
        status_label: tr(&format!("ctx_{status}")),
        reason: context_reason_line(cx, c),
        items: super::review_items::context_items(cx, a, &c.nip),
        tokens,
        tokens_not_listed,
        extra_columns: extra_columns.iter().map(|k| mask.text(k)).collect(),
    }
}

/// One token of a context in the review, with its values of the `extra_columns`.
fn token_row(cx: &Ctx<'_>, t: &ksef_model::AuditedToken, extra_columns: &[String]) -> TokenRow {
    let lang = cx.lang;
    let mask = cx.mask;
    TokenRow {
        reference: t.token.reference_number.clone(),
        description: mask.text(&t.token.description),
        status: i18n::lookup(lang, &format!("token_status_{}", t.token.status))
            .map_or_else(|| t.token.status.to_string(), str::to_string),
        permissions: t
            .token
            .requested_permissions
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        author: match &t.author_name {
            Some(n) => mask.text(n),
            None => mask.audited_author(&t.token.author_identifier, t.author_key.as_deref()),
        },
        owner: mask.opt_text(t.owner.as_deref()),
        system: mask.opt_text(t.system.as_deref()),
        created: cx.date(local_date(t.token.date_created)),
        last_use: t
            .token
            .last_use_date
            .map(|d| cx.date(local_date(d)))
            .unwrap_or_else(|| cx.tr("never")),
        planned_expiry: t.planned_expiry.map(|d| cx.date(d)).unwrap_or_default(),
        in_inventory: t.in_inventory,
        extra: extra_columns
            .iter()
            .map(|k| mask.opt_text(t.inventory_extra.get(k).map(String::as_str)))
            .collect(),
    }
}

/// The open findings by rule: most severe rule first, then the most findings, then by name.
fn by_rule(cx: &Ctx<'_>, a: &ksef_model::AuditResults) -> Vec<RuleRow> {
    let lang = cx.lang;
    let mut rules: BTreeMap<&str, (Severity, &str, u32, BTreeSet<&str>, &str)> = BTreeMap::new();
    for f in a.findings.iter().filter(|f| !f.excepted) {
        let e = rules.entry(&f.rule).or_insert((
            f.severity,
            &f.rule_id,
            0,
            BTreeSet::new(),
            &f.help_uri,
        ));
        e.0 = e.0.max(f.severity);
        e.2 += 1;
        e.3.insert(&f.nip);
    }
    let mut by_rule: Vec<RuleRow> = rules
        .into_iter()
        .map(|(rule, (sev, id, n, nips, help))| RuleRow {
            rule: rule.to_string(),
            rule_id: id.to_string(),
            rule_title: rule_title(lang, &cx.facts.rule_titles, rule),
            severity: sev_key(sev),
            sev_label: sev_label(lang, sev),
            count: n,
            contexts: nips.len() as u32,
            help: rule_link(help, rule),
        })
        .collect();
    by_rule.sort_by(|a, b| {
        Severity::ALL
            .iter()
            .position(|s| s.as_str() == a.severity)
            .cmp(&Severity::ALL.iter().position(|s| s.as_str() == b.severity))
            .then(b.count.cmp(&a.count))
            .then(a.rule.cmp(&b.rule))
    });
    by_rule
}

/// The words after a count: the English label as it is, the Polish noun form the count takes.
fn count_words(lang: Lang, n: u64, key: &str, pl: (&str, &str, &str)) -> String {
    match lang {
        Lang::En => i18n::tr(lang, key).to_string(),
        Lang::Pl => ksef_model::plural_pl(n, pl.0, pl.1, pl.2).to_string(),
    }
}

/// An incomplete context's reason for the appendix and the review: the headline, then the
/// technical detail and what to do (`render::reason`); empty for a complete context.
fn context_reason_line(cx: &Ctx<'_>, c: &ksef_model::AuditContext) -> String {
    if c.reason.is_none() && c.status == ContextStatus::Complete {
        return String::new();
    }
    cx.mask.text(&ksef_model::i18n::reason::one_line(
        cx.lang,
        c.reason_code.as_ref(),
        c.reason.as_deref(),
    ))
}
