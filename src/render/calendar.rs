//! `ksef-audit calendar`: iCalendar (RFC 5545) reminders, one event per credential with
//! a planned expiry or rotation date, some days before it, naming its owner.
//!
//! [`reminders_from_audit`] picks the dates from audit results; a later kind of
//! credential (certificates) adds its own function returning [`Reminder`]s.
//! [`render_ics`] lays them out: CRLF line ends, lines folded at 75 octets, escaped
//! text, a stable `UID` per credential and date, `DTSTAMP`, and a `VALARM`. Only
//! reference numbers, NIPs and names appear: never a secret.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::render::html::model::show_date;
use ksef_model::AuditResults;
use ksef_model::CertificateStatus;
use ksef_model::TokenStatus;
use ksef_model::i18n::Lang;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReminderKind {
    Token,
    Certificate,
}

impl ReminderKind {
    /// "token KSeF" / "KSeF token", as the subject of a sentence.
    fn subject(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReminderKind::Token, Lang::En) => "KSeF token",
            (ReminderKind::Certificate, Lang::En) => "KSeF certificate",
            (ReminderKind::Token, Lang::Pl) => "Token KSeF",
            (ReminderKind::Certificate, Lang::Pl) => "Certyfikat KSeF",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            ReminderKind::Token => "token",
            ReminderKind::Certificate => "certificate",
        }
    }
}

/// One credential with a planned expiry or rotation date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub nip: String,
    pub client: Option<String>,
    /// KSeF reference number (or certificate serial number).
    pub reference: String,
    pub description: Option<String>,
    /// Owner from the inventory: an e-mail address or a name.
    pub owner: Option<String>,
    pub system: Option<String>,
    /// The planned expiry or rotation date.
    pub due: NaiveDate,
}

/// Tokens still usable in KSeF (active or pending) whose inventory row gives a planned
/// expiry date.
pub fn reminders_from_audit(audit: &AuditResults) -> Vec<Reminder> {
    let mut out = Vec::new();
    for c in &audit.contexts {
        for t in &c.tokens {
            let usable = matches!(t.token.status, TokenStatus::Active | TokenStatus::Pending);
            let Some(due) = t.planned_expiry.filter(|_| usable) else {
                continue;
            };
            out.push(Reminder {
                kind: ReminderKind::Token,
                nip: c.nip.clone(),
                client: c.name.clone(),
                reference: t.token.reference_number.clone(),
                description: Some(t.token.description.clone()).filter(|d| !d.trim().is_empty()),
                owner: t.owner.clone().filter(|o| !o.trim().is_empty()),
                system: t.system.clone().filter(|s| !s.trim().is_empty()),
                due,
            });
        }
    }
    out.extend(certificate_reminders(audit));
    out.sort_by(|a, b| a.due.cmp(&b.due).then(a.cmp(b)));
    out
}

