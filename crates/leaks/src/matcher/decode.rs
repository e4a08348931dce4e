//! Text encodings the scanner looks through: UTF-16 and base64 values.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT;

/// Which encoding a buffer was decoded from before matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub(crate) fn label(self) -> Option<&'static str> {
        match self {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf16Le => Some("utf-16le"),
            TextEncoding::Utf16Be => Some("utf-16be"),
        }
    }
}

/// Returns the buffer as UTF-8 when it is UTF-16 (BOM or NUL-byte pattern), else unchanged.
pub(crate) fn to_utf8(data: &[u8]) -> (Cow<'_, [u8]>, TextEncoding) {
    let enc = detect_utf16(data);
    let decoder = match enc {
        TextEncoding::Utf8 => return (Cow::Borrowed(data), enc),
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
    };
    let body = if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
        &data[2..]
    } else {
        data
    };
    let (text, _had_errors) = decoder.decode_without_bom_handling(body);
    (Cow::Owned(text.into_owned().into_bytes()), enc)
}

fn detect_utf16(data: &[u8]) -> TextEncoding {
    if data.starts_with(&[0xFF, 0xFE]) && !data.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return TextEncoding::Utf16Le;
    }
    if data.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    let sample = &data[..data.len().min(4096)];
    let pairs = sample.len() / 2;
    // Text without NUL bytes (nearly every file) is settled by one SIMD search.
    if pairs < 8 || memchr::memchr(0, sample).is_none() {
        return TextEncoding::Utf8;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for (i, b) in sample[..pairs * 2].iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                zero_even += 1;
            } else {
                zero_odd += 1;
            }
        }
    }
    if zero_odd * 10 >= pairs * 7 && zero_even * 20 <= pairs {
        TextEncoding::Utf16Le
    } else if zero_even * 10 >= pairs * 7 && zero_odd * 20 <= pairs {
        TextEncoding::Utf16Be
    } else {
        TextEncoding::Utf8
    }
}

/// Shortest base64 run worth decoding (a 40-character token is 56 base64 characters).
pub(crate) const MIN_BASE64_RUN: usize = 48;

/// Decodes one base64 run (either alphabet) to text; `None` when it is not valid base64 or
/// not printable text (binary payloads such as certificates are not scanned as text). A run
/// that does not decode from its first character is tried from the next three (issue 22: a
/// value glued to base64 characters before it, e.g. a JWT payload whose offset leaves it
/// misaligned), so any alignment is found.
pub(crate) fn decode_base64_text(run: &[u8]) -> Option<Vec<u8>> {
    let trimmed: &[u8] = match memchr::memchr(b'=', run) {
        Some(p) => &run[..p],
        None => run,
    };
    // The ends first: a run that cannot end as text at any alignment (a binary payload, a
    // megabyte of one repeated byte) costs no pass over its length.
    if !(0..4).any(|shift| trimmed.get(shift..).is_some_and(tail_may_be_text)) {
        return None;
    }
    if !plausible_url_safe(trimmed) {
        return None;
    }
    let standard: std::borrow::Cow<[u8]> = if memchr::memchr2(b'-', b'_', trimmed).is_some() {
        trimmed.iter().copied().map(standard_char).collect()
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    };
    // Other alignments only for what looks encoded (mixed case and digits): a path or a long
    // name that fails at its first character is not worth three more decodes.
    let shifts = if looks_encoded(trimmed) { 4 } else { 1 };
    (0..shifts).find_map(|shift| decode_aligned(standard.get(shift..)?))
}

/// Upper case, lower case and digits: the look of encoded bytes.
fn looks_encoded(run: &[u8]) -> bool {
    run.iter().any(u8::is_ascii_uppercase)
        && run.iter().any(u8::is_ascii_lowercase)
        && run.iter().any(u8::is_ascii_digit)
}

/// Whether a run with URL-safe characters (`-`, `_`) can be base64 at all: not both
/// alphabets at once, and the mixed case and digits of encoded bytes. Source code is full of
/// long `snake_case` and `kebab-case` names that are base64 by alphabet only; decoding each
/// of them at four alignments doubled the CPU of a working-tree scan.
fn plausible_url_safe(run: &[u8]) -> bool {
    let url_safe = memchr::memchr2(b'-', b'_', run).is_some();
    if !url_safe {
        return true;
    }
    memchr::memchr2(b'+', b'/', run).is_none() && looks_encoded(run)
}

