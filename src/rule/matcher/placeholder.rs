//! Placeholders and documentation examples: never findings.

use crate::model::fingerprint_hex;

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
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
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
        return true;
    }
    (1..=16)
        .any(|p| bytes.len() >= 2 * p && bytes.iter().enumerate().all(|(i, b)| *b == bytes[i % p]))
}

/// True when `secret` is a documentation example (matched by fingerprint, so the examples'
/// text is not kept in the binary).
pub fn is_documentation_secret(secret: &str) -> bool {
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
}
