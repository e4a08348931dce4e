//! Git history as a leak-scan source (`ksef-audit leaks --git`), read with gitoxide.
//!
//! Every blob reachable from every ref (branches, tags, remote-tracking refs, the stash, a
//! detached `HEAD`) is handed to the sink exactly once, with the commit that introduced it.
//! Commits are visited oldest-first (parents before children, ties broken by commit time), and
//! a tree or blob already seen is never entered again, so each commit costs only the subtrees
//! it changed. Commit messages are handed over too.
//!
//! The walk runs on one thread and streams object ids, in batches, through a bounded channel
//! to reader threads (as many as rayon's pool), which read (inflate) each blob and call the
//! sink. Memory holds the set of seen
//! object ids and one commit node per commit, never blob contents beyond those in flight.

use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

pub use crate::sources::ScanError;
use chrono::{DateTime, Utc};
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice, ByteVec};
use gix::hashtable::HashSet;
use gix::objs::{CommitRefIter, Find, Kind, TreeRefIter};
use ksef_model::ScanIssue;
use ksef_model::Shard;
use rayon::prelude::*;

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
    /// Dangling objects were looked for (`--unreachable`).
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
                " (dangling objects not searched: --unreachable)"
            }
        )
    }
}

/// Batches in flight between the walk and the workers.
const CHANNEL_BOUND: usize = 16;

