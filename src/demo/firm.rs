//! The demo firm's clients and their KSeF tokens (a [`Fixture`] for the simulator).

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ksef_model::Identifier;
use ksef_model::Permission;
use ksef_model::Secret;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;
use ksef_model::crc8;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::FixtureToken;

/// Descriptions of the tool's own tokens start with this.
pub const AUDITOR_DESCRIPTION_PREFIX: &str = "ksef-audit";

/// Name of the example accounting office (the `firm` of the demo's config and reports).
pub const DEMO_FIRM_NAME: &str = "Biuro Rachunkowe Rzetelna Księga sp. z o.o.";

/// NIP of the accounting office itself (author of many client tokens).
pub const ACCOUNTING_FIRM_NIP: &str = "1130872561";

const SEED: u64 = 0x4b53_6546_2026;

/// A person of the accounting office who creates tokens (author type `Pesel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub name: &'static str,
    pub email: &'static str,
    /// Synthetic PESEL (valid check digit, invented date of birth and serial).
    pub pesel: String,
    /// Days ago the person left the firm, if they did.
    pub left_days_ago: Option<i64>,
}

struct Client {
    nip: &'static str,
    name: &'static str,
    short: &'static str,
    /// Tokens besides the auditor's.
    tokens: usize,
    auditor: &'static [Permission],
}

const CLIENTS: &[Client] = &[
    Client {
        nip: "5261048379",
        name: "Hurtownia Elektryczna Iskra S.A.",
        short: "Iskra",
        tokens: 259,
        auditor: &[Permission::CredentialsRead],
    },
    Client {
        nip: "7742901156",
        name: "Piekarnia Złoty Kłos sp. z o.o.",
        short: "ZlotyKlos",
        tokens: 14,
        // Lacks CredentialsRead: KSeF shows only the auditor's own token.
        auditor: &[Permission::InvoiceRead],
    },
    Client {
        nip: "9512384066",
        name: "Transbud Kowalski i Wspólnicy sp.j.",
        short: "Transbud",
        tokens: 18,
        // Over-privileged: CredentialsManage where CredentialsRead would do.
        auditor: &[Permission::CredentialsRead, Permission::CredentialsManage],
    },
    Client {
        nip: "6771835266",
        name: "Apteka Pod Lipami s.c.",
        short: "PodLipami",
        tokens: 9,
        auditor: &[Permission::CredentialsRead],
    },
    Client {
        nip: "8123456701",
        name: "Zakład Stolarski Dębowy Dwór sp. z o.o.",
        short: "DebowyDwor",
        tokens: 12,
        auditor: &[Permission::CredentialsRead],
    },
    Client {
        nip: "5832219473",
        name: "Biuro Podróży Mazury sp. z o.o.",
        short: "Mazury",
        tokens: 16,
        auditor: &[Permission::CredentialsRead],
    },
    Client {
        nip: "8690174324",
        name: "Kancelaria Notarialna Nowak i Partnerzy",
        short: "Nowak",
        tokens: 10,
        auditor: &[Permission::CredentialsRead],
    },
];

const SOFTWARE: &[&str] = &[
    "Symfonia", "Comarch", "enova365", "Subiekt", "wFirma", "Optima",
];
const ENVIRONMENTS: &[&str] = &["prod", "test", "demo"];

const PEOPLE: &[(&str, &str, Option<i64>)] = &[
    ("Anna Zielińska", "anna.zielinska@bilans.example.pl", None),
    (
        "Piotr Wiśniewski",
        "piotr.wisniewski@bilans.example.pl",
        Some(120),
    ),
    (
        "Katarzyna Wójcik",
        "katarzyna.wojcik@bilans.example.pl",
        None,
    ),
    (
        "Tomasz Kamiński",
        "tomasz.kaminski@bilans.example.pl",
        Some(30),
    ),
    (
        "Magdalena Lewandowska",
        "magdalena.lewandowska@bilans.example.pl",
        None,
    ),
    (
        "Michał Dąbrowski",
        "michal.dabrowski@bilans.example.pl",
        None,
    ),
];

/// The people of the accounting office (deterministic synthetic PESELs).
pub fn demo_people() -> Vec<DemoPerson> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0x0050_4553_454c);
    PEOPLE
        .iter()
        .map(|(name, email, left)| DemoPerson {
            name,
            email,
            pesel: synthetic_pesel(&mut rng),
            left_days_ago: *left,
        })
        .collect()
}

