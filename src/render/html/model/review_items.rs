//! The security review's items: a client's open findings as a person acts on them (one
//! rule in the client, one person who left, the starter inventory), each with what is wrong,
//! what to do once and a compact table of the credentials it affects.

use std::collections::HashMap;

use crate::render::html::model::*;
use ksef_model::AuditItem;

/// The items of one client context, most severe first: the audit's items cut to this
/// context, then (for results without items) the rest of its open findings by rule.
pub(super) fn context_items(
    cx: &Ctx<'_>,
    a: &ksef_model::AuditResults,
    nip: &str,
) -> Vec<ItemBlock> {
    let open: Vec<&AuditFinding> = a
        .findings
        .iter()
        .filter(|f| f.nip == nip && !f.excepted)
        .collect();
    let by_id: HashMap<&str, &AuditFinding> = open.iter().map(|f| (f.id.as_str(), *f)).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut groups: Vec<(Option<&AuditItem>, Vec<&AuditFinding>)> = Vec::new();
    for item in &a.items {
        let members: Vec<&AuditFinding> = item
            .finding_ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .filter(|f| placed.insert(f.id.as_str()))
            .collect();
        if !members.is_empty() {
            groups.push((Some(item), members));
        }
    }
    let mut rest: BTreeMap<&str, Vec<&AuditFinding>> = BTreeMap::new();
    for f in open.iter().filter(|f| !placed.contains(f.id.as_str())) {
        rest.entry(&f.rule).or_default().push(f);
    }
    groups.extend(rest.into_values().map(|m| (None, m)));
    let mut blocks: Vec<(Severity, ItemBlock)> = groups
        .into_iter()
        .map(|(item, members)| block(cx, item, members))
        .collect();
    blocks.sort_by_key(|b| std::cmp::Reverse(b.0));
    blocks.into_iter().map(|(_, b)| b).collect()
}

/// One item: its severity, rules, the sentence, the remediation once, the earliest due date
/// and a row per finding with only the facts that differ between them.
fn block(
    cx: &Ctx<'_>,
    item: Option<&AuditItem>,
    mut members: Vec<&AuditFinding>,
) -> (Severity, ItemBlock) {
    let (lang, mask) = (cx.lang, cx.mask);
    let pl = lang == Lang::Pl;
    members.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(x.rule_id.cmp(&y.rule_id))
            .then(credential(lang, x).cmp(&credential(lang, y)))
    });
    let first = members[0];
    let severity = members
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(first.severity);
    let mut rules: Vec<RuleLink> = Vec::new();
    for f in &members {
        if !rules.iter().any(|r| r.rule == f.rule) {
            rules.push(RuleLink {
                rule: f.rule.clone(),
                rule_id: f.rule_id.clone(),
                help: rule_link(&f.help_uri, &f.rule),
            });
        }
    }
    let title = match item {
        Some(i) => lang.t(&i.title, &i.title_pl).to_string(),
        None => rule_title(lang, &cx.facts.rule_titles, &first.rule),
    };
    let detail = if members.len() == 1 {
        first.words(pl).0.to_string()
    } else {
        cx.tr("item_count")
            .replace("{n}", &show_count(lang, members.len() as u32))
    };
    let remediation = match item {
        Some(i) => lang.t(&i.action, &i.action_pl).to_string(),
        None => distinct(members.iter().map(|f| f.words(pl).2)).join(" "),
    };
    let due = members
        .iter()
        .filter_map(|f| cx.due.get(&f.severity))
        .min()
        .map(|d| cx.date(*d))
        .unwrap_or_default();
    let (common, facts) = split_facts(members.iter().map(|f| f.words(pl).1).collect());
    let rows: Vec<ItemRow> = members
        .iter()
        .zip(facts)
        .map(|(f, facts)| ItemRow {
            severity: sev_key(f.severity),
            sev_label: sev_label(lang, f.severity),
            rule: f.rule.clone(),
            reference: credential(lang, f),
            owner: mask.opt_text(f.owner.as_deref()),
            facts: mask.text(&facts),
        })
        .collect();
    let block = ItemBlock {
        severity: sev_key(severity),
        sev_label: sev_label(lang, severity),
        show_rule: rules.len() > 1,
        show_facts: rows.iter().any(|r| !r.facts.is_empty()),
        rules,
        title: mask.text(&title),
        detail: mask.text(&detail),
        common: mask.text(&common),
        remediation: mask.text(&remediation),
        due,
        rows,
    };
    (severity, block)
}

/// What a finding is about, as the items list it: the token's reference number, `grant ID`,
/// `certificate SERIAL` or `row N` of the inventory (in `lang`).
fn credential(lang: Lang, f: &AuditFinding) -> String {
    let listed = if let Some(g) = f.subject.as_ref().and_then(|s| s.grant_id()) {
        format!("grant {g}")
    } else if let Some(s) = &f.certificate_serial {
        format!("certificate {s}")
    } else if let Some(r) = &f.reference_number {
        r.clone()
    } else if let Some(ksef_model::FindingSubject::InventoryEntry { row, .. }) = &f.subject {
        format!("row {row}")
    } else {
        String::new()
    };
    i18n::credential(lang, &listed)
}

/// The texts in their first order, without repeats.
fn distinct<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for t in texts {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The facts (`; `-separated parts of the evidence) every finding shares, once, and each
/// finding's own facts: a table row repeats no sentence the others have.
fn split_facts(evidence: Vec<&str>) -> (String, Vec<String>) {
    let parts: Vec<Vec<&str>> = evidence
        .iter()
        .map(|e| {
            e.split("; ")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .collect();
    let shared: Vec<&str> = if parts.len() > 1 {
        parts[0]
            .iter()
            .copied()
            .filter(|p| parts.iter().all(|ps| ps.contains(p)))
            .collect()
    } else {
        Vec::new()
    };
    let own = parts
        .iter()
        .map(|ps| {
            ps.iter()
                .copied()
                .filter(|p| !shared.contains(p))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    (shared.join("; "), own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_every_finding_shares_are_said_once() {
        let (common, own) = split_facts(vec![
            "created 2026-01-02; permissions InvoiceRead",
            "created 2026-03-04; permissions InvoiceRead",
        ]);
        assert_eq!(common, "permissions InvoiceRead");
        assert_eq!(own, vec!["created 2026-01-02", "created 2026-03-04"]);
        let (common, own) = split_facts(vec!["created 2026-01-02; permissions InvoiceRead"]);
        assert_eq!(common, "");
        assert_eq!(own, vec!["created 2026-01-02; permissions InvoiceRead"]);
    }
}
