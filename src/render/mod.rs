//! See the crate docs.

mod error;
pub mod leaks;

pub use error::RenderError;
