//! How a run ends: see [`crate::model::Outcome`]. Kept as a path for callers of `error::Outcome`.

pub use crate::model::{ERROR_EXIT, Outcome};
