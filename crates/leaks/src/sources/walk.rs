//! Directory walking like `rg -uu`: hidden files included, no ignore files honoured, `.git/`
//! left out (history is its own mode), `--exclude` globs and a file size limit applied.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

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
    /// Take each file's size (one `statx` per file, a tenth of a tree scan's time): for a
    /// progress bar's total. Without it, files over the limit are found as they are read.
    pub sizes: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            sizes: true,
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
    /// Its size, when the walk took sizes ([`WalkOptions::sizes`]).
    pub size: Option<u64>,
    /// The most bytes it is read whole with (`--max-file-size`). A regular file over it is
    /// scanned in windows; a stream over it is a scan error.
    pub limit: u64,
    /// Not a regular file (a pipe, FIFO, `/dev/stdin` or device named on the command line):
    /// read as a stream.
    pub stream: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<SourceFile>,
    /// Regular files over the size limit: scanned in windows (`read_large_file`). Only
    /// those whose size the walk took: the reader finds the others.
    pub large: Vec<SourceFile>,
    /// Paths that could not be read: the run exits 2.
    pub issues: Vec<ScanIssue>,
    /// Symbolic links met in the walk (shown names): never followed, counted as skipped and
    /// listed, so what they point to is not silently missing.
    pub links: Vec<String>,
}

impl WalkResult {
    /// Moves everything `other` found into `self`.
    fn append(&mut self, other: &mut WalkResult) {
        self.files.append(&mut other.files);
        self.large.append(&mut other.large);
        self.issues.append(&mut other.issues);
        self.links.append(&mut other.links);
    }
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

/// Lists the files under `roots` (files or directories), sorted by display path.
pub fn walk_files(roots: &[PathBuf], opts: &WalkOptions) -> Result<WalkResult, ScanError> {
    let excludes = Excludes::new(&opts.exclude)?;
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
            push_file(&mut out, root.clone(), root_shown, Some(meta.len()), opts);
            continue;
        }
        if !meta.is_dir() {
            // Named explicitly (`<(cat f)`, /dev/stdin, a FIFO, a device): read as a bounded
            // stream, never dropped in silence.
            out.files.push(SourceFile {
                path: root.clone(),
                display: root_shown,
                size: None,
                limit: opts.max_file_size,
                stream: true,
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

/// Walks one directory root, its subdirectories on rayon's threads (as `rg` walks: listing
/// directories and reading sizes is most of the walk, and it comes before any scan). Sizes,
/// when taken, come from `fstatat` beside each directory's listing (`DirEntry::metadata`),
/// not from a lookup of every whole path.
fn walk_dir(
    root: &Path,
    root_shown: &str,
    prefix_roots: bool,
    excludes: &Excludes,
    opts: &WalkOptions,
    out: &mut WalkResult,
) {
    let prefix = root_shown.trim_end_matches('/');
    let found = Mutex::new(WalkResult::default());
    let walk = DirWalk {
        excludes,
        opts,
        root_shown,
        shown_prefix: (prefix_roots && prefix != "." && !prefix.is_empty()).then_some(prefix),
        found: &found,
    };
    walk.dir(root.to_path_buf(), String::new());
    out.append(&mut found.into_inner().unwrap_or_else(PoisonError::into_inner));
}

struct DirWalk<'a> {
    excludes: &'a Excludes,
    opts: &'a WalkOptions,
    root_shown: &'a str,
    /// Put before every shown path when several roots are walked.
    shown_prefix: Option<&'a str>,
    found: &'a Mutex<WalkResult>,
}

impl DirWalk<'_> {
    /// Lists `path` (`rel` below the root, `/`-separated), then its subdirectories in parallel.
    fn dir(&self, path: PathBuf, rel: String) {
        let mut local = WalkResult::default();
        let mut subdirs = Vec::new();
        match std::fs::read_dir(&path) {
            Ok(entries) => {
                for entry in entries {
                    match entry {
                        Ok(entry) => subdirs.extend(self.entry(&entry, &rel, &mut local)),
                        Err(e) => local.issues.push(self.issue(&rel, &e)),
                    }
                }
            }
            Err(e) => local.issues.push(self.issue(&rel, &e)),
        }
        self.found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut local);
        subdirs
            .into_par_iter()
            .for_each(|(path, rel)| self.dir(path, rel));
    }

    /// Lists one entry; a subdirectory to walk is returned.
    fn entry(
        &self,
        entry: &std::fs::DirEntry,
        rel_dir: &str,
        out: &mut WalkResult,
    ) -> Option<(PathBuf, String)> {
        let name = entry.file_name();
        if name == ".git" {
            return None;
        }
        let name = name.to_string_lossy();
        let rel = if rel_dir.is_empty() {
            name.into_owned()
        } else {
            format!("{rel_dir}/{name}")
        };
        if self.excludes.excluded(&rel) {
            return None;
        }
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                out.issues.push(self.issue(&rel, &e));
                return None;
            }
        };
        if file_type.is_dir() {
            return Some((entry.path(), rel));
        }
        if file_type.is_symlink() {
            out.links.push(self.shown(rel));
            return None;
        }
        if !file_type.is_file() {
            return None;
        }
        if !self.opts.sizes {
            push_file(out, entry.path(), self.shown(rel), None, self.opts);
            return None;
        }
        match entry.metadata() {
            Ok(m) => push_file(out, entry.path(), self.shown(rel), Some(m.len()), self.opts),
            Err(e) => out.issues.push(self.issue(&rel, &e)),
        }
        None
    }

    fn shown(&self, rel: String) -> String {
        match self.shown_prefix {
            Some(prefix) => format!("{prefix}/{rel}"),
            None => rel,
        }
    }

    fn issue(&self, rel: &str, e: &std::io::Error) -> ScanIssue {
        ScanIssue {
            path: if rel.is_empty() {
                self.root_shown.to_string()
            } else {
                self.shown(rel.to_string())
            },
            message: format!("cannot read: {e}"),
        }
    }
}