fn decode_aligned(b64: &[u8]) -> Option<Vec<u8>> {
    if b64.len() % 4 == 1 || b64.len() < MIN_BASE64_RUN - 3 || !tail_may_be_text(b64) {
        return None;
    }
    let decoded = STANDARD_NO_PAD_INDIFFERENT.decode(b64).ok()?;
    // Characters glued before the value (`token_eyJ…`) decode to a few bytes of junk.
    let start = (0..=GLUED_JUNK.min(decoded.len())).find(|&k| is_text(&decoded[k..]))?;
    Some(decoded[start..].to_vec())
}

/// Whether the last whole 16 characters of `b64` decode to bytes that can end a text: most
/// runs in code (hashes, long names) fail here, before the whole run is decoded. The 12 bytes
/// lie after any glued junk ([`GLUED_JUNK`]), so a run [`is_text`] accepts always passes.
fn tail_may_be_text(b64: &[u8]) -> bool {
    if b64.len() % 4 == 1 {
        return false;
    }
    let whole = b64.len() / 4 * 4;
    let Some(tail) = whole.checked_sub(16).map(|from| &b64[from..whole]) else {
        return true;
    };
    let mut chars = [0u8; 16];
    for (c, b) in chars.iter_mut().zip(tail) {
        *c = standard_char(*b);
    }
    let mut bytes = [0u8; 12];
    if STANDARD_NO_PAD_INDIFFERENT
        .decode_slice_unchecked(chars, &mut bytes)
        .is_err()
    {
        return false;
    }
    // The window may start inside a UTF-8 sequence and end inside another.
    let first = bytes
        .iter()
        .take(3)
        .take_while(|b| (0x80..0xC0).contains(*b))
        .count();
    let body = &bytes[first..];
    let valid = match std::str::from_utf8(body) {
        Ok(_) => body.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return false,
    };
    !body[..valid]
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || b == 0x7F)
}

/// Bytes of junk a decoded run may start with: what up to ten glued characters decode to.
const GLUED_JUNK: usize = 8;

fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    })
}

/// A decoded view of a buffer with, for each byte of the view, the offset in the original.
pub(crate) struct View {
    pub(crate) text: Vec<u8>,
    /// Where runs of the view start, as (view offset, original offset); inside a run both
    /// advance together. One entry per decoded escape, not one per byte: a view of a 64 MiB
    /// window costs the window again, not eight times it.
    runs: Vec<(usize, usize)>,
    /// Every byte of the view comes from this one offset (a decompressed PDF stream: its
    /// bytes have no place of their own in the original).
    fixed: Option<usize>,
    pub(crate) label: &'static str,
}

impl View {
    pub(super) fn builder(capacity: usize) -> View {
        View {
            text: Vec::with_capacity(capacity),
            runs: Vec::new(),
            fixed: None,
            label: "",
        }
    }

    /// A view whose every byte is located at `offset` of the original.
    pub(super) fn at(text: Vec<u8>, offset: usize, label: &'static str) -> View {
        View {
            text,
            runs: Vec::new(),
            fixed: Some(offset),
            label,
        }
    }

    /// Appends `bytes`, the first taken from original offset `from` (a decoded escape is one
    /// byte from where the escape starts; the run it ends is cut at the next copy).
    pub(super) fn copy(&mut self, bytes: &[u8], from: usize) {
        let at = self.text.len();
        if self.runs.last().is_none_or(|(v, o)| o + (at - v) != from) {
            self.runs.push((at, from));
        }
        self.text.extend_from_slice(bytes);
    }

    /// The original offset of view offset `at` (one past the last byte for the end).
    pub(crate) fn original(&self, at: usize) -> usize {
        if let Some(offset) = self.fixed {
            return offset;
        }
        if at >= self.text.len() {
            return match self.text.len() {
                0 => 0,
                n => self.original(n - 1) + 1,
            };
        }
        let run = self
            .runs
            .partition_point(|(v, _)| *v <= at)
            .saturating_sub(1);
        self.runs.get(run).map_or(at, |(v, o)| o + (at - v))
    }
}

