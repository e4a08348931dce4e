//! Polish and KSeF identifiers: NIP, InternalId, reference numbers.

use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NipError {
    #[error("NIP must be 10 digits, got {0} characters")]
    Length(usize),
    #[error("NIP may contain only digits (dashes and spaces are removed first)")]
    NotDigits,
    #[error("NIP check digit does not match (expected {expected}, found {found})")]
    CheckDigit { expected: u32, found: u32 },
    #[error("NIP check sum is 10, so no NIP can have these first nine digits")]
    Impossible,
}

/// Normalises a NIP (drops `-`, spaces and a leading `PL`) and checks its check digit.
pub fn validate_nip(raw: &str) -> Result<String, NipError> {
    let trimmed = raw.trim();
    let trimmed = trimmed
        .strip_prefix("PL")
        .or_else(|| trimmed.strip_prefix("pl"))
        .unwrap_or(trimmed);
    let nip: String = trimmed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .collect();
    if !nip.chars().all(|c| c.is_ascii_digit()) {
        return Err(NipError::NotDigits);
    }
    if nip.len() != 10 {
        return Err(NipError::Length(nip.chars().count()));
    }
    const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let digits: Vec<u32> = nip.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = WEIGHTS.iter().zip(&digits).map(|(w, d)| w * d).sum();
    let check = sum % 11;
    if check == 10 {
        return Err(NipError::Impossible);
    }
    if check != digits[9] {
        return Err(NipError::CheckDigit {
            expected: check,
            found: digits[9],
        });
    }
    Ok(nip)
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InternalIdError {
    #[error("InternalId must look like NNNNNNNNNN-DDDDD")]
    Shape,
    #[error("InternalId NIP part: {0}")]
    Nip(NipError),
    #[error("InternalId check digit does not match")]
    CheckDigit,
}

/// Checks an InternalId `NNNNNNNNNN-DDDDD` (NIP + 5 digits, weights 1,3,1,3… mod 10).
pub fn validate_internal_id(raw: &str) -> Result<(), InternalIdError> {
    let (nip, suffix) = raw.trim().split_once('-').ok_or(InternalIdError::Shape)?;
    if nip.len() != 10 || suffix.len() != 5 || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InternalIdError::Shape);
    }
    validate_nip(nip).map_err(InternalIdError::Nip)?;
    let digits: Vec<u32> = nip
        .bytes()
        .chain(suffix.bytes())
        .map(|b| u32::from(b - b'0'))
        .collect();
    let sum: u32 = digits[..14]
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
        .sum();
    if sum % 10 != digits[14] {
        return Err(InternalIdError::CheckDigit);
    }
    Ok(())
}

