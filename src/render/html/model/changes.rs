//! What changed since the last quarter.

use crate::render::html::model::*;

/// New / resolved / persisting against the last previous quarter.
pub(super) fn changes(cx: &Ctx<'_>) -> Changes {
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    match &facts.changes {
        Some(c) => {
            let new: Vec<FindingRow> = c.new.iter().map(|f| cx.finding_row(f)).collect();
            let resolved: Vec<FindingRow> = c
                .resolved
                .iter()
                .map(|f| {
                    let mut row = cx.finding_row(f);
                    row.due = String::new();
                    row
                })
                .collect();
            let summary = tr("changes_summary")
                .replace("{new}", &new.len().to_string())
                .replace("{resolved}", &resolved.len().to_string())
                .replace("{persisting}", &c.persisting.to_string())
                .replace("{first}", &c.first_audit.to_string())
                .replace("{unchecked}", &c.not_rechecked.to_string());
            let by_rule = by_rule(cx, &new, &resolved);
            Changes {
                compared_with: quarter_of(c.compared_with),
                new,
                resolved,
                by_rule,
                persisting: c.persisting,
                first_audit: c.first_audit,
                not_rechecked: c.not_rechecked,
                summary,
            }
        }
        _ => Changes {
            compared_with: String::new(),
            new: Vec::new(),
            resolved: Vec::new(),
            by_rule: Vec::new(),
            persisting: 0,
            first_audit: 0,
            not_rechecked: 0,
            summary: tr("changes_no_previous"),
        },
    }
}

/// New and resolved counted by rule: worst severity first, then most new.
fn by_rule(cx: &Ctx<'_>, new: &[FindingRow], resolved: &[FindingRow]) -> Vec<ChangeByRule> {
    let mut rules: BTreeMap<&str, (usize, &FindingRow, u32, u32)> = BTreeMap::new();
    for (row, is_new) in new
        .iter()
        .map(|r| (r, true))
        .chain(resolved.iter().map(|r| (r, false)))
    {
        let e = rules
            .entry(row.rule.as_str())
            .or_insert((row.severity_rank(), row, 0, 0));
        if row.severity_rank() > e.0 {
            e.0 = row.severity_rank();
            e.1 = row;
        }
        if is_new {
            e.2 += 1;
        } else {
            e.3 += 1;
        }
    }
    let mut out: Vec<(usize, ChangeByRule)> = rules
        .into_values()
        .map(|(rank, row, n, r)| {
            (
                rank,
                ChangeByRule {
                    rule: row.rule.clone(),
                    rule_title: rule_title(cx.lang, &cx.facts.rule_titles, &row.rule),
                    severity: row.severity,
                    sev_label: row.sev_label.clone(),
                    new: n,
                    resolved: r,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.new.cmp(&a.1.new))
            .then(a.1.rule.cmp(&b.1.rule))
    });
    out.into_iter().map(|(_, c)| c).collect()
}