/// Escaped separators and strings (issue 12, point 3): `\u007c`, `\x7c`, `&#124;`,
/// `&#x7c;`, `&vert;`, `%257C` become `|`; JSON string escapes (`\"`, `\/`, `\\`) are undone.
/// None when the buffer holds none of them (the common case: one literal pass).
pub(crate) fn escaped_view(text: &[u8]) -> Option<View> {
    const TRIGGERS: &[&[u8]] = &[
        b"\\u007", b"\\x7", b"&#124;", b"&#x7", b"&vert;", b"%257", b"\\\"",
    ];
    if !TRIGGERS
        .iter()
        .any(|t| memchr::memmem::find(text, t).is_some())
    {
        return None;
    }
    let mut view = View::builder(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let (emit, used): (&[u8], usize) = if starts_ci(rest, b"\\u007c")
            || rest.starts_with(b"&#124;")
            || starts_ci(rest, b"&#x7c;")
            || rest.starts_with(b"&vert;")
        {
            (b"|", 6)
        } else if starts_ci(rest, b"\\x7c") {
            (b"|", 4)
        } else if starts_ci(rest, b"%257c") {
            (b"|", 5)
        } else if rest.starts_with(b"\\\"") || rest.starts_with(b"\\/") || rest.starts_with(b"\\\\")
        {
            (&rest[1..2], 2)
        } else {
            (&rest[..1], 1)
        };
        view.copy(emit, i);
        i += used;
    }
    view.label = "escaped";
    Some(view)
}

fn starts_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// Quoted-printable bodies (`.eml`): `=7C` and other `=XX` escapes decoded, soft line breaks
/// (`=` at a line end) joined. Only for buffers that declare
/// `Content-Transfer-Encoding: quoted-printable`.
pub(crate) fn quoted_printable_view(text: &[u8]) -> Option<View> {
    // One SIMD literal search (the regex crate's prefilter), not a compare at every offset.
    static DECLARED: std::sync::OnceLock<Option<regex::bytes::Regex>> = std::sync::OnceLock::new();
    let declared = DECLARED.get_or_init(|| {
        regex::bytes::Regex::new("(?i-u)content-transfer-encoding:[ \t]*quoted-printable").ok()
    });
    let lower_hit = match declared {
        Some(re) => re.is_match(text),
        None => text
            .windows(16)
            .any(|w| w.eq_ignore_ascii_case(b"quoted-printable")),
    };
    if !lower_hit {
        return None;
    }
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut view = View::builder(text.len());
    let mut i = 0;
    while i < text.len() {
        // Copy up to the next '=' in one go.
        let next = memchr::memchr(b'=', &text[i..]).map_or(text.len(), |p| i + p);
        if next > i {
            view.copy(&text[i..next], i);
            i = next;
            continue;
        }
        if text[i + 1..].starts_with(b"\r\n") {
            i += 3;
            continue;
        }
        if text[i + 1..].starts_with(b"\n") {
            i += 2;
            continue;
        }
        if let (Some(h), Some(l)) = (
            text.get(i + 1).and_then(|b| hex(*b)),
            text.get(i + 2).and_then(|b| hex(*b)),
        ) {
            view.copy(&[h * 16 + l], i);
            i += 3;
            continue;
        }
        view.copy(&text[i..=i], i);
        i += 1;
    }
    view.label = "quoted-printable";
    Some(view)
}

/// Runs of at least [`MIN_BASE64_RUN`] base64 characters or `=`. Every base64 run (with its
/// padding) lies inside one of them, and every block of [`wrapped_base64_blocks`] starts with a
/// line that is one of at least 64 bytes: so a buffer is looked at once for both, and only these
/// (rare) stretches again.
///
/// A stretch of 48 bytes holds a whole 16-byte block that starts at a multiple of 32, so only
/// those blocks are tested (half of the buffer), and only those that are all base64 are looked
/// at byte by byte. The test of a block compiles to a few SIMD instructions.
pub(crate) fn base64_stretches(data: &[u8]) -> Vec<(usize, usize)> {
    const BLOCK: usize = 16;
    const STRIDE: usize = 32;
    const _: () = assert!(MIN_BASE64_RUN >= STRIDE + BLOCK);
    let mut out = Vec::new();
    let n = data.len();
    // Invariant: no stretch starts before `settled` that is not in `out` yet.
    let mut settled = 0;
    let mut block = 0;
    while block + BLOCK <= n {
        let bytes: &[u8; BLOCK] = data[block..block + BLOCK].try_into().expect("16 bytes");
        if !all_stretch_bytes(bytes) {
            block += STRIDE;
            continue;
        }
        let mut start = block;
        while start > settled && is_stretch_byte(data[start - 1]) {
            start -= 1;
        }
        let mut end = block + BLOCK;
        while let Some(next) = data.get(end..end + BLOCK)
            && all_stretch_bytes(next.try_into().expect("16 bytes"))
        {
            end += BLOCK;
        }
        while end < n && is_stretch_byte(data[end]) {
            end += 1;
        }
        if end - start >= MIN_BASE64_RUN {
            out.push((start, end));
        }
        settled = end;
        block = (end + STRIDE) & !(STRIDE - 1);
    }
    out
}

