//! The two sides of a history scan: the walk (one thread: commits and trees in history order,
//! each tree or blob entered once) hands object ids in batches through a bounded channel to
//! the readers (as many as rayon's pool), which read each batch's blobs in pack order and
//! call the sink.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::hashtable::HashSet;
use gix::objs::{CommitRefIter, Kind};

use super::commit_meta::CommitMeta;
use super::packs::{PackReader, Packs};
use super::unchanged::{Changes, KeptTree, LastTrees};
use super::{CommitInfo, Ctx, GitBlob, GitProvenance, Item, join};

/// Batches in flight between the walk and the workers.
const CHANNEL_BOUND: usize = 4;

/// Items per batch (then cut in one part per reader): one hand-over (and one wake-up of a
/// reader) per part, not per blob, and enough versions of the same files that a reader,
/// taking them in pack order, decodes each from the one before.
const BATCH: usize = 32_768;

/// Items of the first batch; each next one is twice as big, up to [`BATCH`], so that the
/// readers start at once.
const FIRST_BATCH: usize = 512;

/// Decoded-object cache of the walk and of each reader (like `core.deltaBaseCacheLimit`).
/// Bounded, so the heap stays small: 8, 12 and 24 MiB ran as fast on git/git, and each MiB
/// costs about 5 MiB of heap over the three threads.
const READER_PACK_CACHE: usize = 12 << 20;

/// What the walk hands out, in this order.
pub(super) struct WalkPlan {
    /// Trees and blobs named directly by a ref (name, id, kind).
    pub(super) loose_roots: Vec<(String, ObjectId, Kind)>,
    /// The commits to scan, parents before children.
    pub(super) commits: Vec<ObjectId>,
    /// Annotated tags (ref name, tag object).
    pub(super) tags: Vec<(String, ObjectId)>,
    /// Every commit the walk reached or hid: with `--unreachable`, objects outside it are
    /// looked for in the object database.
    pub(super) walked: Option<HashSet<ObjectId>>,
    /// What is known of the commits already (those stored whole in the packs).
    pub(super) known: HashMap<ObjectId, CommitMeta>,
}

