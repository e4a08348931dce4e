//! Decoded views of issue 22: the places where a token is whole only after the text is read
//! the way its program reads it. Each view is gated by a quick signature (an ESC byte, a
//! backslash or quote join, `<w:t`, `%PDF-`, the SQLite header), so ordinary text costs one
//! memchr pass at most:
//!
//! - ANSI escape sequences stripped (a token inside colour codes in a CI log);
//! - line continuations and string concatenation joined (`.properties` and shell `\` at a
//!   line end, Java `"…" + "…"`, Python `"…" "…"`), around the joins only;
//! - the text runs of a .docx paragraph joined (a token split across runs);
//! - PDF FlateDecode content streams inflated (`(…) Tj` and `[(…) 12 (…)] TJ` joined);
//! - SQLite pages of a UTF-16 database read as text, at both byte alignments.

use std::io::Read;

use crate::matcher::decode::View;

/// Every view of `text` whose signature is present (`presence`: what the quick literal search
/// found): [`joined`] is for a token split across lines or string pieces, and the rest of its
/// line or literal still names it (`ksef`, `nip-`, `internalid-`: a piece of a line rule's
/// keyword), so a buffer without one is not read twice; [`DOCX_RUN`] is one of the literals.
pub(crate) fn views(text: &[u8], presence: super::Presence) -> Vec<View> {
    let joined = if presence.keyed { joined(text) } else { None };
    let docx = if presence.docx {
        docx_paragraphs(text)
    } else {
        None
    };
    let mut out: Vec<View> = [ansi_stripped(text), joined, docx]
        .into_iter()
        .flatten()
        .collect();
    out.extend(pdf_streams(text));
    out.extend(sqlite_utf16(text));
    out
}

const ESC: u8 = 0x1b;

/// The text without ANSI escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL`, and
/// two-byte escapes). None when the text holds no ESC byte.
pub(crate) fn ansi_stripped(text: &[u8]) -> Option<View> {
    memchr::memchr(ESC, text)?;
    let mut view = View::builder(text.len());
    let mut i = 0;
    while i < text.len() {
        let next = memchr::memchr(ESC, &text[i..]).map_or(text.len(), |p| i + p);
        if next > i {
            view.copy(&text[i..next], i);
        }
        i = next + escape_len(&text[next.min(text.len())..]);
    }
    view.label = "ansi";
    Some(view)
}

/// Length of the escape sequence at the start of `rest` (which starts with ESC).
fn escape_len(rest: &[u8]) -> usize {
    match rest.get(1) {
        None => 1,
        Some(b'[') => {
            let params = rest[2..]
                .iter()
                .take_while(|b| (0x20..=0x3f).contains(*b))
                .count();
            let end = 2 + params;
            end + usize::from(rest.get(end).is_some_and(|b| (0x40..=0x7e).contains(b)))
        }
        Some(b']') => {
            let body = &rest[2..rest.len().min(4096)];
            match body.iter().position(|b| *b == 0x07 || *b == ESC) {
                Some(p) if body[p] == 0x07 => 2 + p + 1,
                Some(p) => 2 + p + usize::from(body.get(p + 1) == Some(&b'\\')) + 1,
                None => 2,
            }
        }
        Some(_) => 2,
    }
}

/// Where a literal is continued: (start, end) of the bytes a reader drops (`\` + line end +
/// the next line's indentation; a closing quote, `+` and whitespace, the opening quote).
fn joins(text: &[u8]) -> Vec<(usize, usize)> {
    const LOOK: usize = 256;
    let mut out = Vec::new();
    for i in memchr::memchr3_iter(b'\\', b'"', b'\'', text) {
        if out.last().is_some_and(|(_, e)| i < *e) {
            continue;
        }
        let rest = &text[i + 1..text.len().min(i + 1 + LOOK)];
        let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        if text[i] == b'\\' {
            let eol = match rest {
                [b'\n', ..] => 1,
                [b'\r', b'\n', ..] => 2,
                _ => continue,
            };
            let indent = rest[eol..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
            out.push((i, i + 1 + eol + indent));
            continue;
        }
        let mut j = rest.iter().take_while(|b| ws(b)).count();
        let spaced = j > 0;
        let plus = rest.get(j) == Some(&b'+');
        if plus {
            j += 1;
            j += rest[j..].iter().take_while(|b| ws(b)).count();
        }
        if (plus || spaced) && rest.get(j) == Some(&text[i]) {
            out.push((i, i + 1 + j + 1));
        }
    }
    out
}

/// The lines around each join, joined: a continued literal reads as one. None without joins.
pub(crate) fn joined(text: &[u8]) -> Option<View> {
    let joins = joins(text);
    if joins.is_empty() {
        return None;
    }
    let line_start = |at: usize| memchr::memrchr(b'\n', &text[..at]).map_or(0, |p| p + 1);
    let line_end = |at: usize| memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
    // One line of context on each side (a `KSEF_TOKEN =` before the value).
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in &joins {
        let lo = line_start(line_start(s).saturating_sub(1));
        let hi = line_end((line_end(e.min(text.len())) + 1).min(text.len()));
        match regions.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => regions.push((lo, hi)),
        }
    }
    let mut view = View::builder(regions.iter().map(|(s, e)| e - s + 1).sum());
    let mut joins = joins.iter().peekable();
    for (lo, hi) in regions {
        let mut at = lo;
        while let Some(&&(s, e)) = joins.peek().filter(|(s, _)| *s < hi) {
            view.copy(&text[at..s], at);
            at = e.min(hi);
            joins.next();
        }
        view.copy(&text[at..hi], at);
        if hi < text.len() {
            view.copy(&text[hi..=hi], hi);
        }
    }
    view.label = "joined";
    Some(view)
}

