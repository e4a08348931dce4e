//! Why a context is incomplete, as a stable code (`reason_code` in snapshots, audit
//! documents and JSON); the words a person reads are made from it in `render::reason`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! reason_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)+) => {
        /// Why a context could not be read completely. Open: a code this version does not
        /// know (from a newer version's snapshot) is kept as `Other(code)`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ReasonCode {
            $($(#[$doc])* $variant,)+
            Other(String),
        }

        impl ReasonCode {
            /// The code as written in JSON, e.g. `no-read-permission`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ReasonCode::$variant => $text,)+
                    ReasonCode::Other(s) => s,
                }
            }

            /// Every code this version knows, in a stable order (for the docs and tests).
            pub const KNOWN: &'static [&'static str] = &[$($text),+];
        }

        impl From<&str> for ReasonCode {
            fn from(s: &str) -> ReasonCode {
                match s {
                    $($text => ReasonCode::$variant,)+
                    other => ReasonCode::Other(other.to_string()),
                }
            }
        }
    };
}

reason_codes! {
    /// The auditing credential lacks `CredentialsRead`/`CredentialsManage`, so KSeF shows
    /// only part of the list (or refused it).
    NoReadPermission = "no-read-permission",
    /// The auditing token is not in the list KSeF returned, so its permissions are unknown.
    AuditorNotListed = "auditor-not-listed",
    /// The permissions of the access token given could not be established.
    PermissionsUnknown = "permissions-unknown",
    /// KSeF refused the sign-in (a step of the authentication flow failed).
    SignInRefused = "sign-in-refused",
    /// KSeF did not accept the token or certificate (authentication status, HTTP 401).
    CredentialRejected = "credential-rejected",
    /// No usable credential for the NIP (missing, unreadable or badly protected).
    CredentialUnavailable = "credential-unavailable",
    /// KSeF's rate limit asked the tool to wait longer than it may.
    RateLimited = "rate-limited",
    /// KSeF answered with a server error (HTTP 5xx).
    ServerError = "server-error",
    /// KSeF refused a request for another reason (HTTP 4xx).
    RequestRefused = "request-refused",
    /// KSeF could not be reached (network, DNS, TLS or timeout).
    Network = "network",
    /// KSeF's answer could not be read (unexpected shape or size).
    UnexpectedAnswer = "unexpected-answer",
    /// The token listing did not end (page cap, repeated cursor).
    ListingRunaway = "listing-runaway",
    /// The token listing repeated tokens, so it may also have skipped some.
    ListingInconsistent = "listing-inconsistent",
    /// A listing failed after some pages had been read.
    ListingInterrupted = "listing-interrupted",
    /// The permission grants could not be read.
    GrantsNotReadable = "grants-not-readable",
    /// The KSeF certificates could not be read.
    CertificatesNotReadable = "certificates-not-readable",
    /// Named in the inventory but not audited in this run.
    NotAudited = "not-audited",
    /// The tool itself failed (runtime, HTTP client, task).
    Internal = "internal",
}

impl ReasonCode {
    /// The code an English reason written before codes existed stands for: each line in
    /// turn, the first that says something known wins. `None` when nothing is recognised.
    pub(crate) fn classify_text(reason: &str) -> Option<ReasonCode> {
        reason.lines().find_map(classify_line)
    }
}

fn classify_line(line: &str) -> Option<ReasonCode> {
    let has = |s: &str| line.contains(s);
    let code = if has("lacks CredentialsRead")
        || has("neither CredentialsRead nor CredentialsManage")
        || has("missing-permissions")
        || (has("permission grants not read") && has("the auditing credential"))
    {
        ReasonCode::NoReadPermission
    } else if has("is not in the list KSeF returned") {
        ReasonCode::AuditorNotListed
    } else if has("permissions could not be") {
        ReasonCode::PermissionsUnknown
    } else if has("permission grants not read") {
        ReasonCode::GrantsNotReadable
    } else if line.starts_with("certificates:") {
        ReasonCode::CertificatesNotReadable
    } else if has("rate limited") || has("HTTP 429") {
        ReasonCode::RateLimited
    } else if has("failed on page") {
        ReasonCode::ListingInterrupted
    } else if has("more than once (duplicates seen") {
        ReasonCode::ListingInconsistent
    } else if has("runaway") {
        ReasonCode::ListingRunaway
    } else if has("no KSeF token for this context")
        || (has("environment variable KSEF_TOKEN") && has("is not set"))
        || has(": token-file ")
        || has("token file '")
    {
        ReasonCode::CredentialUnavailable
    } else if has("check the network and the base URL") {
        ReasonCode::Network
    } else if has("authentication failed with status") || has("HTTP 401") {
        ReasonCode::CredentialRejected
    } else if http_5xx(line) {
        ReasonCode::ServerError
    } else if has(": HTTP 4") {
        ReasonCode::RequestRefused
    } else if has("larger than") && has("MiB") {
        ReasonCode::UnexpectedAnswer
    } else if line == "not audited" {
        ReasonCode::NotAudited
    } else if line.starts_with("internal error")
        || line.starts_with("cannot start the async runtime")
        || line.starts_with("cannot build the HTTP client")
    {
        ReasonCode::Internal
    } else {
        return None;
    };
    Some(code)
}

