//! The KSeF simulator over loopback, driven with reqwest as a client would.

use crate::support;

use std::collections::HashSet;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, TimeZone, Utc};
use ksef_model::Identifier;
use ksef_model::Permission;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::FixtureToken;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;
use ksef_sim::start;
use reqwest::StatusCode;
use rsa::RsaPublicKey;
use serde_json::{Value, json};
use support::ksef::encrypt_token;

const A: &str = "5265877635";
const B: &str = "7762811692";
const AUDITOR_A: &str = "20260110-EC-A0D17A0001-0000000001-F6";
const INVOICE_A: &str = "20250301-EC-A0D17A0002-0000000002-D5";

fn basic_fixture() -> Fixture {
    Fixture::load(Path::new("tests/fixtures/api/simulator/basic.json")).expect("basic fixture")
}

fn token_string(fixture: &Fixture, reference: &str) -> String {
    fixture
        .contexts
        .iter()
        .find_map(|c| {
            c.tokens
                .iter()
                .find(|t| t.record.reference_number == reference)
                .and_then(|t| c.token_string(t))
        })
        .expect("token with a secret")
}

/// The KSeF code of a legacy `ExceptionResponse` answer.
async fn ksef_code(response: reqwest::Response) -> i64 {
    let body: Value = response.json().await.expect("json");
    body["exception"]["exceptionDetailList"][0]["exceptionCode"]
        .as_i64()
        .unwrap_or_else(|| panic!("no KSeF exception code in {body}"))
}

async fn sim(fixture: Fixture) -> SimHandle {
    start(fixture, SimOptions::default())
        .await
        .expect("simulator starts")
}

struct Client {
    http: reqwest::Client,
    base: String,
}

/// How an authentication attempt ended.
#[derive(Debug)]
enum Auth {
    Ok { access: String, refresh: String },
    Failed { code: i64, details: Vec<String> },
}

impl Client {
    fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    /// The certificate with `usage`, as a public key and its id.
    async fn certificate(&self, usage: &str) -> (RsaPublicKey, String) {
        let certs: Value = self
            .http
            .get(format!("{}/security/public-key-certificates", self.base))
            .send()
            .await
            .expect("certs")
            .json()
            .await
            .expect("json");
        support::ksef::public_key(support::ksef::certificate(&certs, usage))
    }

    async fn start_auth(&self, nip: &str, token: &str, usage: &str) -> (String, String) {
        let challenge: Value = self
            .http
            .post(format!("{}/auth/challenge", self.base))
            .send()
            .await
            .expect("challenge")
            .json()
            .await
            .expect("json");
        let (key, key_id) = self.certificate(usage).await;
        let encrypted = encrypt_token(&key, token, challenge["timestampMs"].as_i64().expect("ms"));
        let response = self
            .http
            .post(format!("{}/auth/ksef-token", self.base))
            .json(&json!({
                "challenge": challenge["challenge"],
                "contextIdentifier": {"type": "Nip", "value": nip},
                "encryptedToken": encrypted,
                "publicKeyId": key_id,
            }))
            .send()
            .await
            .expect("ksef-token");
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.expect("json");
        (
            body["referenceNumber"].as_str().expect("ref").to_string(),
            body["authenticationToken"]["token"]
                .as_str()
                .expect("token")
                .to_string(),
        )
    }

