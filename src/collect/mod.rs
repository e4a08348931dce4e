//! See the crate docs.

pub mod results;
