//! Rule patterns compiled for matching: each rule's regex (and its ASCII variant) on first
//! use, shared by every scanner of the process, and the literal and alternation regexes that
//! decide where the rules run at all.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use ksef_model::Severity;
use ksef_rules::leak::SecretCheck;

use super::WINDOW_LINES_AFTER;

pub(super) struct CompiledRule {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) severity: Severity,
    pub(super) check: SecretCheck,
    pub(super) pattern: String,
    /// Compiled on first use: a rule whose keywords never occur costs nothing (compiling the
    /// Unicode classes of one rule takes milliseconds; a pre-commit scan pays only for the
    /// rules its file can trigger). `Err`: see [`Scanner::failed_rules`].
    pub(super) regex: OnceLock<Result<Regex, String>>,
    /// The same pattern in ASCII mode, for windows of pure ASCII (see [`ascii_variant`]).
    pub(super) ascii: OnceLock<Option<Regex>>,
    /// A byte-level superset of the pattern, run before the Unicode regex on windows with
    /// non-ASCII text (see [`wide_variant`]).
    pub(super) wide: OnceLock<Option<Regex>>,
}

impl CompiledRule {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                let pattern = ascii_word_boundaries(&self.pattern);
                compile_shared(pattern.as_deref().unwrap_or(&self.pattern), false)
            })
            .as_ref()
            .ok()
    }

    /// The regex to run over `window`: the ASCII variant when the window is pure ASCII and
    /// the pattern has one, else the Unicode one — unless the pattern's cheap superset shows
    /// that it cannot match `window` at all (`None` then, and the Unicode regex, whose
    /// compilation costs tens of milliseconds, is never built for it).
    pub(super) fn regex_for(&self, window: &[u8], window_ascii: bool) -> Option<&Regex> {
        if window_ascii {
            if let Some(ascii) = self
                .ascii
                .get_or_init(|| ascii_variant(&self.pattern))
                .as_ref()
            {
                return Some(ascii);
            }
        } else if let Some(wide) = self
            .wide
            .get_or_init(|| wide_variant(&self.pattern))
            .as_ref()
            && !wide.is_match(window)
        {
            return None;
        }
        self.regex()
    }
}

/// `pattern` with its word boundaries (`\b`, `\B`, `\b{start}`, …) made ASCII, its classes
/// left Unicode. The regex engines' fast automata cannot decide a Unicode word boundary next
/// to a non-ASCII byte, so a Unicode `\b` sends every search over non-ASCII text (a package
/// index, a Polish CSV export) to the slowest engine, ten times slower. The secrets the rules
/// capture are ASCII (`[A-Za-z0-9]`, hex, digits), and an ASCII boundary still says "no more
/// ASCII letters or digits here". `None` when the pattern has no Unicode boundary or does not
/// parse (then it is compiled as written, and its error reported as such).
pub(super) fn ascii_word_boundaries(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind};
    let hir = ksef_rules::leak::parsed_pattern(pattern).ok()?;
    let unicode_words = regex_syntax::hir::LookSet::empty()
        .insert(regex_syntax::hir::Look::WordUnicode)
        .insert(regex_syntax::hir::Look::WordUnicodeNegate)
        .insert(regex_syntax::hir::Look::WordStartUnicode)
        .insert(regex_syntax::hir::Look::WordEndUnicode)
        .insert(regex_syntax::hir::Look::WordStartHalfUnicode)
        .insert(regex_syntax::hir::Look::WordEndHalfUnicode);
    if hir
        .properties()
        .look_set()
        .intersect(unicode_words)
        .is_empty()
    {
        return None;
    }
    let mut out = String::new();
    regex_syntax::hir::print::Printer::new()
        .print(
            &map_leaves(&hir, &|leaf| match leaf.kind() {
                HirKind::Look(look) => Hir::look(ascii_look(*look)),
                _ => leaf.clone(),
            }),
            &mut out,
        )
        .ok()?;
    Some(out)
}

