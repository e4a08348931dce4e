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
mod context;
mod decode;
mod extra;
mod keys;
mod placeholder;

pub use bundle::looks_like_pkcs12;
pub use decode::{TextEncoding, to_utf8};
pub use extra::{Dropped, ScanOutput};
pub use keys::{KsefCertificate, ksef_certificate, password_literal};
pub use placeholder::{is_documentation_secret, is_placeholder, placeholder_reason};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use ksef_model::Confidence;
use ksef_model::Secret;
use ksef_model::Severity;
use ksef_model::reference_check_ok;
use ksef_model::validate_nip;
use ksef_rules::RuleLoadError;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::SecretCheck;
use ksef_rules::leak::builtin_leak_rules;

/// Inline markers that waive a finding on their line (unless `--strict`).
pub const INLINE_MARKERS: &[&str] = &[
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

/// The one redaction for free text the tool writes or echoes (API descriptions, exception
/// fields, staff and inventory cells, config values, file and author names, error lines):
/// every KSeF token in `text` becomes its preview and fingerprint
/// (`ref|nip-…|abcd…(64 chars) sha256:0123456789ab`). First by shape, glued to anything
/// ([`ksef_model::redact_token_shapes`]), then by the leak rules (encoded forms: base64,
/// UTF-16, …). Text without one is returned as it is. (A lower-case 64-hex value is left
/// alone: fingerprints are 64-hex too, and exception targets name them.)
pub fn redact_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = ksef_model::redact_token_shapes(text);
    let found = find_tokens(&text);
    if found.is_empty() {
        return text;
    }
    let mut out = text.into_owned();
    for m in &found {
        let value = m.secret.expose();
        let shown = format!(
            "{} sha256:{}",
            m.redacted,
            &m.fingerprint[..12.min(m.fingerprint.len())]
        );
        let encoded = value.replace('|', "%7C");
        if out.contains(value) {
            out = out.replace(value, &shown);
        } else if out.contains(&encoded) {
            out = out.replace(&encoded, &shown);
        } else {
            // Encoded some other way (base64, UTF-16 …): keep nothing of the text.
            return std::borrow::Cow::Owned(shown);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How a value from an input file is echoed in a message: tokens redacted ([`redact_text`]),
/// then cut to `max` characters, then control and bidi characters escaped.
pub fn echo(value: &str, max: usize) -> String {
    ksef_model::escape_terminal(&ksef_model::cut(&redact_text(value), max)).into_owned()
}

/// At most this many problems of one input file are listed; the rest are counted.
pub const MAX_PROBLEMS_SHOWN: usize = 50;

/// Problem lines for a message: each redacted, cut to 500 characters and escaped, at most
/// [`MAX_PROBLEMS_SHOWN`] of them, then `… and N more (M problems in all)`.
pub fn problem_lines<T: std::fmt::Display>(problems: &[T], indent: &str) -> String {
    let mut out: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS_SHOWN)
        .map(|p| {
            let text = ksef_model::cut(&redact_text(&p.to_string()), 500).into_owned();
            format!("{indent}{}", ksef_model::escape_problem(&text))
        })
        .collect();
    if problems.len() > MAX_PROBLEMS_SHOWN {
        out.push(format!(
            "{indent}… and {} more ({} problems in all)",
            problems.len() - MAX_PROBLEMS_SHOWN,
            problems.len()
        ));
    }
    out.join("\n")
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
}

struct CompiledRule {
    id: String,
    name: String,
    severity: Severity,
    check: SecretCheck,
    pattern: String,
    /// Compiled on first use: a rule whose keywords never occur costs nothing (compiling the
    /// Unicode classes of one rule takes milliseconds; a pre-commit scan pays only for the
    /// rules its file can trigger). `Err`: see [`Scanner::failed_rules`].
    regex: OnceLock<Result<Regex, String>>,
    /// The same pattern in ASCII mode, for windows of pure ASCII (see [`ascii_variant`]).
    ascii: OnceLock<Option<Regex>>,
}

impl CompiledRule {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile_shared(&self.pattern, false))
            .as_ref()
            .ok()
    }

    /// The regex to run over `window`: the ASCII variant when the window is pure ASCII
    /// (`window_ascii`) and the pattern has one, else the Unicode one.
    fn regex_for(&self, window_ascii: bool) -> Option<&Regex> {
        if window_ascii
            && let Some(ascii) = self
                .ascii
                .get_or_init(|| ascii_variant(&self.pattern))
                .as_ref()
        {
            return Some(ascii);
        }
        self.regex()
    }
}

