//! `/auth/*` and `/security/public-key-certificates`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::errors::ApiFailure;
use crate::errors::DESC_CHALLENGE;
use crate::errors::DESC_KEY;
use crate::state::AuthOperation;
use crate::state::AuthStatus;
use crate::state::BearerKind;
use crate::state::Challenge;
use crate::state::PRUNE_AT;
use crate::state::Sim;
use crate::state::SimState;
use crate::state::new_reference;
use crate::tag;
use crate::time::ksef_time;
use ksef_model::Identifier;
use ksef_model::RateLimits;
use ksef_model::TokenStatus;

type SimRef = State<Arc<Sim>>;

const REFRESH_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
const OPERATION_TTL: Duration = Duration::from_secs(45 * 60);
const CHALLENGE_TTL: chrono::Duration = chrono::Duration::minutes(10);
const KNOWN_CONTEXT_TYPES: [&str; 4] = ["Nip", "InternalId", "NipVatUe", "PeppolId"];

/// 60 requests/s per client IP and endpoint, for the public auth endpoints.
fn public_limit(
    st: &mut SimState,
    sim: &Sim,
    ip: &SocketAddr,
    endpoint: &str,
) -> Result<(), ApiFailure> {
    if !sim.options.rate_limits {
        return Ok(());
    }
    st.limiter
        .check(
            &format!("{} {endpoint}", ip.ip()),
            RateLimits::PUBLIC,
            Instant::now(),
        )
        .map_err(|e| ApiFailure::TooManyRequests {
            retry_after: e.retry_after_secs,
            detail: e.detail,
        })
}