/// A byte-level superset of `pattern`: every Unicode class becomes its ASCII part or any
/// run of 1–4 non-ASCII bytes (one UTF-8 character or more), word boundaries become ASCII,
/// literals stay. Whatever `pattern` matches in UTF-8 text, this matches too (each character
/// of a class match maps to one piece), so "no match here" is exact. It compiles in a
/// fraction of a millisecond where the Unicode pattern takes tens (a Unicode `\w{0,24}` or
/// `[^{}]{0,400}` is thousands of NFA states): a small file with non-ASCII text and a
/// keyword (a Polish README) pays only for this unless a rule can really match. `None` when
/// the pattern does not parse.
pub(super) fn wide_variant(pattern: &str) -> Option<Regex> {
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};
    fn class(unicode: &regex_syntax::hir::ClassUnicode) -> Hir {
        let ascii: Vec<ClassBytesRange> = unicode
            .ranges()
            .iter()
            .filter(|r| r.start().is_ascii())
            .map(|r| ClassBytesRange::new(r.start() as u8, r.end().min('\x7f') as u8))
            .collect();
        let ascii = Hir::class(Class::Bytes(ClassBytes::new(ascii)));
        if unicode.ranges().iter().all(|r| r.end().is_ascii()) {
            return ascii;
        }
        let high = Hir::repetition(Repetition {
            min: 1,
            max: Some(4),
            greedy: true,
            sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([
                ClassBytesRange::new(0x80, 0xFF),
            ])))),
        });
        Hir::alternation(vec![ascii, high])
    }
    let hir = ksef_rules::leak::parsed_pattern(pattern).ok()?;
    let mut out = String::new();
    regex_syntax::hir::print::Printer::new()
        .print(
            &map_leaves(&hir, &|leaf| match leaf.kind() {
                HirKind::Class(Class::Unicode(unicode)) => class(unicode),
                HirKind::Look(look) => Hir::look(ascii_look(*look)),
                _ => leaf.clone(),
            }),
            &mut out,
        )
        .ok()?;
    compile_shared(&out, false).ok()
}

/// `hir` with each leaf (literal, class, assertion) replaced by `leaf` of it.
fn map_leaves(
    hir: &regex_syntax::hir::Hir,
    leaf: &dyn Fn(&regex_syntax::hir::Hir) -> regex_syntax::hir::Hir,
) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    match hir.kind() {
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(map_leaves(&rep.sub, leaf)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(map_leaves(&cap.sub, leaf)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|h| map_leaves(h, leaf)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(|h| map_leaves(h, leaf)).collect())
        }
        _ => leaf(hir),
    }
}

/// The ASCII form of a Unicode word boundary; other assertions unchanged.
fn ascii_look(look: regex_syntax::hir::Look) -> regex_syntax::hir::Look {
    use regex_syntax::hir::Look;
    match look {
        Look::WordUnicode => Look::WordAscii,
        Look::WordUnicodeNegate => Look::WordAsciiNegate,
        Look::WordStartUnicode => Look::WordStartAscii,
        Look::WordEndUnicode => Look::WordEndAscii,
        Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
        Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
        other => other,
    }
}

/// Compiles `pattern` (in ASCII mode with `ascii`), once per process: the scanner of the
/// loaded rules and the one behind [`crate::redact::redact_text`] share their compiled regexes, so a
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
pub(super) fn ascii_variant(pattern: &str) -> Option<Regex> {
    if !pattern.is_ascii()
        || pattern.contains("\\x")
        || pattern.contains("\\u")
        || pattern.contains("\\U")
    {
        return None;
    }
    compile_shared(pattern, true).ok()
}
/// Where any rule may match: from the line start of each match of the combined alternation to
/// [`WINDOW_LINES_AFTER`] lines past its end, overlapping windows merged. Every match of a
/// single rule starts inside (or at) a match of the alternation, so it lies in one window.
pub(super) fn candidate_windows(combined: &Regex, text: &[u8]) -> Vec<(usize, usize)> {
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
