//! `ksef-audit calendar` (issue 14): iCalendar reminders before each planned token
//! expiry, checked with an independent parser (Python's `icalendar`). Without the parser
//! the test prints a note and passes, except under `CI=true`, where it fails
//! (scripts/install-test-tools.sh installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as BinCommand;
use chrono::{Duration, NaiveDate};
use ksef_model::AuditResults;
use ksef_model::TokenStatus;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results/audit-2026q4.json")
}

fn parser_missing() -> bool {
    let present = Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if present {
        return false;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "python3 with icalendar is missing under CI=true: run scripts/install-test-tools.sh"
    );
    eprintln!("note: python3 icalendar is not installed; skipping (scripts/install-test-tools.sh)");
    true
}

/// Parses `path` with icalendar; one line per event:
/// `uid|dtstamp|dtstart|summary|attendee|alarm-count`.
fn parse(path: &Path) -> Vec<Vec<String>> {
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal.get('VERSION') == '2.0' and cal.get('PRODID')
for e in cal.walk('VEVENT'):
    att = e.get('ATTENDEE')
    alarms = [a for a in e.walk('VALARM')]
    print('|'.join([str(e['UID']), e.decoded('DTSTAMP').isoformat(),
                    e.decoded('DTSTART').isoformat(), str(e['SUMMARY']).replace('|', '/'),
                    str(att) if att is not None else '', str(len(alarms))]))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "icalendar rejects {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect()
}

#[test]
fn issue_14_calendar_has_one_event_per_planned_expiry_days_before() {
    if parser_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let ics = dir.path().join("reminders.ics");
    let owners = dir.path().join("owners");
    BinCommand::cargo_bin("ksef-audit")
        .expect("binary")
        .arg("calendar")
        .arg("--audit")
        .arg(fixture())
        .args(["--days-before", "10", "-o"])
        .arg(&ics)
        .arg("--per-owner")
        .arg(&owners)
        .assert()
        // The fixture has an incomplete context: the calendar is written, the run exits 2.
        .code(2);

    let audit: AuditResults =
        serde_json::from_str(&std::fs::read_to_string(fixture()).expect("fixture")).expect("json");
    let mut expected: Vec<(String, NaiveDate, Option<String>)> = audit
        .contexts
        .iter()
        .flat_map(|c| &c.tokens)
        .filter(|t| matches!(t.token.status, TokenStatus::Active | TokenStatus::Pending))
        .filter_map(|t| {
            t.planned_expiry
                .map(|d| (t.token.reference_number.clone(), d, t.owner.clone()))
        })
        .collect();
    assert!(!expected.is_empty(), "the fixture has planned expiry dates");

    let raw = std::fs::read(&ics).expect("written");
    let text = String::from_utf8(raw).expect("utf-8");
    assert!(
        text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF only"
    );
    assert!(
        text.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );

    let events = parse(&ics);
    assert_eq!(events.len(), expected.len(), "{events:?}");
    let mut uids: Vec<&str> = events.iter().map(|e| e[0].as_str()).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    expected.sort();
    for (reference, due, owner) in &expected {
        let e = events
            .iter()
            .find(|e| e[3].contains(reference.as_str()))
            .unwrap_or_else(|| panic!("no event for {reference}: {events:?}"));
        assert_eq!(e[2], (*due - Duration::days(10)).to_string(), "{e:?}");
        assert!(e[3].contains(&due.to_string()), "{e:?}");
        assert!(!e[1].is_empty(), "DTSTAMP");
        assert_eq!(e[5], "1", "one VALARM");
        match owner {
            Some(o) if o.contains('@') => assert_eq!(e[4], format!("mailto:{o}")),
            Some(_) => assert_eq!(e[4], "invalid:nomail"),
            None => assert_eq!(e[4], ""),
        }
    }

    // One file per owner, each a valid calendar holding that owner's events.
    let mut total = 0;
    for entry in std::fs::read_dir(&owners).expect("per-owner dir") {
        let path = entry.expect("entry").path();
        let owner_events = parse(&path);
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        for e in &owner_events {
            if stem == "unassigned" {
                assert_eq!(e[4], "");
            } else {
                assert_eq!(e[4], format!("mailto:{stem}"), "{}", path.display());
            }
        }
        total += owner_events.len();
    }
    assert_eq!(total, expected.len());
}

