//! The KSeF token timeline: until the last day tokens may be issued, advice replaces a
//! token with a new one; after it, advice moves the integration to a KSeF certificate.

use chrono::NaiveDate;

/// The last day KSeF tokens may be issued by the regulation: 2026-12-31 (the config's
/// `[audit] token-last-issuance` overrides it).
pub fn default_token_last_issuance() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 31).expect("a valid date")
}

/// Whether a new KSeF token can still be issued on `today`.
pub fn tokens_issuable(today: NaiveDate, last_issuance: NaiveDate) -> bool {
    today <= last_issuance
}