/// One ASCII-case-insensitive regex that matches where any of `literals` occurs (for
/// `is_match` only): the regex crate searches such an alternation with SIMD (Teddy).
pub(super) fn literal_regex(literals: &[String]) -> Option<Regex> {
    let mut lower: Vec<String> = literals.iter().map(|l| l.to_ascii_lowercase()).collect();
    if lower.is_empty() || lower.iter().any(String::is_empty) {
        return None;
    }
    lower.sort();
    lower.dedup();
    // A literal holding another one adds nothing to "does any occur" (`|nip-` and `nip-`);
    // fewer, shorter literals make the SIMD search faster.
    let kept: Vec<&String> = lower
        .iter()
        .filter(|l| !lower.iter().any(|o| o != *l && l.contains(o.as_str())))
        .collect();
    let escaped: Vec<String> = kept.iter().map(|l| regex::escape(l)).collect();
    RegexBuilder::new(&format!("(?i-u:{})", escaped.join("|")))
        .unicode(false)
        .build()
        .ok()
}

/// Compiles `pattern` (in ASCII mode with `ascii`), once per process: the scanner of the
/// loaded rules and the one behind [`redact_text`] share their compiled regexes, so a
/// one-file scan compiles each rule it needs once.
fn compile_shared(pattern: &str, ascii: bool) -> Result<Regex, String> {
    type Cache = std::sync::Mutex<std::collections::HashMap<(bool, String), Result<Regex, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (ascii, pattern.to_string());
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    // Compiled outside the lock: two threads may both compile a pattern the first time.
    let compiled = RegexBuilder::new(pattern)
        .unicode(!ascii)
        .build()
        .map_err(|e| e.to_string());
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert(compiled)
        .clone()
}

/// `pattern` compiled with Unicode off, when that gives the same matches on any pure-ASCII
/// haystack: Unicode `\w`, `\d`, `\s`, `\b`, `.`, negated classes and case folding all agree
/// with their ASCII forms on ASCII bytes. Not for patterns with non-ASCII characters or
/// `\x`/`\u` escapes (a case-insensitive `ſ` or Kelvin sign matches ASCII `s`/`k` only in
/// Unicode mode), nor for patterns that fail in ASCII mode (`\p{…}`). ASCII mode compiles in
/// a fraction of the time (a Unicode `\w{0,24}` is thousands of states) and never needs the
/// slow engines that Unicode word boundaries force onto non-ASCII input.
fn ascii_variant(pattern: &str) -> Option<Regex> {
    if !pattern.is_ascii()
        || pattern.contains("\\x")
        || pattern.contains("\\u")
        || pattern.contains("\\U")
    {
        return None;
    }
    compile_shared(pattern, true).ok()
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
    quick: Option<Regex>,
}

/// Buffers smaller than this run the rules directly (cheaper than the alternation's set-up).
const COMBINED_MIN_LEN: usize = 16 * 1024;

/// Lines after a candidate that a rule's own match may still need (multi-line rules span at
/// most 32 lines today). Windows end there, so a rule never runs over the whole buffer.
const WINDOW_LINES_AFTER: usize = 64;

