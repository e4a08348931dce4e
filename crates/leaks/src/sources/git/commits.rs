//! Which commits a history scan visits, and in which order: every ref (and a detached
//! `HEAD`) peeled to its commit, then the commits only the reflogs still name; `--since REV`
//! and `--since DATE` hide commits and their ancestors; parents come before children. The
//! objects of the `--since` boundary count as seen, so only what is new is handed out.

use std::collections::{BinaryHeap, HashMap, VecDeque};

use gix::ObjectId;
use gix::hashtable::HashSet;
use gix::objs::{CommitRefIter, Kind, TreeRefIter};

use super::commit_meta::{CommitMeta, packed_commits};
use super::packs::Packs;
use super::walk::{WalkPlan, walk_and_read};
use super::{Ctx, GitBlob, GitScanOptions, read_object};
use crate::sources::ScanError;

/// Scans the commits of the refs and reflogs (less those `opts` hides); returns how many.
pub(super) fn scan_commits(
    shared: &gix::ThreadSafeRepository,
    opts: &GitScanOptions,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<u64, ScanError> {
    let repo = shared.to_thread_local();
    let packs = Packs::open(shared.objects_dir(), repo.object_hash());
    let known = packed_commits(&packs, repo.object_hash());
    let parents = Parents::new(&repo, &known, ctx);
    let mut buf = Vec::new();
    let mut hidden = match &opts.since {
        Some(rev) => hide_revision(&repo, rev, ctx, &parents, &mut buf)?,
        None => HashSet::default(),
    };
    let refs = read_refs(&repo, ctx)?;
    if let Some(cutoff) = opts.since_time.map(|t| t.timestamp()) {
        hide_older(&refs.tips, cutoff, &parents, &mut hidden, &mut buf);
    }
    let reflogs = read_reflogs(&repo, ctx);
    let mut graph = Graph::default();
    for tip in &refs.tips {
        if graph.is_new(tip, &hidden) {
            graph.add(*tip);
        }
    }
    graph.expand(&parents, &hidden, &mut buf, ctx);
    // Then the commits only the reflogs (and every stash entry) still name.
    let from_refs = graph.nodes.len();
    for tip in reflogs.stash.iter().chain(&reflogs.other) {
        if graph.is_new(tip, &hidden)
            && repo
                .find_header(*tip)
                .is_ok_and(|h| h.kind() == Kind::Commit)
        {
            graph.add(*tip);
        }
    }
    graph.expand(&parents, &hidden, &mut buf, ctx);
    ctx.cover(|c| {
        c.stash_entries = reflogs.stash.len() as u64;
        c.reflog_only_commits = (graph.nodes.len() - from_refs) as u64;
    });
    let walked = (opts.unreachable && opts.since.is_none()).then(|| {
        graph
            .nodes
            .iter()
            .map(|n| n.id)
            .chain(hidden.iter().copied())
            .collect()
    });
    let (commits, boundary) = graph.into_order();
    let mut seen = boundary_seen(&repo, boundary, ctx, &mut buf);
    // Trees and blobs to come: a few per commit (grown as needed, but not rehashed a dozen
    // times on the way).
    seen.reserve(commits.len().saturating_mul(4));
    let count = commits.len() as u64;
    let plan = WalkPlan {
        loose_roots: refs.loose_roots,
        commits,
        tags: refs.tags,
        walked,
        known,
    };
    walk_and_read(shared, &packs, ctx, sink, seen, plan);
    Ok(count)
}

/// The parents of a commit (none at the shallow boundary) and its committer time.
struct Parents<'r> {
    repo: &'r gix::Repository,
    /// The commits read already.
    known: &'r HashMap<ObjectId, CommitMeta>,
    shallow: HashSet<ObjectId>,
}

impl<'r> Parents<'r> {
    fn new(
        repo: &'r gix::Repository,
        known: &'r HashMap<ObjectId, CommitMeta>,
        ctx: &Ctx,
    ) -> Parents<'r> {
        let shallow = match repo.shallow_commits() {
            Ok(Some(list)) => list.iter().copied().collect(),
            Ok(None) => HashSet::default(),
            Err(e) => {
                ctx.issue(".git/shallow", format!("cannot read the shallow file: {e}"));
                HashSet::default()
            }
        };
        Parents {
            repo,
            known,
            shallow,
        }
    }

    fn of(&self, id: &ObjectId, buf: &mut Vec<u8>) -> Result<(Vec<ObjectId>, i64), String> {
        let meta = CommitMeta::of(self.known, self.repo, id, buf)?;
        let parents = if self.shallow.contains(id) {
            Vec::new()
        } else {
            meta.parents.clone()
        };
        Ok((parents, meta.time))
    }
}

