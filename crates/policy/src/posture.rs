//! The posture score, KPIs, per-client scores and due dates of a report: decided here,
//! laid out by `render::html`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Warsaw;

use crate::compare::report_changes;
use crate::rule::PolicyRuleSet;
use ksef_model::AuditFinding;
use ksef_model::AuditPosture;
use ksef_model::AuditResults;
use ksef_model::AuditedGrant;
use ksef_model::AuditedToken;
use ksef_model::ClientPosture;
use ksef_model::ContextStatus;
use ksef_model::DueDays;
use ksef_model::EXPIRING_DAYS;
use ksef_model::ExceptionState;
use ksef_model::ExceptionStatus;
use ksef_model::GrantKpis;
use ksef_model::HolderStatus;
use ksef_model::KpiValues;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::ReportFacts;
use ksef_model::ReportRules;
use ksef_model::RuleTitle;
use ksef_model::Severity;
use ksef_model::TokenStatus;

/// Weights of open findings in the posture score.
pub(crate) const SCORE_WEIGHTS: [(Severity, f64); 4] = [
    (Severity::Critical, 1.0),
    (Severity::High, 0.5),
    (Severity::Medium, 0.2),
    (Severity::Low, 0.05),
];

/// Highest score while a leaked token is still active.
pub(crate) const ACTIVE_LEAK_CAP: u32 = 49;

/// Posture score 0–100: `100 − 100 × weighted open findings ÷ active tokens`, floored at 0.
pub(crate) fn posture_score(counts: &BTreeMap<Severity, u32>, active_tokens: u32) -> u32 {
    let weighted: f64 = SCORE_WEIGHTS
        .iter()
        .map(|(s, w)| w * f64::from(counts.get(s).copied().unwrap_or(0)))
        .sum();
    let tokens = f64::from(active_tokens.max(1));
    (100.0 - 100.0 * weighted / tokens)
        .clamp(0.0, 100.0)
        .round() as u32
}

/// The calendar date of a moment in Europe/Warsaw (the firm's dates).
pub(crate) fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Warsaw).date_naive()
}

/// Open (non-excepted) audit findings by severity, for one NIP or all.
pub(crate) fn open_counts(findings: &[AuditFinding], nip: Option<&str>) -> BTreeMap<Severity, u32> {
    let mut m = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| !f.excepted && nip.is_none_or(|n| f.nip == n))
    {
        *m.entry(f.severity).or_insert(0) += 1;
    }
    m
}

fn active_tokens(a: &AuditResults, nip: Option<&str>) -> u32 {
    a.contexts
        .iter()
        .filter(|c| nip.is_none_or(|n| c.nip == n))
        .flat_map(|c| &c.tokens)
        .filter(|t| TokenStatus::is_live(&t.token.status))
        .count() as u32
}

/// Permission grants held by someone other than the context.
fn held_grants(a: &AuditResults, nip: Option<&str>) -> u32 {
    a.contexts
        .iter()
        .filter(|c| nip.is_none_or(|n| c.nip == n))
        .flat_map(|c| &c.grants)
        .filter(|g| g.holder_status != HolderStatus::Own)
        .count() as u32
}

/// What the score is measured against: active tokens plus the grants held by others (a
/// grant is a way in, as a token is). Audits without grants count tokens only, as before.
fn ways_in(a: &AuditResults, nip: Option<&str>) -> u32 {
    active_tokens(a, nip) + held_grants(a, nip)
}

/// Grant figures, or `None` when the audit holds no grant (not read, or none).
fn grant_kpis(a: &AuditResults) -> Option<GrantKpis> {
    let held: Vec<&AuditedGrant> = a
        .contexts
        .iter()
        .flat_map(|c| &c.grants)
        .filter(|g| g.holder_status != HolderStatus::Own)
        .collect();
    let open_findings = a
        .findings
        .iter()
        .filter(|f| !f.excepted && f.grant_id.is_some())
        .count() as u32;
    if held.is_empty() && open_findings == 0 {
        return None;
    }
    let leavers: Vec<&&AuditedGrant> = held
        .iter()
        .filter(|g| g.holder_status == HolderStatus::Left)
        .collect();
    let people: BTreeSet<(&str, &str, Option<&str>)> = leavers
        .iter()
        .map(|g| {
            (
                g.holder_type.as_str(),
                g.holder.as_str(),
                g.holder_name.as_deref(),
            )
        })
        .collect();
    Some(GrantKpis {
        held: held.len() as u32,
        leavers: leavers.len() as u32,
        leaver_people: people.len() as u32,
        unknown: held
            .iter()
            .filter(|g| g.holder_status == HolderStatus::Unknown)
            .count() as u32,
        open_findings,
    })
}

/// Open leaked tokens: one per fingerprint, at the worst severity and status seen.
fn open_leaks(l: &LeakResults) -> impl Iterator<Item = &LeakFinding> {
    let mut best: BTreeMap<&str, &LeakFinding> = BTreeMap::new();
    for f in &l.findings {
        let e = best.entry(&f.fingerprint).or_insert(f);
        if (f.severity, f.status == LeakStatus::Active)
            > (e.severity, e.status == LeakStatus::Active)
        {
            *e = f;
        }
    }
    best.into_values()
}

