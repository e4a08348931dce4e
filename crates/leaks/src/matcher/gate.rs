//! The quick gate: does a buffer hold any of a few literals, in any ASCII case? It reads every
//! byte of every file, so it is the scanner's hottest loop.
//!
//! Each literal is looked for by a three-byte piece of it (its anchor), in every case
//! variant, with the SIMD Teddy searcher; a hit is then compared with the whole literal.
//! Three-byte anchors keep the variants few enough for its small (8-bucket, 32-byte) form
//! (`ksef` alone has 16 four-byte variants), and each anchor gets a bucket of its own
//! ([`arrange`]): on source code that made the searcher three times faster.

use aho_corasick::Span;
use aho_corasick::packed::{Config, MatchKind, Searcher};
use regex::bytes::{Regex, RegexBuilder};

/// Bytes of an anchor.
const ANCHOR: usize = 3;
/// The small Teddy searcher: its buckets, and the patterns it takes before the wide one is
/// chosen.
const SLIM_BUCKETS: usize = 8;
const SLIM_PATTERNS: usize = 32;
/// The wide Teddy searcher (AVX2): its buckets, and the most patterns Teddy takes.
const FAT_BUCKETS: usize = 16;
const TEDDY_PATTERNS: usize = 64;

pub(super) enum LiteralGate {
    Anchored(Anchored),
    /// Literals too short or too many for anchors: one case-insensitive regex.
    Regex(Regex),
}

pub(super) struct Anchored {
    searcher: Searcher,
    /// Per searcher pattern: the literals with that anchor (index into [`Self::literals`]), and
    /// where it sits in each.
    owners: Vec<Vec<(usize, usize)>>,
    literals: Vec<Vec<u8>>,
}

/// Which literals of a [`LiteralGate`] a buffer holds: bit `i` for its `i`th literal
/// ([`LiteralGate::literals`]). A gate that cannot tell them apart sets every bit on a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found(pub(super) u64);

impl Found {
    #[cfg(test)]
    pub(super) fn any(self) -> bool {
        self.0 != 0
    }

    pub(super) fn any_of(self, mask: u64) -> bool {
        self.0 & mask != 0
    }
}

impl LiteralGate {
    /// None when there is nothing to wait for (no literals, or an empty one).
    pub(super) fn new(literals: &[String]) -> Option<LiteralGate> {
        let kept = prune(literals)?;
        if let Some(anchored) = Anchored::new(&kept) {
            return Some(LiteralGate::Anchored(anchored));
        }
        let escaped: Vec<String> = kept.iter().map(|l| regex::escape(l)).collect();
        RegexBuilder::new(&format!("(?i-u:{})", escaped.join("|")))
            .unicode(false)
            .build()
            .ok()
            .map(LiteralGate::Regex)
    }

    #[cfg(test)]
    pub(super) fn is_match(&self, text: &[u8]) -> bool {
        self.found(text).any()
    }

    /// Which literals `text` holds: one pass, ended early only when it holds them all.
    pub(super) fn found(&self, text: &[u8]) -> Found {
        match self {
            LiteralGate::Anchored(a) => a.found(text),
            LiteralGate::Regex(r) => Found(if r.is_match(text) { u64::MAX } else { 0 }),
        }
    }

    /// The bits of the literals for which `keep` holds (given lowercase).
    pub(super) fn mask(&self, keep: impl Fn(&str) -> bool) -> u64 {
        match self {
            LiteralGate::Anchored(a) => a
                .literals
                .iter()
                .enumerate()
                .filter(|(_, l)| keep(&String::from_utf8_lossy(l)))
                .fold(0, |mask, (i, _)| mask | 1 << i),
            LiteralGate::Regex(_) => u64::MAX,
        }
    }
}

/// Lowercase, deduplicated, and without literals that hold another one (`|nip-` holds `nip-`:
/// it adds nothing to "does any occur").
fn prune(literals: &[String]) -> Option<Vec<String>> {
    let mut lower: Vec<String> = literals.iter().map(|l| l.to_ascii_lowercase()).collect();
    if lower.is_empty() || lower.iter().any(String::is_empty) {
        return None;
    }
    lower.sort();
    lower.dedup();
    let kept = lower
        .iter()
        .filter(|l| !lower.iter().any(|o| o != *l && l.contains(o.as_str())))
        .cloned()
        .collect();
    Some(kept)
}

