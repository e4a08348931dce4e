//! `ksef-audit leaks --git`: git history (or the staged index) through the leak scanner.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Result, bail};

use crate::collect::sources::git::{GitBlob, GitScanOptions, scan_history};
use crate::collect::sources::{ArchiveLimits, expand};
use crate::evaluate::leaks::LeakScan;
use crate::evaluate::scan::{Provenance, Scanner, scan_blob};
use crate::model::LeakTarget;

/// What a finding in a commit message names as its path.
pub const COMMIT_MESSAGE_PATH: &str = "<commit message>";

/// Scans the history of the one repository in `paths` (default `.`).
pub(super) fn collect_git(
    scanner: &Scanner,
    opts: &GitScanOptions,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
) -> Result<(LeakScan, LeakTarget)> {
    let repo = match paths {
        [] => Path::new("."),
        [one] if one.as_os_str() != "-" => one.as_path(),
        _ => bail!(
            "--git scans one repository, got {} paths\nhelp: run `ksef-audit leaks --git PATH` once per repository",
            paths.len()
        ),
    };
    let scan = Mutex::new(LeakScan::default());
    let sink = |blob: GitBlob<'_>| scan_git_blob(scanner, limits, &scan, blob);
    let summary = scan_history(repo, opts, &sink)?;
    let mut scan = scan.into_inner().unwrap_or_else(|e| e.into_inner());
    scan.stats.blobs += summary.blobs;
    scan.stats.errors += summary.issues.len() as u64;
    scan.issues.extend(summary.issues);
    if summary.shallow {
        scan.warnings.push(format!(
            "'{}' is a shallow clone: commits before the shallow boundary were not scanned\nhelp: run `git fetch --unshallow` (in CI, check out with `fetch-depth: 0`) to scan the whole history",
            repo.display()
        ));
    }
    let target = LeakTarget {
        root: repo.display().to_string(),
        mode: "git".to_string(),
        since: opts.since.clone(),
        staged: opts.staged,
        shallow: summary.shallow,
        coverage: (!opts.staged).then(|| summary.coverage.describe()),
    };
    Ok((scan, target))
}

fn scan_git_blob(
    scanner: &Scanner,
    limits: &ArchiveLimits,
    scan: &Mutex<LeakScan>,
    blob: GitBlob<'_>,
) {
    let p = blob.provenance;
    if blob.data.len() as u64 > limits.max_entry {
        let mut scan = scan.lock().unwrap_or_else(|e| e.into_inner());
        scan.stats.skipped += 1;
        scan.warnings.push(format!(
            "'{}' in commit {} is larger than {} bytes, not scanned\nhelp: raise --max-file-size to scan it",
            p.path, p.commit, limits.max_entry
        ));
        return;
    }
    let provenance = (!p.commit.is_empty()).then(|| Provenance {
        commit: p.commit.clone(),
        author: p.author.clone(),
        date: p.date,
    });
    let path = if p.commit_message {
        COMMIT_MESSAGE_PATH
    } else {
        p.path.as_str()
    };
    let found = scan_blob(scanner, provenance.as_ref(), |visit| {
        expand(path, blob.data, limits, visit)
    });
    scan.lock().unwrap_or_else(|e| e.into_inner()).absorb(found);
}
