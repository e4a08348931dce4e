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
/// the file's buffers to `visit`, says why the file could not be read, or (`None`) that it is
/// over the size limit. Those files are returned, to be scanned in windows.
pub fn scan_files<'f, F: Sync>(
    scanner: &Scanner,
    files: &'f [F],
    read: impl Fn(&F, &mut dyn FnMut(&str, &[u8])) -> Result<Option<Expansion>, ScanIssue> + Sync,
    scan: &mut LeakScan,
) -> Vec<&'f F> {
    let blobs: Vec<Result<Option<BlobScan>, ScanIssue>> = files
        .par_iter()
        .map(|f| {
            let mut failed = None;
            let mut over_limit = false;
            let blob = scan_blob(scanner, None, |visit| match read(f, visit) {
                Ok(Some(ex)) => ex,
                Ok(None) => {
                    over_limit = true;
                    Expansion::default()
                }
                Err(issue) => {
                    failed = Some(issue);
                    Expansion::default()
                }
            });
            match failed {
                Some(issue) => Err(issue),
                None => Ok((!over_limit).then_some(blob)),
            }
        })
        .collect();
    let mut left = Vec::new();
    for (f, b) in files.iter().zip(blobs) {
        match b {
            Ok(Some(b)) => {
                scan.stats.files += 1;
                scan.stats.blobs += b.members;
                scan.absorb(b);
            }
            Ok(None) => left.push(f),
            Err(issue) => {
                scan.stats.errors += 1;
                scan.issues.push(issue);
            }
        }
    }
    left
}
