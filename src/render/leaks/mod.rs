//! Leak results in text, JSON, JSON Lines, CSV, SARIF 2.1.0, a GitLab secret-detection report
//! and JUnit XML. Renderers take a finished
//! [`LeakResults`] and a writer; they never decide pass or fail.

mod csv;
pub use csv::render_with as render_csv_with;
pub use text::render_styled as render_text_styled;
pub use text::render_with as render_text_with;
mod gitlab;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::Write;

pub use sarif::sarif_document;

use crate::render::RenderError;
use ksef_model::LeakResults;
use ksef_rules::leak::LeakRule;

/// Output formats of `ksef-audit leaks` (HTML comes from `render::html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakFormat {
    Text,
    Json,
    Jsonl,
    Csv,
    Sarif,
    Gitlab,
    Junit,
}

/// Writes `results` in `format`; `rules` describe the rules in SARIF and GitLab, and give
/// JUnit its passing cases.
pub fn render_leaks(
    results: &LeakResults,
    rules: &[LeakRule],
    format: LeakFormat,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    match format {
        LeakFormat::Text => text::render(results, out),
        LeakFormat::Json => json::render_json(results, out),
        LeakFormat::Jsonl => json::render_jsonl(results, out),
        LeakFormat::Csv => csv::render(results, out),
        LeakFormat::Sarif => sarif::render(results, rules, out),
        LeakFormat::Gitlab => gitlab::render(results, rules, out),
        LeakFormat::Junit => junit::render(results, rules, out),
    }
}

pub(crate) fn io_err(format: &'static str) -> impl Fn(std::io::Error) -> RenderError {
    move |source| RenderError::Write { format, source }
}

pub(crate) fn encode_err<E: std::error::Error + Send + Sync + 'static>(
    format: &'static str,
) -> impl Fn(E) -> RenderError {
    move |e| RenderError::Encode {
        format,
        source: Box::new(e),
    }
}

/// The serde name of a unit enum value (`high`, `unverified`, …).
pub(crate) fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