/// Items per batch: one hand-over (and one wake-up of a reader) per batch, not per blob. On a
/// loaded machine every wake-up waits for a time slice, which starved the readers.
const BATCH: usize = 64;

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
pub fn scan_history_shard(
    repo: &Path,
    opts: &GitScanOptions,
    shard: Option<Shard>,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<GitSummary, ScanError> {
    let open_error = |e: gix::Error| ScanError::GitOpen {
        path: repo.to_path_buf(),
        message: e.to_string(),
    };
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
        scan_staged(&shared, &ctx, sink)?;
        0
    } else {
        scan_commits(&shared, opts, &ctx, sink)?
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
}

/// The commit a walked object belongs to.
struct CommitInfo {
    commit: String,
    author: String,
    date: DateTime<Utc>,
}

/// Work for the blob readers.
enum Item {
    Blob {
        id: ObjectId,
        info: Arc<CommitInfo>,
        path: BString,
    },
    Message {
        data: Vec<u8>,
        info: Arc<CommitInfo>,
    },
}

/// A commit of the walk, with its parents inside the walk.
struct Node {
    id: ObjectId,
    time: i64,
    parents: Vec<u32>,
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

// Long (about 215 lines) on purpose: one pass over the commit graph (hide `--since`, walk in
// date order, diff trees, hand out new blobs) shares the repository handle, the object buffer
// and the seen-sets; split, each part would take them all as arguments. It is benchmarked.
fn scan_commits(
    shared: &gix::ThreadSafeRepository,
    opts: &GitScanOptions,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<u64, ScanError> {
    let repo = shared.to_thread_local();
    let hash_kind = repo.object_hash();
    let shallow_commits: HashSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(list)) => list.iter().copied().collect(),
        Ok(None) => HashSet::default(),
        Err(e) => {
            ctx.issue(".git/shallow", format!("cannot read the shallow file: {e}"));
            HashSet::default()
        }
    };
    let mut buf = Vec::new();
    let parents_of = |id: &ObjectId, buf: &mut Vec<u8>| -> Result<(Vec<ObjectId>, i64), String> {
        let data = read_object(&repo, id, buf)?;
        if data.kind != Kind::Commit {
            return Err(format!("expected a commit, found a {}", data.kind));
        }
        let iter = CommitRefIter::from_bytes(data.data, hash_kind);
        let parents = if shallow_commits.contains(id) {
            Vec::new()
        } else {
            iter.parent_ids().collect()
        };
        let time = iter.committer().map(|s| s.seconds()).unwrap_or(0);
        Ok((parents, time))
    };

    // Commits reachable from `--since` are hidden, and so is everything in their trees.
    let mut hidden: HashSet<ObjectId> = HashSet::default();
    if let Some(rev) = &opts.since {
        let rev_error = |message: String| ScanError::GitRevision {
            rev: rev.clone(),
            path: ctx.path.clone(),
            message,
        };
        let id = repo
            .rev_parse_single(rev.as_str())
            .map_err(|e| rev_error(e.to_string()))?;
        let commit = id
            .object()
            .map_err(|e| rev_error(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| rev_error(e.to_string()))?;
        let mut queue = VecDeque::from([commit.id]);
        hidden.insert(commit.id);
        while let Some(id) = queue.pop_front() {
            match parents_of(&id, &mut buf) {
                Ok((parents, _)) => {
                    for parent in parents {
                        if hidden.insert(parent) {
                            queue.push_back(parent);
                        }
                    }
                }
                Err(message) => ctx.issue(format!("commit {id}"), message),
            }
        }
    }

    // Tips: every ref, peeled, and a detached HEAD.
    let mut tips: Vec<ObjectId> = Vec::new();
    let mut loose_roots: Vec<(String, ObjectId, Kind)> = Vec::new();
    let refs_error = |message: String| ScanError::GitRefs {
        path: ctx.path.clone(),
        message,
    };
    let platform = repo.references().map_err(|e| refs_error(e.to_string()))?;
    let mut named: Vec<(String, Result<ObjectId, String>)> = Vec::new();
    let mut tags: Vec<(String, ObjectId)> = Vec::new();
    let reflogs = read_reflogs(&repo, ctx);
    for reference in platform.all().map_err(|e| refs_error(e.to_string()))? {
        match reference {
            Ok(mut reference) => {
                let name = reference.name().as_bstr().to_string();
                if let Some(direct) = reference.target().try_id().map(|id| id.to_owned())
                    && repo
                        .find_header(direct)
                        .is_ok_and(|h| h.kind() == Kind::Tag)
                {
                    tags.push((name.clone(), direct));
                }
                let id = reference
                    .peel_to_id()
                    .map(|id| id.detach())
                    .map_err(|e| e.to_string());
                named.push((name, id));
            }
            Err(e) => ctx.issue("refs", format!("cannot read a ref: {e}")),
        }
    }
    if let Ok(id) = repo.head_id() {
        named.push(("HEAD".into(), Ok(id.detach())));
    }
    for (name, id) in named {
        let id = match id {
            Ok(id) => id,
            Err(message) => {
                ctx.issue(name, format!("cannot resolve ref: {message}"));
                continue;
            }
        };
        match repo.find_header(id) {
            Ok(header) => match header.kind() {
                Kind::Commit => tips.push(id),
                kind @ (Kind::Tree | Kind::Blob) => loose_roots.push((name, id, kind)),
                Kind::Tag => {}
            },
            Err(e) => ctx.issue(name, format!("ref points to unreadable object {id}: {e}")),
        }
    }

    // `--since DATE`: a commit older than the cutoff is hidden, and so are its ancestors.
    if let Some(cutoff) = opts.since_time.map(|t| t.timestamp()) {
        let mut visited: HashSet<ObjectId> = HashSet::default();
        let mut queue: VecDeque<(ObjectId, bool)> = tips.iter().map(|t| (*t, false)).collect();
        while let Some((id, old_child)) = queue.pop_front() {
            if hidden.contains(&id) || (!old_child && !visited.insert(id)) {
                continue;
            }
            // Unreadable commits are reported by the walk below.
            let Ok((parents, time)) = parents_of(&id, &mut buf) else {
                continue;
            };
            let old = old_child || time < cutoff;
            if old {
                hidden.insert(id);
            }
            queue.extend(parents.into_iter().map(|p| (p, old)));
        }
    }

    // The commits to scan, parents before children.
    let mut index: HashMap<ObjectId, u32> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut boundary: Vec<ObjectId> = Vec::new();
    let mut raw_parents: Vec<Vec<ObjectId>> = Vec::new();
    let mut queue: VecDeque<ObjectId> = VecDeque::new();
    for tip in tips {
        if !hidden.contains(&tip) && !index.contains_key(&tip) {
            index.insert(tip, nodes.len() as u32);
            nodes.push(Node {
                id: tip,
                time: 0,
                parents: Vec::new(),
            });
            raw_parents.push(Vec::new());
            queue.push_back(tip);
        }
    }
    let mut from_refs = None;
    loop {
        let Some(id) = queue.pop_front() else {
            if from_refs.is_some() {
                break;
            }
            // Phase two: commits only the reflogs (and every stash entry) still name.
            from_refs = Some(nodes.len());
            for tip in reflogs.stash.iter().chain(&reflogs.other) {
                if !hidden.contains(tip)
                    && !index.contains_key(tip)
                    && repo
                        .find_header(*tip)
                        .is_ok_and(|h| h.kind() == Kind::Commit)
                {
                    index.insert(*tip, nodes.len() as u32);
                    nodes.push(Node {
                        id: *tip,
                        time: 0,
                        parents: Vec::new(),
                    });
                    raw_parents.push(Vec::new());
                    queue.push_back(*tip);
                }
            }
            continue;
        };
        let at = index[&id] as usize;
        match parents_of(&id, &mut buf) {
            Ok((parents, time)) => {
                nodes[at].time = time;
                for parent in &parents {
                    if hidden.contains(parent) {
                        boundary.push(*parent);
                    } else if !index.contains_key(parent) {
                        index.insert(*parent, nodes.len() as u32);
                        nodes.push(Node {
                            id: *parent,
                            time: 0,
                            parents: Vec::new(),
                        });
                        raw_parents.push(Vec::new());
                        queue.push_back(*parent);
                    }
                }
                raw_parents[at] = parents;
            }
            Err(message) => ctx.issue(format!("commit {id}"), message),
        }
    }
    {
        let mut cov = ctx.coverage.lock().unwrap_or_else(|e| e.into_inner());
        cov.stash_entries = reflogs.stash.len() as u64;
        cov.reflog_only_commits = (nodes.len() - from_refs.unwrap_or(nodes.len())) as u64;
    }
    let walked: HashSet<ObjectId> = nodes
        .iter()
        .map(|n| n.id)
        .chain(hidden.iter().copied())
        .collect();
    let search_dangling = opts.unreachable && opts.since.is_none();
    for (node, parents) in nodes.iter_mut().zip(raw_parents) {
        node.parents = parents
            .iter()
            .filter_map(|p| index.get(p).copied())
            .collect();
    }
    drop(index);
    let order = topological_order(&nodes);

    // Objects already present in the `--since` boundary are not new.
    let mut seen: HashSet<ObjectId> = HashSet::default();
    boundary.sort_unstable();
    boundary.dedup();
    for commit in boundary {
        match read_object(&repo, &commit, &mut buf)
            .map(|data| CommitRefIter::from_bytes(data.data, hash_kind).tree_id())
        {
            Ok(Ok(tree)) => mark_tree_seen(&repo, tree, &mut seen, ctx),
            Ok(Err(e)) => ctx.issue(format!("commit {commit}"), e.to_string()),
            Err(message) => ctx.issue(format!("commit {commit}"), message),
        }
    }

    let commits = order.len() as u64;
    // Trees and blobs to come: a few per commit (grown as needed, but not rehashed a dozen
    // times on the way).
    seen.reserve(nodes.len().saturating_mul(4));
    let (tx, rx) = mpsc::sync_channel::<Vec<Item>>(CHANNEL_BOUND);
    std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            let repo = reader(shared);
            let mut walk = Walk {
                repo: &repo,
                ctx,
                seen,
                tx,
                batch: Vec::with_capacity(BATCH),
                tree_buf: Vec::new(),
                prefix: BString::default(),
            };
            for (name, id, kind) in loose_roots {
                let info = Arc::new(CommitInfo {
                    commit: String::new(),
                    author: String::new(),
                    date: DateTime::<Utc>::UNIX_EPOCH,
                });
                let alive = match kind {
                    Kind::Tree => walk.tree(id, BString::from(format!("{name}:")), &info),
                    _ => walk.blob(id, BString::from(name), &info),
                };
                if !alive {
                    return;
                }
            }
            let mut commit_buf = Vec::new();
            for at in order {
                let id = nodes[at as usize].id;
                if !walk.commit(id, &mut commit_buf) {
                    return;
                }
            }
            walk.coverage_extras(&tags, search_dangling.then_some(&walked));
            walk.flush();
        });
        // Readers: each takes a whole batch off the channel, then reads and scans it alone.
        let rx = Arc::new(Mutex::new(rx));
        let readers: Vec<_> = (0..rayon::current_num_threads().max(1))
            .map(|_| {
                let rx = Arc::clone(&rx);
                scope.spawn(move || {
                    let repo = reader(shared);
                    let mut buf = Vec::new();
                    loop {
                        let batch = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(batch) = batch else { break };
                        for item in batch {
                            read_item(&repo, &mut buf, item, ctx, sink);
                        }
                    }
                })
            })
            .collect();
        for r in readers {
            if r.join().is_err() {
                ctx.issue("history", "a blob reader stopped unexpectedly");
            }
        }
        // Without readers the walk's next hand-over fails and it stops (never blocks).
        drop(rx);
        if walker.join().is_err() {
            ctx.issue("history", "the history walk stopped unexpectedly");
        }
    });
    Ok(commits)
}

