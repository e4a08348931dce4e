//! KSeF token records (as `GET /tokens` returns them) and the `tokens` snapshot.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::certificate::ContextCertificates;
use crate::grant::GrantRecord;
use crate::open_enum::open_enum;
use crate::reason::ReasonCode;

open_enum! {
    /// `AuthenticationTokenStatus` in the contract.
    TokenStatus { Pending, Active, Revoking, Revoked, Failed }
}

impl TokenStatus {
    /// A status this version does not know (kept as it came).
    pub fn is_unknown(&self) -> bool {
        matches!(self, TokenStatus::Other(_))
    }

    /// The token may still authenticate: `Active`, or a status this version does not
    /// know (treated as live until KSeF says otherwise). `Pending`, `Revoking`,
    /// `Revoked` and `Failed` are known and are not live.
    pub fn is_live(&self) -> bool {
        matches!(self, TokenStatus::Active | TokenStatus::Other(_))
    }

    /// The status in Polish, as people read it (docs/polish.md): `aktywny`, `oczekujący`,
    /// `w trakcie unieważniania`, `unieważniony`, `błędny`; an unknown status as it came.
    pub fn polish(&self) -> &str {
        match self {
            TokenStatus::Active => "aktywny",
            TokenStatus::Pending => "oczekujący",
            TokenStatus::Revoking => "w trakcie unieważniania",
            TokenStatus::Revoked => "unieważniony",
            TokenStatus::Failed => "błędny",
            TokenStatus::Other(s) => s,
        }
    }

    /// The status as policy rules judge it: a status this version does not know is
    /// judged as `Active` (live); messages and outputs keep the real one.
    pub fn policy_str(&self) -> &str {
        if self.is_unknown() {
            "Active"
        } else {
            self.as_str()
        }
    }
}

open_enum! {
    /// `TokenPermissionType` in the contract.
    Permission {
        InvoiceRead,
        InvoiceWrite,
        CredentialsRead,
        CredentialsManage,
        SubunitManage,
        EnforcementOperations,
        Introspection,
        CollectiveIdentifierManage,
    }
}

impl Permission {
    /// Case-insensitive lookup of a known permission (for inventory cells).
    pub fn parse_known(s: &str) -> Option<Permission> {
        let s = s.trim();
        Self::KNOWN
            .iter()
            .find(|k| k.eq_ignore_ascii_case(s))
            .map(|k| Permission::from(*k))
    }
}

/// `{ "type": …, "value": … }`, for both author and context identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

pub type ContextIdentifier = Identifier;

/// One KSeF token as listed by `GET /tokens` (`QueryTokensResponseItem`) or
/// returned by `GET /tokens/{ref}` (`TokenStatusResponse`). Field names follow the
/// contract; unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    pub reference_number: String,
    pub author_identifier: Identifier,
    pub context_identifier: Identifier,
    pub description: String,
    pub requested_permissions: Vec<Permission>,
    pub date_created: DateTime<Utc>,
    #[serde(default)]
    pub last_use_date: Option<DateTime<Utc>>,
    pub status: TokenStatus,
    #[serde(default)]
    pub status_details: Option<Vec<String>>,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Which KSeF the results came from: `test`, `demo`, `prod` or `custom` (or a label
/// given with `--env LABEL=URL`), and its base URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentRef {
    pub label: String,
    pub base_url: String,
}

impl EnvironmentRef {
    /// The environment as it may be recorded (snapshots, results, reports): the base
    /// URL without `user:password@`, which only the connection itself may use.
    pub fn recorded(&self) -> EnvironmentRef {
        EnvironmentRef {
            label: self.label.clone(),
            base_url: without_userinfo(&self.base_url),
        }
    }
}

/// `scheme://user:pass@host/…` -> `scheme://host/…`; other text is returned as it is.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextStatus {
    Complete,
    Incomplete,
}

/// One context (NIP) as fetched: complete with every token, or incomplete with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextSnapshot {
    pub nip: String,
    /// Client name from the config, if any.
    #[serde(default)]
    pub name: Option<String>,
    pub environment: String,
    pub status: ContextStatus,
    /// Why the context is incomplete (plain words, no secrets).
    #[serde(default)]
    pub reason: Option<String>,
    /// What kind of reason it is (stable, for programs); absent in snapshots written
    /// before codes existed (`render::reason` then reads the text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<ReasonCode>,
    pub fetched_at: DateTime<Utc>,
    #[serde(default)]
    pub duration_ms: u64,
    /// Reference number of the token the tool authenticated with, when known.
    #[serde(default)]
    pub auditor_reference: Option<String>,
    /// Permissions of the tool's own token, when its record was visible.
    #[serde(default)]
    pub auditor_permissions: Option<Vec<Permission>>,
    pub tokens: Vec<TokenRecord>,
    /// Permission grants of the context (persons, entities, entity authorizations);
    /// empty in snapshots written before grants were read.
    #[serde(default)]
    pub grants: Vec<GrantRecord>,
    /// KSeF certificates, read when the context signed in with a certificate;
    /// left out of snapshots when there is nothing.
    #[serde(default, skip_serializing_if = "ContextCertificates::is_empty")]
    pub certificates: ContextCertificates,
}

pub const SNAPSHOT_KIND: &str = "ksef-audit/tokens";
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// What `ksef-audit tokens --format json` writes and `audit --from` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSnapshot {
    pub schema_version: u32,
    pub kind: String,
    pub tool_version: String,
    pub environment: EnvironmentRef,
    pub fetched_at: DateTime<Utc>,
    pub contexts: Vec<ContextSnapshot>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_environment_has_no_userinfo() {
        for (given, recorded) in [
            (
                "https://user:pa%40ss@proxy.example:8443/v2?x=1",
                "https://proxy.example:8443/v2?x=1",
            ),
            ("http://user@127.0.0.1/v2", "http://127.0.0.1/v2"),
            (
                "https://api.ksef.mf.gov.pl/v2",
                "https://api.ksef.mf.gov.pl/v2",
            ),
            ("https://host/v2/a@b", "https://host/v2/a@b"),
        ] {
            let env = EnvironmentRef {
                label: "custom".into(),
                base_url: given.into(),
            };
            assert_eq!(env.recorded().base_url, recorded, "{given}");
        }
    }

    #[test]
    fn unknown_enum_values_and_fields_survive_a_round_trip() {
        let json = r#"{"referenceNumber":"20251001-EC-2DD3AFF000-A6B7F19A95-11",
            "authorIdentifier":{"type":"Nip","value":"5265877635"},
            "contextIdentifier":{"type":"Nip","value":"5265877635"},
            "description":"Wystawianie i przeglądanie faktur.",
            "requestedPermissions":["InvoiceRead","FuturePermission"],
            "dateCreated":"2025-10-01T13:20:52.9919681+00:00",
            "status":"Suspended","statusDetails":[],"validUntil":"2027-01-01"}"#;
        let rec: TokenRecord = serde_json::from_str(json).expect("parses");
        assert_eq!(rec.status, TokenStatus::Other("Suspended".into()));
        assert_eq!(
            rec.requested_permissions[1],
            Permission::Other("FuturePermission".into())
        );
        assert!(rec.extra.contains_key("validUntil"));
        let back = serde_json::to_value(&rec).expect("serialises");
        assert_eq!(back["status"], "Suspended");
        assert_eq!(back["validUntil"], "2027-01-01");
    }
}
