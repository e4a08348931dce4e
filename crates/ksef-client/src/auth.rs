//! Token authentication: challenge -> public key -> RSA-OAEP(`token|timestampMs`) ->
//! `POST /auth/ksef-token` -> poll `GET /auth/{AU}` -> redeem -> refresh -> close.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::Method;

use crate::crypto;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::CertificateCache;
use crate::http::Transport;
use crate::models::AuthContextIdentifier;
use crate::models::AuthenticationInitResponse;
use crate::models::AuthenticationOperationStatusResponse;
use crate::models::AuthenticationTokenRefreshResponse;
use crate::models::AuthenticationTokensResponse;
use crate::models::ChallengeResponse;
use crate::models::InitTokenAuthenticationRequest;
use crate::models::PublicKeyCertificate;
use crate::models::StatusInfo;
use crate::progress::ProgressEvent;
use ksef_model::Secret;

/// Refresh the access token when it has less than this left.
const REFRESH_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// An authenticated session of one context.
#[derive(Debug)]
pub struct Session {
    access: Secret,
    access_valid_until: Option<DateTime<Utc>>,
    refresh: Option<Secret>,
    /// Opened by the tool (closed with `DELETE /auth/sessions/current` when done).
    owned: bool,
    /// Reference number of the KSeF token used (first `|` part), when known.
    pub auditor_reference: Option<String>,
    /// Permissions named in an access token's claims, when given as an access token
    /// (or, after a certificate sign-in, when the access token names them).
    pub claimed_permissions: Option<Vec<String>>,
    /// Serial number of the KSeF certificate the session signed in with (XAdES), if any.
    pub certificate_serial: Option<String>,
}

impl Session {
    /// A session from an already-obtained access token (not closed by the tool).
    pub(crate) fn from_access_token(token: Secret) -> Session {
        let claims = jwt_claims(token.expose());
        let exp = claims
            .as_ref()
            .and_then(|c| c.get("exp"))
            .and_then(serde_json::Value::as_i64)
            .and_then(|s| DateTime::from_timestamp(s, 0));
        let claimed_permissions = claimed_permissions(token.expose());
        Session {
            access: token,
            access_valid_until: exp,
            refresh: None,
            owned: false,
            auditor_reference: None,
            claimed_permissions,
            certificate_serial: None,
        }
    }

    /// The access token, refreshed first when it is about to expire.
    pub async fn access(&mut self, t: &Transport) -> Result<&Secret, ApiError> {
        let near_expiry = self
            .access_valid_until
            .is_some_and(|until| until - Utc::now() < REFRESH_MARGIN);
        if near_expiry && let Some(refresh) = &self.refresh {
            let call = Call::new(Method::POST, "/auth/token/refresh").bearer(refresh);
            let (_, r): (_, AuthenticationTokenRefreshResponse) = t.json(&call).await?;
            self.access = r.access_token.token;
            self.access_valid_until = Some(r.access_token.valid_until);
        }
        Ok(&self.access)
    }

    /// Closes a session the tool opened (`DELETE /auth/sessions/current`).
    pub async fn close(self, t: &Transport) -> Result<(), ApiError> {
        if !self.owned {
            return Ok(());
        }
        let call = Call::new(Method::DELETE, "/auth/sessions/current").bearer(&self.access);
        t.send(&call).await.map(|_| ())
    }
}

/// The reference number of a KSeF token: everything before the first `|`.
pub(crate) fn token_reference(token: &Secret) -> Option<String> {
    let (reference, rest) = token.expose().split_once('|')?;
    (!reference.is_empty() && !rest.is_empty()).then(|| reference.trim().to_string())
}

