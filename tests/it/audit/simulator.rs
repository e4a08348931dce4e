//! The whole audit against the simulator serving the example firm: a context with
//! 250+ tokens over several pages that is also rate-limited (429 + Retry-After), and an
//! incomplete context.

use chrono::Utc;

use ksef_audit::app::audit::demo_audit;
use ksef_audit::app::demo::demo_certificate;
use ksef_audit::app::demo::demo_settings;
use ksef_audit::demo::demo_firm;
use ksef_client::fetch::fetch_snapshot;
use ksef_client::progress::Progress;
use ksef_model::ContextStatus;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_policy::audit::outcome;
use ksef_policy::rule::builtin_policy_rules;
use ksef_sim as simulator;
use ksef_sim::Faults;
use ksef_sim::SimOptions;

const INCOMPLETE: &str = "7742901156";

#[test]
fn whole_audit_against_the_simulator() {
    let mut fixture = demo_firm(Utc::now());
    // The demo signs in to one context with a KSeF certificate (its certificate rules).
    let cert_dir = tempfile::tempdir().expect("tempdir");
    let certificate = demo_certificate(cert_dir.path(), &mut fixture).expect("certificate");
    let big = fixture
        .contexts
        .iter()
        .max_by_key(|c| c.tokens.len())
        .expect("contexts");
    assert!(big.tokens.len() >= 250);
    let big_nip = big.nip.clone();
    let big_count = big.tokens.len();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = runtime
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .expect("simulator starts");
    // The big context is also the rate-limited one: every second request gets a 429.
    let rate_limited = big_nip.as_str();
    sim.set_faults(
        Some(rate_limited),
        Faults {
            rate_limit_every: Some(2),
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let mut settings = demo_settings(&fixture, &sim.base_url);
    certificate.sign_in_with(&sim, &mut settings);
    let snapshot = fetch_snapshot(&settings, Progress::none());
    let requests = sim.requests();
    runtime.block_on(sim.shutdown());

    let pages = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/tokens"))
        .filter(|r| r.nip.as_deref() == Some(big_nip.as_str()) && r.status == 200)
        .count();
    assert!(
        pages >= 3,
        "the big context needs several pages, got {pages}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.nip.as_deref() == Some(rate_limited) && r.status == 429),
        "the rate limit was hit"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let (results, _) = demo_audit(dir.path(), &snapshot, &fixture).expect("audit");
    let ctx = |nip: &str| {
        results
            .contexts
            .iter()
            .find(|c| c.nip == nip)
            .expect("context in results")
    };
    assert_eq!(ctx(&big_nip).status, ContextStatus::Complete);
    assert_eq!(ctx(&big_nip).tokens.len(), big_count);
    assert_eq!(ctx(rate_limited).status, ContextStatus::Complete);
    assert_eq!(ctx(INCOMPLETE).status, ContextStatus::Incomplete);
    assert!(ctx(INCOMPLETE).reason.is_some());
    // Nothing is called stale in a context that could not be read in full.
    assert!(
        !results
            .findings
            .iter()
            .any(|f| f.nip == INCOMPLETE && f.rule == "stale-inventory-entry")
    );
    let rules = builtin_policy_rules().expect("rules");
    for r in &rules.rules {
        assert!(
            results.findings.iter().any(|f| f.rule == r.name),
            "no demo finding of {}",
            r.name
        );
    }
    // An incomplete context means exit 2, whatever the findings.
    assert_eq!(
        outcome(&results, Severity::Critical, false),
        Outcome::Incomplete
    );
}