impl Anchored {
    fn new(literals: &[String]) -> Option<Anchored> {
        if literals.is_empty() || literals.len() > 64 {
            return None;
        }
        let mut anchors: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<(usize, usize)>> = Vec::new();
        for (index, literal) in literals.iter().enumerate() {
            let bytes = literal.as_bytes();
            let at = anchor_offset(bytes)?;
            let anchor = bytes[at..at + ANCHOR].to_vec();
            let owner = (index, at);
            match anchors.iter().position(|a| *a == anchor) {
                Some(i) => owners[i].push(owner),
                None => {
                    anchors.push(anchor);
                    owners.push(vec![owner]);
                }
            }
        }
        let groups: Vec<Vec<Vec<u8>>> = anchors.iter().map(|a| case_variants(a)).collect();
        // More than the small searcher takes: Teddy picks the wide one, with 16 buckets.
        let slim = arrange(&groups, SLIM_BUCKETS);
        let (patterns, group_of) = if slim.0.len() <= SLIM_PATTERNS {
            slim
        } else {
            arrange(&groups, FAT_BUCKETS)
        };
        if patterns.len() > TEDDY_PATTERNS {
            return None;
        }
        let pattern_owner = group_of.iter().map(|&g| owners[g].clone()).collect();
        let searcher = Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .builder()
            .extend(&patterns)
            .build()?;
        Some(Anchored {
            searcher,
            owners: pattern_owner,
            literals: literals.iter().map(|l| l.as_bytes().to_vec()).collect(),
        })
    }

    fn found(&self, text: &[u8]) -> Found {
        let all = u64::MAX >> (64 - self.literals.len());
        let mut found = 0u64;
        let mut at = 0;
        while let Some(m) = self.searcher.find_in(text, Span::from(at..text.len())) {
            let start = m.start();
            for &(index, offset) in &self.owners[m.pattern().as_usize()] {
                let literal = &self.literals[index];
                let here = start
                    .checked_sub(offset)
                    .and_then(|from| text.get(from..from + literal.len()))
                    .is_some_and(|window| window.eq_ignore_ascii_case(literal));
                if here {
                    found |= 1 << index;
                }
            }
            if found == all {
                break;
            }
            at = start + 1;
        }
        Found(found)
    }
}

/// Where the anchor of `literal` starts: the three bytes with the fewest letters (fewest case
/// variants), but not only punctuation (`---` of `-----begin ` is in every Markdown rule).
fn anchor_offset(literal: &[u8]) -> Option<usize> {
    (0..=literal.len().checked_sub(ANCHOR)?)
        .filter(|&i| literal[i..i + ANCHOR].iter().any(u8::is_ascii_alphanumeric))
        .min_by_key(|&i| {
            literal[i..i + ANCHOR]
                .iter()
                .filter(|b| b.is_ascii_alphabetic())
                .count()
        })
}

/// The searcher's patterns (and the group of each) with each group in a Teddy bucket of its own.
///
/// Teddy (aho-corasick 1.1) puts a pattern into the bucket of an earlier one with the same low
/// nibbles (an anchor's case variants share them: one bucket per anchor), and otherwise into
/// bucket `buckets - 1 - id % buckets`. Two anchors in one bucket widen its fingerprint (`--b`
/// with `ip-` fits every `---` of a Markdown rule) and every false fit is verified. So before
/// an anchor whose first pattern would land in a taken bucket, the pattern before it is
/// repeated: the repeat joins that pattern's bucket and never wins a leftmost-first match.
/// Only speed depends on this: any arrangement finds the same.
fn arrange(groups: &[Vec<Vec<u8>>], buckets: usize) -> (Vec<Vec<u8>>, Vec<usize>) {
    let mut patterns: Vec<Vec<u8>> = Vec::new();
    let mut group_of = Vec::new();
    let mut bucket_of_nibbles: Vec<(Vec<u8>, usize)> = Vec::new();
    let bucket = |id: usize| buckets - 1 - id % buckets;
    for (g, variants) in groups.iter().enumerate() {
        let nibbles: Vec<u8> = variants[0].iter().map(|b| b & 0x0f).collect();
        if !bucket_of_nibbles.iter().any(|(n, _)| *n == nibbles) {
            let free = |id: usize| bucket_of_nibbles.iter().all(|(_, b)| *b != bucket(id));
            let spare = (patterns.len()..patterns.len() + buckets).find(|&id| free(id));
            if let (Some(id), Some(last)) = (spare, patterns.last().cloned()) {
                let repeated = group_of[group_of.len() - 1];
                while patterns.len() < id {
                    patterns.push(last.clone());
                    group_of.push(repeated);
                }
            }
            bucket_of_nibbles.push((nibbles, bucket(patterns.len())));
        }
        for variant in variants {
            patterns.push(variant.clone());
            group_of.push(g);
        }
    }
    (patterns, group_of)
}