/// The context a token authenticates to: `InternalId` for `…|internalId-NNNNNNNNNN-DDDDD|…`
/// tokens, else `Nip` with the context's NIP.
pub fn context_identifier(nip: &str, token: &Secret) -> AuthContextIdentifier {
    match token
        .expose()
        .split('|')
        .nth(1)
        .and_then(|s| s.strip_prefix("internalId-"))
    {
        Some(id) => AuthContextIdentifier {
            kind: "InternalId".into(),
            value: id.to_string(),
        },
        None => AuthContextIdentifier {
            kind: "Nip".into(),
            value: nip.to_string(),
        },
    }
}

/// Picks the certificate to encrypt with from the published list.
pub(crate) type CertificateSelector =
    for<'c> fn(&'c [PublicKeyCertificate], DateTime<Utc>) -> Option<&'c PublicKeyCertificate>;

/// Runs the whole token-authentication flow for context `nip`.
pub async fn authenticate(
    t: &Transport,
    token: &Secret,
    auth_timeout: Duration,
) -> Result<Session, ApiError> {
    authenticate_with(t, token, auth_timeout, crypto::select_certificate).await
}

/// [`authenticate`] with another certificate choice (tests use it to show that the
/// wrong certificate fails).
pub async fn authenticate_with(
    t: &Transport,
    token: &Secret,
    auth_timeout: Duration,
    select: CertificateSelector,
) -> Result<Session, ApiError> {
    let nip = t.nip.clone();
    let mut certs = t.certificates.get(t).await?;
    let mut refetched = false;
    let init = loop {
        let (_, challenge): (_, ChallengeResponse) =
            t.json(&Call::new(Method::POST, "/auth/challenge")).await?;
        let Some(cert) = select(&certs, Utc::now()) else {
            // The list is shared by the run: one that went stale is fetched once more.
            if !refetched {
                refetched = true;
                certs = t.certificates.refresh(t, &certs).await?;
                continue;
            }
            return Err(ApiError::Auth {
                nip: nip.clone(),
                message: "GET /security/public-key-certificates: no currently valid certificate with usage KsefTokenEncryption".into(),
                help: Some("check the base URL points at KSeF API 2.0, or try again later".into()),
            });
        };
        let key = crypto::public_key(&cert.certificate).map_err(|message| ApiError::Auth {
            nip: nip.clone(),
            message: format!(
                "KsefTokenEncryption certificate {}: {message}",
                cert.public_key_id
            ),
            help: None,
        })?;
        let encrypted =
            crypto::encrypt_token(&key, token, challenge.timestamp_ms).map_err(|message| {
                ApiError::Auth {
                    nip: nip.clone(),
                    message,
                    help: None,
                }
            })?;
        let body = InitTokenAuthenticationRequest {
            challenge: challenge.challenge,
            context_identifier: context_identifier(&nip, token),
            encrypted_token: encrypted,
            public_key_id: Some(cert.public_key_id.clone()),
        };
        let body = serde_json::to_value(&body).map_err(|e| ApiError::Auth {
            nip: nip.clone(),
            message: format!("cannot build the authentication request: {e}"),
            help: None,
        })?;
        match t
            .json::<AuthenticationInitResponse>(
                &Call::new(Method::POST, "/auth/ksef-token").json(body),
            )
            .await
        {
            Ok((_, init)) => break init,
            // Key withdrawn: fetch the current list once and try again.
            Err(e) if e.ksef_code() == Some(21470) && !refetched => {
                refetched = true;
                certs = t.certificates.refresh(t, &certs).await?;
            }
            Err(e) => return Err(e),
        }
    };

    complete_sign_in(t, &init, auth_timeout, token_reference(token), None).await
}

