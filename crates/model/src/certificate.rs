//! KSeF certificates as `POST /certificates/query` lists them (`CertificateListItem`)
//! and the limits of `GET /certificates/limits`.

use chrono::{DateTime, Utc};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::identifiers::mask_nip;
use crate::identifiers::mask_pesel;
use crate::open_enum::open_enum;

open_enum! {
    /// `CertificateListItemStatus` in the contract.
    CertificateStatus { Active, Blocked, Revoked, Expired }
}

impl CertificateStatus {
    /// The status in Polish (docs/polish.md); an unknown status as it came.
    pub fn polish(&self) -> &str {
        match self {
            CertificateStatus::Active => "aktywny",
            CertificateStatus::Blocked => "zablokowany",
            CertificateStatus::Revoked => "unieważniony",
            CertificateStatus::Expired => "wygasły",
            CertificateStatus::Other(s) => s,
        }
    }
}

open_enum! {
    /// `KsefCertificateType` in the contract.
    CertificateType { Authentication, Offline }
}

impl CertificateType {
    /// The type in Polish: `uwierzytelniający`, `offline`; an unknown type as it came.
    pub fn polish(&self) -> &str {
        match self {
            CertificateType::Authentication => "uwierzytelniający",
            CertificateType::Offline => "offline",
            CertificateType::Other(s) => s,
        }
    }
}

/// `CertificateSubjectIdentifier`: `Nip`, `Pesel` or `Fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSubject {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl CertificateSubject {
    /// The identifier as a person may read it: a PESEL masked, a NIP masked, a
    /// fingerprint shortened.
    pub fn masked(&self) -> String {
        match self.kind.as_str() {
            "Pesel" => format!("PESEL {}", mask_pesel(&self.value)),
            "Nip" => format!("NIP {}", mask_nip(&self.value)),
            other => {
                let short: String = self.value.chars().take(12).collect();
                format!("{other} {short}…")
            }
        }
    }

    /// The PESEL, when the subject is a person.
    pub fn pesel(&self) -> Option<&str> {
        (self.kind == "Pesel").then_some(self.value.as_str())
    }
}

/// The day KSeF tokens stop working, as the Ministry of Finance announced it (not yet law);
/// the default `sunset` of the token-sunset rules and the date of the reports' readiness line.
pub const ANNOUNCED_TOKEN_SUNSET: &str = "2027-11-30";

/// The date KSeF writes for "never used".
const NEVER: &str = "0001-01-01";

/// One certificate (`CertificateListItem`); unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRecord {
    pub certificate_serial_number: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CertificateType,
    pub common_name: String,
    pub status: CertificateStatus,
    pub subject_identifier: CertificateSubject,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    #[serde(default)]
    pub last_use_date: Option<DateTime<Utc>>,
    pub request_date: DateTime<Utc>,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl CertificateRecord {
    /// Never used: `lastUseDate` null or `0001-01-01T00:00:00+00:00`.
    pub fn never_used(&self) -> bool {
        self.last_use_date
            .is_none_or(|d| d.format("%Y-%m-%d").to_string() == NEVER)
    }

    /// Whole days until `validTo` (negative once expired).
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        (self.valid_to - now).num_days()
    }
}

/// `CertificateLimit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateLimit {
    pub remaining: i64,
    pub limit: i64,
}

/// `CertificateLimitsResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLimits {
    pub can_request: bool,
    pub enrollment: CertificateLimit,
    pub certificate: CertificateLimit,
}

/// The certificates of one context, read when it signed in with a certificate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ContextCertificates {
    /// Serial number of the certificate the tool signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in_with: Option<String>,
    #[serde(default)]
    pub list: Vec<CertificateRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<CertificateLimits>,
    /// Why the list could not be read (the context is then incomplete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl ContextCertificates {
    /// Nothing read and nothing to say: left out of snapshots.
    pub fn is_empty(&self) -> bool {
        self.signed_in_with.is_none()
            && self.list.is_empty()
            && self.limits.is_none()
            && self.problem.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(last_use: serde_json::Value) -> CertificateRecord {
        serde_json::from_value(serde_json::json!({
            "certificateSerialNumber": "018209160C631F1E",
            "name": "Certyfikat 1",
            "type": "Authentication",
            "commonName": "Jan Kowalski",
            "status": "Active",
            "subjectIdentifier": {"type": "Pesel", "value": "85010112345"},
            "validFrom": "2025-08-24T14:15:22+00:00",
            "validTo": "2027-08-24T14:15:22+00:00",
            "lastUseDate": last_use,
            "requestDate": "2025-08-24T14:15:22+00:00",
            "futureField": 1
        }))
        .expect("contract example parses")
    }

    #[test]
    fn never_used_covers_null_and_the_zero_date() {
        assert!(record(serde_json::Value::Null).never_used());
        assert!(record("0001-01-01T00:00:00+00:00".into()).never_used());
        assert!(!record("2025-08-25T14:15:22+00:00".into()).never_used());
    }

    #[test]
    fn unknown_fields_are_kept_and_the_pesel_is_masked() {
        let r = record(serde_json::Value::Null);
        assert_eq!(r.extra.get("futureField"), Some(&serde_json::json!(1)));
        assert_eq!(r.subject_identifier.masked(), "PESEL 85*******45");
    }
}
