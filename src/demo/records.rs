//! The example firm's own records: its token inventory (a Polish spreadsheet export:
//! semicolons, Polish headers, `DD.MM.YYYY`), its staff list and its exceptions file.
//!
//! Written so that, audited against [`demo_firm`](crate::demo_firm), every policy rule
//! finds at least one case (a test checks this). Deterministic for a given fixture and `now`.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::demo::firm::ACCOUNTING_FIRM_NIP;
use crate::demo::firm::AUDITOR_DESCRIPTION_PREFIX;
use crate::demo::firm::demo_staff;
use ksef_model::CertificateRecord;
use ksef_model::Permission;
use ksef_model::StaffStatus;
use ksef_model::TokenStatus;
use ksef_model::crc8;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::FixtureToken;

/// The three files, as text.
#[derive(Debug, Clone)]
pub struct DemoRecords {
    pub inventory_csv: String,
    pub staff_csv: String,
    pub exceptions_toml: String,
    /// The approved access register: the office's own invoice grants in every context.
    pub access_register_csv: String,
}

/// Inventory headers as the firm's spreadsheet has them (Polish, with an extra column).
const HEADERS: &[&str] = &[
    "NIP",
    "Numer referencyjny",
    "Nazwa tokena",
    "System",
    "Środowisko",
    "Właściciel",
    "Uprawnienia",
    "Data wygaśnięcia",
    "Uwagi",
    "Dział",
    "Numer seryjny certyfikatu",
];

struct Row {
    nip: String,
    reference: String,
    name: String,
    system: String,
    environment: String,
    owner: String,
    permissions: Vec<Permission>,
    expires: Option<NaiveDate>,
    notes: String,
    department: &'static str,
    /// KSeF certificate serial number, for a row naming a certificate.
    serial: String,
}

impl Row {
    fn new(ctx: &FixtureContext, t: &FixtureToken, owner: &str, expires: Option<NaiveDate>) -> Row {
        let system = t
            .record
            .description
            .split('-')
            .nth(1)
            .unwrap_or("ERP")
            .to_string();
        Row {
            nip: ctx.nip.clone(),
            reference: t.record.reference_number.clone(),
            name: t.record.description.clone(),
            system,
            environment: crate::demo::DEMO_ENVIRONMENT_LABEL.into(),
            owner: owner.to_string(),
            permissions: t.record.requested_permissions.clone(),
            expires,
            notes: String::new(),
            department: "Księgowość",
            serial: String::new(),
        }
    }

