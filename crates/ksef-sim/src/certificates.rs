//! `POST /auth/xades-signature`, `POST /certificates/query` and `GET /certificates/limits`.
//!
//! XAdES sign-in really verifies the document ([`crate::xades::verify_signed_request`]:
//! signature, references, certificate chain against the CA trusted with
//! `SimHandle::trust_ca`), then the challenge and the context. A certificate the CA did
//! not issue (or none trusted) ends with status 460. The signer may sign in to a context
//! whose NIP its certificate names (the firm's own certificate) or whose certificate
//! list holds its serial number as Active; it then holds owner-like permissions.
//! The certificate list answers 403 to a session signed in with a token, as production does.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::{Value, json};

use crate::errors::ApiFailure;
use crate::state::AuthOperation;
use crate::state::AuthStatus;
use crate::state::BearerKind;
use crate::state::Sim;
use crate::state::new_reference;
use crate::tag;
use crate::tokens::limit_other;
use crate::xades::Answer;
use crate::xades::Rejection;
use crate::xades::verify_signed_request;
use ksef_model::CertificateLimit;
use ksef_model::CertificateLimits;
use ksef_model::CertificateStatus;
use ksef_model::Permission;

type SimRef = State<Arc<Sim>>;

const OPERATION_TTL: std::time::Duration = std::time::Duration::from_secs(45 * 60);

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/auth/xades-signature", post(xades_signature))
        .route("/certificates/query", post(query))
        .route("/certificates/limits", get(limits))
}

fn owner_permissions() -> Vec<Permission> {
    vec![
        Permission::InvoiceRead,
        Permission::InvoiceWrite,
        Permission::CredentialsRead,
        Permission::CredentialsManage,
    ]
}

async fn xades_signature(State(sim): SimRef, body: Bytes) -> Result<Response, ApiFailure> {
    let now = Utc::now();
    let mut st = sim.lock();
    let ca = st.trusted_ca.clone().unwrap_or_default();
    let verified = verify_signed_request(&body, &ca, now);
    let (context, status, permissions) = match verified {
        Err(rejection) => match rejection.answer() {
            Answer::BadRequest { code, description } => {
                return Err(ApiFailure::BadRequest {
                    code,
                    description,
                    details: vec![rejection.detail()],
                });
            }
            Answer::Status {
                code,
                description,
                detail,
            } => (
                None,
                AuthStatus {
                    code,
                    description,
                    details: vec![detail.to_string()],
                },
                Vec::new(),
            ),
        },
        Ok(v) => {
            let fresh = st
                .challenges
                .get_mut(&v.challenge)
                .filter(|c| !c.used && c.expires > now)
                .map(|c| c.used = true)
                .is_some();
            if !fresh {
                let answer = Rejection::Challenge.answer();
                if let Answer::BadRequest { code, description } = answer {
                    return Err(ApiFailure::BadRequest {
                        code,
                        description,
                        details: vec![Rejection::Challenge.detail()],
                    });
                }
            }
            let ci = st.contexts.iter().position(|c| {
                let id = c.identifier();
                id.kind == v.context.kind && id.value == v.context.value
            });
            let allowed = ci.is_some_and(|ci| {
                let ctx = &st.contexts[ci];
                v.signer.nip.as_deref() == Some(ctx.nip.as_str())
                    || ctx.certificates.iter().any(|c| {
                        c.certificate_serial_number == v.signer.serial_hex
                            && c.status == CertificateStatus::Active
                    })
            });
            if allowed {
                if let Some(ci) = ci
                    && let Some(c) = st.contexts[ci]
                        .certificates
                        .iter_mut()
                        .find(|c| c.certificate_serial_number == v.signer.serial_hex)
                {
                    c.last_use_date = Some(now);
                }
                (ci, AuthStatus::success(), owner_permissions())
            } else {
                (ci, AuthStatus::no_permissions(), Vec::new())
            }
        }
    };
    let reference = new_reference("AU", now);
    st.operations.insert(
        reference.clone(),
        AuthOperation {
            start: now,
            context,
            token_ref: None,
            permissions,
            status,
            polls_left: 0,
            redeemed: false,
            closed: false,
            fault_revoked: false,
            revoke_after_redeem: false,
            refresh_valid_until: None,
            last_refresh: None,
            by_certificate: true,
        },
    );
    let identifier = context.map(|ci| st.contexts[ci].identifier());
    let (token, valid_until) = sim.issue(
        &mut st,
        BearerKind::Operation,
        &reference,
        identifier.as_ref(),
        OPERATION_TTL,
    );
    let nip = context.map(|ci| st.contexts[ci].nip.clone());
    let response = (
        StatusCode::ACCEPTED,
        Json(json!({
            "referenceNumber": reference,
            "authenticationToken": {"token": token, "validUntil": crate::time::ksef_time(valid_until)},
        })),
    )
        .into_response();
    Ok(tag(response, nip))
}

fn token_session_refused() -> ApiFailure {
    ApiFailure::Forbidden {
        detail: "Operacja wymaga uwierzytelnienia certyfikatem KSeF.".into(),
        reason_code: "auth-method-not-allowed",
        security: json!({"authenticationMethodCategory": "Token"}),
    }
}

fn paging(raw: Option<&str>) -> Result<(usize, usize), ApiFailure> {
    let (mut offset, mut size) = (0usize, 10usize);
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let n: usize = v
            .parse()
            .map_err(|_| ApiFailure::validation(format!("Nieprawidłowa wartość {k}.")))?;
        match k {
            "pageOffset" => offset = n,
            "pageSize" if (10..=50).contains(&n) => size = n,
            "pageSize" => {
                return Err(ApiFailure::validation(
                    "Pole pageSize musi mieć wartość od 10 do 50.",
                ));
            }
            _ => {}
        }
    }
    Ok((offset, size))
}

async fn query(
    State(sim): SimRef,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    if !caller.by_certificate {
        return Err(token_session_refused());
    }
    limit_other(&sim, &mut st, &caller.nip, "POST /certificates/query")?;
    let (offset, size) = paging(raw.as_deref())?;
    let all = &st.contexts[caller.context].certificates;
    let page: Vec<Value> = all
        .iter()
        .skip(offset * size)
        .take(size)
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
        .collect();
    let has_more = all.len() > (offset + 1) * size;
    let body = json!({"certificates": page, "hasMore": has_more});
    Ok(tag(Json(body).into_response(), Some(caller.nip)))
}

async fn limits(State(sim): SimRef, headers: HeaderMap) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    if !caller.by_certificate {
        return Err(token_session_refused());
    }
    limit_other(&sim, &mut st, &caller.nip, "GET /certificates/limits")?;
    let ten = CertificateLimit {
        remaining: 10,
        limit: 10,
    };
    let limits = st.contexts[caller.context]
        .certificate_limits
        .clone()
        .unwrap_or(CertificateLimits {
            can_request: true,
            enrollment: ten,
            certificate: ten,
        });
    Ok(tag(Json(limits).into_response(), Some(caller.nip)))
}