/// The staff list of the accounting office (for `audit --staff` in the demo).
pub fn demo_staff(now: DateTime<Utc>) -> Vec<StaffMember> {
    demo_people()
        .into_iter()
        .enumerate()
        .map(|(i, p)| StaffMember {
            row: i + 2,
            id: p.email.to_string(),
            name: Some(p.name.to_string()),
            pesel: Some(p.pesel),
            nip: None,
            fingerprint: None,
            status: if p.left_days_ago.is_some() {
                StaffStatus::Left
            } else {
                StaffStatus::Active
            },
            left_on: p
                .left_days_ago
                .map(|d| (now - Duration::days(d)).date_naive()),
        })
        .collect()
}

/// Valid-looking PESEL: a date of birth in 1970–1999, a serial and the check digit.
fn synthetic_pesel(rng: &mut ChaCha8Rng) -> String {
    let year = rng.gen_range(70..100);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=28);
    let serial = rng.gen_range(0..10000);
    let body = format!("{year:02}{month:02}{day:02}{serial:04}");
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn reference(rng: &mut ChaCha8Rng, created: DateTime<Utc>) -> String {
    let a: u64 = rng.gen_range(0..1u64 << 40);
    let b: u64 = rng.gen_range(0..1u64 << 40);
    let head = format!("{}-EC-{a:010X}-{b:010X}", created.format("%Y%m%d"));
    format!("{head}-{:02X}", crc8(head.as_bytes()))
}

fn secret(rng: &mut ChaCha8Rng) -> String {
    let bytes: [u8; 32] = rng.r#gen();
    hex::encode(bytes)
}

fn ago(now: DateTime<Utc>, rng: &mut ChaCha8Rng, days: std::ops::Range<i64>) -> DateTime<Utc> {
    let secs = rng.gen_range(days.start * 86_400..days.end * 86_400);
    now - Duration::seconds(secs) - Duration::milliseconds(rng.gen_range(0..1000))
}

fn nip_identifier(nip: &str) -> Identifier {
    Identifier {
        kind: "Nip".into(),
        value: nip.into(),
    }
}

struct TokenSpec {
    author: Identifier,
    description: String,
    permissions: Vec<Permission>,
    created: DateTime<Utc>,
    last_use: Option<DateTime<Utc>>,
    status: TokenStatus,
    status_details: Option<Vec<String>>,
}

/// The demo firm's clients and tokens, with dates relative to `now`.
///
/// Deterministic: the same `now` gives the same fixture (secrets included).
pub fn demo_firm(now: DateTime<Utc>) -> Fixture {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let people = demo_people();
    let contexts = CLIENTS
        .iter()
        .map(|client| client_context(client, &people, now, &mut rng))
        .collect();
    let mut fixture = Fixture { contexts };
    crate::demo::grants::add_demo_grants(&mut fixture, now);
    crate::demo::certificates::add_demo_certificates(&mut fixture, now);
    fixture
}

