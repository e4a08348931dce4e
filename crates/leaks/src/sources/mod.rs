//! Where leak scans read bytes from: directory trees ([`walk`]), archives inside them
//! ([`archive`]) and standard input; git history ([`git`]).

pub mod archive;
pub mod git;
pub mod keyfiles;
pub mod walk;
pub mod window;

use std::path::PathBuf;

use thiserror::Error;

pub use archive::{ArchiveLimits, Expansion, expand};
pub use walk::{SourceFile, WalkOptions, walk_files};
pub use window::{read_large_file, read_windows};

/// Reads one walked file and hands its buffers (the file, or every member of an archive) to
/// `visit(name, bytes)`. The leak scan passes its matcher as `visit`; nothing here matches.
pub fn read_expanded(
    file: &SourceFile,
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<Expansion, ksef_model::ScanIssue> {
    let data = walk::read_source(file)?;
    Ok(expand(&file.display, &data, limits, visit))
}

/// Something a leak scan could not read. Per-file problems are collected as
/// [`ksef_model::ScanIssue`] and the scan goes on; this is for failures of a whole source.
#[derive(Debug, Error)]
pub enum ScanError {
    #[error("cannot read '{path}'\nhelp: check that the path exists and is readable")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read standard input")]
    Stdin(#[source] std::io::Error),
    #[error(
        "standard input is larger than {limit} bytes (--max-file-size), not scanned\nhelp: raise --max-file-size, or scan the data as a file"
    )]
    StdinTooLarge { limit: u64 },
    #[error(
        "invalid exclude pattern '{pattern}'\nhelp: use glob syntax such as 'vendor/**' or '*.min.js'"
    )]
    Exclude {
        pattern: String,
        #[source]
        source: globset::Error,
    },
    #[error("git: {message}")]
    Git { message: String },
    #[error(
        "cannot open git repository '{path}': {message}\nhelp: pass a work tree, a bare repository or a mirror"
    )]
    GitOpen { path: PathBuf, message: String },
    #[error(
        "git revision '{rev}' not found in '{path}': {message}\nhelp: fetch it first (in CI, check out with `fetch-depth: 0`) or pass a commit id"
    )]
    GitRevision {
        rev: String,
        path: PathBuf,
        message: String,
    },
    #[error("cannot read the refs of git repository '{path}': {message}")]
    GitRefs { path: PathBuf, message: String },
    #[error(
        "cannot read the index of git repository '{path}': {message}\nhelp: `--staged` needs a work tree with an index"
    )]
    GitIndex { path: PathBuf, message: String },
    #[error("cannot read git object {id} in '{path}': {message}")]
    GitObject {
        id: String,
        path: PathBuf,
        message: String,
    },
}

/// Reads standard input (`-`), at most `limit` bytes (`--max-file-size`): more is an error.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, ScanError> {
    let data = walk::read_bounded(std::io::stdin().lock(), limit).map_err(ScanError::Stdin)?;
    data.ok_or(ScanError::StdinTooLarge { limit })
}