/// The steps every sign-in shares once KSeF accepted the request: poll
/// `GET /auth/{reference}` until 200, then redeem the access and refresh tokens.
/// A failed status is explained in plain words ([`auth_failure`]).
pub(crate) async fn complete_sign_in(
    t: &Transport,
    init: &AuthenticationInitResponse,
    auth_timeout: Duration,
    auditor_reference: Option<String>,
    certificate_serial: Option<String>,
) -> Result<Session, ApiError> {
    let nip = t.nip.clone();
    let op = &init.authentication_token.token;
    let status_path = t.id_path("/auth", &init.reference_number, &Method::GET)?;
    let started = Instant::now();
    let mut interval = Duration::from_millis(200);
    loop {
        let (_, st): (_, AuthenticationOperationStatusResponse) = t
            .json(&Call::new(Method::GET, status_path.clone()).bearer(op))
            .await?;
        match st.status.code {
            200 => break,
            100 if started.elapsed() < auth_timeout => {
                tokio::time::sleep(interval).await;
                interval = (interval * 2).min(Duration::from_secs(2));
            }
            100 => {
                return Err(ApiError::Auth {
                    nip,
                    message: format!(
                        "authentication {} still in progress after {} s",
                        init.reference_number,
                        auth_timeout.as_secs()
                    ),
                    help: Some(
                        "KSeF is slow right now; run again later or raise [ksef] auth-timeout"
                            .into(),
                    ),
                });
            }
            _ => return Err(auth_failure(&nip, &st.status)),
        }
    }

    let call = Call::new(Method::POST, "/auth/token/redeem").bearer(op);
    let (_, tokens): (_, AuthenticationTokensResponse) = t.json(&call).await?;
    t.progress
        .emit(ProgressEvent::Authenticated { nip: nip.clone() });
    let claimed_permissions = certificate_serial
        .as_ref()
        .and_then(|_| claimed_permissions(tokens.access_token.token.expose()));
    Ok(Session {
        access: tokens.access_token.token,
        access_valid_until: Some(tokens.access_token.valid_until),
        refresh: Some(tokens.refresh_token.token),
        owned: true,
        auditor_reference,
        claimed_permissions,
        certificate_serial,
    })
}

async fn fetch_certificates(t: &Transport) -> Result<Vec<PublicKeyCertificate>, ApiError> {
    let call = Call::new(Method::GET, "/security/public-key-certificates");
    Ok(t.json(&call).await?.1)
}

/// A failed authentication status in plain words.
pub(crate) fn auth_failure(nip: &str, status: &StatusInfo) -> ApiError {
    let (what, help) = match status.code {
        415 => (
            "KSeF found no permissions for this token in the context",
            "grant the token's author permissions in this context, or use a token created there",
        ),
        425 => (
            "the authentication was revoked by the user",
            "authenticate again",
        ),
        450 => (
            "the KSeF token is invalid, revoked or not active",
            "check in KSeF that the token is Active (new tokens stay Pending for a while), belongs to this NIP and was copied whole",
        ),
        460 => (
            "KSeF rejected the certificate: it is expired or not yet valid, revoked, not issued by a CA KSeF trusts, or its chain could not be verified",
            "check the certificate's validity dates and status in the KSeF application (Certificates); if it was revoked or has expired, request a new KSeF certificate and point `certificate`/`private-key` (or `pkcs12`) at it",
        ),
        470 => (
            "the credentials belong to a person registered as deceased",
            "use another person's token",
        ),
        480 => (
            "authentication is blocked for this context (suspected security incident)",
            "contact the Ministry of Finance KSeF support",
        ),
        500 => ("KSeF reported an unknown error", "run again later"),
        550 => ("KSeF cancelled the operation", "run again"),
        _ => (
            "KSeF refused the authentication",
            "check the token and the context",
        ),
    };
    let mut message = what.to_string();
    let details: Vec<&str> = std::iter::once(status.description.as_str())
        .chain(status.details.iter().flatten().map(String::as_str))
        .filter(|s| !s.is_empty())
        .collect();
    if !details.is_empty() {
        message.push_str(&format!(" (KSeF: {})", details.join("; ")));
    }
    ApiError::AuthFailed {
        nip: nip.to_string(),
        code: status.code,
        message,
        help: Some(help.to_string()),
    }
}

