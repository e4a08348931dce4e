//! The one comparison of an audit with an earlier one. It serves `audit --baseline`
//! ([`crate::audit::apply_baseline`]) and the quarterly report's new / resolved /
//! persisting section, so both agree on what is "new".
//!
//! Findings are matched by id (a stable hash of rule and subject), whether excepted or
//! not, and a NIP only counts as compared when the audit that would show the change
//! covered it completely:
//! - a current finding whose id was there before is **persisting** (a waiver given or
//!   lapsed in between does not make it new or resolved);
//! - one whose id was not there is **new** when the earlier audit covered its NIP
//!   completely, else it belongs to a **first audit** of that NIP (nothing to compare);
//! - an earlier finding whose id is gone is **resolved** when this audit covered its
//!   NIP completely, else **not rechecked**.
//!
//! Permission grants are compared only between audits that both read them: a grant
//! finding against an audit with no grant data (written before grants were read) is a
//! **first audit**, and one gone from an audit with no grant data is **not rechecked**.

use std::collections::BTreeSet;

use ksef_model::AuditContext;
use ksef_model::AuditFinding;
use ksef_model::AuditResults;
use ksef_model::ChangeSet;
use ksef_model::ContextStatus;

/// Where a current finding stands against the earlier audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CurrentChange {
    New,
    Persisting,
    FirstAudit,
}

/// What became of an earlier finding that is gone now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GoneChange {
    Resolved,
    NotRechecked,
}

/// The result of [`compare`], by index into the two finding lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// One entry per current finding, in order.
    pub(crate) current: Vec<CurrentChange>,
    /// Earlier findings absent now: index into the earlier findings and what became of it.
    pub(crate) gone: Vec<(usize, GoneChange)>,
}

/// NIPs whose contexts were audited completely.
pub(crate) fn complete_nips(contexts: &[AuditContext]) -> BTreeSet<&str> {
    contexts
        .iter()
        .filter(|c| c.status == ContextStatus::Complete)
        .map(|c| c.nip.as_str())
        .collect()
}

/// Whether an audit holds grant data: a grant of some context, or a finding about one
/// (an audit that read grants and found none at all looks the same as one that did not).
fn has_grant_data(contexts: &[AuditContext], findings: &[AuditFinding]) -> bool {
    contexts.iter().any(|c| !c.grants.is_empty()) || findings.iter().any(|f| f.grant_id.is_some())
}

/// Compares current findings (of `contexts`) with an earlier audit.
pub(crate) fn compare(
    findings: &[AuditFinding],
    contexts: &[AuditContext],
    earlier: &AuditResults,
) -> Comparison {
    let before: BTreeSet<&str> = earlier.findings.iter().map(|f| f.id.as_str()).collect();
    let now: BTreeSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    let covered_before = complete_nips(&earlier.contexts);
    let covered_now = complete_nips(contexts);
    let grants_before = has_grant_data(&earlier.contexts, &earlier.findings);
    let grants_now = has_grant_data(contexts, findings);
    let current = findings
        .iter()
        .map(|f| {
            if before.contains(f.id.as_str()) {
                CurrentChange::Persisting
            } else if f.grant_id.is_some() && !grants_before {
                CurrentChange::FirstAudit
            } else if covered_before.contains(f.nip.as_str()) {
                CurrentChange::New
            } else {
                CurrentChange::FirstAudit
            }
        })
        .collect();
    let gone = earlier
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| !now.contains(f.id.as_str()))
        .map(|(i, f)| {
            let change = if f.grant_id.is_some() && !grants_now {
                GoneChange::NotRechecked
            } else if covered_now.contains(f.nip.as_str()) {
                GoneChange::Resolved
            } else {
                GoneChange::NotRechecked
            };
            (i, change)
        })
        .collect();
    Comparison { current, gone }
}

