//! Point 2: `leaks --verify` fails closed.

use std::time::Duration;

use crate::support::fixture::*;
use ksef_client::settings::ContextSpec;
use ksef_client::settings::CredentialSource;
use ksef_client::settings::KsefSettings;
use ksef_client::verify::verify_leaks;
use ksef_leaks::findings::apply_leak_verdicts;
use ksef_leaks::findings::leak_outcome;
use ksef_model::EnvironmentRef;
use ksef_model::LeakStatus;
use ksef_model::Outcome;
use ksef_model::Secret;
use ksef_model::Severity;
use ksef_sim as simulator;
use ksef_sim::SimOptions;

fn settings(base_url: &str, nip: &str, secret: Secret) -> KsefSettings {
    let mut s = KsefSettings::new(
        EnvironmentRef {
            label: "test".into(),
            base_url: base_url.to_string(),
        },
        vec![ContextSpec {
            nip: nip.to_string(),
            name: None,
            credential: CredentialSource::InMemory(secret),
        }],
    );
    s.retry_base = Duration::from_millis(5);
    s.max_retries = 0;
    s
}

/// A two-thread runtime for the simulator of one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn issue_13_verify_fails_closed_when_ksef_is_unreachable() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let s = settings(
        &format!("http://127.0.0.1:{port}/v2"),
        ALFA,
        Secret::new("20260110-EC-A0D17A0001-0000000001-F6|nip-5265877635|00".to_string()),
    );
    let mut results = leak_results(vec![finding(ALFA, ALFA_INVOICING)]);
    let verdicts = verify_leaks(&results, &s);
    apply_leak_verdicts(&mut results, verdicts);
    assert_eq!(results.errors.len(), 1, "{:?}", results.errors);
    assert!(results.errors[0].path.contains(ALFA));
    // Not verified is an error: exit 2 whatever --fail-on and --exit-zero say.
    assert_eq!(
        leak_outcome(&results, Severity::Critical, false).with_exit_zero(true),
        Outcome::Incomplete
    );
}

#[test]
fn issue_13_verify_403_names_the_missing_permission() {
    let rt = runtime();
    let fixture = basic();
    // The invoicing token authenticates but lacks CredentialsRead: the lookup gets 403.
    let invoicing = token(&fixture, ALFA, ALFA_INVOICING);
    let sim = rt
        .block_on(simulator::start(fixture, SimOptions::default()))
        .expect("simulator");
    let s = settings(&sim.base_url, ALFA, invoicing);
    let mut results = leak_results(vec![finding(ALFA, ALFA_REVOKED)]);
    let verdicts = verify_leaks(&results, &s);
    apply_leak_verdicts(&mut results, verdicts);
    assert_eq!(results.findings[0].status, LeakStatus::Unknown);
    let message = &results.errors.first().expect("an error").message;
    assert!(
        message.contains("403") && message.contains("CredentialsRead"),
        "{message}"
    );
    assert_eq!(
        leak_outcome(&results, Severity::Critical, false),
        Outcome::Incomplete
    );
    rt.block_on(sim.shutdown());
}

#[test]
fn issue_13_verify_and_revoke_fetch_the_certificates_once_per_run() {
    use ksef_client::verify::revoke_tokens;
    let rt = runtime();
    let fixture = basic();
    let (alfa, beta) = (
        token(&fixture, ALFA, ALFA_AUDITOR),
        token(&fixture, BETA, BETA_AUDITOR),
    );
    let sim = rt
        .block_on(simulator::start(fixture, SimOptions::default()))
        .expect("simulator");
    let mut s = settings(&sim.base_url, ALFA, alfa);
    s.contexts.push(ContextSpec {
        nip: BETA.to_string(),
        name: None,
        credential: CredentialSource::InMemory(beta),
    });
    let certificate_lists = || {
        sim.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/security/public-key-certificates"))
            .count()
    };
    let results = leak_results(vec![
        finding(ALFA, ALFA_REVOKED),
        finding(BETA, BETA_AUDITOR),
    ]);
    let verdicts = verify_leaks(&results, &s);
    assert!(verdicts.errors.is_empty(), "{:?}", verdicts.errors);
    assert_eq!(verdicts.statuses.len(), 2);
    assert_eq!(certificate_lists(), 1, "--verify with two NIPs");
    let outcomes = revoke_tokens(
        &s,
        &[
            (ALFA.to_string(), ALFA_INVOICING.to_string()),
            (
                BETA.to_string(),
                "20250101-EC-FA4EFA4E00-0000000001-49".to_string(),
            ),
        ],
    );
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        certificate_lists(),
        2,
        "revoke with two NIPs: one more list"
    );
    rt.block_on(sim.shutdown());
}
