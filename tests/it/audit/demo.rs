//! The demo firm's records make every policy rule fire at least once.

use chrono::{TimeZone, Utc};

use ksef_audit::app::audit::demo_audit;
use ksef_audit::demo::demo_firm;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::EnvironmentRef;
use ksef_model::Permission;
use ksef_model::SNAPSHOT_KIND;
use ksef_model::SNAPSHOT_SCHEMA_VERSION;
use ksef_model::TokenSnapshot;
use ksef_policy::rule::builtin_policy_rules;
use ksef_sim::Fixture;

/// What a fetch of the fixture gives: every token of contexts whose auditor token can
/// read credentials; the others incomplete.
fn snapshot_of(fixture: &Fixture, now: chrono::DateTime<Utc>) -> TokenSnapshot {
    let contexts = fixture
        .contexts
        .iter()
        .map(|c| {
            let auditor = c
                .tokens
                .iter()
                .find(|t| t.record.description.starts_with("ksef-audit"))
                .map(|t| t.record.clone());
            let perms = auditor.as_ref().map(|a| a.requested_permissions.clone());
            let can_read = perms.as_ref().is_some_and(|p| {
                p.contains(&Permission::CredentialsRead)
                    || p.contains(&Permission::CredentialsManage)
            });
            ContextSnapshot {
                nip: c.nip.clone(),
                name: c.name.clone(),
                environment: "prod".into(),
                status: if can_read {
                    ContextStatus::Complete
                } else {
                    ContextStatus::Incomplete
                },
                reason: (!can_read).then(|| "GET /tokens: 403 (no CredentialsRead)".into()),
                reason_code: None,
                fetched_at: now,
                duration_ms: 0,
                auditor_reference: auditor.as_ref().map(|a| a.reference_number.clone()),
                auditor_permissions: perms,
                tokens: if can_read {
                    c.tokens.iter().map(|t| t.record.clone()).collect()
                } else {
                    Vec::new()
                },
                grants: if can_read {
                    c.grants.clone()
                } else {
                    Vec::new()
                },
                // The context the demo signs in to with a certificate lists its certificates.
                certificates: if c.certificates.is_empty() {
                    Default::default()
                } else {
                    ksef_model::ContextCertificates {
                        signed_in_with: Some(c.certificates[0].certificate_serial_number.clone()),
                        list: c.certificates.clone(),
                        limits: c.certificate_limits.clone(),
                        problem: None,
                    }
                },
            }
        })
        .collect();
    TokenSnapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        kind: SNAPSHOT_KIND.into(),
        tool_version: "test".into(),
        environment: EnvironmentRef {
            label: "prod".into(),
            base_url: "http://127.0.0.1:1/v2".into(),
        },
        fetched_at: now,
        contexts,
    }
}

#[test]
fn demo_records_make_every_rule_fire() {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 10, 9, 30, 0)
        .single()
        .expect("time");
    let fixture = demo_firm(now);
    let snapshot = snapshot_of(&fixture, now);
    let dir = tempfile::tempdir().expect("tempdir");
    let (results, outputs) = demo_audit(dir.path(), &snapshot, &fixture).expect("demo audit");
    assert_eq!(outputs.len(), 5);
    let rules = builtin_policy_rules().expect("rules");
    let missing: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.name.as_str())
        .filter(|name| !results.findings.iter().any(|f| f.rule == *name))
        .collect();
    assert!(missing.is_empty(), "rules without a demo case: {missing:?}");
    assert!(
        results.findings.iter().any(|f| f.excepted),
        "an excepted finding"
    );
    assert!(results.warnings.iter().any(|w| w.contains("expired")));
    assert!(
        results
            .warnings
            .iter()
            .any(|w| w.contains("matched no finding"))
    );
    assert_eq!(results.summary.contexts_incomplete, 1);
    // No token value in anything written.
    for (_, path) in &outputs {
        if path.ends_with("inventory.csv") {
            continue; // the firm's own file holds the pasted token on purpose
        }
        let text = std::fs::read_to_string(path).expect("read output");
        for c in &fixture.contexts {
            for t in &c.tokens {
                if let Some(s) = &t.secret {
                    assert!(!text.contains(s.as_str()), "secret in {}", path.display());
                }
            }
        }
    }
}
