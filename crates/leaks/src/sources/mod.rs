//! Where leak scans read bytes from: directory trees (`walk`), archives inside them
//! (`archive`) and standard input; git history ([`git`]).

mod archive;
pub mod git;
mod keyfiles;
mod walk;
mod window;

use std::path::PathBuf;

use thiserror::Error;

use ksef_model::Expansion;
use ksef_model::shown_path;

pub use archive::ArchiveLimits;
pub(crate) use archive::{archive_kind, expand, expand_stream};
pub(crate) use keyfiles::{
    KeyFileKind, MAX_CERTIFICATE_FILE, directory, is_certificate_name, key_file_kind, key_files,
};
pub(crate) use walk::read_source;
pub use walk::{DEFAULT_MAX_FILE_SIZE, SourceFile, WalkOptions, WalkResult, walk_files};
pub(crate) use window::{is_large_archive, read_large_archive, read_large_file, read_windows};

/// Reads one walked file and hands its buffers (the file, or every member of an archive) to
/// `visit(name, bytes)`. The leak scan passes its matcher as `visit`; nothing here matches.
/// `None`: a regular file over its limit ([`SourceFile::limit`]), not read: scan it in
/// windows.
pub fn read_expanded(
    file: &SourceFile,
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<Option<Expansion>, ksef_model::ScanIssue> {
    walk::with_source(file, |data| expand(&file.display, data, limits, visit))
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
    #[error(
        "cannot read --roots-from '{}'\nhelp: give a file with one path per line",
        shown_path(.path)
    )]
    RootsFrom {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "--roots-from '{}' lists no path\nhelp: one path per line; `#` starts a comment",
        shown_path(.path)
    )]
    RootsFromEmpty { path: PathBuf },
    #[error(
        "cannot read baseline '{}'\nhelp: create it with --write-baseline",
        shown_path(.path)
    )]
    BaselineRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "baseline '{}': {message}\nhelp: a baseline holds one SHA-256 fingerprint per line; regenerate it with --write-baseline",
        shown_path(.path)
    )]
    BaselineInvalid { path: PathBuf, message: String },
    #[error(
        "--git reads repositories, not standard input\nhelp: pass repository paths, or list them in a file for --roots-from"
    )]
    GitStdin,
    #[error(
        "--staged checks the index of one repository, got {count} paths\nhelp: run it once per repository"
    )]
    StagedSeveral { count: usize },
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
pub(crate) fn read_stdin(limit: u64) -> Result<Vec<u8>, ScanError> {
    let data = walk::read_bounded(std::io::stdin().lock(), limit).map_err(ScanError::Stdin)?;
    data.ok_or(ScanError::StdinTooLarge { limit })
}
