//! Git history as a leak-scan source (`ksef-audit leaks --git`), read with gitoxide.
//!
//! Every blob reachable from every ref (branches, tags, remote-tracking refs, the stash, a
//! detached `HEAD`) is handed to the sink exactly once, with the commit that introduced it.
//! Commits are visited oldest-first (parents before children, ties broken by commit time), and
//! a tree or blob already seen is never entered again, so each commit costs only the subtrees
//! it changed. Commit messages are handed over too.
//!
//! First every commit stored whole in the packs is read, on every thread (`commit_meta`);
//! the graph and the walk then never decode a commit again. The walk runs on one thread and
//! streams object ids, in batches, through a bounded channel to reader threads (as many as
//! rayon's pool), which read (inflate) each batch's blobs in pack order and call the sink.
//! Objects come from the packs through `packs`, which caches every delta base it decodes,
//! and a tree's entries shared with the last tree at the same path are passed over
//! (`unchanged`). Memory holds the set of seen object ids, one commit node per commit and
//! bounded caches, never blob contents beyond those in flight.

mod commit_meta;
mod commits;
mod guard;
mod packs;
mod siblings;
mod since;
mod staged;
mod unchanged;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use gix::ObjectId;
use gix::bstr::{BString, ByteVec};
use gix::objs::Find;

use crate::sources::ScanError;
use ksef_model::ScanIssue;
use ksef_model::Shard;

pub(crate) use siblings::certificates_beside;
pub use since::parse_since;

/// Which part of the history to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitScanOptions {
    /// Only commits not reachable from this revision (a CI push or pull-request range).
    pub since: Option<String>,
    /// Only the blobs staged in the index that differ from `HEAD` (a pre-commit hook).
    pub staged: bool,
    /// Also the unreachable (dangling) commits and blobs of the object database.
    pub unreachable: bool,
    /// Only commits whose committer date is at or after this time (`--since DATE`, as
    /// `git log --since`): older commits and their ancestors are hidden like `since`.
    pub since_time: Option<DateTime<Utc>>,
}

/// Where a blob or commit message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitProvenance {
    /// Full hex id of the commit that introduced the blob; empty for staged blobs.
    pub commit: String,
    /// `Name <email>` of the commit's author; empty for staged blobs.
    pub author: String,
    /// Author date of the commit (the scan time for staged blobs).
    pub date: DateTime<Utc>,
    /// Path of the blob in the commit's tree; empty for a commit message.
    pub path: String,
    /// True when `data` is the commit message rather than a file.
    pub commit_message: bool,
}

/// One piece of history to scan: a blob's bytes or a commit message.
#[derive(Debug, Clone, Copy)]
pub struct GitBlob<'a> {
    pub data: &'a [u8],
    pub provenance: &'a GitProvenance,
}

/// What a history scan covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitSummary {
    /// The repository is a shallow clone: history before the graft was not scanned.
    pub shallow: bool,
    pub commits: u64,
    /// Blobs (and commit messages) handed to the sink.
    pub blobs: u64,
    pub bytes: u64,
    /// Objects or refs that could not be read; the scan went on without them.
    pub issues: Vec<ScanIssue>,
    /// What beyond the refs' history was covered (issue 12, point 5).
    pub coverage: GitCoverage,
}

/// Parts of a repository beyond the history of its refs, and how many of each were scanned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitCoverage {
    /// Messages of annotated tags.
    pub tag_messages: u64,
    /// Entries of the `refs/stash` reflog (every stash, not only the top one).
    pub stash_entries: u64,
    /// Commits reachable only from reflogs (amended, reset or rebased away).
    pub reflog_only_commits: u64,
    /// Unreachable commits in the object database (their blobs are named `(dangling):path`).
    pub dangling_commits: u64,
    /// Unreachable blobs in the object database (named `(dangling blob)`).
    pub dangling_blobs: u64,
    /// Dangling objects were looked for (the default of `--git`; not with `--no-unreachable`
    /// or a `--since` range).
    pub dangling_searched: bool,
}

impl GitCoverage {
    /// One line for a report: what was covered.
    pub fn describe(&self) -> String {
        format!(
            "covered: annotated tag messages ({}), stash entries ({}), reflog-only commits ({}), dangling commits ({}) and blobs ({}){}",
            self.tag_messages,
            self.stash_entries,
            self.reflog_only_commits,
            self.dangling_commits,
            self.dangling_blobs,
            if self.dangling_searched {
                ""
            } else {
                " (dangling objects not searched: a --since range or --no-unreachable)"
            }
        )
    }
}

