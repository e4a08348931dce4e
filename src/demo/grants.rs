//! The demo firm's permission grants, per client NIP: the cases the grant rules look
//! for, next to ordinary grants.
//!
//! - leavers' PESELs (from [`demo_people`]) still holding grants, one of them with
//!   `CredentialsManage` and `InvoiceWrite` (Iskra, Dębowy Dwór; a hidden one in
//!   Złoty Kłos, whose auditor token cannot read grants);
//! - a stranger: a PESEL on no staff list (Mazury);
//! - a delegator: the accounting office's NIP with `canDelegate` (Iskra);
//! - three `CredentialsManage` holders in one context (Transbud);
//! - an indirect grant reaching all partners (`AllPartners`, Transbud);
//! - a certificate-fingerprint-only holder, and a fingerprint with a staff PESEL
//!   behind it (Pod Lipami);
//! - entity authorizations (self-invoicing, tax representative) and a received
//!   entity grant; Nowak is the clean context.
//!
//! Deterministic for a given `now`; every identifier is synthetic.

use chrono::{DateTime, Duration, Utc};

use crate::demo::ACCOUNTING_FIRM_NIP;
use crate::demo::DemoPerson;
use crate::demo::demo_people;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::GrantSubject;
use ksef_model::IdentifierType;
use ksef_model::KnownParty;
use ksef_model::PermissionState;
use ksef_model::SubjectDetailsType;
use ksef_model::fingerprint_hex;
use ksef_sim::Fixture;

const ISKRA: &str = "5261048379";
const ZLOTY_KLOS: &str = "7742901156";
const TRANSBUD: &str = "9512384066";
const POD_LIPAMI: &str = "6771835266";
const DEBOWY_DWOR: &str = "8123456701";
const MAZURY: &str = "5832219473";
const NOWAK: &str = "8690174324";

/// Synthetic PESEL of someone the accounting office does not know.
pub const DEMO_STRANGER_PESEL: &str = "78051234567";
/// Synthetic PESEL of a client's co-owner (a third `CredentialsManage` holder).
const CLIENT_OWNER_PESEL: &str = "66110843216";
/// Synthetic PESEL of a client's dispatcher with an `AllPartners` grant.
const DISPATCHER_PESEL: &str = "91022377885";
/// Outside entities (valid check digits, examples of the KSeF contract).
const RETAILER_NIP: &str = "7762811692";
const TAX_REPRESENTATIVE_NIP: &str = "9786214922";
const HOTEL_NIP: &str = "3936518395";

/// Indexes into [`demo_people`].
const ANNA: usize = 0;
const PIOTR_LEFT: usize = 1;
const KATARZYNA: usize = 2;
const TOMASZ_LEFT: usize = 3;
const MAGDALENA: usize = 4;
const MICHAL: usize = 5;

/// The certificate fingerprint of a holder with no PESEL or NIP behind it.
pub fn demo_fingerprint_only() -> String {
    fingerprint_hex(b"ksef-audit demo: certificate of Hans Gruber").to_uppercase()
}

/// Every client context's grants, as `(NIP, grants)`, in the demo firm's order.
pub fn demo_grants(now: DateTime<Utc>) -> Vec<(String, Vec<GrantRecord>)> {
    let people = demo_people();
    let mut out = Vec::new();
    for (nip, specs) in [
        (ISKRA, iskra(&people)),
        (ZLOTY_KLOS, zloty_klos(&people)),
        (TRANSBUD, transbud(&people)),
        (POD_LIPAMI, pod_lipami(&people)),
        (DEBOWY_DWOR, debowy_dwor(&people)),
        (MAZURY, mazury()),
        (NOWAK, nowak(&people)),
    ] {
        let mut specs = specs;
        // The office itself reads invoices in every client context: one holder across
        // all of them (holder-in-many-contexts).
        if [ZLOTY_KLOS, TRANSBUD, POD_LIPAMI, DEBOWY_DWOR].contains(&nip) {
            specs.push(firm(
                GrantScope::InvoiceRead,
                "biuro rachunkowe: przeglądanie faktur",
                500,
                nip,
            ));
        }
        let grants = specs
            .into_iter()
            .enumerate()
            .map(|(i, spec)| spec.build(nip, i, now))
            .collect();
        out.push((nip.to_string(), grants));
    }
    out
}

