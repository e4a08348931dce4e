//! A git scan (`leaks --git`): the history (or the staged index) of each repository through
//! the matcher, blobs over the size limit in windows, the author of each commit checked too.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::findings::LeakScan;
use crate::matcher::Scanner;
use crate::redact::redact_text;
use crate::scan::Progress;
use crate::scan::ScanRequest;
use crate::scan::blob::{Provenance, scan_blob};
use crate::scan::keys::{
    add_keys, pkcs12_with_passwords, scan_passwords, settle_passwords, sibling_keys,
};
use crate::scan::run::shown_paths;
use crate::scan::window::scan_windowed;
use crate::sources::ArchiveLimits;
use crate::sources::ScanError;
use crate::sources::git::{GitBlob, GitScanOptions, certificates_beside, scan_history_shard};
use crate::sources::{KeyFileKind, MAX_CERTIFICATE_FILE, key_file_kind};
use crate::sources::{archive_kind, expand, expand_stream, read_windows};
use ksef_model::LeakTarget;
use ksef_model::ScanIssue;
use ksef_model::WindowPlan;

/// What a finding in a commit message names as its path.
const COMMIT_MESSAGE_PATH: &str = "<commit message>";
/// The path of a finding in a commit's author name or e-mail.
const COMMIT_AUTHOR_PATH: &str = "<commit author>";

/// Scans the history of each repository in `paths` (default `.`). With several, each finding
/// names its repository.
pub(super) fn collect_git(
    scanner: &Scanner,
    opts: &GitScanOptions,
    req: &ScanRequest,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
    progress: &dyn Progress,
) -> Result<(LeakScan, LeakTarget), ScanError> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(ScanError::GitStdin);
    }
    if opts.staged && paths.len() > 1 {
        return Err(ScanError::StagedSeveral { count: paths.len() });
    }
    let several = paths.len() > 1;
    let mut all = LeakScan::default();
    let mut shallow = false;
    let mut coverage: Vec<String> = Vec::new();
    let mut heads: Vec<String> = Vec::new();
    for repo in paths {
        let repo_scan = collect_repo(scanner, opts, req, repo, limits, progress)?;
        heads.push(repo_scan.head);
        let mut scan = repo_scan.scan;
        shallow |= repo_scan.shallow;
        if let Some(c) = repo_scan.coverage {
            coverage.push(if several {
                format!("{}: {c}", ksef_model::shown_path(repo))
            } else {
                c
            });
        }
        if several {
            let name = ksef_model::shown_path(repo).to_string();
            for c in &mut scan.candidates {
                c.finding.repository = Some(name.clone());
            }
        }
        all.candidates.append(&mut scan.candidates);
        all.issues.append(&mut scan.issues);
        all.skipped.append(&mut scan.skipped);
        all.warnings.append(&mut scan.warnings);
        all.stats.files += scan.stats.files;
        all.stats.blobs += scan.stats.blobs;
        all.stats.bytes += scan.stats.bytes;
        all.stats.skipped += scan.stats.skipped;
        all.stats.errors += scan.stats.errors;
    }
    let target = LeakTarget {
        root: shown_paths(paths),
        mode: "git".to_string(),
        since: opts.since.clone(),
        staged: opts.staged,
        shallow,
        coverage: (!coverage.is_empty()).then(|| coverage.join("; ")),
        shard: req.shard,
        since_date: None,
        head: (!heads.is_empty()).then(|| heads.join(" ")),
    };
    Ok((all, target))
}

/// What the scan of one repository gave.
struct RepoScan {
    scan: LeakScan,
    /// The clone is shallow.
    shallow: bool,
    /// What beyond the refs' history was covered (not for `--staged`).
    coverage: Option<String>,
    /// The commit HEAD points at (`-` when there is none).
    head: String,
}

