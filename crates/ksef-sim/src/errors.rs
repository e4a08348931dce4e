//! Error answers in the contract's two shapes.
//!
//! Handlers return an [`ApiFailure`]; the response carries it as an extension and
//! the `render_failures` middleware turns it into a body once the request is known:
//! legacy `ExceptionResponse` for 400 (Problem Details when the request says
//! `X-Error-Format: problem-details`), Problem Details for 401, 403, 429 and 503.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};

use crate::time::ksef_time;

/// A failed request, before it is rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// 400 with a KSeF exception code.
    BadRequest {
        code: u32,
        description: &'static str,
        details: Vec<String>,
    },
    /// 401 Problem Details.
    Unauthorized { detail: String },
    /// 403 Problem Details with `reasonCode` and `security`.
    Forbidden {
        detail: String,
        reason_code: &'static str,
        security: Value,
    },
    /// 429 with `Retry-After` (seconds).
    TooManyRequests { retry_after: u64, detail: String },
    /// 503, from the `unavailableFirst` fault.
    Unavailable,
}

pub(crate) const DESC_VALIDATION: &str = "Błąd walidacji danych wejściowych.";
pub(crate) const DESC_CHALLENGE: &str = "Nieprawidłowe wyzwanie autoryzacyjne.";
pub(crate) const DESC_NOT_AUTHORIZED: &str = "Brak autoryzacji.";
pub(crate) const DESC_NOT_AUTHENTICATED: &str = "Brak uwierzytelnienia.";
pub(crate) const DESC_CONTINUATION: &str = "Przekazany token kontynuacji ma nieprawidłowy format.";
pub(crate) const DESC_KEY: &str =
    "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.";

impl ApiFailure {
    /// 400 21405 with one detail line.
    pub fn validation(detail: impl Into<String>) -> ApiFailure {
        ApiFailure::BadRequest {
            code: 21405,
            description: DESC_VALIDATION,
            details: vec![detail.into()],
        }
    }

    /// 400 21301 (not authorized: redeemed, status, revoked KSeF token).
    pub(crate) fn not_authorized(detail: impl Into<String>) -> ApiFailure {
        ApiFailure::BadRequest {
            code: 21301,
            description: DESC_NOT_AUTHORIZED,
            details: vec![detail.into()],
        }
    }

    /// 400 21304 (authentication operation not found).
    pub(crate) fn operation_not_found(reference: &str) -> ApiFailure {
        ApiFailure::BadRequest {
            code: 21304,
            description: DESC_NOT_AUTHENTICATED,
            details: vec![format!(
                "Operacja uwierzytelniania o numerze referencyjnym {reference} nie została znaleziona."
            )],
        }
    }

    pub(crate) fn bad_continuation() -> ApiFailure {
        ApiFailure::BadRequest {
            code: 21418,
            description: DESC_CONTINUATION,
            details: vec![],
        }
    }

    pub(crate) fn unauthorized(detail: impl Into<String>) -> ApiFailure {
        ApiFailure::Unauthorized {
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiFailure::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiFailure::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiFailure::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiFailure::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The body for a request to `instance`; `problem` = the client asked for Problem Details.
    pub fn body(&self, instance: &str, problem: bool, trace_id: &str) -> (Value, &'static str) {
        let timestamp = ksef_time(Utc::now());
        const PROBLEM: &str = "application/problem+json";
        match self {
            ApiFailure::BadRequest {
                code,
                description,
                details,
            } if problem => (
                json!({
                    "title": "Bad Request",
                    "status": 400,
                    "instance": instance,
                    "detail": "Żądanie jest nieprawidłowe.",
                    "errors": [{"code": code, "description": description, "details": details}],
                    "timestamp": timestamp,
                    "traceId": trace_id,
                }),
                PROBLEM,
            ),
            ApiFailure::BadRequest {
                code,
                description,
                details,
            } => (
                json!({
                    "exception": {
                        "exceptionDetailList": [{
                            "exceptionCode": code,
                            "exceptionDescription": description,
                            "details": details,
                        }],
                        "referenceNumber": null,
                        "serviceCode": format!("00-{trace_id}-00"),
                        "serviceCtx": "srvKSEFSIM",
                        "serviceName": "ksef-audit-simulator",
                        "timestamp": timestamp,
                    }
                }),
                "application/json",
            ),
            ApiFailure::Unauthorized { detail } => (
                json!({
                    "title": "Unauthorized",
                    "status": 401,
                    "detail": detail,
                    "instance": instance,
                    "traceId": trace_id,
                    "timestamp": timestamp,
                }),
                PROBLEM,
            ),
            ApiFailure::Forbidden {
                detail,
                reason_code,
                security,
            } => (
                json!({
                    "title": "Forbidden",
                    "status": 403,
                    "detail": detail,
                    "instance": instance,
                    "reasonCode": reason_code,
                    "security": security,
                    "traceId": trace_id,
                    "timestamp": timestamp,
                }),
                PROBLEM,
            ),
            ApiFailure::TooManyRequests { detail, .. } => (
                json!({
                    "title": "Too Many Requests",
                    "status": 429,
                    "instance": instance,
                    "detail": detail,
                    "timestamp": timestamp,
                    "traceId": trace_id,
                }),
                PROBLEM,
            ),
            ApiFailure::Unavailable => (
                json!({
                    "title": "Service Unavailable",
                    "status": 503,
                    "instance": instance,
                    "detail": "Usługa jest chwilowo niedostępna. Spróbuj ponownie później.",
                    "timestamp": timestamp,
                    "traceId": trace_id,
                }),
                PROBLEM,
            ),
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self.status();
        if let ApiFailure::TooManyRequests { retry_after, .. } = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Middleware: renders [`ApiFailure`] extensions into bodies in the format the request asked for.
pub(crate) async fn render_failures(request: Request<Body>, next: Next) -> Response {
    let problem = request
        .headers()
        .get("x-error-format")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("problem-details"));
    let instance = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let mut response = next.run(request).await;
    let Some(failure) = response.extensions_mut().remove::<ApiFailure>() else {
        return response;
    };
    let trace_id = hex::encode(rand::random::<[u8; 16]>());
    let (body, content_type) = failure.body(&instance, problem, &trace_id);
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Response::from_parts(parts, Body::from(body.to_string()))
}
