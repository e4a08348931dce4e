//! "Act now": what must not wait for the rest of the report. Leads the first page of
//! the security review and the management page of the quarterly report.
//!
//! Each kind of urgent fact is one function; a later section (grants, certificates) adds
//! its own and appends to [`urgent`].

use crate::render::html::model::leaks::group_leaks;
use crate::render::html::model::*;

/// At most this many lines per kind; the rest is counted in one more line.
const MAX_PER_KIND: usize = 6;

/// Rules whose open finding means a person who left still has working access.
const LEAVER_RULES: &[&str] = &["owner-left", "author-left"];

/// Every urgent fact, worst first.
pub(super) fn urgent(cx: &Ctx<'_>) -> Vec<Urgent> {
    let mut out = Vec::new();
    out.extend(active_leaks(cx));
    out.extend(incomplete_contexts(cx));
    out.extend(leavers(cx));
    // Grant leavers go before the first fact less severe than they are.
    for u in crate::render::html::model::grants::grant_leavers(cx) {
        let rank = |s: &str| Severity::ALL.iter().position(|x| x.as_str() == s);
        let at = out
            .iter()
            .position(|o| rank(o.severity) > rank(u.severity))
            .unwrap_or(out.len());
        out.insert(at, u);
    }
    out.extend(leaver_certificates(cx));
    out
}

/// Working KSeF certificates of people who have left, one line each.
fn leaver_certificates(cx: &Ctx<'_>) -> Vec<Urgent> {
    let found = crate::render::html::model::certificates::leaver_certificates(cx);
    let Some(worst) = found.iter().map(|(s, _)| *s).max() else {
        return Vec::new();
    };
    capped(cx, worst, found.into_iter().map(|(_, t)| t).collect())
}

fn capped(cx: &Ctx<'_>, severity: Severity, mut lines: Vec<String>) -> Vec<Urgent> {
    let more = lines.len().saturating_sub(MAX_PER_KIND);
    lines.truncate(MAX_PER_KIND);
    if more > 0 {
        lines.push(cx.tr("urgent_more").replace("{n}", &more.to_string()));
    }
    lines
        .into_iter()
        .map(|text| Urgent {
            severity: sev_key(severity),
            sev_label: sev_label(cx.lang, severity),
            text,
        })
        .collect()
}

/// Leaked tokens KSeF still accepts.
fn active_leaks(cx: &Ctx<'_>) -> Vec<Urgent> {
    let Some(l) = cx.leaks else {
        return Vec::new();
    };
    let lines = group_leaks(&l.findings)
        .iter()
        .filter(|g| g[0].status == LeakStatus::Active)
        .map(|g| {
            let f = g[0];
            let mut place = cx.mask.text(&f.path);
            if let Some(line) = f.line {
                place.push_str(&format!(":{line}"));
            }
            cx.tr("urgent_leak")
                .replace(
                    "{token}",
                    f.reference_number.as_deref().unwrap_or(&f.redacted),
                )
                .replace(
                    "{nip}",
                    &f.nip
                        .as_deref()
                        .map(|n| cx.mask.nip(n))
                        .unwrap_or_else(|| "–".into()),
                )
                .replace("{owner}", &part(cx, "urgent_owner", f.owner.as_deref()))
                .replace("{where}", &place)
        })
        .collect();
    capped(cx, Severity::Critical, lines)
}

/// Client contexts whose tokens could not be read in full.
fn incomplete_contexts(cx: &Ctx<'_>) -> Vec<Urgent> {
    let Some(a) = cx.audit else {
        return Vec::new();
    };
    let lines = a
        .contexts
        .iter()
        .filter(|c| c.status == ContextStatus::Incomplete)
        .map(|c| {
            cx.tr("urgent_incomplete")
                .replace("{nip}", &cx.mask.nip(&c.nip))
                .replace("{name}", &part(cx, "urgent_name", c.name.as_deref()))
                .replace(
                    "{reason}",
                    &context_reason(cx, c.reason_code.as_ref(), c.reason.as_deref()),
                )
        })
        .collect();
    capped(cx, Severity::High, lines)
}

/// `template` with `{v}` replaced by `value` (masked), or nothing when there is no value.
fn part(cx: &Ctx<'_>, template: &str, value: Option<&str>) -> String {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => cx.tr(template).replace("{v}", &cx.mask.text(v)),
        None => String::new(),
    }
}

/// Working tokens of people who have left: one line per rule (owner left, author
/// left), with how many tokens and client contexts.
fn leavers(cx: &Ctx<'_>) -> Vec<Urgent> {
    let Some(a) = cx.audit else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in LEAVER_RULES {
        let found: Vec<&AuditFinding> = a
            .findings
            .iter()
            .filter(|f| !f.excepted && f.rule == *rule)
            .collect();
        let Some(worst) = found.iter().map(|f| f.severity).max() else {
            continue;
        };
        let tokens: BTreeSet<_> = found
            .iter()
            .map(|f| (&f.nip, &f.reference_number))
            .collect();
        let nips: BTreeSet<_> = found.iter().map(|f| &f.nip).collect();
        out.push(Urgent {
            severity: sev_key(worst),
            sev_label: sev_label(cx.lang, worst),
            text: cx
                .tr("urgent_leaver")
                .replace("{title}", &rule_title(cx.lang, &cx.facts.rule_titles, rule))
                .replace("{n}", &tokens.len().to_string())
                .replace("{contexts}", &nips.len().to_string()),
        });
    }
    out
}

/// Why a context could not be read, for a person (`render::reason`): "no read
/// permission (CredentialsRead)" and the like, else the first line of the recorded reason.
pub(super) fn context_reason(
    cx: &Ctx<'_>,
    code: Option<&ksef_model::ReasonCode>,
    reason: Option<&str>,
) -> String {
    cx.mask
        .text(&ksef_model::i18n::reason::cause(cx.lang, code, reason))
}