fn push_file(
    out: &mut WalkResult,
    path: PathBuf,
    display: String,
    size: Option<u64>,
    opts: &WalkOptions,
) {
    let file = SourceFile {
        path,
        display,
        size,
        limit: opts.max_file_size,
        stream: false,
    };
    if size.is_some_and(|size| size > opts.max_file_size) {
        out.large.push(file);
    } else {
        out.files.push(file);
    }
}

/// Reads one listed file whole; `None` when it is a regular file over its limit (to be
/// scanned in windows). An error becomes a [`ScanIssue`], and so does a stream over its limit
/// (the run exits 2): never a silent skip.
pub(crate) fn read_source(file: &SourceFile) -> Result<Option<Vec<u8>>, ScanIssue> {
    with_source(file, <[u8]>::to_vec)
}

/// Calls `use_bytes` with a listed file's bytes, as [`read_source`] reads them. A regular
/// file is read into this thread's reused buffer: no allocation, zeroing or page faults per
/// file.
pub(crate) fn with_source<R>(
    file: &SourceFile,
    use_bytes: impl FnOnce(&[u8]) -> R,
) -> Result<Option<R>, ScanIssue> {
    let issue = |message: String| ScanIssue {
        path: crate::redact::redact_text(&file.display).into_owned(),
        message,
    };
    if !file.stream {
        let mut buffer = READ_BUFFER.take();
        let read = read_listed(file, &mut buffer).map_err(|e| issue(format!("cannot read: {e}")));
        let used = read.map(|filled| filled.map(|n| use_bytes(&buffer[..n])));
        if buffer.len() <= KEPT_BUFFER {
            READ_BUFFER.set(buffer);
        }
        return used;
    }
    let f = std::fs::File::open(&file.path).map_err(|e| issue(format!("cannot read: {e}")))?;
    let data = read_bounded(f, file.limit)
        .map_err(|e| issue(format!("cannot read: {e}")))?
        .ok_or_else(|| {
            issue(format!(
                "not a regular file and larger than {} bytes (--max-file-size), not scanned\nhelp: raise --max-file-size, or save the data to a file first",
                file.limit
            ))
        })?;
    Ok(Some(use_bytes(&data)))
}

