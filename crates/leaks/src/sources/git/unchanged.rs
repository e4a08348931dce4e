//! Only the entries in which a tree differs from the last tree walked at the same path.
//!
//! Most of a new version of a directory is the bytes of its last version, and every entry
//! of a walked tree was seen already. The bytes the two share at the start and at the end
//! hold the same entries (both lists are parsed from entry boundaries the last walk
//! recorded); between them, the two sorted lists are compared side by side, entry bytes
//! with entry bytes. Only entries the last tree lacks are parsed and looked up in the
//! (large) set of seen objects.

use std::cmp::Ordering;
use std::collections::HashMap;

use gix::bstr::BString;
use gix::objs::TreeRefIter;
use gix::objs::tree::EntryRef;

/// Bytes of kept trees beyond which new paths are not kept (old ones are still replaced).
const MAX_KEPT: usize = 64 << 20;

/// A tree's bytes and where each of its entries starts.
#[derive(Default)]
pub(super) struct KeptTree {
    bytes: Vec<u8>,
    starts: Vec<u32>,
}

/// The last tree walked at each path.
#[derive(Default)]
pub(super) struct LastTrees {
    by_path: HashMap<BString, KeptTree>,
    bytes: usize,
    empty: KeptTree,
}

impl LastTrees {
    /// The last tree walked at `path` (an empty one when none).
    pub(super) fn at(&self, path: &BString) -> &KeptTree {
        self.by_path.get(path).unwrap_or(&self.empty)
    }

    /// Keeps `tree` as the last tree at `path`; returns buffers to reuse.
    pub(super) fn keep(&mut self, path: &BString, tree: KeptTree) -> KeptTree {
        let size = |t: &KeptTree| t.bytes.len() + 4 * t.starts.len();
        if let Some(slot) = self.by_path.get_mut(path) {
            self.bytes = self.bytes - size(slot) + size(&tree);
            return std::mem::replace(slot, tree);
        }
        if self.bytes + size(&tree) > MAX_KEPT {
            return tree;
        }
        self.bytes += size(&tree);
        self.by_path.insert(path.clone(), tree);
        KeptTree::default()
    }
}

/// The entries of `new` not in `last`, in order; afterwards, [`Changes::finish`] gives
/// `new` with its entry starts, to keep.
pub(super) struct Changes<'a> {
    last: &'a KeptTree,
    new: &'a [u8],
    hash: gix::hash::Kind,
    /// Where the next entry of `new` starts.
    at: usize,
    /// From here on `new` ends as `last` does.
    suffix_from: usize,
    starts: Vec<u32>,
    /// The entry of `last` to compare the next entry of `new` with.
    next_old: usize,
    done: bool,
    /// An entry could not be read: the starts are incomplete.
    broken: bool,
}

impl<'a> Changes<'a> {
    /// `starts` is a buffer to reuse.
    pub(super) fn new(
        last: &'a KeptTree,
        new: &'a [u8],
        hash: gix::hash::Kind,
        mut starts: Vec<u32>,
    ) -> Changes<'a> {
        let old = &last.bytes;
        let prefix = common_prefix(old, new);
        // The entries of `last` that end within the shared start are in `new` too; entry i
        // ends where entry i + 1 starts, the last one at the end of the bytes.
        let ends_within = last
            .starts
            .get(1..)
            .unwrap_or_default()
            .partition_point(|&s| s as usize <= prefix);
        let whole = if ends_within + 1 == last.starts.len() && old.len() <= prefix {
            last.starts.len()
        } else {
            ends_within
        };
        starts.clear();
        starts.extend_from_slice(&last.starts[..whole]);
        let at = if whole == last.starts.len() {
            old.len().min(prefix)
        } else {
            last.starts[whole] as usize
        };
        let suffix = common_suffix(&old[at.min(old.len())..], &new[at..]);
        Changes {
            last,
            new,
            hash,
            at,
            suffix_from: new.len() - suffix,
            starts,
            next_old: whole,
            done: false,
            broken: false,
        }
    }

    /// The next entry of `new` that `last` does not have.
    pub(super) fn next_changed(&mut self) -> Option<Result<EntryRef<'a>, String>> {
        loop {
            if self.done || self.at >= self.new.len() {
                return None;
            }
            if self.at >= self.suffix_from && self.rest_is_last() {
                return None;
            }
            let rest = &self.new[self.at..];
            let Some(len) = entry_len(rest, self.hash.len_in_bytes()) else {
                return Some(self.broken("truncated tree entry".into()));
            };
            let bytes = &rest[..len];
            self.starts.push(self.at as u32);
            self.at += len;
            if self.in_last(bytes) {
                continue;
            }
            return match TreeRefIter::from_bytes(bytes, self.hash).next() {
                Some(Ok(entry)) => Some(Ok(entry)),
                Some(Err(e)) => Some(self.broken(e.to_string())),
                None => Some(self.broken("empty tree entry".into())),
            };
        }
    }

    fn broken(&mut self, message: String) -> Result<EntryRef<'a>, String> {
        self.broken = true;
        self.done = true;
        Err(message)
    }

    /// Whether `last` has exactly `entry`, passing over its entries that sort before it.
    fn in_last(&mut self, entry: &[u8]) -> bool {
        while let Some(old) = self.last.entry(self.next_old) {
            if old == entry {
                self.next_old += 1;
                return true;
            }
            match tree_order(old, entry) {
                Ordering::Less => self.next_old += 1,
                Ordering::Equal => {
                    self.next_old += 1;
                    return false;
                }
                Ordering::Greater => return false,
            }
        }
        false
    }

    /// Whether `last` has an entry starting where the rest of `new` starts (the bytes from
    /// there on being the same): then it has every entry of the rest. Records their starts.
    fn rest_is_last(&mut self) -> bool {
        let shift = self.last.bytes.len() as i64 - self.new.len() as i64;
        let there = self.at as i64 + shift;
        let Ok(there) = u32::try_from(there) else {
            return false;
        };
        let Ok(i) = self.last.starts.binary_search(&there) else {
            return false;
        };
        let back = |s: &u32| (i64::from(*s) - shift) as u32;
        self.starts.extend(self.last.starts[i..].iter().map(back));
        self.done = true;
        true
    }

    /// Whether every entry was read (none was corrupt), and `new`'s entry starts.
    pub(super) fn finish(mut self) -> Option<Vec<u32>> {
        while let Some(entry) = self.next_changed() {
            if entry.is_err() {
                return None;
            }
        }
        (!self.broken).then_some(self.starts)
    }
}

