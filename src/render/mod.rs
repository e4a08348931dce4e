//! See the crate docs.

pub mod audit;
pub mod csv;
pub mod grants;
mod error;
pub mod html;
pub mod leaks;
pub mod rules;
pub mod tokens;

pub use error::RenderError;