    /// Polls until the status is final; returns it and how many 100s were seen.
    async fn poll(&self, reference: &str, op_token: &str) -> (i64, Vec<String>, u32) {
        let mut in_progress = 0;
        loop {
            let status: Value = self
                .http
                .get(format!("{}/auth/{reference}", self.base))
                .bearer_auth(op_token)
                .send()
                .await
                .expect("status")
                .json()
                .await
                .expect("json");
            let code = status["status"]["code"].as_i64().expect("code");
            if code != 100 {
                let details = status["status"]["details"]
                    .as_array()
                    .map(|d| {
                        d.iter()
                            .map(|s| s.as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                return (code, details, in_progress);
            }
            in_progress += 1;
            assert!(in_progress < 50, "authentication never finished");
        }
    }

    async fn redeem(&self, op_token: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/auth/token/redeem", self.base))
            .bearer_auth(op_token)
            .send()
            .await
            .expect("redeem")
    }

    async fn authenticate_with(&self, nip: &str, token: &str, usage: &str) -> Auth {
        let (reference, op_token) = self.start_auth(nip, token, usage).await;
        let (code, details, _) = self.poll(&reference, &op_token).await;
        if code != 200 {
            return Auth::Failed { code, details };
        }
        let tokens: Value = self.redeem(&op_token).await.json().await.expect("json");
        Auth::Ok {
            access: tokens["accessToken"]["token"]
                .as_str()
                .expect("access")
                .into(),
            refresh: tokens["refreshToken"]["token"]
                .as_str()
                .expect("refresh")
                .into(),
        }
    }

    async fn authenticate(&self, nip: &str, token: &str) -> (String, String) {
        match self
            .authenticate_with(nip, token, "KsefTokenEncryption")
            .await
        {
            Auth::Ok { access, refresh } => (access, refresh),
            failed => panic!("authentication failed: {failed:?}"),
        }
    }

    async fn list(&self, access: &str, query: &str, cursor: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .get(format!("{}/tokens{query}", self.base))
            .bearer_auth(access);
        if let Some(c) = cursor {
            req = req.header("x-continuation-token", c);
        }
        req.send().await.expect("list")
    }

    /// Every page; the references in order.
    async fn list_all(&self, access: &str, query: &str) -> Vec<String> {
        let mut refs = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let response = self.list(access, query, cursor.as_deref()).await;
            assert_eq!(response.status(), StatusCode::OK);
            let page: Value = response.json().await.expect("json");
            for t in page["tokens"].as_array().expect("tokens") {
                refs.push(t["referenceNumber"].as_str().expect("ref").to_string());
            }
            match page["continuationToken"].as_str() {
                Some(c) if !c.is_empty() => cursor = Some(c.to_string()),
                _ => return refs,
            }
        }
        panic!("cursor never ended");
    }

    async fn get_token(&self, access: &str, reference: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/tokens/{reference}", self.base))
            .bearer_auth(access)
            .send()
            .await
            .expect("get token")
    }
}

#[tokio::test]
async fn full_auth_flow_with_real_encryption_lists_tokens() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let (access, refresh) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;

    let response = client.list(&access, "?pageSize=10", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.expect("json");
    assert!(page["continuationToken"].is_null());
    let tokens = page["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 6);
    // Newest first; records keep every contract field.
    let dates: Vec<&str> = tokens
        .iter()
        .map(|t| t["dateCreated"].as_str().expect("date"))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let record: TokenRecord = serde_json::from_value(tokens[0].clone()).expect("contract record");
    assert_eq!(record.status, TokenStatus::Other("Suspended".into()));
    assert!(tokens.iter().all(|t| t.get("secret").is_none()));

    // Authenticating updated the auditor token's lastUseDate.
    let own: Value = client
        .get_token(&access, AUDITOR_A)
        .await
        .json()
        .await
        .expect("json");
    assert!(own["lastUseDate"].is_string());

    // The refresh token gives a new access token that works.
    let refreshed: Value = client
        .http
        .post(format!("{}/auth/token/refresh", sim.base_url))
        .bearer_auth(&refresh)
        .send()
        .await
        .expect("refresh")
        .json()
        .await
        .expect("json");
    let new_access = refreshed["accessToken"]["token"].as_str().expect("access");
    assert_ne!(new_access, access);
    assert_eq!(
        client.list(new_access, "", None).await.status(),
        StatusCode::OK
    );

    // Closing the session stops the refresh token.
    let closed = client
        .http
        .delete(format!("{}/auth/sessions/current", sim.base_url))
        .bearer_auth(new_access)
        .send()
        .await
        .expect("close");
    assert_eq!(closed.status(), StatusCode::NO_CONTENT);
    let again = client
        .http
        .post(format!("{}/auth/token/refresh", sim.base_url))
        .bearer_auth(&refresh)
        .send()
        .await
        .expect("refresh");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ksef_code(again).await, 21301);
    sim.shutdown().await;
}

#[tokio::test]
async fn routes_are_served_at_the_root_too() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.root_url);
    let (access, _) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    assert_eq!(
        client.list(&access, "", None).await.status(),
        StatusCode::OK
    );
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.iter().all(|p| !p.starts_with("/v2")));
    assert!(paths.contains(&"/tokens".to_string()));
}

