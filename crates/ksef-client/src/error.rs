//! `ApiError`: what went wrong talking to KSeF, naming the NIP, the endpoint, the
//! HTTP status and the KSeF code; and the parser for both error body shapes
//! (legacy `exception` and Problem Details).

use serde_json::Value;
use thiserror::Error;

use ksef_model::ReasonCode;

/// One failed KSeF call (after retries) or a failed step of the auth flow.
/// Messages never contain a token value.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("context {nip}: {endpoint}: HTTP {status}{}: {message}{}", code_suffix(*code), help_suffix(help))]
    Status {
        nip: String,
        endpoint: String,
        status: u16,
        code: Option<i64>,
        message: String,
        help: Option<String>,
    },
    #[error(
        "context {nip}: {endpoint}: {what}\nhelp: check the network and the base URL; KSeF test environments have maintenance windows 16:00-18:00"
    )]
    Transport {
        nip: String,
        endpoint: String,
        what: String,
        #[source]
        source: reqwest::Error,
    },
    #[error(
        "context {nip}: {endpoint}: rate limited by KSeF, Retry-After {retry_after} s is longer than the {cap} s the tool waits\nhelp: run again later, or raise [ksef] max-retry-after"
    )]
    RateLimited {
        nip: String,
        endpoint: String,
        retry_after: u64,
        cap: u64,
    },
    #[error("context {nip}: {endpoint}: {message}")]
    Decode {
        nip: String,
        endpoint: String,
        message: String,
    },
    #[error(
        "context {nip}: authentication failed with status {code}: {message}{}",
        help_suffix(help)
    )]
    AuthFailed {
        nip: String,
        code: i32,
        message: String,
        help: Option<String>,
    },
    #[error("context {nip}: {message}{}", help_suffix(help))]
    Auth {
        nip: String,
        message: String,
        help: Option<String>,
    },
    #[error(
        "context {nip}: {endpoint}: the response body is larger than {limit_mib} MiB, far more than any KSeF answer; stopped reading it\nhelp: check that the base URL points at KSeF API 2.0 (and not at a proxy or a download)"
    )]
    BodyTooLarge {
        nip: String,
        endpoint: String,
        limit_mib: usize,
    },
    #[error(
        "context {nip}: {endpoint}: the answers for this context passed {budget_mib} MiB, far more than a real context's listings; stopped reading, so the context is incomplete\nhelp: check that the base URL points at KSeF API 2.0; if it does, report the oversized answers to KSeF support"
    )]
    OverBudget {
        nip: String,
        endpoint: String,
        budget_mib: usize,
    },
    #[error(
        "context {nip}: GET /tokens: gave more than {pages} pages; stopped as a runaway cursor\nhelp: raise [ksef] max-pages if the context really has that many tokens"
    )]
    PageCap { nip: String, pages: u32 },
    #[error(
        "context {nip}: GET /tokens: gave more than {pages} pages ({tokens} tokens read), more than KSeF lets a client read in an hour ({pages} requests an hour) and more than a real context holds; stopped as a runaway cursor\nhelp: run again later; if it persists, report the endless listing to KSeF support"
    )]
    RunawayListing {
        nip: String,
        pages: u32,
        tokens: usize,
    },
    #[error(
        "context {nip}: {endpoint}: still listing after {minutes} minutes ({pages} pages); stopped as a runaway listing\nhelp: run again later; if it persists, report the endless listing to KSeF support"
    )]
    ListingTooLong {
        nip: String,
        endpoint: String,
        minutes: u64,
        pages: u32,
    },
    #[error(
        "context {nip}: GET /tokens: the continuation token repeated itself after {pages} pages; stopped as a runaway cursor"
    )]
    CursorLoop { nip: String, pages: u32 },
    #[error(
        "context {nip}: {endpoint}: KSeF answered with a redirect (HTTP {status}{}); refused: KSeF never redirects, and a signed request must not go elsewhere\nhelp: check the base URL (--env or [ksef] environment): it must be the API's own address, not a proxy that redirects",
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default()
    )]
    Redirect {
        nip: String,
        endpoint: String,
        status: u16,
        /// The `Location` header, without user info, cut to 120 characters.
        location: Option<String>,
    },
    #[error(
        "context {nip}: {endpoint}: '{shown}' is not a KSeF reference number (36 letters, digits and '-'); not sent\nhelp: take the reference number from `ksef-audit tokens` or the KSeF answer, as it is"
    )]
    BadReference {
        nip: String,
        endpoint: String,
        /// The value as received, control characters replaced, cut to 40 characters.
        shown: String,
    },
    #[error("context {nip}: {message}{}", help_suffix(help))]
    Credential {
        nip: String,
        message: String,
        help: Option<String>,
    },
}

