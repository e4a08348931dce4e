//! Rule examples: each example of a policy rule (a token, its inventory row, staff, other
//! tokens, the context) becomes a small world, and the real evaluation must give the outcome
//! the example expects. Run by `cargo test` and `ksef-audit rules check`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::evaluate::AuditWorld;
use crate::evaluate::evaluate;
use crate::rule::Example;
use crate::rule::ExampleCertificate;
use crate::rule::ExampleEntry;
use crate::rule::ExampleGrant;
use crate::rule::ExampleRegisterRow;
use crate::rule::ExampleToken;
use crate::rule::PolicyRule;
use crate::rule::Subject;
use ksef_model::AccessHolder;
use ksef_model::AccessRegister;
use ksef_model::AccessRegisterEntry;
use ksef_model::CertificateLimit;
use ksef_model::CertificateLimits;
use ksef_model::CertificateRecord;
use ksef_model::CertificateStatus;
use ksef_model::CertificateSubject;
use ksef_model::CertificateType;
use ksef_model::ContextCertificates;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::GrantSubject;
use ksef_model::Identifier;
use ksef_model::IdentifierType;
use ksef_model::Inventory;
use ksef_model::InventoryEntry;
use ksef_model::KnownParty;
use ksef_model::Permission;
use ksef_model::PermissionState;
use ksef_model::SecretCell;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::SubjectDetailsType;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;
use ksef_model::TokenStatus;
use ksef_model::fingerprint_hex;

/// `Type:value` of an example (`AllPartners` alone).
fn example_identifier(s: &str) -> Result<GrantIdentifier, String> {
    match s.split_once(':') {
        Some((kind, value)) => Ok(GrantIdentifier::new(
            IdentifierType::from(kind.trim()),
            value.trim(),
        )),
        None if s.trim() == "AllPartners" => Ok(GrantIdentifier {
            kind: IdentifierType::AllPartners,
            value: None,
        }),
        None => Err(format!("identifier '{s}' must be written Type:value")),
    }
}

/// A grant of an example: `(context NIP, grant)`.
fn example_grant(g: &ExampleGrant, i: usize) -> Result<(String, GrantRecord), String> {
    let start = g
        .created
        .and_hms_opt(9, 0, 0)
        .map(|n| Utc.from_utc_datetime(&n))
        .ok_or_else(|| format!("bad date {}", g.created))?;
    let holder = example_identifier(&g.holder)?;
    let subject = g
        .identity
        .as_deref()
        .map(example_identifier)
        .transpose()?
        .map(|id| GrantSubject {
            details_type: SubjectDetailsType::PersonByFingerprintWithIdentifier,
            first_name: None,
            last_name: None,
            full_name: None,
            person_identifier: Some(id),
            extra: serde_json::Map::new(),
        });
    let grant = GrantRecord {
        id: g
            .id
            .clone()
            .unwrap_or_else(|| format!("00000000-0000-4000-8000-{:012}", i + 1)),
        kind: GrantKind::from(g.kind.as_str()),
        holder,
        scope: GrantScope::from(g.scope.as_str()),
        description: String::new(),
        start_date: start,
        can_delegate: g.can_delegate,
        author: None,
        target: g.target.as_deref().map(example_identifier).transpose()?,
        context: None,
        state: Some(PermissionState::Active),
        subject,
        extra: serde_json::Map::new(),
    };
    Ok((g.nip.clone().unwrap_or_else(|| EXAMPLE_NIP.into()), grant))
}