/// CRC-8 (poly 0x07, init 0, no reflection) as KSeF uses for its numbers.
pub fn crc8(data: &[u8]) -> u8 {
    let mut crc: u8 = 0;
    for &byte in data {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// True when a 36-character reference number ends with the CRC-8 of its first 33
/// characters. Empirical for KSeF 2.0 reference numbers: a confidence signal only.
pub fn reference_check_ok(reference: &str) -> bool {
    let bytes = reference.as_bytes();
    if bytes.len() != 36 || bytes[33] != b'-' {
        return false;
    }
    let expected = format!("{:02X}", crc8(&bytes[..33]));
    expected.as_bytes() == &bytes[34..]
}

/// Shape of a KSeF token reference number: `YYYYMMDD-EC-XXXXXXXXXX-XXXXXXXXXX-XX`.
pub fn is_token_reference(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |r: std::ops::Range<usize>| {
        b[r].iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
    };
    b.len() == 36
        && b[..8].iter().all(u8::is_ascii_digit)
        && &b[8..12] == b"-EC-"
        && hex(12..22)
        && b[22] == b'-'
        && hex(23..33)
        && b[33] == b'-'
        && hex(34..36)
}

/// Lowercase hex SHA-256.
pub fn fingerprint_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `5265877635` -> `526*****35`: for reports that leave the firm.
pub fn mask_nip(nip: &str) -> String {
    mask_middle(nip, 3, 2)
}

/// `85010112345` -> `85*******45`: PESELs are never shown raw.
pub fn mask_pesel(pesel: &str) -> String {
    mask_middle(pesel, 2, 2)
}

/// Hex words at least this long are digests (SHA-1, SHA-256 fingerprints), never a PESEL:
/// eleven digits inside one are left alone (a masked fingerprint cannot be matched again).
const DIGEST_HEX_LEN: usize = 32;

/// Free text with every PESEL in it (a run of exactly 11 digits with a valid check digit, not
/// inside a hex digest) masked as [`mask_pesel`] does: for descriptions shown in tables and CSV.
pub fn mask_pesels_in(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &text[start..i];
        if run.len() == 11 && pesel_ok(run) && !inside_digest(bytes, start, i) {
            out.push_str(&text[copied..start]);
            out.push_str(&mask_pesel(run));
            copied = i;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Whether `bytes[start..end]` lies in a hex word of at least [`DIGEST_HEX_LEN`] characters.
fn inside_digest(bytes: &[u8], start: usize, end: usize) -> bool {
    // Counted up to the length that settles it: a long hex text is not walked per run.
    let before = bytes[..start]
        .iter()
        .rev()
        .take(DIGEST_HEX_LEN)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let after = bytes[end..]
        .iter()
        .take(DIGEST_HEX_LEN)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    before + (end - start) + after >= DIGEST_HEX_LEN
}

fn mask_middle(s: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i >= chars.len() - keep_end {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A PESEL: 11 digits whose last one is the check digit of the first ten.
pub fn pesel_ok(p: &str) -> bool {
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let d: Vec<u32> = p.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || p.chars().count() != 11 {
        return false;
    }
    let sum: u32 = W.iter().zip(&d).map(|(w, x)| w * x).sum();
    (10 - sum % 10) % 10 == d[10]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesels_in_text_are_masked_other_numbers_kept() {
        assert_eq!(
            mask_pesels_in("token Tomka 96050930871, tel. 600123456, ref 12345678901"),
            "token Tomka 96*******71, tel. 600123456, ref 12345678901"
        );
        assert_eq!(mask_pesels_in("x96050930871"), "x96*******71");
        assert_eq!(mask_pesels_in("960509308712"), "960509308712");
        assert!(matches!(
            mask_pesels_in("ERP prod"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn eleven_digits_inside_a_digest_are_no_pesel() {
        // A SHA-256 fingerprint a leak report printed with 11 of its digits masked: it could
        // no longer be copied into an exceptions file.
        let fp = "10b97bdae72ff032024c78f321daf2b67d50889cda448a9f05e96050930871e0";
        assert_eq!(fp.len(), 64);
        assert_eq!(mask_pesels_in(fp), fp);
        assert_eq!(
            mask_pesels_in(&format!("fingerprint {fp}; PESEL 96050930871")),
            format!("fingerprint {fp}; PESEL 96*******71")
        );
        // Glued to a short word, it is still a PESEL.
        assert_eq!(mask_pesels_in("Tomka96050930871"), "Tomka96*******71");
    }

    #[test]
    fn nip_check_digit() {
        assert_eq!(validate_nip("5265877635").as_deref(), Ok("5265877635"));
        assert_eq!(
            validate_nip("PL 526-587-76-35").as_deref(),
            Ok("5265877635")
        );
        assert!(validate_nip("7762811692").is_ok());
        assert!(matches!(
            validate_nip("1234567890"),
            Err(NipError::CheckDigit { .. }) | Err(NipError::Impossible)
        ));
        assert_eq!(validate_nip("12345"), Err(NipError::Length(5)));
        assert_eq!(validate_nip("52658x7635"), Err(NipError::NotDigits));
    }

    #[test]
    fn reference_crc_matches_documented_examples() {
        assert!(reference_check_ok("20251010-EC-1DCE3E3000-12ECB5B36E-45"));
        assert!(!reference_check_ok("20260201-EC-1A2B3C4D5E-1122334455-AB"));
        assert!(is_token_reference("20251010-EC-1DCE3E3000-12ECB5B36E-45"));
        assert!(!is_token_reference("20251010-AU-1DCE3E3000-12ECB5B36E-45"));
    }

    #[test]
    fn masks_keep_edges() {
        assert_eq!(mask_nip("5265877635"), "526*****35");
        assert_eq!(mask_pesel("85010112345"), "85*******45");
    }
}
