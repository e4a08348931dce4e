//! Times as KSeF writes them.

use chrono::{DateTime, Utc};

/// Contract-style timestamp: 7 fractional digits and an explicit `+00:00`.
pub(crate) fn ksef_time(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}+00:00",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}
