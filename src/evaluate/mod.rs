//! See the crate docs.

pub mod scan;
