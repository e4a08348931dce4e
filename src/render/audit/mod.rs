//! Renderers of [`AuditResults`](crate::model::AuditResults): text, JSON, CSV.
//! They lay out a finished document and never decide pass or fail.

mod csv;
mod json;
mod text;

pub use csv::{CsvOptions, render_csv};
pub use json::render_json;
pub use text::{TextOptions, render_text};