/// Permissions named in a JWT's (unverified) `per`/`pep` claim: a JSON array or a
/// string holding one.
fn claimed_permissions(token: &str) -> Option<Vec<String>> {
    let claims = jwt_claims(token)?;
    ["per", "pep"].iter().find_map(|k| {
        let v = claims.get(*k)?;
        let arr = match v {
            serde_json::Value::String(s) => serde_json::from_str(s).ok()?,
            other => other.clone(),
        };
        arr.as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
    })
}

/// The (unverified) claims of a JWT, if it is one.
fn jwt_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl CertificateCache {
    /// The shared list, fetched by the first caller (the others wait for it). A failed
    /// fetch is not kept: the next context tries again.
    pub async fn get(&self, t: &Transport) -> Result<Arc<Vec<PublicKeyCertificate>>, ApiError> {
        let mut slot = self.0.lock().await;
        if let Some(certs) = slot.as_ref() {
            return Ok(Arc::clone(certs));
        }
        let certs = Arc::new(fetch_certificates(t).await?);
        *slot = Some(Arc::clone(&certs));
        Ok(certs)
    }

    /// A fresh list after `stale` failed, unless another context already fetched one.
    pub async fn refresh(
        &self,
        t: &Transport,
        stale: &Arc<Vec<PublicKeyCertificate>>,
    ) -> Result<Arc<Vec<PublicKeyCertificate>>, ApiError> {
        let mut slot = self.0.lock().await;
        if let Some(certs) = slot.as_ref()
            && !Arc::ptr_eq(certs, stale)
        {
            return Ok(Arc::clone(certs));
        }
        let certs = Arc::new(fetch_certificates(t).await?);
        *slot = Some(Arc::clone(&certs));
        Ok(certs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_is_the_first_part_of_the_token() {
        let t = Secret::new("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|abc");
        assert_eq!(
            token_reference(&t).as_deref(),
            Some("20251010-EC-1DCE3E3000-12ECB5B36E-45")
        );
        assert_eq!(token_reference(&Secret::new("plainsecret")), None);
    }

    #[test]
    fn internal_id_tokens_authenticate_to_their_internal_id() {
        let t = Secret::new("20251010-EC-1DCE3E3000-12ECB5B36E-45|internalId-5265877635-12345|ab");
        let id = context_identifier("5265877635", &t);
        assert_eq!(
            (id.kind.as_str(), id.value.as_str()),
            ("InternalId", "5265877635-12345")
        );
        let t = Secret::new("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|ab");
        assert_eq!(context_identifier("5265877635", &t).kind, "Nip");
    }

    #[test]
    fn failure_codes_are_explained_in_plain_words() {
        let st = StatusInfo {
            code: 450,
            description: "Uwierzytelnianie zakończone niepowodzeniem".into(),
            details: Some(vec!["Token unieważniony".into()]),
        };
        let msg = auth_failure("5265877635", &st).to_string();
        assert!(msg.contains("context 5265877635"), "{msg}");
        assert!(msg.contains("invalid, revoked or not active"), "{msg}");
        assert!(msg.contains("Token unieważniony"), "{msg}");
        assert!(msg.contains("help:"), "{msg}");
        let blocked = StatusInfo {
            code: 480,
            description: String::new(),
            details: None,
        };
        assert!(
            auth_failure("5265877635", &blocked)
                .to_string()
                .contains("blocked")
        );
        let none = StatusInfo {
            code: 415,
            description: String::new(),
            details: None,
        };
        assert!(
            auth_failure("5265877635", &none)
                .to_string()
                .contains("no permissions")
        );
    }

    #[test]
    fn access_token_claims_give_expiry_and_permissions() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":1900000000,"per":"[\"Owner\"]"}"#);
        let s =
            Session::from_access_token(Secret::new(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig")));
        assert_eq!(s.claimed_permissions, Some(vec!["Owner".to_string()]));
        assert!(s.access_valid_until.is_some());
        assert!(!s.owned);
    }
}
