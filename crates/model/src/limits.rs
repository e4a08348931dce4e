//! The contract's rate limits (`x-rate-limits`), shared by the client's limiter and the simulator.

/// Requests allowed per second, minute and hour (0 = no limit in that window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub per_second: u32,
    pub per_minute: u32,
    pub per_hour: u32,
}

impl RateLimits {
    /// Group `other` (`/tokens`, auth sessions, permissions): 10/s, 30/min, 120/h per
    /// context + client IP, each endpoint with its own counter.
    pub const TOKENS: RateLimits = RateLimits {
        per_second: 10,
        per_minute: 30,
        per_hour: 120,
    };
    /// Public auth endpoints: 60/s per client IP.
    pub const PUBLIC: RateLimits = RateLimits {
        per_second: 60,
        per_minute: 0,
        per_hour: 0,
    };
}
