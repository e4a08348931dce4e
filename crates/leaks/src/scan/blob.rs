//! The per-blob entry point: the buffers of one blob (a file, the members of an archive, a git
//! blob, a commit message) in, findings out. Reading files and opening archives is the sources'
//! job (`collect::sources`); they hand each buffer to the visitor given here, so this module
//! only sees bytes.

use chrono::{DateTime, Utc};

use rayon::prelude::*;

use crate::findings::{BlobScan, CandidatePassword, LeakCandidate, LeakScan};
use crate::matcher::RawMatch;
use crate::matcher::Scanner;
use ksef_model::Expansion;
use ksef_model::LeakFinding;
use ksef_model::LeakStatus;
use ksef_model::PlaceholderDrop;
use ksef_model::ScanIssue;

/// Where a git blob came from (the git source maps its own provenance onto this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// The commit that introduced the blob (or whose message holds the token).
    pub(crate) commit: String,
    pub(crate) author: String,
    pub(crate) date: DateTime<Utc>,
}

/// Scans one blob. `expand(visit)` is the source's reader: it calls `visit(name, bytes)` for
/// each buffer of the blob (archive members are named `path!member`) and returns what it did,
/// e.g. `|visit| collect::sources::expand("-", &data, &limits, visit)`. `provenance` is
/// attached to every finding.
pub(crate) fn scan_blob(
    scanner: &Scanner,
    provenance: Option<&Provenance>,
    expand: impl FnOnce(&mut dyn FnMut(&str, &[u8])) -> Expansion,
) -> BlobScan {
    let mut candidates = Vec::new();
    let mut placeholders = Vec::new();
    let ex = expand(&mut |name, bytes| {
        let found = scanner.scan(name, bytes);
        for m in found.matches {
            candidates.push(candidate(m, name, provenance));
        }
        placeholders.extend(found.placeholders.into_iter().map(|d| PlaceholderDrop {
            path: name.to_string(),
            line: d.line,
            rule_id: d.rule_id,
            reason: d.reason.to_string(),
        }));
    });
    BlobScan {
        candidates,
        issues: ex.issues,
        skipped: ex.skipped,
        members: ex.members,
        bytes: ex.bytes,
        placeholders,
    }
}

/// Turns a located match into a finding at `path` (status `unverified`, no suppression).
pub(crate) fn candidate(m: RawMatch, path: &str, provenance: Option<&Provenance>) -> LeakCandidate {
    let password = m.key_password.then(|| CandidatePassword {
        secret: m.secret.clone(),
        weak: m.weak_password,
    });
    LeakCandidate {
        inline_allowed: m.inline_allowed,
        password,
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
            repository: None,
            history: None,
        },
    }
}

/// Scans `files` in parallel (rayon), adding findings, issues and stats to `scan`. `read(file,
/// visit)` is the source's reader for one file (`collect::sources::read_expanded`): it hands
/// the file's buffers to `visit`, or says why the file could not be read.
pub fn scan_files<F: Sync>(
    scanner: &Scanner,
    files: &[F],
    read: impl Fn(&F, &mut dyn FnMut(&str, &[u8])) -> Result<Expansion, ScanIssue> + Sync,
    scan: &mut LeakScan,
) {
    let blobs: Vec<Result<BlobScan, ScanIssue>> = files
        .par_iter()
        .map(|f| {
            let mut failed = None;
            let blob = scan_blob(scanner, None, |visit| match read(f, visit) {
                Ok(ex) => ex,
                Err(issue) => {
                    failed = Some(issue);
                    Expansion::default()
                }
            });
            match failed {
                Some(issue) => Err(issue),
                None => Ok(blob),
            }
        })
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
