//! The leak scanner: sources (files, archives, git history) hand bytes to the matcher
//! (compiled leak rules), scans turn matches into findings; one redaction, echo and
//! line/column module ([`redact`]) for everyone.

pub mod findings;
pub mod matcher;
pub mod redact;
pub mod scan;
pub mod sources;