async fn slow(sim: &Sim, context: Option<usize>) {
    let ms = Sim::faults_for(&sim.lock(), context).slow_auth_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn token_info(token: String, valid_until: DateTime<Utc>) -> Value {
    json!({"token": token, "validUntil": ksef_time(valid_until)})
}

pub async fn challenge(
    State(sim): SimRef,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Result<Response, ApiFailure> {
    slow(&sim, None).await;
    let mut st = sim.lock();
    public_limit(&mut st, &sim, &peer, "POST /auth/challenge")?;
    let now = Utc::now();
    let ms = now.timestamp_millis();
    let at = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or(now);
    let reference = new_reference("CR", now);
    if st.challenges.len() >= PRUNE_AT {
        st.challenges.retain(|_, c| !c.used && c.expires > now);
    }
    st.challenges.insert(
        reference.clone(),
        Challenge {
            timestamp_ms: ms,
            expires: now + CHALLENGE_TTL,
            used: false,
        },
    );
    Ok(Json(json!({
        "challenge": reference,
        "timestamp": ksef_time(at),
        "timestampMs": ms,
        "clientIp": peer.ip().to_string(),
    }))
    .into_response())
}

pub(crate) async fn public_keys(
    State(sim): SimRef,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    public_limit(
        &mut st,
        &sim,
        &peer,
        "GET /security/public-key-certificates",
    )?;
    let list: Vec<Value> = sim
        .keys
        .certificates()
        .iter()
        .map(|c| {
            json!({
                "certificate": STANDARD.encode(&c.der),
                "certificateId": c.certificate_id,
                "publicKeyId": c.public_key_id,
                "validFrom": ksef_time(c.valid_from),
                "validTo": ksef_time(c.valid_to),
                "usage": [c.usage],
            })
        })
        .collect();
    Ok(Json(Value::Array(list)).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitTokenAuthenticationRequest {
    challenge: String,
    context_identifier: Identifier,
    encrypted_token: String,
    #[serde(default)]
    public_key_id: Option<String>,
    // `authorizationPolicy` (IP allow-lists) is accepted and not enforced.
}

pub(crate) async fn ksef_token(
    State(sim): SimRef,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let req: InitTokenAuthenticationRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiFailure::validation(format!("Nieprawidłowa treść żądania: {e}")))?;
    let context = {
        let st = sim.lock();
        st.contexts
            .iter()
            .position(|c| c.identifier() == req.context_identifier)
    };
    slow(&sim, context).await;
    let mut st = sim.lock();
    public_limit(&mut st, &sim, &peer, "POST /auth/ksef-token")?;

    if !KNOWN_CONTEXT_TYPES.contains(&req.context_identifier.kind.as_str()) {
        return Err(ApiFailure::validation(format!(
            "Nieznany typ identyfikatora kontekstu '{}'.",
            req.context_identifier.kind
        )));
    }
    if req.challenge.len() != 36 {
        return Err(ApiFailure::BadRequest {
            code: 21111,
            description: DESC_CHALLENGE,
            details: vec![],
        });
    }
    if let Some(id) = &req.public_key_id {
        if id.len() != 44 {
            return Err(ApiFailure::validation(
                "Pole publicKeyId musi mieć dokładnie 44 znaki.",
            ));
        }
        if sim.keys.by_public_key_id(id).is_none() {
            return Err(ApiFailure::BadRequest {
                code: 21470,
                description: DESC_KEY,
                details: vec![format!("Klucz o identyfikatorze {id} nie jest wspierany.")],
            });
        }
    }

    let now = Utc::now();
    let outcome = check_token(&sim, &mut st, &req, now);
    let faults = Sim::faults_for(&st, context);
    let (status, token_ref, permissions) = match outcome {
        Ok((token_ref, permissions)) => {
            if permissions.is_empty() {
                (AuthStatus::no_permissions(), None, permissions)
            } else {
                if let Some(&(ci, ti)) = st.token_index.get(&token_ref) {
                    st.contexts[ci].tokens[ti].record.last_use_date = Some(now);
                }
                (AuthStatus::success(), Some(token_ref), permissions)
            }
        }
        Err(status) => (status, None, Vec::new()),
    };
    let reference = new_reference("AU", now);
    st.operations.insert(
        reference.clone(),
        AuthOperation {
            start: now,
            context,
            token_ref,
            permissions,
            status,
            polls_left: faults.auth_polls_in_progress,
            redeemed: false,
            closed: false,
            fault_revoked: false,
            revoke_after_redeem: faults.revoke_session_after_auth,
            refresh_valid_until: None,
            last_refresh: None,
            by_certificate: false,
        },
    );
    let (token, valid_until) = sim.issue(
        &mut st,
        BearerKind::Operation,
        &reference,
        Some(&req.context_identifier),
        OPERATION_TTL,
    );
    let nip = context.map(|ci| st.contexts[ci].nip.clone());
    let response = (
        StatusCode::ACCEPTED,
        Json(json!({
            "referenceNumber": reference,
            "authenticationToken": token_info(token, valid_until),
        })),
    )
        .into_response();
    Ok(tag(response, nip))
}

/// Decrypts and checks `encryptedToken`; the token's reference and permissions, or a 450 status.
fn check_token(
    sim: &Sim,
    st: &mut SimState,
    req: &InitTokenAuthenticationRequest,
    now: DateTime<Utc>,
) -> Result<(String, Vec<ksef_model::Permission>), AuthStatus> {
    let bad_challenge = || AuthStatus::bad_token("Nieprawidłowe wyzwanie autoryzacyjne");
    let challenge = st
        .challenges
        .get_mut(&req.challenge)
        .ok_or_else(bad_challenge)?;
    if challenge.used || challenge.expires <= now {
        return Err(bad_challenge());
    }
    challenge.used = true;
    let timestamp_ms = challenge.timestamp_ms;

    let bad_encoding = || AuthStatus::bad_token("Nieprawidłowe kodowanie tokena");
    let ciphertext = STANDARD
        .decode(req.encrypted_token.trim())
        .map_err(|_| bad_encoding())?;
    let plaintext = sim
        .keys
        .token
        .decrypt(&ciphertext)
        .ok_or_else(|| AuthStatus::bad_token("Nieprawidłowe szyfrowanie tokena"))?;
    let plaintext = String::from_utf8(plaintext).map_err(|_| bad_encoding())?;
    let (token, ts) = plaintext.rsplit_once('|').ok_or_else(bad_encoding)?;
    if ts.parse::<i64>().ok() != Some(timestamp_ms) {
        return Err(AuthStatus::bad_token("Nieprawidłowy czas tokena"));
    }
    let unknown = || AuthStatus::bad_token("Nieprawidłowy token");
    let reference = token.split('|').next().unwrap_or_default();
    let &(ci, ti) = st.token_index.get(reference).ok_or_else(unknown)?;
    let ctx = &st.contexts[ci];
    let fixture_token = &ctx.tokens[ti];
    if ctx.token_string(fixture_token).as_deref() != Some(token) {
        return Err(unknown());
    }
    if ctx.identifier() != req.context_identifier {
        return Err(AuthStatus::bad_token(format!(
            "Token nie może być użyty w kontekście {}",
            req.context_identifier.value
        )));
    }
    match fixture_token.record.status {
        TokenStatus::Active => {}
        TokenStatus::Revoked | TokenStatus::Revoking => {
            return Err(AuthStatus::bad_token("Token unieważniony"));
        }
        _ => return Err(AuthStatus::bad_token("Token nieaktywny")),
    }
    Ok((
        reference.to_string(),
        fixture_token.record.requested_permissions.clone(),
    ))
}

/// The operation a bearer token of `kind` belongs to (401 otherwise).
fn operation_of(
    st: &SimState,
    headers: &HeaderMap,
    kind: BearerKind,
) -> Result<String, ApiFailure> {
    let bearer = st.bearer(headers)?;
    if bearer.kind != kind {
        let wanted = match kind {
            BearerKind::Operation => "token operacji uwierzytelnienia (authenticationToken)",
            BearerKind::Access => "token dostępu (accessToken)",
            BearerKind::Refresh => "token odświeżania (refreshToken)",
        };
        return Err(ApiFailure::unauthorized(format!("Wymagany jest {wanted}.")));
    }
    Ok(bearer.operation)
}

pub async fn status(
    State(sim): SimRef,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let context = sim
        .lock()
        .operations
        .get(&reference)
        .and_then(|o| o.context);
    slow(&sim, context).await;
    let mut st = sim.lock();
    let bearer = st.bearer(&headers)?;
    let nip = context.map(|ci| st.contexts[ci].nip.clone());
    let Some(op) = st.operations.get_mut(&reference) else {
        return Err(ApiFailure::operation_not_found(&reference));
    };
    if bearer.kind != BearerKind::Operation || bearer.operation != reference {
        return Err(ApiFailure::Forbidden {
            detail: "Brak dostępu do wskazanej operacji uwierzytelnienia.".into(),
            reason_code: "insufficient-resource-access",
            security: json!({}),
        });
    }
    let status = if op.polls_left > 0 {
        op.polls_left -= 1;
        AuthStatus::in_progress()
    } else if op.closed {
        AuthStatus::revoked_by_user()
    } else {
        op.status.clone()
    };
    let mut body = json!({
        "startDate": ksef_time(op.start),
        "authenticationMethod": "Token",
        "authenticationMethodInfo": {"category": "Token", "code": "token.ksef", "displayName": "Token KSeF"},
        "status": {"code": status.code, "description": status.description},
        "isTokenRedeemed": op.redeemed,
        "lastTokenRefreshDate": op.last_refresh.map(ksef_time),
        "refreshTokenValidUntil": op.refresh_valid_until.map(ksef_time),
    });
    if !status.details.is_empty() {
        body["status"]["details"] = json!(status.details);
    }
    Ok(tag(Json(body).into_response(), nip))
}

fn token_revoked(st: &SimState, op: &AuthOperation) -> bool {
    op.fault_revoked
        || op
            .token_ref
            .as_ref()
            .and_then(|r| st.token_index.get(r))
            .is_some_and(|&(ci, ti)| {
                matches!(
                    st.contexts[ci].tokens[ti].record.status,
                    TokenStatus::Revoked | TokenStatus::Revoking
                )
            })
}

pub async fn redeem(State(sim): SimRef, headers: HeaderMap) -> Result<Response, ApiFailure> {
    let context = {
        let st = sim.lock();
        operation_of(&st, &headers, BearerKind::Operation)
            .ok()
            .and_then(|r| st.operations.get(&r).and_then(|o| o.context))
    };
    slow(&sim, context).await;
    let mut st = sim.lock();
    let reference = operation_of(&st, &headers, BearerKind::Operation)?;
    let op = st
        .operations
        .get(&reference)
        .cloned()
        .ok_or_else(|| ApiFailure::operation_not_found(&reference))?;
    let code = if op.polls_left > 0 {
        100
    } else if op.closed {
        425
    } else {
        op.status.code
    };
    if op.redeemed {
        return Err(ApiFailure::not_authorized(format!(
            "Tokeny dla operacji uwierzytelniania {reference} zostały już pobrane."
        )));
    }
    if code != 200 {
        return Err(ApiFailure::not_authorized(format!(
            "Status uwierzytelniania ({code}) nie pozwala na pobranie tokenów."
        )));
    }
    if token_revoked(&st, &op) {
        return Err(ApiFailure::not_authorized(
            "Token KSeF został unieważniony.",
        ));
    }
    let ident = op.context.map(|ci| st.contexts[ci].identifier());
    let (access, access_until) = sim.issue(
        &mut st,
        BearerKind::Access,
        &reference,
        ident.as_ref(),
        sim.options.access_token_ttl,
    );
    let (refresh, refresh_until) = sim.issue(
        &mut st,
        BearerKind::Refresh,
        &reference,
        ident.as_ref(),
        REFRESH_TTL,
    );
    let nip = op.context.map(|ci| st.contexts[ci].nip.clone());
    if let Some(op) = st.operations.get_mut(&reference) {
        op.redeemed = true;
        op.refresh_valid_until = Some(refresh_until);
        op.fault_revoked = op.revoke_after_redeem;
    }
    let body = json!({
        "accessToken": token_info(access, access_until),
        "refreshToken": token_info(refresh, refresh_until),
    });
    Ok(tag(Json(body).into_response(), nip))
}

pub async fn refresh(State(sim): SimRef, headers: HeaderMap) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let reference = operation_of(&st, &headers, BearerKind::Refresh)?;
    let op = st
        .operations
        .get(&reference)
        .cloned()
        .ok_or_else(|| ApiFailure::operation_not_found(&reference))?;
    if op.closed {
        return Err(ApiFailure::not_authorized(
            "Status uwierzytelniania (425) nie pozwala na odświeżenie tokenu dostępowego.",
        ));
    }
    if token_revoked(&st, &op) {
        return Err(ApiFailure::not_authorized(
            "Token KSeF został unieważniony.",
        ));
    }
    let ident = op.context.map(|ci| st.contexts[ci].identifier());
    let (access, access_until) = sim.issue(
        &mut st,
        BearerKind::Access,
        &reference,
        ident.as_ref(),
        sim.options.access_token_ttl,
    );
    let now = Utc::now();
    if let Some(op) = st.operations.get_mut(&reference) {
        op.last_refresh = Some(now);
    }
    let nip = op.context.map(|ci| st.contexts[ci].nip.clone());
    let body = json!({"accessToken": token_info(access, access_until)});
    Ok(tag(Json(body).into_response(), nip))
}

pub(crate) async fn close_session(
    State(sim): SimRef,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let bearer = st.bearer(&headers)?;
    if bearer.kind == BearerKind::Operation {
        return Err(ApiFailure::Forbidden {
            detail: "Operacja wymaga tokena dostępu lub tokena odświeżania.".into(),
            reason_code: "auth-method-not-allowed",
            security: json!({"authenticationMethodCategory": "Token"}),
        });
    }
    let context = st.operations.get(&bearer.operation).and_then(|o| o.context);
    let nip = context.map(|ci| st.contexts[ci].nip.clone());
    if let Some(nip) = &nip {
        crate::tokens::limit_other(&sim, &mut st, nip, "DELETE /auth/sessions/current")?;
    }
    if let Some(op) = st.operations.get_mut(&bearer.operation) {
        op.closed = true;
    }
    Ok(tag(StatusCode::NO_CONTENT.into_response(), nip))
}