/// `--since REV`: the commit `rev` names and all its ancestors (their trees are hidden too,
/// through the boundary).
fn hide_revision(
    repo: &gix::Repository,
    rev: &str,
    ctx: &Ctx,
    parents: &Parents<'_>,
    buf: &mut Vec<u8>,
) -> Result<HashSet<ObjectId>, ScanError> {
    let rev_error = |message: String| ScanError::GitRevision {
        rev: rev.to_string(),
        path: ctx.path.clone(),
        message,
    };
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| rev_error(e.to_string()))?;
    let commit = id
        .object()
        .map_err(|e| rev_error(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| rev_error(e.to_string()))?;
    let mut hidden: HashSet<ObjectId> = HashSet::default();
    let mut queue = VecDeque::from([commit.id]);
    hidden.insert(commit.id);
    while let Some(id) = queue.pop_front() {
        match parents.of(&id, buf) {
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
    Ok(hidden)
}

/// What the refs point at.
struct Refs {
    /// Commits: every ref peeled, and a detached `HEAD`.
    tips: Vec<ObjectId>,
    /// Trees and blobs a ref names directly (name, id, kind).
    loose_roots: Vec<(String, ObjectId, Kind)>,
    /// Annotated tags (ref name, tag object).
    tags: Vec<TagRef>,
}

fn read_refs(repo: &gix::Repository, ctx: &Ctx) -> Result<Refs, ScanError> {
    let (named, tags) = named_refs(repo, ctx)?;
    let mut refs = Refs {
        tips: Vec::new(),
        loose_roots: Vec::new(),
        tags,
    };
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
                Kind::Commit => refs.tips.push(id),
                kind @ (Kind::Tree | Kind::Blob) => refs.loose_roots.push((name, id, kind)),
                Kind::Tag => {}
            },
            Err(e) => ctx.issue(name, format!("ref points to unreadable object {id}: {e}")),
        }
    }
    Ok(refs)
}

/// A ref name with what it peels to (or why not).
type NamedRef = (String, Result<ObjectId, String>);

/// An annotated tag: the ref name and the tag object.
type TagRef = (String, ObjectId);

/// Every ref (and `HEAD`) with what it peels to, and the annotated tags among them.
fn named_refs(
    repo: &gix::Repository,
    ctx: &Ctx,
) -> Result<(Vec<NamedRef>, Vec<TagRef>), ScanError> {
    let refs_error = |message: String| ScanError::GitRefs {
        path: ctx.path.clone(),
        message,
    };
    let platform = repo.references().map_err(|e| refs_error(e.to_string()))?;
    let mut named: Vec<NamedRef> = Vec::new();
    let mut tags: Vec<TagRef> = Vec::new();
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
    Ok((named, tags))
}

/// `--since DATE`: a commit older than the cutoff is hidden, and so are its ancestors.
fn hide_older(
    tips: &[ObjectId],
    cutoff: i64,
    parents: &Parents<'_>,
    hidden: &mut HashSet<ObjectId>,
    buf: &mut Vec<u8>,
) {
    let mut visited: HashSet<ObjectId> = HashSet::default();
    let mut queue: VecDeque<(ObjectId, bool)> = tips.iter().map(|t| (*t, false)).collect();
    while let Some((id, old_child)) = queue.pop_front() {
        if hidden.contains(&id) || (!old_child && !visited.insert(id)) {
            continue;
        }
        // Unreadable commits are reported by the walk.
        let Ok((parents, time)) = parents.of(&id, buf) else {
            continue;
        };
        let old = old_child || time < cutoff;
        if old {
            hidden.insert(id);
        }
        queue.extend(parents.into_iter().map(|p| (p, old)));
    }
}

/// A commit of the walk, with its parents inside the walk.
struct Node {
    id: ObjectId,
    time: i64,
    parents: Vec<u32>,
}

