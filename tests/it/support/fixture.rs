//! Shared by the API and CLI tests: the basic simulator fixture and leak results.
#![allow(dead_code)]

use std::path::Path;

use chrono::Utc;

use ksef_model::Confidence;
use ksef_model::Digests;
use ksef_model::LEAKS_KIND;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::LeakStats;
use ksef_model::LeakStatus;
use ksef_model::LeakTarget;
use ksef_model::Secret;
use ksef_model::Severity;
use ksef_sim::Fixture;

pub const ALFA: &str = "5265877635";
pub const BETA: &str = "7762811692";
/// Alfa's auditor token: CredentialsRead.
pub const ALFA_AUDITOR: &str = "20260110-EC-A0D17A0001-0000000001-F6";
/// Alfa: InvoiceRead + InvoiceWrite, no CredentialsRead.
pub const ALFA_INVOICING: &str = "20250301-EC-A0D17A0002-0000000002-D5";
/// Alfa: revoked, with a secret.
pub const ALFA_REVOKED: &str = "20250401-EC-A0D17A0003-0000000003-A0";
pub const BETA_AUDITOR: &str = "20260115-EC-B0D17A0001-0000000001-24";

pub fn basic() -> Fixture {
    Fixture::load(Path::new("tests/fixtures/api/simulator/basic.json")).expect("basic fixture")
}

/// The basic fixture served by a simulator on loopback, with the runtime it runs on.
pub fn basic_simulator() -> (tokio::runtime::Runtime, Fixture, ksef_sim::SimHandle) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = basic();
    let sim = rt
        .block_on(ksef_sim::start(
            fixture.clone(),
            ksef_sim::SimOptions::default(),
        ))
        .expect("simulator");
    (rt, fixture, sim)
}

pub fn token(fixture: &Fixture, nip: &str, reference: &str) -> Secret {
    let ctx = fixture
        .contexts
        .iter()
        .find(|c| c.nip == nip)
        .expect("context in fixture");
    let t = ctx
        .tokens
        .iter()
        .find(|t| t.record.reference_number == reference)
        .expect("token in fixture");
    Secret::new(ctx.token_string(t).expect("token has a secret"))
}

pub fn finding(nip: &str, reference: &str) -> LeakFinding {
    LeakFinding {
        rule: "ksef-token-v2".into(),
        rule_id: "LEAK001".into(),
        severity: Severity::High,
        path: ".env".into(),
        line: Some(3),
        column: Some(12),
        commit: None,
        author: None,
        date: None,
        fingerprint: "0".repeat(64),
        redacted: format!("{reference}|nip-{nip}|****"),
        reference_number: Some(reference.into()),
        nip: Some(nip.into()),
        confidence: Confidence::High,
        status: LeakStatus::Unverified,
        owner: None,
        system: None,
        suppression: None,
        repository: None,
        history: None,
    }
}

pub fn leak_results(findings: Vec<LeakFinding>) -> LeakResults {
    LeakResults {
        schema_version: 1,
        kind: LEAKS_KIND.into(),
        tool_version: "0.1.0".into(),
        generated_at: Utc::now(),
        target: LeakTarget {
            root: ".".into(),
            mode: "files".into(),
            since: None,
            staged: false,
            shallow: false,
            coverage: None,
            shard: None,
            since_date: None,
            head: None,
        },
        digests: Digests::default(),
        stats: LeakStats::default(),
        errors: vec![],
        skipped: vec![],
        findings,
        suppressed: vec![],
        unused_baseline: vec![],
        exceptions: vec![],
        warnings: vec![],
        placeholders: vec![],
    }
}

/// Gives the tokens `refs` of `fixture` random-looking (still synthetic) secrets: the basic
/// fixture's are repeated patterns, which the scanner rightly treats as placeholders.
pub fn realistic_secrets(fixture: &mut Fixture, refs: &[&str]) {
    for ctx in &mut fixture.contexts {
        for t in &mut ctx.tokens {
            if refs.contains(&t.record.reference_number.as_str()) {
                t.secret = Some(format!(
                    "fa4efa4e{}",
                    &ksef_model::fingerprint_hex(t.record.reference_number.as_bytes())[..56]
                ));
            }
        }
    }
}

/// Writes `KSEF_TOKEN=<secret>` to `dir/name` and returns the active finding a scan of it
/// gives (the real fingerprint and preview), as `leaks --verify` would record it.
pub fn leaked_in_file(dir: &Path, name: &str, secret: &Secret) -> LeakFinding {
    let text = format!("KSEF_TOKEN={}\n", secret.expose());
    std::fs::write(dir.join(name), &text).expect("write the leak");
    let m = ksef_leaks::matcher::find_tokens(&text)
        .into_iter()
        .next()
        .expect("the scanner finds the token");
    let nip = m.nip.clone().expect("a NIP");
    let reference = m.reference_number.clone().expect("a reference");
    LeakFinding {
        path: name.into(),
        line: Some(m.line),
        column: Some(m.column),
        fingerprint: m.fingerprint,
        redacted: m.redacted,
        status: LeakStatus::Active,
        ..finding(&nip, &reference)
    }
}