/// Commits the reflogs name: the entries of `refs/stash` (each a stash) and of every other
/// reflog (`HEAD`, branches), read from `logs/` of the common and the work-tree git directory.
#[derive(Default)]
struct Reflogs {
    stash: Vec<ObjectId>,
    other: Vec<ObjectId>,
}

fn read_reflogs(repo: &gix::Repository, ctx: &Ctx) -> Reflogs {
    let mut out = Reflogs::default();
    let mut files = Vec::new();
    let mut dirs = vec![repo.common_dir().join("logs")];
    if repo.git_dir() != repo.common_dir() {
        files.push(repo.git_dir().join("logs").join("HEAD"));
    }
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let stash_log = repo.common_dir().join("logs").join("refs").join("stash");
    for file in files {
        let text = match std::fs::read(&file) {
            Ok(text) => text,
            Err(e) => {
                ctx.issue(
                    file.display().to_string(),
                    format!("cannot read the reflog: {e}"),
                );
                continue;
            }
        };
        let is_stash = file == stash_log;
        for line in text.split(|b| *b == b'\n') {
            let mut ids = line.split(|b| *b == b' ').take(2);
            let (Some(_old), Some(new)) = (ids.next(), ids.next()) else {
                continue;
            };
            let Ok(id) = ObjectId::from_hex(new) else {
                continue;
            };
            if id.is_null() {
                continue;
            }
            if is_stash {
                out.stash.push(id);
            } else {
                out.other.push(id);
            }
        }
    }
    out
}

