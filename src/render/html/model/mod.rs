//! The report model: every number, date and sentence of a report, computed in Rust.
//! Templates receive a [`ReportView`] and only lay it out.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Warsaw;
use serde::Serialize;

mod appendix;
mod changes;
mod clients;
mod cover;
mod leaks;
mod register;
mod summary;
mod trend;

use super::chart::{self, BarChart, Distribution, LineChart};
use super::i18n::{self, Lang};
use super::mask::Masker;
use super::{ReportInput, ReportKind, ReportOptions};
use crate::model::{
    AuditFinding, ContextStatus, EXPIRING_DAYS, ExceptionState, ExceptionStatus, KpiValues,
    LeakFinding, LeakStatus, Severity, TOOL_VERSION, TokenStatus,
};

// ---------------------------------------------------------------------------------------
// View types (serialised into the template context)

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub lang: &'static str,
    pub kind: &'static str,
    pub t: BTreeMap<&'static str, &'static str>,
    pub title: String,
    pub cover: Cover,
    pub score: ScoreView,
    pub kpis: Vec<Kpi>,
    pub risks: Vec<Risk>,
    /// One sentence for the top of the executive page.
    pub headline: String,
    pub decisions: Vec<String>,
    pub trend: Trend,
    pub changes: Changes,
    pub clients: Vec<ClientRow>,
    pub age: Distribution,
    pub last_use: Distribution,
    pub recon: Recon,
    pub exceptions: Exceptions,
    pub plan: Vec<PlanGroup>,
    pub plan_intro: String,
    pub leaks: Leaks,
    pub appendix: Appendix,
    pub review: Review,
    pub has_audit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    pub firm: String,
    pub quarter: String,
    pub generated_local: String,
    pub generated_utc: String,
    pub as_of_local: String,
    pub tool_version: String,
    pub environment: String,
    pub coverage: String,
    pub rules_digest: String,
    pub digests: Vec<Digest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub value: String,
    /// `good`, `fair`, `poor` or `na`.
    pub band: &'static str,
    pub band_label: String,
    pub change: String,
    /// `better`, `worse`, `same` or `na`.
    pub dir: &'static str,
    pub previous: String,
    pub formula: Vec<String>,
    pub formula_short: String,
    pub gauge_width: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub label: String,
    pub value: String,
    pub previous: String,
    pub change: String,
    pub dir: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub severity: &'static str,
    pub sev_label: String,
    pub title: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub quarter: String,
    pub audited: String,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub score: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub has_history: bool,
    pub bars: BarChart,
    pub line: LineChart,
    pub rows: Vec<TrendRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: String,
    pub rule: String,
    pub rule_id: String,
    pub rule_title: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub nip: String,
    pub client: String,
    pub reference: String,
    pub owner: String,
    pub message: String,
    pub evidence: String,
    pub remediation: String,
    pub help: String,
    pub excepted: bool,
    pub exc_owner: String,
    pub exc_reason: String,
    pub exc_expires: String,
    pub due: String,
    /// The finding's `--baseline` mark in the audit results (`new`, `unchanged`, …).
    pub baseline: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub compared_with: String,
    pub new: Vec<FindingRow>,
    pub resolved: Vec<FindingRow>,
    pub persisting: u32,
    /// Findings of NIPs audited for the first time (not "new").
    pub first_audit: u32,
    /// Previous findings of NIPs not audited completely this time (not "resolved").
    pub not_rechecked: u32,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub nip: String,
    pub name: String,
    pub tokens: u32,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub score: String,
    pub band: &'static str,
    pub change: String,
    pub dir: &'static str,
    pub incomplete: bool,
    pub worst: bool,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recon {
    pub untracked: Vec<FindingRow>,
    pub stale: Vec<FindingRow>,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRow {
    pub rule: String,
    pub target: String,
    pub reason: String,
    pub owner: String,
    pub expires: String,
    pub status: &'static str,
    pub status_label: String,
    pub matched: u32,
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exceptions {
    pub all: Vec<ExceptionRow>,
    pub expiring: Vec<ExceptionRow>,
    pub expired: Vec<ExceptionRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub rule: String,
    pub rule_title: String,
    pub owner: String,
    pub count: u32,
    pub due: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanGroup {
    pub severity: &'static str,
    pub sev_label: String,
    pub days: u32,
    pub due: String,
    pub items: Vec<PlanItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeakRow {
    pub rule: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub redacted: String,
    pub nip: String,
    pub reference: String,
    pub owner: String,
    pub locations: Vec<String>,
    pub status: &'static str,
    pub status_label: String,
    pub active: bool,
    pub fingerprint: String,
    pub suppression: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Leaks {
    pub present: bool,
    pub scanned: String,
    pub rows: Vec<LeakRow>,
    pub suppressed: Vec<LeakRow>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContextRow {
    pub nip: String,
    pub name: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    pub fetched_local: String,
    pub duration: String,
    pub tokens: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Appendix {
    pub methodology: Vec<String>,
    pub contexts: Vec<ContextRow>,
    pub incomplete: Vec<ContextRow>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    pub reference: String,
    pub description: String,
    pub status: String,
    pub permissions: String,
    pub author: String,
    pub owner: String,
    pub system: String,
    pub created: String,
    pub last_use: String,
    pub planned_expiry: String,
    pub in_inventory: bool,
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewContext {
    pub nip: String,
    pub name: String,
    pub anchor: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    pub findings: Vec<FindingRow>,
    pub tokens: Vec<TokenRow>,
    pub extra_columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub rule: String,
    pub rule_id: String,
    pub rule_title: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub count: u32,
    pub contexts: u32,
    pub help: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// Every audit finding (open and excepted), in the audit's order.
    pub findings: Vec<FindingRow>,
    pub contexts: Vec<ReviewContext>,
    pub by_rule: Vec<RuleRow>,
    pub excepted: Vec<FindingRow>,
    pub open_count: u32,
}

// ---------------------------------------------------------------------------------------
// Building

/// Local (Europe/Warsaw) date-time, e.g. `2026-11-22 05:40 CET`.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Warsaw)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Warsaw).date_naive()
}

/// `2026Q4` for a moment, by the Warsaw calendar.
pub fn quarter_of(t: DateTime<Utc>) -> String {
    let d = local_date(t);
    format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

fn sev_key(s: Severity) -> &'static str {
    s.as_str()
}

fn sev_label(lang: Lang, s: Severity) -> String {
    i18n::tr(lang, &format!("sev_{}", s.as_str())).to_string()
}

/// Default link to a rule's documentation.
pub fn rule_doc_link(rule: &str) -> String {
    format!("docs/rules.md#{rule}")
}

fn fmt_pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "–".into())
}

fn fmt_opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

/// Change text and direction. `higher_is_better` decides whether growth is good news.
fn change(
    cur: Option<f64>,
    prev: Option<f64>,
    higher_is_better: bool,
    unit: &str,
) -> (String, &'static str) {
    match (cur, prev) {
        (Some(c), Some(p)) => {
            let d = c - p;
            if d.abs() < 0.5 {
                ("±0".into(), "same")
            } else {
                let txt = format!("{}{:.0}{unit}", if d > 0.0 { "+" } else { "−" }, d.abs());
                let better = (d > 0.0) == higher_is_better;
                (txt, if better { "better" } else { "worse" })
            }
        }
        _ => ("–".into(), "na"),
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
                    fmt_opt(v.map(|v| v as u32))
                }
            };
            // "Active tokens": neither direction is good or bad news.
            let (chg, mut dir) = change(c, p, *better_up, if *is_pct { " pp" } else { "" });
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

/// Plain-language title of a rule (`risk_<rule>`), else the rule name.
fn rule_title(lang: Lang, rule: &str) -> String {
    let key = format!("risk_{}", rule.replace('-', "_"));
    match i18n::lookup(lang, &key) {
        Some(s) => s.to_string(),
        None => rule.to_string(),
    }
}

/// What every section is built from.
struct Ctx<'a> {
    lang: Lang,
    mask: &'a Masker,
    due: &'a BTreeMap<Severity, NaiveDate>,
    as_of: NaiveDate,
    as_of_time: DateTime<Utc>,
    now: DateTime<Utc>,
    opts: &'a ReportOptions,
    facts: &'a crate::model::ReportFacts,
    audit: Option<&'a crate::model::AuditResults>,
    leaks: Option<&'a crate::model::LeakResults>,
    /// The quarter label on the cover and the trend (`2026Q4`).
    quarter: String,
}

impl Ctx<'_> {
    fn tr(&self, key: &str) -> String {
        i18n::tr(self.lang, key).to_string()
    }

    fn finding_row(&self, f: &AuditFinding) -> FindingRow {
        let due = if f.excepted {
            String::new()
        } else {
            self.due
                .get(&f.severity)
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let (exc_owner, exc_reason, exc_expires) = match &f.exception {
            Some(e) => (
                self.mask.text(&e.owner),
                self.mask.text(&e.reason),
                e.expires.to_string(),
            ),
            None => Default::default(),
        };
        FindingRow {
            id: f.id.clone(),
            rule: f.rule.clone(),
            rule_id: f.rule_id.clone(),
            rule_title: rule_title(self.lang, &f.rule),
            severity: sev_key(f.severity),
            sev_label: sev_label(self.lang, f.severity),
            nip: self.mask.nip(&f.nip),
            client: self.mask.opt_text(f.client_name.as_deref()),
            reference: f.reference_number.clone().unwrap_or_default(),
            owner: self.mask.opt_text(f.owner.as_deref()),
            message: self.mask.text(&f.message),
            evidence: self.mask.text(&f.evidence),
            remediation: self.mask.text(&f.remediation),
            help: if f.help_uri.is_empty() {
                rule_doc_link(&f.rule)
            } else {
                f.help_uri.clone()
            },
            excepted: f.excepted,
            exc_owner,
            exc_reason,
            exc_expires,
            due,
            baseline: crate::render::audit::baseline_word(f.baseline),
        }
    }

    fn leak_row(&self, group: &[&LeakFinding]) -> LeakRow {
        let f = group[0];
        let severity = group.iter().map(|f| f.severity).max().unwrap_or(f.severity);
        let status = f.status;
        let status_key = match status {
            LeakStatus::Active => "active",
            LeakStatus::Revoked => "revoked",
            LeakStatus::Unknown => "unknown",
            LeakStatus::Unverified => "unverified",
        };
        let locations = group
            .iter()
            .map(|f| {
                let mut s = self.mask.text(&f.path);
                if let Some(l) = f.line {
                    s.push_str(&format!(":{l}"));
                }
                if let Some(c) = &f.commit {
                    s.push_str(&format!(" @ {}", c.chars().take(10).collect::<String>()));
                }
                s
            })
            .collect();
        let suppression = f
            .suppression
            .as_ref()
            .map(|s| {
                let kind = match s.kind {
                    crate::model::SuppressionKind::Baseline => "baseline",
                    crate::model::SuppressionKind::Exception => "exception",
                    crate::model::SuppressionKind::Inline => "inline",
                };
                match s
                    .reason
                    .as_deref()
                    .or(s.exception.as_ref().map(|e| e.reason.as_str()))
                {
                    Some(r) => format!("{kind}: {}", self.mask.text(r)),
                    None => kind.to_string(),
                }
            })
            .unwrap_or_default();
        LeakRow {
            rule: f.rule.clone(),
            severity: sev_key(severity),
            sev_label: sev_label(self.lang, severity),
            redacted: self.mask.text(&f.redacted),
            nip: f
                .nip
                .as_deref()
                .map(|n| self.mask.nip(n))
                .unwrap_or_default(),
            reference: f.reference_number.clone().unwrap_or_default(),
            owner: self.mask.opt_text(f.owner.as_deref()),
            locations,
            status: status_key,
            status_label: i18n::tr(self.lang, &format!("leak_status_{status_key}")).to_string(),
            active: status == LeakStatus::Active,
            fingerprint: f.fingerprint.chars().take(12).collect(),
            suppression,
        }
    }

    fn exception_row(&self, e: &ExceptionState) -> ExceptionRow {
        let days_left = (e.expires - self.as_of).num_days();
        let status = match e.status {
            ExceptionStatus::Expired => "expired",
            _ if days_left <= EXPIRING_DAYS => "expiring",
            ExceptionStatus::Active => "active",
            ExceptionStatus::Unused => "unused",
        };
        ExceptionRow {
            rule: e.rule.clone(),
            target: self.mask.text(&e.target),
            reason: self.mask.text(&e.reason),
            owner: self.mask.text(&e.owner),
            expires: e.expires.to_string(),
            status,
            status_label: i18n::tr(self.lang, &format!("exc_status_{status}")).to_string(),
            matched: e.matched,
            days_left,
        }
    }
}

fn group_leaks(findings: &[LeakFinding]) -> Vec<Vec<&LeakFinding>> {
    let mut by_fp: BTreeMap<&str, Vec<&LeakFinding>> = BTreeMap::new();
    for f in findings {
        by_fp.entry(&f.fingerprint).or_default().push(f);
    }
    let mut groups: Vec<_> = by_fp.into_values().collect();
    groups.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.iter().map(|f| f.severity).max()),
            g[0].status != LeakStatus::Active,
            g[0].path.clone(),
        )
    });
    groups
}

