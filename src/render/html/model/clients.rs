//! The per-client table.

use crate::render::html::model::*;

/// The per-client table, worst first.
pub(super) fn clients(cx: &Ctx<'_>) -> Vec<ClientRow> {
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let mask = cx.mask;
    let last_prev = cx.facts.history.last();
    let mut clients: Vec<ClientRow> = audit
        .map(|a| {
            a.contexts
                .iter()
                .map(|c| {
                    let posture = facts
                        .current
                        .as_ref()
                        .and_then(|p| p.clients.get(&c.nip))
                        .cloned()
                        .unwrap_or_default();
                    let counts = &posture.open;
                    let g = |s| counts.get(&s).copied().unwrap_or(0);
                    let tokens = posture.active_tokens;
                    let incomplete = c.status == ContextStatus::Incomplete;
                    let score = posture.score.filter(|_| !incomplete);
                    let prev = last_prev
                        .and_then(|p| p.clients.get(&c.nip))
                        .and_then(|pc| pc.score);
                    let (chg, dir) = match (score, prev, last_prev.is_some()) {
                        (Some(_), None, true) => (tr("client_first_audit"), "na"),
                        _ => change(score.map(f64::from), prev.map(f64::from), true, ""),
                    };
                    ClientRow {
                        nip: mask.nip(&c.nip),
                        name: mask.opt_text(c.name.as_deref()),
                        tokens,
                        critical: g(Severity::Critical),
                        high: g(Severity::High),
                        medium: g(Severity::Medium),
                        low: g(Severity::Low),
                        score: score.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
                        band: band(score),
                        change: chg,
                        dir,
                        incomplete,
                        worst: false,
                        anchor: anchor(&c.nip, mask),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // Worst first: incomplete (unknown) first, then lowest score, most critical.
    clients.sort_by(|a, b| {
        let key = |c: &ClientRow| {
            (
                !c.incomplete,
                c.score.parse::<u32>().unwrap_or(0),
                std::cmp::Reverse((c.critical, c.high, c.medium)),
                c.nip.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    for c in clients.iter_mut().take(10) {
        c.worst = true;
    }

    clients
}
