//! See the crate docs.

mod error;
pub mod html;
pub mod leaks;
pub mod tokens;

pub use error::RenderError;
