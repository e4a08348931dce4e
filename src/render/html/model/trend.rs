//! The trend section and the token distributions.

use crate::render::html::model::*;

/// The trend over the earlier quarters and this one.
pub(super) fn trend(cx: &Ctx<'_>) -> Trend {
    let facts = cx.facts;
    let quarter = &cx.quarter;
    let trend_points = facts
        .history
        .iter()
        .map(|p| (p, false))
        .chain(facts.current.as_ref().map(|p| (p, true)));
    let trend_rows: Vec<TrendRow> = trend_points
        .map(|(p, cur)| {
            let g = |s| p.open.get(&s).copied().unwrap_or(0);
            TrendRow {
                quarter: if cur {
                    quarter.clone()
                } else {
                    quarter_of(p.generated_at)
                },
                audited: format!("{}/{}", p.contexts_complete, p.contexts),
                critical: g(Severity::Critical),
                high: g(Severity::High),
                medium: g(Severity::Medium),
                low: g(Severity::Low),
                score: p.score.to_string(),
            }
        })
        .collect();
    let bars = chart::stacked_bars(
        &trend_rows
            .iter()
            .map(|r| {
                (
                    r.quarter.clone(),
                    vec![
                        ("sev-low".to_string(), r.low),
                        ("sev-medium".to_string(), r.medium),
                        ("sev-high".to_string(), r.high),
                        ("sev-critical".to_string(), r.critical),
                    ],
                )
            })
            .collect::<Vec<_>>(),
    );
    let line = chart::score_line(
        &trend_rows
            .iter()
            .map(|r| (r.quarter.clone(), r.score.parse().ok()))
            .collect::<Vec<_>>(),
    );
    Trend {
        has_history: !facts.history.is_empty(),
        bars,
        line,
        rows: trend_rows,
    }
}

/// Distributions of active tokens by age and by last use.
pub(super) fn distributions(cx: &Ctx<'_>) -> (Distribution, Distribution) {
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let as_of_time = cx.as_of_time;
    let active: Vec<_> = audit
        .map(|a| {
            a.contexts
                .iter()
                .flat_map(|c| &c.tokens)
                .filter(|t| t.token.status.is_live())
                .collect()
        })
        .unwrap_or_default();
    let age_days = |d: DateTime<Utc>| (as_of_time - d).num_days();
    let mut age_b = [0u32; 5];
    let mut use_b = [0u32; 5];
    for t in &active {
        let age = age_days(t.token.date_created);
        age_b[match age {
            ..90 => 0,
            90..180 => 1,
            180..365 => 2,
            365..730 => 3,
            _ => 4,
        }] += 1;
        use_b[match t.token.last_use_date.map(age_days) {
            None => 4,
            Some(..30) => 0,
            Some(30..90) => 1,
            Some(90..180) => 2,
            Some(_) => 3,
        }] += 1;
    }
    let age = chart::distribution(
        &[
            "age_0_90",
            "age_90_180",
            "age_180_365",
            "age_1_2y",
            "age_2y",
        ]
        .iter()
        .zip(age_b)
        .map(|(k, v)| (tr(k), v))
        .collect::<Vec<_>>(),
    );
    let last_use = chart::distribution(
        &["use_30", "use_30_90", "use_90_180", "use_180", "use_never"]
            .iter()
            .zip(use_b)
            .map(|(k, v)| (tr(k), v))
            .collect::<Vec<_>>(),
    );

    (age, last_use)
}