/// A match before it is located: offsets into the buffer that was matched.
struct Hit {
    rule: usize,
    start: usize,
    end: usize,
    secret: String,
    reference: Option<String>,
    nip: Option<String>,
    context: Option<String>,
    confidence: Confidence,
    url_encoded: bool,
    /// Dropped as a placeholder, and why (counted, never reported as a finding).
    placeholder: Option<&'static str>,
    /// Shown instead of the redacted secret (a certificate key: serial, subject, validity).
    detail: Option<String>,
}

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
        let quick = quick.and_then(|literals| literal_regex(&literals));
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
        })
    }

    /// Rules whose pattern parsed but failed to compile when first needed (e.g. over the
    /// regex size limit), with the reason: they matched nothing, so the scan is incomplete.
    pub fn failed_rules(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .filter_map(|r| match r.regex.get() {
                Some(Err(e)) => Some((r.id.clone(), e.clone())),
                _ => None,
            })
            .collect()
    }

    /// The rules' ids and names, in load order.
    pub fn rule_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rules.iter().map(|r| (r.id.as_str(), r.name.as_str()))
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
        // Most buffers hold none of the rules' keywords: one Aho-Corasick pass over the rare
        // literals (`ksef`, `|nip-`, `%7cnip-`, …) settles them before any regex runs.
        let quiet = self.quick.as_ref().is_some_and(|q| !q.is_match(text));
        let active = if quiet {
            self.always.clone()
        } else {
            self.active_rules(text)
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
        self.scan_extra(path, text, quiet, wrapped, &mut out, &mut dropped);
        out.sort_by_key(|m| (m.line, m.column));
        ScanOutput {
            matches: out,
            placeholders: dropped,
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
        let combined = self.combined.get_or_init(|| {
            let alternation = self.alternation.as_deref()?;
            RegexBuilder::new(alternation)
                .size_limit(64 << 20)
                .dfa_size_limit(64 << 20)
                .build()
                .ok()
        });
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
            let Some(regex) = rule.regex_for(window_ascii) else {
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
            redact(
                &hit.secret,
                hit.reference.as_deref(),
                hit.context.as_deref(),
            )
        });
        let secret = Secret::new(hit.secret);
        RawMatch {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: rule.severity,
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
        }
    }
}

/// Applies the rule's check and the placeholder filter to one capture.
fn check_match(
    rule: usize,
    check: SecretCheck,
    start: usize,
    end: usize,
    raw: &[u8],
) -> Option<Hit> {
    let raw = std::str::from_utf8(raw).ok()?;
    let mut hit = Hit {
        rule,
        start,
        end,
        secret: String::new(),
        reference: None,
        nip: None,
        context: None,
        confidence: Confidence::Medium,
        url_encoded: false,
        placeholder: None,
        detail: None,
    };
    match check {
        SecretCheck::KsefV2 => {
            let url_encoded = raw.contains('%');
            let token = if url_encoded {
                raw.replace("%7C", "|").replace("%7c", "|")
            } else {
                raw.to_string()
            };
            let mut parts = token.splitn(3, '|');
            let (reference, context, secret) = (parts.next()?, parts.next()?, parts.next()?);
            let nip = context
                .strip_prefix("nip-")
                .or_else(|| {
                    context
                        .strip_prefix("internalId-")
                        .map(|r| &r[..r.len().min(10)])
                })?
                .to_string();
            let reference_ok = reference_check_ok(reference);
            hit.placeholder =
                placeholder::v2_placeholder_reason(reference, &nip, secret, reference_ok);
            let signals = u8::from(reference_ok) + u8::from(validate_nip(&nip).is_ok());
            hit.confidence = match signals {
                2 => Confidence::High,
                1 => Confidence::Medium,
                _ => Confidence::Low,
            };
            hit.reference = Some(reference.to_string());
            hit.context = Some(context.to_string());
            hit.nip = Some(nip);
            hit.url_encoded = url_encoded;
            hit.secret = token;
        }
        SecretCheck::KsefCertificateKey | SecretCheck::KeyPassword => return None,
        SecretCheck::NotAllHex | SecretCheck::None => {
            if check == SecretCheck::NotAllHex && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            if check == SecretCheck::NotAllHex && context::is_camel_case_words(raw) {
                return None;
            }
            hit.placeholder = placeholder_reason(raw)
                .or_else(|| is_documentation_secret(raw).then_some("documentation example"));
            hit.secret = raw.to_string();
        }
    }
    Some(hit)
}

/// Where any rule may match: from the line start of each match of the combined alternation to
/// [`WINDOW_LINES_AFTER`] lines past its end, overlapping windows merged. Every match of a
/// single rule starts inside (or at) a match of the alternation, so it lies in one window.
fn candidate_windows(combined: &Regex, text: &[u8]) -> Vec<(usize, usize)> {
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for m in combined.find_iter(text) {
        let lo = memchr::memrchr(b'\n', &text[..m.start()]).map_or(0, |p| p + 1);
        let mut hi = m.end();
        for _ in 0..WINDOW_LINES_AFTER {
            match memchr::memchr(b'\n', &text[hi..]) {
                Some(p) => hi += p + 1,
                None => {
                    hi = text.len();
                    break;
                }
            }
        }
        match windows.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => windows.push((lo, hi)),
        }
    }
    windows
}

