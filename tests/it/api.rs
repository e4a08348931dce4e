//! The KSeF client against the simulator on loopback: paging, limits, faults,
//! completeness, cryptography, `--verify` and revocation.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use ksef_audit::demo::demo_firm;
use ksef_client::auth::authenticate_with;
use ksef_client::error::ApiError;
use ksef_client::fetch::fetch_snapshot_async;
use ksef_client::http::Transport;
use ksef_client::http::http_client;
use ksef_client::models::PublicKeyCertificate;
use ksef_client::progress::Progress;
use ksef_client::progress::ProgressEvent;
use ksef_client::settings::ContextSpec;
use ksef_client::settings::CredentialSource;
use ksef_client::settings::KsefSettings;
use ksef_client::verify::revoke_tokens;
use ksef_client::verify::verify_leaks;
use ksef_leaks::findings::apply_leak_verdicts;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::EnvironmentRef;
use ksef_model::LeakStatus;
use ksef_model::Secret;
use ksef_model::Severity;
use ksef_model::TokenStatus;
use ksef_sim as simulator;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;

use support::fixture::*;

fn settings(sim: &SimHandle, contexts: Vec<(&str, Option<Secret>)>) -> KsefSettings {
    let contexts = contexts
        .into_iter()
        .map(|(nip, secret)| ContextSpec {
            nip: nip.to_string(),
            name: None,
            credential: secret
                .map(CredentialSource::InMemory)
                .unwrap_or(CredentialSource::Missing),
        })
        .collect();
    let mut s = KsefSettings::new(
        EnvironmentRef {
            label: "test".into(),
            base_url: sim.base_url.clone(),
        },
        contexts,
    );
    s.retry_base = Duration::from_millis(20);
    s
}

async fn fetch_one(sim: &SimHandle, nip: &str, secret: Secret) -> ContextSnapshot {
    let snap =
        fetch_snapshot_async(&settings(sim, vec![(nip, Some(secret))]), Progress::none()).await;
    snap.contexts.into_iter().next().expect("one context")
}

fn assert_complete(ctx: &ContextSnapshot) {
    assert_eq!(ctx.status, ContextStatus::Complete, "{:?}", ctx.reason);
}

async fn start(fixture: Fixture) -> SimHandle {
    simulator::start(fixture, SimOptions::default())
        .await
        .expect("simulator starts")
}

/// The basic fixture with faults on Alfa, and Alfa's auditor token.
async fn alfa_with_faults(faults: Faults) -> (SimHandle, Secret) {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = start(fixture).await;
    sim.set_faults(Some(ALFA), faults);
    (sim, auditor)
}

fn recording() -> (Progress, Arc<Mutex<Vec<ProgressEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let progress = Progress::new(move |e| sink.lock().expect("lock").push(e.clone()));
    (progress, events)
}

