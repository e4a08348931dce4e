//! `--since`: a date or a span before now, as `git log --since` reads it.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// A `--since` value as git reads it: an RFC 3339 time, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`
/// (UTC), `yesterday`, or a span before `now` such as `2 days ago`, `3 weeks`, `1.month`.
/// `None` when it is none of these (then it is taken for a revision).
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.to_utc());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    let lower = t.to_ascii_lowercase().replace('.', " ");
    match lower.as_str() {
        "now" => return Some(now),
        "yesterday" => return Some(now - Duration::days(1)),
        _ => {}
    }
    let words: Vec<&str> = lower.split_whitespace().collect();
    let (n, unit) = match words.as_slice() {
        [n, unit] | [n, unit, "ago"] => (n.parse::<i64>().ok()?, *unit),
        _ => return None,
    };
    let unit = unit.strip_suffix('s').unwrap_or(unit);
    let span = match unit {
        "second" | "sec" => Duration::seconds(n),
        "minute" | "min" => Duration::minutes(n),
        "hour" => Duration::hours(n),
        "day" => Duration::days(n),
        "week" => Duration::weeks(n),
        "month" => Duration::days(30 * n),
        "year" => Duration::days(365 * n),
        _ => return None,
    };
    Some(now - span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_dates_and_spans_like_git_and_leaves_revisions() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .expect("now")
            .to_utc();
        let at = |s: &str| parse_since(s, now).map(|d| d.to_rfc3339());
        assert_eq!(
            at("2 days ago").as_deref(),
            Some("2026-11-28T12:00:00+00:00")
        );
        assert_eq!(at("3 weeks").as_deref(), Some("2026-11-09T12:00:00+00:00"));
        assert_eq!(
            at("1.hour.ago").as_deref(),
            Some("2026-11-30T11:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-01").as_deref(),
            Some("2026-11-01T00:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-01 08:30").as_deref(),
            Some("2026-11-01T08:30:00+00:00")
        );
        assert_eq!(
            at("yesterday").as_deref(),
            Some("2026-11-29T12:00:00+00:00")
        );
        for rev in [
            "origin/main",
            "HEAD~3",
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "v1.2",
        ] {
            assert_eq!(at(rev), None, "{rev}");
        }
    }
}
