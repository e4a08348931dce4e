//! The leak matcher: leak rules over a byte slice. Pure: no I/O, no printing.
//!
//! It sits in the rule layer so that both the inventory reader (collect: a token pasted into
//! a cell) and the leak scan (evaluate) use it without importing each other.
//!
//! Per buffer: UTF-16 is decoded to UTF-8; an Aho-Corasick pass over the rules' keywords
//! decides which rule regexes run at all; matches are checked (placeholders, KSeF 2.0
//! structure, pure hex) and located (line, column). Base64 values are decoded one level deep
//! and matched in the context of their line, so `KSEF_TOKEN: <base64>` in a Kubernetes
//! Secret is found as if the value were plain.

mod bundle;
mod compile;
mod context;
mod decode;
mod extra;
mod gate;
mod hit;
mod keys;
mod placeholder;
#[cfg(test)]
mod tests;
mod views;

/// Transitional second path: `src/app/revoke.rs` (outside this change) still imports it here;
/// the one home is [`crate::redact::redact_text`].
#[doc(hidden)]
pub(crate) use decode::to_utf8;
pub use extra::{Dropped, ScanOutput};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use crate::position::Locator;
use compile::CompiledRule;
use compile::ascii_variant;
use compile::candidate_windows;
#[cfg(test)]
use compile::wide_variant;
use hit::Hit;
use hit::check_match;
use hit::dedupe;
use ksef_model::Confidence;
use ksef_model::Secret;
use ksef_model::Severity;
use ksef_rules::RuleLoadError;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::SecretCheck;
use ksef_rules::leak::builtin_leak_rules;

/// Inline markers that waive a finding on their line (unless `--strict`).
const INLINE_MARKERS: &[&str] = &[
    "ksef-audit:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// The matcher of the built-in leak rules, compiled once.
pub fn builtin_scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        builtin_leak_rules()
            .and_then(|rules| Scanner::new(&rules))
            .expect("the built-in leak rules are checked by their tests")
    })
}

/// KSeF token values (and other secrets the built-in leak rules know) in `text`. Each match
/// keeps its value in a `Secret`.
pub fn find_tokens(text: &str) -> Vec<RawMatch> {
    builtin_scanner().scan_bytes(text.as_bytes())
}

/// How far (bytes) from a match an inline marker on the same line still counts.
const MARKER_WINDOW: usize = 1024;

/// One match of one rule, located in the scanned buffer.
#[derive(Debug, Clone)]
pub struct RawMatch {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// 1-based line of the match start (of the base64 value, for decoded matches).
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// The decoded token string (`%7C` turned into `|`).
    pub secret: Secret,
    pub reference_number: Option<String>,
    /// The NIP of the token's context (`nip-` or the NIP part of `internalId-`).
    pub nip: Option<String>,
    /// The whole context segment, e.g. `nip-1111111111` or `internalId-1111111111-00007`.
    pub context: Option<String>,
    pub confidence: Confidence,
    /// An inline marker (`ksef-audit:allow`, …) is on the same line.
    pub inline_allowed: bool,
    /// How the text was encoded: `utf-16le`, `base64`, `url`, … (None = plain).
    pub encoding: Option<&'static str>,
    /// Lowercase hex SHA-256 of `secret`.
    pub fingerprint: String,
    /// Reference and NIP shown, secret masked.
    pub redacted: String,
    /// A match of the key-password rule (LEAK005): the scan tries it on the keys it found.
    pub key_password: bool,
    /// A password literal too weak to report on its own: the scan keeps it only when it opens
    /// a key found in the same scan.
    pub weak_password: bool,
    /// A key finding: opened with the password at this index of those the scan gave.
    pub opened_with: Option<usize>,
}

/// Leak rules compiled for matching. `Send + Sync`: share one across threads.
pub struct Scanner {
    rules: Vec<CompiledRule>,
    /// Keywords of all rules; pattern index -> rule index in `keyword_rule`.
    prefilter: Option<AhoCorasick>,
    /// The same keywords as one byte-oriented, ASCII-case-insensitive regex: the regex crate
    /// searches its literals with SIMD (Teddy), several times faster than the Aho-Corasick
    /// automaton, so a buffer without any keyword (nearly all of them) costs one fast pass.
    gate: Option<Regex>,
    keyword_rule: Vec<usize>,
    /// Rules without keywords: always run.
    always: Vec<usize>,
    markers: AhoCorasick,
    /// All rules as one alternation: a single pass finds where any rule can match (as ripgrep
    /// does with several patterns); the rules then run only around those places. Compiled on
    /// the first large buffer, so a one-file scan does not pay for it.
    alternation: Option<String>,
    combined: OnceLock<Option<Regex>>,
    /// The alternation in ASCII mode, for pure-ASCII buffers ([`ascii_variant`]).
    combined_ascii: OnceLock<Option<Regex>>,
    /// Issue 12: the passes beyond one regex per rule (context, keys, decoded views).
    extra: extra::Extra,
    /// Every literal any keyed pass starts from, as one SIMD literal search: a buffer
    /// without any ("quiet", nearly all of real code) skips the keyword, context, key and
    /// decoded-view passes. None: some pass has no literal to wait for.
    quick: Option<gate::LiteralGate>,
    /// The quick literals that are pieces of the line rules' keywords (and so of the escaped
    /// view's), and those of the quoted-printable declaration ([`gate::LiteralGate::mask`]).
    keyed_literals: u64,
    quoted_literals: u64,
    pem_literals: u64,
    docx_literals: u64,
}

