//! The per-blob entry point: one named byte buffer (a file, an archive, a git blob, a commit
//! message) in, findings out. Archives inside the buffer are opened (bounded).

use chrono::{DateTime, Utc};

use rayon::prelude::*;

use super::{RawMatch, Scanner};
use crate::collect::sources::SourceFile;
use crate::collect::sources::archive::{ArchiveLimits, expand};
use crate::collect::sources::walk::read_source;
use crate::evaluate::leaks::LeakScan;
use crate::model::{LeakFinding, LeakStatus, ScanIssue};

/// Where a git blob came from (the git source maps its own provenance onto this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The commit that introduced the blob (or whose message holds the token).
    pub commit: String,
    pub author: String,
    pub date: DateTime<Utc>,
}

/// A finding before suppression: `build_leak_results` decides whether it is active.
#[derive(Debug, Clone)]
pub struct LeakCandidate {
    pub finding: LeakFinding,
    /// An inline marker is on the line (ignored with `--strict`).
    pub inline_allowed: bool,
}

/// What scanning one blob gave.
#[derive(Debug, Default)]
pub struct BlobScan {
    pub candidates: Vec<LeakCandidate>,
    /// Parts that could not be scanned (bombs, corrupt archives): the run exits 2.
    pub issues: Vec<ScanIssue>,
    /// Archive members scanned (0 for a plain blob).
    pub members: u64,
    /// Bytes scanned, after expansion.
    pub bytes: u64,
}

/// Scans one blob: `display_path` names it in findings (archive members become
/// `display_path!member`), `provenance` is attached to every finding.
pub fn scan_blob(
    scanner: &Scanner,
    display_path: &str,
    provenance: Option<&Provenance>,
    data: &[u8],
    limits: &ArchiveLimits,
) -> BlobScan {
    let mut candidates = Vec::new();
    let ex = expand(display_path, data, limits, &mut |name, bytes| {
        for m in scanner.scan_bytes(bytes) {
            candidates.push(candidate(m, name, provenance));
        }
    });
    BlobScan {
        candidates,
        issues: ex.issues,
        members: ex.members,
        bytes: ex.bytes,
    }
}

/// Turns a located match into a finding at `path` (status `unverified`, no suppression).
pub fn candidate(m: RawMatch, path: &str, provenance: Option<&Provenance>) -> LeakCandidate {
    LeakCandidate {
        inline_allowed: m.inline_allowed,
        finding: LeakFinding {
            rule: m.rule_name,
            rule_id: m.rule_id,
            severity: m.severity,
            path: path.to_string(),
            line: Some(m.line),
            column: Some(m.column),
            commit: provenance.map(|p| p.commit.clone()),
            author: provenance.map(|p| p.author.clone()),
            date: provenance.map(|p| p.date),
            fingerprint: m.fingerprint,
            redacted: m.redacted,
            reference_number: m.reference_number,
            nip: m.nip,
            confidence: m.confidence,
            status: LeakStatus::Unverified,
            owner: None,
            system: None,
            suppression: None,
        },
    }
}

/// Reads and scans `files` in parallel (rayon), adding findings, issues and stats to `scan`.
pub fn scan_files(
    scanner: &Scanner,
    files: &[SourceFile],
    limits: &ArchiveLimits,
    scan: &mut LeakScan,
) {
    let blobs: Vec<Result<BlobScan, ScanIssue>> = files
        .par_iter()
        .map(|f| read_source(f).map(|data| scan_blob(scanner, &f.display, None, &data, limits)))
        .collect();
    for b in blobs {
        match b {
            Ok(b) => {
                scan.stats.files += 1;
                scan.stats.blobs += b.members;
                scan.absorb(b);
            }
            Err(issue) => {
                scan.stats.errors += 1;
                scan.issues.push(issue);
            }
        }
    }
}