/// A character of either base64 alphabet: standard (`+/`) and URL-safe (`-_`, JWT segments).
/// By comparisons: they vectorise, a table does not.
#[inline(always)]
fn is_base64_byte(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter | digit | (b == b'+') | (b == b'/') | (b == b'-') | (b == b'_')
}

/// A base64 character or its padding `=`: what a stretch is made of.
#[inline(always)]
fn is_stretch_byte(b: u8) -> bool {
    is_base64_byte(b) | (b == b'=')
}

/// The standard-alphabet character for a URL-safe one.
fn standard_char(b: u8) -> u8 {
    match b {
        b'-' => b'+',
        b'_' => b'/',
        b => b,
    }
}

#[inline(always)]
fn all_stretch_bytes(bytes: &[u8; 16]) -> bool {
    bytes
        .iter()
        .fold(0u8, |bad, &b| bad | u8::from(!is_stretch_byte(b)))
        == 0
}

/// Byte ranges of base64-alphabet runs (plus up to two `=` of padding) of at least
/// [`MIN_BASE64_RUN`], looked for only inside the `stretches` of `data` ([`base64_stretches`]):
/// a stretch is base64 characters and `=`, so its runs are its pieces between `=` signs (each
/// with up to two of them as padding).
pub(crate) fn base64_runs_within(data: &[u8], stretches: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    for &(s, e) in stretches {
        let mut start = s;
        let mut pads = memchr::memchr_iter(b'=', &data[s..e]).map(|p| s + p);
        loop {
            let end = pads.next().unwrap_or(e);
            if end - start >= MIN_BASE64_RUN {
                let padded = (end..e.min(end + 2))
                    .take_while(|&k| data[k] == b'=')
                    .last()
                    .map_or(end, |k| k + 1);
                runs.push((start, padded));
            }
            if end == e {
                break;
            }
            start = end + 1;
        }
    }
    runs
}

/// Whether [`wrapped_base64_blocks`] can find anything, from the buffer's stretches.
pub(crate) fn may_hold_wrapped_base64(stretches: &[(usize, usize)]) -> bool {
    // A block's first line is all base64 between indentation and line end: a whole stretch.
    stretches.iter().any(|(s, e)| matches!(e - s, 64 | 76))
}

