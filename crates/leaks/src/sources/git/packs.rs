//! Reading objects from the repository's packs in history order without decoding delta
//! chains again and again.
//!
//! Git keeps the newest version of a file whole and older ones as deltas against newer
//! ones, so an old version sits deep in its chain, and a history scan reads oldest first.
//! gitoxide's delta-base cache keeps only the object asked for and never looks up a chain's
//! whole base, so reading versions 1, 2, 3… of a file decoded each chain again from its
//! inflated base: quadratic in the chain's depth. Here each object decoded on the way that
//! some delta is based on, whole bases included, goes into the reader's cache, so each
//! costs one delta while it stays cached. The walk also hands out blobs in pack order
//! ([`PackReader::position`]).

use std::path::Path;

use gix::ObjectId;
use gix::objs::Kind;
use gix::odb::pack::cache::DecodeEntry;
use gix::odb::pack::cache::lru::MemoryCappedHashmap;
use gix::odb::pack::data::entry::Header;
use gix::odb::pack::{Bundle, data};

use super::read_object;

/// Longer chains are taken as corrupt (git's own limit is 4,095 and packs use 50).
const MAX_CHAIN: usize = 10_000;

/// zlib expands at most about 1032:1; a header claiming more is corrupt.
const MAX_INFLATE_RATIO: usize = 1032;

/// The packs of a repository, opened once and shared by every reader.
pub(super) struct Packs {
    bundles: Vec<Bundle>,
    /// Per pack, the sorted offsets of the entries some delta is based on: only those are
    /// worth caching (the others, most old versions, are read once).
    bases: Vec<Vec<data::Offset>>,
    /// The commits stored whole: (id, pack, offset).
    whole_commits: Vec<(ObjectId, usize, data::Offset)>,
}

impl Packs {
    /// Opens every pack under `objects/pack`; a pack that cannot be opened is left to the
    /// object database's own reader (which is used for whatever is not found here).
    pub(super) fn open(objects_dir: &Path, hash: gix::hash::Kind) -> Packs {
        let mut idx_files: Vec<_> = std::fs::read_dir(objects_dir.join("pack"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        idx_files.sort();
        let bundles: Vec<_> = idx_files
            .iter()
            .filter_map(|idx| Bundle::at(idx, hash).ok())
            .collect();
        let mut bases = Vec::new();
        let mut whole_commits = Vec::new();
        for (n, bundle) in bundles.iter().enumerate() {
            bases.push(entries_of(n, bundle, &mut whole_commits));
        }
        Packs {
            bundles,
            bases,
            whole_commits,
        }
    }

    /// The commits stored whole: (id, pack, offset).
    pub(super) fn whole_commits(&self) -> &[(ObjectId, usize, data::Offset)] {
        &self.whole_commits
    }

    fn is_base(&self, pack: usize, offset: data::Offset) -> bool {
        self.bases[pack].binary_search(&offset).is_ok()
    }
}

/// From the entry headers of pack `n`: the sorted offsets of the entries some delta is
/// based on; the whole commits are added to `commits`.
fn entries_of(
    n: usize,
    bundle: &Bundle,
    commits: &mut Vec<(ObjectId, usize, data::Offset)>,
) -> Vec<data::Offset> {
    let mut bases = Vec::new();
    for i in 0..bundle.index.num_objects() {
        let offset = bundle.index.pack_offset_at_index(i);
        let Ok(entry) = bundle.pack.entry(offset) else {
            continue;
        };
        if matches!(entry.header, Header::Commit) {
            commits.push((bundle.index.oid_at_index(i).to_owned(), n, offset));
        } else if let Ok(base) = base_offset(bundle, &entry) {
            bases.push(base);
        }
    }
    bases.sort_unstable();
    bases.dedup();
    bases
}

/// One thread's reader over [`Packs`], with its own cache and buffers.
pub(super) struct PackReader<'a> {
    packs: &'a Packs,
    /// Decoded objects by (pack, entry offset), whole bases and delta results alike.
    cache: MemoryCappedHashmap,
    inflate: libdeflater::Decompressor,
    /// The deltas between the object asked for and the nearest decoded base, nearest last.
    chain: Vec<data::Entry>,
    instructions: Vec<u8>,
    target: Vec<u8>,
}

impl<'a> PackReader<'a> {
    pub(super) fn new(packs: &'a Packs, cache_bytes: usize) -> PackReader<'a> {
        PackReader {
            packs,
            cache: MemoryCappedHashmap::new(cache_bytes),
            inflate: libdeflater::Decompressor::new(),
            chain: Vec::new(),
            instructions: Vec::new(),
            target: Vec::new(),
        }
    }

    /// Reads `id` into `out`: from a pack when one holds it, else (loose objects, alternates,
    /// a pack not opened here, a base outside the pack) from the object database, whose
    /// error is the one reported when both fail.
    pub(super) fn read<'b>(
        &mut self,
        repo: &gix::Repository,
        id: &gix::oid,
        out: &'b mut Vec<u8>,
    ) -> Result<gix::objs::Data<'b>, String> {
        match self.read_packed(id, out) {
            Some(Ok(kind)) => Ok(gix::objs::Data::new(out, kind, repo.object_hash())),
            _ => {
                // `out` holds exactly the object, as from a pack.
                let data = read_object(repo, id, &mut self.target)?;
                out.clear();
                out.extend_from_slice(data.data);
                Ok(gix::objs::Data::new(out, data.kind, repo.object_hash()))
            }
        }
    }

