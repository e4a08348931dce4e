//! Sliding-window rate limits, as the contract's `x-rate-limits`.

use ksef_model::RateLimits;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The three sliding windows of a limit, with the Polish word KSeF uses in its message.
fn windows(limits: &RateLimits) -> [(u32, Duration, &'static str); 3] {
    [
        (limits.per_second, Duration::from_secs(1), "sekundę"),
        (limits.per_minute, Duration::from_secs(60), "minutę"),
        (limits.per_hour, Duration::from_secs(3600), "godzinę"),
    ]
}

/// A refusal: how long to wait and the message for the 429 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exceeded {
    pub retry_after_secs: u64,
    pub detail: String,
}

/// Request timestamps per key (context or IP + endpoint), last hour only.
#[derive(Debug, Default)]
pub struct Limiter {
    hits: HashMap<String, VecDeque<Instant>>,
}

impl Limiter {
    /// Counts a request at `now` unless it exceeds a window; refused requests are not counted.
    pub fn check(&mut self, key: &str, limits: RateLimits, now: Instant) -> Result<(), Exceeded> {
        let hits = self.hits.entry(key.to_string()).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(3600))
        {
            hits.pop_front();
        }
        let mut worst: Option<Exceeded> = None;
        for (limit, window, unit) in windows(&limits) {
            if limit == 0 {
                continue;
            }
            let in_window: Vec<&Instant> = hits
                .iter()
                .filter(|t| now.duration_since(**t) < window)
                .collect();
            if in_window.len() >= limit as usize {
                // Wait until enough old requests leave the window.
                let oldest_needed = in_window[in_window.len() - limit as usize];
                let free_at = *oldest_needed + window;
                let wait = free_at.saturating_duration_since(now);
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let secs = secs.max(1);
                if worst.as_ref().is_none_or(|w| secs > w.retry_after_secs) {
                    worst = Some(Exceeded {
                        retry_after_secs: secs,
                        detail: format!(
                            "Przekroczono limit {limit} żądań na {unit}. Spróbuj ponownie po {secs} sekundach."
                        ),
                    });
                }
            }
        }
        match worst {
            Some(exceeded) => Err(exceeded),
            None => {
                hits.push_back(now);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleventh_request_in_a_second_waits_one_second() {
        let mut limiter = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check("k", RateLimits::TOKENS, t0).is_ok());
        }
        let refused = limiter
            .check("k", RateLimits::TOKENS, t0)
            .expect_err("11th refused");
        assert_eq!(refused.retry_after_secs, 1);
        // Other keys are counted separately.
        assert!(limiter.check("other", RateLimits::TOKENS, t0).is_ok());
    }

    #[test]
    fn minute_window_reports_the_longer_wait() {
        let mut limiter = Limiter::default();
        let t0 = Instant::now();
        for i in 0..30 {
            let t = t0 + Duration::from_millis(200 * i);
            assert!(
                limiter.check("k", RateLimits::TOKENS, t).is_ok(),
                "request {i}"
            );
        }
        let now = t0 + Duration::from_secs(10);
        let refused = limiter
            .check("k", RateLimits::TOKENS, now)
            .expect_err("31st in a minute refused");
        assert_eq!(refused.retry_after_secs, 50);
        assert!(refused.detail.contains("30 żądań na minutę"));
        assert!(
            limiter
                .check("k", RateLimits::TOKENS, t0 + Duration::from_secs(61))
                .is_ok()
        );
    }
}