/// Delta-base cache of each blob reader (like `core.deltaBaseCacheLimit`): blobs arrive in
/// history order, not pack order, and a bigger cache than gitoxide's default 64 entries
/// saves inflating the same delta bases again. Bounded, so the heap stays small.
const READER_PACK_CACHE: usize = 24 << 20;

fn reader(shared: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut repo = shared.to_thread_local();
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            READER_PACK_CACHE,
        ))
    });
    repo
}

/// Kahn's algorithm over the walked commits, oldest commit time first among the ready ones.
fn topological_order(nodes: &[Node]) -> Vec<u32> {
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut pending: Vec<u32> = vec![0; nodes.len()];
    for (at, node) in nodes.iter().enumerate() {
        pending[at] = node.parents.len() as u32;
        for parent in &node.parents {
            children[*parent as usize].push(at as u32);
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(i64, ObjectId, u32)>> = nodes
        .iter()
        .enumerate()
        .filter(|(at, _)| pending[*at] == 0)
        .map(|(at, node)| std::cmp::Reverse((node.time, node.id, at as u32)))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(std::cmp::Reverse((_, _, at))) = ready.pop() {
        order.push(at);
        for child in &children[at as usize] {
            let left = &mut pending[*child as usize];
            *left -= 1;
            if *left == 0 {
                let node = &nodes[*child as usize];
                ready.push(std::cmp::Reverse((node.time, node.id, *child)));
            }
        }
    }
    order
}

/// Adds every tree and blob under `tree` to `seen`, without scanning anything.
fn mark_tree_seen(repo: &gix::Repository, tree: ObjectId, seen: &mut HashSet<ObjectId>, ctx: &Ctx) {
    let mut stack = vec![tree];
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match read_object(repo, &id, &mut buf) {
            Ok(data) => {
                for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()).flatten() {
                    if entry.mode.is_tree() {
                        stack.push(entry.oid.to_owned());
                    } else if entry.mode.is_blob_or_symlink() {
                        seen.insert(entry.oid.to_owned());
                    }
                }
            }
            Err(message) => ctx.issue(format!("tree {id}"), message),
        }
    }
}