/// Overlapping matches keep the earliest, longest one.
fn dedupe(hits: &mut Vec<Hit>) {
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut last_end = 0;
    let mut first = true;
    hits.retain(|h| {
        if first || h.start >= last_end {
            first = false;
            last_end = h.end;
            true
        } else {
            false
        }
    });
}

/// `ref|nip-…|abcd…` for KSeF 2.0 tokens, `abcd…` (first 4 characters) for other secrets.
pub fn redact(secret: &str, reference: Option<&str>, context: Option<&str>) -> String {
    ksef_model::secret_preview(secret, reference, context)
}

/// Line/column lookups for ascending offsets: newlines are counted once per buffer.
#[derive(Default)]
struct Locator {
    pos: usize,
    line: u64,
}

impl Locator {
    fn locate(&mut self, text: &[u8], offset: usize) -> (u64, u64) {
        let offset = offset.min(text.len());
        if offset < self.pos {
            *self = Locator::default();
        }
        self.line += memchr::memchr_iter(b'\n', &text[self.pos..offset]).count() as u64;
        self.pos = offset;
        let line_start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |p| p + 1);
        let column = text[line_start..offset]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count() as u64
            + 1;
        (self.line + 1, column)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &[u8], offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let column = before[line_start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count() as u64
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

    fn scanner() -> &'static Scanner {
        builtin_scanner()
    }

    #[test]
    fn large_buffers_find_the_same_as_small_ones() {
        let findings = [
            format!("KSEF_TOKEN={V2}\n"),
            "ksef:\n  url: https://ksef.mf.gov.pl\n  token: Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm12\n".to_string(),
        ];
        let filler = "let amount = invoice.total(); // ksef token handling below\n".repeat(400);
        for finding in &findings {
            let small = scanner().scan_bytes(finding.as_bytes());
            assert_eq!(small.len(), 1, "{finding}");
            let big = format!("{filler}{finding}{filler}");
            assert!(big.len() >= COMBINED_MIN_LEN);
            let big = scanner().scan_bytes(big.as_bytes());
            assert_eq!(big.len(), 1, "{finding}");
            assert_eq!(
                (big[0].rule_id.as_str(), big[0].line, big[0].column),
                (
                    small[0].rule_id.as_str(),
                    400 + small[0].line,
                    small[0].column
                )
            );
            assert_eq!(big[0].fingerprint, small[0].fingerprint);
        }
    }

    #[test]
    fn ascii_variants_match_like_the_unicode_patterns_on_ascii_text() {
        let rules = builtin_leak_rules().expect("built-in rules");
        let filler = "int x = 1; // tokens, keys and ksef notes\n";
        for rule in &rules {
            let unicode = Regex::new(&rule.pattern).expect("pattern");
            let Some(ascii) = ascii_variant(&rule.pattern) else {
                continue;
            };
            for example in rule.examples.iter().chain(&rule.negative_examples) {
                let text = format!("{filler}{example}\n{filler}");
                if !text.is_ascii() {
                    continue;
                }
                let spans = |re: &Regex| -> Vec<(usize, usize)> {
                    re.captures_iter(text.as_bytes())
                        .filter_map(|c| c.get(1).map(|g| (g.start(), g.end())))
                        .collect()
                };
                assert_eq!(spans(&ascii), spans(&unicode), "{} on {example:?}", rule.id);
            }
        }
        // Non-ASCII text keeps the Unicode pattern: `ż` is a word character there.
        let text = "ksefż_token = Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm12\n";
        let m = scanner().scan_bytes(text.as_bytes());
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(ascii_variant("(?i)\\x{17F}").is_none());
        assert!(ascii_variant("has[lł]o").is_none());
    }

    #[test]
    fn key_and_password_rules_do_not_wake_the_line_rules() {
        // `pass` and `has` (LEAK005's keywords) are in nearly every file; only the key pass
        // uses them.
        let text = b"this has a password field and passes the hash";
        assert!(scanner().active_rules(text).is_empty());
        assert!(scanner().scan_bytes(text).is_empty());
    }