/// What the quick literal search found in a buffer: which passes can find anything there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Presence {
    /// A piece of a line rule's keyword: the line rules, escaped and joined views may match.
    pub(super) keyed: bool,
    /// The quoted-printable declaration may be there.
    pub(super) quoted: bool,
    /// A PEM header may be there.
    pub(super) pem: bool,
    /// A Word text run may be there ([`views::DOCX_RUN`]).
    pub(super) docx: bool,
}

/// Buffers smaller than this run the rules directly (cheaper than the alternation's set-up).
const COMBINED_MIN_LEN: usize = 64 * 1024;

/// Lines after a candidate that a rule's own match may still need (multi-line rules span at
/// most 32 lines today). Windows end there, so a rule never runs over the whole buffer.
const WINDOW_LINES_AFTER: usize = 64;

impl Scanner {
    /// Compiles the rules (patterns are assumed validated; a bad one is still an error here).
    pub fn new(rules: &[LeakRule]) -> Result<Scanner, RuleLoadError> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut problems = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rule = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            match ksef_rules::leak::capture_groups(&rule.pattern) {
                Ok(1) => compiled.push(CompiledRule {
                    id: rule.id.clone(),
                    name: rule.name.clone(),
                    severity: rule.severity,
                    check: rule.check,
                    pattern: rule.pattern.clone(),
                    regex: OnceLock::new(),
                    ascii: OnceLock::new(),
                    wide: OnceLock::new(),
                }),
                Ok(_) => problems.push(format!(
                    "{}: rule {}: pattern must have exactly one capture group",
                    rule.source, rule.id
                )),
                Err(e) => problems.push(format!(
                    "{}: rule {}: pattern does not compile: {e}",
                    rule.source, rule.id
                )),
            }
            // The key and password rules find their matches in their own pass (gated by its
            // own signals): their keywords and patterns would only wake the line rules up.
            if extra::own_pass_check(rule.check) {
                continue;
            }
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for k in &rule.keywords {
                keywords.push(k.clone());
                keyword_rule.push(i);
            }
        }
        if !problems.is_empty() {
            return Err(RuleLoadError::Invalid { problems });
        }
        let build = |pats: &[String]| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(pats)
        };
        let prefilter = if keywords.is_empty() {
            None
        } else {
            Some(build(&keywords).map_err(|e| RuleLoadError::Invalid {
                problems: vec![format!("rule keywords: {e}")],
            })?)
        };
        let gate = if keywords.is_empty() {
            None
        } else {
            let alternation = keywords
                .iter()
                .map(|k| regex::escape(k))
                .collect::<Vec<_>>()
                .join("|");
            RegexBuilder::new(&format!("(?i-u:{alternation})"))
                .unicode(false)
                .build()
                .ok()
        };
        let markers_owned: Vec<String> = INLINE_MARKERS.iter().map(|s| s.to_string()).collect();
        let markers = build(&markers_owned).map_err(|e| RuleLoadError::Invalid {
            problems: vec![format!("inline markers: {e}")],
        })?;
        let extra = extra::Extra::new(&compiled, &keywords, always.is_empty());
        let quick = extra.quick_literals().map(|mut literals| {
            literals.extend(keywords.iter().cloned());
            literals
        });
        let quick = quick.and_then(|literals| gate::LiteralGate::new(&literals));
        let lower_keywords: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        let pem_header = extra::PEM_HEADER.to_ascii_lowercase();
        let (keyed_literals, quoted_literals, pem_literals, docx_literals) =
            quick.as_ref().map_or((0, 0, 0, 0), |q| {
                (
                    q.mask(|l| lower_keywords.iter().any(|k| k.contains(l))),
                    q.mask(|l| extra::QP_DECLARATION.contains(l)),
                    q.mask(|l| pem_header.contains(l)),
                    q.mask(|l| views::DOCX_RUN.contains(l)),
                )
            });
        let line_rules: Vec<&CompiledRule> = compiled
            .iter()
            .filter(|r| !extra::own_pass_check(r.check))
            .collect();
        let alternation = (line_rules.len() > 1).then(|| {
            line_rules
                .iter()
                .map(|r| format!("(?:{})", r.pattern))
                .collect::<Vec<_>>()
                .join("|")
        });
        Ok(Scanner {
            rules: compiled,
            prefilter,
            gate,
            keyword_rule,
            always,
            markers,
            alternation,
            combined: OnceLock::new(),
            combined_ascii: OnceLock::new(),
            extra,
            quick,
            keyed_literals,
            quoted_literals,
            pem_literals,
            docx_literals,
        })
    }

    /// Rules whose pattern parsed but failed to compile when first needed (e.g. over the
    /// regex size limit), with the reason: they matched nothing, so the scan is incomplete.
    pub(crate) fn failed_rules(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .filter_map(|r| match r.regex.get() {
                Some(Err(e)) => Some((r.id.clone(), e.clone())),
                _ => None,
            })
            .collect()
    }

    /// All findings in `data` (any encoding), in order of position.
    pub fn scan_bytes(&self, data: &[u8]) -> Vec<RawMatch> {
        self.scan("", data).matches
    }

    /// All findings in `data`, named `path` (a file path, `archive!member`, a git path; it
    /// gives KSeF context), and the values dropped as placeholders.
    pub fn scan(&self, path: &str, data: &[u8]) -> ScanOutput {
        let (text, encoding) = decode::to_utf8(data);
        let text: &[u8] = &text;
        let mut out = Vec::new();
        let mut dropped = Vec::new();
        // Most buffers hold none of the rules' keywords: one SIMD pass over the rare literals
        // (`ksef`, `nip-`, `-----begin `, …) settles them before any regex runs, and says which
        // passes a buffer that has some needs (a PEM header wakes no line rule).
        let presence = self.presence(text);
        let active = if presence.keyed {
            self.active_rules(text)
        } else {
            self.always.clone()
        };
        let windows = if active.is_empty() {
            Vec::new()
        } else {
            self.windows(text)
        };
        if !active.is_empty() {
            let mut hits = Vec::new();
            for &(lo, hi) in &windows {
                self.match_rules_in(text, lo, hi, &active, &mut hits);
            }
            self.extra.drop_digest_values(&mut hits, text);
            self.extra.take_placeholders(&mut hits, text, &mut dropped);
            dedupe(&mut hits);
            let mut locator = Locator::default();
            for hit in hits {
                let (line, column) = locator.locate(text, hit.start);
                let allowed = self.inline_allowed(text, hit.start, hit.end);
                let enc = if hit.url_encoded {
                    Some("url")
                } else {
                    encoding.label()
                };
                out.push(self.raw_match(hit, line, column, allowed, enc));
            }
        }
        let stretches = decode::base64_stretches(text);
        self.scan_base64(
            text,
            &decode::base64_runs_within(text, &stretches),
            &mut out,
        );
        let wrapped = decode::may_hold_wrapped_base64(&stretches);
        self.scan_extra(path, text, presence, wrapped, &mut out, &mut dropped);
        out.sort_by_key(|m| (m.line, m.column));
        ScanOutput {
            matches: out,
            placeholders: dropped,
        }
    }

    fn presence(&self, text: &[u8]) -> Presence {
        let Some(quick) = &self.quick else {
            return Presence {
                keyed: true,
                quoted: true,
                pem: true,
                docx: true,
            };
        };
        let found = quick.found(text);
        Presence {
            keyed: found.any_of(self.keyed_literals),
            quoted: found.any_of(self.quoted_literals),
            pem: found.any_of(self.pem_literals),
            docx: found.any_of(self.docx_literals),
        }
    }

    /// Rules whose keywords occur in `text` (or that have none).
    fn active_rules(&self, text: &[u8]) -> Vec<usize> {
        let mut on = vec![false; self.rules.len()];
        for &i in &self.always {
            on[i] = true;
        }
        let any_keyword = self.gate.as_ref().is_none_or(|g| g.is_match(text));
        if let Some(ac) = self.prefilter.as_ref().filter(|_| any_keyword) {
            let mut remaining = on.iter().filter(|x| !**x).count();
            for m in ac.find_overlapping_iter(text) {
                let r = self.keyword_rule[m.pattern().as_usize()];
                if !on[r] {
                    on[r] = true;
                    remaining -= 1;
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        on.iter()
            .enumerate()
            .filter_map(|(i, x)| x.then_some(i))
            .collect()
    }

    fn match_rules(&self, text: &[u8], active: &[usize]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (lo, hi) in self.windows(text) {
            self.match_rules_in(text, lo, hi, active, &mut hits);
        }
        hits
    }

    /// The parts of `text` where a rule may match (the whole text without the alternation).
    fn windows(&self, text: &[u8]) -> Vec<(usize, usize)> {
        if text.len() < COMBINED_MIN_LEN {
            return vec![(0, text.len())];
        }
        if text.is_ascii()
            && let Some(combined) = self
                .combined_ascii
                .get_or_init(|| ascii_variant(self.alternation.as_deref()?))
        {
            return candidate_windows(combined, text);
        }
        // A superset of the alternation: windows found with it hold every window of the
        // exact one, and it compiles in a millisecond where the Unicode alternation takes
        // tens (see [`compile::wide_variant`]).
        let combined = self
            .combined
            .get_or_init(|| compile::wide_variant(self.alternation.as_deref()?));
        match combined {
            Some(combined) => candidate_windows(combined, text),
            None => vec![(0, text.len())],
        }
    }

    /// Runs the active rules over `text[lo..hi]` (`lo` is a line start).
    fn match_rules_in(
        &self,
        text: &[u8],
        lo: usize,
        hi: usize,
        active: &[usize],
        hits: &mut Vec<Hit>,
    ) {
        let window = &text[lo..hi];
        let window_ascii = window.is_ascii();
        for &ri in active {
            let rule = &self.rules[ri];
            if self.extra.own_pass(ri) {
                continue;
            }
            let Some(regex) = rule.regex_for(window, window_ascii) else {
                continue;
            };
            for caps in regex.captures_iter(window) {
                let Some(g) = caps.get(1) else { continue };
                if rule.check == SecretCheck::KsefV2
                    && !context::v2_boundary_ok(window, g.start(), g.end())
                {
                    continue;
                }
                if let Some(hit) =
                    check_match(ri, rule.check, lo + g.start(), lo + g.end(), g.as_bytes())
                {
                    hits.push(hit);
                }
            }
        }
    }

    /// Base64 runs decoded one level: matched as `line prefix + decoded + line suffix`.
    fn scan_base64(&self, text: &[u8], runs: &[(usize, usize)], out: &mut Vec<RawMatch>) {
        let mut locator = Locator::default();
        for &(start, end) in runs {
            let Some(decoded) = decode::decode_base64_text(&text[start..end]) else {
                continue;
            };
            let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |p| p + 1);
            let line_end = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |p| end + p);
            let prefix = &text[line_start.max(start.saturating_sub(MARKER_WINDOW))..start];
            let suffix = &text[end..line_end.min(end + MARKER_WINDOW)];
            let mut virt = Vec::with_capacity(prefix.len() + decoded.len() + suffix.len());
            virt.extend_from_slice(prefix);
            virt.extend_from_slice(&decoded);
            virt.extend_from_slice(suffix);
            let active = self.active_rules(&virt);
            if active.is_empty() {
                continue;
            }
            let lo = prefix.len();
            let hi = prefix.len() + decoded.len();
            let mut hits: Vec<Hit> = self
                .match_rules(&virt, &active)
                .into_iter()
                .filter(|h| h.end > lo && h.start < hi && h.placeholder.is_none())
                .collect();
            dedupe(&mut hits);
            let (line, column) = locator.locate(text, start);
            let allowed = self.inline_allowed(text, start, end);
            for hit in hits {
                out.push(self.raw_match(hit, line, column, allowed, Some("base64")));
            }
        }
    }

    fn inline_allowed(&self, text: &[u8], start: usize, end: usize) -> bool {
        let lo = start.saturating_sub(MARKER_WINDOW);
        let line_start = memchr::memrchr(b'\n', &text[lo..start]).map_or(lo, |p| lo + p + 1);
        let hi = (end + MARKER_WINDOW).min(text.len());
        let line_end = memchr::memchr(b'\n', &text[end..hi]).map_or(hi, |p| end + p);
        self.markers.is_match(&text[line_start..line_end])
    }

    fn raw_match(
        &self,
        hit: Hit,
        line: u64,
        column: u64,
        inline_allowed: bool,
        encoding: Option<&'static str>,
    ) -> RawMatch {
        let rule = &self.rules[hit.rule];
        let redacted = hit.detail.clone().unwrap_or_else(|| {
            ksef_model::secret_preview(
                &hit.secret,
                hit.reference.as_deref(),
                hit.context.as_deref(),
            )
        });
        let secret = Secret::new(hit.secret);
        RawMatch {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: hit.severity.unwrap_or(rule.severity),
            line,
            column,
            fingerprint: secret.fingerprint(),
            secret,
            reference_number: hit.reference,
            nip: hit.nip,
            context: hit.context,
            confidence: hit.confidence,
            inline_allowed,
            encoding,
            redacted,
            key_password: rule.check == SecretCheck::KeyPassword,
            weak_password: hit.weak_password,
            opened_with: hit.opened_with,
        }
    }
}
