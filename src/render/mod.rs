//! See the crate docs.

pub mod audit;
pub mod calendar;
pub mod certificates;
pub mod csv;
mod error;
pub mod grants;
pub mod html;
pub mod inventory;
pub mod leaks;
pub mod reason;
pub mod rules;
pub mod style;
pub mod table;
pub mod tokens;
pub mod warning;

pub use error::RenderError;
pub use html::Lang;