/// Where entry `i` of `tree` ends.
fn entry_end(tree: &KeptTree, i: usize) -> usize {
    tree.starts
        .get(i + 1)
        .map_or(tree.bytes.len(), |s| *s as usize)
}

/// The length of the entry at the start of `bytes` (`mode name\0id`).
fn entry_len(bytes: &[u8], hash_len: usize) -> Option<usize> {
    let len = memchr::memchr(0, bytes)? + 1 + hash_len;
    (len <= bytes.len()).then_some(len)
}

/// Git's order of raw tree entries: by name, a directory's name as if followed by `/`.
fn tree_order(a: &[u8], b: &[u8]) -> Ordering {
    let (a_name, a_dir) = name_of(a);
    let (b_name, b_dir) = name_of(b);
    let common = a_name.len().min(b_name.len());
    let next = |name: &[u8], dir: bool| {
        name.get(common)
            .copied()
            .unwrap_or(if dir { b'/' } else { 0 })
    };
    a_name[..common]
        .cmp(&b_name[..common])
        .then_with(|| next(a_name, a_dir).cmp(&next(b_name, b_dir)))
}

/// An entry's name and whether it is a directory (mode `40000`).
fn name_of(entry: &[u8]) -> (&[u8], bool) {
    let space = memchr::memchr(b' ', entry).unwrap_or(0);
    let nul = memchr::memchr(0, entry).unwrap_or(entry.len());
    let name = entry.get(space + 1..nul).unwrap_or_default();
    (name, entry[..space].ends_with(b"40000"))
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 32;
    let len = a.len().min(b.len());
    let mut i = 0;
    while i + CHUNK <= len && a[i..i + CHUNK] == b[i..i + CHUNK] {
        i += CHUNK;
    }
    while i < len && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 32;
    let len = a.len().min(b.len());
    let (mut i, ea, eb) = (0, a.len(), b.len());
    while i + CHUNK <= len && a[ea - i - CHUNK..ea - i] == b[eb - i - CHUNK..eb - i] {
        i += CHUNK;
    }
    while i < len && a[ea - i - 1] == b[eb - i - 1] {
        i += 1;
    }
    i
}

impl KeptTree {
    /// Entry `i`'s bytes.
    fn entry(&self, i: usize) -> Option<&[u8]> {
        let start = *self.starts.get(i)? as usize;
        self.bytes.get(start..entry_end(self, i))
    }

    /// A tree to keep: its bytes and entry starts.
    pub(super) fn new(bytes: Vec<u8>, starts: Vec<u32>) -> KeptTree {
        KeptTree { bytes, starts }
    }

    /// The buffers, to reuse.
    pub(super) fn into_parts(self) -> (Vec<u8>, Vec<u32>) {
        (self.bytes, self.starts)
    }
}

#[cfg(test)]
mod tests;