/// Issue 10: each active KSeF certificate of a context signed in with a certificate gets an
/// event before its `validTo`, naming the owner the inventory gives; revoked ones get none.
#[test]
fn issue_10_calendar_has_an_event_before_each_certificate_expiry() {
    if parser_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).expect("fixture")).expect("json");
    let cert = |serial: &str, status: &str, valid_to: &str| {
        serde_json::json!({
            "certificateSerialNumber": serial,
            "name": "Faktury ERP",
            "type": "Authentication",
            "commonName": "Jan Kowalski",
            "status": status,
            "subjectIdentifier": {"type": "Pesel", "value": "85010112345"},
            "validFrom": "2025-03-01T10:00:00+00:00",
            "validTo": valid_to,
            "lastUseDate": "2026-11-01T10:00:00+00:00",
            "requestDate": "2025-03-01T09:00:00+00:00"
        })
    };
    doc["contexts"][0]["certificates"] = serde_json::json!({
        "signed-in-with": "1000000000000001",
        "list": [
            cert("1000000000000001", "Active", "2027-03-01T10:00:00+00:00"),
            cert("1000000000000002", "Revoked", "2027-02-01T10:00:00+00:00"),
        ]
    });
    doc["contexts"][0]["certificate_owners"] =
        serde_json::json!({"1000000000000001": "anna@example.test"});
    let audit_path = dir.path().join("audit.json");
    std::fs::write(&audit_path, doc.to_string()).expect("write");
    let ics = dir.path().join("reminders.ics");
    BinCommand::cargo_bin("ksef-audit")
        .expect("binary")
        .arg("calendar")
        .arg("--audit")
        .arg(&audit_path)
        .args(["--days-before", "10", "-o"])
        .arg(&ics)
        .assert()
        // The fixture has an incomplete context: the calendar is written, the run exits 2.
        .code(2);
    let events = parse(&ics);
    let certs: Vec<&Vec<String>> = events
        .iter()
        .filter(|e| e[0].starts_with("ksef-audit-certificate-"))
        .collect();
    assert_eq!(certs.len(), 1, "only the active certificate: {events:?}");
    let e = certs[0];
    assert!(e[0].contains("1000000000000001"), "{e:?}");
    assert_eq!(e[2], "2027-02-19", "ten days before validTo: {e:?}");
    assert!(
        e[3].contains("KSeF certificate 1000000000000001") && e[3].contains("2027-03-01"),
        "{e:?}"
    );
    assert_eq!(e[4], "mailto:anna@example.test");
    assert_eq!(e[5], "1");
    let text = std::fs::read_to_string(&ics)
        .expect("read")
        .replace("\r\n ", "");
    let start = text.find("UID:ksef-audit-certificate").expect("event");
    let block = &text[start..start + text[start..].find("END:VEVENT").expect("end")];
    assert!(
        !block.contains("85010112345"),
        "no PESEL in the event: {block}"
    );
}

/// Issue 14: `--lang pl` writes the event texts in Polish (dates as 30.11.2026), still a
/// calendar the parser accepts, with the same events and dates.
#[test]
fn issue_14_calendar_in_polish() {
    if parser_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let ics = dir.path().join("przypomnienia.ics");
    BinCommand::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["calendar", "--lang", "pl", "--audit"])
        .arg(fixture())
        .arg("-o")
        .arg(&ics)
        .assert()
        // The fixture has an incomplete context: the calendar is written, the run exits 2.
        .code(2);
    let events = parse(&ics);
    assert!(!events.is_empty());
    let date = regex::Regex::new(r"wygasa \d{2}\.\d{2}\.\d{4}").expect("regex");
    for e in &events {
        assert!(
            e[3].starts_with("Token KSeF ") || e[3].starts_with("Certyfikat KSeF "),
            "{e:?}"
        );
        assert!(
            e[3].contains(" wygasa ") && e[3].ends_with(": wymień go"),
            "{e:?}"
        );
        assert!(date.is_match(&e[3]), "{e:?}");
    }
    let text = std::fs::read_to_string(&ics)
        .expect("ics")
        .replace("\r\n ", "");
    assert!(
        text.contains("Właściciel:") && !text.contains("Owner:"),
        "{text}"
    );
}

