//! KSeF certificates in the reports: the expiry calendar of the next 90 days (review and
//! quarterly report) and the token-sunset readiness of each client (quarterly report).
//! Leavers' certificates are urgent facts (see `urgent`).

use crate::render::html::model::*;
use ksef_model::ANNOUNCED_TOKEN_SUNSET;
use ksef_model::AuditContext;
use ksef_model::CertificateStatus;
use ksef_model::FindingSubject;
use ksef_model::TokenStatus;

/// Certificates expiring within this many days are on the calendar.
pub const CALENDAR_DAYS: i64 = 90;

fn active_certificates(c: &AuditContext, as_of: NaiveDate) -> usize {
    c.certificates
        .list
        .iter()
        .filter(|x| x.status == CertificateStatus::Active && x.valid_to.date_naive() >= as_of)
        .count()
}

/// The expiry calendar and the readiness table.
pub(super) fn certificates(cx: &Ctx<'_>) -> Certificates {
    let Some(a) = cx.audit else {
        return Certificates::default();
    };
    let mut expiring: Vec<(NaiveDate, CertificateRow)> = Vec::new();
    for c in &a.contexts {
        for cert in &c.certificates.list {
            let due = cert.valid_to.date_naive();
            let days_left = (due - cx.as_of).num_days();
            if cert.status != CertificateStatus::Active || days_left > CALENDAR_DAYS {
                continue;
            }
            let serial = &cert.certificate_serial_number;
            expiring.push((
                due,
                CertificateRow {
                    date: cx.date(due),
                    days_left,
                    nip: cx.mask.nip(&c.nip),
                    client: cx.mask.opt_text(c.name.as_deref()),
                    serial: serial.clone(),
                    name: cx.mask.text(&cert.name),
                    subject: cert.subject_identifier.masked(),
                    owner: cx.mask.opt_text(
                        c.certificate_owners
                            .get(&serial.to_uppercase())
                            .map(String::as_str),
                    ),
                    expired: days_left < 0,
                },
            ));
        }
    }
    expiring.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.serial.cmp(&b.1.serial)));
    let read_any = a
        .contexts
        .iter()
        .any(|c| c.certificates.signed_in_with.is_some());
    Certificates {
        read_any,
        expiring: expiring.into_iter().map(|(_, r)| r).collect(),
        readiness: readiness(cx, &a.contexts),
    }
}

/// How many integrations still depend on tokens, per client and in total.
fn readiness(cx: &Ctx<'_>, contexts: &[AuditContext]) -> Readiness {
    let sunset = NaiveDate::parse_from_str(ANNOUNCED_TOKEN_SUNSET, "%Y-%m-%d").unwrap_or_default();
    let rows: Vec<ReadinessRow> = contexts
        .iter()
        .map(|c| {
            let tokens = c
                .tokens
                .iter()
                .filter(|t| t.token.status == TokenStatus::Active)
                .count();
            // Known only where the context signed in with a certificate.
            let certificates = if c.certificates.signed_in_with.is_some() {
                active_certificates(c, cx.as_of).to_string()
            } else {
                "–".to_string()
            };
            let state = match (tokens, c.certificates.signed_in_with.is_some()) {
                (0, _) => "ready",
                (_, true) => "partly",
                (_, false) => "tokens",
            };
            ReadinessRow {
                nip: cx.mask.nip(&c.nip),
                client: cx.mask.opt_text(c.name.as_deref()),
                tokens,
                certificates,
                state,
                state_label: cx.tr(&format!("sunset_state_{state}")),
            }
        })
        .collect();
    let dependent = rows.iter().filter(|r| r.tokens > 0).count();
    let tokens: usize = rows.iter().map(|r| r.tokens).sum();
    let line = cx
        .tr("sunset_line")
        .replace("{date}", &cx.date(sunset))
        .replace("{days}", &(sunset - cx.as_of).num_days().to_string())
        .replace("{tokens}", &tokens.to_string())
        .replace("{dependent}", &dependent.to_string())
        .replace("{total}", &rows.len().to_string());
    Readiness { line, rows }
}

/// Urgent: each open finding about a leaver's certificate.
pub(super) fn leaver_certificates(cx: &Ctx<'_>) -> Vec<(Severity, String)> {
    let Some(a) = cx.audit else {
        return Vec::new();
    };
    a.findings
        .iter()
        .filter(|f| !f.excepted && f.rule == "certificate-of-leaver")
        .map(|f| {
            let (subject, valid_to) = match &f.subject {
                Some(FindingSubject::Certificate {
                    subject, valid_to, ..
                }) => (
                    subject.clone(),
                    valid_to
                        .map(|d| cx.date(d.date_naive()))
                        .unwrap_or_default(),
                ),
                _ => (String::new(), String::new()),
            };
            let text = cx
                .tr("urgent_leaver_certificate")
                .replace("{serial}", f.certificate_serial.as_deref().unwrap_or(""))
                .replace("{subject}", &subject)
                .replace("{nip}", &cx.mask.nip(&f.nip))
                .replace("{date}", &valid_to);
            (f.severity, text)
        })
        .collect()
}