/// One repository's history.
fn collect_repo(
    scanner: &Scanner,
    opts: &GitScanOptions,
    req: &ScanRequest,
    repo: &Path,
    limits: &ArchiveLimits,
    progress: &dyn Progress,
) -> Result<RepoScan, ScanError> {
    let scan = Mutex::new(LeakScan::default());
    let keys = Mutex::new(Vec::new());
    let pass = progress.start("blobs", None, None);
    let sink = |blob: GitBlob<'_>| {
        pass.item(blob.data.len() as u64);
        keep_key_blob(&keys, blob);
        scan_git_blob(scanner, limits, &scan, blob)
    };
    let summary = scan_history_shard(repo, opts, req.shard, &sink);
    pass.finish();
    let summary = summary?;
    let mut scan = scan.into_inner().unwrap_or_else(|e| e.into_inner());
    let keys = keys.into_inner().unwrap_or_else(|e| e.into_inner());
    history_keys(scanner, repo, keys, &mut scan);
    scan.stats.blobs += summary.blobs;
    scan.stats.errors += summary.issues.len() as u64;
    scan.issues.extend(summary.issues);
    if summary.shallow {
        scan.warnings.push(format!(
            "'{}' is a shallow clone: commits before the shallow boundary were not scanned\nhelp: run `git fetch --unshallow` (in CI, check out with `fetch-depth: 0`) to scan the whole history",
            ksef_model::shown_path(repo)
        ));
    }
    Ok(RepoScan {
        scan,
        head: head_commit(repo),
        shallow: summary.shallow,
        coverage: (!opts.staged).then(|| summary.coverage.describe()),
    })
}

/// A key file of the history (a PEM key or a PKCS#12 bundle), kept for the key pass.
struct KeyBlob {
    path: String,
    kind: KeyFileKind,
    provenance: Provenance,
    data: Vec<u8>,
}

/// At most this many key files of one history go to the key pass.
const MAX_KEY_BLOBS: usize = 1024;

/// Keeps a copy of `blob` when it is a key file of a commit (by name; a PEM file only with a
/// private key in it): key files are few and small, the key pass needs them after the walk.
fn keep_key_blob(keys: &Mutex<Vec<KeyBlob>>, blob: GitBlob<'_>) {
    let p = blob.provenance;
    if p.commit.is_empty() || p.commit_message || p.path.contains('!') {
        return;
    }
    let Some(kind) = key_file_kind(&p.path) else {
        return;
    };
    if blob.data.len() as u64 > MAX_CERTIFICATE_FILE
        || (kind == KeyFileKind::Pem
            && memchr::memmem::find(blob.data, b"PRIVATE KEY-----").is_none())
    {
        return;
    }
    let mut keys = keys.lock().unwrap_or_else(|e| e.into_inner());
    if keys.len() < MAX_KEY_BLOBS {
        keys.push(KeyBlob {
            path: p.path.clone(),
            kind,
            provenance: Provenance {
                commit: p.commit.clone(),
                author: redact_text(&p.author).into_owned(),
                date: p.date,
            },
            data: blob.data.to_vec(),
        });
    }
}

/// The key pass of a history (issue 22, point 2): each key file with the certificates beside
/// it in the commit that added it, each PKCS#12 bundle and encrypted key with the passwords
/// found anywhere in the history; then the passwords are settled.
fn history_keys(scanner: &Scanner, repo: &Path, mut keys: Vec<KeyBlob>, scan: &mut LeakScan) {
    keys.sort_by(|a, b| (a.provenance.date, &a.path).cmp(&(b.provenance.date, &b.path)));
    let passwords = scan_passwords(scan);
    let tried: Vec<&str> = passwords.iter().map(|p| p.expose()).collect();
    let mut opened = Vec::new();
    for key in keys {
        let found = match key.kind {
            KeyFileKind::Pkcs12 => pkcs12_with_passwords(scanner, &key.data, &tried),
            KeyFileKind::Pem => {
                match certificates_beside(repo, &key.provenance.commit, &key.path) {
                    Ok(certs) => sibling_keys(scanner, &key.path, &key.data, &certs, &tried),
                    Err(message) => {
                        scan.warnings.push(format!(
                            "'{}' in commit {}: its directory could not be read to pair the key with a certificate: {message}",
                            redact_text(&key.path),
                            key.provenance.commit
                        ));
                        Vec::new()
                    }
                }
            }
        };
        add_keys(found, &key.path, Some(&key.provenance), scan, &mut opened);
    }
    settle_passwords(scan, &passwords, &opened);
}

