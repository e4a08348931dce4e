//! The leak scanner: sources (files, archives, git history) hand bytes to the matcher
//! (compiled leak rules, redaction, echo), scans turn matches into findings.

pub mod findings;
pub mod matcher;
pub mod scan;
pub mod sources;
