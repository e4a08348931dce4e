use std::path::Path;
use std::process::Command;

use super::*;

/// A delta header size, as git writes it.
fn size(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn delta(base_len: usize, result_len: usize, ops: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    size(base_len, &mut d);
    size(result_len, &mut d);
    d.extend_from_slice(ops);
    d
}

#[test]
fn a_delta_copies_and_inserts() {
    let base = b"hello world, hello ksef";
    // copy 6 bytes from 0, insert "there", copy 5 bytes from offset 13 (one offset byte)
    let ops = [&[0x91, 0, 6][..], &[5], b"there", &[0x91, 13, 5]].concat();
    let mut out = Vec::new();
    apply_delta(base, &delta(base.len(), 16, &ops), &mut out).expect("applies");
    assert_eq!(out, b"hello therehello");
}

#[test]
fn a_copy_of_size_zero_means_64_kib() {
    let base = vec![7u8; 0x10000 + 3];
    let mut out = Vec::new();
    apply_delta(&base, &delta(base.len(), 0x10000, &[0x80]), &mut out).expect("applies");
    assert_eq!(out.len(), 0x10000);
}

#[test]
fn corrupt_deltas_are_errors_not_panics() {
    let base = b"0123456789";
    let cases: [(&str, Vec<u8>); 6] = [
        ("beyond the base", delta(10, 4, &[0x91, 8, 4])),
        ("differs", delta(11, 2, &[2, b'a', b'b'])),
        ("reserved", delta(10, 1, &[0])),
        ("truncated insert", delta(10, 5, &[5, b'a'])),
        ("outgrows", delta(10, 1, &[2, b'a', b'b'])),
        ("shorter", delta(10, 3, &[2, b'a', b'b'])),
    ];
    for (what, d) in cases {
        let mut out = Vec::new();
        let err = apply_delta(base, &d, &mut out).expect_err(what);
        assert!(err.starts_with("corrupt delta"), "{what}: {err}");
    }
    assert!(
        apply_delta(base, &[0x80], &mut Vec::new()).is_err(),
        "a truncated header"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Sixty versions of two files and their tree, repacked into deep delta chains: every object
/// read here, oldest first, newest first and with a cache too small to hold a chain, is
/// the object gitoxide reads.
#[test]
fn objects_from_deep_delta_chains_match_the_object_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let mut lines: Vec<String> = (0..200)
        .map(|n| format!("line {n} of the configuration, as it was at first"))
        .collect();
    for version in 0..60 {
        // One line changes per version, so each version is nearest to the one before.
        lines[version * 7 % 200] = format!("line changed in version {version}");
        let text = lines.join("\n");
        std::fs::write(root.join("config.txt"), &text).expect("write");
        std::fs::write(root.join("small.txt"), format!("v{version}\n")).expect("write");
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", &format!("v{version}")]);
    }
    git(root, &["repack", "-adfq", "--depth=50", "--window=250"]);

    let repo = gix::open(root).expect("opens");
    let packs = Packs::open(&root.join(".git/objects"), repo.object_hash());
    assert_eq!(packs.bundles.len(), 1, "one pack");
    let mut ids: Vec<_> = repo.objects.iter().expect("lists").flatten().collect();
    assert!(ids.len() > 180, "commits, trees and blobs: {}", ids.len());
    let bundle = &packs.bundles[0];
    let depth = |id: &gix::ObjectId| {
        let offset = bundle
            .index
            .pack_offset_at_index(bundle.index.lookup(id).expect("in"));
        let mut entry = bundle.pack.entry(offset).expect("entry");
        let mut depth = 0;
        while entry.header.is_delta() {
            depth += 1;
            let base = base_offset(bundle, &entry).expect("base");
            entry = bundle.pack.entry(base).expect("entry");
        }
        depth
    };
    let deepest = ids.iter().map(depth).max().unwrap_or(0);
    assert!(
        deepest >= 20,
        "the repack made deep delta chains: {deepest}"
    );

    for (order, cache) in [
        ("by id", 24 << 20),
        ("reversed", 24 << 20),
        ("tiny cache", 600),
    ] {
        if order == "reversed" {
            ids.reverse();
        }
        let mut reader = PackReader::new(&packs, cache);
        for id in &ids {
            let mut ours = Vec::new();
            let data = reader.read(&repo, id, &mut ours).expect("reads");
            let kind = data.kind;
            let theirs = repo.find_object(*id).expect("gix reads");
            assert_eq!(kind, theirs.kind, "{order}: {id}");
            assert_eq!(ours, theirs.data, "{order}: {id}");
        }
    }
}

#[test]
fn a_missing_object_is_an_error_from_the_object_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    let repo = gix::open(dir.path()).expect("opens");
    let packs = Packs::open(&dir.path().join(".git/objects"), repo.object_hash());
    let mut reader = PackReader::new(&packs, 1 << 20);
    let missing =
        gix::ObjectId::from_hex(b"0123456789012345678901234567890123456789").expect("hex");
    let err = reader
        .read(&repo, &missing, &mut Vec::new())
        .expect_err("missing");
    assert!(err.contains("missing"), "{err}");
}

/// A pack entry whose compressed data is damaged is an error naming what failed (from the
/// object database's reader, which is asked next), never a panic or wrong bytes.
#[test]
fn a_damaged_pack_entry_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let text: String = (0..400)
        .map(|n| format!("line {n} of a file to pack\n"))
        .collect();
    std::fs::write(root.join("file.txt"), &text).expect("write");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "one"]);
    git(root, &["repack", "-adq"]);
    let repo = gix::open(root).expect("opens");
    let blob = repo
        .rev_parse_single("HEAD:file.txt")
        .expect("blob")
        .detach();
    let objects = root.join(".git/objects");
    let packs = Packs::open(&objects, repo.object_hash());
    let bundle = &packs.bundles[0];
    let entry = bundle
        .pack
        .entry(
            bundle
                .index
                .pack_offset_at_index(bundle.index.lookup(blob).expect("in")),
        )
        .expect("entry");
    let pack_path = bundle.pack.path().to_path_buf();
    drop(packs);
    let mut bytes = std::fs::read(&pack_path).expect("read");
    let middle = entry.data_offset as usize + 40;
    for b in &mut bytes[middle..middle + 16] {
        *b ^= 0x5a;
    }
    let mut perms = std::fs::metadata(&pack_path).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack_path, perms).expect("chmod");
    std::fs::write(&pack_path, bytes).expect("write");

    let repo = gix::open(root).expect("opens");
    let packs = Packs::open(&objects, repo.object_hash());
    let mut reader = PackReader::new(&packs, 1 << 20);
    let err = reader
        .read(&repo, &blob, &mut Vec::new())
        .expect_err("damaged");
    assert!(
        err.contains("decompress") || err.contains("inflate"),
        "{err}"
    );
}
