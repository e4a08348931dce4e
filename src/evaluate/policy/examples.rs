//! Rule examples: each example of a policy rule (a token, its inventory row, staff, other
//! tokens, the context) becomes a small world, and the real evaluation must give the outcome
//! the example expects. Run by `cargo test` and `ksef-audit rules check`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{AuditWorld, evaluate};
use crate::model::{
    ContextSnapshot, ContextStatus, Identifier, Inventory, InventoryEntry, Permission, SecretCell,
    StaffMember, StaffStatus, TokenRecord, TokenSnapshot, TokenStatus, fingerprint_hex,
};
use crate::rule::policy::{Example, ExampleEntry, ExampleToken, PolicyRule};

/// The moment rule examples are judged against: 2026-01-15 12:00 UTC.
pub fn example_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// NIP of the context in rule examples.
pub const EXAMPLE_NIP: &str = "5265877635";

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
        extra: serde_json::Map::new(),
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
    })
}

/// Runs one example through `rule` and returns how many findings it gave.
pub fn run_example(rule: &PolicyRule, ex: &Example) -> Result<usize, String> {
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
    if let Some(e) = &ex.inventory {
        entries.push(example_entry(e, &main_ref, main.as_ref(), 2, &mut secrets)?);
    }
    if let Some(t) = &main {
        tokens.push(t.clone());
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
    let staff: Vec<StaffMember> = ex
        .staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(StaffMember {
                row: i + 2,
                id: s.id.clone(),
                name: None,
                pesel: s.pesel.clone(),
                nip: s.nip.clone(),
                status: match s.status.as_str() {
                    "left" => StaffStatus::Left,
                    "active" => StaffStatus::Active,
                    other => return Err(format!("staff status '{other}' must be active or left")),
                },
                left_on: None,
            })
        })
        .collect::<Result<_, String>>()?;
    let ctx_ex = ex.context.clone();
    let now = example_now();
    let environment = ctx_ex
        .as_ref()
        .map_or_else(|| "prod".to_string(), |c| c.environment.clone());
    let auditor = ctx_ex.as_ref().is_some_and(|c| c.auditor);
    let auditor_permissions = match ctx_ex.as_ref().and_then(|c| c.auditor_permissions.clone()) {
        Some(list) => Some(
            list.iter()
                .map(|p| {
                    Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let snapshot = TokenSnapshot {
        schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
        kind: crate::model::SNAPSHOT_KIND.into(),
        tool_version: crate::model::TOOL_VERSION.into(),
        environment: crate::model::EnvironmentRef {
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
            fetched_at: now,
            duration_ms: 0,
            grants: Vec::new(),
            certificates: Default::default(),
            auditor_reference: auditor.then(|| main_ref.clone()),
            auditor_permissions,
            tokens,
        }],
    };
    let mut columns: BTreeSet<String> = ["nip", "reference_number", "permissions"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    columns.insert("owner".into());
    let inventory = Inventory {
        entries,
        secrets,
        columns,
        digest: String::new(),
    };
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
    };
    let mut rule = rule.clone();
    rule.enabled = true;
    let eval = evaluate(&world, &[&rule]);
    Ok(eval.findings.len())
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
    use crate::rule::policy::builtin_policy_rules;

    #[test]
    fn every_builtin_rule_example_gives_its_outcome() {
        let set = builtin_policy_rules().expect("rules load");
        let failures: Vec<String> = set.rules.iter().flat_map(check_rule_examples).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