fn code_suffix(code: Option<i64>) -> String {
    code.map(|c| format!(" (KSeF code {c})"))
        .unwrap_or_default()
}

fn help_suffix(help: &Option<String>) -> String {
    help.as_ref()
        .map(|h| format!("\nhelp: {h}"))
        .unwrap_or_default()
}

impl ApiError {
    /// The KSeF error code, when the server sent one.
    pub fn ksef_code(&self) -> Option<i64> {
        match self {
            ApiError::Status { code, .. } => *code,
            ApiError::AuthFailed { code, .. } => Some(i64::from(*code)),
            _ => None,
        }
    }

    /// What kind of failure this is, as `reason_code` records it for an incomplete context.
    pub fn reason_code(&self) -> ReasonCode {
        match self {
            ApiError::Status { status: 429, .. } | ApiError::RateLimited { .. } => {
                ReasonCode::RateLimited
            }
            ApiError::Status { status: 401, .. } => ReasonCode::CredentialRejected,
            ApiError::Status {
                status: 403,
                message,
                ..
            } if message.contains("missing-permissions") => ReasonCode::NoReadPermission,
            ApiError::Status { status, .. } if *status >= 500 => ReasonCode::ServerError,
            ApiError::Status { .. } => ReasonCode::RequestRefused,
            ApiError::Transport { .. } => ReasonCode::Network,
            ApiError::Decode { .. }
            | ApiError::BodyTooLarge { .. }
            | ApiError::OverBudget { .. }
            | ApiError::Redirect { .. }
            | ApiError::BadReference { .. } => ReasonCode::UnexpectedAnswer,
            ApiError::AuthFailed { .. } => ReasonCode::CredentialRejected,
            ApiError::Auth { .. } => ReasonCode::SignInRefused,
            ApiError::PageCap { .. }
            | ApiError::RunawayListing { .. }
            | ApiError::CursorLoop { .. }
            | ApiError::ListingTooLong { .. } => ReasonCode::ListingRunaway,
            ApiError::Credential { .. } => ReasonCode::CredentialUnavailable,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// What an error body says, whichever shape it came in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: Option<i64>,
    pub message: String,
    /// Problem Details 403 `reasonCode`.
    pub reason_code: Option<String>,
    /// 403 `security.requiredAnyOfPermissions` / `presentPermissions`.
    pub required_permissions: Vec<String>,
    pub present_permissions: Vec<String>,
}

/// Parses a KSeF error body: legacy `{"exception":{"exceptionDetailList":[..]}}`,
/// legacy 429 `{"status":{..}}`, or Problem Details (`title`, `detail`, `errors`,
/// `reasonCode`, `security`). Anything else becomes a short plain-text excerpt.
pub fn parse_error_body(body: &str) -> ErrorBody {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        let text: String = body.trim().chars().take(200).collect();
        return ErrorBody {
            message: if text.is_empty() {
                "no details in the response".to_string()
            } else {
                text
            },
            ..ErrorBody::default()
        };
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let join = |desc: Option<&str>, details: Vec<String>| -> String {
        let mut parts: Vec<String> = desc
            .filter(|d| !d.is_empty())
            .map(|d| vec![d.trim_end_matches('.').to_string()])
            .unwrap_or_default();
        parts.extend(
            details
                .into_iter()
                .map(|d| d.trim_end_matches('.').to_string()),
        );
        parts.join(": ")
    };

    // Legacy ExceptionResponse.
    if let Some(ex) = v.get("exception") {
        let list = ex.get("exceptionDetailList").and_then(Value::as_array);
        let mut out = ErrorBody::default();
        let mut messages = Vec::new();
        for item in list.into_iter().flatten() {
            if out.code.is_none() {
                out.code = item.get("exceptionCode").and_then(Value::as_i64);
            }
            messages.push(join(
                item.get("exceptionDescription").and_then(Value::as_str),
                strings(item.get("details")),
            ));
        }
        out.message = if messages.is_empty() {
            "KSeF reported an error without details".to_string()
        } else {
            messages.join("; ")
        };
        return out;
    }
    // Legacy 429 TooManyRequestsResponse.
    if let Some(status) = v.get("status").filter(|s| s.is_object()) {
        return ErrorBody {
            code: status.get("code").and_then(Value::as_i64),
            message: join(
                status.get("description").and_then(Value::as_str),
                strings(status.get("details")),
            ),
            ..ErrorBody::default()
        };
    }
    // Problem Details.
    let mut out = ErrorBody::default();
    let mut messages = Vec::new();
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        for e in errors {
            if out.code.is_none() {
                out.code = e.get("code").and_then(Value::as_i64);
            }
            messages.push(join(
                e.get("description").and_then(Value::as_str),
                strings(e.get("details")),
            ));
        }
    }
    if messages.is_empty() {
        let detail = v.get("detail").and_then(Value::as_str);
        let title = v.get("title").and_then(Value::as_str);
        if let Some(m) = detail.or(title) {
            messages.push(m.trim_end_matches('.').to_string());
        }
    }
    out.reason_code = v
        .get("reasonCode")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(sec) = v.get("security") {
        out.required_permissions = strings(sec.get("requiredAnyOfPermissions"));
        out.present_permissions = strings(sec.get("presentPermissions"));
    }
    if let Some(reason) = &out.reason_code {
        messages.push(format!("reason {reason}"));
    }
    if !out.required_permissions.is_empty() {
        messages.push(format!(
            "needs any of [{}], the token has [{}]",
            out.required_permissions.join(", "),
            out.present_permissions.join(", ")
        ));
    }
    out.message = if messages.is_empty() {
        "KSeF reported an error without details".to_string()
    } else {
        messages.join("; ")
    };
    out
}

/// A `help:` hint for an HTTP status / KSeF code, when there is a useful one.
pub(crate) fn help_for(status: u16, body: &ErrorBody) -> Option<String> {
    match (status, body.code, body.reason_code.as_deref()) {
        (_, Some(21418), _) => Some("the continuation token was refused; run again".into()),
        (_, Some(21470), _) => Some("the public key was withdrawn; run again to fetch the current one".into()),
        (_, Some(21301), _) => Some("the KSeF token may have been revoked, or the session was already used; check its status in KSeF".into()),
        (403, _, Some("missing-permissions")) => Some("give the auditing token CredentialsRead (read-only audit) or CredentialsManage (audit and revoke)".into()),
        (403, _, Some("ip-not-allowed")) => Some("the session is bound to other IP addresses; authenticate from this machine".into()),
        (403, _, Some("security-service-blocked")) => Some("KSeF blocked the request; contact the Ministry of Finance support with the incident id".into()),
        (401, _, _) => Some("the access token is missing, expired or revoked; authenticate again".into()),
        (410, _, _) => Some("the operation is older than its retention; start again".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_exception_gives_code_and_description() {
        let body = r#"{"exception":{"exceptionDetailList":[{"exceptionCode":21418,"exceptionDescription":"Przekazany token kontynuacji ma nieprawidłowy format.","details":["x"]}],"referenceNumber":null,"timestamp":"2025-10-11T12:23:56.0154302"}}"#;
        let e = parse_error_body(body);
        assert_eq!(e.code, Some(21418));
        assert_eq!(
            e.message,
            "Przekazany token kontynuacji ma nieprawidłowy format: x"
        );
    }

    #[test]
    fn problem_details_403_lists_permissions() {
        let body = r#"{"title":"Forbidden","status":403,"detail":"Brak uprawnień.","reasonCode":"missing-permissions","security":{"requiredAnyOfPermissions":["CredentialsManage","CredentialsRead"],"presentPermissions":["InvoiceRead"]},"timestamp":"2025-07-11T12:23:56+00:00"}"#;
        let e = parse_error_body(body);
        assert_eq!(e.reason_code.as_deref(), Some("missing-permissions"));
        assert!(
            e.message.contains(
                "needs any of [CredentialsManage, CredentialsRead], the token has [InvoiceRead]"
            ),
            "{}",
            e.message
        );
        assert!(help_for(403, &e).is_some_and(|h| h.contains("CredentialsRead")));
    }

    #[test]
    fn legacy_429_and_plain_text() {
        let e = parse_error_body(
            r#"{"status":{"code":429,"description":"Too Many Requests","details":["Spróbuj ponownie po 30 sekundach."]}}"#,
        );
        assert_eq!(e.code, Some(429));
        assert_eq!(
            e.message,
            "Too Many Requests: Spróbuj ponownie po 30 sekundach"
        );
        assert_eq!(
            parse_error_body("<html>bad gateway</html>").message,
            "<html>bad gateway</html>"
        );
        assert_eq!(parse_error_body("").message, "no details in the response");
    }

    #[test]
    fn api_error_message_names_nip_endpoint_status_and_code() {
        let e = ApiError::Status {
            nip: "5265877635".into(),
            endpoint: "GET /tokens".into(),
            status: 400,
            code: Some(21418),
            message: "bad cursor".into(),
            help: Some("run again".into()),
        };
        assert_eq!(
            e.to_string(),
            "context 5265877635: GET /tokens: HTTP 400 (KSeF code 21418): bad cursor\nhelp: run again"
        );
    }
}
