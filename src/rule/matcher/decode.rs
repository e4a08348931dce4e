//! Text encodings the scanner looks through: UTF-16 and base64 values.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT;

/// Which encoding a buffer was decoded from before matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn label(self) -> Option<&'static str> {
        match self {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf16Le => Some("utf-16le"),
            TextEncoding::Utf16Be => Some("utf-16be"),
        }
    }
}

/// Returns the buffer as UTF-8 when it is UTF-16 (BOM or NUL-byte pattern), else unchanged.
pub fn to_utf8(data: &[u8]) -> (Cow<'_, [u8]>, TextEncoding) {
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
    if pairs < 8 {
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
pub const MIN_BASE64_RUN: usize = 48;

const fn b64_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        i += 1;
    }
    t
}

static B64: [bool; 256] = b64_table();

/// Byte ranges of base64-alphabet runs (plus trailing `=`) of at least [`MIN_BASE64_RUN`].
///
/// Skips like Boyer-Moore: a run of `L` bytes starting at or after `i` must contain byte
/// `i + L - 1`, so when that byte is not base64 the next `L` bytes need no look.
pub fn base64_runs(data: &[u8]) -> Vec<(usize, usize)> {
    const L: usize = MIN_BASE64_RUN;
    let mut runs = Vec::new();
    let n = data.len();
    let is = |k: usize| B64[usize::from(data[k])];
    // Invariant: `i == 0` or `data[i - 1]` is not base64.
    let mut i = 0;
    while i + L <= n {
        let p = i + L - 1;
        if !is(p) {
            i = p + 1;
            continue;
        }
        let mut start = p;
        while start > i && is(start - 1) {
            start -= 1;
        }
        let mut end = p + 1;
        while end < n && is(end) {
            end += 1;
        }
        if end - start >= L {
            let mut padded = end;
            while padded < n && padded - end < 2 && data[padded] == b'=' {
                padded += 1;
            }
            runs.push((start, padded));
            i = padded;
        } else {
            i = end + 1;
        }
    }
    runs
}

/// Decodes one base64 run to text; `None` when it is not valid base64 or not printable text
/// (binary payloads such as certificates are not scanned as text).
pub fn decode_base64_text(run: &[u8]) -> Option<Vec<u8>> {
    let trimmed: &[u8] = match run.iter().position(|b| *b == b'=') {
        Some(p) => &run[..p],
        None => run,
    };
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let decoded = STANDARD_NO_PAD_INDIFFERENT.decode(trimmed).ok()?;
    let text = std::str::from_utf8(&decoded).ok()?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return None;
    }
    Some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            if !B64[usize::from(data[i])] {
                i += 1;
                continue;
            }
            let start = i;
            while i < data.len() && B64[usize::from(data[i])] {
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
    fn skipping_run_finder_agrees_with_the_naive_one() {
        let mut x: u64 = 42;
        for round in 0..200 {
            let len = 50 + round * 13;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // mostly base64 characters, with separators now and then
                    match (x >> 33) % 64 {
                        0 => b' ',
                        1 => b'=',
                        2 => b'\n',
                        k => {
                            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                                [k as usize]
                        }
                    }
                })
                .collect();
            assert_eq!(base64_runs(&data), naive_runs(&data), "round {round}");
        }
    }

    #[test]
    fn base64_text_is_decoded_and_binary_is_not() {
        let b64 = base64::engine::general_purpose::STANDARD
            .encode("a fairly long line of plain text for the decoder test");
        let line = format!("key: {b64}\n");
        let runs = base64_runs(line.as_bytes());
        assert_eq!(runs, vec![(5, 5 + b64.len())]);
        let decoded = decode_base64_text(&line.as_bytes()[runs[0].0..runs[0].1]).expect("text");
        assert!(decoded.starts_with(b"a fairly"));
        let bin = base64::engine::general_purpose::STANDARD.encode([0u8, 1, 2, 200, 3].repeat(20));
        assert!(decode_base64_text(bin.as_bytes()).is_none());
    }
}