#[tokio::test]
async fn encryption_with_the_symmetric_key_certificate_fails_with_450() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let outcome = client
        .authenticate_with(
            A,
            &token_string(&fixture, AUDITOR_A),
            "SymmetricKeyEncryption",
        )
        .await;
    match outcome {
        Auth::Failed { code, details } => {
            assert_eq!(code, 450);
            assert_eq!(details, vec!["Nieprawidłowe szyfrowanie tokena"]);
        }
        Auth::Ok { .. } => panic!("the symmetric key must not decrypt tokens"),
    }
}

#[tokio::test]
async fn bad_tokens_end_in_450_or_415_with_the_documented_details() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let usage = "KsefTokenEncryption";
    let cases: Vec<(String, String, i64, String)> = vec![
        // Revoked token.
        (
            A.into(),
            token_string(&fixture, "20250401-EC-A0D17A0003-0000000003-A0"),
            450,
            "Token unieważniony".into(),
        ),
        // Pending token.
        (
            A.into(),
            token_string(&fixture, "20260201-EC-A0D17A0004-0000000004-E4"),
            450,
            "Token nieaktywny".into(),
        ),
        // Wrong context.
        (
            B.into(),
            token_string(&fixture, AUDITOR_A),
            450,
            format!("Token nie może być użyty w kontekście {B}"),
        ),
        // Unknown secret.
        (
            A.into(),
            format!("{AUDITOR_A}|nip-{A}|{}", "0".repeat(64)),
            450,
            "Nieprawidłowy token".into(),
        ),
        // No permissions.
        (
            A.into(),
            token_string(&fixture, "20260301-EC-A0D17A0005-0000000005-04"),
            415,
            "Brak przypisanych uprawnień".into(),
        ),
    ];
    for (nip, token, code, detail) in cases {
        match client.authenticate_with(&nip, &token, usage).await {
            Auth::Failed { code: c, details } => {
                assert_eq!((c, details), (code, vec![detail]));
            }
            Auth::Ok { .. } => panic!("expected {code} {detail}"),
        }
    }
}