    /// Where `id` lies in the packs (pack number, offset); None when no pack holds it.
    pub(super) fn position(&self, id: &gix::oid) -> Option<(usize, data::Offset)> {
        self.packs.bundles.iter().enumerate().find_map(|(n, b)| {
            b.index
                .lookup(id)
                .map(|i| (n, b.index.pack_offset_at_index(i)))
        })
    }

    /// The kind of the packed object `id`, its data in `out`; None when no pack holds it.
    fn read_packed(&mut self, id: &gix::oid, out: &mut Vec<u8>) -> Option<Result<Kind, String>> {
        let (pack, offset) = self.position(id)?;
        Some(self.decode_at(pack, offset, out))
    }

    /// Decodes the entry at `offset` of pack `pack` into `out`: up its delta chain to the
    /// nearest cached object or whole base, then each delta back down, caching the results
    /// that some delta is based on.
    pub(super) fn decode_at(
        &mut self,
        pack: usize,
        offset: data::Offset,
        out: &mut Vec<u8>,
    ) -> Result<Kind, String> {
        let packs = self.packs;
        let bundle = &packs.bundles[pack];
        let pack_id = bundle.pack.id;
        let worth_keeping = |offset| packs.is_base(pack, offset);
        self.chain.clear();
        let mut cursor = offset;
        let kind = loop {
            if let Some((kind, _)) = self.cache.get(pack_id, cursor, out) {
                break kind;
            }
            let entry = bundle.pack.entry(cursor).map_err(|e| e.to_string())?;
            if let Some(kind) = entry.header.as_kind() {
                inflate_entry(&mut self.inflate, bundle, &entry, out)?;
                if worth_keeping(cursor) {
                    self.cache.put(pack_id, cursor, out, kind, 0);
                }
                break kind;
            }
            if self.chain.len() == MAX_CHAIN {
                return Err(format!(
                    "delta chain longer than {MAX_CHAIN} at offset {offset}"
                ));
            }
            cursor = base_offset(bundle, &entry)?;
            self.chain.push(entry);
        };
        while let Some(entry) = self.chain.pop() {
            inflate_entry(&mut self.inflate, bundle, &entry, &mut self.instructions)?;
            apply_delta(out, &self.instructions, &mut self.target)?;
            std::mem::swap(out, &mut self.target);
            if worth_keeping(entry.pack_offset()) {
                self.cache.put(pack_id, entry.pack_offset(), out, kind, 0);
            }
        }
        Ok(kind)
    }
}

