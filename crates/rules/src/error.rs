use std::path::PathBuf;

use thiserror::Error;

/// A rule file that cannot be used. Every problem is collected before failing once.
#[derive(Debug, Error)]
pub enum RuleLoadError {
    #[error(
        "cannot read rules from '{path}'\nhelp: check that the directory exists and is readable"
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "invalid rules:\n{}\nhelp: fix the rule files listed above (`ksef-audit rules check` runs every check)",
        problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
    )]
    Invalid {
        /// `file: rule ID: message` lines.
        problems: Vec<String>,
    },
}
