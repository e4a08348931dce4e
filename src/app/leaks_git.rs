//! `ksef-audit leaks --git`: git history (or the staged index) through the leak scanner.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::app::leaks::LeakScanRequest;
use crate::app::progress::ScanProgress;
use ksef_leaks::sources::archive::archive_kind;
use ksef_leaks::sources::git::GitBlob;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_leaks::sources::git::scan_history_shard;
use ksef_leaks::sources::ArchiveLimits;
use ksef_leaks::sources::expand;
use ksef_leaks::sources::read_windows;
use ksef_leaks::findings::LeakScan;
use ksef_leaks::scan::Provenance;
use ksef_leaks::scan::Scanner;
use ksef_leaks::scan::scan_blob;
use ksef_leaks::scan::scan_windowed;
use ksef_model::LeakTarget;
use ksef_model::ScanIssue;
use ksef_model::Shard;
use ksef_model::WindowPlan;
use ksef_leaks::redact::redact_text;

/// What a finding in a commit message names as its path.
pub const COMMIT_MESSAGE_PATH: &str = "<commit message>";
/// The path of a finding in a commit's author name or e-mail.
pub const COMMIT_AUTHOR_PATH: &str = "<commit author>";

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
    let mut coverage: Vec<String> = Vec::new();
    for repo in paths {
        let (mut scan, repo_shallow, repo_coverage) =
            collect_repo(scanner, opts, req.shard, repo, limits, req.progress)?;
        shallow |= repo_shallow;
        if let Some(c) = repo_coverage {
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
            .map(|p| ksef_model::shown_path(p).to_string())
            .collect::<Vec<_>>()
            .join(" "),
        mode: "git".to_string(),
        since: opts.since.clone(),
        staged: opts.staged,
        shallow,
        coverage: (!coverage.is_empty()).then(|| coverage.join("; ")),
        shard: req.shard,
    };
    Ok((all, target))
}

/// One repository's history; returns the scan, whether the clone is shallow and what beyond
/// the refs' history was covered.
fn collect_repo(
    scanner: &Scanner,
    opts: &GitScanOptions,
    shard: Option<Shard>,
    repo: &Path,
    limits: &ArchiveLimits,
    progress: bool,
) -> Result<(LeakScan, bool, Option<String>)> {
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
            ksef_model::shown_path(repo)
        ));
    }
    let coverage = (!opts.staged).then(|| summary.coverage.describe());
    Ok((scan, summary.shallow, coverage))
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
        // Over --max-file-size: scanned in overlapping windows, like a large file.
        let plan = WindowPlan::for_limit(limits.max_entry);
        let found = match archive_kind(blob.data) {
            Some(kind) => Err(ScanIssue {
                path: redact_text(&p.path).into_owned(),
                message: format!(
                    "{kind} in commit {} larger than --max-file-size ({} bytes), not opened\nhelp: raise --max-file-size to open it",
                    p.commit,
                    blob.data.len()
                ),
            }),
            None => scan_windowed(scanner, path, plan, provenance.as_ref(), |visit| {
                read_windows(blob.data, plan, visit).map_err(|e| ScanIssue {
                    path: redact_text(&p.path).into_owned(),
                    message: format!("cannot read: {e}"),
                })
            }),
        };
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

/// A `--since` value as git reads it: an RFC 3339 time, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`
/// (UTC), `yesterday`, or a span before `now` such as `2 days ago`, `3 weeks`, `1.month`.
/// `None` when it is none of these (then it is taken for a revision).
pub(super) fn parse_since(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.to_utc());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    let lower = t.to_ascii_lowercase().replace('.', " ");
    match lower.as_str() {
        "now" => return Some(now),
        "yesterday" => return Some(now - Duration::days(1)),
        _ => {}
    }
    let words: Vec<&str> = lower.split_whitespace().collect();
    let (n, unit) = match words.as_slice() {
        [n, unit] | [n, unit, "ago"] => (n.parse::<i64>().ok()?, *unit),
        _ => return None,
    };
    let unit = unit.strip_suffix('s').unwrap_or(unit);
    let span = match unit {
        "second" | "sec" => Duration::seconds(n),
        "minute" | "min" => Duration::minutes(n),
        "hour" => Duration::hours(n),
        "day" => Duration::days(n),
        "week" => Duration::weeks(n),
        "month" => Duration::days(30 * n),
        "year" => Duration::days(365 * n),
        _ => return None,
    };
    Some(now - span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_dates_and_spans_like_git_and_leaves_revisions() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .expect("now")
            .to_utc();
        let at = |s: &str| parse_since(s, now).map(|d| d.to_rfc3339());
        assert_eq!(
            at("2 days ago").as_deref(),
            Some("2026-11-28T12:00:00+00:00")
        );
        assert_eq!(at("3 weeks").as_deref(), Some("2026-11-09T12:00:00+00:00"));
        assert_eq!(
            at("1.hour.ago").as_deref(),
            Some("2026-11-30T11:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-01").as_deref(),
            Some("2026-11-01T00:00:00+00:00")
        );
        assert_eq!(
            at("2026-11-01 08:30").as_deref(),
            Some("2026-11-01T08:30:00+00:00")
        );
        assert_eq!(
            at("yesterday").as_deref(),
            Some("2026-11-29T12:00:00+00:00")
        );
        for rev in [
            "origin/main",
            "HEAD~3",
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "v1.2",
        ] {
            assert_eq!(at(rev), None, "{rev}");
        }
    }
}
