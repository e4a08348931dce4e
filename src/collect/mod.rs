//! See the crate docs.
pub mod ksef;
