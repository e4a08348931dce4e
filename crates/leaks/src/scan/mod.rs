//! The leak scan: the sources hand buffers in, the matcher ([`crate::matcher`]) finds
//! secrets, this module turns matches into candidates and runs whole scans ([`scan_leaks`]).

mod blob;
mod files;
mod git;
mod keys;
mod run;
mod window;

pub use blob::scan_files;
pub use run::{Progress, ProgressPass, ScanRequest, record_input, scan_leaks};
