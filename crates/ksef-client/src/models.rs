//! Request and response bodies of the KSeF endpoints the client uses, named as in
//! the contract. Tolerant: unknown fields are ignored, fields the tool does not need
//! are optional, and every token the API hands out is kept in a [`Secret`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use ksef_model::Secret;
use ksef_model::TokenRecord;

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::new)
}

/// `AuthenticationChallengeResponse` (`POST /auth/challenge`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeResponse {
    pub challenge: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Unix milliseconds of the challenge: used verbatim in `token|timestampMs`.
    pub timestamp_ms: i64,
    #[serde(default)]
    pub client_ip: Option<String>,
}

/// `PublicKeyCertificate` (`GET /security/public-key-certificates`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCertificate {
    /// DER, Base64.
    pub certificate: String,
    #[serde(default)]
    pub certificate_id: Option<String>,
    pub public_key_id: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    /// Open: `KsefTokenEncryption`, `SymmetricKeyEncryption`, or values added later.
    #[serde(default)]
    pub usage: Vec<String>,
}

/// `AuthenticationContextIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthContextIdentifier {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// `InitTokenAuthenticationRequest` (`POST /auth/ksef-token`). Holds the encrypted
/// token only: the plain token never leaves [`crate::crypto`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitTokenAuthenticationRequest {
    pub challenge: String,
    pub context_identifier: AuthContextIdentifier,
    /// Base64 of RSA-OAEP(SHA-256) over `token|timestampMs`.
    pub encrypted_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
}

/// `TokenInfo`: a JWT and its expiry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    #[serde(deserialize_with = "secret")]
    pub token: Secret,
    pub valid_until: DateTime<Utc>,
}

/// `AuthenticationInitResponse` (202 of `POST /auth/ksef-token`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationInitResponse {
    /// The `AU` number to poll.
    pub reference_number: String,
    pub authentication_token: TokenInfo,
}

/// `StatusInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusInfo {
    pub code: i32,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub details: Option<Vec<String>>,
}

/// `AuthenticationOperationStatusResponse` (`GET /auth/{referenceNumber}`): HTTP 200
/// even when authentication failed, so `status.code` decides.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationOperationStatusResponse {
    #[serde(default)]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub authentication_method: Option<String>,
    #[serde(default)]
    pub authentication_method_info: Option<serde_json::Value>,
    pub status: StatusInfo,
    #[serde(default)]
    pub is_token_redeemed: Option<bool>,
}

/// `AuthenticationTokensResponse` (`POST /auth/token/redeem`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokensResponse {
    pub access_token: TokenInfo,
    pub refresh_token: TokenInfo,
}

/// `AuthenticationTokenRefreshResponse` (`POST /auth/token/refresh`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokenRefreshResponse {
    pub access_token: TokenInfo,
}

/// `QueryTokensResponse` (`GET /tokens`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryTokensResponse {
    #[serde(default)]
    pub continuation_token: Option<String>,
    pub tokens: Vec<TokenRecord>,
}
