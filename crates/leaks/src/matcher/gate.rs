//! The quick gate: does a buffer hold any of a few literals, in any ASCII case? It reads every
//! byte of every file, so it is the scanner's hottest loop.
//!
//! Each literal is looked for by a three-byte piece of it (its anchor), in every case
//! variant, with the small (8-bucket, 32-byte) SIMD Teddy searcher; a hit is then compared
//! with the whole literal. Three-byte anchors keep the variants few enough for that searcher
//! (`ksef` alone has 16 four-byte variants); the regex crate, given the whole literals, picks
//! the wide (16-byte) one and runs half as fast.

use aho_corasick::Span;
use aho_corasick::packed::{Config, MatchKind, Searcher};
use regex::bytes::{Regex, RegexBuilder};

/// Bytes of an anchor.
const ANCHOR: usize = 3;
/// The small Teddy searcher takes up to this many patterns.
const SLIM_PATTERNS: usize = 32;

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
        let mut patterns = Vec::new();
        let mut pattern_owner = Vec::new();
        for (i, anchor) in anchors.iter().enumerate() {
            for variant in case_variants(anchor) {
                patterns.push(variant);
                pattern_owner.push(owners[i].clone());
            }
        }
        if patterns.len() > SLIM_PATTERNS {
            return None;
        }
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
    fn too_many_variants_fall_back_to_one_regex() {
        let g = gate(&["token", "secret", "passwd", "apikey", "bearer"]);
        assert!(matches!(g, LiteralGate::Regex(_)));
        assert!(g.is_match(b"Authorization: BEARER x"));
        assert!(!g.is_match(b"nothing here"));
    }
}
