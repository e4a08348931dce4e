//! The report model: every number, date and sentence of a report, computed in Rust.
//! Templates receive a [`ReportView`] and only lay it out.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Warsaw;
use serde::Serialize;

mod appendix;
mod certificates;
mod changes;
mod clients;
mod cover;
mod grants;
mod leaks;
mod leavers;
mod register;
mod review_items;
mod summary;
mod trend;
mod urgent;
mod view;

pub use view::*;

use crate::render::html::ReportInput;
use crate::render::html::ReportKind;
use crate::render::html::ReportOptions;
use crate::render::html::chart;
use crate::render::html::chart::BarChart;
use crate::render::html::chart::Distribution;
use crate::render::html::chart::LineChart;
use crate::render::html::mask::Masker;
use ksef_model::AuditFinding;
use ksef_model::ContextStatus;
use ksef_model::EXPIRING_DAYS;
use ksef_model::ExceptionState;
use ksef_model::ExceptionStatus;
use ksef_model::KpiValues;
use ksef_model::LeakFinding;
use ksef_model::LeakStatus;
use ksef_model::RuleTitle;
use ksef_model::Severity;
use ksef_model::TOOL_VERSION;
use ksef_model::i18n;
use ksef_model::i18n::Lang;

// ---------------------------------------------------------------------------------------
// Building

/// A date as people read it in `lang`: `2026-11-30` in English, `30.11.2026` in Polish.
pub fn show_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::En => d.to_string(),
        Lang::Pl => d.format("%d.%m.%Y").to_string(),
    }
}

/// A local (Europe/Warsaw) date-time in `lang`, with its offset ([`Lang::time`]).
pub fn show_time(lang: Lang, t: DateTime<Utc>) -> String {
    lang.time(t)
}

/// A count in `lang`: `1234` in English, `1 234` in Polish (a no-break space between thousands).
pub fn show_count(lang: Lang, n: u32) -> String {
    let digits = n.to_string();
    if lang == Lang::En || digits.len() < 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A decimal number in `lang`: `1.5` in English, `1,5` in Polish.
pub fn show_decimal(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Pl => text.replace('.', ","),
    }
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

/// The link a report shows for a rule: a results file's `help_uri` only when it is `https:` or
/// relative (no scheme); `javascript:`, `data:`, `http:` and the like — also behind leading
/// spaces or control characters — fall back to the rule's own documentation.
pub fn rule_link(help_uri: &str, rule: &str) -> String {
    let uri = help_uri.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let safe = !uri.is_empty()
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
        && !uri.starts_with("//")
        && !uri.starts_with('\\')
        && match uri.find(':') {
            Some(colon) => {
                let before = &uri[..colon];
                // A colon after the first `/`, `?` or `#` is part of a relative path.
                before.contains(['/', '?', '#'])
                    || (before.eq_ignore_ascii_case("https") && uri[colon..].starts_with("://"))
            }
            None => true,
        };
    if safe {
        uri.to_string()
    } else {
        rule_doc_link(rule)
    }
}

fn fmt_pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "–".into())
}

fn fmt_opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

/// `fmt_opt` in `lang` (`1 234` in Polish).
fn fmt_opt_in(lang: Lang, v: Option<u32>) -> String {
    v.map(|v| show_count(lang, v)).unwrap_or_else(|| "–".into())
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

/// Plain-language title of a rule (its `title`/`title-pl`) or of a leak group, else the
/// rule name.
fn rule_title(lang: Lang, titles: &BTreeMap<String, RuleTitle>, rule: &str) -> String {
    if let Some(t) = titles.get(rule) {
        return match (lang, &t.pl) {
            (Lang::Pl, Some(pl)) => pl.clone(),
            _ => t.en.clone(),
        };
    }
    let group = match rule {
        LEAK_GROUP_ACTIVE => "leak_group_active",
        LEAK_GROUP_FOUND => "leak_group_found",
        _ => return rule.to_string(),
    };
    i18n::tr(lang, group).to_string()
}

/// Keys under which the reports group leak findings beside the policy rules.
const LEAK_GROUP_ACTIVE: &str = "leaked-token-active";
const LEAK_GROUP_FOUND: &str = "leaked-token";

/// What every section is built from.
struct Ctx<'a> {
    lang: Lang,
    mask: &'a Masker,
    due: &'a BTreeMap<Severity, NaiveDate>,
    as_of: NaiveDate,
    as_of_time: DateTime<Utc>,
    now: DateTime<Utc>,
    opts: &'a ReportOptions,
    facts: &'a ksef_model::ReportFacts,
    audit: Option<&'a ksef_model::AuditResults>,
    leaks: Option<&'a ksef_model::LeakResults>,
    /// The quarter label on the cover and the trend (`2026Q4`).
    quarter: String,
    /// Offboarding records kept; `None`: not given.
    records: Option<&'a [crate::render::html::LinkedRecord]>,
}