/// The demo office's `[[known-parties]]`: itself, the clients' own people and the
/// outside entities its clients authorized. The stranger and the foreign consultant's
/// certificate are on no list.
pub fn demo_known_parties() -> Vec<KnownParty> {
    let party = |identifier: GrantIdentifier, name: &str, reason: &str| KnownParty {
        identifier,
        name: name.into(),
        reason: reason.into(),
    };
    vec![
        party(
            GrantIdentifier::nip(ACCOUNTING_FIRM_NIP),
            "Biuro Rachunkowe Bilans sp. z o.o.",
            "our own office: delegated access to client contexts",
        ),
        party(
            GrantIdentifier::pesel(CLIENT_OWNER_PESEL),
            "Jan Kowalski",
            "Transbud: co-owner",
        ),
        party(
            GrantIdentifier::pesel(DISPATCHER_PESEL),
            "Roman Dyspozytorski",
            "Transbud: dispatcher",
        ),
        party(
            GrantIdentifier::nip(RETAILER_NIP),
            "Salony Meblowe Komfort S.A.",
            "Dębowy Dwór: self-invoicing partner",
        ),
        party(
            GrantIdentifier::nip(TAX_REPRESENTATIVE_NIP),
            "tax representative",
            "client's tax representative",
        ),
        party(
            GrantIdentifier::nip(HOTEL_NIP),
            "hotel group",
            "client's partner",
        ),
    ]
}

/// Puts [`demo_grants`] into the matching contexts of a fixture (others untouched).
pub fn add_demo_grants(fixture: &mut Fixture, now: DateTime<Utc>) {
    for (nip, grants) in demo_grants(now) {
        if let Some(ctx) = fixture.contexts.iter_mut().find(|c| c.nip == nip) {
            ctx.grants = grants;
        }
    }
}

/// One grant before it gets its id and date.
struct Spec {
    kind: GrantKind,
    holder: GrantIdentifier,
    scope: GrantScope,
    description: &'static str,
    days_ago: i64,
    can_delegate: bool,
    author: Option<GrantIdentifier>,
    target: Option<GrantIdentifier>,
    context: Option<GrantIdentifier>,
    subject: Option<GrantSubject>,
}

impl Spec {
    fn person(
        holder: GrantIdentifier,
        scope: GrantScope,
        description: &'static str,
        days_ago: i64,
        author: GrantIdentifier,
    ) -> Spec {
        Spec {
            kind: GrantKind::Person,
            holder,
            scope,
            description,
            days_ago,
            can_delegate: false,
            author: Some(author),
            target: None,
            context: None,
            subject: None,
        }
    }

    fn named(mut self, first: &str, last: &str) -> Spec {
        let details_type = match self.holder.kind {
            IdentifierType::Fingerprint => SubjectDetailsType::PersonByFingerprintWithoutIdentifier,
            _ => SubjectDetailsType::PersonByIdentifier,
        };
        self.subject = Some(GrantSubject {
            details_type,
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            full_name: None,
            person_identifier: None,
            extra: Default::default(),
        });
        self
    }

    fn entity_named(mut self, full_name: &str) -> Spec {
        self.subject = Some(GrantSubject {
            details_type: SubjectDetailsType::EntityByIdentifier,
            first_name: None,
            last_name: None,
            full_name: Some(full_name.into()),
            person_identifier: None,
            extra: Default::default(),
        });
        self
    }

    fn build(self, nip: &str, index: usize, now: DateTime<Utc>) -> GrantRecord {
        GrantRecord {
            id: grant_id(nip, index),
            kind: self.kind,
            holder: self.holder,
            scope: self.scope,
            description: self.description.into(),
            start_date: now - Duration::days(self.days_ago) - Duration::minutes(index as i64),
            can_delegate: self.can_delegate,
            author: self.author,
            target: self.target,
            context: self.context,
            state: Some(PermissionState::Active),
            subject: self.subject,
            extra: Default::default(),
        }
    }
}

/// A UUID-shaped id derived from the context and the grant's position.
fn grant_id(nip: &str, index: usize) -> String {
    let h = fingerprint_hex(format!("ksef-audit demo grant {nip} {index}").as_bytes());
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..15],
        &h[15..18],
        &h[18..30]
    )
}

