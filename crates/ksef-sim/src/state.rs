//! In-memory state of a running simulator: tokens, challenges, authentication
//! operations, issued bearer tokens, faults, limits and the request log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Faults;
use crate::Fixture;
use crate::FixtureContext;
use crate::RecordedRequest;
use crate::SimKeys;
use crate::SimOptions;
use crate::errors::ApiFailure;
use crate::faults::FaultCounters;
use crate::limits::Limiter;
use ksef_model::Permission;
use ksef_model::TokenStatus;
use ksef_model::crc8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ksef_time;

    #[test]
    fn ksef_time_has_seven_fraction_digits_and_an_offset() {
        let t = DateTime::parse_from_rfc3339("2025-07-11T12:23:56.015430212Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(ksef_time(t), "2025-07-11T12:23:56.0154302+00:00");
        let reference = new_reference("AU", t);
        assert!(reference.starts_with("20250711-AU-"));
        assert!(ksef_model::reference_check_ok(&reference));
    }
}

/// A fresh reference number `YYYYMMDD-TT-HHHHHHHHHH-HHHHHHHHHH-CC` with its CRC-8.
pub(crate) fn new_reference(kind: &str, now: DateTime<Utc>) -> String {
    let mut rng = rand::thread_rng();
    let a: u64 = rng.gen_range(0..1u64 << 40);
    let b: u64 = rng.gen_range(0..1u64 << 40);
    let head = format!("{}-{kind}-{a:010X}-{b:010X}", now.format("%Y%m%d"));
    format!("{head}-{:02X}", crc8(head.as_bytes()))
}

/// Maps of a long-running simulator are pruned of expired entries at this size.
pub(crate) const PRUNE_AT: usize = 4096;
/// The request log keeps at most this many entries (the oldest half is dropped).
pub(crate) const REQUEST_LOG_MAX: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerKind {
    /// `authenticationToken` of `POST /auth/ksef-token`.
    Operation,
    Access,
    Refresh,
}