fn http_5xx(line: &str) -> bool {
    line.match_indices("HTTP 5").any(|(i, _)| {
        let rest = &line.as_bytes()[i + 6..];
        rest.len() >= 2 && rest[0].is_ascii_digit() && rest[1].is_ascii_digit()
    })
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ReasonCode::from(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_kept() {
        for known in ReasonCode::KNOWN {
            assert_eq!(ReasonCode::from(*known).as_str(), *known);
            assert!(!matches!(ReasonCode::from(*known), ReasonCode::Other(_)));
        }
        let newer: ReasonCode = serde_json::from_str("\"quota-exhausted\"").expect("parses");
        assert_eq!(newer, ReasonCode::Other("quota-exhausted".into()));
        assert_eq!(
            serde_json::to_string(&newer).expect("serialises"),
            "\"quota-exhausted\""
        );
    }

    /// Snapshots written before codes existed hold only English text: each kind the tool
    /// wrote is recognised, so old snapshots read as new ones do.
    #[test]
    fn old_reason_texts_are_classified() {
        let cases = [
            (
                "the auditing token 20251001-EC-2DD3AFF000-A6B7F19A95-11 lacks CredentialsRead and CredentialsManage, so KSeF shows only that token, not the whole list\nhelp: create an audit token with CredentialsRead for this NIP and use it instead",
                ReasonCode::NoReadPermission,
            ),
            (
                "the access token's permissions include neither CredentialsRead nor CredentialsManage, so the list may be partial",
                ReasonCode::NoReadPermission,
            ),
            (
                "context 5265877635: GET /tokens: HTTP 403: Brak uprawnień; reason missing-permissions; needs any of [CredentialsManage, CredentialsRead], the token has [InvoiceRead]",
                ReasonCode::NoReadPermission,
            ),
            (
                "the auditing token X is not in the list KSeF returned, so its permissions cannot be checked and the list may be partial",
                ReasonCode::AuditorNotListed,
            ),
            (
                "the auditor's permissions could not be established, so the list may be partial",
                ReasonCode::PermissionsUnknown,
            ),
            (
                "context 5265877635: authentication failed with status 450: Uwierzytelnianie zakończone niepowodzeniem",
                ReasonCode::CredentialRejected,
            ),
            (
                "context 5265877635: GET /tokens: rate limited by KSeF, Retry-After 3600 s is longer than the 120 s the tool waits",
                ReasonCode::RateLimited,
            ),
            (
                "context 5265877635: GET /tokens: HTTP 503: Service Unavailable",
                ReasonCode::ServerError,
            ),
            (
                "context 5265877635: GET /tokens: error sending request\nhelp: check the network and the base URL; KSeF test environments have maintenance windows 16:00-18:00",
                ReasonCode::Network,
            ),
            (
                "context 5265877635: POST /permissions/query/persons/grants: the grant listing failed on page 3 after 200 grants were read, so the list is partial",
                ReasonCode::ListingInterrupted,
            ),
            (
                "permission grants not read: context 5265877635: POST /permissions/query/persons/grants: the auditing credential has neither CredentialsRead nor CredentialsManage",
                ReasonCode::NoReadPermission,
            ),
            (
                "permission grants not read: context 5265877635: POST /permissions/query/persons/grants: HTTP 500: boom",
                ReasonCode::GrantsNotReadable,
            ),
            (
                "certificates: POST /certificates/query: HTTP 500",
                ReasonCode::CertificatesNotReadable,
            ),
            ("not audited", ReasonCode::NotAudited),
            (
                "context 3756977049: no KSeF token for this context\nhelp: set KSEF_TOKEN_3756977049",
                ReasonCode::CredentialUnavailable,
            ),
            (
                "context 3756977049: token file 'k.txt' is empty",
                ReasonCode::CredentialUnavailable,
            ),
        ];
        for (text, code) in cases {
            assert_eq!(ReasonCode::classify_text(text), Some(code), "{text}");
        }
        assert_eq!(ReasonCode::classify_text("something new"), None);
    }
}
