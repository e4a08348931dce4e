//! Directory walking like `rg -uu`: hidden files included, no ignore files honoured, `.git/`
//! left out (history is its own mode), `--exclude` globs and a file size limit applied.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::sources::ScanError;
use ksef_model::ScanIssue;

/// Default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Globs matched against the path relative to its root (and, for globs without `/`,
    /// against the file name).
    pub exclude: Vec<String>,
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// A file to scan and the name findings give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the root given on the command line (with `/`); for a file root, the path
    /// as given; with several roots, prefixed by the root as given.
    pub display: String,
    pub size: u64,
    /// Not a regular file (a pipe, FIFO, `/dev/stdin` or device named on the command line):
    /// read as a stream of at most this many bytes (`--max-file-size`); more is a scan error.
    pub stream: Option<u64>,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<SourceFile>,
    /// Regular files over the size limit: scanned in windows (`read_large_file`).
    pub large: Vec<SourceFile>,
    /// Paths that could not be read: the run exits 2.
    pub issues: Vec<ScanIssue>,
    /// Symbolic links met in the walk (shown names): never followed, counted as skipped and
    /// listed, so what they point to is not silently missing.
    pub links: Vec<String>,
}

struct Excludes {
    full: GlobSet,
    name: GlobSet,
}

impl Excludes {
    fn new(patterns: &[String]) -> Result<Excludes, ScanError> {
        let mut full = GlobSetBuilder::new();
        let mut name = GlobSetBuilder::new();
        for p in patterns {
            let glob = Glob::new(p).map_err(|source| ScanError::Exclude {
                pattern: p.clone(),
                source,
            })?;
            if !p.contains('/') {
                name.add(glob.clone());
            }
            full.add(glob);
        }
        let build = |b: GlobSetBuilder| {
            b.build().map_err(|source| ScanError::Exclude {
                pattern: patterns.join(", "),
                source,
            })
        };
        Ok(Excludes {
            full: build(full)?,
            name: build(name)?,
        })
    }

    fn excluded(&self, rel: &str) -> bool {
        if rel.is_empty() {
            return false;
        }
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.full.is_match(rel) || self.name.is_match(name)
    }
}

fn rel_display(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lists the files under `roots` (files or directories), sorted by display path.
pub fn walk_files(roots: &[PathBuf], opts: &WalkOptions) -> Result<WalkResult, ScanError> {
    let excludes = std::sync::Arc::new(Excludes::new(&opts.exclude)?);
    let mut out = WalkResult::default();
    let prefix_roots = roots.len() > 1;
    for root in roots {
        let root_shown = root.display().to_string();
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.issues.push(ScanIssue {
                    path: root_shown,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if meta.is_file() {
            push_file(&mut out, root.clone(), root_shown, meta.len(), opts);
            continue;
        }
        if !meta.is_dir() {
            // Named explicitly (`<(cat f)`, /dev/stdin, a FIFO, a device): read as a bounded
            // stream, never dropped in silence.
            out.files.push(SourceFile {
                path: root.clone(),
                display: root_shown,
                size: 0,
                stream: Some(opts.max_file_size),
            });
            continue;
        }
        walk_dir(root, &root_shown, prefix_roots, &excludes, opts, &mut out);
    }
    out.files.sort_by(|a, b| a.display.cmp(&b.display));
    out.large.sort_by(|a, b| a.display.cmp(&b.display));
    out.links.sort();
    out.issues
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    Ok(out)
}

/// Walks one directory root on every thread of the pool (as `rg` does): listing directories
/// and reading sizes is most of the walk's time, and the walk comes before any scan.
fn walk_dir(
    root: &Path,
    root_shown: &str,
    prefix_roots: bool,
    excludes: &std::sync::Arc<Excludes>,
    opts: &WalkOptions,
    out: &mut WalkResult,
) {
    let root_for_filter = root.to_path_buf();
    let ex = std::sync::Arc::clone(excludes);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .threads(rayon::current_num_threads().max(1))
        .filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            !ex.excluded(&rel_display(e.path(), &root_for_filter))
        })
        .build_parallel();
    let found = std::sync::Mutex::new(WalkResult::default());
    walker.run(|| {
        Box::new(|entry| {
            let mut local = WalkResult::default();
            visit_entry(entry, root, root_shown, prefix_roots, opts, &mut local);
            let mut all = found
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            all.files.append(&mut local.files);
            all.large.append(&mut local.large);
            all.issues.append(&mut local.issues);
            all.links.append(&mut local.links);
            ignore::WalkState::Continue
        })
    });
    let found = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    out.files.extend(found.files);
    out.large.extend(found.large);
    out.issues.extend(found.issues);
    out.links.extend(found.links);
}

/// One entry of the walk: a regular file is listed with its size, a link is listed as one.
fn visit_entry(
    entry: Result<ignore::DirEntry, ignore::Error>,
    root: &Path,
    root_shown: &str,
    prefix_roots: bool,
    opts: &WalkOptions,
    out: &mut WalkResult,
) {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            out.issues.push(ScanIssue {
                path: root_shown.to_string(),
                message: format!("cannot read: {e}"),
            });
            return;
        }
    };
    let is_link = entry.path_is_symlink() && entry.depth() > 0;
    if !is_link && !entry.file_type().is_some_and(|t| t.is_file()) {
        return;
    }
    let rel = rel_display(entry.path(), root);
    let prefix = root_shown.trim_end_matches('/');
    let display = if prefix_roots && prefix != "." && !prefix.is_empty() {
        format!("{prefix}/{rel}")
    } else {
        rel
    };
    if is_link {
        out.links.push(display);
        return;
    }
    match entry.metadata() {
        Ok(m) => push_file(out, entry.into_path(), display, m.len(), opts),
        Err(e) => out.issues.push(ScanIssue {
            path: display,
            message: format!("cannot read: {e}"),
        }),
    }
}

