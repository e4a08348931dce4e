//! Certificate sign-in (XAdES): challenge -> signed `AuthTokenRequest` ->
//! `POST /auth/xades-signature` (`application/xml`) -> then poll, redeem, refresh and
//! close exactly as token sign-in does (`auth::complete_sign_in`).
//!
//! The certificate and key are read from the files [`CertificateFiles`] names, the
//! password from `KSEF_KEY_PASSWORD_<NIP>` / `KSEF_KEY_PASSWORD`; messages name the
//! files, never their contents.

use std::time::Duration;

use reqwest::Method;

use crate::auth;
use crate::auth::Session;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::Transport;
use crate::keys::SigningCredential;
use crate::keys::load_context_credential;
use crate::models::AuthenticationInitResponse;
use crate::models::ChallengeResponse;
use crate::settings::CertificateFiles;
use crate::xades::AuthTokenRequest;
use crate::xades::ContextIdentifier;
use crate::xades::SubjectIdentifierType;
use crate::xades::sign_auth_token_request;
use crate::xades::signing_time_now;

/// Loads a context's certificate and key (password from the environment).
pub(crate) fn load_signing_credential(
    nip: &str,
    files: &CertificateFiles,
) -> Result<SigningCredential, ApiError> {
    let loaded = load_context_credential(nip, files);
    loaded.map_err(|e| {
        let text = e.to_string();
        let (message, help) = match text.split_once("\nhelp: ") {
            Some((m, h)) => (m.to_string(), Some(h.to_string())),
            None => (text, None),
        };
        ApiError::Credential {
            nip: nip.to_string(),
            message: format!("certificate sign-in: {message}"),
            help,
        }
    })
}

/// Signs in to context `nip` with a KSeF certificate.
pub(crate) async fn authenticate_with_certificate(
    t: &Transport,
    credential: &SigningCredential,
    auth_timeout: Duration,
) -> Result<Session, ApiError> {
    let nip = t.nip.clone();
    let failed = |message: String| ApiError::Auth {
        nip: nip.clone(),
        message,
        help: None,
    };
    let (_, challenge): (_, ChallengeResponse) =
        t.json(&Call::new(Method::POST, "/auth/challenge")).await?;
    let request = AuthTokenRequest::new(
        &challenge.challenge,
        ContextIdentifier::Nip(nip.clone()),
        SubjectIdentifierType::CertificateSubject,
    )
    .map_err(|e| failed(e.to_string()))?;
    let signed = sign_auth_token_request(&request, credential, signing_time_now())
        .map_err(|e| failed(e.to_string()))?;
    let (_, init): (_, AuthenticationInitResponse) = t
        .json(&Call::new(Method::POST, "/auth/xades-signature").xml(signed.xml))
        .await?;
    auth::complete_sign_in(t, &init, auth_timeout, None, Some(credential.serial_hex())).await
}
