//! KSeF context beyond the line (issue 12, point 1 and the 40-character half of point 4).
//!
//! The line rules (LEAK002, LEAK003) need the word "ksef" on the value's own line or in a
//! `ksef:` / `[ksef]` section. Real repositories keep a KSeF 1.0 token in a Java test as
//! `String TOKEN = "…"` with "ksef" only in the package path, or nest it as
//! `{"ksef": {"auth": {"token": …}}}`, `<Ksef><Token>…</Token></Ksef>`, `KSeF__Token=…` or a
//! Postman `{"key": "ksefToken", "value": "…"}` pair. This second pass finds those:
//!
//! 1. candidates: a run of exactly 40 ASCII letters/digits, or of 64 upper-case hex digits,
//!    bounded by characters a token cannot contain;
//! 2. the value is assigned to a token-like key on its line (`token`, `TOKEN`,
//!    `authorisationToken`, `ksefToken`, `apiToken`, `KSeF:Token`, an XML `<Token>`, the
//!    `key` of a Postman pair), or is a lone quoted value in a comment next to such an
//!    assignment (a commented-out second token); keys naming a digest (`fingerprint`,
//!    `sha256`, `hash`, `checksum`, `skrót`, `thumbprint`) or another service are not tokens;
//! 3. KSeF context: the key names KSeF, or the file's path does, or a `package`/`namespace`
//!    declaration does, or the enclosing YAML/TOML/JSON section does, or the word "ksef"
//!    occurs within [`NEAR_LINES`] lines (when no enclosing section names something else).
//!
//! Values then go through the rule's own checks (placeholders, pure hex for 40 characters)
//! and CamelCase dictionary words (`AuthorizationTokenRequestBuilderFactory`) are dropped.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Lines around a value within which the word "ksef" gives context.
pub(crate) const NEAR_LINES: usize = 20;

/// Lines around a commented-out value within which a token assignment makes it a token.
const COMMENT_NEAR_LINES: usize = 5;

/// Which rule shape a candidate has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 40 ASCII letters and digits (LEAK002).
    Alnum40,
    /// 64 upper-case hex digits (LEAK003).
    Hex64,
}