    #[test]
    fn scanner_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Scanner>();
    }

    #[test]
    fn v2_token_is_located_with_reference_nip_and_high_confidence() {
        let text = format!("# config\r\nA=1\r\n  KSEF_TOKEN=\"{V2}\"\r\n");
        let m = scanner().scan_bytes(text.as_bytes());
        assert_eq!(m.len(), 1, "{m:?}");
        let m = &m[0];
        assert_eq!((m.rule_id.as_str(), m.line, m.column), ("LEAK001", 3, 15));
        assert_eq!(
            m.reference_number.as_deref(),
            Some("20250101-EC-FA4EFA4E00-0000000001-49")
        );
        assert_eq!(m.nip.as_deref(), Some("1111111111"));
        assert_eq!(m.confidence, Confidence::High);
        assert_eq!(m.fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));
        assert!(!m.redacted.contains("facefeed0000"), "{}", m.redacted);
        assert!(
            m.redacted
                .starts_with("20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|face")
        );
        assert!(!m.inline_allowed);
    }

    #[test]
    fn url_encoded_token_has_the_same_fingerprint() {
        let enc = V2.replace('|', "%7C");
        let m = scanner().scan_bytes(format!("GET /x?t={enc} HTTP/1.1").as_bytes());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));
        assert_eq!(m[0].encoding, Some("url"));
    }

    #[test]
    fn bad_crc_and_nip_lower_confidence_but_keep_the_match() {
        let t = "20260201-EC-1A2B3C4D5E-1122334455-AB|nip-1234567890|0badc0de1111222233334444555566667777888899990000aaaabbbbccccdddd";
        let m = scanner().scan_bytes(t.as_bytes());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].confidence, Confidence::Low);
    }

    #[test]
    fn utf16_and_base64_values_are_decoded() {
        let line = format!("KSEF_TOKEN={V2}\r\n");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(line.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let m = scanner().scan_bytes(&utf16);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].encoding, Some("utf-16le"));

        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(V2);
        let k8s = format!("kind: Secret\ndata:\n  KSEF_TOKEN: {b64}\n");
        let m = scanner().scan_bytes(k8s.as_bytes());
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            (m[0].line, m[0].column, m[0].encoding),
            (3, 15, Some("base64"))
        );
        assert_eq!(m[0].fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));

        let b64_40 = base64::engine::general_purpose::STANDARD
            .encode("FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2");
        let m = scanner().scan_bytes(format!("data:\n  KSEF_TOKEN: {b64_40}\n").as_bytes());
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].rule_id, "LEAK002");
    }

    #[test]
    fn inline_markers_flag_the_match() {
        for marker in [
            "# ksef-audit:allow",
            "// gitleaks:allow",
            "# pragma: allowlist secret",
        ] {
            let m = scanner().scan_bytes(format!("T={V2} {marker}\nU={V2}\n").as_bytes());
            assert_eq!(m.len(), 2);
            assert!(m[0].inline_allowed, "{marker}");
            assert!(!m[1].inline_allowed, "{marker}");
        }
    }

    #[test]
    fn look_alikes_are_not_matched() {
        let text = "\
commit 3f786850e387550fdab836ed7e6dc881de23001b
sha256: facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd
FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD  ksef.tar.gz
ref 20250101-EC-FA4EFA4E00-0000000001-49
invoice 1111111111-20250101-FA4EFA4E0000-7D
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ2bX5M7q6r9g1k3yQm0k7xZx2wIwCgYIKoZIzj0EAwIwEjEQMA4GA1UEAwwHa3NlZi1jYTAe
-----END CERTIFICATE-----
GITHUB_TOKEN=ghp_FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3
";
        let m = scanner().scan_bytes(text.as_bytes());
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn locator_agrees_with_line_col() {
        let text = "a\nbb\n\nżółw x\r\nyy".as_bytes();
        let mut loc = Locator::default();
        for off in [0, 1, 2, 5, 6, 9, 12, 3, text.len()] {
            assert_eq!(loc.locate(text, off), line_col(text, off), "offset {off}");
        }
    }

    #[test]
    fn very_long_line_reports_the_column() {
        let mut s = "x".repeat(200_000);
        s.push_str(&format!(";var t=\"{V2}\";"));
        let m = scanner().scan_bytes(s.as_bytes());
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].line, m[0].column), (1, 200_009));
    }
}