fn band(score: Option<u32>) -> &'static str {
    match score {
        None => "na",
        Some(s) if s >= 85 => "good",
        Some(s) if s >= 60 => "fair",
        Some(_) => "poor",
    }
}

fn anchor(nip: &str, mask: &Masker) -> String {
    format!("ctx-{}", mask.nip(nip).replace('*', "x"))
}

/// Builds the whole report view.
/// Builds the whole report view, section by section (one file per section).
pub fn build(input: &ReportInput, opts: &ReportOptions, kind: ReportKind) -> ReportView {
    let lang = opts.lang;
    let facts = &input.facts;
    let tr = |k: &str| i18n::tr(lang, k).to_string();
    let now = opts.now.unwrap_or_else(Utc::now);
    let audit = input.audit.as_ref();
    let leaks = input.leaks.as_ref();
    let as_of_time = audit
        .map(|a| a.generated_at)
        .or(leaks.map(|l| l.generated_at))
        .unwrap_or(now);
    let mask = cover::masker(input, opts);
    let cx = Ctx {
        lang,
        mask: &mask,
        due: &facts.due,
        as_of: local_date(as_of_time),
        as_of_time,
        now,
        opts,
        facts,
        audit,
        leaks,
        quarter: opts
            .quarter
            .clone()
            .unwrap_or_else(|| quarter_of(as_of_time)),
    };
    let (age, last_use) = trend::distributions(&cx);
    let (kind_key, title_key) = match kind {
        ReportKind::Review => ("review", "title_review"),
        ReportKind::Quarterly => ("quarterly", "title_quarterly"),
    };
    ReportView {
        lang: lang.code(),
        kind: kind_key,
        t: i18n::table(lang),
        title: tr(title_key),
        cover: cover::cover(&cx),
        score: summary::score(&cx),
        kpis: summary::kpi_rows(&cx),
        risks: summary::risks(&cx),
        headline: summary::headline(&cx),
        decisions: summary::decisions(&cx),
        trend: trend::trend(&cx),
        changes: changes::changes(&cx),
        clients: clients::clients(&cx),
        age,
        last_use,
        recon: register::recon(&cx),
        exceptions: register::exceptions(&cx),
        plan: register::plan(&cx),
        plan_intro: tr("plan_intro")
            .replace("{c}", &facts.due_days.critical.to_string())
            .replace("{h}", &facts.due_days.high.to_string())
            .replace("{m}", &facts.due_days.medium.to_string())
            .replace("{l}", &facts.due_days.low.to_string()),
        leaks: leaks::leaks(&cx),
        appendix: appendix::appendix(&cx),
        review: appendix::review(&cx),
        has_audit: audit.is_some(),
    }
}

impl FindingRow {
    fn severity_rank(&self) -> usize {
        Severity::ALL.len()
            - Severity::ALL
                .iter()
                .position(|s| s.as_str() == self.severity)
                .unwrap_or(Severity::ALL.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_uses_warsaw_calendar() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Warsaw.
        let t = DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(quarter_of(t), "2027Q1");
    }
}