fn token_list_requests(sim: &SimHandle) -> Vec<simulator::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/tokens"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_page_listing_reads_every_token() {
    let fixture = demo_firm(Utc::now());
    let big = fixture
        .contexts
        .iter()
        .max_by_key(|c| c.tokens.len())
        .expect("contexts");
    assert!(big.tokens.len() > 200, "the demo firm has a 3-page context");
    let nip = big.nip.clone();
    let expected = big.tokens.len();
    let auditor = ksef_audit::demo::demo_auditor_tokens(&fixture)
        .into_iter()
        .find(|(n, _)| *n == nip)
        .map(|(_, s)| s);
    let sim = start(fixture).await;
    let snap = fetch_snapshot_async(&settings(&sim, vec![(&nip, auditor)]), Progress::none()).await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Complete, "{:?}", ctx.reason);
    assert_eq!(ctx.tokens.len(), expected);
    let mut refs: Vec<_> = ctx.tokens.iter().map(|t| &t.reference_number).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), expected, "no token read twice");

    let pages = token_list_requests(&sim);
    assert_eq!(pages.len(), expected.div_ceil(100));
    assert!(!pages[0].headers.contains_key("x-continuation-token"));
    for p in &pages {
        assert!(
            p.query
                .as_deref()
                .is_some_and(|q| q.contains("pageSize=100")),
            "{p:?}"
        );
        assert!(p.path.starts_with("/v2/"), "{p:?}");
    }
    for p in &pages[1..] {
        assert!(p.headers.contains_key("x-continuation-token"), "{p:?}");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_requests_wait_exactly_retry_after() {
    let fixture = demo_firm(Utc::now());
    let big = fixture
        .contexts
        .iter()
        .max_by_key(|c| c.tokens.len())
        .expect("contexts");
    let nip = big.nip.clone();
    let expected = big.tokens.len();
    let auditor = ksef_audit::demo::demo_auditor_tokens(&fixture)
        .into_iter()
        .find(|(n, _)| *n == nip)
        .map(|(_, s)| s);
    let sim = start(fixture).await;
    sim.set_faults(
        Some(&nip),
        Faults {
            rate_limit_every: Some(2),
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let (progress, events) = recording();
    let snap = fetch_snapshot_async(&settings(&sim, vec![(&nip, auditor)]), progress).await;
    assert_complete(&snap.contexts[0]);
    assert_eq!(snap.contexts[0].tokens.len(), expected);

    let limited: Vec<_> = token_list_requests(&sim)
        .into_iter()
        .filter(|r| r.status == 429)
        .collect();
    assert!(!limited.is_empty(), "the fault was hit");
    assert!(
        limited
            .iter()
            .all(|r| r.retry_after.as_deref() == Some("1"))
    );
    let waits: Vec<_> = events
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|e| match e {
            // Only the token listing's waits: the grant reads are rate limited too.
            ProgressEvent::Waiting {
                millis,
                why,
                endpoint,
                ..
            } if why.contains("Retry-After") && endpoint.contains("/tokens") => Some(*millis),
            _ => None,
        })
        .collect();
    assert_eq!(waits.len(), limited.len());
    assert!(waits.iter().all(|m| *m == 1000), "{waits:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_beyond_the_cap_makes_the_context_incomplete() {
    let (sim, auditor) = alfa_with_faults(Faults {
        rate_limit_every: Some(1),
        retry_after_secs: 600,
        ..Faults::default()
    })
    .await;
    let mut s = settings(&sim, vec![(ALFA, Some(auditor))]);
    s.max_retry_after = Duration::from_secs(30);
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("Retry-After 600 s"), "{reason}");
    assert!(reason.contains("GET /tokens"), "{reason}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_unavailable_is_retried() {
    let (sim, auditor) = alfa_with_faults(Faults {
        unavailable_first: 2,
        ..Faults::default()
    })
    .await;
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    assert_complete(&ctx);
    assert_eq!(ctx.tokens.len(), 6);
    let statuses: Vec<u16> = token_list_requests(&sim).iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![503, 503, 200]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_unavailability_gives_up_with_a_reason() {
    let (sim, auditor) = alfa_with_faults(Faults {
        unavailable_first: 100,
        ..Faults::default()
    })
    .await;
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    let reason = ctx.reason.as_deref().expect("reason");
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    assert!(reason.contains("HTTP 503"), "{reason}");
    assert!(reason.contains("after 4 retries"), "{reason}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_auth_token_is_incomplete_with_a_clear_reason() {
    let fixture = basic();
    let revoked = token(&fixture, ALFA, ALFA_REVOKED);
    let sim = start(fixture).await;
    let ctx = fetch_one(&sim, ALFA, revoked).await;
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("context 5265877635"), "{reason}");
    assert!(reason.contains("status 450"), "{reason}");
    assert!(
        reason.contains("invalid, revoked or not active"),
        "{reason}"
    );
    assert!(reason.contains("Token unieważniony"), "{reason}");
    assert!(ctx.tokens.is_empty());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_revoked_after_auth_is_incomplete() {
    let (sim, auditor) = alfa_with_faults(Faults {
        revoke_session_after_auth: true,
        ..Faults::default()
    })
    .await;
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("HTTP 401"), "{reason}");
    assert!(
        reason.contains("help: the access token is missing, expired or revoked"),
        "{reason}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_without_credentials_read_is_incomplete() {
    let fixture = basic();
    let invoicing = token(&fixture, ALFA, ALFA_INVOICING);
    let sim = start(fixture).await;
    let ctx = fetch_one(&sim, ALFA, invoicing).await;
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    assert_eq!(ctx.auditor_reference.as_deref(), Some(ALFA_INVOICING));
    assert_eq!(
        ctx.tokens.len(),
        1,
        "KSeF shows only the caller's own token"
    );
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(
        reason.contains("lacks CredentialsRead and CredentialsManage"),
        "{reason}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_run_concurrently_and_one_failure_stops_none() {
    let fixture = basic();
    let alfa = token(&fixture, ALFA, ALFA_AUDITOR);
    let beta = token(&fixture, BETA, BETA_AUDITOR);
    let sim = start(fixture).await;
    let s = settings(
        &sim,
        vec![(ALFA, Some(alfa)), ("3756977049", None), (BETA, Some(beta))],
    );
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let statuses: Vec<_> = snap
        .contexts
        .iter()
        .map(|c| (c.nip.as_str(), c.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (ALFA, ContextStatus::Complete),
            ("3756977049", ContextStatus::Incomplete),
            (BETA, ContextStatus::Complete),
        ]
    );
    // Unknown values survive (Beta polls "in progress" twice first).
    let alfa = &snap.contexts[0];
    assert_eq!(alfa.auditor_permissions.as_ref().map(Vec::len), Some(1));
    assert!(
        alfa.tokens
            .iter()
            .any(|t| t.status == TokenStatus::Other("Suspended".into()))
    );
    assert!(
        snap.contexts[1]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("KSEF_TOKEN_3756977049"))
    );
    // Sessions are closed when done.
    let closes = sim
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.ends_with("/auth/sessions/current"))
        .count();
    assert_eq!(closes, 2);
    sim.shutdown().await;
}

fn symmetric_certificate(
    certs: &[PublicKeyCertificate],
    _now: chrono::DateTime<Utc>,
) -> Option<&PublicKeyCertificate> {
    certs
        .iter()
        .find(|c| c.usage.iter().any(|u| u == "SymmetricKeyEncryption"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypting_with_the_wrong_certificate_fails() {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = start(fixture).await;
    let s = settings(&sim, vec![]);
    let t = Transport::new(http_client(&s).expect("client"), &s, ALFA, Progress::none());
    let err = authenticate_with(&t, &auditor, Duration::from_secs(10), symmetric_certificate)
        .await
        .expect_err("wrong key");
    match &err {
        ApiError::AuthFailed { code, message, .. } => {
            assert_eq!(*code, 450);
            assert!(
                message.contains("Nieprawidłowe szyfrowanie tokena"),
                "{message}"
            );
        }
        other => panic!("unexpected error: {other}"),
    }
    sim.shutdown().await;
}

fn sim_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn verify_leaks_sets_status_and_raises_active_ones_to_critical() {
    let rt = sim_runtime();
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = rt.block_on(start(fixture));
    let s = settings(&sim, vec![(ALFA, Some(auditor))]);
    let mut results = leak_results(vec![
        finding(ALFA, ALFA_INVOICING),
        finding(ALFA, ALFA_REVOKED),
        finding(ALFA, "20250101-EC-0000000000-0000000000-00"),
        finding(BETA, BETA_AUDITOR),
    ]);
    let verdicts = verify_leaks(&results, &s);
    apply_leak_verdicts(&mut results, verdicts);
    let got: Vec<_> = results
        .findings
        .iter()
        .map(|f| (f.status, f.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            (LeakStatus::Active, Severity::Critical),
            (LeakStatus::Revoked, Severity::High),
            (LeakStatus::Unknown, Severity::High),
            (LeakStatus::Unverified, Severity::High),
        ]
    );
    assert!(
        results.warnings.iter().any(|w| w.contains("7762811692")),
        "{:?}",
        results.warnings
    );
    // KSeF answers 400 for the unknown reference: an error naming it (exit 2, issue 21
    // point 16), while the NIP's other references were verified.
    assert!(
        results.errors.iter().any(|e| e
            .message
            .contains("verification failed for context 5265877635: KSeF rejected the lookup of 20250101-EC-0000000000-0000000000-00")),
        "{:?}",
        results.errors
    );
    // Only the firm's own credential was used: every lookup is by reference.
    let lookups: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/tokens/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(lookups.len(), 3);
    rt.block_on(sim.shutdown());
}

#[test]
fn revoke_tokens_revokes_in_the_right_context() {
    let rt = sim_runtime();
    let fixture = basic();
    let auditor = token(&fixture, BETA, BETA_AUDITOR);
    let mut fixture = fixture;
    // Give Beta a second active token to revoke.
    let beta = fixture
        .contexts
        .iter_mut()
        .find(|c| c.nip == BETA)
        .expect("beta");
    let mut extra = beta.tokens[0].clone();
    extra.record.reference_number = "20260116-EC-B0D17A0002-0000000002-00".into();
    extra.record.requested_permissions = vec![ksef_model::Permission::InvoiceRead];
    extra.record.description = "Beta-Symfonia-prod-2026".into();
    beta.tokens.push(extra);
    let sim = rt.block_on(start(fixture));
    let s = settings(&sim, vec![(BETA, Some(auditor))]);
    let outcomes = revoke_tokens(
        &s,
        &[(BETA.into(), "20260116-EC-B0D17A0002-0000000002-00".into())],
    );
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].result.is_ok(), "{:?}", outcomes[0].result);
    let after = sim.fixture();
    let revoked = after
        .contexts
        .iter()
        .flat_map(|c| &c.tokens)
        .find(|t| t.record.reference_number == "20260116-EC-B0D17A0002-0000000002-00")
        .expect("still listed");
    assert!(matches!(
        revoked.record.status,
        TokenStatus::Revoking | TokenStatus::Revoked
    ));
    rt.block_on(sim.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_token_is_refreshed_near_expiry() {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    // Access tokens that are always within the refresh margin.
    let sim = simulator::start(
        fixture,
        SimOptions {
            access_token_ttl: Duration::from_secs(30),
            ..SimOptions::default()
        },
    )
    .await
    .expect("simulator starts");
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    assert_complete(&ctx);
    let refreshes = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/auth/token/refresh") && r.status == 200)
        .count();
    assert!(refreshes >= 1, "refreshed before use");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_wait_is_bounded() {
    let (sim, auditor) = alfa_with_faults(Faults {
        auth_polls_in_progress: 10_000,
        ..Faults::default()
    })
    .await;
    let mut s = settings(&sim, vec![(ALFA, Some(auditor))]);
    s.auth_timeout = Duration::from_secs(1);
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let reason = snap.contexts[0].reason.as_deref().expect("reason");
    assert_eq!(snap.contexts[0].status, ContextStatus::Incomplete);
    assert!(reason.contains("still in progress after 1 s"), "{reason}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_without_any_permission_is_explained() {
    let fixture = basic();
    let bare = token(&fixture, ALFA, "20260301-EC-A0D17A0005-0000000005-04");
    let sim = start(fixture).await;
    let snap =
        fetch_snapshot_async(&settings(&sim, vec![(ALFA, Some(bare))]), Progress::none()).await;
    let reason = snap.contexts[0].reason.as_deref().expect("reason");
    assert!(reason.contains("status 415"), "{reason}");
    assert!(reason.contains("no permissions"), "{reason}");
    sim.shutdown().await;
}

// --- issue 13: hostile servers and odd inputs ---------------------------------------

fn requests_to(sim: &SimHandle, method: &str, suffix: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_oversized_body_is_capped_with_the_endpoint_named() {
    let (sim, auditor) = alfa_with_faults(Faults {
        huge_body_mib: 20,
        ..Faults::default()
    })
    .await;
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    assert!(ctx.tokens.is_empty());
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("GET /tokens"), "{reason}");
    assert!(reason.contains("larger than 16 MiB"), "{reason}");
    sim.shutdown().await;
}

/// A hostile server: every request gets a 200 whose chunked body (no `Content-Length`)
/// runs to `mib` MiB of spaces. Returns its base URL.
async fn chunked_server(mib: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let start = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(start).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 1024 * 1024];
                for _ in 0..mib {
                    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                    frame.extend_from_slice(&chunk);
                    frame.extend_from_slice(b"\r\n");
                    if socket.write_all(&frame).await.is_err() {
                        return; // the client stopped reading
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    format!("http://{addr}/v2")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_streamed_body_is_cut_at_the_cap() {
    let base_url = chunked_server(64).await;
    let s = KsefSettings::new(
        EnvironmentRef {
            label: "hostile".into(),
            base_url,
        },
        vec![],
    );
    let t = Transport::new(http_client(&s).expect("client"), &s, ALFA, Progress::none());
    let call =
        ksef_client::http::Call::new(reqwest::Method::GET, "/security/public-key-certificates");
    let err = t.send(&call).await.expect_err("64 MiB is refused");
    assert!(
        matches!(err, ApiError::BodyTooLarge { limit_mib: 16, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("GET /security/public-key-certificates") && msg.contains("larger than 16 MiB"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_endless_cursor_stops_at_the_hourly_page_cap() {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = simulator::start(
        fixture,
        SimOptions {
            rate_limits: false,
            ..SimOptions::default()
        },
    )
    .await
    .expect("simulator starts");
    sim.set_faults(
        Some(ALFA),
        Faults {
            endless_cursor: true,
            ..Faults::default()
        },
    );
    let mut s = settings(&sim, vec![(ALFA, Some(auditor))]);
    // The default page cap (1000) stays; the client-side limiter is off so the test
    // runs in a second (with it, 120 pages take 4 minutes: still no hourly wait).
    assert_eq!(s.max_pages, 1000);
    s.rate_limits = ksef_model::RateLimits {
        per_second: 100_000,
        per_minute: 100_000,
        per_hour: 100_000,
    };
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("more than 120 pages"), "{reason}");
    assert!(reason.contains("runaway"), "{reason}");
    assert!(reason.contains("in an hour"), "{reason}");
    assert_eq!(token_list_requests(&sim).len(), 120);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_duplicate_tokens_across_pages_make_the_context_incomplete() {
    let (sim, auditor) = alfa_with_faults(Faults {
        repeat_listing: true,
        ..Faults::default()
    })
    .await;
    let ctx = fetch_one(&sim, ALFA, auditor).await;
    assert_eq!(
        token_list_requests(&sim).len(),
        2,
        "the list was served twice"
    );
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(reason.contains("duplicates seen"), "{reason}");
    assert!(reason.contains("6 tokens more than once"), "{reason}");
    assert_eq!(ctx.tokens.len(), 6, "each token kept once");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_unknown_token_statuses_are_counted_and_told() {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = start(fixture).await;
    let (progress, events) = recording();
    let snap = fetch_snapshot_async(&settings(&sim, vec![(ALFA, Some(auditor))]), progress).await;
    let ctx = &snap.contexts[0];
    assert_complete(ctx);
    let suspended: Vec<_> = ctx
        .tokens
        .iter()
        .filter(|t| t.status.is_unknown())
        .collect();
    assert_eq!(suspended.len(), 1);
    assert!(suspended[0].status.is_live(), "unknown counts as live");
    let warnings: Vec<String> = events
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|e| match e {
            ProgressEvent::Warning { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect();
    assert!(
        warnings.iter().any(|w| w
            .contains("1 token with a status this version does not know ('Suspended' x1)")
            && w.contains("treated as live")),
        "{warnings:?}"
    );
    assert!(TokenStatus::Active.is_live());
    for known_inactive in [
        TokenStatus::Pending,
        TokenStatus::Revoking,
        TokenStatus::Revoked,
        TokenStatus::Failed,
    ] {
        assert!(!known_inactive.is_live(), "{known_inactive}");
    }
    sim.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_token_file_with_a_bom_authenticates_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = start(fixture).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("alfa.token");
    std::fs::write(&path, format!("\u{feff}{}\r\n", auditor.expose())).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut s = settings(&sim, vec![]);
    s.contexts = vec![ContextSpec {
        nip: ALFA.into(),
        name: None,
        credential: CredentialSource::File(path),
    }];
    let (progress, events) = recording();
    let snap = fetch_snapshot_async(&s, progress).await;
    assert_complete(&snap.contexts[0]);
    let events = events.lock().expect("lock").clone();
    let note = events
        .iter()
        .find_map(|e| match e {
            ProgressEvent::Warning { message, .. } if message.contains("byte-order mark") => {
                Some(message.clone())
            }
            _ => None,
        })
        .expect("the BOM is mentioned");
    assert!(note.contains("alfa.token"), "{note}");
    assert!(!note.contains(auditor.expose()), "{note}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_userinfo_of_the_base_url_is_never_recorded() {
    let fixture = basic();
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = start(fixture).await;
    let mut s = settings(&sim, vec![(ALFA, Some(auditor))]);
    s.environment.base_url = sim
        .base_url
        .replace("http://", "http://proxyuser:pr0xy-s3cret@");
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    assert_eq!(snap.environment.base_url, sim.base_url);
    let json = serde_json::to_string(&snap).expect("json");
    assert!(!json.contains("pr0xy-s3cret"), "{json}");
    assert!(!json.contains("proxyuser"), "{json}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_certificates_are_fetched_once_per_run() {
    let fixture = basic();
    let alfa = token(&fixture, ALFA, ALFA_AUDITOR);
    let beta = token(&fixture, BETA, BETA_AUDITOR);
    let sim = start(fixture).await;
    let s = settings(&sim, vec![(ALFA, Some(alfa)), (BETA, Some(beta))]);
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    assert!(
        snap.contexts
            .iter()
            .all(|c| c.status == ContextStatus::Complete)
    );
    assert_eq!(
        requests_to(&sim, "GET", "/security/public-key-certificates"),
        1
    );
    assert_eq!(requests_to(&sim, "POST", "/auth/ksef-token"), 2);
    sim.shutdown().await;
}

/// Every limit off, on both sides: a runaway listing then runs as fast as it can.
async fn alfa_unlimited(faults: Faults) -> (SimHandle, Secret, KsefSettings) {
    let mut fixture = basic();
    let alfa = fixture
        .contexts
        .iter_mut()
        .find(|c| c.nip == ALFA)
        .expect("Alfa");
    alfa.grants.push(ksef_model::GrantRecord {
        id: "00000000-0000-4000-8000-000000000001".into(),
        kind: ksef_model::GrantKind::Person,
        holder: ksef_model::GrantIdentifier::pesel("85010112345".to_string()),
        scope: ksef_model::GrantScope::from("InvoiceRead"),
        description: "a grant the endless listing copies".into(),
        start_date: "2026-01-01T08:00:00Z".parse().expect("date"),
        can_delegate: false,
        author: Some(ksef_model::GrantIdentifier::nip(ALFA)),
        target: None,
        context: None,
        state: Some(ksef_model::PermissionState::Active),
        subject: None,
        extra: Default::default(),
    });
    let auditor = token(&fixture, ALFA, ALFA_AUDITOR);
    let sim = simulator::start(
        fixture,
        SimOptions {
            rate_limits: false,
            ..SimOptions::default()
        },
    )
    .await
    .expect("simulator starts");
    sim.set_faults(Some(ALFA), faults);
    let mut s = settings(&sim, vec![(ALFA, Some(auditor.clone()))]);
    s.rate_limits = ksef_model::RateLimits {
        per_second: 100_000,
        per_minute: 1_000_000,
        per_hour: 1_000_000,
    };
    (sim, auditor, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_21_an_endless_grant_listing_stops_at_the_token_listings_cap() {
    let (sim, _, s) = alfa_unlimited(Faults {
        endless_grants: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(
        s.max_pages, 1000,
        "the default cap alone would read 1000 pages"
    );
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(
        reason.contains("gave more than 120 pages of grants"),
        "{reason}"
    );
    let pages = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/permissions/query/persons/grants"))
        .count();
    assert_eq!(pages, 120, "one hour of the contract's limit, no more");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_21_a_context_past_its_byte_budget_is_incomplete_not_an_abort() {
    let (sim, _, mut s) = alfa_unlimited(Faults {
        endless_grants: true,
        ..Faults::default()
    })
    .await;
    s.context_budget = 24 * 1024;
    let snap = fetch_snapshot_async(&s, Progress::none()).await;
    let ctx = &snap.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    let reason = ctx.reason.as_deref().expect("reason");
    assert!(
        reason.contains("the answers for this context passed"),
        "{reason}"
    );
    sim.shutdown().await;
}
