//! `POST /certificates/query` (offset paging: `pageOffset` a page number, `pageSize`
//! 10–50, `hasMore`) and `GET /certificates/limits`.
//!
//! KSeF answers the certificate list only to a session signed in with a certificate
//! (a token-signed-in session gets 403), so the list is read only then. A listing is all
//! or nothing: a refusal, a failure on a later page, a runaway `hasMore` or more than
//! `max_pages` pages is an error, never a shorter list.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Session;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::Transport;
use crate::listing::{ListingClock, page_cap};
use ksef_model::CertificateLimits;
use ksef_model::CertificateRecord;

/// Largest page the contract allows.
pub(crate) const CERTIFICATE_PAGE_SIZE: u32 = 50;
const QUERY: &str = "POST /certificates/query";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryCertificatesResponse {
    certificates: Vec<CertificateRecord>,
    has_more: bool,
}

/// Every certificate visible to the session, in KSeF's order.
pub(crate) async fn list_certificates(
    t: &Transport,
    session: &mut Session,
    max_pages: u32,
) -> Result<Vec<CertificateRecord>, String> {
    let mut all: Vec<CertificateRecord> = Vec::new();
    let mut seen = HashSet::new();
    let clock = ListingClock::start();
    let max_pages = page_cap(max_pages);
    for page in 0..max_pages {
        if let Some(minutes) = clock.overrun() {
            return Err(format!(
                "{QUERY}: still listing certificates after {minutes} minutes ({page} pages); stopped as a runaway listing"
            ));
        }
        let answer = async {
            let access = session.access(t).await?.clone();
            let mut call = Call::new(Method::POST, "/certificates/query")
                .bearer(&access)
                .json(json!({}));
            call.query = vec![
                ("pageOffset", page.to_string()),
                ("pageSize", CERTIFICATE_PAGE_SIZE.to_string()),
            ];
            t.json::<QueryCertificatesResponse>(&call)
                .await
                .map(|(_, p)| p)
        }
        .await;
        let body = answer.map_err(|e| describe(&e, page, all.len()))?;
        let before = all.len();
        all.extend(
            body.certificates
                .into_iter()
                .filter(|c| seen.insert(c.certificate_serial_number.clone())),
        );
        if !body.has_more {
            return Ok(all);
        }
        if all.len() == before {
            return Err(format!(
                "{QUERY}: page {} said there is more but brought no new certificate; stopped as a runaway listing",
                page + 1
            ));
        }
    }
    Err(format!(
        "{QUERY}: gave more than {max_pages} pages of certificates; stopped as a runaway listing\nhelp: raise [ksef] max-pages if the context really has that many certificates"
    ))
}

/// `GET /certificates/limits`.
pub async fn certificate_limits(
    t: &Transport,
    session: &mut Session,
) -> Result<CertificateLimits, ApiError> {
    let access = session.access(t).await?.clone();
    let call = Call::new(Method::GET, "/certificates/limits").bearer(&access);
    Ok(t.json(&call).await?.1)
}

fn describe(e: &ApiError, page: u32, read: usize) -> String {
    if matches!(e, ApiError::Status { status: 403, .. }) {
        return format!(
            "{e}\nKSeF lists certificates only to a session signed in with a KSeF certificate\nhelp: give this context `certificate` + `private-key` (or `pkcs12`) in ksef-audit.toml"
        );
    }
    if page > 0 {
        return format!(
            "the certificate listing failed on page {} after {read} certificates were read, so the list is partial\ncause: {e}",
            page + 1
        );
    }
    e.to_string()
}
