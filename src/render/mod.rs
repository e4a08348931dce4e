//! See the crate docs.

mod error;
pub mod leaks;
pub mod tokens;

pub use error::RenderError;
