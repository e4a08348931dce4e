//! Every kind of answer the simulator gives, checked against the contract: the status
//! code is documented for the operation, the content type is one it lists, and the
//! body validates against its schema (no undocumented fields).

use std::path::Path;

use crate::support::ksef::{certificate, encrypt_token, public_key};
use crate::support::schema::{contract, validate};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ksef_model::TokenStatus;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;
use ksef_sim::start;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

const A: &str = "5265877635";
const AUDITOR_A: &str = "20260110-EC-A0D17A0001-0000000001-F6";
const INVOICE_A: &str = "20250301-EC-A0D17A0002-0000000002-D5";

/// The basic fixture without its token of unknown enum values (not in the contract).
fn fixture() -> Fixture {
    let mut f =
        Fixture::load(Path::new("tests/fixtures/api/simulator/basic.json")).expect("fixture");
    for ctx in &mut f.contexts {
        ctx.tokens
            .retain(|t| !matches!(t.record.status, TokenStatus::Other(_)));
    }
    f
}

struct Checker {
    root: Value,
    http: reqwest::Client,
    base: String,
    checked: Vec<String>,
}

impl Checker {
    /// Sends `req`, checks the answer against operation `path`/`method`; returns status and body.
    async fn check(&mut self, path: &str, method: &str, req: RequestBuilder) -> (u16, Value) {
        let response: Response = req.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().expect("ascii").to_string());
        let text = response.text().await.expect("body");
        let op = &self.root["paths"][path][method];
        assert!(op.is_object(), "{method} {path} not in the contract");
        let documented = &op["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{method} {path}: status {status} is not documented"
        );
        let body = if text.is_empty() {
            assert!(
                documented.get("content").is_none(),
                "{method} {path} {status}: body expected"
            );
            Value::Null
        } else {
            let ct = content_type.expect("content type");
            let media = &documented["content"][&ct];
            assert!(
                media.is_object(),
                "{method} {path} {status}: content type {ct} not documented"
            );
            let body: Value = serde_json::from_str(&text).expect("JSON body");
            let mut errors = Vec::new();
            validate(&self.root, &media["schema"], &body, "body", &mut errors);
            assert!(
                errors.is_empty(),
                "{method} {path} {status} ({ct}): {errors:#?}\n{body:#}"
            );
            body
        };
        self.checked.push(format!("{method} {path} {status}"));
        (status, body)
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }
}

#[tokio::test]
async fn every_answer_validates_against_the_contract() {
    let fixture = fixture();
    let token = {
        let ctx = &fixture.contexts[0];
        let t = ctx
            .tokens
            .iter()
            .find(|t| t.record.reference_number == AUDITOR_A)
            .expect("auditor");
        ctx.token_string(t).expect("secret")
    };
    let sim = start(fixture, SimOptions::default()).await.expect("start");
    let mut c = Checker {
        root: contract(),
        http: reqwest::Client::new(),
        base: sim.base_url.clone(),
        checked: Vec::new(),
    };

    let (request, op, au) = sign_in(&mut c, &token).await;
    rejected_sign_ins(&mut c, &request).await;
    let access = redeem_and_refresh(&mut c, &op, &au).await;
    token_listing_and_removal(&mut c, &op, &access).await;
    rate_limited_then_signed_out(&mut c, &sim, &access).await;
    assert_every_status_exercised(&c);
}

/// Challenge, public key certificates and `/auth/ksef-token` (202); returns the request sent,
/// the operation token and the authentication reference number.
async fn sign_in(c: &mut Checker, token: &str) -> (Value, String, String) {
    let (_, challenge) = c
        .check(
            "/auth/challenge",
            "post",
            c.req(Method::POST, "/auth/challenge"),
        )
        .await;
    let (_, certs) = c
        .check(
            "/security/public-key-certificates",
            "get",
            c.req(Method::GET, "/security/public-key-certificates"),
        )
        .await;
    let cert = certificate(&certs, "KsefTokenEncryption");
    let (key, _) = public_key(cert);
    let encrypted = encrypt_token(&key, token, challenge["timestampMs"].as_i64().expect("ms"));
    let request = json!({
        "challenge": challenge["challenge"],
        "contextIdentifier": {"type": "Nip", "value": A},
        "encryptedToken": encrypted,
        "publicKeyId": cert["publicKeyId"],
    });
    let (status, init) = c
        .check(
            "/auth/ksef-token",
            "post",
            c.req(Method::POST, "/auth/ksef-token").json(&request),
        )
        .await;
    assert_eq!(status, 202);
    let op = init["authenticationToken"]["token"]
        .as_str()
        .expect("op")
        .to_string();
    let au = init["referenceNumber"].as_str().expect("au").to_string();
    (request, op, au)
}