/// The text of each .docx paragraph (`<w:t>` runs joined, one line per `</w:p>`). None when
/// the buffer is not WordprocessingML.
/// What starts a text run of a Word document (`<w:t>`, `<w:t xml:space="preserve">`).
pub(crate) const DOCX_RUN: &str = "<w:t";

pub(crate) fn docx_paragraphs(text: &[u8]) -> Option<View> {
    let first = memchr::memmem::find(text, DOCX_RUN.as_bytes())?;
    let mut view = View::builder(text.len() / 4);
    let mut i = first;
    while let Some(p) = memchr::memchr(b'<', &text[i..]).map(|p| i + p) {
        let rest = &text[p..];
        if rest.starts_with(b"</w:p>") {
            view.copy(b"\n", p);
            i = p + 6;
        } else if rest.starts_with(b"<w:t>") || rest.starts_with(b"<w:t ") {
            let Some(open) = memchr::memchr(b'>', rest) else {
                break;
            };
            let body = p + open + 1;
            let close =
                memchr::memmem::find(&text[body..], b"</w:t>").map_or(text.len(), |c| body + c);
            view.copy(&text[body..close], body);
            i = close;
        } else {
            i = p + 1;
        }
    }
    view.label = "docx";
    Some(view)
}

/// Most bytes one PDF stream may inflate to.
const MAX_STREAM: u64 = 16 << 20;

/// Each FlateDecode stream of a PDF, inflated, with the string pieces of a `TJ` array joined;
/// located at the stream's start.
pub(crate) fn pdf_streams(text: &[u8]) -> Vec<View> {
    if !text.starts_with(b"%PDF-") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(text, b"stream") {
        if at >= 3 && &text[at - 3..at] == b"end" {
            continue;
        }
        let body = match &text[at + 6..] {
            [b'\r', b'\n', ..] => at + 8,
            [b'\n', ..] => at + 7,
            _ => continue,
        };
        let dict = &text[at.saturating_sub(1024)..at];
        let dict = memchr::memmem::rfind(dict, b"<<").map_or(dict, |d| &dict[d..]);
        if memchr::memmem::find(dict, b"/FlateDecode").is_none() {
            continue;
        }
        let end =
            memchr::memmem::find(&text[body..], b"endstream").map_or(text.len(), |e| body + e);
        let mut inflated = Vec::new();
        // A damaged stream still gives what was inflated before the damage.
        let _ = flate2::read::ZlibDecoder::new(&text[body..end])
            .take(MAX_STREAM)
            .read_to_end(&mut inflated);
        if !inflated.is_empty() {
            out.push(View::at(join_tj(&inflated), body, "pdf"));
        }
    }
    out
}