/// Active KSeF certificates (of contexts signed in with a certificate): one reminder before
/// each `validTo`, naming the owner the inventory gives.
pub fn certificate_reminders(audit: &AuditResults) -> Vec<Reminder> {
    let mut out = Vec::new();
    for c in &audit.contexts {
        for cert in &c.certificates.list {
            if cert.status != CertificateStatus::Active {
                continue;
            }
            let serial = &cert.certificate_serial_number;
            out.push(Reminder {
                kind: ReminderKind::Certificate,
                nip: c.nip.clone(),
                client: c.name.clone(),
                reference: serial.clone(),
                description: Some(cert.name.clone()).filter(|d| !d.trim().is_empty()),
                owner: c
                    .certificate_owners
                    .get(&serial.to_uppercase())
                    .cloned()
                    .filter(|o| !o.trim().is_empty()),
                system: None,
                due: cert.valid_to.date_naive(),
            });
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
pub struct CalendarOptions {
    /// The event falls this many days before the due date.
    pub days_before: u32,
    /// `DTSTAMP` of every event, and the day reminders are judged against (`--now`): a
    /// reminder whose day has passed falls on this day and says it is overdue.
    pub now: DateTime<Utc>,
    /// The last day KSeF tokens may be issued (`[audit] token-last-issuance`): after it a
    /// token's reminder advises a KSeF certificate, not a new token.
    pub token_last_issuance: NaiveDate,
    /// Language of the event texts (`--lang`).
    pub lang: Lang,
}

/// The summary and description lines of the event for `r`.
fn event_texts(r: &Reminder, opts: &CalendarOptions, overdue: bool) -> (String, Vec<String>) {
    let lang = opts.lang;
    let t = |en, pl| lang.t(en, pl);
    let subject = r.kind.subject(lang);
    let due = show_date(lang, r.due);
    let issuable = ksef_model::tokens_issuable(opts.now.date_naive(), opts.token_last_issuance);
    let what = match (r.kind, issuable) {
        (ReminderKind::Token, false) => t(
            "move it to a KSeF certificate",
            "przenieś integrację na certyfikat KSeF",
        ),
        _ => t("rotate it", "wymień go"),
    };
    let late = if overdue {
        t("OVERDUE: ", "PO TERMINIE: ")
    } else {
        ""
    };
    let summary = match lang {
        Lang::En => format!(
            "{late}{subject} {} (NIP {}) expires on {due}: {what}",
            r.reference, r.nip
        ),
        Lang::Pl => format!(
            "{late}{subject} {} (NIP {}) wygasa {due}: {what}",
            r.reference, r.nip
        ),
    };
    let client = r
        .client
        .as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let mut details = vec![
        match lang {
            Lang::En => format!("The {subject} {} expires on {due}.", r.reference),
            Lang::Pl => format!("{subject} {} wygasa {due}.", r.reference),
        },
        format!("{} NIP {}{client}", t("Client:", "Klient:"), r.nip),
    ];
    if let Some(d) = &r.description {
        details.push(format!("{} {d}", t("Description:", "Opis:")));
    }
    if let Some(s) = &r.system {
        details.push(format!("System: {s}"));
    }
    details.push(format!(
        "{} {}",
        t("Owner:", "Właściciel:"),
        r.owner.as_deref().unwrap_or(t(
            "none named in the inventory",
            "nie wskazano go w ewidencji"
        ))
    ));
    if overdue {
        details.push(
            t(
                "This reminder is overdue: its day has passed.",
                "To przypomnienie jest po terminie: jego dzień już minął.",
            )
            .into(),
        );
    }
    details.push(
        match r.kind {
            ReminderKind::Token if issuable => t(
                "Issue a new token, switch the system to it, then revoke this one (ksef-audit revoke).",
                "Wygeneruj nowy token, przełącz na niego system, a potem unieważnij ten (ksef-audit revoke).",
            ),
            ReminderKind::Token => t(
                "KSeF tokens can no longer be issued: move the integration to a KSeF certificate, then revoke this token (ksef-audit revoke).",
                "Nowych tokenów KSeF nie można już wydawać: przenieś integrację na certyfikat KSeF, a potem unieważnij ten token (ksef-audit revoke).",
            ),
            ReminderKind::Certificate => t(
                "Request a new KSeF certificate, install it wherever this one is used, then have its owner revoke this one (only the owner can).",
                "Złóż wniosek o nowy certyfikat KSeF, zainstaluj go wszędzie tam, gdzie używany jest ten, a potem poproś jego właściciela o unieważnienie tego certyfikatu (może to zrobić tylko właściciel).",
            ),
        }
        .into(),
    );
    (summary, details)
}

/// The day of the event for a credential due on `due`: `days_before` days earlier. `None`
/// when that day (or the day after it) is outside the dates a calendar can hold (a hostile
/// or mistyped `planned_expiry`, a huge `--days-before`): the reminder is left out, never a
/// panic.
pub fn event_day(due: NaiveDate, days_before: u32) -> Option<NaiveDate> {
    let day = due.checked_sub_signed(Duration::days(i64::from(days_before)))?;
    // Years an iCalendar DATE (4 digits) can write.
    let year = chrono::Datelike::year(&day);
    ((1..=9998).contains(&year)).then_some(day)
}

/// A calendar of `reminders` (an empty calendar when there are none).
pub fn render_ics(reminders: &[Reminder], opts: &CalendarOptions) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!(
            "PRODID:-//ksef-audit//ksef-audit {}//EN",
            ksef_model::TOOL_VERSION
        ),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            opts.lang.t(
                "KSeF credential expiry reminders",
                "Przypomnienia o wygaśnięciu tokenów i certyfikatów KSeF"
            )
        ),
    ];
    let stamp = opts.now.format("%Y%m%dT%H%M%SZ").to_string();
    for r in reminders {
        // A date the calendar cannot hold is left out; the command warns (see `event_day`).
        // A reminder whose day has passed falls on today and says it is overdue.
        let today = opts.now.date_naive();
        let Some((day, overdue)) =
            event_day(r.due, opts.days_before).map(|d| (d.max(today), d < today))
        else {
            continue;
        };
        let Some(next) = day.checked_add_signed(Duration::days(1)) else {
            continue;
        };
        let kind = r.kind.word();
        let (summary, details) = event_texts(r, opts, overdue);
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!(
            "UID:ksef-audit-{kind}-{}-{}-{}@ksef-audit",
            uid_part(&r.nip),
            uid_part(&r.reference),
            r.due.format("%Y%m%d")
        ));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
        lines.push(format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
        // The one outbound filter: PESELs masked as in the tables, tokens redacted,
        // control and bidi characters escaped.
        let summary = ksef_leaks::redact::outbound(&summary).into_owned();
        let details = ksef_leaks::redact::outbound(&details.join("\n")).into_owned();
        lines.push(format!("SUMMARY:{}", escape_text(&summary)));
        lines.push(format!("DESCRIPTION:{}", escape_text(&details)));
        lines.push("CATEGORIES:KSeF".into());
        lines.push("TRANSP:TRANSPARENT".into());
        if let Some(owner) = &r.owner {
            lines.push(attendee(owner));
        }
        lines.push("BEGIN:VALARM".into());
        lines.push("ACTION:DISPLAY".into());
        lines.push(format!("DESCRIPTION:{}", escape_text(&summary)));
        lines.push("TRIGGER:PT9H".into());
        lines.push("END:VALARM".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        out.push_str(&fold(&l));
    }
    out
}

/// Reminders grouped by owner, for one calendar per owner: `(file stem, reminders)`;
/// reminders without an owner go under `unassigned`.
pub fn by_owner(reminders: &[Reminder]) -> BTreeMap<String, Vec<Reminder>> {
    let mut out: BTreeMap<String, Vec<Reminder>> = BTreeMap::new();
    for r in reminders {
        let stem = r
            .owner
            .as_deref()
            .map(file_stem)
            .unwrap_or_else(|| "unassigned".to_string());
        out.entry(stem).or_default().push(r.clone());
    }
    out
}

/// A file name from an owner: letters, digits, `@ . _ -` kept, anything else `_`.
fn file_stem(owner: &str) -> String {
    let s: String = owner
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-') {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_matches(|c| c == '.' || c == '_').to_string();
    if s.is_empty() { "unassigned".into() } else { s }
}

/// `ATTENDEE` with the owner's name; `mailto:` when the owner is an e-mail address,
/// else the `invalid:nomail` address calendar programs use for people without one.
fn attendee(owner: &str) -> String {
    let owner = owner.trim();
    let cn = quote_param(&ksef_model::mask_pesels_in(owner));
    if is_email(owner) {
        format!("ATTENDEE;CN={cn};ROLE=REQ-PARTICIPANT:mailto:{owner}")
    } else {
        format!("ATTENDEE;CN={cn};ROLE=REQ-PARTICIPANT:invalid:nomail")
    }
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.contains('@')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:\\[]".contains(c))
        }
        None => false,
    }
}