/// The commits to scan, found breadth-first from their tips.
#[derive(Default)]
struct Graph {
    index: HashMap<ObjectId, u32>,
    nodes: Vec<Node>,
    /// Parents of each node as read (some outside the walk).
    raw_parents: Vec<Vec<ObjectId>>,
    /// Hidden parents of walked commits: their trees are already known.
    boundary: Vec<ObjectId>,
    queue: VecDeque<ObjectId>,
}

impl Graph {
    /// Neither hidden nor in the graph yet.
    fn is_new(&self, id: &ObjectId, hidden: &HashSet<ObjectId>) -> bool {
        !hidden.contains(id) && !self.index.contains_key(id)
    }

    fn add(&mut self, id: ObjectId) {
        self.index.insert(id, self.nodes.len() as u32);
        self.nodes.push(Node {
            id,
            time: 0,
            parents: Vec::new(),
        });
        self.raw_parents.push(Vec::new());
        self.queue.push_back(id);
    }

    /// Reads the queued commits, adding their parents that are neither hidden nor known.
    fn expand(
        &mut self,
        parents: &Parents<'_>,
        hidden: &HashSet<ObjectId>,
        buf: &mut Vec<u8>,
        ctx: &Ctx,
    ) {
        while let Some(id) = self.queue.pop_front() {
            let at = self.index[&id] as usize;
            match parents.of(&id, buf) {
                Ok((parents, time)) => {
                    self.nodes[at].time = time;
                    for parent in &parents {
                        if hidden.contains(parent) {
                            self.boundary.push(*parent);
                        } else if !self.index.contains_key(parent) {
                            self.add(*parent);
                        }
                    }
                    self.raw_parents[at] = parents;
                }
                Err(message) => ctx.issue(format!("commit {id}"), message),
            }
        }
    }

    /// The commits in walk order (parents first), and the boundary.
    fn into_order(mut self) -> (Vec<ObjectId>, Vec<ObjectId>) {
        for (node, parents) in self.nodes.iter_mut().zip(self.raw_parents) {
            node.parents = parents
                .iter()
                .filter_map(|p| self.index.get(p).copied())
                .collect();
        }
        let order = topological_order(&self.nodes)
            .into_iter()
            .map(|at| self.nodes[at as usize].id)
            .collect();
        (order, self.boundary)
    }
}

/// Objects already present in the `--since` boundary are not new: every tree and blob of
/// the boundary commits.
fn boundary_seen(
    repo: &gix::Repository,
    mut boundary: Vec<ObjectId>,
    ctx: &Ctx,
    buf: &mut Vec<u8>,
) -> HashSet<ObjectId> {
    let mut seen: HashSet<ObjectId> = HashSet::default();
    boundary.sort_unstable();
    boundary.dedup();
    for commit in boundary {
        match read_object(repo, &commit, buf)
            .map(|data| CommitRefIter::from_bytes(data.data, repo.object_hash()).tree_id())
        {
            Ok(Ok(tree)) => mark_tree_seen(repo, tree, &mut seen, ctx),
            Ok(Err(e)) => ctx.issue(format!("commit {commit}"), e.to_string()),
            Err(message) => ctx.issue(format!("commit {commit}"), message),
        }
    }
    seen
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

/// Commits the reflogs name: the entries of `refs/stash` (each a stash) and of every other
/// reflog (`HEAD`, branches), read from `logs/` of the common and the work-tree git directory.
#[derive(Default)]
struct Reflogs {
    stash: Vec<ObjectId>,
    other: Vec<ObjectId>,
}

fn read_reflogs(repo: &gix::Repository, ctx: &Ctx) -> Reflogs {
    let mut out = Reflogs::default();
    let stash_log = repo.common_dir().join("logs").join("refs").join("stash");
    for file in reflog_files(repo) {
        let checked =
            super::guard::check_file(repo.common_dir(), &file, super::guard::MAX_METADATA_BYTES)
                .and_then(|()| {
                    ksef_model::input::read_limited(&file, super::guard::MAX_METADATA_BYTES)
                        .map_err(|e| e.to_string())
                });
        let text = match checked {
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

/// The reflog files: everything under `logs/` of the common git directory, and the work
/// tree's own `logs/HEAD`.
fn reflog_files(repo: &gix::Repository) -> Vec<std::path::PathBuf> {
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
            // Never follow a directory link (`a -> .` loops); a file link is checked when read.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
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
}
