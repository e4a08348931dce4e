//! Caps every paged listing shares (tokens, grants, certificates, the caller's own
//! permissions): never more pages than an hour of the contract's limit allows, never longer
//! than [`RUNAWAY_TIME`]. A listing past either is a runaway, stopped within minutes, and the
//! context is incomplete; a partial list is never returned as if it were whole.

use std::time::{Duration, Instant};

use ksef_model::RateLimits;

/// Most pages a real listing can take: the contract allows 120 requests an hour per
/// context and endpoint, so a longer listing could not be read without waiting out the
/// hourly limit, and no real context holds that many items (see docs/ksef-assumptions.md).
pub(crate) const RUNAWAY_PAGES: u32 = RateLimits::TOKENS.per_hour;

/// Longest a listing may take, waits for rate limits included.
pub(crate) const RUNAWAY_TIME: Duration = Duration::from_secs(15 * 60);

/// The pages one listing may read: `[ksef] max-pages`, never more than [`RUNAWAY_PAGES`].
pub(crate) fn page_cap(max_pages: u32) -> u32 {
    max_pages.min(RUNAWAY_PAGES)
}

/// When a listing started, to stop one that takes longer than [`RUNAWAY_TIME`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListingClock(Instant);

impl ListingClock {
    pub(crate) fn start() -> ListingClock {
        ListingClock(Instant::now())
    }

    /// `Some(minutes)` once the listing has run longer than [`RUNAWAY_TIME`].
    pub(crate) fn overrun(self) -> Option<u64> {
        (self.0.elapsed() > RUNAWAY_TIME).then_some(RUNAWAY_TIME.as_secs() / 60)
    }
}
