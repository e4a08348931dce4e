//! Renderers of [`AuditResults`](ksef_model::AuditResults): text, JSON, CSV.
//! They lay out a finished document and never decide pass or fail.

mod csv;
mod json;
mod text;

pub use csv::{
    CSV_HEADERS, CSV_HEADERS_PL, CSV_SUBJECT_COLUMNS, CSV_SUBJECT_COLUMNS_PL, baseline_word,
    render_csv,
};
pub use json::render_json;
pub use text::{Grouping, TextOptions, render_text};