fn push_file(out: &mut WalkResult, path: PathBuf, display: String, size: u64, opts: &WalkOptions) {
    let file = SourceFile {
        path,
        display,
        size,
        stream: None,
    };
    if size > opts.max_file_size {
        out.large.push(file);
    } else {
        out.files.push(file);
    }
}

/// Reads one listed file; an error becomes a [`ScanIssue`]. A stream larger than its limit
/// is an issue too (the run exits 2), never a silent skip.
pub(crate) fn read_source(file: &SourceFile) -> Result<Vec<u8>, ScanIssue> {
    let issue = |message: String| ScanIssue {
        path: crate::redact::redact_text(&file.display).into_owned(),
        message,
    };
    let Some(limit) = file.stream else {
        return std::fs::read(&file.path).map_err(|e| issue(format!("cannot read: {e}")));
    };
    let f = std::fs::File::open(&file.path).map_err(|e| issue(format!("cannot read: {e}")))?;
    read_bounded(f, limit)
        .map_err(|e| issue(format!("cannot read: {e}")))?
        .ok_or_else(|| {
            issue(format!(
                "not a regular file and larger than {limit} bytes (--max-file-size), not scanned\nhelp: raise --max-file-size, or save the data to a file first"
            ))
        })
}

/// Reads at most `limit` bytes; `None` when there is more.
pub(crate) fn read_bounded(r: impl std::io::Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= limit).then_some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_files_are_walked_git_and_excludes_are_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        for f in [
            ".env",
            ".config/app.yml",
            ".git/config",
            "src/a.rs",
            "vendor/x.js",
            "b.min.js",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "x").expect("write");
        }
        std::fs::write(root.join(".gitignore"), "src/\n").expect("write");
        let opts = WalkOptions {
            exclude: vec!["vendor/**".into(), "*.min.js".into()],
            max_file_size: 10,
        };
        let res = walk_files(&[root.to_path_buf()], &opts).expect("walk");
        let names: Vec<&str> = res.files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(
            names,
            vec![".config/app.yml", ".env", ".gitignore", "src/a.rs"]
        );
        assert!(res.issues.is_empty());
    }

    #[test]
    fn missing_root_is_an_issue_not_an_error() {
        let res = walk_files(
            &[PathBuf::from("/nonexistent/ksef-audit")],
            &WalkOptions::default(),
        )
        .expect("walk");
        assert_eq!(res.issues.len(), 1);
        assert!(res.files.is_empty());
    }
}