/// The single-threaded part: commits and trees, in history order.
struct Walk<'a> {
    repo: &'a gix::Repository,
    ctx: &'a Ctx,
    seen: HashSet<ObjectId>,
    tx: mpsc::SyncSender<Vec<Item>>,
    /// Items not yet handed over ([`BATCH`] at a time).
    batch: Vec<Item>,
    tree_buf: Vec<u8>,
    /// Prefix of the paths of the commit being walked (`(dangling):` for unreachable ones).
    prefix: BString,
}

impl Walk<'_> {
    /// Returns false when the readers are gone.
    fn commit(&mut self, id: ObjectId, buf: &mut Vec<u8>) -> bool {
        let data = match read_object(self.repo, &id, buf) {
            Ok(data) => data,
            Err(message) => {
                self.ctx.issue(format!("commit {id}"), message);
                return true;
            }
        };
        let iter = CommitRefIter::from_bytes(data.data, self.repo.object_hash());
        let tree = match iter.clone().tree_id() {
            Ok(tree) => tree,
            Err(e) => {
                self.ctx.issue(format!("commit {id}"), e.to_string());
                return true;
            }
        };
        let (author, date) = match iter.author() {
            Ok(sig) => {
                let date = DateTime::from_timestamp(sig.seconds(), 0).unwrap_or_default();
                let name = sig.name.trim().to_str_lossy();
                let email = sig.email.trim().to_str_lossy();
                (format!("{name} <{email}>"), date)
            }
            Err(_) => (String::new(), DateTime::<Utc>::UNIX_EPOCH),
        };
        let message = iter.message().map(|m| m.to_vec()).unwrap_or_default();
        let info = Arc::new(CommitInfo {
            commit: id.to_string(),
            author,
            date,
        });
        if !message.is_empty()
            && self.ctx.owns(&id)
            && !self.push(Item::Message {
                data: message,
                info: info.clone(),
            })
        {
            return false;
        }
        self.tree(tree, self.prefix.clone(), &info)
    }

    /// Annotated tag messages (the tag object, handed over as a buffer), then, unless
    /// `walked` is None, every commit and blob of the object database the walk did not reach.
    fn coverage_extras(&mut self, tags: &[(String, ObjectId)], walked: Option<&HashSet<ObjectId>>) {
        let none = Arc::new(CommitInfo {
            commit: String::new(),
            author: String::new(),
            date: DateTime::<Utc>::UNIX_EPOCH,
        });
        for (name, id) in tags {
            if self.seen.insert(*id) {
                let path = BString::from(format!("{name} (annotated tag message)"));
                if !self.send_blob(*id, path, &none) {
                    return;
                }
                self.ctx
                    .coverage
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .tag_messages += 1;
            }
        }
        let Some(walked) = walked else { return };
        let all = match self.repo.objects.iter() {
            Ok(all) => all,
            Err(e) => {
                self.ctx
                    .issue("objects", format!("cannot list the object database: {e}"));
                return;
            }
        };
        let mut commits = Vec::new();
        let mut blobs = Vec::new();
        for id in all.flatten() {
            if self.seen.contains(&id) || walked.contains(&id) {
                continue;
            }
            match self.repo.find_header(id).map(|h| h.kind()) {
                Ok(Kind::Commit) => commits.push(id),
                Ok(Kind::Blob) => blobs.push(id),
                _ => {}
            }
        }
        commits.sort_unstable();
        commits.dedup();
        self.ctx
            .coverage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .dangling_searched = true;
        self.prefix = BString::from("(dangling):");
        let mut buf = Vec::new();
        for id in commits {
            self.ctx
                .coverage
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .dangling_commits += 1;
            if !self.commit(id, &mut buf) {
                return;
            }
        }
        self.prefix = BString::default();
        blobs.sort_unstable();
        blobs.dedup();
        for id in blobs {
            if self.seen.insert(id) {
                self.ctx
                    .coverage
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .dangling_blobs += 1;
                if !self.send_blob(id, BString::from("(dangling blob)"), &none) {
                    return;
                }
            }
        }
    }

    /// Walks `tree` (at `prefix`), entering only trees not seen before.
    fn tree(&mut self, tree: ObjectId, prefix: BString, info: &Arc<CommitInfo>) -> bool {
        let mut stack = vec![(tree, prefix)];
        let hash_kind = self.repo.object_hash();
        while let Some((id, prefix)) = stack.pop() {
            if !self.seen.insert(id) {
                continue;
            }
            let data = match read_object(self.repo, &id, &mut self.tree_buf) {
                Ok(data) if data.kind == Kind::Tree => data,
                Ok(data) => {
                    self.ctx.issue(
                        format!("tree {id}"),
                        format!("expected a tree, found a {}", data.kind),
                    );
                    continue;
                }
                Err(message) => {
                    self.ctx.issue(format!("tree {id} ({prefix})"), message);
                    continue;
                }
            };
            let mut blobs = Vec::new();
            for entry in TreeRefIter::from_bytes(data.data, hash_kind) {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        self.ctx
                            .issue(format!("tree {id} ({prefix})"), e.to_string());
                        break;
                    }
                };
                // The path is built only for what is new: most entries of a changed tree
                // were seen in an earlier commit.
                if entry.mode.is_tree() {
                    if !self.seen.contains(entry.oid) {
                        stack.push((entry.oid.to_owned(), join(&prefix, entry.filename)));
                    }
                } else if entry.mode.is_blob_or_symlink() && self.seen.insert(entry.oid.to_owned())
                {
                    blobs.push((entry.oid.to_owned(), join(&prefix, entry.filename)));
                }
            }
            for (blob, path) in blobs {
                if !self.send_blob(blob, path, info) {
                    return false;
                }
            }
        }
        true
    }

    /// A blob named directly by a ref.
    fn blob(&mut self, id: ObjectId, path: BString, info: &Arc<CommitInfo>) -> bool {
        !self.seen.insert(id) || self.send_blob(id, path, info)
    }

    fn send_blob(&mut self, id: ObjectId, path: BString, info: &Arc<CommitInfo>) -> bool {
        if !self.ctx.owns(&id) {
            return true;
        }
        self.push(Item::Blob {
            id,
            info: info.clone(),
            path,
        })
    }

    /// Queues `item`; hands the batch over when it is full. False when the readers are gone.
    fn push(&mut self, item: Item) -> bool {
        self.batch.push(item);
        self.batch.len() < BATCH || self.flush()
    }

    /// Hands over the queued items. False when the readers are gone.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(batch).is_ok()
    }
}