/// Firm-wide score: from the audit findings (so quarters compare like with like), capped
/// at [`ACTIVE_LEAK_CAP`] while a leaked token is still active.
fn firm_score(a: &AuditResults, leaks: Option<&LeakResults>) -> u32 {
    let score = posture_score(&open_counts(&a.findings, None), ways_in(a, None));
    let leak_active = leaks.is_some_and(|l| open_leaks(l).any(|f| f.status == LeakStatus::Active));
    if leak_active {
        score.min(ACTIVE_LEAK_CAP)
    } else {
        score
    }
}

fn pct(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) * 100.0 / f64::from(d))
}

/// Exceptions of the audit and the leak scan, each (rule, target, expiry) once.
pub(crate) fn exceptions_of<'a>(
    a: Option<&'a AuditResults>,
    l: Option<&'a LeakResults>,
) -> Vec<&'a ExceptionState> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let all = a
        .map(|a| a.exceptions.iter())
        .into_iter()
        .flatten()
        .chain(l.map(|l| l.exceptions.iter()).into_iter().flatten());
    for e in all {
        if seen.insert((e.rule.clone(), e.target.clone(), e.expires)) {
            out.push(e);
        }
    }
    out
}

fn kpi_values(a: &AuditResults, leaks: Option<&LeakResults>) -> KpiValues {
    let as_of = a.generated_at;
    let active: Vec<&AuditedToken> = a
        .contexts
        .iter()
        .flat_map(|c| &c.tokens)
        .filter(|t| TokenStatus::is_live(&t.token.status))
        .collect();
    let n = active.len() as u32;
    let count = |f: &dyn Fn(&&AuditedToken) -> bool| active.iter().filter(|t| f(t)).count() as u32;
    let cutoff = as_of - Duration::days(90);
    let today = local_date(as_of);
    let exc = exceptions_of(Some(a), leaks);
    let mut open_crit_high = a
        .findings
        .iter()
        .filter(|f| !f.excepted && f.severity >= Severity::High)
        .count() as u32;
    let (leaked, leaked_active) = match leaks {
        Some(l) => {
            open_crit_high += open_leaks(l)
                .filter(|f| f.severity >= Severity::High)
                .count() as u32;
            let fps = open_leaks(l).count() as u32;
            let act = open_leaks(l)
                .filter(|f| f.status == LeakStatus::Active)
                .count() as u32;
            (Some(fps), Some(act))
        }
        None => (None, None),
    };
    let expired = |e: &&&ExceptionState| e.status == ExceptionStatus::Expired;
    KpiValues {
        active: n,
        in_inventory: pct(count(&|t| t.in_inventory), n),
        with_owner: pct(count(&|t| t.owner.is_some()), n),
        with_expiry: pct(count(&|t| t.planned_expiry.is_some()), n),
        leavers: count(&|t| t.owner_left || t.author_left),
        unused90: count(&|t| match t.token.last_use_date {
            Some(d) => d < cutoff,
            None => t.token.date_created < cutoff,
        }),
        leaked,
        leaked_active,
        open_crit_high,
        exc_active: exc.iter().filter(|e| !expired(e)).count() as u32,
        exc_expiring: exc
            .iter()
            .filter(|e| !expired(e) && (e.expires - today).num_days() <= EXPIRING_DAYS)
            .count() as u32,
        exc_expired: exc.iter().filter(expired).count() as u32,
        grants: grant_kpis(a),
    }
}

/// The posture of one audit (with a leak scan for the current quarter).
pub(crate) fn assess(a: &AuditResults, leaks: Option<&LeakResults>) -> AuditPosture {
    let clients = a
        .contexts
        .iter()
        .map(|c| {
            let open = open_counts(&a.findings, Some(&c.nip));
            let tokens = active_tokens(a, Some(&c.nip));
            let ways = ways_in(a, Some(&c.nip));
            let score = (c.status == ContextStatus::Complete).then(|| posture_score(&open, ways));
            let client = ClientPosture {
                active_tokens: tokens,
                open,
                score,
            };
            (c.nip.clone(), client)
        })
        .collect();
    AuditPosture {
        generated_at: a.generated_at,
        score: firm_score(a, leaks),
        open: open_counts(&a.findings, None),
        contexts: a.contexts.len() as u32,
        contexts_complete: a
            .contexts
            .iter()
            .filter(|c| c.status == ContextStatus::Complete)
            .count() as u32,
        kpis: kpi_values(a, leaks),
        clients,
    }
}

/// Report sections whose findings are owned by nobody.
const UNOWNED_SECTIONS: [&str; 2] = ["untracked", "no-owner"];

