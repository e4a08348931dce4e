//! An accepted risk from the exceptions file, as plain values (read by `collect::exceptions`,
//! applied by `evaluate::exceptions`).

use std::path::PathBuf;

use chrono::NaiveDate;

/// One accepted risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionEntry {
    /// Rule name (`unused-token`), rule id (`POL008`) or `*`.
    pub rule: String,
    /// Reference number, NIP, fingerprint or path; `*`, `?` and `[` make it a glob.
    pub target: String,
    pub reason: String,
    pub owner: String,
    /// Last day the exception applies.
    pub expires: NaiveDate,
    /// Line of the entry in the file (1-based).
    pub line: usize,
    /// File the entry came from, for messages.
    pub file: PathBuf,
}

/// True when a target is a glob rather than a literal.
pub fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '['])
}
