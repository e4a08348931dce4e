//! See the crate docs.

pub mod audit;
pub mod rules;
