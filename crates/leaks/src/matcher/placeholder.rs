//! Placeholders and documentation examples: never findings.

use ksef_model::fingerprint_hex;

/// Words that mark a value as a placeholder (compared lower-case).
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "your",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "replace",
    "dummy",
    "redacted",
    "insert",
    "0123456789",
    "123456789",
    "abcdefghij",
    "${",
    "{{",
    "<",
    ">",
];

/// SHA-256 of secret parts published as documentation examples (the KSeF API specification's
/// `GenerateTokenResponse` example and a widely copied third-party README sample).
const DOCUMENTATION_SECRETS: &[&str] = &[
    "3629e4b1874dda73842b2b650da323acc2aa6ea065b4214da0b5fc6db804f882",
    "ada633b0a2bc6da01fb8dcf8afd50750b4318e05360feb6e13b302124c4b59b3",
];

/// True for values that are obviously not a real secret: repeated characters, a short
/// repeated unit, `xxxx`, `<your-token>`, `${VAR}`, `YOUR_TOKEN_HERE`-style text.
pub(crate) fn is_placeholder(value: &str) -> bool {
    placeholder_reason(value).is_some()
}

/// Why `value` is a placeholder, by general evidence: a placeholder word (`your`, `xxxx`,
/// `${`, a counting sequence such as `0123456789`), few distinct characters, or a short
/// repeated unit. None for a value that may be real.
pub(crate) fn placeholder_reason(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return Some("placeholder text");
    }
    let bytes = lower.as_bytes();
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in bytes {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
        }
    }
    if distinct <= 3 {
        return Some("repeated characters");
    }
    (1..=16)
        .any(|p| bytes.len() >= 2 * p && bytes.iter().enumerate().all(|(i, b)| *b == bytes[i % p]))
        .then_some("repeated pattern")
}

/// Why a KSeF 2.0 token is a placeholder: its secret is one ([`placeholder_reason`]), or it
/// has the shape of an official-documentation example: an impossible NIP (check digit 10,
/// so KSeF can never have issued it) together with a reference number that fails its check
/// and whose random part is a counting sequence (`1234567890`, `ABCDEF0123`). Each of those
/// alone only lowers confidence: real tokens are kept.
pub(crate) fn v2_placeholder_reason(
    reference: &str,
    nip: &str,
    secret: &str,
    reference_ok: bool,
) -> Option<&'static str> {
    if let Some(reason) = placeholder_reason(secret) {
        return Some(reason);
    }
    if is_documentation_secret(secret) {
        return Some("documentation example");
    }
    let counting = reference
        .split('-')
        .any(|part| part.len() >= 6 && is_counting(part));
    (nip_check_digit(nip) == Some(10) && !reference_ok && counting)
        .then_some("documentation example")
}

/// The NIP check digit computed from the first nine digits (10 = no valid NIP has them).
pub(crate) fn nip_check_digit(nip: &str) -> Option<u32> {
    const W: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let d: Vec<u32> = nip.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
    (d.len() == 10).then(|| d.iter().zip(W).map(|(a, w)| a * w).sum::<u32>() % 11)
}

/// `123456`, `3456789A`, `ABCDEF01`: each hex digit one more than the last (wrapping).
fn is_counting(part: &str) -> bool {
    let v: Option<Vec<u32>> = part.chars().map(|c| c.to_digit(16)).collect();
    let Some(v) = v else { return false };
    v.windows(2).all(|w| w[1] == (w[0] + 1) % 16)
}

/// True when `secret` is a documentation example known by fingerprint (kept beside the
/// general evidence: the published values are not in the repository to test the rule with).
pub(crate) fn is_documentation_secret(secret: &str) -> bool {
    let fp = fingerprint_hex(secret.as_bytes());
    DOCUMENTATION_SECRETS.contains(&fp.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "0000000000000000000000000000000000000000",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "abababababababababababababababababababab",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "YOUR_TOKEN_HERE",
            "<your-token>",
            "${KSEF_TOKEN}",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder(
            "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd"
        ));
        assert!(!is_placeholder("FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2"));
    }

    #[test]
    fn documentation_shape_needs_all_three_signs() {
        let secret = "0badc0de1111222233334444555566667777888899990000aaaabbbbccccdddd";
        // impossible NIP + failed reference check + counting reference: an example
        assert_eq!(
            v2_placeholder_reason(
                "20250101-EC-1234567890-ABCDEF0123-00",
                "1234567890",
                secret,
                false
            ),
            Some("documentation example")
        );
        // one sign missing: kept (confidence is lowered elsewhere)
        assert_eq!(
            v2_placeholder_reason(
                "20250101-EC-1234567890-ABCDEF0123-00",
                "1111111111",
                secret,
                false
            ),
            None
        );
        assert_eq!(
            v2_placeholder_reason(
                "20260201-EC-1A2B3C4D5E-1122334455-AB",
                "1234567890",
                secret,
                false
            ),
            None
        );
        assert_eq!(
            v2_placeholder_reason(
                "20250101-EC-1234567890-ABCDEF0123-00",
                "1234567890",
                secret,
                true
            ),
            None
        );
        assert_eq!(nip_check_digit("1234567890"), Some(10));
        assert_eq!(nip_check_digit("1111111111"), Some(1));
    }
}
