//! Permission grants: who can act in which client context (security review), and the
//! grant figures against the last quarter (quarterly report). Holders come masked from
//! the audit document; leavers and unknown holders are listed first.

use crate::render::html::model::*;
use ksef_model::AuditedGrant;
use ksef_model::HolderStatus;

/// How many holders of a kind (leaver, unknown) the quarterly report names; the rest
/// are counted.
const MAX_QUARTERLY_ROWS: usize = 25;

/// The grants section of both reports. `present` is false when the audit holds neither a
/// grant nor a finding about one (grants not read): the section is left out.
pub(super) fn grants(cx: &Ctx<'_>) -> Grants {
    let Some(a) = cx.audit else {
        return Grants::default();
    };
    let cur = cx.facts.current.as_ref().and_then(|p| p.kpis.grants);
    let prev = cx.facts.history.last().map(|p| p.kpis.grants);
    let Some(k) = cur else {
        return Grants::default();
    };
    let findings_by_grant = |nip: &str, id: &str| {
        a.findings
            .iter()
            .filter(|f| !f.excepted && f.nip == nip && f.grant_id.as_deref() == Some(id))
            .collect::<Vec<_>>()
    };
    let mut rows: Vec<GrantRow> = a
        .contexts
        .iter()
        .flat_map(|c| c.grants.iter().map(move |g| (c, g)))
        .filter(|(_, g)| g.holder_status != HolderStatus::Own)
        .map(|(c, g)| {
            let found = findings_by_grant(&c.nip, &g.grant_id);
            grant_row(cx, &c.nip, c.name.as_deref(), g, &found)
        })
        .collect();
    rows.sort_by(|x, y| {
        (x.rank, &x.nip, &x.holder, &x.scope, &x.grant_id).cmp(&(
            y.rank,
            &y.nip,
            &y.holder,
            &y.scope,
            &y.grant_id,
        ))
    });
    let contexts: BTreeSet<&str> = rows.iter().map(|r| r.nip.as_str()).collect();
    let summary = cx
        .tr("grants_summary")
        .replace("{n}", &k.held.to_string())
        .replace("{contexts}", &contexts.len().to_string())
        .replace("{leavers}", &k.leavers.to_string())
        .replace("{unknown}", &k.unknown.to_string())
        .replace("{findings}", &k.open_findings.to_string());
    let trend = match prev {
        None => String::new(),
        Some(None) => cx.tr("grants_trend_first"),
        Some(Some(p)) => {
            let (chg, _) = change(
                Some(f64::from(k.open_findings)),
                Some(f64::from(p.open_findings)),
                false,
                "",
            );
            cx.tr("grants_trend")
                .replace("{prev}", &p.open_findings.to_string())
                .replace("{change}", &chg)
                .replace("{leavers_prev}", &p.leavers.to_string())
        }
    };
    let about_grants = |list: &[AuditFinding]| list.iter().filter(|f| f.grant_id.is_some()).count();
    let changes = match (&cx.facts.changes, prev) {
        (Some(ch), Some(Some(_))) => cx
            .tr("grants_changes")
            .replace("{new}", &about_grants(&ch.new).to_string())
            .replace("{resolved}", &about_grants(&ch.resolved).to_string()),
        _ => String::new(),
    };
    let own = a
        .contexts
        .iter()
        .flat_map(|c| &c.grants)
        .filter(|g| g.holder_status == HolderStatus::Own)
        .count();
    let attention: Vec<GrantRow> = rows
        .iter()
        .filter(|r| r.rank < 2)
        .take(MAX_QUARTERLY_ROWS)
        .cloned()
        .collect();
    let attention_more = rows.iter().filter(|r| r.rank < 2).count() - attention.len();
    Grants {
        present: true,
        summary,
        trend,
        changes,
        attention,
        attention_more: match attention_more {
            0 => String::new(),
            n => cx.tr("urgent_more").replace("{n}", &n.to_string()),
        },
        rows,
        own: match own {
            0 => String::new(),
            n => cx.tr("grants_own").replace("{n}", &n.to_string()),
        },
    }
}

fn grant_row(
    cx: &Ctx<'_>,
    nip: &str,
    client: Option<&str>,
    g: &AuditedGrant,
    found: &[&AuditFinding],
) -> GrantRow {
    let status = g.holder_status.as_str();
    let worst = found.iter().map(|f| f.severity).max();
    GrantRow {
        rank: match g.holder_status {
            HolderStatus::Left => 0,
            HolderStatus::Unknown => 1,
            HolderStatus::Staff | HolderStatus::KnownParty | HolderStatus::Own => 2,
        },
        grant_id: g.grant_id.clone(),
        nip: cx.mask.nip(nip),
        client: cx.mask.opt_text(client),
        anchor: anchor(nip, cx.mask),
        holder_type: ksef_model::IdentifierType::from(g.holder_type.as_str())
            .label(cx.lang == Lang::Pl)
            .to_string(),
        // Masked in the audit document already; `text` masks a PESEL that reached a name.
        holder: cx.mask.text(&g.holder),
        name: cx.mask.opt_text(g.holder_name.as_deref()),
        status,
        status_label: cx.tr(&format!("grant_holder_{}", status.replace('-', "_"))),
        scope: g.scope.clone(),
        since: cx.date(local_date(g.start_date)),
        delegable: g.can_delegate,
        target: g
            .target
            .as_deref()
            .map(|t| cx.mask.text(t))
            .unwrap_or_default(),
        findings: found.len() as u32,
        severity: worst.map(sev_key).unwrap_or(""),
        sev_label: worst.map(|s| sev_label(cx.lang, s)).unwrap_or_default(),
    }
}

/// Grants held by people who left, with an open finding: they can act for a client
/// without any token. One line: how many grants, people and client contexts.
pub(super) fn grant_leavers(cx: &Ctx<'_>) -> Vec<Urgent> {
    let Some(a) = cx.audit else {
        return Vec::new();
    };
    let mut worst: Option<Severity> = None;
    let mut grants = 0;
    let mut people = BTreeSet::new();
    let mut nips = BTreeSet::new();
    for c in &a.contexts {
        for g in c
            .grants
            .iter()
            .filter(|g| g.holder_status == HolderStatus::Left)
        {
            let Some(sev) = a
                .findings
                .iter()
                .filter(|f| {
                    !f.excepted && f.nip == c.nip && f.grant_id.as_deref() == Some(&g.grant_id)
                })
                .map(|f| f.severity)
                .max()
            else {
                continue;
            };
            worst = worst.max(Some(sev));
            grants += 1;
            people.insert((&g.holder_type, &g.holder, &g.holder_name));
            nips.insert(&c.nip);
        }
    }
    let Some(sev) = worst else {
        return Vec::new();
    };
    vec![Urgent {
        severity: sev_key(sev),
        sev_label: sev_label(cx.lang, sev),
        text: cx
            .tr("urgent_grant_leaver")
            .replace("{n}", &grants.to_string())
            .replace("{people}", &people.len().to_string())
            .replace("{contexts}", &nips.len().to_string()),
    }]
}
