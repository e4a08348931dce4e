//! Words and checks shared by several built-ins (and by the evaluation's evidence).

use std::sync::OnceLock;

use chrono::DateTime;
use chrono::NaiveDate;
use ksef_leaks::matcher::find_tokens;
use ksef_model::GrantRecord;
use ksef_model::InventoryEntry;
use ksef_model::Permission;
use ksef_model::StaffMember;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;
use ksef_model::pesel_ok;
use regex::Regex;

use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

/// The system a token serves: the inventory's `system`, else the software part of an
/// `Entity-Software-Environment-Year` description.
pub(crate) fn system_key(token: &TokenRecord, entry: Option<&InventoryEntry>) -> Option<String> {
    if let Some(s) = entry.and_then(|e| e.system.as_deref()) {
        return Some(s.trim().to_lowercase());
    }
    let parts: Vec<&str> = token.description.split('-').map(str::trim).collect();
    (parts.len() >= 3 && !parts[1].is_empty()).then(|| parts[1].to_lowercase())
}

/// `A, B` or `empty` for no permissions.
pub(crate) fn join_or(perms: &[Permission], empty: &str) -> String {
    if perms.is_empty() {
        empty.to_string()
    } else {
        perms
            .iter()
            .map(Permission::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(super) fn describe_person(m: &StaffMember, id: &str) -> String {
    match &m.name {
        Some(n) => format!("{id} ({n})"),
        None => id.to_string(),
    }
}

pub(super) fn left_words(m: &StaffMember, pl: bool) -> String {
    match (m.left_on, pl) {
        (Some(d), false) => format!("left on {}", d.format("%Y-%m-%d")),
        (None, false) => "has left".into(),
        (Some(d), true) => format!("nie pracuje już w firmie (od {})", d.format("%d.%m.%Y")),
        (None, true) => "nie pracuje już w firmie".into(),
    }
}

/// The staff member behind any of the grant holder's identifiers.
pub(super) fn grant_staff<'a>(v: &'a dyn SubjectView, g: &GrantRecord) -> Option<&'a StaffMember> {
    g.holder_keys().into_iter().find_map(|k| v.staff_holder(k))
}

/// `Jan Nowak (Pesel 85*******45)`: the name when known, the identifier masked; in Polish
/// the identifier's type as people write it (`PESEL 85*******45`).
pub(super) fn describe_holder(g: &GrantRecord, staff: Option<&StaffMember>, pl: bool) -> String {
    let name = staff
        .and_then(|m| m.name.clone())
        .or_else(|| g.holder_name());
    let id = format!("{} {}", g.holder.kind.label(pl), g.holder.masked());
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id,
    }
}

fn email_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("static regex compiles")
    })
}

fn digits11_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b\d{11}\b").expect("static regex compiles"))
}

fn hex64_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b(?:[0-9a-f]{64}|[0-9A-F]{64})\b").expect("static regex compiles")
    })
}

/// Kinds of personal data or secrets in a description, in plain words (never the values).
pub fn personal_data(text: &str, email: bool, pesel: bool, token: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    if email && email_regex().is_match(text) {
        out.push("an e-mail address");
    }
    if pesel
        && digits11_regex()
            .find_iter(text)
            .any(|m| pesel_ok(m.as_str()))
    {
        out.push("a PESEL number");
    }
    // A token the tool already redacted (`ref|nip-…|abcd…(64 chars) sha256:…`, e.g. in a
    // saved tokens JSON) still counts: the description held a token.
    let redacted_token = text.contains(" chars) sha256:");
    if token && (!find_tokens(text).is_empty() || hex64_regex().is_match(text) || redacted_token) {
        out.push("a token-like string");
    }
    out
}

/// A date parameter (`"2027-11-30"`), as rules and the config write it.
fn param_date(rule: &PolicyRule, name: &str) -> Option<NaiveDate> {
    let text = rule.parameters.get(name)?.as_str()?;
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// When an active token stops working: the announced sunset, or the token's own validity
/// end when KSeF lists one (an unknown future field such as `validTo`) and it is earlier.
fn token_end(t: &TokenRecord, sunset: NaiveDate) -> (NaiveDate, bool) {
    let own = ["validTo", "validUntil", "expirationDate", "expiresAt"]
        .iter()
        .filter_map(|k| t.extra.get(*k)?.as_str())
        .find_map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.date_naive())
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
                .ok()
        });
    match own {
        Some(d) if d < sunset => (d, true),
        _ => (sunset, false),
    }
}

/// Days until the token stops working, and the words for it.
pub(super) fn token_sunset(v: &dyn SubjectView, rule: &PolicyRule) -> Option<(i64, Detail)> {
    let t = v.token()?;
    if !TokenStatus::is_live(&t.status) {
        return None;
    }
    let sunset = param_date(rule, "sunset")?;
    let (end, own) = token_end(t, sunset);
    let left = (end - v.now().date_naive()).num_days();
    let when = if own {
        format!("its own validity ends on {end} (KSeF lists it)")
    } else {
        format!("KSeF stops accepting tokens on {end} (announced, not yet law)")
    };
    let end_pl = end.format("%d.%m.%Y");
    let when_pl = if own {
        format!("jego własna ważność kończy się {end_pl} (podaje ją KSeF)")
    } else {
        format!("KSeF przestaje przyjmować tokeny {end_pl} (zapowiedź, jeszcze nie przepis)")
    };
    let words = match left {
        n if n < 0 => format!("{when}: {} days ago", -n),
        0 => format!("{when}: today"),
        1 => format!("{when}: 1 day left"),
        n => format!("{when}: {n} days left"),
    };
    let words_pl = match left {
        n if n < 0 => format!("{when_pl}: {} temu", ksef_model::days_pl(-n)),
        0 => format!("{when_pl}: dziś"),
        n => format!("{when_pl}: {}", ksef_model::days_left_pl(n)),
    };
    Some((left, Detail::new(words, words_pl)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_named_not_shown() {
        assert_eq!(
            personal_data("Jan jan.nowak@firma.pl 85010112345", true, true, true),
            vec!["an e-mail address", "a PESEL number"]
        );
        assert!(personal_data("ERP-Symfonia-prod-2025", true, true, true).is_empty());
        assert!(personal_data("85010112344", true, true, true).is_empty());
    }
}