/// What reports take from the rules: each rule's `report-section` and its titles (rules
/// are data: the report never names a rule).
pub fn report_rules(rules: &PolicyRuleSet) -> ReportRules {
    ReportRules {
        sections: rules
            .rules
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.report_section.clone()?)))
            .collect(),
        titles: rules
            .rules
            .iter()
            .filter_map(|r| {
                let en = r.title.clone()?;
                Some((
                    r.name.clone(),
                    RuleTitle {
                        en,
                        pl: r.title_pl.clone(),
                    },
                ))
            })
            .collect(),
    }
}

/// Everything a report decides: postures (current and earlier, oldest first), the
/// comparison with the latest earlier audit, due dates, the exceptions register and
/// which findings each report section lists (`rules`: see [`report_rules`]).
/// `now` dates a report that has neither an audit nor a leak scan.
pub fn report_facts(
    audit: Option<&AuditResults>,
    leaks: Option<&LeakResults>,
    previous: &[AuditResults],
    due_days: DueDays,
    rules: &ReportRules,
    now: DateTime<Utc>,
) -> ReportFacts {
    let mut by_section: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut open_unowned = 0;
    for f in audit.iter().flat_map(|a| &a.findings) {
        if let Some(section) = rules.sections.get(&f.rule) {
            by_section
                .entry(section.clone())
                .or_default()
                .push(f.id.clone());
            if !f.excepted && UNOWNED_SECTIONS.contains(&section.as_str()) {
                open_unowned += 1;
            }
        }
    }
    let mut history: Vec<&AuditResults> = previous.iter().collect();
    history.sort_by_key(|a| a.generated_at);
    let as_of = local_date(
        audit
            .map(|a| a.generated_at)
            .or(leaks.map(|l| l.generated_at))
            .unwrap_or(now),
    );
    let due = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .map(|s| {
        let days = i64::from(due_days.for_severity(s));
        (s, as_of + Duration::days(days))
    })
    .collect();
    ReportFacts {
        current: audit.map(|a| assess(a, leaks)),
        history: history.iter().map(|p| assess(p, None)).collect(),
        changes: report_changes(audit, previous),
        as_of: Some(as_of),
        due_days,
        due,
        exceptions: exceptions_of(audit, leaks).into_iter().cloned().collect(),
        sections: by_section,
        open_unowned,
        rule_titles: rules.titles.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(grants: usize, left: usize) -> AuditResults {
        let g = |i: usize, status| AuditedGrant {
            grant_id: format!("00000000-0000-4000-8000-{i:012}"),
            kind: "Person".into(),
            holder_type: "Pesel".into(),
            holder: format!("8{i}*******45"),
            holder_name: None,
            holder_status: status,
            scope: "InvoiceWrite".into(),
            start_date: DateTime::UNIX_EPOCH,
            can_delegate: false,
            target: None,
        };
        let mut list: Vec<AuditedGrant> = (0..grants)
            .map(|i| {
                g(
                    i,
                    if i < left {
                        HolderStatus::Left
                    } else {
                        HolderStatus::Staff
                    },
                )
            })
            .collect();
        list.push(g(99, HolderStatus::Own));
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "kind": "ksef-audit/audit", "tool_version": "0",
            "generated_at": "2026-11-30T08:00:00Z",
            "environment": {"label": "test", "base_url": "http://127.0.0.1"},
            "digests": {"rules": "", "inputs": {}},
            "contexts": [{"nip": "5265877635", "environment": "test", "status": "complete",
                          "fetched_at": "2026-11-30T08:00:00Z", "tokens": [],
                          "grants": serde_json::to_value(&list).expect("grants")}],
            "findings": [], "summary": {"contexts_total": 1, "contexts_complete": 1,
              "contexts_incomplete": 0, "tokens_total": 0, "tokens_active": 0,
              "findings_by_severity": {}, "excepted": 0}
        }))
        .expect("audit results")
    }

    #[test]
    fn grants_held_by_others_count_beside_tokens_and_leavers_are_counted() {
        let a = results(4, 1);
        assert_eq!(active_tokens(&a, None), 0, "grants are not tokens");
        assert_eq!(
            ways_in(&a, None),
            4,
            "the context's own grant does not count"
        );
        let k = grant_kpis(&a).expect("grants read");
        assert_eq!(
            (k.held, k.leavers, k.leaver_people, k.unknown),
            (4, 1, 1, 0)
        );
        let none = results(0, 0);
        assert_eq!(
            grant_kpis(&none),
            None,
            "only the context's own grant: no grant figures"
        );
    }

    #[test]
    fn score_formula() {
        let mut c = BTreeMap::new();
        assert_eq!(posture_score(&c, 10), 100);
        c.insert(Severity::Critical, 1);
        c.insert(Severity::Medium, 5);
        // 1×1 + 5×0.2 = 2 weighted on 10 tokens -> 80
        assert_eq!(posture_score(&c, 10), 80);
        c.insert(Severity::Critical, 50);
        assert_eq!(posture_score(&c, 10), 0);
        assert_eq!(posture_score(&BTreeMap::new(), 0), 100);
    }
}
