//! Issue 20.2: advice that fits the date. Before the last day KSeF tokens may be issued the
//! advice replaces a token; after it, no remediation or reminder creates one. A calendar
//! reminder whose day has passed falls on today and says it is overdue; no PESEL in clear.

use std::path::Path;

use chrono::{Duration, NaiveDate};

use super::items::demo;
use crate::support::cli::{ksef_audit, text};

/// Advice that creates a token, in English and in Polish.
const NEW_TOKEN: &[&str] = &[
    "new token",
    "replacement token",
    "create a new one",
    "create the new token",
    "create a token",
    "issue a new",
    "nowy token",
    "token zastępczy",
    "utwórz token",
    "utwórz nowy",
    "wygeneruj",
];

fn advises_new_token(s: &str) -> bool {
    let s = s.to_lowercase();
    NEW_TOKEN.iter().any(|w| s.contains(w))
}

/// The calendar's content lines unfolded (RFC 5545 continuation lines joined).
fn ics(demo: &Path, args: &[&str]) -> String {
    let out = ksef_audit(demo)
        .args(["calendar", "--audit", "audit.json", "-q"])
        .args(args)
        .output()
        .expect("calendar runs");
    assert!(!out.stdout.is_empty(), "{}", text(&out.stderr));
    text(&out.stdout).replace("\r\n ", "").replace("\r\n", "\n")
}

/// (DTSTART, SUMMARY, DESCRIPTION) of each event.
fn events(ics: &str) -> Vec<(NaiveDate, String, String)> {
    ics.split("BEGIN:VEVENT")
        .skip(1)
        .map(|e| {
            let field = |k: &str| {
                e.lines()
                    .find_map(|l| l.strip_prefix(k))
                    .unwrap_or_default()
                    .to_string()
            };
            let start =
                NaiveDate::parse_from_str(&field("DTSTART;VALUE=DATE:"), "%Y%m%d").expect("a date");
            (start, field("SUMMARY:"), field("DESCRIPTION:"))
        })
        .collect()
}

/// The staff list's PESELs: none may appear in clear.
fn pesels(demo: &Path) -> Vec<String> {
    let staff = std::fs::read_to_string(demo.join("staff.csv")).expect("staff.csv");
    staff
        .lines()
        .filter_map(|l| l.split(',').nth(2))
        .filter(|p| p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

#[test]
fn calendar_reminders_past_their_day_are_overdue_today_and_hold_no_pesel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo(dir.path());
    let pesels = pesels(&demo);
    assert!(pesels.len() >= 2, "{pesels:?}");
    for (lang, word) in [("en", "OVERDUE: "), ("pl", "PO TERMINIE: ")] {
        let now = "2027-02-01";
        let today = NaiveDate::from_ymd_opt(2027, 2, 1).expect("date");
        let cal = ics(&demo, &["--lang", lang, "--now", now]);
        for p in &pesels {
            assert!(!cal.contains(p.as_str()), "PESEL in the {lang} calendar");
        }
        let all = events(&cal);
        let overdue: Vec<_> = all.iter().filter(|(_, s, _)| s.starts_with(word)).collect();
        assert!(!overdue.is_empty(), "{lang}: no overdue reminder");
        for (start, summary, _) in &all {
            assert!(
                *start >= today,
                "{lang}: a reminder before today: {summary}"
            );
            // The due date is in the summary; 14 days before it is the reminder's day.
            let due = summary
                .split_whitespace()
                .find_map(|w| {
                    NaiveDate::parse_from_str(w.trim_end_matches(':'), "%Y-%m-%d")
                        .or_else(|_| NaiveDate::parse_from_str(w.trim_end_matches(':'), "%d.%m.%Y"))
                        .ok()
                })
                .expect("a due date");
            let late = due - Duration::days(14) < today;
            assert_eq!(late, summary.starts_with(word), "{lang}: {summary}");
        }
    }
}

#[test]
fn after_the_last_issuance_day_no_advice_creates_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo(dir.path());
    // Before it, the calendar still advises a new token; after it, nothing does.
    let before = ics(&demo, &["--now", "2026-12-01"]);
    assert!(advises_new_token(&before), "{before}");
    for lang in ["en", "pl"] {
        let cal = ics(&demo, &["--lang", lang, "--now", "2027-02-01"]);
        for (_, summary, description) in events(&cal) {
            assert!(!advises_new_token(&summary), "{summary}");
            assert!(!advises_new_token(&description), "{description}");
        }
    }
    let out = ksef_audit(&demo)
        .args(["audit", "--from", "tokens.json", "--now", "2027-02-01"])
        .args(["--format", "json", "-o", "late.json", "-q"])
        .output()
        .expect("audit runs");
    assert!(out.status.code().is_some(), "{}", text(&out.stderr));
    let late: ksef_model::AuditResults =
        serde_json::from_str(&std::fs::read_to_string(demo.join("late.json")).expect("json"))
            .expect("audit document");
    assert!(late.findings.len() > 100);
    for f in &late.findings {
        let (_, _, pl) = f.words(true);
        assert!(
            !advises_new_token(&f.remediation),
            "{}: {}",
            f.rule,
            f.remediation
        );
        assert!(!advises_new_token(pl), "{}: {pl}", f.rule);
    }
    for i in &late.items {
        assert!(
            !advises_new_token(&i.action) && !advises_new_token(&i.action_pl),
            "{i:?}"
        );
    }
    // Before it, the same rules still advise replacing the token.
    let early: ksef_model::AuditResults =
        serde_json::from_str(&std::fs::read_to_string(demo.join("audit.json")).expect("json"))
            .expect("audit document");
    assert!(
        early
            .findings
            .iter()
            .any(|f| advises_new_token(&f.remediation))
    );
}