/// A value found by the context pass: offsets into the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContextHit {
    pub(crate) shape: Shape,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Words a token-like key may consist of besides "token" (anything else names another
/// service: `GITHUB_TOKEN` is not a KSeF token).
const GENERIC_KEY_WORDS: &[&str] = &[
    "token",
    "tokens",
    "ksef",
    "auth",
    "authorization",
    "authorisation",
    "autoryzacyjny",
    "api",
    "access",
    "test",
    "tests",
    "my",
    "the",
    "default",
    "value",
    "v1",
    "v2",
    "1",
    "2",
    "old",
    "new",
    "prod",
    "production",
    "demo",
    "dev",
    "integration",
    "sample",
    "current",
    "private",
    "static",
    "final",
    "string",
    "const",
    "var",
    "let",
    "val",
    "public",
    "readonly",
    "system",
    "context",
    "client",
    "firm",
    "company",
    "user",
    "session",
    "init",
    "key",
];

/// Key words that name a digest, not a token.
const DIGEST_WORDS: &[&str] = &[
    "fingerprint",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "hash",
    "checksum",
    "skrot",
    "skrót",
    "thumbprint",
    "digest",
    "md5",
    "crc",
    "etag",
    "commit",
    "revision",
    "rev",
    "sum",
];

/// Finds the values of the context pass in `text`. `path` is the buffer's name (a file path,
/// `archive.zip!member`, a git path); empty when unknown.
pub(crate) struct ContextPass {
    /// "ksef", "token" and "-----BEGIN ", case-insensitive: one pass gives every signal.
    words: AhoCorasick,
}

/// What one literal pass over a buffer found.
#[derive(Debug, Default)]
pub(crate) struct Signals {
    pub(crate) ksef_at: Vec<usize>,
    pub(crate) token: bool,
    pub(crate) pem: bool,
    pub(crate) path_ksef: bool,
}

impl Default for ContextPass {
    fn default() -> Self {
        ContextPass {
            words: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(["ksef", "token", "-----BEGIN "])
                .expect("two literals compile"),
        }
    }
}

impl ContextPass {
    /// Values with KSeF context beyond their line. Cheap when the buffer has no "token" or
    /// no KSeF mention at all (one literal pass).
    pub(crate) fn signals(&self, path: &str, text: &[u8]) -> Signals {
        let mut s = Signals {
            path_ksef: contains_ksef(path.as_bytes()),
            ..Signals::default()
        };
        for m in self.words.find_iter(text) {
            match m.pattern().as_usize() {
                0 => s.ksef_at.push(m.start()),
                1 => s.token = true,
                _ => s.pem = true,
            }
        }
        s
    }

    /// [`ContextPass::signals`], or, for a buffer without `ksef` (`keyed` false: see
    /// `Scanner::presence`) and a path without it, the signals without a pass over it: a KSeF
    /// certificate's key is all the key pass can find there, and only with a PEM header
    /// (`pem`, from the same literal search).
    pub(crate) fn signals_gated(&self, path: &str, text: &[u8], keyed: bool, pem: bool) -> Signals {
        if !keyed && !contains_ksef(path.as_bytes()) {
            return Signals {
                pem,
                ..Signals::default()
            };
        }
        self.signals(path, text)
    }

    /// Values with KSeF context beyond their line (`signals` from [`ContextPass::signals`]).
    pub(crate) fn find(&self, signals: &Signals, text: &[u8]) -> Vec<ContextHit> {
        let path_ksef = signals.path_ksef;
        let ksef_at = &signals.ksef_at;
        if !signals.token || (!path_ksef && ksef_at.is_empty()) {
            return Vec::new();
        }
        let lines = LineIndex::new(text);
        let ksef_lines: Vec<usize> = ksef_at.iter().map(|&o| lines.line_of(o)).collect();
        let package_ksef = ksef_lines
            .iter()
            .any(|&l| is_declaration(lines.line(text, l)));
        let file_context = path_ksef || package_ksef;
        let mut out = Vec::new();
        for (start, end, shape) in candidates(text) {
            let line_no = lines.line_of(start);
            let line = lines.line(text, line_no);
            let line_start = lines.start(line_no);
            let key = match key_before(text, line_start, start, end) {
                Some(key) => key,
                None => {
                    if !lone_value_in_comment(line, start - line_start, end - line_start)
                        || !token_assignment_near(text, &lines, line_no)
                    {
                        continue;
                    }
                    String::from("token")
                }
            };
            if !token_like(&key) {
                continue;
            }
            if contains_ksef(key.as_bytes()) {
                out.push(ContextHit { shape, start, end });
                continue;
            }
            let sections = enclosing_sections(text, &lines, line_no);
            let ok = match sections.is_empty() {
                false => sections.iter().any(|s| contains_ksef(s)) || file_context,
                // "ksef" inside the value itself is no context
                true => {
                    file_context
                        || ksef_at.iter().zip(&ksef_lines).any(|(&o, &l)| {
                            (o < start || o >= end) && l.abs_diff(line_no) <= NEAR_LINES
                        })
                }
            };
            if ok {
                out.push(ContextHit { shape, start, end });
            }
        }
        out
    }
}

fn contains_ksef(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w.eq_ignore_ascii_case(b"ksef"))
}

/// `package pl.firma.ksef;`, `namespace KSeF.Client`, `module ksef`, `@file:Package`.
fn is_declaration(line: &[u8]) -> bool {
    let t = trim(line);
    ["package ", "namespace ", "module ", "import ", "using "]
        .iter()
        .any(|k| t.starts_with(k.as_bytes()))
}

fn trim(line: &[u8]) -> &[u8] {
    let s = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let e = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |p| p + 1);
    &line[s..e.max(s)]
}

/// Runs of exactly 40 ASCII letters/digits and of exactly 64 upper-case hex digits, bounded
/// by bytes that are neither (so `_`, `-`, quotes and any punctuation end a value).
fn candidates(text: &[u8]) -> Vec<(usize, usize, Shape)> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = text.len();
    while i < n {
        if !text[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && text[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &text[start..i];
        match run.len() {
            40 => out.push((start, i, Shape::Alnum40)),
            64 if run
                .iter()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)) =>
            {
                out.push((start, i, Shape::Hex64))
            }
            _ => {}
        }
    }
    out
}