/// Every ASCII-case variant of `anchor`.
fn case_variants(anchor: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    for &b in anchor {
        let cases: &[u8] = if b.is_ascii_alphabetic() {
            &[b.to_ascii_lowercase(), b.to_ascii_uppercase()]
        } else {
            &[b]
        };
        out = out
            .iter()
            .flat_map(|prefix| {
                cases.iter().map(move |c| {
                    let mut v = prefix.clone();
                    v.push(*c);
                    v
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(literals: &[&str]) -> LiteralGate {
        LiteralGate::new(&literals.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("a gate")
    }

    const QUICK: &[&str] = &[
        "ksef",
        "nip-",
        "internalid-",
        "-----BEGIN ",
        "quoted-printable",
    ];

    #[test]
    fn the_built_in_literals_get_the_small_searcher() {
        assert!(matches!(gate(QUICK), LiteralGate::Anchored(_)));
    }

    #[test]
    fn anchored_gate_agrees_with_a_case_insensitive_regex() {
        let anchored = gate(QUICK);
        let regex =
            Regex::new("(?i-u:ksef|nip-|internalid-|-----begin |quoted-printable)").expect("regex");
        let mut x: u64 = 11;
        let pieces = [
            "KSeF",
            "kSEf",
            "ks ef",
            "NIP-",
            "nIp_",
            "InternalId-",
            "internal-id",
            "-----begin ",
            "----- BEGIN",
            "Quoted-Printable",
            "quoted printable",
            "--------",
            "kse",
            "id-",
            "ip-",
            " ",
            "\n",
            "x",
            "é",
        ];
        for round in 0..5000 {
            let text: String = (0..round % 12)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    pieces[(x >> 33) as usize % pieces.len()]
                })
                .collect();
            assert_eq!(
                anchored.is_match(text.as_bytes()),
                regex.is_match(text.as_bytes()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn found_names_every_literal_present() {
        let g = gate(QUICK);
        let bit = |l: &str| g.mask(|x| x == l);
        let text = b"KSeF ... -----begin x ... QUOTED-PRINTABLE";
        let found = g.found(text);
        assert_eq!(
            found.0,
            bit("ksef") | bit("-----begin ") | bit("quoted-printable")
        );
        assert!(!found.any_of(bit("nip-") | bit("internalid-")));
        assert_eq!(g.found(b"nothing").0, 0);
    }

    #[test]
    fn literals_sharing_an_anchor_are_all_tried() {
        // `internalid-` and `valid-` share the anchor `id-`: a miss of one is no miss of both.
        let g = gate(&["internalid-", "valid-"]);
        assert!(g.is_match(b"a VALID-ity check"));
        assert!(g.is_match(b"x|InternalId-1"));
        assert!(!g.is_match(b"uuid-4"));
    }

    #[test]
    fn every_anchor_gets_a_bucket_of_its_own() {
        // The built-in anchors: `--b`, `<w:`, `id-`, `kse`, `ip-`, `d-p` (2, 2, 4, 8, 4, 4
        // variants). In order, `ip-` would start at id 16 (bucket 7 - 16 % 8 = 7, that of
        // `--b`) and `d-p` at id 20 (bucket 3, that of `id-`).
        let groups: Vec<Vec<Vec<u8>>> = ["--b", "<w:", "id-", "kse", "ip-", "d-p"]
            .iter()
            .map(|a| case_variants(a.as_bytes()))
            .collect();
        for buckets in [SLIM_BUCKETS, FAT_BUCKETS] {
            let (patterns, group_of) = arrange(&groups, buckets);
            let mut bucket_of_group: Vec<Option<usize>> = vec![None; groups.len()];
            for (id, &g) in group_of.iter().enumerate() {
                assert!(
                    groups[g].contains(&patterns[id]),
                    "pattern {id} is of its group"
                );
                bucket_of_group[g].get_or_insert(buckets - 1 - id % buckets);
            }
            let mut taken: Vec<usize> = bucket_of_group.iter().flatten().copied().collect();
            taken.sort_unstable();
            taken.dedup();
            assert_eq!(
                taken.len(),
                groups.len(),
                "{buckets} buckets: {bucket_of_group:?}"
            );
        }
        // Every variant is there, and nothing else.
        let (patterns, _) = arrange(&groups, SLIM_BUCKETS);
        assert!(patterns.len() <= SLIM_PATTERNS);
        assert!(groups.iter().flatten().all(|v| patterns.contains(v)));
        assert!(
            patterns
                .iter()
                .all(|p| groups.iter().flatten().any(|v| v == p))
        );
    }

    #[test]
    fn too_many_variants_fall_back_to_one_regex() {
        let g = gate(&[
            "token", "secret", "passwd", "apikey", "bearer", "private", "signing", "oauth",
            "client",
        ]);
        assert!(matches!(g, LiteralGate::Regex(_)));
        assert!(g.is_match(b"Authorization: BEARER x"));
        assert!(!g.is_match(b"nothing here"));
    }
}