/// Inflates `entry`'s data (a whole object or delta instructions) into `out` in one call:
/// the entry's header gives its size (libdeflate; faster than a zlib stream).
fn inflate_entry(
    inflate: &mut libdeflater::Decompressor,
    bundle: &Bundle,
    entry: &data::Entry,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let size = usize::try_from(entry.decompressed_size).unwrap_or(usize::MAX);
    let pack = &bundle.pack;
    let input = pack
        .entry_slice(entry.data_offset..pack.pack_end() as u64)
        .unwrap_or_default();
    if size > input.len().saturating_mul(MAX_INFLATE_RATIO) {
        return Err(format!(
            "pack entry at offset {} claims {size} bytes, more than its data can hold",
            entry.pack_offset()
        ));
    }
    out.clear();
    out.resize(size, 0);
    match inflate.zlib_decompress(input, out) {
        Ok(n) if n == size => Ok(()),
        Ok(n) => Err(format!(
            "pack entry at offset {} inflates to {n} bytes, not {size}",
            entry.pack_offset()
        )),
        Err(e) => Err(format!(
            "pack entry at offset {} cannot be inflated: {e}",
            entry.pack_offset()
        )),
    }
}

/// The pack offset of the delta base of `entry` (a `REF_DELTA` base looked up in the same
/// pack; one outside it makes the caller read the object through the object database).
fn base_offset(bundle: &Bundle, entry: &data::Entry) -> Result<data::Offset, String> {
    match &entry.header {
        Header::OfsDelta { base_distance } => entry
            .checked_base_pack_offset(*base_distance)
            .ok_or_else(|| {
                format!(
                    "delta base before the pack's start at {}",
                    entry.pack_offset()
                )
            }),
        Header::RefDelta { base_id } => bundle
            .index
            .lookup(base_id)
            .map(|i| bundle.index.pack_offset_at_index(i))
            .ok_or_else(|| format!("delta base {base_id} is not in the same pack")),
        _ => Err("not a delta".into()),
    }
}

/// Applies git's delta `instructions` to `base`, writing the result into `out`: a header of
/// two sizes (base, result), then copies from the base and inserted bytes.
fn apply_delta(base: &[u8], instructions: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let corrupt = |what: &str| format!("corrupt delta: {what}");
    let mut at = 0;
    let base_size = delta_size(instructions, &mut at).ok_or_else(|| corrupt("truncated header"))?;
    let result_size =
        delta_size(instructions, &mut at).ok_or_else(|| corrupt("truncated header"))?;
    if base_size != base.len() as u64 {
        return Err(corrupt("the base's size differs from the header's"));
    }
    out.clear();
    out.reserve(usize::try_from(result_size).unwrap_or(0).min(1 << 28));
    while let Some(&op) = instructions.get(at) {
        at += 1;
        let piece = if op & 0x80 != 0 {
            let (start, len) = copy_operands(op, instructions, &mut at)
                .ok_or_else(|| corrupt("truncated copy"))?;
            start
                .checked_add(len)
                .and_then(|end| base.get(start..end))
                .ok_or_else(|| corrupt("a copy beyond the base"))?
        } else if op == 0 {
            return Err(corrupt("reserved instruction 0"));
        } else {
            let end = at + usize::from(op);
            let inserted = instructions
                .get(at..end)
                .ok_or_else(|| corrupt("truncated insert"))?;
            at = end;
            inserted
        };
        if (out.len() + piece.len()) as u64 > result_size {
            return Err(corrupt("the result outgrows the header's size"));
        }
        out.extend_from_slice(piece);
    }
    if out.len() as u64 != result_size {
        return Err(corrupt("the result is shorter than the header's size"));
    }
    Ok(())
}

/// A delta header size: little-endian groups of 7 bits, the high bit marking more.
fn delta_size(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut size = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        size |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
    None
}

/// A copy's offset (bits 0–3 of `op` say which of its 4 bytes follow) and length (bits
/// 4–6, 3 bytes; 0 means 65,536).
fn copy_operands(op: u8, bytes: &[u8], at: &mut usize) -> Option<(usize, usize)> {
    let mut take = |present: bool, shift: u32| -> Option<usize> {
        if !present {
            return Some(0);
        }
        let byte = *bytes.get(*at)?;
        *at += 1;
        Some(usize::from(byte) << shift)
    };
    let mut start = 0;
    for n in 0..4 {
        start |= take(op & (1 << n) != 0, 8 * n)?;
    }
    let mut len = 0;
    for n in 0..3 {
        len |= take(op & (0x10 << n) != 0, 8 * n)?;
    }
    Some((start, if len == 0 { 0x10000 } else { len }))
}

#[cfg(test)]
mod tests;