fn join(prefix: &BString, name: &gix::bstr::BStr) -> BString {
    let mut path = prefix.clone();
    if !path.is_empty() && !path.ends_with(b":") {
        path.push_byte(b'/');
    }
    path.push_str(name);
    path
}

/// Worker side: read one blob and hand it to the sink.
fn read_item(
    repo: &gix::Repository,
    buf: &mut Vec<u8>,
    item: Item,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) {
    match item {
        Item::Message { data, info } => {
            let provenance = GitProvenance {
                commit: info.commit.clone(),
                author: info.author.clone(),
                date: info.date,
                path: String::new(),
                commit_message: true,
            };
            ctx.deliver(&data, &provenance, sink);
        }
        Item::Blob { id, info, path } => {
            let provenance = GitProvenance {
                commit: info.commit.clone(),
                author: info.author.clone(),
                date: info.date,
                path: path.to_str_lossy().into_owned(),
                commit_message: false,
            };
            match read_object(repo, &id, buf) {
                Ok(data) => ctx.deliver(data.data, &provenance, sink),
                Err(message) => ctx.issue(
                    format!("blob {id} ({}, commit {})", provenance.path, info.commit),
                    message,
                ),
            }
        }
    }
}

/// `--staged`: blobs of the index whose path or content differs from `HEAD`.
fn scan_staged(
    shared: &gix::ThreadSafeRepository,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<(), ScanError> {
    let repo = shared.to_thread_local();
    let index = repo.index_or_empty().map_err(|e| ScanError::GitIndex {
        path: ctx.path.clone(),
        message: e.to_string(),
    })?;
    let mut head: HashMap<BString, ObjectId> = HashMap::new();
    if let Ok(tree) = repo.head_tree_id() {
        let mut stack = vec![(tree.detach(), BString::default())];
        let mut buf = Vec::new();
        while let Some((id, prefix)) = stack.pop() {
            let data =
                read_object(&repo, &id, &mut buf).map_err(|message| ScanError::GitObject {
                    id: id.to_string(),
                    path: ctx.path.clone(),
                    message,
                })?;
            for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()).flatten() {
                let path = join(&prefix, entry.filename);
                if entry.mode.is_tree() {
                    stack.push((entry.oid.to_owned(), path));
                } else {
                    head.insert(path, entry.oid.to_owned());
                }
            }
        }
    }
    let now = Utc::now();
    let staged: Vec<(ObjectId, String)> = index
        .entries()
        .iter()
        .filter(|entry| !entry.mode.is_submodule() && !entry.mode.is_sparse())
        .filter_map(|entry| {
            let path = entry.path(&index);
            (head.get(path) != Some(&entry.id))
                .then(|| (entry.id, path.to_str_lossy().into_owned()))
        })
        .collect();
    let staged: Vec<(ObjectId, String)> =
        staged.into_iter().filter(|(id, _)| ctx.owns(id)).collect();
    staged.into_par_iter().for_each_init(
        || (shared.to_thread_local(), Vec::new()),
        |(repo, buf), (id, path)| {
            let provenance = GitProvenance {
                commit: String::new(),
                author: String::new(),
                date: now,
                path,
                commit_message: false,
            };
            match read_object(repo, &id, buf) {
                Ok(data) => ctx.deliver(data.data, &provenance, sink),
                Err(message) => {
                    ctx.issue(format!("staged {} (blob {id})", provenance.path), message)
                }
            }
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u8, time: i64, parents: &[u32]) -> Node {
        let mut bytes = [0u8; 20];
        bytes[0] = id;
        Node {
            id: ObjectId::from_bytes_or_panic(&bytes),
            time,
            parents: parents.to_vec(),
        }
    }

    #[test]
    fn parents_come_before_children_even_with_skewed_clocks() {
        // 0 <- 1 <- 3, 0 <- 2 <- 3; commit 1 claims to be older than its parent.
        let nodes = vec![
            node(0, 100, &[]),
            node(1, 50, &[0]),
            node(2, 200, &[0]),
            node(3, 300, &[1, 2]),
        ];
        assert_eq!(topological_order(&nodes), vec![0, 1, 2, 3]);
    }

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