/// Base64 wrapped over several lines (e-mail bodies at 76 columns, PEM-like blocks and
/// Kubernetes secrets at 64): runs of at least two lines that are only base64, every line but
/// the last exactly 64 or 76 characters (indentation allowed). Returns (start, end, joined)
/// where start..end covers the lines in the original.
pub(crate) fn wrapped_base64_blocks(text: &[u8]) -> Vec<(usize, usize, Vec<u8>)> {
    let mut out = Vec::new();
    let mut lines: Vec<(usize, usize)> = Vec::new(); // content ranges of the current block
    let mut width = 0;
    let mut pos = 0;
    let flush = |lines: &mut Vec<(usize, usize)>, out: &mut Vec<(usize, usize, Vec<u8>)>| {
        if lines.len() >= 2 {
            let joined: Vec<u8> = lines
                .iter()
                .flat_map(|(s, e)| text[*s..*e].to_vec())
                .collect();
            out.push((lines[0].0, lines[lines.len() - 1].1, joined));
        }
        lines.clear();
    };
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
        let raw = &text[pos..end];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let indent = raw
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let content = &raw[indent..];
        let is_b64 = !content.is_empty() && content.iter().all(|b| is_stretch_byte(*b));
        let len = content.len();
        let continues = is_b64 && !lines.is_empty() && (len <= width);
        if continues {
            lines.push((pos + indent, pos + indent + len));
            if len < width {
                flush(&mut lines, &mut out);
            }
        } else {
            flush(&mut lines, &mut out);
            if is_b64 && (len == 64 || len == 76) {
                width = len;
                lines.push((pos + indent, pos + indent + len));
            }
        }
        pos = end + 1;
    }
    flush(&mut lines, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_23_a_mention_of_quoted_printable_is_no_declaration() {
        let tsv = b"name\tsummary\nqp\tdecodes quoted-printable mail =7C fast\n";
        assert!(quoted_printable_view(tsv).is_none());
        let mail = b"Content-Transfer-Encoding: quoted-printable\n\nKSEF=7Cx\n";
        assert_eq!(
            quoted_printable_view(mail).map(|v| v.text),
            Some(b"Content-Transfer-Encoding: quoted-printable\n\nKSEF|x\n".to_vec())
        );
    }

    #[test]
    fn issue_23_a_view_maps_offsets_with_one_entry_per_escape() {
        let mut text = vec![b'a'; 1 << 20];
        text.extend_from_slice(b"x\\u007cy");
        text.extend(vec![b'b'; 1 << 20]);
        let view = escaped_view(&text).expect("an escape");
        assert!(view.runs.len() <= 3, "{} runs", view.runs.len());
        let bar = view.text.iter().position(|b| *b == b'|').expect("decoded");
        assert_eq!(view.original(bar), (1 << 20) + 1);
        assert_eq!(view.original(bar + 1), (1 << 20) + 7);
        assert_eq!(view.original(0), 0);
        assert_eq!(view.original(view.text.len()), text.len());
    }

    #[test]
    fn wrapped_base64_needs_a_long_run() {
        let may = |t: &str| may_hold_wrapped_base64(&base64_stretches(t.as_bytes()));
        let line = "QUJD".repeat(16);
        let block = format!("data:\n  {line}\n  {line}\n  QUJD\n");
        assert!(!wrapped_base64_blocks(block.as_bytes()).is_empty());
        assert!(may(&block));
        let padded = format!("x {}= y", "A".repeat(63));
        assert!(may(&padded));
        let short = format!("{} {}\n", "A".repeat(63), "B".repeat(63)).repeat(20);
        assert!(!may(&short));
        assert!(wrapped_base64_blocks(short.as_bytes()).is_empty());
    }

    #[test]
    fn quoted_printable_needs_its_declaration() {
        let body = b"Content-Transfer-Encoding: Quoted-Printable\n\nKSEF=3D1\n";
        assert_eq!(
            quoted_printable_view(body).map(|v| v.label),
            Some("quoted-printable")
        );
        assert!(quoted_printable_view(b"KSEF=3D1 quoted printable").is_none());
    }

    #[test]
    fn utf16_is_detected_with_and_without_bom() {
        let text = "KSEF_TOKEN=abc\r\nnext line here\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend(&le);
        for (data, enc) in [
            (le.clone(), TextEncoding::Utf16Le),
            (be, TextEncoding::Utf16Be),
            (le_bom, TextEncoding::Utf16Le),
        ] {
            let (out, got) = to_utf8(&data);
            assert_eq!(got, enc);
            assert_eq!(&*out, text.as_bytes());
        }
        let (out, got) = to_utf8(text.as_bytes());
        assert_eq!(got, TextEncoding::Utf8);
        assert_eq!(&*out, text.as_bytes());
    }

    fn naive_runs(data: &[u8]) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < data.len() {
            if !is_base64_byte(data[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < data.len() && is_base64_byte(data[i]) {
                i += 1;
            }
            let mut end = i;
            while end < data.len() && end - i < 2 && data[end] == b'=' {
                end += 1;
            }
            if i - start >= MIN_BASE64_RUN {
                runs.push((start, end));
            }
            i = end.max(i + 1);
        }
        runs
    }

    #[test]
    fn block_run_finder_agrees_with_the_naive_one() {
        let mut x: u64 = 42;
        for round in 0..2000 {
            let len = round % 400 + (round / 400) * 97;
            // Separators from rare (long runs, several 16-byte blocks) to frequent.
            let sparsity = 8 + round % 7 * 40;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let k = (x >> 33) as usize;
                    if k.is_multiple_of(sparsity) {
                        b" =\n.=:"[k / sparsity % 6]
                    } else {
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
                            [k % 66]
                    }
                })
                .collect();
            let stretches = base64_stretches(&data);
            assert_eq!(
                base64_runs_within(&data, &stretches),
                naive_runs(&data),
                "round {round}"
            );
        }
    }

    /// [`decode_base64_text`] without the look at the run's ends: every alignment decoded whole.
    fn decode_whole(run: &[u8]) -> Option<Vec<u8>> {
        let trimmed = &run[..run.iter().position(|b| *b == b'=').unwrap_or(run.len())];
        if !plausible_url_safe(trimmed) {
            return None;
        }
        let standard: Vec<u8> = trimmed
            .iter()
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                b => *b,
            })
            .collect();
        let shifts = if looks_encoded(trimmed) { 4 } else { 1 };
        (0..shifts).find_map(|shift| {
            let b64 = standard.get(shift..)?;
            if b64.len() % 4 == 1 || b64.len() < MIN_BASE64_RUN - 3 {
                return None;
            }
            let decoded = STANDARD_NO_PAD_INDIFFERENT.decode(b64).ok()?;
            let start = (0..=GLUED_JUNK.min(decoded.len())).find(|&k| is_text(&decoded[k..]))?;
            Some(decoded[start..].to_vec())
        })
    }

    #[test]
    fn looking_at_the_ends_first_changes_no_result() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut x: u64 = 7;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize
        };
        let texts = [
            "zażółć gęślą jaźń ",
            "ksef|nip-5261048379|",
            "plain words\n\t",
            "€",
        ];
        let mut decoded_some = 0;
        for round in 0..3000 {
            let len = 30 + next() % 90;
            let payload: Vec<u8> = match round % 3 {
                // text, binary, and text with one control byte somewhere
                0 => texts[next() % 4]
                    .bytes()
                    .cycle()
                    .skip(next() % 7)
                    .take(len)
                    .collect(),
                1 => (0..len).map(|_| next() as u8).collect(),
                _ => {
                    let mut t: Vec<u8> = texts[2].bytes().cycle().take(len).collect();
                    let at = next() % len;
                    t[at] = (next() % 32) as u8;
                    t
                }
            };
            let encoded = if round % 2 == 0 {
                STANDARD.encode(&payload)
            } else {
                URL_SAFE_NO_PAD.encode(&payload)
            };
            let glued: String = "Ab9x".chars().take(next() % 4).collect();
            let run = format!("{glued}{encoded}");
            let got = decode_base64_text(run.as_bytes());
            assert_eq!(got, decode_whole(run.as_bytes()), "round {round}: {run}");
            decoded_some += usize::from(got.is_some());
        }
        assert!(decoded_some > 500, "{decoded_some}");
    }

    #[test]
    fn base64_text_is_decoded_and_binary_is_not() {
        let b64 = base64::engine::general_purpose::STANDARD
            .encode("a fairly long line of plain text for the decoder test");
        let line = format!("key: {b64}\n");
        let runs = base64_runs_within(line.as_bytes(), &base64_stretches(line.as_bytes()));
        assert_eq!(runs, vec![(5, 5 + b64.len())]);
        let decoded = decode_base64_text(&line.as_bytes()[runs[0].0..runs[0].1]).expect("text");
        assert!(decoded.starts_with(b"a fairly"));
        let bin = base64::engine::general_purpose::STANDARD.encode([0u8, 1, 2, 200, 3].repeat(20));
        assert!(decode_base64_text(bin.as_bytes()).is_none());
    }

    #[test]
    fn url_safe_runs_need_the_look_of_encoded_bytes() {
        // A JWT-like payload in the URL-safe alphabet is decoded ...
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode("{\"sub\":\"ksef-2025\",\"scope\":\"invoice>read?all\"}");
        assert!(payload.contains(['-', '_']), "{payload}");
        assert!(
            decode_base64_text(payload.as_bytes()).is_some(),
            "{payload}"
        );
        // ... long names of code are not (only their alphabet is base64).
        for name in [
            "git_config_get_string_multi_value",
            "STRBUF_INIT_WITH_DEFAULT_ALLOC_SIZE",
            "data-ksef-token-placeholder-value",
        ] {
            assert!(!plausible_url_safe(name.as_bytes()), "{name}");
        }
    }
}
