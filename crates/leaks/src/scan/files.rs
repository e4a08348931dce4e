//! A files scan (`leaks PATH…`): standard input, then the walked trees: files over the size
//! limit in windows, the others whole (archives opened), then the key-file pass.

use std::path::{Path, PathBuf};

use crate::findings::LeakScan;
use crate::matcher::Scanner;
use crate::scan::Progress;
use crate::scan::ProgressPass;
use crate::scan::ScanRequest;
use crate::scan::blob::{scan_blob, scan_files};
use crate::scan::keys::{scan_key_files, settle_passwords};
use crate::scan::run::shown_paths;
use crate::scan::window::scan_large_files;
use crate::sources::{
    ArchiveLimits, ScanError, SourceFile, WalkOptions, WalkResult, expand, is_large_archive,
    read_expanded, read_large_archive, read_large_file, read_stdin, walk_files,
};
use ksef_model::LeakTarget;
use ksef_model::ScanIssue;
use ksef_model::Shard;
use ksef_model::WindowPlan;

/// Scans standard input (`-` among `paths`) and the files under the other paths.
pub(super) fn collect_files(
    scanner: &Scanner,
    req: &ScanRequest,
    paths: &[PathBuf],
    limits: &ArchiveLimits,
    progress: &dyn Progress,
) -> Result<(LeakScan, LeakTarget), ScanError> {
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut scan = LeakScan::default();
    if stdin && req.shard.is_none_or(|s| s.owns_path("-")) {
        let data = read_stdin(req.max_file_size)?;
        scan.stats.files += 1;
        scan.absorb(scan_blob(scanner, None, |visit| {
            expand("-", &data, limits, visit)
        }));
    }
    if roots.is_empty() {
        // no key files to open: only weak passwords to drop
        settle_passwords(&mut scan, &[], &[]);
    } else {
        scan_trees(scanner, req, &roots, limits, progress, &mut scan)?;
    }
    let target = LeakTarget {
        root: shown_paths(paths),
        mode: if roots.is_empty() { "stdin" } else { "files" }.to_string(),
        since: None,
        staged: false,
        shallow: false,
        coverage: None,
        shard: req.shard,
        since_date: None,
        head: None,
    };
    Ok((scan, target))
}

/// Walks `roots` and scans every file (of this shard) in parallel.
fn scan_trees(
    scanner: &Scanner,
    req: &ScanRequest,
    roots: &[PathBuf],
    limits: &ArchiveLimits,
    progress: &dyn Progress,
    scan: &mut LeakScan,
) -> Result<(), ScanError> {
    progress.counting("files");
    let mut walked = walk_files(
        roots,
        &WalkOptions {
            exclude: req.exclude.clone(),
            max_file_size: req.max_file_size,
            sizes: progress.shows_totals(),
        },
    )?;
    if let Some(shard) = req.shard {
        shard_walk(shard, &mut walked);
    }
    scan.issues.extend(std::mem::take(&mut walked.issues));
    // Links are not followed (a link may leave the tree or loop): counted and listed.
    scan.stats.skipped += walked.links.len() as u64;
    for link in &walked.links {
        scan.warnings.push(format!(
            "'{}' is a symbolic link, not followed: skipped\nhelp: scan its target by naming it on the command line",
            crate::redact::redact_text(link)
        ));
    }
    let all = walked.files.iter().chain(&walked.large);
    let pass = progress.start(
        "files",
        Some(all.clone().count() as u64),
        all.map(|f| f.size).sum(),
    );
    // Files over the size limit the walk found come first (the longest work first), those
    // found as read (the walk took no sizes) last.
    scan_over_limit(scanner, req, limits, &*pass, walked.large.clone(), scan);
    let over_limit = scan_files(
        scanner,
        &walked.files,
        |f, visit| {
            let read = read_expanded(f, limits, &mut |name, data| {
                if name != f.display {
                    pass.member(data.len() as u64);
                }
                visit(name, data);
            });
            if !matches!(read, Ok(None)) {
                pass.item(f.size.unwrap_or_default());
            }
            read
        },
        scan,
    );
    let over_limit = over_limit.into_iter().cloned().collect();
    scan_over_limit(scanner, req, limits, &*pass, over_limit, scan);
    scan_key_files(scanner, &walked.files, scan);
    // Nothing read from a tree that has files: excludes or the size limit of a config file
    // (perhaps the repository's own ksef-audit.toml) hid everything. Not a clean result.
    if req.config_filters
        && walked.files.is_empty()
        && walked.large.is_empty()
        && scan.issues.is_empty()
        && roots.iter().any(|r| has_files(r))
    {
        scan.issues.push(ScanIssue {
            path: shown_paths(roots),
            message: "read nothing: every file was excluded or over --max-file-size\nhelp: check `exclude` and `max-file-size` (also in a ksef-audit.toml inside the scanned tree); --strict ignores them".into(),
        });
    }
    pass.finish();
    Ok(())
}

/// Scans files over --max-file-size: archives opened member by member, other files read in
/// overlapping windows; never skipped in silence.
fn scan_over_limit(
    scanner: &Scanner,
    req: &ScanRequest,
    limits: &ArchiveLimits,
    pass: &dyn ProgressPass,
    files: Vec<SourceFile>,
    scan: &mut LeakScan,
) {
    let (archives, large): (Vec<SourceFile>, Vec<SourceFile>) =
        files.into_iter().partition(is_large_archive);
    scan_files(
        scanner,
        &archives,
        |f, visit| {
            let read = read_large_archive(f, limits, visit);
            pass.item(f.size.unwrap_or_default());
            read.map(Some)
        },
        scan,
    );
    let plan = WindowPlan::for_limit(req.max_file_size);
    scan_large_files(
        scanner,
        &large,
        plan,
        |f| f.display.as_str(),
        |f, visit| {
            // Credited window by window, as each is scanned: a large file moves the bar.
            let mut credited = 0;
            let read = read_large_file(f, plan, &mut |offset, data, last| {
                visit(offset, data, last);
                let end = offset + data.len() as u64;
                if end > credited {
                    pass.read(end - credited);
                    credited = end;
                }
            });
            pass.item(f.size.unwrap_or_default().saturating_sub(credited));
            read
        },
        scan,
    );
}

/// Whether `root` (a directory) holds any file outside `.git/`.
fn has_files(root: &Path) -> bool {
    if !root.is_dir() {
        return false;
    }
    walkdir_any(root, 0)
}

fn walkdir_any(dir: &Path, depth: u32) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for e in entries.flatten() {
        if e.file_name() == ".git" {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_file() => return true,
            Ok(t) if t.is_dir() && depth < 32 && walkdir_any(&e.path(), depth + 1) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Keeps the files (and over-size files, and unreadable paths) of one shard, by path.
fn shard_walk(shard: Shard, walked: &mut WalkResult) {
    walked.files.retain(|f| shard.owns_path(&f.display));
    walked.large.retain(|f| shard.owns_path(&f.display));
    walked.issues.retain(|i| shard.owns_path(&i.path));
    walked.links.retain(|l| shard.owns_path(l));
}
