//! The leak scanner: sources (files, archives, git history) hand bytes to the matcher
//! (compiled leak rules), scans turn matches into findings; redaction and echo ([`redact`])
//! and line/column ([`position`]) have one home each, for everyone.

pub mod findings;
pub mod matcher;
pub mod position;
pub mod redact;
pub mod refind;
pub mod scan;
pub mod sources;