/// Scans the history of the repository at `repo` (a work tree, a bare repository or a mirror),
/// calling `sink` once per unique blob and once per commit message.
pub fn scan_history(
    repo: &Path,
    opts: &GitScanOptions,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<GitSummary, ScanError> {
    scan_history_shard(repo, opts, None, sink)
}

/// [`scan_history`] of one shard: the walk is the same in every shard (so provenance is
/// too), but only the blobs whose object id and the commit messages whose commit id belong
/// to `shard` are read and handed to the sink.
pub(crate) fn scan_history_shard(
    repo: &Path,
    opts: &GitScanOptions,
    shard: Option<Shard>,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<GitSummary, ScanError> {
    let open_error = |e: gix::Error| ScanError::GitOpen {
        path: repo.to_path_buf(),
        message: e.to_string(),
    };
    guard::check_metadata(repo).map_err(|message| ScanError::GitOpen {
        path: repo.to_path_buf(),
        message,
    })?;
    let shared = gix::discover(repo).map_err(|e| ScanError::GitOpen {
        path: repo.to_path_buf(),
        message: e.to_string(),
    })?;
    let shared = shared.into_sync();
    let local = shared.to_thread_local();
    let shallow = local.is_shallow().map_err(open_error)?;
    let ctx = Ctx {
        shard,
        path: repo.to_path_buf(),
        issues: Mutex::new(Vec::new()),
        blobs: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        coverage: Mutex::new(GitCoverage::default()),
    };
    let commits = if opts.staged {
        staged::scan_staged(&shared, &ctx, sink)?;
        0
    } else {
        commits::scan_commits(&shared, opts, &ctx, sink)?
    };
    Ok(GitSummary {
        shallow,
        commits,
        blobs: ctx.blobs.into_inner(),
        bytes: ctx.bytes.into_inner(),
        issues: ctx.issues.into_inner().unwrap_or_else(|e| e.into_inner()),
        coverage: ctx.coverage.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// What every step of one history scan shares: the shard, the repository's path (for
/// errors), the issues found so far and the counts.
struct Ctx {
    shard: Option<Shard>,
    path: PathBuf,
    issues: Mutex<Vec<ScanIssue>>,
    blobs: AtomicU64,
    bytes: AtomicU64,
    coverage: Mutex<GitCoverage>,
}

impl Ctx {
    /// Whether this run reads the object (always without `--shard`).
    fn owns(&self, id: &gix::oid) -> bool {
        self.shard.is_none_or(|s| s.owns_object_id(id.as_bytes()))
    }

    fn issue(&self, what: impl Into<String>, message: impl Into<String>) {
        let issue = ScanIssue {
            path: what.into(),
            message: message.into(),
        };
        self.issues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(issue);
    }

    fn deliver(
        &self,
        data: &[u8],
        provenance: &GitProvenance,
        sink: &(dyn Fn(GitBlob<'_>) + Sync),
    ) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        sink(GitBlob { data, provenance });
    }

    /// Counts something covered beyond the refs' history.
    fn cover(&self, count: impl FnOnce(&mut GitCoverage)) {
        count(&mut self.coverage.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// The commit a walked object belongs to.
struct CommitInfo {
    commit: String,
    author: String,
    date: DateTime<Utc>,
}

impl CommitInfo {
    /// No commit: a blob or tree named by a ref, a tag message, a dangling blob.
    fn none() -> CommitInfo {
        CommitInfo {
            commit: String::new(),
            author: String::new(),
            date: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}

/// Work for the blob readers.
enum Item {
    Blob {
        id: ObjectId,
        info: Arc<CommitInfo>,
        path: BString,
    },
    /// A commit's message (the readers decode the commit).
    Message { id: ObjectId, info: Arc<CommitInfo> },
}

fn read_object<'a>(
    repo: &gix::Repository,
    id: &gix::oid,
    buf: &'a mut Vec<u8>,
) -> Result<gix::objs::Data<'a>, String> {
    match repo.objects.try_find(id, buf) {
        Ok(Some(data)) => Ok(data),
        Ok(None) => Err("object is missing".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `prefix/name`; after a `ref:` prefix, `ref:name`.
fn join(prefix: &BString, name: &gix::bstr::BStr) -> BString {
    let mut path = prefix.clone();
    if !path.is_empty() && !path.ends_with(b":") {
        path.push_byte(b'/');
    }
    path.push_str(name);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_with_slashes() {
        assert_eq!(join(&BString::default(), "a".into()), "a");
        assert_eq!(join(&BString::from("a/b"), "c".into()), "a/b/c");
        assert_eq!(
            join(&BString::from("refs/tags/t:"), "c".into()),
            "refs/tags/t:c"
        );
    }
}
