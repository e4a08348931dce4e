//! Registers: inventory reconciliation, exceptions, remediation plan.

use crate::render::html::model::leaks::group_leaks;
use crate::render::html::model::*;

/// Inventory reconciliation: untracked tokens and stale rows.
pub(super) fn recon(cx: &Ctx<'_>) -> Recon {
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let cur_k = cx.facts.current.as_ref().map(|p| &p.kpis);
    // The sections come from the rules' `report-section` (see `evaluate::posture`).
    let rows_of = |section: &str| -> Vec<FindingRow> {
        let ids: BTreeSet<&str> = cx
            .facts
            .sections
            .get(section)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        audit
            .map(|a| {
                a.findings
                    .iter()
                    .filter(|f| ids.contains(f.id.as_str()))
                    .map(|f| cx.finding_row(f))
                    .collect()
            })
            .unwrap_or_default()
    };
    let untracked = rows_of("untracked");
    let stale = rows_of("stale");
    Recon {
        summary: tr("recon_summary")
            .replace("{untracked}", &untracked.len().to_string())
            .replace("{stale}", &stale.len().to_string())
            .replace(
                "{pct}",
                &fmt_pct(cur_k.as_ref().and_then(|k| k.in_inventory)),
            ),
        untracked,
        stale,
    }
}

/// The exceptions register.
pub(super) fn exceptions(cx: &Ctx<'_>) -> Exceptions {
    let facts = cx.facts;
    let mut exc_rows: Vec<ExceptionRow> = facts
        .exceptions
        .iter()
        .map(|e| cx.exception_row(e))
        .collect();
    exc_rows.sort_by(|a, b| a.expires.cmp(&b.expires).then(a.rule.cmp(&b.rule)));
    Exceptions {
        expiring: exc_rows
            .iter()
            .filter(|e| e.status == "expiring")
            .cloned()
            .collect(),
        expired: exc_rows
            .iter()
            .filter(|e| e.status == "expired")
            .cloned()
            .collect(),
        all: exc_rows,
    }
}

/// The remediation plan by severity and due date.
pub(super) fn plan(cx: &Ctx<'_>) -> Vec<PlanGroup> {
    let lang = cx.lang;
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let leaks = cx.leaks;
    let mask = cx.mask;
    let mut plan = Vec::new();
    if let Some(a) = audit {
        for sev in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            let days = facts.due_days.for_severity(sev);
            let due = facts.due.get(&sev).map(|d| cx.date(*d)).unwrap_or_default();
            let mut items: BTreeMap<(String, String), u32> = BTreeMap::new();
            for f in a
                .findings
                .iter()
                .filter(|f| !f.excepted && f.severity == sev)
            {
                let owner = f
                    .owner
                    .as_deref()
                    .map(|o| mask.text(o))
                    .unwrap_or_else(|| tr("owner_unassigned"));
                *items.entry((f.rule.clone(), owner)).or_insert(0) += 1;
            }
            if let Some(l) = leaks {
                for g in group_leaks(&l.findings) {
                    if g.iter().map(|f| f.severity).max() == Some(sev) {
                        let owner = g[0]
                            .owner
                            .as_deref()
                            .map(|o| mask.text(o))
                            .unwrap_or_else(|| tr("owner_unassigned"));
                        let key = if g[0].status == LeakStatus::Active {
                            LEAK_GROUP_ACTIVE
                        } else {
                            LEAK_GROUP_FOUND
                        };
                        *items.entry((key.to_string(), owner)).or_insert(0) += 1;
                    }
                }
            }
            if items.is_empty() {
                continue;
            }
            let mut items: Vec<PlanItem> = by_rule(items)
                .into_iter()
                .map(|(rule, (owner, count))| PlanItem {
                    rule_title: rule_title(lang, &cx.facts.rule_titles, &rule),
                    rule,
                    owner,
                    count,
                    due: due.clone(),
                })
                .collect();
            items.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(&b.rule)));
            plan.push(PlanGroup {
                severity: sev_key(sev),
                sev_label: sev_label(lang, sev),
                days,
                due,
                items,
            });
        }
    }

    plan
}

/// One plan line per rule (issue 20.6: the quarterly report stays short): its owners, most
/// findings first, each with its count (`anna@… (31), piotr@… (2)`), and the total.
fn by_rule(items: BTreeMap<(String, String), u32>) -> BTreeMap<String, (String, u32)> {
    let mut owners: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for ((rule, owner), count) in items {
        owners.entry(rule).or_default().push((owner, count));
    }
    owners
        .into_iter()
        .map(|(rule, mut list)| {
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let total = list.iter().map(|(_, n)| n).sum();
            let owners = match list.as_slice() {
                [(only, _)] => only.clone(),
                _ => list
                    .iter()
                    .map(|(o, n)| format!("{o} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            (rule, (owners, total))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_line_per_rule_lists_its_owners_with_their_counts() {
        let items = BTreeMap::from([
            (("rotation-due".to_string(), "anna".to_string()), 2),
            (("rotation-due".to_string(), "piotr".to_string()), 5),
            (("never-used".to_string(), "anna".to_string()), 1),
        ]);
        let lines = by_rule(items);
        assert_eq!(
            lines["rotation-due"],
            ("piotr (5), anna (2)".to_string(), 7)
        );
        assert_eq!(lines["never-used"], ("anna".to_string(), 1));
    }
}
