//! Applies exceptions to findings, last of all evaluation steps.
//!
//! An excepted finding is kept and marked; an expired exception waives nothing
//! and says so; an exception that matched nothing draws a warning.

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};

use ksef_model::AppliedException;
use ksef_model::ExceptionEntry;
use ksef_model::ExceptionState;
use ksef_model::ExceptionStatus;
use ksef_model::is_glob;

struct Tracked {
    entry: ExceptionEntry,
    glob: Option<GlobMatcher>,
    expired: bool,
    matched: u32,
}

/// The exceptions of one run, with a count of what each one matched.
pub struct ExceptionSet {
    entries: Vec<Tracked>,
}

impl ExceptionSet {
    /// `today` decides which exceptions have expired (an exception applies through its `expires` day).
    pub fn new(entries: Vec<ExceptionEntry>, today: NaiveDate) -> ExceptionSet {
        let entries = entries
            .into_iter()
            .map(|entry| Tracked {
                glob: is_glob(&entry.target)
                    .then(|| Glob::new(&entry.target).ok().map(|g| g.compile_matcher()))
                    .flatten(),
                expired: entry.expires < today,
                matched: 0,
                entry,
            })
            .collect();
        ExceptionSet { entries }
    }

    /// Leaves out the exceptions for the other stage's rules (`other`: by name or id): one file
    /// serves `audit` and `leaks`, and a policy rule's exception is not "unused" in a leak scan.
    /// An unknown rule name stays, so a typo is still reported as matching nothing.
    pub fn without_rules(mut self, other: impl Fn(&str) -> bool) -> ExceptionSet {
        self.entries
            .retain(|t| t.entry.rule == "*" || !other(&t.entry.rule));
        self
    }

    /// The exception that waives a finding of `rule_name`/`rule_id` on any of `targets`
    /// (reference number, NIP, fingerprint, path), if one is in force.
    pub fn check(
        &mut self,
        rule_name: &str,
        rule_id: &str,
        targets: &[&str],
    ) -> Option<AppliedException> {
        let mut applied = None;
        for tracked in &mut self.entries {
            let rule = tracked.entry.rule.as_str();
            let rule_ok = rule == "*"
                || rule.eq_ignore_ascii_case(rule_name)
                || rule.eq_ignore_ascii_case(rule_id);
            if !rule_ok {
                continue;
            }
            let target_ok = targets.iter().any(|t| match &tracked.glob {
                Some(glob) => glob.is_match(t),
                None => *t == tracked.entry.target,
            });
            if !target_ok {
                continue;
            }
            tracked.matched += 1;
            if !tracked.expired && applied.is_none() {
                applied = Some(AppliedException {
                    reason: tracked.entry.reason.clone(),
                    owner: tracked.entry.owner.clone(),
                    expires: tracked.entry.expires,
                });
            }
        }
        applied
    }

    /// The state of every exception, and warnings for expired and unused ones.
    pub fn finish(self) -> (Vec<ExceptionState>, Vec<String>) {
        let mut warnings = Vec::new();
        let states = self
            .entries
            .into_iter()
            .map(|t| {
                let e = &t.entry;
                let place = format!("{}:{}", ksef_model::shown_path(&e.file), e.line);
                let status = if t.expired {
                    if t.matched > 0 {
                        warnings.push(format!(
                            "exception for rule '{}' on '{}' expired on {} ({place}): {} finding(s) are active again\nhelp: renew it with a new reason and date, or fix the findings",
                            e.rule, e.target, e.expires, t.matched
                        ));
                    } else {
                        warnings.push(format!(
                            "exception for rule '{}' on '{}' expired on {} and matches nothing ({place})\nhelp: remove it",
                            e.rule, e.target, e.expires
                        ));
                    }
                    ExceptionStatus::Expired
                } else if t.matched == 0 {
                    warnings.push(format!(
                        "exception for rule '{}' on '{}' matched no finding ({place})\nhelp: remove it, or check the rule name and target",
                        e.rule, e.target
                    ));
                    ExceptionStatus::Unused
                } else {
                    ExceptionStatus::Active
                };
                ExceptionState {
                    rule: e.rule.clone(),
                    target: e.target.clone(),
                    reason: e.reason.clone(),
                    owner: e.owner.clone(),
                    expires: e.expires,
                    status,
                    matched: t.matched,
                }
            })
            .collect();
        (states, warnings)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn entry(rule: &str, target: &str, expires: (i32, u32, u32)) -> ExceptionEntry {
        ExceptionEntry {
            rule: rule.into(),
            target: target.into(),
            reason: "accepted".into(),
            owner: "anna".into(),
            expires: NaiveDate::from_ymd_opt(expires.0, expires.1, expires.2).expect("date"),
            line: 1,
            file: PathBuf::from("exc.toml"),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn matches_by_rule_name_or_id_and_exact_target() {
        let mut set = ExceptionSet::new(
            vec![entry("unused-token", "5265877635", (2027, 1, 1))],
            day(2026, 11, 22),
        );
        assert!(
            set.check("unused-token", "POL008", &["REF", "5265877635"])
                .is_some()
        );
        assert!(
            set.check("never-used", "POL009", &["REF", "5265877635"])
                .is_none()
        );
        assert!(
            set.check("unused-token", "POL008", &["REF", "7762811692"])
                .is_none()
        );
        let (states, warnings) = set.finish();
        assert_eq!(states[0].status, ExceptionStatus::Active);
        assert_eq!(states[0].matched, 1);
        assert!(warnings.is_empty());
    }

    #[test]
    fn expired_exception_reactivates_finding_and_warns() {
        let mut set = ExceptionSet::new(
            vec![entry("*", "tests/**", (2026, 11, 21))],
            day(2026, 11, 22),
        );
        assert!(
            set.check("ksef-token-v2", "LEAK001", &["tests/a/.env"])
                .is_none()
        );
        let (states, warnings) = set.finish();
        assert_eq!(states[0].status, ExceptionStatus::Expired);
        assert!(
            warnings[0].contains("expired on 2026-11-21"),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("active again"), "{}", warnings[0]);
    }

    #[test]
    fn exception_applies_through_its_expiry_day() {
        let mut set = ExceptionSet::new(vec![entry("*", "x", (2026, 11, 22))], day(2026, 11, 22));
        assert!(set.check("r", "R1", &["x"]).is_some());
    }

    #[test]
    fn unused_exception_warns() {
        let set = ExceptionSet::new(
            vec![entry("POL001", "nothing", (2027, 1, 1))],
            day(2026, 1, 1),
        );
        let (states, warnings) = set.finish();
        assert_eq!(states[0].status, ExceptionStatus::Unused);
        assert!(
            warnings[0].contains("matched no finding"),
            "{}",
            warnings[0]
        );
    }
}
