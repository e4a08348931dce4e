//! See the crate docs.

pub mod html;
