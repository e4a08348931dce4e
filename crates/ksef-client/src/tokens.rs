//! `GET /tokens` (every page), `GET /tokens/{ref}`, `DELETE /tokens/{ref}`.

use std::collections::HashMap;

use reqwest::Method;

use crate::auth::Session;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::Transport;
use crate::listing::{ListingClock, RUNAWAY_PAGES};
use crate::models::QueryTokensResponse;
use crate::progress::ProgressEvent;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;

/// Largest page the contract allows.
pub const PAGE_SIZE: u32 = 100;

/// Cursor bookkeeping for `GET /tokens`. More than `max_pages` pages (never more
/// than `RUNAWAY_PAGES`), or a cursor that repeats the previous one, is a runaway
/// cursor and an error: a partial list is never returned as if it were whole.
#[derive(Debug)]
pub struct Paging {
    nip: String,
    max_pages: u32,
    pages: u32,
    tokens: usize,
    cursor: Option<String>,
    clock: ListingClock,
}

impl Paging {
    pub fn new(nip: &str, max_pages: u32) -> Paging {
        Paging {
            nip: nip.to_string(),
            max_pages,
            pages: 0,
            tokens: 0,
            cursor: None,
            clock: ListingClock::start(),
        }
    }

    /// Starts the next page: returns the cursor to send (None for the first page).
    pub(crate) fn begin(&mut self) -> Result<Option<&str>, ApiError> {
        if let Some(minutes) = self.clock.overrun() {
            return Err(ApiError::ListingTooLong {
                nip: self.nip.clone(),
                endpoint: "GET /tokens".into(),
                minutes,
                pages: self.pages,
            });
        }
        if self.pages >= self.max_pages.min(RUNAWAY_PAGES) {
            if self.max_pages < RUNAWAY_PAGES {
                return Err(ApiError::PageCap {
                    nip: self.nip.clone(),
                    pages: self.max_pages,
                });
            }
            return Err(ApiError::RunawayListing {
                nip: self.nip.clone(),
                pages: RUNAWAY_PAGES,
                tokens: self.tokens,
            });
        }
        self.pages += 1;
        Ok(self.cursor.as_deref())
    }

    /// Counts the tokens a page held (for the runaway message).
    pub fn count(&mut self, tokens: usize) {
        self.tokens += tokens;
    }

    /// Ends a page with the cursor it returned; `Ok(true)` when there is another page.
    pub fn end(&mut self, continuation: Option<String>) -> Result<bool, ApiError> {
        match continuation.filter(|c| !c.is_empty()) {
            None => Ok(false),
            Some(next) if self.cursor.as_deref() == Some(next.as_str()) => {
                Err(ApiError::CursorLoop {
                    nip: self.nip.clone(),
                    pages: self.pages,
                })
            }
            Some(next) => {
                self.cursor = Some(next);
                Ok(true)
            }
        }
    }

    pub fn pages(&self) -> u32 {
        self.pages
    }
}

/// What `GET /tokens` gave: every distinct token, and the tokens it listed more than once.
#[derive(Debug, Default)]
pub struct Listing {
    pub tokens: Vec<TokenRecord>,
    /// Tokens listed more than once (each counted once), with the first one seen twice
    /// and the pages it was on.
    pub duplicates: usize,
    pub first_duplicate: Option<(String, u32, u32)>,
}

impl Listing {
    /// Why the listing cannot be trusted as whole, when it repeated tokens.
    pub(crate) fn inconsistency(&self) -> Option<String> {
        let (reference, first, again) = self.first_duplicate.as_ref()?;
        Some(format!(
            "GET /tokens listed {} token{} more than once (duplicates seen, e.g. {reference} on pages {first} and {again}); a listing that repeats tokens may also have skipped some, so it is not complete ({} distinct tokens kept)\nhelp: run again later; if it persists, report it to KSeF support",
            self.duplicates,
            if self.duplicates == 1 { "" } else { "s" },
            self.tokens.len()
        ))
    }
}