/// Walks `plan` on one thread while the readers scan what it hands out; `seen` holds the
/// objects not to hand out again (those of the `--since` boundary).
pub(super) fn walk_and_read(
    shared: &gix::ThreadSafeRepository,
    packs: &Packs,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
    seen: HashSet<ObjectId>,
    plan: WalkPlan,
) {
    let (tx, rx) = mpsc::sync_channel::<Vec<Item>>(CHANNEL_BOUND);
    std::thread::scope(|scope| {
        let walker = scope.spawn(move || walk_history(shared, packs, ctx, seen, tx, plan));
        // Readers: each takes a part of a batch off the channel, then reads and scans it alone.
        let rx = Arc::new(Mutex::new(rx));
        let readers: Vec<_> = (0..rayon::current_num_threads().max(1))
            .map(|_| {
                let rx = Arc::clone(&rx);
                scope.spawn(move || read_batches(shared, packs, &rx, ctx, sink))
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
}

/// The walker thread: loose roots, the commits in order, then what lies beyond the refs.
fn walk_history(
    shared: &gix::ThreadSafeRepository,
    packs: &Packs,
    ctx: &Ctx,
    seen: HashSet<ObjectId>,
    tx: mpsc::SyncSender<Vec<Item>>,
    plan: WalkPlan,
) {
    let repo = shared.to_thread_local();
    let mut walk = Walk {
        repo: &repo,
        packs: PackReader::new(packs, READER_PACK_CACHE),
        ctx,
        known: plan.known,
        seen,
        tx,
        batch: Vec::new(),
        batch_size: FIRST_BATCH,
        tree_buf: Vec::new(),
        last_trees: LastTrees::default(),
        tree_starts: Vec::new(),
        prefix: BString::default(),
    };
    for (name, id, kind) in plan.loose_roots {
        let info = Arc::new(CommitInfo::none());
        let alive = match kind {
            Kind::Tree => walk.tree(id, BString::from(format!("{name}:")), &info),
            _ => walk.blob(id, BString::from(name), &info),
        };
        if !alive {
            return;
        }
    }
    let mut commit_buf = Vec::new();
    for id in plan.commits {
        if !walk.commit(id, &mut commit_buf) {
            return;
        }
    }
    walk.coverage_extras(&plan.tags, plan.walked.as_ref());
    walk.flush();
}

/// A reader thread: takes batches off the channel until the walk is done.
fn read_batches(
    shared: &gix::ThreadSafeRepository,
    packs: &Packs,
    rx: &Mutex<mpsc::Receiver<Vec<Item>>>,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) {
    let repo = shared.to_thread_local();
    let mut packs = PackReader::new(packs, READER_PACK_CACHE);
    let mut buf = Vec::new();
    loop {
        let batch = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(batch) = batch else { break };
        for item in batch {
            read_item(&repo, &mut packs, &mut buf, item, ctx, sink);
        }
    }
}

/// The single-threaded part: commits and trees, in history order.
struct Walk<'a> {
    repo: &'a gix::Repository,
    packs: PackReader<'a>,
    ctx: &'a Ctx,
    /// What is known of the commits already.
    known: HashMap<ObjectId, CommitMeta>,
    seen: HashSet<ObjectId>,
    tx: mpsc::SyncSender<Vec<Item>>,
    /// Items not yet handed over ([`BATCH`] at a time).
    batch: Vec<Item>,
    /// Items per batch now (see [`BATCH`]).
    batch_size: usize,
    tree_buf: Vec<u8>,
    /// The last tree walked at each path, to pass over the entries a new one shares with it.
    last_trees: LastTrees,
    /// Entry starts of the tree being walked (a buffer).
    tree_starts: Vec<u32>,
    /// Prefix of the paths of the commit being walked (`(dangling):` for unreachable ones).
    prefix: BString,
}

impl Walk<'_> {
    /// Returns false when the readers are gone.
    fn commit(&mut self, id: ObjectId, buf: &mut Vec<u8>) -> bool {
        let meta = match CommitMeta::of(&self.known, self.repo, &id, buf) {
            Ok(meta) => meta,
            Err(message) => {
                self.ctx.issue(format!("commit {id}"), message);
                return true;
            }
        };
        let tree = meta.tree;
        let info = Arc::new(CommitInfo {
            commit: id.to_string(),
            author: meta.author.clone(),
            date: meta.date,
        });
        if self.ctx.owns(&id)
            && !self.push(Item::Message {
                id,
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
        let none = Arc::new(CommitInfo::none());
        if !self.tag_messages(tags, &none) {
            return;
        }
        if let Some(walked) = walked {
            self.dangling(walked, &none);
        }
    }

    /// The messages of annotated tags. False when the readers are gone.
    fn tag_messages(&mut self, tags: &[(String, ObjectId)], none: &Arc<CommitInfo>) -> bool {
        for (name, id) in tags {
            if self.seen.insert(*id) {
                let path = BString::from(format!("{name} (annotated tag message)"));
                if !self.send_blob(*id, path, none) {
                    return false;
                }
                self.ctx.cover(|c| c.tag_messages += 1);
            }
        }
        true
    }

    /// Commits (`(dangling):path`) and blobs (`(dangling blob)`) of the object database that
    /// the walk did not reach.
    fn dangling(&mut self, walked: &HashSet<ObjectId>, none: &Arc<CommitInfo>) {
        let Some((commits, blobs)) = self.unreachable(walked) else {
            return;
        };
        self.ctx.cover(|c| c.dangling_searched = true);
        self.prefix = BString::from("(dangling):");
        let mut buf = Vec::new();
        for id in commits {
            self.ctx.cover(|c| c.dangling_commits += 1);
            if !self.commit(id, &mut buf) {
                return;
            }
        }
        self.prefix = BString::default();
        for id in blobs {
            if self.seen.insert(id) {
                self.ctx.cover(|c| c.dangling_blobs += 1);
                if !self.send_blob(id, BString::from("(dangling blob)"), none) {
                    return;
                }
            }
        }
    }

    /// The commits and blobs of the object database neither seen nor `walked`, sorted.
    fn unreachable(&self, walked: &HashSet<ObjectId>) -> Option<(Vec<ObjectId>, Vec<ObjectId>)> {
        let all = match self.repo.objects.iter() {
            Ok(all) => all,
            Err(e) => {
                self.ctx
                    .issue("objects", format!("cannot list the object database: {e}"));
                return None;
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
        blobs.sort_unstable();
        blobs.dedup();
        Some((commits, blobs))
    }

    /// Walks `tree` (at `prefix`), entering only trees not seen before.
    fn tree(&mut self, tree: ObjectId, prefix: BString, info: &Arc<CommitInfo>) -> bool {
        let mut stack = vec![(tree, prefix)];
        let hash_kind = self.repo.object_hash();
        while let Some((id, prefix)) = stack.pop() {
            if !self.seen.insert(id) {
                continue;
            }
            let data = match self.packs.read(self.repo, &id, &mut self.tree_buf) {
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
            let starts = std::mem::take(&mut self.tree_starts);
            let last = self.last_trees.at(&prefix);
            let mut changes = Changes::new(last, data.data, hash_kind, starts);
            while let Some(entry) = changes.next_changed() {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        self.ctx.issue(format!("tree {id} ({prefix})"), e);
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
            if let Some(starts) = changes.finish() {
                let tree = KeptTree::new(std::mem::take(&mut self.tree_buf), starts);
                (self.tree_buf, self.tree_starts) =
                    self.last_trees.keep(&prefix, tree).into_parts();
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
        self.batch.len() < self.batch_size || self.flush()
    }

    /// Hands over the queued items. False when the readers are gone.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let mut batch = std::mem::take(&mut self.batch);
        self.batch_size = (self.batch_size * 2).min(BATCH);
        // In pack order, cut in one part per reader: each reader decodes its own range of
        // the pack, so no delta base is inflated by both.
        let packs = &self.packs;
        batch.sort_by_cached_key(|item| match item {
            Item::Blob { id, .. } | Item::Message { id, .. } => packs.position(id),
        });
        let parts = rayon::current_num_threads().max(1);
        let size = batch.len().div_ceil(parts);
        while batch.len() > size {
            let rest = batch.split_off(size);
            if self.tx.send(batch).is_err() {
                return false;
            }
            batch = rest;
        }
        self.tx.send(batch).is_ok()
    }
}

/// Worker side: read one blob and hand it to the sink.
fn read_item(
    repo: &gix::Repository,
    packs: &mut PackReader<'_>,
    buf: &mut Vec<u8>,
    item: Item,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) {
    match item {
        Item::Message { id, info } => {
            let provenance = GitProvenance {
                commit: info.commit.clone(),
                author: info.author.clone(),
                date: info.date,
                path: String::new(),
                commit_message: true,
            };
            match packs.read(repo, &id, buf) {
                Ok(data) => {
                    let iter = CommitRefIter::from_bytes(data.data, repo.object_hash());
                    let message = iter.message().unwrap_or_default();
                    if !message.is_empty() {
                        ctx.deliver(message, &provenance, sink);
                    }
                }
                Err(message) => ctx.issue(format!("commit {id}"), message),
            }
        }
        Item::Blob { id, info, path } => {
            let provenance = GitProvenance {
                commit: info.commit.clone(),
                author: info.author.clone(),
                date: info.date,
                path: path.to_str_lossy().into_owned(),
                commit_message: false,
            };
            match packs.read(repo, &id, buf) {
                Ok(data) => ctx.deliver(data.data, &provenance, sink),
                Err(message) => ctx.issue(
                    format!("blob {id} ({}, commit {})", provenance.path, info.commit),
                    message,
                ),
            }
        }
    }
}