fn client_context(
    client: &Client,
    people: &[DemoPerson],
    now: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> FixtureContext {
    let pesel = |i: usize| Identifier {
        kind: "Pesel".into(),
        value: people[i % people.len()].pesel.clone(),
    };
    let mut specs: Vec<TokenSpec> = Vec::new();

    // The tool's own token.
    specs.push(TokenSpec {
        author: nip_identifier(ACCOUNTING_FIRM_NIP),
        description: format!(
            "{AUDITOR_DESCRIPTION_PREFIX} przegląd tokenów {}",
            client.short
        ),
        permissions: client.auditor.to_vec(),
        created: ago(now, rng, 20..40),
        last_use: Some(ago(now, rng, 1..3)),
        status: TokenStatus::Active,
        status_details: Some(vec![]),
    });

    // Hand-placed variety, so every policy rule has something to find.
    let year = |d: DateTime<Utc>| d.format("%Y").to_string();
    let old = ago(now, rng, 400..700);
    specs.push(TokenSpec {
        author: pesel(1),
        description: format!("{}-Symfonia-prod-{}", client.short, year(old)),
        permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        created: old,
        last_use: Some(ago(now, rng, 120..200)),
        status: TokenStatus::Active,
        status_details: Some(vec![]),
    });
    let fresh = ago(now, rng, 1..10);
    specs.push(TokenSpec {
        author: pesel(0),
        description: format!("{}-Comarch-prod-{}", client.short, year(fresh)),
        permissions: vec![Permission::InvoiceRead],
        created: fresh,
        last_use: None,
        status: TokenStatus::Active,
        status_details: Some(vec![]),
    });
    specs.push(TokenSpec {
        author: pesel(3),
        description: "token do wystawiania faktur".into(),
        permissions: vec![
            Permission::InvoiceWrite,
            Permission::CredentialsManage,
            Permission::SubunitManage,
        ],
        created: ago(now, rng, 200..300),
        last_use: Some(ago(now, rng, 5..20)),
        status: TokenStatus::Active,
        status_details: Some(vec![]),
    });
    specs.push(TokenSpec {
        author: pesel(2),
        description: format!("{}-wFirma-test-{}", client.short, year(now)),
        permissions: vec![Permission::InvoiceRead],
        created: ago(now, rng, 3..6),
        last_use: None,
        status: TokenStatus::Pending,
        status_details: Some(vec![]),
    });
    specs.push(TokenSpec {
        author: pesel(4),
        description: format!("{}-Subiekt-prod-{}", client.short, year(now)),
        permissions: vec![Permission::InvoiceWrite],
        created: ago(now, rng, 30..60),
        last_use: Some(ago(now, rng, 10..25)),
        status: TokenStatus::Revoking,
        status_details: Some(vec![]),
    });
    specs.push(TokenSpec {
        author: pesel(5),
        description: format!("{}-enova365-prod-{}", client.short, year(now)),
        permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        created: ago(now, rng, 15..25),
        last_use: None,
        status: TokenStatus::Failed,
        status_details: Some(vec!["Nie udało się nadać uprawnień tokenowi.".into()]),
    });
    if client.tokens >= 12 {
        // Same NIP + same software, several Active tokens.
        for _ in 0..3 {
            let created = ago(now, rng, 60..300);
            specs.push(TokenSpec {
                author: nip_identifier(ACCOUNTING_FIRM_NIP),
                description: format!("{}-Optima-prod-{}", client.short, year(created)),
                permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
                created,
                last_use: Some(ago(now, rng, 1..30)),
                status: TokenStatus::Active,
                status_details: Some(vec![]),
            });
        }
    }
    if client.nip == "9512384066" {
        specs.push(TokenSpec {
            author: pesel(1),
            description: "integracja sklepu, kontakt piotr.wisniewski@bilans.example.pl".into(),
            permissions: vec![Permission::InvoiceRead],
            created: ago(now, rng, 90..150),
            last_use: Some(ago(now, rng, 95..100)),
            status: TokenStatus::Active,
            status_details: Some(vec![]),
        });
        let person = &people[3];
        specs.push(TokenSpec {
            author: pesel(3),
            description: format!("token Tomka {}", person.pesel),
            permissions: vec![Permission::InvoiceWrite, Permission::Introspection],
            created: ago(now, rng, 100..200),
            last_use: None,
            status: TokenStatus::Active,
            status_details: Some(vec![]),
        });
    }

    // Fill up with a realistic mix: mostly revoked history, some active.
    while specs.len() < client.tokens + 1 {
        specs.push(random_spec(client, rng, now, &pesel));
    }

    let tokens = specs
        .into_iter()
        .map(|s| FixtureToken {
            record: TokenRecord {
                reference_number: reference(rng, s.created),
                author_identifier: s.author,
                context_identifier: nip_identifier(client.nip),
                description: s.description,
                requested_permissions: s.permissions,
                date_created: s.created,
                last_use_date: s.last_use,
                status: s.status,
                status_details: s.status_details,
                extra: serde_json::Map::new(),
            },
            secret: Some(secret(rng)),
        })
        .collect();
    FixtureContext {
        nip: client.nip.to_string(),
        name: Some(client.name.to_string()),
        internal_id: None,
        faults: None,
        tokens,
        grants: Vec::new(),
        certificates: Vec::new(),
        certificate_limits: None,
    }
}

fn random_spec(
    client: &Client,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
    pesel: &dyn Fn(usize) -> Identifier,
) -> TokenSpec {
    let created = ago(now, rng, 1..900);
    let software = SOFTWARE.choose(rng).copied().unwrap_or("Symfonia");
    let env = ENVIRONMENTS.choose(rng).copied().unwrap_or("prod");
    let description = if rng.gen_bool(0.85) {
        format!("{}-{software}-{env}-{}", client.short, created.format("%Y"))
    } else {
        format!("{software} {env} – integracja {}", created.format("%m/%Y"))
    };
    let author = if rng.gen_bool(0.7) {
        pesel(rng.gen_range(0..PEOPLE.len()))
    } else {
        nip_identifier(if rng.gen_bool(0.5) {
            ACCOUNTING_FIRM_NIP
        } else {
            client.nip
        })
    };
    let permissions = match rng.gen_range(0..10) {
        0..=3 => vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        4..=6 => vec![Permission::InvoiceWrite],
        7 | 8 => vec![Permission::InvoiceRead],
        _ => vec![Permission::InvoiceRead, Permission::Introspection],
    };
    let days_old = (now - created).num_days();
    let roll = rng.gen_range(0..100);
    let status = match roll {
        0..=54 => TokenStatus::Revoked,
        55..=91 => TokenStatus::Active,
        92..=95 => TokenStatus::Failed,
        _ if days_old > 1 => TokenStatus::Pending,
        _ => TokenStatus::Active,
    };
    let last_use = match status {
        TokenStatus::Active | TokenStatus::Revoked if rng.gen_bool(0.8) => {
            let max = days_old.max(1);
            Some(now - Duration::seconds(rng.gen_range(0..max * 86_400)))
        }
        _ => None,
    };
    TokenSpec {
        author,
        description,
        permissions,
        created,
        last_use,
        status_details: Some(if status == TokenStatus::Failed {
            vec!["Nie udało się nadać uprawnień tokenowi.".into()]
        } else {
            vec![]
        }),
        status,
    }
}

/// Each context's auditor token (the one whose description starts with `ksef-audit`).
pub fn demo_auditor_tokens(fixture: &Fixture) -> Vec<(String, Secret)> {
    fixture
        .contexts
        .iter()
        .filter_map(|ctx| {
            let token = ctx.tokens.iter().find(|t| {
                t.record.description.starts_with(AUDITOR_DESCRIPTION_PREFIX) && t.secret.is_some()
            })?;
            Some((ctx.nip.clone(), Secret::new(ctx.token_string(token)?)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::is_token_reference;
    use ksef_model::reference_check_ok;
    use ksef_model::validate_nip;
    use std::collections::HashSet;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn demo_firm_is_deterministic_and_valid() {
        let a = demo_firm(now());
        let b = demo_firm(now());
        assert_eq!(a, b);
        a.validate().expect("valid fixture");
        assert_eq!(a.contexts.len(), 7);
        let total: usize = a.contexts.iter().map(|c| c.tokens.len()).sum();
        assert!((300..500).contains(&total), "{total} tokens");
        assert!(a.contexts.iter().any(|c| c.tokens.len() >= 250));
        let mut refs = HashSet::new();
        for ctx in &a.contexts {
            validate_nip(&ctx.nip).expect("valid NIP");
            for t in &ctx.tokens {
                let r = &t.record.reference_number;
                assert!(is_token_reference(r) && reference_check_ok(r), "{r}");
                assert!(refs.insert(r.clone()));
                assert!(t.record.description.chars().count() >= 5);
            }
        }
    }

    #[test]
    fn every_context_has_one_auditor_token_with_a_secret() {
        let f = demo_firm(now());
        let tokens = demo_auditor_tokens(&f);
        assert_eq!(tokens.len(), f.contexts.len());
        for (nip, secret) in &tokens {
            let s = secret.expose();
            assert!(s.contains(&format!("|nip-{nip}|")));
            assert_eq!(s.len(), 116);
        }
        let perms = |nip: &str| {
            f.contexts
                .iter()
                .find(|c| c.nip == nip)
                .and_then(|c| {
                    c.tokens
                        .iter()
                        .find(|t| t.record.description.starts_with("ksef-audit"))
                })
                .map(|t| t.record.requested_permissions.clone())
                .unwrap_or_default()
        };
        assert!(!perms("7742901156").contains(&Permission::CredentialsRead));
        assert!(perms("9512384066").contains(&Permission::CredentialsManage));
    }

    #[test]
    fn demo_firm_has_the_variety_the_policy_rules_need() {
        let f = demo_firm(now());
        let all: Vec<&TokenRecord> = f
            .contexts
            .iter()
            .flat_map(|c| c.tokens.iter().map(|t| &t.record))
            .collect();
        let day = Duration::days(1);
        let has = |p: &dyn Fn(&TokenRecord) -> bool| all.iter().any(|r| p(r));
        assert!(has(&|r| r
            .requested_permissions
            .contains(&Permission::SubunitManage)));
        assert!(has(
            &|r| r.last_use_date.is_none() && r.status == TokenStatus::Active
        ));
        assert!(has(&|r| r
            .last_use_date
            .is_some_and(|d| now() - d > day * 90)
            && r.status == TokenStatus::Active));
        assert!(has(&|r| now() - r.date_created > day * 365));
        assert!(has(&|r| now() - r.date_created < day * 14));
        assert!(has(
            &|r| r.status == TokenStatus::Pending && now() - r.date_created > day
        ));
        assert!(has(
            &|r| r.status == TokenStatus::Revoking && now() - r.date_created > day
        ));
        assert!(has(&|r| r.status == TokenStatus::Failed));
        assert!(has(&|r| r.status == TokenStatus::Revoked));
        assert!(has(&|r| r.author_identifier.kind == "Pesel"));
        assert!(has(&|r| r.author_identifier.kind == "Nip"));
        assert!(has(&|r| r.description.contains('@')));
        let pesels: Vec<String> = demo_people().into_iter().map(|p| p.pesel).collect();
        assert!(has(&|r| pesels
            .iter()
            .any(|p| r.description.contains(p.as_str()))));
        assert!(demo_people().iter().any(|p| p.left_days_ago.is_some()));
    }
}