/// Every token of the context (optionally only some statuses, each sent as its own
/// `status` parameter), `pageSize=100`, cursor in `x-continuation-token`. A token listed
/// twice is kept once and counted in [`Listing::duplicates`].
pub async fn list_tokens(
    t: &Transport,
    session: &mut Session,
    statuses: &[TokenStatus],
    max_pages: u32,
) -> Result<Listing, ApiError> {
    let mut paging = Paging::new(&t.nip, max_pages);
    let mut listing = Listing::default();
    // reference -> (page first seen, already counted as a duplicate)
    let mut seen: HashMap<String, (u32, bool)> = HashMap::new();
    loop {
        let access = session.access(t).await?.clone();
        let cursor = paging.begin()?.map(str::to_string);
        let mut call = Call::new(Method::GET, "/tokens").bearer(&access).limited();
        call.query = statuses
            .iter()
            .map(|s| ("status", s.as_str().to_string()))
            .chain(std::iter::once(("pageSize", PAGE_SIZE.to_string())))
            .collect();
        call.continuation = cursor.as_deref();
        let (headers, body): (_, QueryTokensResponse) = t.json(&call).await?;
        // The contract puts the next cursor in the body; accept a header too.
        let continuation = body.continuation_token.or_else(|| {
            headers
                .get(crate::http::CONTINUATION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
        let page = paging.pages();
        paging.count(body.tokens.len());
        for token in body.tokens {
            match seen.get_mut(&token.reference_number) {
                None => {
                    seen.insert(token.reference_number.clone(), (page, false));
                    listing.tokens.push(token);
                }
                Some((first, counted)) => {
                    if !*counted {
                        *counted = true;
                        listing.duplicates += 1;
                    }
                    if listing.first_duplicate.is_none() {
                        listing.first_duplicate = Some((token.reference_number, *first, page));
                    }
                }
            }
        }
        t.progress.emit(ProgressEvent::Page {
            nip: t.nip.clone(),
            page,
            tokens: listing.tokens.len(),
        });
        if !paging.end(continuation)? {
            return Ok(listing);
        }
    }
}

/// `GET /tokens/{ref}`: `Ok(None)` when KSeF does not know it (or will not show it).
pub async fn get_token(
    t: &Transport,
    session: &mut Session,
    reference: &str,
) -> Result<Option<TokenRecord>, ApiError> {
    let path = t.id_path("/tokens", reference, &Method::GET)?;
    let access = session.access(t).await?.clone();
    let call = Call::new(Method::GET, path).bearer(&access).limited();
    match t.json::<TokenRecord>(&call).await {
        Ok((_, rec)) => Ok(Some(rec)),
        Err(e) if matches!(e.http_status(), Some(404)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `DELETE /tokens/{ref}` (204: revocation started).
pub(crate) async fn revoke_token(
    t: &Transport,
    session: &mut Session,
    reference: &str,
) -> Result<(), ApiError> {
    let path = t.id_path("/tokens", reference, &Method::DELETE)?;
    let access = session.access(t).await?.clone();
    let call = Call::new(Method::DELETE, path).bearer(&access).limited();
    t.send(&call).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_cursors_byte_for_byte_to_the_end() {
        let mut p = Paging::new("5265877635", 10);
        assert_eq!(p.begin().expect("page 1"), None);
        assert!(
            p.end(Some("W3sidG9rZW4iOiIrUklEOn4z+/=".into()))
                .expect("more")
        );
        assert_eq!(
            p.begin().expect("page 2"),
            Some("W3sidG9rZW4iOiIrUklEOn4z+/=")
        );
        assert!(p.end(Some("second page".into())).expect("more"));
        assert_eq!(p.begin().expect("page 3"), Some("second page"));
        assert!(!p.end(Some(String::new())).expect("empty cursor ends"));
        let mut p = Paging::new("5265877635", 10);
        p.begin().expect("page 1");
        assert!(!p.end(None).expect("absent cursor ends"));
    }

    #[test]
    fn runaway_cursor_is_an_error_not_a_partial_list() {
        let mut p = Paging::new("5265877635", 3);
        for n in 0..3 {
            p.begin().expect("under the cap");
            assert!(p.end(Some(format!("cursor-{n}"))).expect("more"));
        }
        let err = p.begin().expect_err("cap reached");
        assert!(err.to_string().contains("runaway"), "{err}");
        // A cursor that repeats itself (Prism's static example) stops at once.
        let mut p = Paging::new("5265877635", 100);
        p.begin().expect("page 1");
        assert!(p.end(Some("same".into())).expect("more"));
        p.begin().expect("page 2");
        let err = p.end(Some("same".into())).expect_err("loop");
        assert!(
            matches!(err, ApiError::CursorLoop { pages: 2, .. }),
            "{err}"
        );
    }
}