/// The quarterly report's comparison: `current` against the latest of `earlier` (by
/// `generated_at`), keeping the open (not excepted) findings of each group. `None`
/// without a current audit or an earlier one.
pub(crate) fn report_changes(
    current: Option<&AuditResults>,
    earlier: &[AuditResults],
) -> Option<ChangeSet> {
    let current = current?;
    let earlier = earlier.iter().max_by_key(|a| a.generated_at)?;
    let cmp = compare(&current.findings, &current.contexts, earlier);
    let mut out = ChangeSet {
        compared_with: earlier.generated_at,
        ..ChangeSet::default()
    };
    for (f, change) in current.findings.iter().zip(&cmp.current) {
        if f.excepted {
            continue;
        }
        match change {
            CurrentChange::New => out.new.push(f.clone()),
            CurrentChange::Persisting => out.persisting += 1,
            CurrentChange::FirstAudit => out.first_audit += 1,
        }
    }
    for (i, change) in cmp.gone {
        let f = &earlier.findings[i];
        if f.excepted {
            continue;
        }
        match change {
            GoneChange::Resolved => out.resolved.push(f.clone()),
            GoneChange::NotRechecked => out.not_rechecked += 1,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::apply_baseline;
    use ksef_model::BaselineState;

    fn audit(q: &str) -> AuditResults {
        let text = match q {
            "q2" => include_str!("../../../tests/fixtures/results/audit-2026q2.json"),
            "q3" => include_str!("../../../tests/fixtures/results/audit-2026q3.json"),
            _ => include_str!("../../../tests/fixtures/results/audit-2026q4.json"),
        };
        serde_json::from_str(text).expect("fixture")
    }

    fn ids(v: &[AuditFinding]) -> Vec<&str> {
        v.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn a_waiver_given_or_lapsed_is_neither_new_nor_resolved() {
        let (q3, mut q4) = (audit("q3"), audit("q4"));
        // Waived now, open before: not resolved (it is still there).
        q4.findings
            .iter_mut()
            .filter(|f| f.id == "f-a-admin")
            .for_each(|f| f.excepted = true);
        // Waived before, open now: persisting, not new.
        let mut q3_waived = q3.clone();
        q3_waived.findings.push(AuditFinding {
            excepted: true,
            ..q4.findings
                .iter()
                .find(|f| f.id == "f-a-pii")
                .expect("pii")
                .clone()
        });
        let c = report_changes(Some(&q4), &[q3_waived]).expect("compared");
        assert_eq!(ids(&c.resolved), ["f-a-stale"]);
        assert!(!ids(&c.new).contains(&"f-a-pii"), "{:?}", ids(&c.new));
        assert!(!ids(&c.new).contains(&"f-a-admin"));
    }

    #[test]
    fn baseline_and_report_agree_on_new_and_fixed() {
        let (q2, q4) = (audit("q2"), audit("q4"));
        let report = report_changes(Some(&q4), std::slice::from_ref(&q2)).expect("compared");
        let mut findings = q4.findings.clone();
        let fixed = apply_baseline(&mut findings, &q2, &q4.contexts);
        let open_new: Vec<&str> = findings
            .iter()
            .filter(|f| !f.excepted && f.baseline == Some(BaselineState::New))
            .map(|f| f.id.as_str())
            .collect();
        assert_eq!(open_new, ids(&report.new));
        assert_eq!(ids(&fixed), ids(&report.resolved));
        // NIP 9512345675 was not audited in Q2: its findings are not "new" in either.
        assert!(
            findings
                .iter()
                .filter(|f| f.nip == "9512345675")
                .all(|f| f.baseline.is_none())
        );
        assert_eq!(report.first_audit, 2);
    }

    #[test]
    fn grant_findings_are_compared_only_between_audits_that_read_grants() {
        let (q3, q4) = (audit("q3"), audit("q4"));
        let grant_finding = |base: &AuditFinding, grant: &str| AuditFinding {
            id: format!("grant-{grant}"),
            grant_id: Some(grant.to_string()),
            excepted: false,
            ..base.clone()
        };
        // Q3 read no grants: Q4's grant finding is a first audit, not new.
        let mut q4g = q4.clone();
        let base = q4g.findings[0].clone();
        q4g.findings.push(grant_finding(&base, "g1"));
        let c = report_changes(Some(&q4g), std::slice::from_ref(&q3)).expect("compared");
        assert!(!ids(&c.new).contains(&"grant-g1"), "{:?}", ids(&c.new));
        let plain = report_changes(Some(&q4), std::slice::from_ref(&q3)).expect("compared");
        assert_eq!(c.first_audit, plain.first_audit + 1);
        // Both read grants: a grant finding not there before is new.
        let mut q3g = q3.clone();
        q3g.findings.push(grant_finding(&base, "g0"));
        let c = report_changes(Some(&q4g), std::slice::from_ref(&q3g)).expect("compared");
        assert!(ids(&c.new).contains(&"grant-g1"));
        assert!(ids(&c.resolved).contains(&"grant-g0"));
        // Q4 read no grants: Q3's grant finding is not rechecked, never resolved.
        let c = report_changes(Some(&q4), std::slice::from_ref(&q3g)).expect("compared");
        assert!(!ids(&c.resolved).contains(&"grant-g0"));
        assert_eq!(c.not_rechecked, plain.not_rechecked + 1);
    }
}
