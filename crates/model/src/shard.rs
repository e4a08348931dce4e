//! `--shard K/N`: which deterministic part of a scan's work one run takes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Shard `index` of `count` (1-based, like `--shard 2/3`). Work items are assigned by a hash
/// that does not depend on the machine, the run or the order of the work, so N runs with
/// `1/N` … `N/N` cover every item exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The most parts a scan may be split into (`--shard K/N` with `N <= MAX_COUNT`).
    pub const MAX_COUNT: u32 = 1024;

    /// `Ok` when `1 <= index <= count <= MAX_COUNT`; else why not (a shard read from a
    /// results file is checked before it is used).
    pub fn check(self) -> Result<(), String> {
        if self.count == 0 || self.index == 0 || self.index > self.count {
            return Err(format!(
                "shard {self} is not a part of a scan: expected K/N with 1 <= K <= N"
            ));
        }
        if self.count > Self::MAX_COUNT {
            return Err(format!(
                "shard {self}: a scan is split into at most {} shards",
                Self::MAX_COUNT
            ));
        }
        Ok(())
    }

    /// Whether the item with this 64-bit key belongs to the shard.
    pub fn owns(self, key: u64) -> bool {
        key % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// Files of a working tree: by a hash (FNV-1a, 64 bit) of the path as shown in findings.
    pub fn owns_path(self, path: &str) -> bool {
        self.owns(fnv1a(path.as_bytes()))
    }

    /// Git blobs by object id, commit messages by commit id: the first 8 bytes of the id
    /// (already uniformly distributed).
    pub fn owns_object_id(self, id: &[u8]) -> bool {
        let mut first = [0u8; 8];
        let n = id.len().min(8);
        first[..n].copy_from_slice(&id[..n]);
        self.owns(u64::from_be_bytes(first))
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let help = "expected K/N with 1 <= K <= N, e.g. 2/8 (shard 2 of 8)";
        let (k, n) = s.split_once('/').ok_or_else(|| format!("'{s}': {help}"))?;
        let index: u32 = k.trim().parse().map_err(|_| format!("'{s}': {help}"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("'{s}': {help}"))?;
        let shard = Shard { index, count };
        if count == 0 || index == 0 || index > count {
            return Err(format!("'{s}': {help}"));
        }
        shard.check().map_err(|e| format!("'{s}': {e}"))?;
        Ok(shard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_bad_input() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in [
            "0/3",
            "4/3",
            "1/0",
            "x/3",
            "3",
            "",
            "1/1025",
            "1/4000000000",
        ] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert!("1024/1024".parse::<Shard>().is_ok());
        for (index, count) in [(0, 0), (7, 2), (1, 4_000_000_000)] {
            assert!(Shard { index, count }.check().is_err());
        }
    }

    #[test]
    fn every_item_belongs_to_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|index| Shard { index, count: 3 }).collect();
        let mut sizes = [0usize; 3];
        for i in 0..3000 {
            let path = format!("src/file{i}.rs");
            let owners: Vec<usize> = (0..3).filter(|s| shards[*s].owns_path(&path)).collect();
            assert_eq!(owners.len(), 1, "{path}");
            sizes[owners[0]] += 1;
            let id = fnv1a(path.as_bytes()).to_le_bytes();
            assert_eq!(shards.iter().filter(|s| s.owns_object_id(&id)).count(), 1);
        }
        assert!(sizes.iter().all(|n| *n > 800), "{sizes:?}");
    }
}
