//! One whole leak scan: what a [`ScanRequest`] names (files and directories, standard input,
//! `--roots-from`, or git history) read by the sources, matched, and judged into a
//! [`LeakResults`] document by [`scan_leaks`]. Progress goes to the caller's [`Progress`];
//! nothing here prints.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::findings::{LeakOptions, LeakScan, build_leak_results};
use crate::matcher::Scanner;
use crate::sources::git::GitScanOptions;
use crate::sources::{ArchiveLimits, ScanError, read_stdin};
use ksef_model::LeakResults;
use ksef_model::LeakTarget;
use ksef_model::ScanIssue;
use ksef_model::Shard;

/// What to scan (flags already merged with the config).
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Files or directories (`-`: standard input); empty: the current directory.
    pub paths: Vec<PathBuf>,
    /// `--roots-from FILE`: more paths (or repositories), one per line.
    pub roots_from: Option<PathBuf>,
    /// Scan git history (of the repositories in `paths`) instead of files.
    pub git: Option<GitScanOptions>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    /// `--shard K/N`: only this part of the work.
    pub shard: Option<Shard>,
    /// Excludes or the size limit come (also) from a config file, which may be the scanned
    /// repository's own: a scan that then reads nothing from a non-empty tree is an error.
    pub config_filters: bool,
    /// `-v`: list where placeholders were dropped (the count is always given).
    pub list_placeholders: bool,
}

/// Where a scan reports its progress (a bar on a terminal, say); the scan prints nothing.
pub trait Progress: Sync {
    /// The items of a pass are being found (a tree walked): no total can be claimed yet.
    /// Ends when the pass [`Progress::start`]s.
    fn counting(&self, _unit: &'static str) {}
    /// Whether a total of bytes is shown: only then does a files scan take every file's size
    /// before it starts (a system call per file).
    fn shows_totals(&self) -> bool {
        false
    }
    /// A pass over items begins: `unit` names them (`files`, `blobs`); the totals when known.
    fn start(
        &self,
        unit: &'static str,
        items: Option<u64>,
        bytes: Option<u64>,
    ) -> Box<dyn ProgressPass + '_>;
}

/// One pass of a scan, as [`Progress::start`] began it.
pub trait ProgressPass: Sync {
    /// One item (file or blob) done, `bytes` of it not yet reported by [`ProgressPass::read`].
    fn item(&self, bytes: u64);
    /// `bytes` of an item still being scanned (a large file's window), as they are read.
    fn read(&self, _bytes: u64) {}
    /// An archive member of `bytes` (decompressed) scanned: more to read than the total said.
    fn member(&self, _bytes: u64) {}
    /// The pass is over.
    fn finish(&self);
}

/// Scans what `req` names with `scanner` and judges the matches (`judge`: inline markers,
/// baseline, exceptions, inventory): the results before `--verify`. `rules_digest` names
/// the rules the scanner was built from.
pub fn scan_leaks(
    scanner: &Scanner,
    rules_digest: String,
    req: &ScanRequest,
    judge: LeakOptions<'_>,
    progress: &dyn Progress,
) -> Result<LeakResults, ScanError> {
    let (mut scan, target) = collect(scanner, req, progress)?;
    for (rule, message) in scanner.failed_rules() {
        scan.issues.push(ScanIssue {
            path: format!("rule {rule}"),
            message: format!("pattern does not compile, the rule matched nothing: {message}"),
        });
    }
    let placeholders = if req.list_placeholders {
        scan.placeholders.clone()
    } else {
        Vec::new()
    };
    let mut results = build_leak_results(target, scan, judge, rules_digest, Utc::now());
    results.placeholders = placeholders;
    Ok(results)
}

/// Records the digest of an input file (`baseline`, `exceptions`, `inventory`) in the results,
/// so that a run can be reproduced; an unreadable file is left out.
pub fn record_input(results: &mut LeakResults, name: &str, path: &Path) {
    if let Ok(bytes) = ksef_model::input::read_limited(path, ksef_model::input::MAX_DOCUMENT_BYTES)
    {
        results
            .digests
            .inputs
            .insert(name.to_string(), ksef_model::fingerprint_hex(&bytes));
    }
}

/// Reads (walks, or walks the history of) everything `req` names and scans it in parallel.
fn collect(
    scanner: &Scanner,
    req: &ScanRequest,
    progress: &dyn Progress,
) -> Result<(LeakScan, LeakTarget), ScanError> {
    let paths = all_paths(req)?;
    let limits = ArchiveLimits {
        max_entry: req.max_file_size,
        ..ArchiveLimits::default()
    };
    match &req.git {
        Some(git) => super::git::collect_git(scanner, git, req, &paths, &limits, progress),
        None => super::files::collect_files(scanner, req, &paths, &limits, progress),
    }
}

/// The paths given and those of `--roots-from` (one per line, `#` comments, `-`: stdin).
fn all_paths(req: &ScanRequest) -> Result<Vec<PathBuf>, ScanError> {
    let mut paths = req.paths.clone();
    if let Some(file) = &req.roots_from {
        let text = if file.as_os_str() == "-" {
            String::from_utf8_lossy(&read_stdin(ksef_model::input::MAX_TABLE_BYTES)?).into_owned()
        } else {
            ksef_model::input::read_limited_text(file, ksef_model::input::MAX_TABLE_BYTES).map_err(
                |source| ScanError::RootsFrom {
                    path: file.clone(),
                    source,
                },
            )?
        };
        paths.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(PathBuf::from),
        );
        if paths.is_empty() {
            return Err(ScanError::RootsFromEmpty { path: file.clone() });
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    Ok(paths)
}

/// The paths as a target names them: shown (escaped, redacted), separated by spaces.
pub(super) fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| ksef_model::shown_path(p).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
