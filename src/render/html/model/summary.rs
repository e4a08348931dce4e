//! The management summary: score, KPIs, top risks, decisions, headline.

use crate::render::html::model::leaks::group_leaks;
use crate::render::html::model::*;

/// The posture score panel (score, band, change against the last quarter).
pub(super) fn score(cx: &Ctx<'_>) -> ScoreView {
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    let last_prev = facts.history.last();
    let cur_score = facts.current.as_ref().map(|p| p.score);
    let prev_score = last_prev.map(|p| p.score);
    let with_grants = facts
        .current
        .as_ref()
        .is_some_and(|p| p.kpis.grants.is_some());
    let (score_change, score_dir) = change(
        cur_score.map(f64::from),
        prev_score.map(f64::from),
        true,
        "",
    );
    ScoreView {
        value: fmt_opt(cur_score),
        band: band(cur_score),
        band_label: tr(&format!("band_{}", band(cur_score))),
        change: score_change,
        dir: score_dir,
        previous: fmt_opt(prev_score),
        formula: {
            let mut lines = vec![
                tr("score_formula_1"),
                tr("score_formula_2"),
                tr("score_formula_3"),
            ];
            if with_grants {
                lines.push(tr("score_formula_grants"));
            }
            lines
        },
        formula_short: match with_grants {
            true => format!(
                "{} {}",
                tr("score_formula_short"),
                tr("score_formula_grants")
            ),
            false => tr("score_formula_short"),
        },
        gauge_width: f64::from(cur_score.unwrap_or(0)) * 3.0,
    }
}

/// The KPI table, current against the last quarter.
pub(super) fn kpi_rows(cx: &Ctx<'_>) -> Vec<Kpi> {
    let lang = cx.lang;
    let facts = cx.facts;
    let last_prev = cx.facts.history.last();
    let cur_k = facts.current.as_ref().map(|p| &p.kpis);
    let prev_k = last_prev.map(|p| &p.kpis);
    match cur_k {
        Some(k) => {
            let mut rows = kpis(lang, k, prev_k);
            rows.extend(grant_kpis(lang, k, prev_k));
            rows
        }
        None => Vec::new(),
    }
}

/// Top risks: open findings grouped by rule, worst first.
pub(super) fn risks(cx: &Ctx<'_>) -> Vec<Risk> {
    let lang = cx.lang;
    let audit = cx.audit;
    let leaks = cx.leaks;
    let mut by_rule: BTreeMap<String, (Severity, u32)> = BTreeMap::new();
    if let Some(a) = audit {
        for f in a.findings.iter().filter(|f| !f.excepted) {
            let e = by_rule.entry(f.rule.clone()).or_insert((f.severity, 0));
            e.0 = e.0.max(f.severity);
            e.1 += 1;
        }
    }
    if let Some(l) = leaks {
        for g in group_leaks(&l.findings) {
            let key = if g[0].status == LeakStatus::Active {
                LEAK_GROUP_ACTIVE
            } else {
                LEAK_GROUP_FOUND
            };
            let sev = g.iter().map(|f| f.severity).max().unwrap_or(Severity::High);
            let e = by_rule.entry(key.to_string()).or_insert((sev, 0));
            e.0 = e.0.max(sev);
            e.1 += 1;
        }
    }
    let mut risk_list: Vec<_> = by_rule.into_iter().collect();
    risk_list.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then(b.1.1.cmp(&a.1.1))
            .then(a.0.cmp(&b.0))
    });
    risk_list
        .iter()
        .take(5)
        .map(|(rule, (sev, n))| Risk {
            severity: sev_key(*sev),
            sev_label: sev_label(lang, *sev),
            title: rule_title(lang, &cx.facts.rule_titles, rule),
            count: *n,
        })
        .collect()
}

/// Decisions asked of management.
pub(super) fn decisions(cx: &Ctx<'_>) -> Vec<String> {
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let cur_k = cx.facts.current.as_ref().map(|p| &p.kpis);
    let mut decisions = Vec::new();
    let incomplete_n = audit
        .map(|a| {
            a.contexts
                .iter()
                .filter(|c| c.status == ContextStatus::Incomplete)
                .count()
        })
        .unwrap_or(0) as u32;
    if let Some(k) = cur_k {
        let crit = facts
            .current
            .as_ref()
            .and_then(|p| p.open.get(&Severity::Critical).copied())
            .unwrap_or(0);
        let no_owner = cx.facts.open_unowned;
        let items: [(u32, &str); 6] = [
            (k.leaked_active.unwrap_or(0), "decision_revoke_leaked"),
            (crit, "decision_fix_critical"),
            (k.exc_expired, "decision_expired_exceptions"),
            (k.exc_expiring, "decision_expiring_exceptions"),
            (no_owner, "decision_assign_owners"),
            (incomplete_n, "decision_incomplete"),
        ];
        let grant_leavers = k.grants.map(|g| g.leavers).unwrap_or(0);
        let items = items
            .into_iter()
            .chain((grant_leavers > 0).then_some((grant_leavers, "decision_revoke_grants")));
        for (n, key) in items {
            if n > 0 {
                decisions.push(
                    tr(key)
                        .replace("{n}", &n.to_string())
                        .replace("{days}", &facts.due_days.critical.to_string())
                        // Polish: the number with the noun form „w ciągu” takes (1 dnia, 7 dni).
                        .replace(
                            "{days_pl}",
                            &ksef_model::days_pl_gen(facts.due_days.critical.into()),
                        ),
                );
            }
        }
    }
    if decisions.is_empty() {
        decisions.push(tr("decision_none"));
    }

    decisions
}

