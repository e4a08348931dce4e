//! See the crate docs.

pub mod leaks;
pub mod scan;
