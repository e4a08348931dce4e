//! The one redaction, echo and line/column module, for every crate and the binary: free text
//! the tool writes or echoes passes [`redact_text`]; messages quote input values through
//! [`echo`] and [`problem_lines`]; positions in a buffer are [`line_col`] (1-based line,
//! column in characters).

use std::borrow::Cow;

use crate::matcher::find_tokens;

/// The one redaction for free text the tool writes or echoes (API descriptions, exception
/// fields, staff and inventory cells, config values, file and author names, error lines):
/// every KSeF token in `text` becomes its preview and fingerprint
/// (`ref|nip-…|abcd…(64 chars) sha256:0123456789ab`). First by shape, glued to anything
/// ([`ksef_model::redact_token_shapes`]), then by the leak rules (encoded forms: base64,
/// UTF-16, …). Text without one is returned as it is. (A lower-case 64-hex value is left
/// alone: fingerprints are 64-hex too, and exception targets name them.)
pub fn redact_text(text: &str) -> Cow<'_, str> {
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
            return Cow::Owned(shown);
        }
    }
    Cow::Owned(out)
}

/// How a value from an input file is echoed in a message: tokens redacted ([`redact_text`]),
/// then cut to `max` characters, then control and bidi characters escaped.
pub fn echo(value: &str, max: usize) -> String {
    ksef_model::escape_terminal(&ksef_model::cut(&redact_text(value), max)).into_owned()
}

/// At most this many problems of one input file are listed; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 50;

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

/// [`line_col`] for ascending offsets: newlines are counted once per buffer.
#[derive(Default)]
pub(crate) struct Locator {
    pos: usize,
    line: u64,
}

impl Locator {
    pub(crate) fn locate(&mut self, text: &[u8], offset: usize) -> (u64, u64) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_agrees_with_line_col() {
        let text = "a\nbb\n\nżółw x\r\nyy".as_bytes();
        let mut loc = Locator::default();
        for off in [0, 1, 2, 5, 6, 9, 12, 3, text.len()] {
            assert_eq!(loc.locate(text, off), line_col(text, off), "offset {off}");
        }
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "x\nżółw=1".as_bytes();
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        assert_eq!(line_col(text, text.len() - 1), (2, 6));
    }
}