/// The one-sentence headline of the summary.
pub(super) fn headline(cx: &Ctx<'_>) -> String {
    let tr = |k: &str| cx.tr(k);
    let last_prev = cx.facts.history.last();
    let cur_score = cx.facts.current.as_ref().map(|p| p.score);
    let prev_score = cx.facts.history.last().map(|p| p.score);
    match (cur_score, prev_score, last_prev) {
        (None, _, _) => tr("headline_no_audit"),
        (Some(c), Some(p), Some(lp)) => {
            let key = match c.cmp(&p) {
                std::cmp::Ordering::Greater => "headline_up",
                std::cmp::Ordering::Less => "headline_down",
                std::cmp::Ordering::Equal => "headline_same",
            };
            tr(key)
                .replace("{score}", &c.to_string())
                .replace("{band}", &tr(&format!("band_{}", band(Some(c)))))
                .replace("{points}", &c.abs_diff(p).to_string())
                .replace("{quarter}", &quarter_of(lp.generated_at))
        }
        (Some(c), _, _) => tr("headline_first")
            .replace("{score}", &c.to_string())
            .replace("{band}", &tr(&format!("band_{}", band(Some(c))))),
    }
}

fn kpis(lang: Lang, cur: &KpiValues, prev: Option<&KpiValues>) -> Vec<Kpi> {
    type Getter = fn(&KpiValues) -> Option<f64>;
    let rows: [(&str, Getter, bool, bool); 12] = [
        ("kpi_active", |k| Some(f64::from(k.active)), true, false),
        ("kpi_in_inventory", |k| k.in_inventory, true, true),
        ("kpi_with_owner", |k| k.with_owner, true, true),
        ("kpi_with_expiry", |k| k.with_expiry, true, true),
        ("kpi_leavers", |k| Some(f64::from(k.leavers)), false, false),
        (
            "kpi_unused90",
            |k| Some(f64::from(k.unused90)),
            false,
            false,
        ),
        ("kpi_leaked", |k| k.leaked.map(f64::from), false, false),
        (
            "kpi_leaked_active",
            |k| k.leaked_active.map(f64::from),
            false,
            false,
        ),
        (
            "kpi_open_crit_high",
            |k| Some(f64::from(k.open_crit_high)),
            false,
            false,
        ),
        (
            "kpi_exc_active",
            |k| Some(f64::from(k.exc_active)),
            false,
            false,
        ),
        (
            "kpi_exc_expiring",
            |k| Some(f64::from(k.exc_expiring)),
            false,
            false,
        ),
        (
            "kpi_exc_expired",
            |k| Some(f64::from(k.exc_expired)),
            false,
            false,
        ),
    ];
    rows.iter()
        .map(|(key, get, better_up, is_pct)| {
            let c = get(cur);
            let p = prev.and_then(get);
            let show = |v: Option<f64>| {
                if *is_pct {
                    fmt_pct(v)
                } else {
                    fmt_opt_in(lang, v.map(|v| v as u32))
                }
            };
            // "Active tokens": neither direction is good or bad news.
            // Percentage points: „p.p.” in Polish.
            let unit = match (*is_pct, lang) {
                (false, _) => "",
                (true, Lang::En) => " pp",
                (true, Lang::Pl) => " p.p.",
            };
            let (chg, mut dir) = change(c, p, *better_up, unit);
            if *key == "kpi_active" && dir != "na" {
                dir = "same";
            }
            Kpi {
                label: i18n::tr(lang, key).to_string(),
                value: show(c),
                previous: show(p),
                change: chg,
                dir,
            }
        })
        .collect()
}

/// Grant KPIs, only when the current audit holds grants; "–" for a last quarter without.
fn grant_kpis(lang: Lang, cur: &KpiValues, prev: Option<&KpiValues>) -> Vec<Kpi> {
    let Some(c) = cur.grants else {
        return Vec::new();
    };
    let p = prev.and_then(|p| p.grants);
    type Getter = fn(&ksef_model::GrantKpis) -> u32;
    let rows: [(&str, Getter); 4] = [
        ("kpi_grants_held", |g| g.held),
        ("kpi_grants_leavers", |g| g.leavers),
        ("kpi_grants_unknown", |g| g.unknown),
        ("kpi_grants_findings", |g| g.open_findings),
    ];
    rows.iter()
        .map(|(key, get)| {
            let (chg, mut dir) = change(
                Some(f64::from(get(&c))),
                p.as_ref().map(|p| f64::from(get(p))),
                false,
                "",
            );
            // More grants is neither good nor bad news by itself.
            if *key == "kpi_grants_held" && dir != "na" {
                dir = "same";
            }
            Kpi {
                label: i18n::tr(lang, key).to_string(),
                value: show_count(lang, get(&c)),
                previous: fmt_opt_in(lang, p.as_ref().map(get)),
                change: chg,
                dir,
            }
        })
        .collect()
}