/// 400s: legacy and Problem Details; unknown key 21470.
async fn rejected_sign_ins(c: &mut Checker, request: &Value) {
    let (status, _) = c
        .check(
            "/auth/ksef-token",
            "post",
            c.req(Method::POST, "/auth/ksef-token")
                .json(&json!({"challenge": "x"})),
        )
        .await;
    assert_eq!(status, 400);
    let mut unknown_key = request.clone();
    unknown_key["publicKeyId"] = json!(STANDARD.encode([1u8; 32]));
    let (status, body) = c
        .check(
            "/auth/ksef-token",
            "post",
            c.req(Method::POST, "/auth/ksef-token")
                .header("X-Error-Format", "problem-details")
                .json(&unknown_key),
        )
        .await;
    assert_eq!((status, &body["errors"][0]["code"]), (400, &json!(21470)));
}

/// The authentication status (known and unknown), the redeem (once only) and the refresh;
/// returns the access token.
async fn redeem_and_refresh(c: &mut Checker, op: &str, au: &str) -> String {
    let (_, status_body) = c
        .check(
            "/auth/{referenceNumber}",
            "get",
            c.req(Method::GET, &format!("/auth/{au}")).bearer_auth(op),
        )
        .await;
    assert_eq!(status_body["status"]["code"], 200);
    c.check(
        "/auth/{referenceNumber}",
        "get",
        c.req(Method::GET, "/auth/20250514-AU-2DFC46C000-3AC6D5877F-D4")
            .bearer_auth(op),
    )
    .await;
    let (_, tokens) = c
        .check(
            "/auth/token/redeem",
            "post",
            c.req(Method::POST, "/auth/token/redeem").bearer_auth(op),
        )
        .await;
    let (status, _) = c
        .check(
            "/auth/token/redeem",
            "post",
            c.req(Method::POST, "/auth/token/redeem").bearer_auth(op),
        )
        .await;
    assert_eq!(status, 400);
    let access = tokens["accessToken"]["token"]
        .as_str()
        .expect("access")
        .to_string();
    let refresh = tokens["refreshToken"]["token"]
        .as_str()
        .expect("refresh")
        .to_string();
    c.check(
        "/auth/token/refresh",
        "post",
        c.req(Method::POST, "/auth/token/refresh")
            .bearer_auth(&refresh),
    )
    .await;
    access
}

/// `/tokens`: the listing (200, 401, 403, 400 21418), one token, and its removal (403, 204).
async fn token_listing_and_removal(c: &mut Checker, op: &str, access: &str) {
    let (status, list) = c
        .check(
            "/tokens",
            "get",
            c.req(
                Method::GET,
                "/tokens?pageSize=10&status=Active&status=Revoked",
            )
            .bearer_auth(access),
        )
        .await;
    assert_eq!(
        (status, list["tokens"].as_array().map(Vec::len)),
        (200, Some(4))
    );
    c.check("/tokens", "get", c.req(Method::GET, "/tokens"))
        .await; // 401
    c.check(
        "/tokens",
        "get",
        c.req(Method::GET, "/tokens").bearer_auth(op),
    )
    .await; // 403
    c.check(
        "/tokens",
        "get",
        c.req(Method::GET, "/tokens")
            .bearer_auth(access)
            .header("x-continuation-token", "garbage"),
    )
    .await; // 400 21418
    c.check(
        "/tokens/{referenceNumber}",
        "get",
        c.req(Method::GET, &format!("/tokens/{INVOICE_A}"))
            .bearer_auth(access),
    )
    .await;
    c.check(
        "/tokens/{referenceNumber}",
        "delete",
        c.req(Method::DELETE, &format!("/tokens/{INVOICE_A}"))
            .bearer_auth(access),
    )
    .await; // 403: no CredentialsManage
    c.check(
        "/tokens/{referenceNumber}",
        "delete",
        c.req(Method::DELETE, &format!("/tokens/{AUDITOR_A}"))
            .bearer_auth(access),
    )
    .await; // 204: its own token
}

/// 429 under a rate limit, then the session is closed.
async fn rate_limited_then_signed_out(c: &mut Checker, sim: &SimHandle, access: &str) {
    sim.set_faults(
        Some(A),
        Faults {
            rate_limit_every: Some(1),
            ..Faults::default()
        },
    );
    let (status, _) = c
        .check(
            "/tokens",
            "get",
            c.req(Method::GET, "/tokens").bearer_auth(access),
        )
        .await;
    assert_eq!(status, 429);
    c.check(
        "/auth/sessions/current",
        "delete",
        c.req(Method::DELETE, "/auth/sessions/current")
            .bearer_auth(access),
    )
    .await;
}

/// Every status the contract test means to cover was answered and checked.
fn assert_every_status_exercised(c: &Checker) {
    let mut seen: Vec<&str> = c.checked.iter().map(String::as_str).collect();
    seen.sort();
    seen.dedup();
    for expected in [
        "get /tokens 200",
        "get /tokens 400",
        "get /tokens 401",
        "get /tokens 403",
        "get /tokens 429",
        "delete /tokens/{referenceNumber} 204",
        "delete /tokens/{referenceNumber} 403",
        "post /auth/ksef-token 202",
        "post /auth/ksef-token 400",
        "get /auth/{referenceNumber} 400",
        "post /auth/token/redeem 400",
        "delete /auth/sessions/current 204",
    ] {
        assert!(
            seen.contains(&expected),
            "{expected} not exercised: {seen:?}"
        );
    }
}
