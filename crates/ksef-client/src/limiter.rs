//! Client-side sliding-window limiter: per context, all three windows at once
//! (like KSeF: last second, last minute, last hour).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use ksef_model::RateLimits;

/// Request times of the last hour and the limits they are checked against.
#[derive(Debug)]
pub struct Windows {
    limits: [(Duration, u32); 3],
    sent: VecDeque<Instant>,
}

impl Windows {
    pub fn new(limits: RateLimits) -> Windows {
        Windows {
            limits: [
                (Duration::from_secs(1), limits.per_second),
                (Duration::from_secs(60), limits.per_minute),
                (Duration::from_secs(3600), limits.per_hour),
            ],
            sent: VecDeque::new(),
        }
    }

    /// Records a request at `now` and returns `None` when every window has room;
    /// otherwise returns how long to wait before asking again (nothing recorded).
    pub(crate) fn try_acquire(&mut self, now: Instant) -> Option<Duration> {
        let horizon = self
            .limits
            .iter()
            .map(|(w, _)| *w)
            .max()
            .unwrap_or_default();
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= horizon)
        {
            self.sent.pop_front();
        }
        let mut wait = Duration::ZERO;
        for (window, limit) in self.limits {
            let limit = limit.max(1) as usize;
            let in_window: Vec<&Instant> = self
                .sent
                .iter()
                .filter(|t| now.saturating_duration_since(**t) < window)
                .collect();
            if in_window.len() >= limit {
                // The request that must leave the window before another fits.
                let oldest = in_window[in_window.len() - limit];
                wait = wait.max((*oldest + window).saturating_duration_since(now));
            }
        }
        if wait.is_zero() {
            self.sent.push_back(now);
            None
        } else {
            Some(wait)
        }
    }
}

/// Async wrapper: waits until a request may be sent. Returns how long it waited.
#[derive(Debug)]
pub struct Limiter {
    windows: Mutex<Windows>,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            windows: Mutex::new(Windows::new(limits)),
        }
    }

    pub(crate) async fn acquire(&self) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let wait = self.windows.lock().await.try_acquire(Instant::now());
            match wait {
                None => return waited,
                Some(d) => {
                    let d = d.max(Duration::from_millis(1));
                    tokio::time::sleep(d).await;
                    waited += d;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_is_enforced() {
        let mut w = Windows::new(RateLimits::TOKENS);
        let t0 = Instant::now();
        for _ in 0..10 {
            assert_eq!(w.try_acquire(t0), None);
        }
        // 11th in the same second waits a full second.
        assert_eq!(w.try_acquire(t0), Some(Duration::from_secs(1)));
        // Two more seconds of ten each: 30 in the minute.
        for s in 1..3 {
            for _ in 0..10 {
                assert_eq!(w.try_acquire(t0 + Duration::from_secs(s)), None);
            }
        }
        // The 31st in the minute waits until the first leaves the minute window.
        assert_eq!(
            w.try_acquire(t0 + Duration::from_secs(3)),
            Some(Duration::from_secs(57))
        );
        assert_eq!(w.try_acquire(t0 + Duration::from_secs(60)), None);
    }

    #[test]
    fn hourly_budget_holds_after_minutes_pass() {
        let mut w = Windows::new(RateLimits::TOKENS);
        let t0 = Instant::now();
        for m in 0..4 {
            for i in 0..30 {
                let t = t0 + Duration::from_secs(m * 60) + Duration::from_millis(i * 200);
                assert_eq!(w.try_acquire(t), None, "minute {m} request {i}");
            }
        }
        let wait = w
            .try_acquire(t0 + Duration::from_secs(300))
            .expect("hour is full");
        assert_eq!(wait, Duration::from_secs(3300));
    }
}