fn pesel(people: &[DemoPerson], i: usize) -> GrantIdentifier {
    GrantIdentifier::pesel(people[i].pesel.clone())
}

fn first_last(people: &[DemoPerson], i: usize) -> (&'static str, &'static str) {
    people[i]
        .name
        .split_once(' ')
        .unwrap_or((people[i].name, ""))
}

/// A grant to a person of the accounting office, with their name as KSeF shows it.
fn staff(
    people: &[DemoPerson],
    i: usize,
    scope: GrantScope,
    description: &'static str,
    days_ago: i64,
    author: GrantIdentifier,
) -> Spec {
    let (first, last) = first_last(people, i);
    Spec::person(pesel(people, i), scope, description, days_ago, author).named(first, last)
}

fn firm(scope: GrantScope, description: &'static str, days_ago: i64, client: &str) -> Spec {
    Spec::person(
        GrantIdentifier::nip(ACCOUNTING_FIRM_NIP),
        scope,
        description,
        days_ago,
        GrantIdentifier::nip(client),
    )
    .entity_named("Biuro Rachunkowe Bilans sp. z o.o.")
}

fn iskra(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(ISKRA);
    let mut delegate_read = firm(
        GrantScope::InvoiceRead,
        "biuro rachunkowe: przeglądanie faktur (z delegacją)",
        700,
        ISKRA,
    );
    delegate_read.can_delegate = true;
    let mut delegate_write = firm(
        GrantScope::InvoiceWrite,
        "biuro rachunkowe: wystawianie faktur (z delegacją)",
        700,
        ISKRA,
    );
    delegate_write.can_delegate = true;
    vec![
        staff(
            people,
            ANNA,
            GrantScope::InvoiceRead,
            "księgowa prowadząca",
            400,
            owner.clone(),
        ),
        staff(
            people,
            ANNA,
            GrantScope::InvoiceWrite,
            "księgowa prowadząca",
            400,
            owner.clone(),
        ),
        staff(
            people,
            PIOTR_LEFT,
            GrantScope::InvoiceWrite,
            "wystawianie faktur sprzedaży",
            650,
            owner.clone(),
        ),
        staff(
            people,
            PIOTR_LEFT,
            GrantScope::CredentialsManage,
            "administrator uprawnień (zastępstwo)",
            640,
            owner,
        ),
        delegate_read,
        delegate_write,
    ]
}

fn zloty_klos(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(ZLOTY_KLOS);
    vec![
        staff(
            people,
            KATARZYNA,
            GrantScope::InvoiceRead,
            "przeglądanie faktur zakupu",
            300,
            owner.clone(),
        ),
        // Hidden from the demo's auditor (its token lacks CredentialsRead).
        staff(
            people,
            TOMASZ_LEFT,
            GrantScope::CredentialsManage,
            "administrator uprawnień",
            500,
            owner,
        ),
    ]
}

fn transbud(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(TRANSBUD);
    let mut all_partners = Spec::person(
        GrantIdentifier::pesel(DISPATCHER_PESEL),
        GrantScope::InvoiceWrite,
        "dyspozytor: faktury wszystkich partnerów",
        90,
        owner.clone(),
    )
    .named("Roman", "Dyspozytorski");
    all_partners.target = Some(GrantIdentifier {
        kind: IdentifierType::AllPartners,
        value: None,
    });
    vec![
        staff(
            people,
            ANNA,
            GrantScope::CredentialsManage,
            "administrator uprawnień po stronie biura",
            800,
            owner.clone(),
        ),
        staff(
            people,
            MAGDALENA,
            GrantScope::CredentialsManage,
            "zastępstwo administratora",
            200,
            owner.clone(),
        ),
        Spec::person(
            GrantIdentifier::pesel(CLIENT_OWNER_PESEL),
            GrantScope::CredentialsManage,
            "wspólnik: zarządzanie uprawnieniami",
            30,
            owner.clone(),
        )
        .named("Jan", "Kowalski"),
        staff(
            people,
            TOMASZ_LEFT,
            GrantScope::InvoiceRead,
            "przeglądanie faktur kosztowych",
            365,
            owner,
        ),
        all_partners,
    ]
}