/// A parameter value (RFC 5545 §3.2): quoted, without the `"` it cannot contain.
fn quote_param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

fn uid_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no line is longer than 75 octets (continuations start
/// with a space), never inside a UTF-8 character, ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Żółć ".repeat(40));
        let folded = fold(&line);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn text_escapes_separators_and_newlines() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn owners_without_an_address_are_named_not_mailed() {
        assert!(attendee("anna.nowak@biuro.pl").ends_with(":mailto:anna.nowak@biuro.pl"));
        assert_eq!(
            attendee("Anna \"AN\" Nowak"),
            "ATTENDEE;CN=\"Anna AN Nowak\";ROLE=REQ-PARTICIPANT:invalid:nomail"
        );
        assert_eq!(file_stem("Anna Nowak"), "anna_nowak");
        assert_eq!(file_stem("../../etc"), "etc");
    }

    #[test]
    fn issue_21_owners_with_control_characters_are_not_mailed() {
        for owner in ["x\u{1}y@evil.example.pl", "a@b.pl\r\nX-EVIL:1", "a@b@c.pl"] {
            let line = attendee(owner);
            assert!(line.ends_with(":invalid:nomail"), "{line:?}");
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
    }

    #[test]
    fn issue_21_event_days_out_of_range_are_none() {
        let due = NaiveDate::from_ymd_opt(2027, 1, 31).expect("date");
        assert_eq!(event_day(due, 100_000_000), None);
        assert_eq!(event_day(NaiveDate::MIN, 0), None);
        assert_eq!(event_day(NaiveDate::MAX, 0), None);
        assert_eq!(event_day(due, 14), NaiveDate::from_ymd_opt(2027, 1, 17));
    }
}