    /// A row naming a KSeF certificate (no token reference).
    fn certificate(nip: &str, c: &CertificateRecord, owner: &str) -> Row {
        Row {
            nip: nip.to_string(),
            reference: String::new(),
            name: c.name.clone(),
            system: "KSeF (certyfikat)".into(),
            environment: "prod".into(),
            owner: owner.to_string(),
            permissions: Vec::new(),
            expires: Some(c.valid_to.date_naive()),
            notes: String::new(),
            department: "Księgowość",
            serial: c.certificate_serial_number.clone(),
        }
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn day(now: DateTime<Utc>, days: i64) -> NaiveDate {
    (now + Duration::days(days)).date_naive()
}

fn is_optima_duplicate(t: &FixtureToken) -> bool {
    t.record.description.contains("-Optima-prod-")
        && t.record.author_identifier.value == ACCOUNTING_FIRM_NIP
}

/// Builds the records for `fixture` as seen at `now`.
pub fn demo_records(fixture: &Fixture, now: DateTime<Utc>) -> DemoRecords {
    let staff = demo_staff(now);
    let active: Vec<&str> = staff
        .iter()
        .filter(|m| m.status == StaffStatus::Active)
        .map(|m| m.id.as_str())
        .collect();
    let leaver = staff
        .iter()
        .find(|m| m.status == StaffStatus::Left)
        .map_or("", |m| m.id.as_str());
    let owner = |i: usize| active.get(i % active.len().max(1)).copied().unwrap_or("");
    let mut rows: Vec<Row> = Vec::new();
    let mut exception_refs: Vec<String> = Vec::new();
    for (ci, ctx) in fixture.contexts.iter().enumerate() {
        let mut optima = 0;
        let mut listed_revoked = false;
        let mut secret_pasted = false;
        for (ti, t) in ctx.tokens.iter().enumerate() {
            let rec = &t.record;
            if rec.description.starts_with(AUDITOR_DESCRIPTION_PREFIX) {
                let mut row = Row::new(ctx, t, owner(0), Some(day(now, 180)));
                row.system = "ksef-audit".into();
                row.name = "ksef-audit (przegląd tokenów)".into();
                row.department = "IT";
                rows.push(row);
                continue;
            }
            match ti {
                // Symfonia, old and idle: its owner has left, its planned expiry passed.
                1 => {
                    let row = Row::new(ctx, t, leaver, Some(day(now, -10)));
                    exception_refs.push(rec.reference_number.clone());
                    rows.push(row);
                }
                // Fresh Comarch token: nobody listed it.
                2 => {}
                // Administrative token: only InvoiceWrite was approved; rotation due soon;
                // in the first context the spreadsheet says it is a test token.
                3 => {
                    let mut row = Row::new(ctx, t, owner(1), Some(day(now, 7)));
                    row.permissions = vec![Permission::InvoiceWrite];
                    row.system = "Subiekt".into();
                    if ci == 0 {
                        row.environment = "test".into();
                    }
                    rows.push(row);
                }
                // Pending, Revoking and Failed tokens the firm expects to work.
                4..=6 => rows.push(Row::new(ctx, t, owner(ti), Some(day(now, 300)))),
                _ if is_optima_duplicate(t) => {
                    let mut row = Row::new(ctx, t, owner(ti), Some(day(now, 200)));
                    match optima {
                        0 => row.owner = String::new(),
                        1 => row.expires = None,
                        _ => {}
                    }
                    optima += 1;
                    rows.push(row);
                }
                _ if rec.status == TokenStatus::Active => {
                    let mut row = Row::new(ctx, t, owner(ti), Some(day(now, 60 + ti as i64)));
                    if ci == 3
                        && !secret_pasted
                        && let Some(token) = ctx.token_string(t)
                    {
                        // Someone pasted the token itself into the spreadsheet.
                        row.notes = format!("token: {token}");
                        secret_pasted = true;
                    }
                    rows.push(row);
                }
                _ if rec.status == TokenStatus::Revoked && ci == 0 && !listed_revoked => {
                    listed_revoked = true;
                    rows.push(Row::new(ctx, t, owner(ti), Some(day(now, 30))));
                }
                _ => {}
            }
        }
        if ci == 0 {
            // A token the spreadsheet remembers and KSeF does not know.
            let head = format!(
                "{}-EC-0000DEAD00-00000BEEF0",
                day(now, -400).format("%Y%m%d")
            );
            let reference = format!("{head}-{:02X}", crc8(head.as_bytes()));
            rows.push(Row {
                nip: ctx.nip.clone(),
                reference,
                name: "stary ERP (wyłączony)".into(),
                system: "Symfonia".into(),
                environment: crate::demo::DEMO_ENVIRONMENT_LABEL.into(),
                owner: owner(2).into(),
                permissions: vec![Permission::InvoiceRead],
                expires: Some(day(now, 90)),
                notes: "system wyłączony w zeszłym roku".into(),
                department: "Księgowość",
                serial: String::new(),
            });
        }
        // The certificates the firm keeps track of, and one it remembers wrongly.
        for c in &ctx.certificates {
            if !crate::demo::certificates::listed_in_inventory(&c.certificate_serial_number) {
                continue;
            }
            let owner_of = staff
                .iter()
                .find(|m| m.pesel.as_deref() == Some(c.subject_identifier.value.as_str()))
                .map_or("", |m| m.id.as_str());
            rows.push(Row::certificate(&ctx.nip, c, owner_of));
        }
        if !ctx.certificates.is_empty() {
            let mut row = Row::certificate(&ctx.nip, &ctx.certificates[0], owner(0));
            row.name = "certyfikat sprzed migracji".into();
            row.serial = crate::demo::certificates::DEMO_UNKNOWN_SERIAL.into();
            rows.push(row);
        }
    }
    DemoRecords {
        inventory_csv: inventory_csv(&rows),
        staff_csv: staff_csv(now),
        exceptions_toml: exceptions_toml(&exception_refs, now),
        access_register_csv: access_register_csv(fixture),
    }
}

/// Only the office's invoice grants are approved; every other grant is beyond it.
fn access_register_csv(fixture: &Fixture) -> String {
    let mut out = String::from("nip;holder;permissions\n");
    for ctx in &fixture.contexts {
        out.push_str(&format!(
            "{};{ACCOUNTING_FIRM_NIP};InvoiceRead InvoiceWrite\n",
            ctx.nip
        ));
    }
    out
}

fn inventory_csv(rows: &[Row]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let _ = w.write_record(HEADERS);
    for r in rows {
        let perms: Vec<&str> = r.permissions.iter().map(Permission::as_str).collect();
        let _ = w.write_record([
            r.nip.as_str(),
            &r.reference,
            &r.name,
            &r.system,
            &r.environment,
            &r.owner,
            &perms.join(", "),
            &r.expires.map(date).unwrap_or_default(),
            &r.notes,
            r.department,
            &r.serial,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn staff_csv(now: DateTime<Utc>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "name", "pesel", "nip", "status", "left_on"]);
    for m in demo_staff(now) {
        let _ = w.write_record([
            m.id.as_str(),
            m.name.as_deref().unwrap_or(""),
            m.pesel.as_deref().unwrap_or(""),
            m.nip.as_deref().unwrap_or(""),
            match m.status {
                StaffStatus::Active => "active",
                StaffStatus::Left => "left",
            },
            &m.left_on.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn exceptions_toml(refs: &[String], now: DateTime<Utc>) -> String {
    let mut out =
        String::from("# Accepted risks of the example firm (ksef-audit.exceptions.toml).\n");
    if let Some(r) = refs.first() {
        out.push_str(&format!(
            "\n[[exception]]\nrule = \"rotation-due\"\ntarget = \"{r}\"\nreason = \"Symfonia is replaced next quarter; the token goes with it\"\nowner = \"anna.zielinska@bilans.example.pl\"\nexpires = {}\n",
            day(now, 90)
        ));
    }
    if let Some(r) = refs.get(2) {
        out.push_str(&format!(
            "\n[[exception]]\nrule = \"unused-token\"\ntarget = \"{r}\"\nreason = \"seasonal client, invoices only in summer\"\nowner = \"katarzyna.wojcik@bilans.example.pl\"\nexpires = {}\n",
            day(now, -5)
        ));
    }
    out.push_str(&format!(
        "\n[[exception]]\nrule = \"never-used\"\ntarget = \"99*\"\nreason = \"clients onboarded in bulk\"\nowner = \"anna.zielinska@bilans.example.pl\"\nexpires = {}\n",
        day(now, 30)
    ));
    out
}
