//! The report model: every number, date and sentence of a report, computed in Rust.
//! Templates receive a [`ReportView`] and only lay it out.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Warsaw;
use serde::Serialize;

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

struct Ctx<'a> {
    lang: Lang,
    mask: &'a Masker,
    due: &'a BTreeMap<Severity, NaiveDate>,
    as_of: NaiveDate,
}

impl Ctx<'_> {
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
    let as_of = local_date(as_of_time);

    // NIPs to mask.
    let mut all_nips = BTreeSet::new();
    if let Some(a) = audit {
        all_nips.extend(a.contexts.iter().map(|c| c.nip.clone()));
        all_nips.extend(a.findings.iter().map(|f| f.nip.clone()));
    }
    for p in &input.previous {
        all_nips.extend(p.contexts.iter().map(|c| c.nip.clone()));
    }
    if let Some(l) = leaks {
        all_nips.extend(
            l.findings
                .iter()
                .chain(&l.suppressed)
                .filter_map(|f| f.nip.clone()),
        );
    }
    let masked: BTreeSet<String> = match &opts.mask_nip {
        super::NipMasking::None => BTreeSet::new(),
        super::NipMasking::All => all_nips,
        super::NipMasking::Only(set) => set.clone(),
    };
    let mask = Masker::new(&input.staff, masked);
    let cx = Ctx {
        lang,
        mask: &mask,
        due: &facts.due,
        as_of,
    };

    // Cover.
    let firm = opts
        .firm
        .clone()
        .or_else(|| audit.and_then(|a| a.firm.clone()))
        .unwrap_or_else(|| tr("firm_unnamed"));
    let quarter = opts
        .quarter
        .clone()
        .unwrap_or_else(|| quarter_of(as_of_time));
    let coverage = match audit {
        Some(a) => {
            let total = a.contexts.len();
            let incomplete = a
                .contexts
                .iter()
                .filter(|c| c.status == ContextStatus::Incomplete)
                .count();
            tr("coverage_line")
                .replace("{audited}", &(total - incomplete).to_string())
                .replace("{total}", &total.to_string())
                .replace("{incomplete}", &incomplete.to_string())
        }
        None => tr("coverage_none"),
    };
    let mut digests = Vec::new();
    for (name, value) in &opts.input_digests {
        digests.push(Digest {
            name: name.clone(),
            value: value.clone(),
        });
    }
    if let Some(a) = audit {
        for (name, value) in &a.digests.inputs {
            digests.push(Digest {
                name: format!("audit: {name}"),
                value: value.clone(),
            });
        }
    }
    if let Some(l) = leaks {
        for (name, value) in &l.digests.inputs {
            digests.push(Digest {
                name: format!("leaks: {name}"),
                value: value.clone(),
            });
        }
    }
    let rules_digest = [
        audit.map(|a| a.digests.rules.clone()),
        leaks.map(|l| l.digests.rules.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|d| !d.is_empty())
    .collect::<Vec<_>>()
    .join(" / ");
    let cover = Cover {
        firm,
        quarter: quarter.clone(),
        generated_local: local_time(now),
        generated_utc: now.format("%Y-%m-%d %H:%M UTC").to_string(),
        as_of_local: local_time(as_of_time),
        tool_version: TOOL_VERSION.to_string(),
        environment: audit
            .map(|a| format!("{} ({})", a.environment.label, a.environment.base_url))
            .unwrap_or_else(|| "–".into()),
        coverage,
        rules_digest,
        digests,
    };

    // Score.
    let last_prev = facts.history.last();
    let cur_score = facts.current.as_ref().map(|p| p.score);
    let prev_score = last_prev.map(|p| p.score);
    let (score_change, score_dir) = change(
        cur_score.map(f64::from),
        prev_score.map(f64::from),
        true,
        "",
    );
    let score = ScoreView {
        value: fmt_opt(cur_score),
        band: band(cur_score),
        band_label: tr(&format!("band_{}", band(cur_score))),
        change: score_change,
        dir: score_dir,
        previous: fmt_opt(prev_score),
        formula: vec![
            tr("score_formula_1"),
            tr("score_formula_2"),
            tr("score_formula_3"),
        ],
        formula_short: tr("score_formula_short"),
        gauge_width: f64::from(cur_score.unwrap_or(0)) * 3.0,
    };

    // KPIs.
    let cur_k = facts.current.as_ref().map(|p| &p.kpis);
    let prev_k = last_prev.map(|p| &p.kpis);
    let kpis = match cur_k {
        Some(k) => kpis(lang, k, prev_k),
        None => Vec::new(),
    };

    // Top risks: open findings grouped by rule, worst first.
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
                "leaked-token-active"
            } else {
                "leaked-token"
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
    let risks: Vec<Risk> = risk_list
        .iter()
        .take(5)
        .map(|(rule, (sev, n))| Risk {
            severity: sev_key(*sev),
            sev_label: sev_label(lang, *sev),
            title: rule_title(lang, rule),
            count: *n,
        })
        .collect();

    // Decisions.
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
        let no_owner = audit
            .map(|a| {
                a.findings
                    .iter()
                    .filter(|f| {
                        !f.excepted && (f.rule == "missing-owner" || f.rule == "untracked-token")
                    })
                    .count() as u32
            })
            .unwrap_or(0);
        let items: [(u32, &str); 6] = [
            (k.leaked_active.unwrap_or(0), "decision_revoke_leaked"),
            (crit, "decision_fix_critical"),
            (k.exc_expired, "decision_expired_exceptions"),
            (k.exc_expiring, "decision_expiring_exceptions"),
            (no_owner, "decision_assign_owners"),
            (incomplete_n, "decision_incomplete"),
        ];
        for (n, key) in items {
            if n > 0 {
                decisions.push(
                    tr(key)
                        .replace("{n}", &n.to_string())
                        .replace("{days}", &facts.due_days.critical.to_string()),
                );
            }
        }
    }
    if decisions.is_empty() {
        decisions.push(tr("decision_none"));
    }

    // Trend.
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
    let trend = Trend {
        has_history: !facts.history.is_empty(),
        bars,
        line,
        rows: trend_rows,
    };

    // New / resolved / persisting against the last previous quarter.
    let changes = match &facts.changes {
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
            Changes {
                compared_with: quarter_of(c.compared_with),
                new,
                resolved,
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
            persisting: 0,
            first_audit: 0,
            not_rechecked: 0,
            summary: tr("changes_no_previous"),
        },
    };

    // Per-client table.
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
                        anchor: anchor(&c.nip, &mask),
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

    // Distributions of active tokens.
    let active: Vec<_> = audit
        .map(|a| {
            a.contexts
                .iter()
                .flat_map(|c| &c.tokens)
                .filter(|t| t.token.status == TokenStatus::Active)
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

    // Inventory reconciliation.
    let rows_of = |rule: &str| -> Vec<FindingRow> {
        audit
            .map(|a| {
                a.findings
                    .iter()
                    .filter(|f| f.rule == rule)
                    .map(|f| cx.finding_row(f))
                    .collect()
            })
            .unwrap_or_default()
    };
    let untracked = rows_of("untracked-token");
    let stale = rows_of("stale-inventory-entry");
    let recon = Recon {
        summary: tr("recon_summary")
            .replace("{untracked}", &untracked.len().to_string())
            .replace("{stale}", &stale.len().to_string())
            .replace(
                "{pct}",
                &fmt_pct(cur_k.as_ref().and_then(|k| k.in_inventory)),
            ),
        untracked,
        stale,
    };

    // Exceptions register.
    let mut exc_rows: Vec<ExceptionRow> = facts
        .exceptions
        .iter()
        .map(|e| cx.exception_row(e))
        .collect();
    exc_rows.sort_by(|a, b| a.expires.cmp(&b.expires).then(a.rule.cmp(&b.rule)));
    let exceptions = Exceptions {
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
    };

    // Remediation plan.
    let mut plan = Vec::new();
    if let Some(a) = audit {
        for sev in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            let days = facts.due_days.for_severity(sev);
            let due = facts
                .due
                .get(&sev)
                .map(ToString::to_string)
                .unwrap_or_default();
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
                            "leaked-token-active"
                        } else {
                            "leaked-token"
                        };
                        *items.entry((key.to_string(), owner)).or_insert(0) += 1;
                    }
                }
            }
            if items.is_empty() {
                continue;
            }
            let mut items: Vec<PlanItem> = items
                .into_iter()
                .map(|((rule, owner), count)| PlanItem {
                    rule_title: rule_title(lang, &rule),
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

    // Leaks.
    let leaks_view = match leaks {
        Some(l) => Leaks {
            present: true,
            scanned: tr("leaks_scanned")
                .replace("{root}", &mask.text(&l.target.root))
                .replace("{mode}", &l.target.mode)
                .replace("{files}", &l.stats.files.to_string())
                .replace("{blobs}", &l.stats.blobs.to_string()),
            rows: group_leaks(&l.findings)
                .iter()
                .map(|g| cx.leak_row(g))
                .collect(),
            suppressed: group_leaks(&l.suppressed)
                .iter()
                .map(|g| cx.leak_row(g))
                .collect(),
            errors: l
                .errors
                .iter()
                .map(|e| format!("{}: {}", mask.text(&e.path), mask.text(&e.message)))
                .collect(),
        },
        None => Leaks {
            present: false,
            scanned: String::new(),
            rows: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
        },
    };

    // Appendix.
    let context_rows: Vec<ContextRow> = audit
        .map(|a| {
            a.contexts
                .iter()
                .map(|c| {
                    let status = match c.status {
                        ContextStatus::Complete => "complete",
                        ContextStatus::Incomplete => "incomplete",
                    };
                    ContextRow {
                        nip: mask.nip(&c.nip),
                        name: mask.opt_text(c.name.as_deref()),
                        status,
                        status_label: tr(&format!("ctx_{status}")),
                        reason: mask.opt_text(c.reason.as_deref()),
                        fetched_local: local_time(c.fetched_at),
                        duration: format!("{:.1} s", c.duration_ms as f64 / 1000.0),
                        tokens: c.tokens.len() as u32,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let appendix = Appendix {
        methodology: (1..=5).map(|i| tr(&format!("method_{i}"))).collect(),
        incomplete: context_rows
            .iter()
            .filter(|c| c.status == "incomplete")
            .cloned()
            .collect(),
        contexts: context_rows,
        warnings: audit
            .map(|a| a.warnings.iter().map(|w| mask.text(w)).collect())
            .unwrap_or_default(),
    };

    // Security review: by context, by rule, excepted.
    let review = match audit {
        Some(a) => {
            let contexts = a
                .contexts
                .iter()
                .map(|c| {
                    let extra_columns: Vec<String> = c
                        .tokens
                        .iter()
                        .flat_map(|t| t.inventory_extra.keys().cloned())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    let status = match c.status {
                        ContextStatus::Complete => "complete",
                        ContextStatus::Incomplete => "incomplete",
                    };
                    let mut findings: Vec<FindingRow> = a
                        .findings
                        .iter()
                        .filter(|f| f.nip == c.nip && !f.excepted)
                        .map(|f| cx.finding_row(f))
                        .collect();
                    findings.sort_by(|x, y| {
                        y.severity_rank()
                            .cmp(&x.severity_rank())
                            .then(x.rule.cmp(&y.rule))
                            .then(x.reference.cmp(&y.reference))
                    });
                    let tokens = c
                        .tokens
                        .iter()
                        .map(|t| TokenRow {
                            reference: t.token.reference_number.clone(),
                            description: mask.text(&t.token.description),
                            status: t.token.status.to_string(),
                            permissions: t
                                .token
                                .requested_permissions
                                .iter()
                                .map(|p| p.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            author: match &t.author_name {
                                Some(n) => mask.text(n),
                                None => mask.identifier(&t.token.author_identifier),
                            },
                            owner: mask.opt_text(t.owner.as_deref()),
                            system: mask.opt_text(t.system.as_deref()),
                            created: local_date(t.token.date_created).to_string(),
                            last_use: t
                                .token
                                .last_use_date
                                .map(|d| local_date(d).to_string())
                                .unwrap_or_else(|| tr("never")),
                            planned_expiry: t
                                .planned_expiry
                                .map(|d| d.to_string())
                                .unwrap_or_default(),
                            in_inventory: t.in_inventory,
                            extra: extra_columns
                                .iter()
                                .map(|k| {
                                    mask.opt_text(t.inventory_extra.get(k).map(String::as_str))
                                })
                                .collect(),
                        })
                        .collect();
                    ReviewContext {
                        nip: mask.nip(&c.nip),
                        name: mask.opt_text(c.name.as_deref()),
                        anchor: anchor(&c.nip, &mask),
                        status,
                        status_label: tr(&format!("ctx_{status}")),
                        reason: mask.opt_text(c.reason.as_deref()),
                        findings,
                        tokens,
                        extra_columns: extra_columns.iter().map(|k| mask.text(k)).collect(),
                    }
                })
                .collect();
            let mut rules: BTreeMap<&str, (Severity, &str, u32, BTreeSet<&str>, &str)> =
                BTreeMap::new();
            for f in a.findings.iter().filter(|f| !f.excepted) {
                let e = rules.entry(&f.rule).or_insert((
                    f.severity,
                    &f.rule_id,
                    0,
                    BTreeSet::new(),
                    &f.help_uri,
                ));
                e.0 = e.0.max(f.severity);
                e.2 += 1;
                e.3.insert(&f.nip);
            }
            let mut by_rule: Vec<RuleRow> = rules
                .into_iter()
                .map(|(rule, (sev, id, n, nips, help))| RuleRow {
                    rule: rule.to_string(),
                    rule_id: id.to_string(),
                    rule_title: rule_title(lang, rule),
                    severity: sev_key(sev),
                    sev_label: sev_label(lang, sev),
                    count: n,
                    contexts: nips.len() as u32,
                    help: if help.is_empty() {
                        rule_doc_link(rule)
                    } else {
                        help.to_string()
                    },
                })
                .collect();
            by_rule.sort_by(|a, b| {
                Severity::ALL
                    .iter()
                    .position(|s| s.as_str() == a.severity)
                    .cmp(&Severity::ALL.iter().position(|s| s.as_str() == b.severity))
                    .then(b.count.cmp(&a.count))
                    .then(a.rule.cmp(&b.rule))
            });
            Review {
                findings: a.findings.iter().map(|f| cx.finding_row(f)).collect(),
                contexts,
                by_rule,
                excepted: a
                    .findings
                    .iter()
                    .filter(|f| f.excepted)
                    .map(|f| cx.finding_row(f))
                    .collect(),
                open_count: a.findings.iter().filter(|f| !f.excepted).count() as u32,
            }
        }
        None => Review {
            findings: Vec::new(),
            contexts: Vec::new(),
            by_rule: Vec::new(),
            excepted: Vec::new(),
            open_count: 0,
        },
    };

    let headline = match (cur_score, prev_score, last_prev) {
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
    };
    let (kind_key, title_key) = match kind {
        ReportKind::Review => ("review", "title_review"),
        ReportKind::Quarterly => ("quarterly", "title_quarterly"),
    };
    ReportView {
        lang: lang.code(),
        kind: kind_key,
        t: i18n::table(lang),
        title: tr(title_key),
        cover,
        score,
        kpis,
        risks,
        headline,
        decisions,
        trend,
        changes,
        clients,
        age,
        last_use,
        recon,
        exceptions,
        plan,
        plan_intro: tr("plan_intro")
            .replace("{c}", &facts.due_days.critical.to_string())
            .replace("{h}", &facts.due_days.high.to_string())
            .replace("{m}", &facts.due_days.medium.to_string())
            .replace("{l}", &facts.due_days.low.to_string()),
        leaks: leaks_view,
        appendix,
        review,
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
