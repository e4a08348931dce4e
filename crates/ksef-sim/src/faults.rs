//! Switchable faults: forced 429s, 503s, slow or revoked authentication.

use serde::{Deserialize, Serialize};

/// Faults to inject, globally or per context (`FixtureContext.faults`,
/// [`SimHandle::set_faults`](crate::SimHandle::set_faults)). `Default` = no faults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    /// Every Nth request of a context to the token endpoints (`GET /tokens`,
    /// `GET`/`DELETE /tokens/{ref}`) is answered 429 (1 = every request).
    pub rate_limit_every: Option<u32>,
    /// The `Retry-After` (seconds) sent with those forced 429s.
    pub retry_after_secs: u64,
    /// That many `GET /tokens` requests of a context are answered 503 before it works.
    pub unavailable_first: u32,
    /// `GET /auth/{ref}` answers status 100 that many times before the final status.
    pub auth_polls_in_progress: u32,
    /// After a successful redeem the session is revoked: refresh fails with 21301 and
    /// the access token gets 401 on the next call.
    pub revoke_session_after_auth: bool,
    /// Every `/auth/*` response is delayed by this many milliseconds (slow authentication).
    pub slow_auth_ms: u64,
    /// Grant listings (`POST /permissions/query/*/grants`) of a context answer 503 for
    /// every page from this `pageOffset` on (0 = the first page): a listing that fails midway.
    pub grants_fail_from_page: Option<u32>,
    /// `GET /tokens` never ends: past the real list every page is empty and carries a
    /// fresh cursor (a runaway listing).
    pub endless_cursor: bool,
    /// `GET /tokens` serves the whole list twice: the last page's cursor leads back to
    /// the first page once (duplicate tokens across pages).
    pub repeat_listing: bool,
    /// `GET /tokens` answers 200 with a body this many MiB long (valid JSON padded with
    /// spaces); 0 = off.
    pub huge_body_mib: u64,
    /// Person grant listings never end: every page past the real list brings one new
    /// grant and says `hasMore` (a runaway listing).
    pub endless_grants: bool,
    /// `GET /tokens/{ref}` answers this HTTP status (with a Problem Details body) instead
    /// of looking the reference up, e.g. 404 for a reference KSeF does not know.
    pub token_lookup_status: Option<u16>,
    /// `GET /permissions/operations/{ref}` of a grant removal answers this status code
    /// (100 still in progress, 400 and up failed) instead of 200 done; the grant stays.
    pub grant_operation_code: Option<u16>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate_limit_every: None,
            retry_after_secs: 1,
            unavailable_first: 0,
            auth_polls_in_progress: 0,
            revoke_session_after_auth: false,
            slow_auth_ms: 0,
            grants_fail_from_page: None,
            endless_cursor: false,
            repeat_listing: false,
            huge_body_mib: 0,
            endless_grants: false,
            token_lookup_status: None,
            grant_operation_code: None,
        }
    }
}

impl Faults {
    /// `rateLimitEvery`: the `n`-th request of a counter answers 429 with `retryAfterSecs`.
    pub(crate) fn forced_rate_limit(&self, n: u64) -> Result<(), crate::errors::ApiFailure> {
        match self.rate_limit_every.filter(|e| *e > 0) {
            Some(every) if n.is_multiple_of(u64::from(every)) => {
                let secs = self.retry_after_secs;
                Err(crate::errors::ApiFailure::TooManyRequests {
                    retry_after: secs,
                    detail: format!(
                        "Przekroczono limit żądań (symulacja). Spróbuj ponownie po {secs} sekundach."
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    pub fn is_none(&self) -> bool {
        *self == Faults::default()
    }
}

/// Per-context counters behind the faults; reset when the faults change.
#[derive(Debug, Default, Clone)]
pub(crate) struct FaultCounters {
    pub token_requests: u64,
    pub unavailable_served: u32,
    /// Requests to the grant endpoints (for `rateLimitEvery`, counted apart from tokens).
    pub grant_requests: u64,
    /// `repeatListing`: the list was already served again.
    pub repeated: bool,
    /// `endlessCursor`: empty pages served past the end.
    pub endless_pages: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_from_camel_case_and_reject_typos() {
        let f: Faults =
            serde_json::from_str(r#"{"rateLimitEvery":2,"retryAfterSecs":3}"#).expect("parses");
        assert_eq!(f.rate_limit_every, Some(2));
        assert_eq!(f.retry_after_secs, 3);
        assert_eq!(f.unavailable_first, 0);
        assert!(serde_json::from_str::<Faults>(r#"{"rateLimitEvry":2}"#).is_err());
        assert!(Faults::default().is_none());
    }
}