/// The commit HEAD of the repository at `repo` points at, for the scan's identity; `-` for
/// an unborn branch or a HEAD that cannot be read (the scan itself has read the repository
/// by then, so what is refused there is refused before this).
fn head_commit(repo: &Path) -> String {
    gix::discover(repo)
        .ok()
        .and_then(|r| r.head_id().ok().map(|id| id.to_string()))
        .unwrap_or_else(|| "-".to_string())
}

fn scan_git_blob(
    scanner: &Scanner,
    limits: &ArchiveLimits,
    scan: &Mutex<LeakScan>,
    blob: GitBlob<'_>,
) {
    let p = blob.provenance;
    // Issue 13, point 15: a token in the author's name or e-mail is shown redacted in every
    // output, and reported (once per commit, with its message) at `<commit author>`.
    let author = redact_text(&p.author);
    let provenance = (!p.commit.is_empty()).then(|| Provenance {
        commit: p.commit.clone(),
        author: author.to_string(),
        date: p.date,
    });
    let path = if p.commit_message {
        COMMIT_MESSAGE_PATH
    } else {
        p.path.as_str()
    };
    if blob.data.len() as u64 > limits.max_entry {
        let found = scan_large_blob(scanner, limits, path, provenance.as_ref(), blob);
        let mut scan = scan.lock().unwrap_or_else(|e| e.into_inner());
        match found {
            Ok(found) => scan.absorb(found),
            Err(issue) => {
                scan.stats.skipped += 1;
                scan.stats.errors += 1;
                scan.issues.push(issue);
            }
        }
        return;
    }
    let found = scan_blob(scanner, provenance.as_ref(), |visit| {
        let mut ex = expand(path, blob.data, limits, visit);
        if p.commit_message && author != p.author.as_str() {
            visit(COMMIT_AUTHOR_PATH, p.author.as_bytes());
            ex.bytes += p.author.len() as u64;
        }
        ex
    });
    scan.lock().unwrap_or_else(|e| e.into_inner()).absorb(found);
}

/// A blob over `--max-file-size`: scanned in overlapping windows, like a large file; an
/// archive that large is opened member by member (each member within the archive limits).
fn scan_large_blob(
    scanner: &Scanner,
    limits: &ArchiveLimits,
    path: &str,
    provenance: Option<&Provenance>,
    blob: GitBlob<'_>,
) -> Result<crate::findings::BlobScan, ScanIssue> {
    let p = blob.provenance;
    let plan = WindowPlan::for_limit(limits.max_entry);
    if archive_kind(blob.data).is_some() {
        let data = std::io::Cursor::new(blob.data);
        let mut failed = None;
        let found = scan_blob(scanner, provenance, |visit| {
            expand_stream(path, data, limits, visit).unwrap_or_else(|e| {
                failed = Some(e);
                ksef_model::Expansion::default()
            })
        });
        return match failed {
            None => Ok(found),
            Some(e) => Err(ScanIssue {
                path: redact_text(&p.path).into_owned(),
                message: format!("cannot read: {e}"),
            }),
        };
    }
    scan_windowed(scanner, path, plan, provenance, |visit| {
        read_windows(blob.data, plan, visit).map_err(|e| ScanIssue {
            path: redact_text(&p.path).into_owned(),
            message: format!("cannot read: {e}"),
        })
    })
}