impl Ctx<'_> {
    fn tr(&self, key: &str) -> String {
        i18n::tr(self.lang, key).to_string()
    }

    /// A date as the report's reader writes it (`30.11.2026` in Polish).
    fn date(&self, d: NaiveDate) -> String {
        show_date(self.lang, d)
    }

    fn finding_row(&self, f: &AuditFinding) -> FindingRow {
        let due = if f.excepted {
            String::new()
        } else {
            self.due
                .get(&f.severity)
                .map(|d| self.date(*d))
                .unwrap_or_default()
        };
        let (exc_owner, exc_reason, exc_expires) = match &f.exception {
            Some(e) => (
                self.mask.text(&e.owner),
                self.mask.text(&e.reason),
                self.date(e.expires),
            ),
            None => Default::default(),
        };
        let (message, evidence, remediation) = f.words(self.lang == Lang::Pl);
        FindingRow {
            id: f.id.clone(),
            rule: f.rule.clone(),
            rule_id: f.rule_id.clone(),
            rule_title: rule_title(self.lang, &self.facts.rule_titles, &f.rule),
            severity: sev_key(f.severity),
            sev_label: sev_label(self.lang, f.severity),
            nip: self.mask.nip(&f.nip),
            client: self.mask.opt_text(f.client_name.as_deref()),
            reference: f.reference_number.clone().unwrap_or_default(),
            owner: self.mask.opt_text(f.owner.as_deref()),
            message: self.mask.text(message),
            evidence: self.mask.text(evidence),
            remediation: self.mask.text(remediation),
            help: rule_link(&f.help_uri, &f.rule),
            excepted: f.excepted,
            exc_owner,
            exc_reason,
            exc_expires,
            due,
            baseline: crate::render::audit::baseline_word(f.baseline),
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
            expires: self.date(e.expires),
            status,
            status_label: i18n::tr(self.lang, &format!("exc_status_{status}")).to_string(),
            matched: e.matched,
            days_left,
        }
    }
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
    with_ctx(input, opts, |cx| build_view(cx, kind))
}

/// The "Act now" facts of the report `input` would give, worst first: other outputs (the
/// audit text, the demo's summary) lead with them too.
pub fn urgent_facts(input: &ReportInput, lang: Lang) -> Vec<Urgent> {
    let opts = ReportOptions {
        lang,
        ..ReportOptions::default()
    };
    with_ctx(input, &opts, urgent::urgent)
}

/// Runs `f` with the context every section reads.
fn with_ctx<T>(input: &ReportInput, opts: &ReportOptions, f: impl FnOnce(&Ctx<'_>) -> T) -> T {
    let now = opts.now.unwrap_or_else(Utc::now);
    let audit = input.audit.as_ref();
    let leaks = input.leaks.as_ref();
    let as_of_time = audit
        .map(|a| a.generated_at)
        .or(leaks.map(|l| l.generated_at))
        .unwrap_or(now);
    let mask = cover::masker(input, opts);
    let cx = Ctx {
        lang: opts.lang,
        mask: &mask,
        due: &input.facts.due,
        as_of: local_date(as_of_time),
        as_of_time,
        now,
        opts,
        facts: &input.facts,
        audit,
        leaks,
        quarter: opts
            .quarter
            .clone()
            .unwrap_or_else(|| quarter_of(as_of_time)),
        records: input.offboard_records.as_deref(),
    };
    f(&cx)
}

fn build_view(cx: &Ctx<'_>, kind: ReportKind) -> ReportView {
    let (lang, facts) = (cx.lang, cx.facts);
    let tr = |k: &str| i18n::tr(lang, k).to_string();
    let (age, last_use) = trend::distributions(cx);
    let (kind_key, title_key) = match kind {
        ReportKind::Review => ("review", "title_review"),
        ReportKind::Quarterly => ("quarterly", "title_quarterly"),
    };
    ReportView {
        lang: lang.code(),
        kind: kind_key,
        t: i18n::table(lang),
        title: tr(title_key),
        cover: cover::cover(cx),
        score: summary::score(cx),
        kpis: summary::kpi_rows(cx),
        risks: summary::risks(cx),
        headline: summary::headline(cx),
        decisions: summary::decisions(cx),
        trend: trend::trend(cx),
        changes: changes::changes(cx),
        clients: clients::clients(cx),
        age,
        last_use,
        recon: register::recon(cx),
        exceptions: register::exceptions(cx),
        plan: register::plan(cx),
        plan_intro: tr("plan_intro")
            .replace("{c}", &facts.due_days.critical.to_string())
            .replace(
                "{c_pl}",
                &ksef_model::days_pl(facts.due_days.critical.into()),
            )
            .replace("{h}", &facts.due_days.high.to_string())
            .replace("{m}", &facts.due_days.medium.to_string())
            .replace("{l}", &facts.due_days.low.to_string()),
        leaks: leaks::leaks(cx),
        appendix: appendix::appendix(cx),
        review: appendix::review(cx),
        has_audit: cx.audit.is_some(),
        urgent: urgent::urgent(cx),
        certificates: certificates::certificates(cx),
        grants: grants::grants(cx),
        leavers: leavers::leavers(cx),
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
mod polish_number_tests {
    use super::*;

    #[test]
    fn polish_counts_group_thousands_and_decimals_take_a_comma() {
        assert_eq!(show_count(Lang::Pl, 999), "999");
        assert_eq!(show_count(Lang::Pl, 1234), "1\u{a0}234");
        assert_eq!(show_count(Lang::Pl, 1234567), "1\u{a0}234\u{a0}567");
        assert_eq!(show_count(Lang::En, 1234), "1234");
        assert_eq!(show_decimal(Lang::Pl, "0.1 s"), "0,1 s");
        assert_eq!(
            show_date(
                Lang::Pl,
                NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
            ),
            "30.11.2026"
        );
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