/// The key a value at `start..end` is assigned to on its line: `key = "v"`, `key: v`,
/// `"key": "v"`, `key => 'v'`, `<Key>v</Key>`, `put("key", "v")`, `{"key": "name", "value": "v"}`.
fn key_before(text: &[u8], line_start: usize, start: usize, end: usize) -> Option<String> {
    let before = &text[line_start..start];
    let mut i = before.len();
    let skip = |i: &mut usize, set: &[u8]| {
        while *i > 0 && set.contains(&before[*i - 1]) {
            *i -= 1;
        }
    };
    skip(&mut i, b" \t\"'`@");
    // XML element: <Token>value
    if i > 0 && before[i - 1] == b'>' {
        let close = i - 1;
        let open = before[..close].iter().rposition(|b| *b == b'<')?;
        let name = &before[open + 1..close];
        let name_end = name
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(name.len());
        let after = &text[end..(end + 2).min(text.len())];
        if !after.starts_with(b"<") {
            return None;
        }
        return Some(String::from_utf8_lossy(&name[..name_end]).into_owned());
    }
    // value(`"`)? then an operator
    let op_end = i;
    skip(&mut i, b"=:>,(");
    if i == op_end {
        return None;
    }
    let ops = &before[i..op_end];
    if ops.contains(&b'(') && ops.len() > 1 {
        return None;
    }
    skip(&mut i, b" \t\"'`");
    let key_end = i;
    // Non-ASCII bytes belong to the key too (`skrót_tokena`, `hasło`): a UTF-8 sequence is
    // taken whole, so the key starts on a character boundary.
    while i > 0
        && (before[i - 1].is_ascii_alphanumeric()
            || before[i - 1] >= 0x80
            || b"_.-:$[]".contains(&before[i - 1]))
    {
        i -= 1;
    }
    let key = String::from_utf8_lossy(&before[i..key_end]).into_owned();
    if key.eq_ignore_ascii_case("value") {
        // A Postman / Azure pair: the key's name is given just before.
        let lo = start
            .saturating_sub(300)
            .max(line_start.saturating_sub(300));
        return postman_key(&text[lo..start]).or(Some(key));
    }
    (!key.is_empty()).then_some(key)
}

/// True when the value at `start..end` is assigned to a key naming a digest
/// (`skrót_tokena_ksef = …`, `ksefTokenSha256: …`, `"fingerprint": "…"`): a SHA-256 of a token
/// (our own outputs write them), not a token.
pub(crate) fn assigned_to_digest_key(text: &[u8], start: usize, end: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |p| p + 1);
    // No `key = value` shape (`Skrót tokena KSeF (SHA-256): …`): the words just before it.
    let key = key_before(text, line_start, start, end).unwrap_or_else(|| {
        let lo = line_start.max(start.saturating_sub(80));
        String::from_utf8_lossy(&text[lo..start]).into_owned()
    });
    split_words(&key)
        .iter()
        .any(|w| DIGEST_WORDS.contains(&w.as_str()))
}

/// `"key": "ksefToken"` (the last one) in `before`.
fn postman_key(before: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(before).ok()?;
    let at = s.rfind("\"key\"")?;
    let rest = s[at + 5..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let name = &rest[..rest.find('"')?];
    Some(name.to_string())
}

/// True when the key is token-like: it contains "token" and otherwise only generic words
/// (or names KSeF), and no word of it names a digest.
pub(crate) fn token_like(key: &str) -> bool {
    let words = split_words(key);
    if !words.iter().any(|w| w.contains("token")) {
        return false;
    }
    if words.iter().any(|w| DIGEST_WORDS.contains(&w.as_str())) {
        return false;
    }
    let names_ksef = words.iter().any(|w| w.contains("ksef"));
    names_ksef
        || words.iter().all(|w| {
            GENERIC_KEY_WORDS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit())
        })
}

/// `authorisationToken` -> [authorisation, token]; `KSeF__Token` -> [ksef, token];
/// `TOKEN_V1` -> [token, v1].
fn split_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    // "KSeF" is one word however it is written
    let mut chars: Vec<char> = key.chars().collect();
    for i in 0..chars.len().saturating_sub(3) {
        let w: String = chars[i..i + 4].iter().collect();
        if w.eq_ignore_ascii_case("ksef") {
            chars[i..i + 4].copy_from_slice(&['K', 's', 'e', 'f']);
        }
    }
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (prev.is_lowercase() || (prev.is_uppercase() && next.is_lowercase()));
        if boundary {
            words.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A 40-letter value made of CamelCase dictionary-like words and no digit
/// (`AuthorizationTokenRequestBuilderFactory1` has a digit and is not one).
pub(crate) fn is_camel_case_words(value: &str) -> bool {
    let b = value.as_bytes();
    if b.iter().any(u8::is_ascii_digit) || !b.first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_uppercase() {
            return false;
        }
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_lowercase() {
            j += 1;
        }
        if j - i < 3 {
            return false;
        }
        i = j;
    }
    true
}