/// Drops `) 12 (` between the string pieces of a `TJ` array (kerning), so `[(ab) -3 (cd)] TJ`
/// reads `[(abcd)] TJ`.
fn join_tj(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while i < content.len() {
        if content[i] == b')' {
            let rest = &content[i + 1..];
            let gap = rest
                .iter()
                .take_while(|b| {
                    b.is_ascii_whitespace() || b.is_ascii_digit() || matches!(b, b'-' | b'.')
                })
                .count();
            if rest.get(gap) == Some(&b'(') {
                i += gap + 2;
                continue;
            }
        }
        out.push(content[i]);
        i += 1;
    }
    out
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// A SQLite database whose header says UTF-16 (text encoding 2 or 3): its pages read as
/// UTF-16 at both byte alignments (a record's strings start at any offset), non-ASCII units
/// as line breaks. Each page's text is located in that page.
pub(crate) fn sqlite_utf16(data: &[u8]) -> Vec<View> {
    if !data.starts_with(SQLITE_MAGIC) || data.len() < 100 {
        return Vec::new();
    }
    let big_endian = match u32::from_be_bytes([data[56], data[57], data[58], data[59]]) {
        2 => false,
        3 => true,
        _ => return Vec::new(),
    };
    let page = match u16::from_be_bytes([data[16], data[17]]) {
        1 => 65536,
        n if n >= 512 => usize::from(n),
        _ => return Vec::new(),
    };
    (0..2)
        .map(|align| {
            let mut view = View::builder(data.len() / 2);
            for start in (0..data.len()).step_by(page) {
                let bytes = &data[(start + align).min(data.len())..(start + page).min(data.len())];
                let text: Vec<u8> = bytes
                    .chunks_exact(2)
                    .map(|u| {
                        let unit = if big_endian {
                            u16::from_be_bytes([u[0], u[1]])
                        } else {
                            u16::from_le_bytes([u[0], u[1]])
                        };
                        match u8::try_from(unit) {
                            Ok(b) if b.is_ascii_graphic() || b == b' ' || b == b'\t' => b,
                            _ => b'\n',
                        }
                    })
                    .collect();
                view.copy(&text, start);
            }
            view.label = "sqlite-utf16";
            view
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(view: Option<View>) -> String {
        String::from_utf8(view.expect("a view").text).expect("utf-8")
    }

    #[test]
    fn issue_22_ansi_codes_are_stripped_and_offsets_kept() {
        let log = b"\x1b[36mINFO\x1b[0m token=\x1b[1;33mAB\x1b[0mCD\x1b]0;title\x07!\n";
        let view = ansi_stripped(log).expect("esc");
        assert_eq!(view.text, b"INFO token=ABCD!\n");
        let c = view.text.iter().position(|b| *b == b'C').expect("C");
        assert_eq!(log[view.original(c)], b'C');
        assert!(ansi_stripped(b"plain text").is_none());
    }

    #[test]
    fn issue_22_continuations_and_concatenations_are_joined() {
        let props = b"a=1\nksef.token=ab\\\n    cd\nb=2\n";
        assert_eq!(text_of(joined(props)), "a=1\nksef.token=abcd\nb=2\n");
        let java = b"String t = \"ab\" +\n    \"cd\";\n";
        assert_eq!(text_of(joined(java)), "String t = \"abcd\";\n");
        let python = b"T = (\"ab\"\n     \"cd\")\n";
        assert_eq!(text_of(joined(python)), "T = (\"abcd\")\n");
        let shell = b"export T=\"ab\\\ncd\"\n";
        assert_eq!(text_of(joined(shell)), "export T=\"abcd\"\n");
        // Nothing continued: no view, and only the lines around a join are copied.
        assert!(joined(b"x = \"a\"; y = 'b'\n").is_none());
        let far = format!(
            "{}k=\"ab\" + \"cd\"\n{}",
            "x\n".repeat(100),
            "y\n".repeat(100)
        );
        let view = joined(far.as_bytes()).expect("join");
        assert!(view.text.len() < 20, "{}", view.text.len());
        let c = view.text.iter().position(|b| *b == b'c').expect("c");
        assert_eq!(far.as_bytes()[view.original(c)], b'c');
    }

    #[test]
    fn issue_22_docx_runs_are_joined_per_paragraph() {
        let xml = br#"<w:p><w:r><w:t>ab</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t xml:space="preserve">cd</w:t></w:r></w:p><w:p><w:r><w:tab/><w:t>ef</w:t></w:r></w:p>"#;
        assert_eq!(text_of(docx_paragraphs(xml)), "abcd\nef\n");
        assert!(docx_paragraphs(b"<p>ab</p>").is_none());
    }

    #[test]
    fn issue_22_pdf_flate_streams_are_inflated_and_tj_joined() {
        let content = b"BT /F1 12 Tf [(ab) -20 (cd)] TJ (ef) Tj ET";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, content).expect("zlib");
        let packed = z.finish().expect("zlib");
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n".to_vec();
        let body = pdf.len();
        pdf.extend_from_slice(&packed);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        let views = pdf_streams(&pdf);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].text, b"BT /F1 12 Tf [(abcd)] TJ (ef) Tj ET");
        assert_eq!(views[0].original(3), body);
        assert!(pdf_streams(b"not a pdf stream\n").is_empty());
    }

    #[test]
    fn issue_22_utf16_sqlite_pages_are_read_at_both_alignments() {
        let mut db = vec![0u8; 1024];
        db[..16].copy_from_slice(SQLITE_MAGIC);
        db[16..18].copy_from_slice(&512u16.to_be_bytes());
        db[56..60].copy_from_slice(&2u32.to_be_bytes());
        let word: Vec<u8> = "TOKEN".encode_utf16().flat_map(u16::to_le_bytes).collect();
        db[601..601 + word.len()].copy_from_slice(&word);
        let views = sqlite_utf16(&db);
        assert_eq!(views.len(), 2);
        let odd = &views[1];
        let at = memchr::memmem::find(&odd.text, b"TOKEN").expect("odd alignment");
        assert!((512..1024).contains(&odd.original(at)));
        db[56..60].copy_from_slice(&1u32.to_be_bytes());
        assert!(sqlite_utf16(&db).is_empty());
    }
}
