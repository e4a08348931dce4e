//! See the crate docs.
pub mod tokens;
