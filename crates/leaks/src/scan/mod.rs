//! The leak scan over blobs: the sources hand buffers in, the rule layer's matcher
//! ([`crate::matcher`]) finds secrets, this module turns matches into candidates.

mod blob;
mod window;

pub use crate::matcher::RawMatch;
pub use crate::matcher::Scanner;
pub use blob::{BlobScan, LeakCandidate, Provenance, candidate, scan_blob, scan_files};
pub use window::{scan_large_files, scan_windowed};
