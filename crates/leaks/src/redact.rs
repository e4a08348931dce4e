//! The one redaction, echo and line/column module, for every crate and the binary: free text
//! the tool writes or echoes passes [`redact_text`]; messages quote input values through
//! [`echo`] and [`problem_lines`]; positions in a buffer are `line_col` (1-based line,
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

/// The one outbound filter for text people read (terminal, text, CSV, HTML, calendar, SARIF
/// messages): PESELs masked as in the tables (`85*******45`), tokens redacted
/// ([`redact_text`]), control and bidi characters other than newline and tab escaped
/// (`\u{…}`). Text that needs none of it is returned as it is.
pub fn outbound(text: &str) -> Cow<'_, str> {
    let redacted = redact_text(text);
    let masked = match ksef_model::mask_pesels_in(&redacted) {
        Cow::Borrowed(_) => redacted,
        Cow::Owned(m) => Cow::Owned(m),
    };
    match ksef_model::escape_terminal_text(&masked) {
        Cow::Borrowed(_) => masked,
        Cow::Owned(e) => Cow::Owned(e),
    }
}

/// How a value from an input file is echoed in a message: tokens redacted ([`redact_text`]),
/// then cut to `max` characters, then control and bidi characters escaped.
pub fn echo(value: &str, max: usize) -> String {
    ksef_model::escape_terminal(&ksef_model::cut(&redact_text(value), max)).into_owned()
}

/// At most this many problems of one input file are listed; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 50;

/// Problem lines for a message: each redacted, cut to 500 characters and escaped, at most
/// `MAX_PROBLEMS_SHOWN` of them, then `… and N more (M problems in all)`.
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

#[cfg(test)]
mod outbound_tests {
    use super::outbound;

    #[test]
    fn outbound_masks_pesels_redacts_tokens_and_escapes_controls() {
        let token = format!(
            "20250110-EC-0000000001-0000000001-01|nip-5265877635|{}",
            "ab12".repeat(16)
        );
        let text = format!("token Tomka 96050930871 {token} \u{1b}[2J\u{202e}end");
        let out = outbound(&text);
        assert!(!out.contains("96050930871"), "{out}");
        assert!(out.contains("96*******71"), "{out}");
        assert!(!out.contains(&"ab12".repeat(16)), "{out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out}"
        );
        assert!(matches!(
            outbound("plain text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