fn pod_lipami(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(POD_LIPAMI);
    let mut behind = Spec::person(
        GrantIdentifier::new(
            IdentifierType::Fingerprint,
            fingerprint_hex(b"ksef-audit demo: certificate of Michal").to_uppercase(),
        ),
        GrantScope::InvoiceWrite,
        "wystawianie faktur (certyfikat)",
        150,
        owner.clone(),
    );
    let (first, last) = first_last(people, MICHAL);
    behind.subject = Some(GrantSubject {
        details_type: SubjectDetailsType::PersonByFingerprintWithIdentifier,
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        full_name: None,
        person_identifier: Some(pesel(people, MICHAL)),
        extra: Default::default(),
    });
    vec![
        staff(
            people,
            ANNA,
            GrantScope::InvoiceRead,
            "przeglądanie faktur",
            420,
            owner.clone(),
        ),
        Spec::person(
            GrantIdentifier::new(IdentifierType::Fingerprint, demo_fingerprint_only()),
            GrantScope::InvoiceRead,
            "dostęp dla zagranicznego konsultanta",
            60,
            owner,
        )
        .named("Hans", "Gruber"),
        behind,
    ]
}

fn debowy_dwor(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(DEBOWY_DWOR);
    vec![
        staff(
            people,
            KATARZYNA,
            GrantScope::InvoiceWrite,
            "wystawianie faktur sprzedaży",
            250,
            owner.clone(),
        ),
        staff(
            people,
            PIOTR_LEFT,
            GrantScope::InvoiceRead,
            "przeglądanie faktur",
            600,
            owner.clone(),
        ),
        Spec {
            kind: GrantKind::AuthorizationGranted,
            holder: GrantIdentifier::nip(RETAILER_NIP),
            scope: GrantScope::SelfInvoicing,
            description: "samofakturowanie: sieć salonów meblowych",
            days_ago: 330,
            can_delegate: false,
            author: Some(pesel(people, ANNA)),
            target: None,
            context: Some(owner),
            subject: None,
        }
        .entity_named("Salony Meblowe Komfort S.A."),
    ]
}

fn mazury() -> Vec<Spec> {
    let owner = GrantIdentifier::nip(MAZURY);
    vec![
        Spec::person(
            GrantIdentifier::pesel(DEMO_STRANGER_PESEL),
            GrantScope::InvoiceWrite,
            "dostęp tymczasowy",
            45,
            owner.clone(),
        )
        .named("Ewa", "Nieznana"),
        Spec::person(
            GrantIdentifier::pesel(DEMO_STRANGER_PESEL),
            GrantScope::CredentialsRead,
            "dostęp tymczasowy",
            45,
            owner.clone(),
        )
        .named("Ewa", "Nieznana"),
        firm(
            GrantScope::InvoiceRead,
            "biuro rachunkowe: przeglądanie faktur",
            500,
            MAZURY,
        ),
        Spec {
            kind: GrantKind::AuthorizationGranted,
            holder: GrantIdentifier::nip(TAX_REPRESENTATIVE_NIP),
            scope: GrantScope::TaxRepresentative,
            description: "przedstawiciel podatkowy",
            days_ago: 900,
            can_delegate: false,
            author: Some(GrantIdentifier::nip(MAZURY)),
            target: None,
            context: Some(owner),
            subject: None,
        }
        .entity_named("Przedstawicielstwo Podatkowe Vistula sp. z o.o."),
        Spec {
            kind: GrantKind::Entity,
            holder: GrantIdentifier::nip(MAZURY),
            scope: GrantScope::InvoiceRead,
            description: "hotel partnerski: wgląd w faktury",
            days_ago: 210,
            can_delegate: false,
            author: None,
            target: None,
            context: Some(GrantIdentifier::nip(HOTEL_NIP)),
            subject: None,
        },
    ]
}

fn nowak(people: &[DemoPerson]) -> Vec<Spec> {
    let owner = GrantIdentifier::nip(NOWAK);
    vec![
        staff(
            people,
            MAGDALENA,
            GrantScope::InvoiceRead,
            "obsługa księgowa kancelarii",
            380,
            owner.clone(),
        ),
        staff(
            people,
            MAGDALENA,
            GrantScope::InvoiceWrite,
            "obsługa księgowa kancelarii",
            380,
            owner,
        ),
        firm(
            GrantScope::InvoiceRead,
            "biuro rachunkowe: przeglądanie faktur",
            380,
            NOWAK,
        ),
    ]
}

#[cfg(test)]
mod tests;