impl BearerKind {
    fn claim(self) -> &'static str {
        match self {
            BearerKind::Operation => "AuthenticationToken",
            BearerKind::Access => "ContextToken",
            BearerKind::Refresh => "RefreshToken",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Bearer {
    pub kind: BearerKind,
    /// The `AU` reference of the authentication operation it belongs to.
    pub operation: String,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Challenge {
    pub timestamp_ms: i64,
    pub expires: DateTime<Utc>,
    pub used: bool,
}

/// Final (or current) status of an authentication operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthStatus {
    pub code: u16,
    pub description: &'static str,
    pub details: Vec<String>,
}

pub(crate) const FAILED_TOKEN: &str =
    "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu";

impl AuthStatus {
    pub fn in_progress() -> AuthStatus {
        AuthStatus {
            code: 100,
            description: "Uwierzytelnianie w toku",
            details: vec![],
        }
    }
    pub fn success() -> AuthStatus {
        AuthStatus {
            code: 200,
            description: "Uwierzytelnianie zakończone sukcesem",
            details: vec![],
        }
    }
    pub(crate) fn no_permissions() -> AuthStatus {
        AuthStatus {
            code: 415,
            description: "Uwierzytelnianie zakończone niepowodzeniem",
            details: vec!["Brak przypisanych uprawnień".into()],
        }
    }
    pub(crate) fn revoked_by_user() -> AuthStatus {
        AuthStatus {
            code: 425,
            description: "Uwierzytelnienie unieważnione",
            details: vec![
                "Uwierzytelnienie i powiązane refresh tokeny zostały unieważnione przez użytkownika"
                    .into(),
            ],
        }
    }
    pub(crate) fn bad_token(detail: impl Into<String>) -> AuthStatus {
        AuthStatus {
            code: 450,
            description: FAILED_TOKEN,
            details: vec![detail.into()],
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AuthOperation {
    pub start: DateTime<Utc>,
    /// Index into `contexts` of the requested context, when it exists.
    pub context: Option<usize>,
    /// Reference number of the KSeF token that authenticated (success only).
    pub token_ref: Option<String>,
    pub permissions: Vec<Permission>,
    pub status: AuthStatus,
    pub polls_left: u32,
    pub redeemed: bool,
    /// Closed with `DELETE /auth/sessions/current` (status 425).
    pub closed: bool,
    /// Revoked by the `revokeSessionAfterAuth` fault.
    pub fault_revoked: bool,
    pub revoke_after_redeem: bool,
    pub refresh_valid_until: Option<DateTime<Utc>>,
    pub last_refresh: Option<DateTime<Utc>>,
    /// Signed in with a KSeF certificate (XAdES), not a token.
    pub by_certificate: bool,
}

/// A token being revoked: `Revoking` until the delay passes or it has been read once.
#[derive(Debug, Clone, Copy)]
pub struct Revoking {
    pub since: Instant,
    pub seen: bool,
}

/// Who is calling a protected endpoint (resolved from an access token).
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub context: usize,
    pub nip: String,
    pub token_ref: Option<String>,
    pub permissions: Vec<Permission>,
    /// The session signed in with a KSeF certificate.
    pub by_certificate: bool,
}

impl Caller {
    pub(crate) fn can_read_all(&self) -> bool {
        self.permissions.iter().any(|p| {
            matches!(
                p,
                Permission::CredentialsRead | Permission::CredentialsManage
            )
        })
    }
    pub(crate) fn can_manage(&self) -> bool {
        self.permissions.contains(&Permission::CredentialsManage)
    }
}

pub(crate) struct SimState {
    pub contexts: Vec<FixtureContext>,
    /// referenceNumber -> (context index, token index)
    pub token_index: HashMap<String, (usize, usize)>,
    pub challenges: HashMap<String, Challenge>,
    pub operations: HashMap<String, AuthOperation>,
    pub bearers: HashMap<String, Bearer>,
    pub revoking: HashMap<String, Revoking>,
    pub global_faults: Faults,
    pub counters: HashMap<String, FaultCounters>,
    pub limiter: Limiter,
    pub requests: Vec<RecordedRequest>,
    /// DER of the CA whose certificates `/auth/xades-signature` accepts.
    pub trusted_ca: Option<Vec<u8>>,
}

/// Shared by every handler.
pub struct Sim {
    pub keys: Arc<SimKeys>,
    pub options: SimOptions,
    jwt_key: [u8; 32],
    pub cursor_key: [u8; 32],
    state: Mutex<SimState>,
}

impl Sim {
    pub fn new(fixture: Fixture, options: SimOptions, keys: Arc<SimKeys>) -> Sim {
        let mut token_index = HashMap::new();
        for (ci, ctx) in fixture.contexts.iter().enumerate() {
            for (ti, token) in ctx.tokens.iter().enumerate() {
                token_index.insert(token.record.reference_number.clone(), (ci, ti));
            }
        }
        let global_faults = options.faults.clone();
        Sim {
            keys,
            jwt_key: rand::random(),
            cursor_key: rand::random(),
            state: Mutex::new(SimState {
                contexts: fixture.contexts,
                token_index,
                challenges: HashMap::new(),
                operations: HashMap::new(),
                bearers: HashMap::new(),
                revoking: HashMap::new(),
                global_faults,
                counters: HashMap::new(),
                limiter: Limiter::default(),
                requests: Vec::new(),
                trusted_ca: None,
            }),
            options,
        }
    }

    /// The state lock; a poisoned lock (a handler panicked) is still usable.
    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A JWT-shaped bearer token (HS256-style header; the signature is keyed SHA-256).
    pub fn issue(
        &self,
        st: &mut SimState,
        kind: BearerKind,
        operation: &str,
        context: Option<&ksef_model::Identifier>,
        ttl: Duration,
    ) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        let valid_until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({
            "typ": kind.claim(),
            "arn": operation,
            "cit": context.map(|c| c.kind.as_str()),
            "civ": context.map(|c| c.value.as_str()),
            "aum": "Token",
            "jti": hex::encode(rand::random::<[u8; 8]>()),
            "iat": now.timestamp(),
            "exp": valid_until.timestamp(),
            "iss": "ksef-audit-simulator",
            "aud": "ksef-audit-simulator",
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut mac = Sha256::new();
        mac.update(self.jwt_key);
        mac.update(signing_input.as_bytes());
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize()));
        if st.bearers.len() >= PRUNE_AT {
            st.bearers.retain(|_, b| b.valid_until > now);
        }
        st.bearers.insert(
            token.clone(),
            Bearer {
                kind,
                operation: operation.to_string(),
                valid_until,
            },
        );
        (token, valid_until)
    }

    /// Effective faults of a context (its own, else the global ones).
    pub(crate) fn faults_for(st: &SimState, context: Option<usize>) -> Faults {
        context
            .and_then(|ci| st.contexts.get(ci))
            .and_then(|c| c.faults.clone())
            .unwrap_or_else(|| st.global_faults.clone())
    }
}

/// The bearer token of a request, if any (`Authorization: Bearer …`).
pub(crate) fn bearer_of(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

impl SimState {
    /// Looks up a bearer token of the expected kind; 401 when missing/unknown/expired.
    pub fn bearer(&self, headers: &HeaderMap) -> Result<Bearer, ApiFailure> {
        let token = bearer_of(headers)
            .ok_or_else(|| ApiFailure::unauthorized("Wymagane jest uwierzytelnienie."))?;
        let bearer = self
            .bearers
            .get(token)
            .ok_or_else(|| ApiFailure::unauthorized("Nieprawidłowy token dostępu."))?;
        if bearer.valid_until <= Utc::now() {
            return Err(ApiFailure::unauthorized("Token dostępu wygasł."));
        }
        Ok(bearer.clone())
    }

    /// The caller of a protected endpoint: a valid access token of a live session.
    pub fn caller(&self, headers: &HeaderMap) -> Result<Caller, ApiFailure> {
        let bearer = self.bearer(headers)?;
        if bearer.kind != BearerKind::Access {
            return Err(ApiFailure::Forbidden {
                detail: "Użyty token nie jest tokenem dostępu (access token).".into(),
                reason_code: "auth-method-not-allowed",
                security: json!({"authenticationMethodCategory": "Token"}),
            });
        }
        let op = self
            .operations
            .get(&bearer.operation)
            .ok_or_else(|| ApiFailure::unauthorized("Nieprawidłowy token dostępu."))?;
        if op.fault_revoked {
            return Err(ApiFailure::unauthorized(
                "Sesja uwierzytelnienia została unieważniona.",
            ));
        }
        let context = op
            .context
            .ok_or_else(|| ApiFailure::unauthorized("Nieprawidłowy token dostępu."))?;
        Ok(Caller {
            context,
            nip: self.contexts[context].nip.clone(),
            token_ref: op.token_ref.clone(),
            permissions: op.permissions.clone(),
            by_certificate: op.by_certificate,
        })
    }

    /// Applies due `Revoking -> Revoked` transitions for one token (on read).
    pub(crate) fn settle_revocation(&mut self, reference: &str, delay: Duration) {
        let Some(rev) = self.revoking.get_mut(reference) else {
            return;
        };
        if rev.seen || rev.since.elapsed() >= delay {
            self.revoking.remove(reference);
            if let Some(&(ci, ti)) = self.token_index.get(reference) {
                self.contexts[ci].tokens[ti].record.status = TokenStatus::Revoked;
            }
        } else {
            rev.seen = true;
        }
    }

    pub fn counters(&mut self, nip: &str) -> &mut FaultCounters {
        self.counters.entry(nip.to_string()).or_default()
    }
}
