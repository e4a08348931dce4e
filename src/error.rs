//! How a run ends: see [`ksef_model::Outcome`]. Kept as a path for callers of `error::Outcome`.

pub use ksef_model::ERROR_EXIT;
pub use ksef_model::Outcome;
