use gix::objs::tree::{Entry, EntryKind};
use gix::objs::{Tree, WriteTo};

use super::*;

const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

/// A tree's bytes from (name, kind, id byte) entries, in git's order.
fn tree(entries: &[(String, EntryKind, u8)]) -> Vec<u8> {
    let mut tree = Tree {
        entries: entries
            .iter()
            .map(|(name, kind, id)| Entry {
                mode: (*kind).into(),
                filename: name.as_str().into(),
                oid: gix::ObjectId::from_bytes_or_panic(&[*id; 20]),
            })
            .collect(),
    };
    tree.entries.sort();
    let mut out = Vec::new();
    tree.write_to(&mut out).expect("writes");
    out
}

/// Parses every entry: (start, name, mode, id).
fn parsed(bytes: &[u8]) -> Vec<(u32, String, u16, gix::ObjectId)> {
    let mut at = 0;
    let mut out = Vec::new();
    for entry in TreeRefIter::from_bytes(bytes, SHA1) {
        let entry = entry.expect("entry");
        out.push((
            at as u32,
            entry.filename.to_string(),
            entry.mode.value(),
            entry.oid.to_owned(),
        ));
        at += memchr::memchr(0, &bytes[at..]).expect("nul") + 21;
    }
    out
}

fn kept(bytes: Vec<u8>) -> KeptTree {
    let starts = parsed(&bytes).iter().map(|e| e.0).collect();
    KeptTree::new(bytes, starts)
}

/// The entries `Changes` yields and the starts it records.
fn changes(last: &KeptTree, new: &[u8]) -> (Vec<String>, Vec<u32>) {
    let mut changes = Changes::new(last, new, SHA1, Vec::new());
    let mut names = Vec::new();
    while let Some(entry) = changes.next_changed() {
        names.push(entry.expect("entry").filename.to_string());
    }
    (names, changes.finish().expect("complete"))
}

fn entries(n: usize, seed: u8) -> Vec<(String, EntryKind, u8)> {
    (0..n)
        .map(|i| {
            let kind = if i % 5 == 0 {
                EntryKind::Tree
            } else {
                EntryKind::Blob
            };
            (format!("file-{i:03}"), kind, seed.wrapping_add(i as u8))
        })
        .collect()
}

#[test]
fn one_changed_entry_is_the_only_one_read() {
    let old = entries(300, 1);
    let mut new = old.clone();
    new[150].2 = 0xee;
    let last = kept(tree(&old));
    let new = tree(&new);
    let (names, starts) = changes(&last, &new);
    assert_eq!(names, ["file-150"]);
    assert_eq!(starts, parsed(&new).iter().map(|e| e.0).collect::<Vec<_>>());
}

/// Between two changes far apart the lists are compared entry by entry: an added and a
/// removed entry do not make the rest look new.
#[test]
fn entries_between_changes_are_passed_over() {
    let old = entries(300, 1);
    let mut new = old.clone();
    new[20].2 = 0xee;
    new.remove(100);
    new.push(("file-150a".into(), EntryKind::Blob, 7));
    new[280].2 = 0xef;
    let last = kept(tree(&old));
    let (names, _) = changes(&last, &tree(&new));
    assert_eq!(names, ["file-020", "file-150a", "file-281"]);
}

#[test]
fn without_a_last_tree_every_entry_is_read() {
    let new = tree(&entries(40, 3));
    let (names, starts) = changes(&KeptTree::default(), &new);
    assert_eq!(names.len(), 40);
    assert_eq!(starts.len(), 40);
}

/// Random edits (changed ids and modes, added, removed and renamed entries): every entry
/// of the new tree that the last one lacks is read, in order, and the starts are the
/// new tree's.
#[test]
fn every_new_entry_is_read_after_any_edit() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for _ in 0..2_000 {
        let old = entries(1 + random(60) as usize, random(200) as u8);
        let mut new = old.clone();
        for _ in 0..random(4) {
            let i = random(new.len() as u64) as usize;
            match random(5) {
                0 => new[i].2 = new[i].2.wrapping_add(1),
                1 => new[i].1 = EntryKind::BlobExecutable,
                2 => new[i].0 = format!("{}x", new[i].0),
                3 if new.len() > 1 => {
                    new.remove(i);
                }
                _ => new.push((
                    format!("added-{}", random(1000)),
                    EntryKind::Blob,
                    random(250) as u8,
                )),
            }
        }
        new.sort_by(|a, b| a.0.cmp(&b.0));
        new.dedup_by(|a, b| a.0 == b.0);
        let (old_bytes, new_bytes) = (tree(&old), tree(&new));
        let last = kept(old_bytes.clone());
        let (names, starts) = changes(&last, &new_bytes);
        let all = parsed(&new_bytes);
        assert_eq!(starts, all.iter().map(|e| e.0).collect::<Vec<_>>());
        let before: Vec<_> = parsed(&old_bytes)
            .into_iter()
            .map(|e| (e.1, e.2, e.3))
            .collect();
        let must: Vec<String> = all
            .iter()
            .filter(|e| !before.contains(&(e.1.clone(), e.2, e.3)))
            .map(|e| e.1.clone())
            .collect();
        let order: Vec<String> = all
            .iter()
            .map(|e| e.1.clone())
            .filter(|n| names.contains(n))
            .collect();
        assert_eq!(names, order, "read in order");
        for name in must {
            assert!(names.contains(&name), "{name} changed but was not read");
        }
        for entry in all.iter().filter(|e| !names.contains(&e.1)) {
            let key = (entry.1.clone(), entry.2, entry.3);
            assert!(
                before.contains(&key),
                "{} passed over but not in the last tree",
                entry.1
            );
        }
    }
}

#[test]
fn a_truncated_tree_is_an_error_and_not_kept() {
    let mut bytes = tree(&entries(5, 1));
    bytes.truncate(bytes.len() - 3);
    let none = KeptTree::default();
    let mut changes = Changes::new(&none, &bytes, SHA1, Vec::new());
    let read: Vec<_> = std::iter::from_fn(|| changes.next_changed()).collect();
    assert!(read.last().expect("some").is_err());
    assert!(changes.finish().is_none());
}

#[test]
fn kept_trees_are_replaced_and_bounded() {
    let mut last = LastTrees::default();
    let path = BString::from("src");
    let old = last.keep(&path, KeptTree::new(vec![1; 10], vec![0]));
    assert!(old.bytes.is_empty());
    assert_eq!(last.at(&path).bytes, vec![1; 10]);
    let back = last.keep(&path, KeptTree::new(vec![2; 4], vec![0]));
    assert_eq!(back.bytes, vec![1; 10], "the old buffers come back");
    assert_eq!(last.bytes, 8);
    let big = KeptTree::new(vec![0; MAX_KEPT], Vec::new());
    assert_eq!(
        last.keep(&BString::from("big"), big).bytes.len(),
        MAX_KEPT,
        "not kept"
    );
    assert!(last.at(&BString::from("big")).bytes.is_empty());
}
