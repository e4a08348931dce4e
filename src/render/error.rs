use thiserror::Error;

/// A document that could not be written.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("cannot write the {format} output")]
    Write {
        format: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode the {format} output")]
    Encode {
        format: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the {format} format is not available in this build yet\nhelp: use {alternative}")]
    Unsupported {
        format: &'static str,
        alternative: &'static str,
    },
    #[error("template '{name}' failed to render: {detail}\nhelp: {help}")]
    Template {
        name: String,
        detail: String,
        help: String,
    },
    #[error(
        "nothing to report: give --audit and/or --leaks results\nhelp: run `ksef-audit audit --format json -o audit.json` first"
    )]
    NoInput,
    #[error("cannot write CSV: {0}")]
    Csv(String),
}