thread_local! {
    /// The buffer regular files are read into ([`with_source`]), zeroed once and kept.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A read buffer grown past this (by a larger file) is freed after use, not kept.
const KEPT_BUFFER: usize = 4 << 20;
/// What a thread's read buffer starts with when the walk took no sizes.
const FIRST_BUFFER: usize = 256 << 10;

/// Reads a regular file into `buffer` (grown as needed, never shrunk): the bytes read, or
/// `None` when there are more than `file.limit`. Open and read only: no `statx` as
/// `std::fs::read` makes to size its buffer (the walk took the size, or the buffer is large
/// enough for most files), and no zeroing of a buffer already zeroed once. A file that
/// fills the buffer is asked its size once (`fstat` on the open file): one over the limit is
/// left at once, not read up to the limit first. A file that grew since the walk is still
/// read whole (up to its limit).
fn read_listed(file: &SourceFile, buffer: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    use std::io::Read;
    let mut f = std::fs::File::open(&file.path)?;
    // One byte more than the size or the limit: the read that returns 0 finds the end
    // without a regrow, and a file over the limit shows itself.
    let room =
        |size: u64| usize::try_from(size.min(file.limit).saturating_add(1)).unwrap_or(usize::MAX);
    let wanted = file.size.map_or(FIRST_BUFFER.min(room(file.limit)), room);
    if buffer.len() < wanted {
        buffer.resize(wanted, 0);
    }
    let mut filled = 0;
    let mut size_asked = false;
    loop {
        match f.read(&mut buffer[filled..]) {
            Ok(0) => return Ok(Some(filled)),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if filled == buffer.len() {
            if filled as u64 > file.limit {
                return Ok(None);
            }
            let next = if size_asked {
                filled.saturating_mul(2)
            } else {
                size_asked = true;
                let size = f.metadata()?.len();
                if size > file.limit {
                    return Ok(None);
                }
                room(size)
            };
            buffer.resize(next.min(room(file.limit)).max(filled + 1), 0);
        }
    }
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
            sizes: true,
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
    fn a_deep_tree_is_listed_once_sorted_with_sizes_links_and_unreadable_dirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("r");
        let mut want = Vec::new();
        for a in 0..6 {
            for b in 0..5 {
                let rel = format!("d{a}/e{b}/f{a}{b}.txt");
                let p = root.join(&rel);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, "x".repeat(a + b)).expect("write");
                want.push((rel, (a + b) as u64));
            }
        }
        // A worktree's `.git` is a file: left out like the directory.
        std::fs::write(root.join("d0/.git"), "gitdir: ../x").expect("write");
        std::os::unix::fs::symlink("d0", root.join("link")).expect("symlink");
        let locked = root.join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let res = walk_files(
            &[root.clone(), dir.path().join("r/d1/e1/f11.txt")],
            &WalkOptions::default(),
        );
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let res = res.expect("walk");
        let root_shown = root.display().to_string();
        want.sort();
        let mut want: Vec<(String, u64)> = want
            .into_iter()
            .map(|(rel, size)| (format!("{root_shown}/{rel}"), size))
            .collect();
        want.push((dir.path().join("r/d1/e1/f11.txt").display().to_string(), 2));
        want.sort();
        let got: Vec<(String, u64)> = res
            .files
            .iter()
            .map(|f| (f.display.clone(), f.size.expect("sizes taken")))
            .collect();
        assert_eq!(got, want);
        assert_eq!(res.links, vec![format!("{root_shown}/link")]);
        // Root may read a directory without permissions; anyone else gets an issue naming it.
        if std::fs::read_dir(&locked).is_err() {
            assert_eq!(res.issues.len(), 1, "{:?}", res.issues);
            assert_eq!(res.issues[0].path, format!("{root_shown}/locked"));
        }
    }

    #[test]
    fn a_file_that_changed_size_since_the_walk_is_read_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        for (name, before, after) in [("grew", 10, 100_000), ("shrank", 5000, 3), ("empty", 0, 0)] {
            let path = dir.path().join(name);
            std::fs::write(&path, "a".repeat(before)).expect("write");
            let res =
                walk_files(std::slice::from_ref(&path), &WalkOptions::default()).expect("walk");
            std::fs::write(&path, "b".repeat(after)).expect("write");
            let data = read_source(&res.files[0]).expect("read");
            assert_eq!(data, Some("b".repeat(after).into_bytes()), "{name}");
        }
    }

    #[test]
    fn without_sizes_files_over_the_limit_are_found_as_they_are_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let files = [
            ("a-big", 3 * FIRST_BUFFER),
            ("b-limit", 5000),
            ("c-over", 5001),
            ("d-small", 3),
        ];
        for (name, size) in files {
            let bytes: Vec<u8> = name.bytes().cycle().take(size).collect();
            std::fs::write(dir.path().join(name), bytes).expect("write");
        }
        let opts = WalkOptions {
            max_file_size: 5000,
            sizes: false,
            ..WalkOptions::default()
        };
        let res = walk_files(&[dir.path().to_path_buf()], &opts).expect("walk");
        assert!(res.large.is_empty() && res.files.iter().all(|f| f.size.is_none()));
        // In this order, on one thread: the small file after the large ones gets its own bytes
        // from the reused buffer, nothing left over from them.
        let read: Vec<(&str, Option<Vec<u8>>)> = res
            .files
            .iter()
            .map(|f| (f.display.as_str(), read_source(f).expect("read")))
            .collect();
        let lengths: Vec<(&str, Option<usize>)> = read
            .iter()
            .map(|(name, d)| (*name, d.as_ref().map(Vec::len)))
            .collect();
        assert_eq!(
            lengths,
            [
                ("a-big", None),
                ("b-limit", Some(5000)),
                ("c-over", None),
                ("d-small", Some(3))
            ]
        );
        assert_eq!(read[3].1.as_deref(), Some(&b"d-s"[..]));
    }

    #[test]
    fn a_file_over_the_limit_is_not_read_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("big.log");
        std::fs::write(&path, vec![b'x'; 3 << 20]).expect("write");
        let file = SourceFile {
            path,
            display: "big.log".into(),
            size: None,
            limit: 2 << 20,
            stream: false,
        };
        let mut buffer = Vec::new();
        assert_eq!(read_listed(&file, &mut buffer).expect("read"), None);
        // Its size was asked once the first buffer was full: the buffer did not grow to the
        // limit (2 MiB read and zeroed for nothing).
        assert_eq!(buffer.len(), FIRST_BUFFER);
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
