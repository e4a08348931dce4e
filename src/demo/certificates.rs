//! The demo firm's KSeF certificates: one client context whose certificate list shows every
//! certificate rule at work (expiring soon, a leaver's, never used, blocked but still in the
//! inventory, limits nearly used up), and two tokens whose listing carries a validity end (a
//! field KSeF may add before the token sunset) for the sunset rules.
//!
//! The certificate the demo signs in with is issued at run time by the demo's scenario CA
//! ([`demo_signing_subject`]); its record joins the list then ([`signing_record`]).

use chrono::{DateTime, Duration, Utc};

use crate::demo::firm::demo_people;
use ksef_model::CertificateLimit;
use ksef_model::CertificateLimits;
use ksef_model::CertificateRecord;
use ksef_model::CertificateStatus;
use ksef_model::CertificateSubject;
use ksef_model::CertificateType;
use ksef_model::TokenStatus;
use ksef_sim::Fixture;

/// NIP of the client context the demo signs in to with a certificate (XAdES).
pub const DEMO_CERTIFICATE_NIP: &str = "8123456701";
/// Serial number the inventory lists though KSeF does not know it.
pub const DEMO_UNKNOWN_SERIAL: &str = "5A5A0000DEADBEEF";
/// Certificates no inventory row names.
const UNLISTED: &[&str] = &["3C0FFEE000000004", "3C0FFEE000000006"];

/// Who the demo's signing certificate is issued to: an active person of the office,
/// `(pesel, given name, surname)`.
pub fn demo_signing_subject() -> (String, String, String) {
    let anna = demo_people().into_iter().next();
    match anna {
        Some(p) => {
            let (given, surname) = p.name.split_once(' ').unwrap_or((p.name, ""));
            (p.pesel, given.to_string(), surname.to_string())
        }
        None => (String::new(), String::new(), String::new()),
    }
}

fn record(
    serial: &str,
    name: &str,
    status: CertificateStatus,
    pesel: &str,
    common_name: &str,
    valid_to: DateTime<Utc>,
    last_use: Option<DateTime<Utc>>,
) -> CertificateRecord {
    CertificateRecord {
        certificate_serial_number: serial.to_string(),
        name: name.to_string(),
        kind: CertificateType::Authentication,
        common_name: common_name.to_string(),
        status,
        subject_identifier: CertificateSubject {
            kind: "Pesel".into(),
            value: pesel.to_string(),
        },
        valid_from: valid_to - Duration::days(730),
        valid_to,
        last_use_date: last_use,
        request_date: valid_to - Duration::days(731),
        extra: serde_json::Map::new(),
    }
}

/// The record KSeF lists for the certificate the demo signs in with.
pub fn signing_record(
    serial: &str,
    valid_to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CertificateRecord {
    let (pesel, given, surname) = demo_signing_subject();
    let mut r = record(
        serial,
        "ksef-audit (przegląd)",
        CertificateStatus::Active,
        &pesel,
        &format!("{given} {surname}"),
        valid_to,
        Some(now - Duration::days(1)),
    );
    r.request_date = now - Duration::hours(2);
    r
}

/// Adds the certificate list and limits of [`DEMO_CERTIFICATE_NIP`], and a validity end to
/// two active tokens of the first client.
pub fn add_demo_certificates(fixture: &mut Fixture, now: DateTime<Utc>) {
    let people = demo_people();
    let pesel = |i: usize| people.get(i).map(|p| p.pesel.clone()).unwrap_or_default();
    let name = |i: usize| people.get(i).map(|p| p.name).unwrap_or_default();
    // Piotr Wiśniewski left 120 days ago; Katarzyna and Magdalena work here.
    let list = vec![
        record(
            "3C0FFEE000000001",
            "Faktury – Subiekt",
            CertificateStatus::Active,
            &pesel(2),
            name(2),
            now + Duration::days(20),
            Some(now - Duration::days(2)),
        ),
        record(
            "3C0FFEE000000002",
            "Faktury – Optima",
            CertificateStatus::Active,
            &pesel(4),
            name(4),
            now + Duration::days(45),
            Some(now - Duration::days(5)),
        ),
        record(
            "3C0FFEE000000003",
            "Certyfikat P. Wiśniewskiego",
            CertificateStatus::Active,
            &pesel(1),
            name(1),
            now + Duration::days(400),
            Some(now - Duration::days(100)),
        ),
        record(
            "3C0FFEE000000004",
            "Certyfikat testowy",
            CertificateStatus::Active,
            &pesel(4),
            name(4),
            now + Duration::days(640),
            None,
        ),
        record(
            "3C0FFEE000000005",
            "Stary ERP",
            CertificateStatus::Blocked,
            &pesel(2),
            name(2),
            now + Duration::days(200),
            Some(now - Duration::days(60)),
        ),
        record(
            "3C0FFEE000000006",
            "Certyfikat 2024",
            CertificateStatus::Revoked,
            &pesel(0),
            name(0),
            now + Duration::days(100),
            Some(now - Duration::days(300)),
        ),
    ];
    if let Some(ctx) = fixture
        .contexts
        .iter_mut()
        .find(|c| c.nip == DEMO_CERTIFICATE_NIP)
    {
        ctx.certificates = list;
        ctx.certificate_limits = Some(CertificateLimits {
            can_request: true,
            enrollment: CertificateLimit {
                remaining: 12,
                limit: 300,
            },
            certificate: CertificateLimit {
                remaining: 1,
                limit: 10,
            },
        });
    }
    // Two active tokens of the first client whose listing carries `validTo`.
    if let Some(ctx) = fixture.contexts.first_mut() {
        let mut active = ctx
            .tokens
            .iter_mut()
            .filter(|t| t.record.status == TokenStatus::Active)
            .filter(|t| {
                !t.record
                    .description
                    .starts_with(crate::demo::AUDITOR_DESCRIPTION_PREFIX)
            });
        for days in [60, 200] {
            if let Some(t) = active.next() {
                t.record.extra.insert(
                    "validTo".into(),
                    (now + Duration::days(days)).to_rfc3339().into(),
                );
            }
        }
    }
}

/// Whether the demo inventory lists the certificate.
pub(super) fn listed_in_inventory(serial: &str) -> bool {
    !UNLISTED.contains(&serial)
}
