//! `ksef-audit leaks --git`: git history (or the staged index) through the leak scanner.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Result, bail};

use super::leaks::LeakScanRequest;
use super::progress::ScanProgress;
use crate::collect::sources::git::{GitBlob, GitScanOptions, scan_history_shard};
use crate::collect::sources::{ArchiveLimits, expand};
use crate::evaluate::leaks::LeakScan;
use crate::evaluate::scan::{Provenance, Scanner, scan_blob};
use crate::model::{LeakTarget, Shard};

/// What a finding in a commit message names as its path.
pub const COMMIT_MESSAGE_PATH: &str = "<commit message>";

/// Scans the history of each repository in `paths` (default `.`). With several, each finding
/// names its repository.
pub(super) fn collect_git(
    scanner: &Scanner,
    opts: &GitScanOptions,
    req: &LeakScanRequest,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
) -> Result<(LeakScan, LeakTarget)> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        bail!(
            "--git reads repositories, not standard input\nhelp: pass repository paths, or list them in a file for --roots-from"
        );
    }
    if opts.staged && paths.len() > 1 {
        bail!(
            "--staged checks the index of one repository, got {} paths\nhelp: run it once per repository",
            paths.len()
        );
    }
    let several = paths.len() > 1;
    let mut all = LeakScan::default();
    let mut shallow = false;
    for repo in paths {
        let (mut scan, repo_shallow) =
            collect_repo(scanner, opts, req.shard, repo, limits, req.progress)?;
        shallow |= repo_shallow;
        if several {
            let name = repo.display().to_string();
            for c in &mut scan.candidates {
                c.finding.repository = Some(name.clone());
            }
        }
        all.candidates.append(&mut scan.candidates);
        all.issues.append(&mut scan.issues);
        all.warnings.append(&mut scan.warnings);
        all.stats.files += scan.stats.files;
        all.stats.blobs += scan.stats.blobs;
        all.stats.bytes += scan.stats.bytes;
        all.stats.skipped += scan.stats.skipped;
        all.stats.errors += scan.stats.errors;
    }
    let target = LeakTarget {
        root: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        mode: "git".to_string(),
        since: opts.since.clone(),
        staged: opts.staged,
        shallow,
        shard: req.shard,
    };
    Ok((all, target))
}

/// One repository's history; returns the scan and whether the clone is shallow.
fn collect_repo(
    scanner: &Scanner,
    opts: &GitScanOptions,
    shard: Option<Shard>,
    repo: &Path,
    limits: &ArchiveLimits,
    progress: bool,
) -> Result<(LeakScan, bool)> {
    let scan = Mutex::new(LeakScan::default());
    let progress = ScanProgress::new(progress, "blobs", None, None);
    let sink = |blob: GitBlob<'_>| {
        progress.item(blob.data.len() as u64);
        scan_git_blob(scanner, limits, &scan, blob)
    };
    let summary = scan_history_shard(repo, opts, shard, &sink);
    progress.finish();
    let summary = summary?;
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
    Ok((scan, summary.shallow))
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