fn example_register(rows: &[ExampleRegisterRow]) -> Result<AccessRegister, String> {
    let entries = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let holder = if r.holder.contains(':') {
                AccessHolder::Identifier(example_identifier(&r.holder)?)
            } else {
                AccessHolder::Staff(r.holder.clone())
            };
            Ok(AccessRegisterEntry {
                row: i + 2,
                nip: r.nip.clone().unwrap_or_else(|| EXAMPLE_NIP.into()),
                holder,
                permissions: r
                    .permissions
                    .iter()
                    .map(|p| GrantScope::from(p.as_str()))
                    .collect(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(AccessRegister {
        entries,
        digest: String::new(),
    })
}

/// A certificate of an example (`CertificateListItem`).
fn example_certificate(c: &ExampleCertificate) -> Result<CertificateRecord, String> {
    let at = |d: NaiveDate| {
        d.and_hms_opt(9, 0, 0)
            .map(|n| Utc.from_utc_datetime(&n))
            .ok_or_else(|| format!("bad date {d}"))
    };
    let (kind, value) = c
        .subject
        .split_once(':')
        .ok_or_else(|| format!("subject '{}' must be written Type:value", c.subject))?;
    let valid_to = at(c.valid_to)?;
    Ok(CertificateRecord {
        certificate_serial_number: c.serial.to_uppercase(),
        name: "Example certificate".into(),
        kind: CertificateType::from(c.kind.as_str()),
        common_name: "Example".into(),
        status: CertificateStatus::from(c.status.as_str()),
        subject_identifier: CertificateSubject {
            kind: kind.trim().to_string(),
            value: value.trim().to_string(),
        },
        valid_from: valid_to - chrono::Duration::days(730),
        valid_to,
        last_use_date: c.last_used.map(at).transpose()?,
        request_date: at(c.requested)?,
        extra: serde_json::Map::new(),
    })
}

/// The certificate list and limits of an example's context.
fn example_certificates(ex: &Example) -> Result<ContextCertificates, String> {
    let read = ex.certificates_read.unwrap_or(
        ex.certificate.is_some() || ex.certificate_limits.is_some() || ex.inventory.is_some(),
    );
    if !read {
        return Ok(ContextCertificates::default());
    }
    let list = ex
        .certificate
        .iter()
        .map(example_certificate)
        .collect::<Result<Vec<_>, _>>()?;
    let limits = ex.certificate_limits.as_ref().map(|l| CertificateLimits {
        can_request: l.certificate_remaining > 0 && l.enrollment_remaining > 0,
        enrollment: CertificateLimit {
            remaining: l.enrollment_remaining,
            limit: l.enrollment_limit,
        },
        certificate: CertificateLimit {
            remaining: l.certificate_remaining,
            limit: l.certificate_limit,
        },
    });
    Ok(ContextCertificates {
        signed_in_with: Some(list.first().map_or_else(
            || "0A0B0C0D".to_string(),
            |c| c.certificate_serial_number.clone(),
        )),
        list,
        limits,
        problem: None,
    })
}

/// The moment rule examples are judged against: 2026-01-15 12:00 UTC.
pub(crate) fn example_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// NIP of the context in rule examples.
pub(crate) const EXAMPLE_NIP: &str = "5265877635";

fn example_reference(i: usize) -> String {
    format!("20251101-EC-{:010X}-{:010X}-00", i + 1, i + 1)
}

fn example_token(t: &ExampleToken, reference: String) -> Result<TokenRecord, String> {
    let at = |d: NaiveDate| {
        d.and_hms_opt(9, 0, 0)
            .map(|n| Utc.from_utc_datetime(&n))
            .ok_or_else(|| format!("bad date {d}"))
    };
    let author = match &t.author {
        Some(a) => {
            let (kind, value) = a
                .split_once(':')
                .ok_or_else(|| format!("author '{a}' must be written Type:value"))?;
            Identifier {
                kind: kind.to_string(),
                value: value.to_string(),
            }
        }
        None => Identifier {
            kind: "Nip".into(),
            value: EXAMPLE_NIP.into(),
        },
    };
    let mut permissions = Vec::new();
    for p in &t.permissions {
        permissions
            .push(Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'"))?);
    }
    Ok(TokenRecord {
        reference_number: reference,
        author_identifier: author,
        context_identifier: Identifier {
            kind: "Nip".into(),
            value: EXAMPLE_NIP.into(),
        },
        description: t.description.clone(),
        requested_permissions: permissions,
        date_created: at(t.created)?,
        last_use_date: t.last_used.map(at).transpose()?,
        status: TokenStatus::from(t.status.as_str()),
        status_details: None,
        extra: match t.valid_to {
            Some(d) => {
                let mut m = serde_json::Map::new();
                m.insert("validTo".into(), format!("{d}T00:00:00+00:00").into());
                m
            }
            None => serde_json::Map::new(),
        },
    })
}

fn example_entry(
    e: &ExampleEntry,
    reference: &str,
    token: Option<&TokenRecord>,
    row: usize,
    secrets: &mut Vec<SecretCell>,
) -> Result<InventoryEntry, String> {
    let permissions = match &e.permissions {
        Some(list) => list
            .iter()
            .map(|p| Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'")))
            .collect::<Result<Vec<_>, _>>()?,
        None => token
            .map(|t| t.requested_permissions.clone())
            .unwrap_or_default(),
    };
    if let Some(col) = &e.secret_in {
        let fake = format!("{reference}|nip-{EXAMPLE_NIP}|{}", "0f".repeat(32));
        secrets.push(SecretCell {
            row,
            column: col.clone(),
            nip: EXAMPLE_NIP.into(),
            reference_number: Some(reference.to_string()),
            fingerprint: fingerprint_hex(fake.as_bytes()),
            preview: format!("{reference}|nip-{EXAMPLE_NIP}|0f0f…(64 chars)"),
        });
    }
    Ok(InventoryEntry {
        row,
        nip: EXAMPLE_NIP.into(),
        reference_number: reference.to_string(),
        name: None,
        system: e.system.clone(),
        environment: e.environment.clone(),
        owner: e.owner.clone(),
        permissions,
        expires: e.expires,
        notes: None,
        extra: BTreeMap::new(),
        certificate_serial: None,
    })
}

/// Runs one example through `rule` and returns how many findings it gave.
pub(crate) fn run_example(rule: &PolicyRule, ex: &Example) -> Result<usize, String> {
    let rows = example_rows(rule, ex)?;
    let staff = example_staff(ex)?;
    let now = example_now();
    let snapshot = example_snapshot(ex, &rows.main_ref, rows.tokens, rows.certificates, now)?;
    let known_parties = ex
        .known_parties
        .iter()
        .map(|p| {
            Ok(KnownParty {
                identifier: example_identifier(p)?,
                name: "example party".into(),
                reason: "example".into(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let register = ex
        .access_register
        .as_deref()
        .map(example_register)
        .transpose()?;
    let inventory = example_inventory(rows.entries, rows.certificate_entries, rows.secrets);
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
        known_parties: &known_parties,
        token_last_issuance: ksef_model::default_token_last_issuance(),
        access_register: register.as_ref(),
    };
    let mut rule = rule.clone();
    rule.enabled = true;
    let eval = evaluate(&world, &[&rule]);
    Ok(eval.findings.len())
}

/// What an example's tokens and inventory rows become.
struct ExampleRows {
    /// Reference of the example's own token.
    main_ref: String,
    tokens: Vec<TokenRecord>,
    entries: Vec<InventoryEntry>,
    certificate_entries: Vec<InventoryEntry>,
    secrets: Vec<SecretCell>,
    certificates: ContextCertificates,
}

/// The example's token, its inventory row (a certificate's row for a certificate rule), its
/// certificates and the other tokens with their rows.
fn example_rows(rule: &PolicyRule, ex: &Example) -> Result<ExampleRows, String> {
    let mut tokens = Vec::new();
    let mut entries = Vec::new();
    let mut secrets = Vec::new();
    let main_ref = ex
        .token
        .as_ref()
        .and_then(|t| t.reference.clone())
        .unwrap_or_else(|| example_reference(0));
    let main = ex
        .token
        .as_ref()
        .map(|t| example_token(t, main_ref.clone()))
        .transpose()?;
    let mut certificate_entries = Vec::new();
    if let Some(e) = &ex.inventory {
        let entry = example_entry(e, &main_ref, main.as_ref(), 2, &mut secrets)?;
        if rule.subject == Subject::Certificate {
            let serial = ex.certificate.as_ref().map_or_else(
                || "018209160C631F1E".to_string(),
                |c| c.serial.to_uppercase(),
            );
            certificate_entries.push(InventoryEntry {
                reference_number: String::new(),
                certificate_serial: Some(serial),
                ..entry
            });
        } else {
            entries.push(entry);
        }
    }
    let certificates = example_certificates(ex)?;
    if let Some(t) = main {
        tokens.push(t);
    }
    for (i, other) in ex.others.iter().enumerate() {
        let r = other
            .token
            .reference
            .clone()
            .unwrap_or_else(|| example_reference(i + 1));
        let t = example_token(&other.token, r.clone())?;
        if let Some(e) = &other.inventory {
            entries.push(example_entry(e, &r, Some(&t), i + 3, &mut secrets)?);
        }
        tokens.push(t);
    }
    Ok(ExampleRows {
        main_ref,
        tokens,
        entries,
        certificate_entries,
        secrets,
        certificates,
    })
}

/// The staff list of an example (rows from 2, as in a CSV file).
fn example_staff(ex: &Example) -> Result<Vec<StaffMember>, String> {
    ex.staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(StaffMember {
                row: i + 2,
                id: s.id.clone(),
                name: None,
                pesel: s.pesel.clone(),
                nip: s.nip.clone(),
                fingerprint: s.fingerprint.as_ref().map(|f| f.to_uppercase()),
                status: match s.status.as_str() {
                    "left" => StaffStatus::Left,
                    "active" => StaffStatus::Active,
                    other => return Err(format!("staff status '{other}' must be active or left")),
                },
                left_on: None,
            })
        })
        .collect()
}

/// The KSeF snapshot of an example: its context (tokens, grants, certificates, the tool's
/// own token) and one more context per other client NIP its grants name.
fn example_snapshot(
    ex: &Example,
    main_ref: &str,
    tokens: Vec<TokenRecord>,
    certificates: ContextCertificates,
    now: DateTime<Utc>,
) -> Result<TokenSnapshot, String> {
    let ctx_ex = ex.context.as_ref();
    let environment = ctx_ex.map_or_else(|| "prod".to_string(), |c| c.environment.clone());
    let auditor = ctx_ex.is_some_and(|c| c.auditor);
    let auditor_permissions = match ctx_ex.and_then(|c| c.auditor_permissions.as_ref()) {
        Some(list) => Some(
            list.iter()
                .map(|p| {
                    Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let mut grants_by_nip: BTreeMap<String, Vec<GrantRecord>> = BTreeMap::new();
    for (i, g) in ex.grant.iter().chain(&ex.other_grants).enumerate() {
        let (nip, grant) = example_grant(g, i)?;
        grants_by_nip.entry(nip).or_default().push(grant);
    }
    let grants = grants_by_nip.remove(EXAMPLE_NIP).unwrap_or_default();
    let mut snapshot = TokenSnapshot {
        schema_version: ksef_model::SNAPSHOT_SCHEMA_VERSION,
        kind: ksef_model::SNAPSHOT_KIND.into(),
        tool_version: ksef_model::TOOL_VERSION.into(),
        environment: ksef_model::EnvironmentRef {
            label: environment.clone(),
            base_url: "http://127.0.0.1/v2".into(),
        },
        fetched_at: now,
        contexts: vec![ContextSnapshot {
            nip: EXAMPLE_NIP.into(),
            name: None,
            environment,
            status: ContextStatus::Complete,
            reason: None,
            reason_code: None,
            fetched_at: now,
            duration_ms: 0,
            grants,
            certificates,
            auditor_reference: auditor.then(|| main_ref.to_string()),
            auditor_permissions,
            tokens,
        }],
    };
    // Other client contexts of the example (grants with their own `nip`).
    for (nip, grants) in grants_by_nip {
        let mut other = snapshot.contexts[0].clone();
        other.nip = nip;
        other.tokens = Vec::new();
        other.auditor_reference = None;
        other.grants = grants;
        other.certificates = ContextCertificates::default();
        snapshot.contexts.push(other);
    }
    Ok(snapshot)
}

/// The inventory of an example: its rows, with the columns a real file would have.
fn example_inventory(
    entries: Vec<InventoryEntry>,
    certificate_entries: Vec<InventoryEntry>,
    secrets: Vec<SecretCell>,
) -> Inventory {
    let mut columns: BTreeSet<String> = ["nip", "reference_number", "permissions"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    columns.insert("owner".into());
    if !certificate_entries.is_empty() {
        columns.insert("certificate_serial".into());
    }
    Inventory {
        entries,
        certificate_entries,
        secrets,
        columns,
        digest: String::new(),
    }
}

/// Runs every example of `rule`; returns one message per failure.
pub fn check_rule_examples(rule: &PolicyRule) -> Vec<String> {
    let mut failures = Vec::new();
    for (kind, list, want_findings) in [
        ("fail", &rule.examples.fail, true),
        ("pass", &rule.examples.pass, false),
    ] {
        for (i, ex) in list.iter().enumerate() {
            match run_example(rule, ex) {
                Ok(n) if (n > 0) == want_findings => {}
                Ok(n) => failures.push(format!(
                    "{} ({}) example {kind}[{i}] '{}': expected {}, got {n} finding{}",
                    rule.id,
                    rule.name,
                    ex.note,
                    if want_findings {
                        "a finding"
                    } else {
                        "no finding"
                    },
                    if n == 1 { "" } else { "s" }
                )),
                Err(e) => failures.push(format!(
                    "{} ({}) example {kind}[{i}] '{}': {e}",
                    rule.id, rule.name, ex.note
                )),
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::builtin_policy_rules;

    #[test]
    fn every_builtin_rule_example_gives_its_outcome() {
        let set = builtin_policy_rules().expect("rules load");
        let failures: Vec<String> = set.rules.iter().flat_map(check_rule_examples).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
