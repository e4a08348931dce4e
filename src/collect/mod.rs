//! See the crate docs.

pub mod sources;