#[tokio::test]
async fn wrong_timestamp_and_unknown_challenge_fail() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let (key, key_id) = client.certificate("KsefTokenEncryption").await;
    let challenge: Value = client
        .http
        .post(format!("{}/auth/challenge", sim.base_url))
        .send()
        .await
        .expect("challenge")
        .json()
        .await
        .expect("json");
    let token = token_string(&fixture, AUDITOR_A);
    let send = |challenge: String, ms: i64, key_id: String| {
        let encrypted = encrypt_token(&key, &token, ms);
        client
            .http
            .post(format!("{}/auth/ksef-token", sim.base_url))
            .json(&json!({
                "challenge": challenge,
                "contextIdentifier": {"type": "Nip", "value": A},
                "encryptedToken": encrypted,
                "publicKeyId": key_id,
            }))
            .send()
    };
    let ms = challenge["timestampMs"].as_i64().expect("ms");
    let ch = challenge["challenge"]
        .as_str()
        .expect("challenge")
        .to_string();

    // Unknown publicKeyId: 400 21470.
    let unknown_key = send(ch.clone(), ms, STANDARD.encode([7u8; 32]))
        .await
        .expect("send");
    assert_eq!(unknown_key.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ksef_code(unknown_key).await, 21470);

    let wrong_time: Value = send(ch.clone(), ms - 1, key_id.clone())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let op = wrong_time["authenticationToken"]["token"]
        .as_str()
        .expect("op");
    let (code, details, _) = client
        .poll(wrong_time["referenceNumber"].as_str().expect("ref"), op)
        .await;
    assert_eq!(
        (code, details),
        (450, vec!["Nieprawidłowy czas tokena".to_string()])
    );

    // The challenge was used up: a second attempt with it fails.
    let reused: Value = send(ch, ms, key_id.clone())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let op = reused["authenticationToken"]["token"].as_str().expect("op");
    let (code, details, _) = client
        .poll(reused["referenceNumber"].as_str().expect("ref"), op)
        .await;
    assert_eq!(
        (code, details),
        (
            450,
            vec!["Nieprawidłowe wyzwanie autoryzacyjne".to_string()]
        )
    );

    // A malformed challenge is a 400 21111, in Problem Details when asked for.
    let malformed = client
        .http
        .post(format!("{}/auth/ksef-token", sim.base_url))
        .header("X-Error-Format", "problem-details")
        .json(&json!({"challenge": "short", "contextIdentifier": {"type": "Nip", "value": A}, "encryptedToken": "AA=="}))
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.headers()["content-type"].to_str().expect("ct"),
        "application/problem+json"
    );
    let body: Value = malformed.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], 21111);

    // A missing field is 21405.
    let invalid = client
        .http
        .post(format!("{}/auth/ksef-token", sim.base_url))
        .json(&json!({"challenge": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(ksef_code(invalid).await, 21405);
}

#[tokio::test]
async fn redeem_is_one_shot_and_polling_shows_in_progress_first() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    // Context B has the fault authPollsInProgress = 2 in the fixture.
    let (reference, op) = client
        .start_auth(
            B,
            &token_string(&fixture, "20260115-EC-B0D17A0001-0000000001-24"),
            "KsefTokenEncryption",
        )
        .await;
    let early = client.redeem(&op).await;
    assert_eq!(early.status(), StatusCode::BAD_REQUEST);
    let (code, _, in_progress) = client.poll(&reference, &op).await;
    assert_eq!((code, in_progress), (200, 2));
    assert_eq!(client.redeem(&op).await.status(), StatusCode::OK);
    let second = client.redeem(&op).await;
    assert_eq!(second.status(), StatusCode::BAD_REQUEST);
    let body: Value = second.json().await.expect("json");
    let detail = &body["exception"]["exceptionDetailList"][0];
    assert_eq!(detail["exceptionCode"], 21301);
    assert!(
        detail["details"][0]
            .as_str()
            .expect("detail")
            .contains("zostały już pobrane")
    );
}

fn big_fixture(n: usize) -> Fixture {
    let t0 = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let nip = Identifier {
        kind: "Nip".into(),
        value: A.into(),
    };
    let mut tokens: Vec<FixtureToken> = (0..n)
        .map(|i| FixtureToken {
            record: TokenRecord {
                reference_number: format!("20250101-EC-{i:010X}-0000000000-00"),
                author_identifier: nip.clone(),
                context_identifier: nip.clone(),
                description: format!("Token numer {i}"),
                requested_permissions: vec![Permission::InvoiceRead],
                // Some share a creation time, to test the tie-break.
                date_created: t0 + Duration::minutes((i / 3) as i64),
                last_use_date: None,
                status: if i % 4 == 0 {
                    TokenStatus::Revoked
                } else {
                    TokenStatus::Active
                },
                status_details: None,
                extra: Default::default(),
            },
            secret: None,
        })
        .collect();
    tokens[0].secret = Some("ab".repeat(32));
    tokens[0].record.requested_permissions = vec![Permission::CredentialsRead];
    tokens[0].record.status = TokenStatus::Active;
    tokens[1].secret = Some("cd".repeat(32));
    Fixture {
        contexts: vec![FixtureContext {
            nip: A.into(),
            name: None,
            internal_id: None,
            faults: None,
            tokens,
            grants: Vec::new(),
            certificates: Vec::new(),
            certificate_limits: None,
        }],
    }
}

#[tokio::test]
async fn paging_over_250_tokens_visits_every_token_once() {
    let fixture = big_fixture(253);
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let token = fixture.contexts[0]
        .token_string(&fixture.contexts[0].tokens[0])
        .expect("secret");
    let (access, _) = client.authenticate(A, &token).await;

    let refs = client.list_all(&access, "?pageSize=100").await;
    assert_eq!(refs.len(), 253);
    assert_eq!(refs.iter().collect::<HashSet<_>>().len(), 253);
    let pages = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/tokens")
        .count();
    assert_eq!(pages, 3);
    let with_cursor = sim
        .requests()
        .iter()
        .filter(|r| r.headers.contains_key("x-continuation-token"))
        .count();
    assert_eq!(with_cursor, 2);

    // Repeated status filters.
    let active = client
        .list_all(&access, "?pageSize=100&status=Active&status=Pending")
        .await;
    assert_eq!(active.len(), 253 - 63);

    // A tampered cursor is 400 21418; pageSize out of range is 21405.
    let bad = client.list(&access, "", Some("bm90IGEgY3Vyc29y")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ksef_code(bad).await, 21418);
    // A real cursor sent with other filters is refused too.
    let first: Value = client
        .list(&access, "?pageSize=100", None)
        .await
        .json()
        .await
        .expect("json");
    let cursor = first["continuationToken"].as_str().expect("cursor");
    let other_filters = client
        .list(&access, "?pageSize=100&status=Revoked", Some(cursor))
        .await;
    assert_eq!(other_filters.status(), StatusCode::BAD_REQUEST);
    let too_big = client.list(&access, "?pageSize=101", None).await;
    assert_eq!(ksef_code(too_big).await, 21405);
}

#[tokio::test]
async fn without_credentials_read_only_the_own_token_is_visible() {
    let fixture = big_fixture(30);
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let ctx = &fixture.contexts[0];
    let (access, _) = client
        .authenticate(A, &ctx.token_string(&ctx.tokens[1]).expect("secret"))
        .await;
    let refs = client.list_all(&access, "?pageSize=10").await;
    assert_eq!(refs, vec![ctx.tokens[1].record.reference_number.clone()]);
    let other = client
        .get_token(&access, &ctx.tokens[2].record.reference_number)
        .await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let body: Value = other.json().await.expect("json");
    assert_eq!(body["reasonCode"], "missing-permissions");
}

#[tokio::test]
async fn protected_endpoints_need_an_access_token() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let none = client
        .http
        .get(format!("{}/tokens", sim.base_url))
        .send()
        .await
        .expect("send");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers()["content-type"], "application/problem+json");
    let (reference, op) = client
        .start_auth(A, &token_string(&fixture, AUDITOR_A), "KsefTokenEncryption")
        .await;
    client.poll(&reference, &op).await;
    assert_eq!(
        client.list(&op, "", None).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn contract_rate_limit_answers_429_with_retry_after() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let (access, _) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    // 31 requests within a minute exceed 30/min (or 10/s before that).
    let mut refused = Vec::new();
    for _ in 0..31 {
        let response = client.list(&access, "", None).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response.headers()["retry-after"]
                .to_str()
                .expect("ascii")
                .to_string();
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["status"], 429);
            refused.push(retry_after);
        }
    }
    assert!(!refused.is_empty());
    for secs in &refused {
        assert!(secs.parse::<u64>().expect("integer seconds") >= 1);
    }
    // Other endpoints have their own counters.
    assert_eq!(
        client.get_token(&access, AUDITOR_A).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn forced_429_carries_the_configured_retry_after() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    let (access, _) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    sim.set_faults(
        Some(A),
        Faults {
            rate_limit_every: Some(2),
            retry_after_secs: 7,
            ..Faults::default()
        },
    );
    let first = client.get_token(&access, AUDITOR_A).await;
    assert_eq!(first.status(), StatusCode::OK);
    let forced = client.get_token(&access, AUDITOR_A).await;
    assert_eq!(forced.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(forced.headers()["retry-after"], "7");
    let log = sim.requests();
    let last = log.last().expect("logged");
    assert_eq!(
        (
            last.status,
            last.retry_after.as_deref(),
            last.nip.as_deref()
        ),
        (429, Some("7"), Some(A))
    );
    assert_eq!(
        last.headers.get("authorization").map(String::as_str),
        Some("Bearer [redacted]")
    );
    // Switched off again at run time.
    sim.set_faults(Some(A), Faults::default());
    assert_eq!(
        client.get_token(&access, AUDITOR_A).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        client.get_token(&access, AUDITOR_A).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn expired_access_token_gets_401_and_refresh_mends_it() {
    let fixture = basic_fixture();
    let options = SimOptions {
        access_token_ttl: std::time::Duration::from_secs(1),
        ..SimOptions::default()
    };
    let sim = start(fixture.clone(), options).await.expect("start");
    let client = Client::new(&sim.base_url);
    let (access, refresh) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        client.list(&access, "", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed: Value = client
        .http
        .post(format!("{}/auth/token/refresh", sim.base_url))
        .bearer_auth(&refresh)
        .send()
        .await
        .expect("refresh")
        .json()
        .await
        .expect("json");
    let fresh = refreshed["accessToken"]["token"].as_str().expect("access");
    assert_eq!(client.list(fresh, "", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn unavailable_fault_gives_503_then_works() {
    let fixture = basic_fixture();
    let options = SimOptions {
        faults: Faults {
            unavailable_first: 2,
            ..Faults::default()
        },
        ..SimOptions::default()
    };
    let sim = start(fixture.clone(), options).await.expect("start");
    let client = Client::new(&sim.base_url);
    let (access, _) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    let codes = [
        client.list(&access, "", None).await.status(),
        client.list(&access, "", None).await.status(),
        client.list(&access, "", None).await.status(),
    ];
    assert_eq!(
        codes,
        [
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::OK
        ]
    );
}

#[tokio::test]
async fn revoked_session_fault_breaks_refresh_and_the_next_call() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    sim.set_faults(
        Some(A),
        Faults {
            revoke_session_after_auth: true,
            ..Faults::default()
        },
    );
    let client = Client::new(&sim.base_url);
    let (access, refresh) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    assert_eq!(
        client.list(&access, "", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed = client
        .http
        .post(format!("{}/auth/token/refresh", sim.base_url))
        .bearer_auth(&refresh)
        .send()
        .await
        .expect("refresh");
    assert_eq!(ksef_code(refreshed).await, 21301);
}

#[tokio::test]
async fn revoking_a_token_goes_active_revoking_revoked() {
    let fixture = basic_fixture();
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    // Context B's auditor holds CredentialsManage but belongs to B; use A's own token:
    // without CredentialsManage a token may revoke only itself.
    let (access, _) = client
        .authenticate(A, &token_string(&fixture, AUDITOR_A))
        .await;
    let denied = client
        .http
        .delete(format!("{}/tokens/{INVOICE_A}", sim.base_url))
        .bearer_auth(&access)
        .send()
        .await
        .expect("delete");
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);

    let (access_b, refresh_b) = client
        .authenticate(
            B,
            &token_string(&fixture, "20260115-EC-B0D17A0001-0000000001-24"),
        )
        .await;
    let revoked = client
        .http
        .delete(format!(
            "{}/tokens/20260115-EC-B0D17A0001-0000000001-24",
            sim.base_url
        ))
        .bearer_auth(&access_b)
        .send()
        .await
        .expect("delete");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let status = |v: Value| v["status"].as_str().unwrap_or_default().to_string();
    let first = client
        .get_token(&access_b, "20260115-EC-B0D17A0001-0000000001-24")
        .await;
    assert_eq!(status(first.json().await.expect("json")), "Revoking");
    let second = client
        .get_token(&access_b, "20260115-EC-B0D17A0001-0000000001-24")
        .await;
    assert_eq!(status(second.json().await.expect("json")), "Revoked");
    // Its session can no longer be refreshed.
    let refreshed = client
        .http
        .post(format!("{}/auth/token/refresh", sim.base_url))
        .bearer_auth(&refresh_b)
        .send()
        .await
        .expect("refresh");
    let body: Value = refreshed.json().await.expect("json");
    let detail = &body["exception"]["exceptionDetailList"][0];
    assert_eq!(detail["exceptionCode"], 21301);
    assert_eq!(detail["details"][0], "Token KSeF został unieważniony.");

    // Unknown reference: 400 21405.
    let unknown = client
        .get_token(&access_b, "20260115-EC-FFFFFFFFFF-FFFFFFFFFF-00")
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn fixture_round_trips_unknown_fields_and_enum_values() {
    let text = std::fs::read_to_string("tests/fixtures/api/simulator/basic.json").expect("read");
    let fixture: Fixture = serde_json::from_str(&text).expect("parse");
    let future = &fixture.contexts[0].tokens[5];
    assert_eq!(future.record.status, TokenStatus::Other("Suspended".into()));
    assert!(future.record.extra.contains_key("validUntil"));
    assert!(
        !fixture.contexts[0].tokens[0]
            .record
            .extra
            .contains_key("secret")
    );
    let back: Value = serde_json::to_value(&fixture).expect("serialise");
    let original: Value = serde_json::from_str(&text).expect("parse");
    assert_eq!(
        back["contexts"][0]["tokens"][5]["requestedPermissions"],
        original["contexts"][0]["tokens"][5]["requestedPermissions"]
    );
    assert_eq!(
        back["contexts"][0]["tokens"][5]["validUntil"],
        original["contexts"][0]["tokens"][5]["validUntil"]
    );
    assert_eq!(
        back["contexts"][0]["tokens"][0]["secret"],
        original["contexts"][0]["tokens"][0]["secret"]
    );
    assert_eq!(back["contexts"][1]["faults"]["authPollsInProgress"], 2);
}

#[tokio::test]
async fn non_loopback_addresses_are_refused() {
    let options = SimOptions {
        addr: "0.0.0.0:0".parse().expect("addr"),
        ..SimOptions::default()
    };
    let err = start(Fixture::default(), options)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("not a loopback address"));
}

#[tokio::test]
async fn demo_firm_serves_every_context_to_its_auditor_token() {
    let fixture = ksef_audit::demo::demo_firm(Utc::now());
    let sim = sim(fixture.clone()).await;
    let client = Client::new(&sim.base_url);
    for (nip, token) in ksef_audit::demo::demo_auditor_tokens(&fixture) {
        let (access, _) = client.authenticate(&nip, token.expose()).await;
        let refs = client.list_all(&access, "?pageSize=100").await;
        let ctx = fixture
            .contexts
            .iter()
            .find(|c| c.nip == nip)
            .expect("context");
        if nip == "7742901156" {
            // Its auditor token lacks CredentialsRead: only the token itself is visible.
            assert_eq!(refs.len(), 1, "{nip}");
        } else {
            assert_eq!(refs.len(), ctx.tokens.len(), "{nip}");
        }
    }
}