/// `// "VALUE";`, `# 'VALUE'`, `-- VALUE`: nothing on the comment line but the value.
fn lone_value_in_comment(line: &[u8], start: usize, end: usize) -> bool {
    let head = trim(&line[..start]);
    let tail = trim(&line[end..]);
    const MARKERS: [&[u8]; 8] = [b"//", b"#", b"--", b"/*", b"*", b"<!--", b";", b"'"];
    let marker = MARKERS.iter().find(|m| head.starts_with(m));
    let Some(marker) = marker else {
        return false;
    };
    let rest = trim(&head[marker.len()..]);
    let rest_ok = rest
        .iter()
        .all(|b| b"\"'`(+,=".contains(b) || b.is_ascii_whitespace());
    let tail_ok = tail
        .iter()
        .all(|b| b"\"'`);,+*/>-".contains(b) || b.is_ascii_whitespace());
    rest_ok && tail_ok
}

/// A token-like assignment on a line within [`COMMENT_NEAR_LINES`] of `line_no`.
fn token_assignment_near(text: &[u8], lines: &LineIndex, line_no: usize) -> bool {
    let lo = line_no.saturating_sub(COMMENT_NEAR_LINES);
    let hi = (line_no + COMMENT_NEAR_LINES).min(lines.count() - 1);
    (lo..=hi).filter(|&l| l != line_no).any(|l| {
        let line = lines.line(text, l);
        let Some(op) = line.iter().position(|b| *b == b'=' || *b == b':') else {
            return false;
        };
        let head = trim(&line[..op]);
        let key_start = head
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || b"_.-\"'".contains(b)))
            .map_or(0, |p| p + 1);
        let key = String::from_utf8_lossy(&head[key_start..]);
        token_like(key.trim_matches(|c| c == '"' || c == '\''))
    })
}

/// The headers of the sections enclosing `line_no`, innermost first: YAML parents (`name:`
/// at a smaller indent), a TOML/INI table (`[name]`), JSON objects (`"name": {`). Empty when
/// the line is at top level or the file is not of those shapes.
fn enclosing_sections<'t>(text: &'t [u8], lines: &LineIndex, line_no: usize) -> Vec<&'t [u8]> {
    let mut out = Vec::new();
    let line = lines.line(text, line_no);
    let mut indent = line
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let mut depth: i32 = 0;
    for l in (line_no.saturating_sub(80)..line_no).rev() {
        let prev = lines.line(text, l);
        let t = trim(prev);
        if t.is_empty() {
            continue;
        }
        if t.starts_with(b"[") && t.ends_with(b"]") && !t.contains(&b'=') {
            out.push(t);
            break;
        }
        // JSON: count braces backwards; each `{` that opens an enclosing object names it.
        let closes = t.iter().filter(|b| **b == b'}').count() as i32;
        let opens = t.iter().filter(|b| **b == b'{').count() as i32;
        depth += closes - opens;
        if depth < 0 && t.ends_with(b"{") {
            // `"name": {` names a section; a code block (`class X {`) does not
            if trim(&t[..t.len() - 1]).ends_with(b":") {
                out.push(t);
            }
            depth = 0;
            continue;
        }
        let prev_indent = prev
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        if indent > 0 && prev_indent < indent && t.ends_with(b":") {
            out.push(t);
            indent = prev_indent;
        }
    }
    out
}

/// Line starts of a buffer.
struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    fn new(text: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|p| p + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }
    fn count(&self) -> usize {
        self.starts.len()
    }
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset) - 1
    }
    fn start(&self, line: usize) -> usize {
        self.starts[line]
    }
    fn line<'t>(&self, text: &'t [u8], line: usize) -> &'t [u8] {
        let s = self.starts[line];
        let e = self.starts.get(line + 1).map_or(self.len, |e| e - 1);
        let l = &text[s..e.max(s)];
        l.strip_suffix(b"\r").unwrap_or(l)
    }
}

/// Boundary check of KSeF 2.0 tokens (point 2): a token glued to neighbouring characters
/// (`prefix_…`, `…_old`, a SQLite or LevelDB record) is found, but not one that is part of
/// a longer number (a digit before the reference) or a longer hex string (a hex digit after
/// the secret).
pub(crate) fn v2_boundary_ok(text: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !text[start - 1].is_ascii_digit();
    let after_ok = end >= text.len() || !text[end].is_ascii_hexdigit();
    before_ok && after_ok
}

#[cfg(test)]
mod tests;