/// Runs `calendar --audit DOC ARGS` on a changed copy of the fixture: (exit code, the
/// unfolded calendar, stderr).
fn calendar_of(doc: &serde_json::Value, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit_path = dir.path().join("audit.json");
    std::fs::write(&audit_path, doc.to_string()).expect("write");
    let ics = dir.path().join("reminders.ics");
    let out = BinCommand::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["calendar", "--audit"])
        .arg(&audit_path)
        .args(args)
        .arg("-o")
        .arg(&ics)
        .output()
        .expect("runs");
    let text = std::fs::read_to_string(&ics)
        .unwrap_or_default()
        .replace("\r\n ", "");
    (
        out.status.code(),
        text,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture_doc() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture()).expect("fixture")).expect("json")
}

/// The fixture without its incomplete context.
fn complete_doc() -> serde_json::Value {
    let mut doc = fixture_doc();
    let contexts: Vec<serde_json::Value> = doc["contexts"]
        .as_array()
        .expect("contexts")
        .iter()
        .filter(|c| c["status"] == "complete")
        .cloned()
        .collect();
    doc["contexts"] = serde_json::Value::Array(contexts);
    doc["summary"]["contexts_incomplete"] = 0.into();
    doc
}

/// Issue 21, point 9: a PESEL in a token description never appears in clear in the calendar.
#[test]
fn issue_21_calendar_masks_pesels() {
    let mut doc = complete_doc();
    doc["contexts"][0]["name"] = "Jan Kowalski 85010112345".into();
    let (code, text, _) = calendar_of(&doc, &[]);
    assert_eq!(code, Some(0));
    assert!(text.contains("PESEL 85*******45"), "{text}");
    assert!(!text.contains("85010112345"), "{text}");
}

/// Issue 21, point 11: a huge `--days-before` or a planned expiry at the end of the
/// calendar never panics: the reminder is left out with a warning.
#[test]
fn issue_21_calendar_out_of_range_dates_do_not_panic() {
    let doc = complete_doc();
    let (code, text, err) = calendar_of(&doc, &["--days-before", "100000000"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("outside the dates a calendar can hold"),
        "{err}"
    );
    assert!(
        text.contains("BEGIN:VCALENDAR") && !text.contains("BEGIN:VEVENT"),
        "{text}"
    );

    let mut doc = complete_doc();
    doc["contexts"][0]["tokens"][0]["planned_expiry"] = "-262143-01-01".into();
    let (code, text, err) = calendar_of(&doc, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("-262143-01-01"), "{err}");
    assert!(
        text.contains("BEGIN:VEVENT"),
        "the other reminders stay: {text}"
    );
}

/// Issue 21, point 12: an owner with control characters is not an e-mail address and never
/// lands raw in `ATTENDEE`.
#[test]
fn issue_21_calendar_owner_with_control_characters_is_not_mailed() {
    let mut doc = complete_doc();
    doc["contexts"][0]["tokens"][0]["owner"] = "x\u{1}y@evil.example.pl".into();
    let (code, text, _) = calendar_of(&doc, &[]);
    assert_eq!(code, Some(0));
    assert!(!text.contains("mailto:x"), "{text}");
    assert!(!text.contains('\u{1}'), "{text}");
    assert!(
        text.contains("CN=\"xy@evil.example.pl\";ROLE=REQ-PARTICIPANT:invalid:nomail"),
        "{text}"
    );
}

/// Issue 21, point 20: `calendar` on an audit with an incomplete context still writes the
/// calendar and exits 2, as `report` does.
#[test]
fn issue_21_calendar_of_an_incomplete_audit_exits_2() {
    let (code, text, err) = calendar_of(&fixture_doc(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(text.contains("BEGIN:VEVENT"), "{text}");
    assert!(err.contains("7762811692"), "{err}");
    let (code, _, _) = calendar_of(&complete_doc(), &[]);
    assert_eq!(code, Some(0));
}
