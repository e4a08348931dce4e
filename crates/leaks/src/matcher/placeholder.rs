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
#[cfg(test)]
fn is_placeholder(value: &str) -> bool {
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
/// and whose random part is a counting sequence (`1234567890`, `ABCDEF0123`); or a NIP that
/// fails its check digit together with a patterned secret (`00112233…`). Each of those
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
    let nip_valid =
        nip_check_digit(nip).is_some_and(|d| nip.ends_with(char::from_digit(d, 10).unwrap_or('x')));
    let example = (nip_check_digit(nip) == Some(10) && !reference_ok && counting)
        // issue 22: a NIP that fails its check digit and a secret with a pattern
        || (!nip_valid && is_patterned(secret));
    example.then_some("documentation example")
}

/// `00112233…`, `0badc0de11112222…`: a secret whose runs of one repeated character take a
/// quarter or more of its length (random hex has about one such repeat in sixteen).
fn is_patterned(secret: &str) -> bool {
    let b = secret.as_bytes();
    let repeats = b.windows(2).filter(|w| w[0] == w[1]).count();
    b.len() >= 16 && repeats * 4 >= b.len()
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

/// Words a password placeholder is made of, Polish and English (compared lower-case, without
/// diacritics): `test-password`, `twoje-haslo`, `certificate-password`, `changeit`.
const PASSWORD_WORDS: &[&str] = &[
    "certificate",
    "przykladowe",
    "passphrase",
    "przyklad",
    "keystore",
    "password",
    "passwort",
    "prywatny",
    "changeit",
    "changeme",
    "example",
    "letmein",
    "private",
    "default",
    "testowe",
    "testowy",
    "secret",
    "sekret",
    "sample",
    "qwerty",
    "haslo",
    "twoje",
    "wrong",
    "wpisz",
    "podaj",
    "admin",
    "dummy",
    "tajne",
    "tajny",
    "token",
    "klucz",
    "value",
    "store",
    "empty",
    "pusty",
    "blank",
    "tutaj",
    "fixme",
    "twoj",
    "cert",
    "pass",
    "test",
    "demo",
    "prod",
    "ksef",
    "user",
    "your",
    "mine",
    "none",
    "null",
    "here",
    "todo",
    "pfx",
    "p12",
    "pwd",
    "key",
    "foo",
    "bar",
    "baz",
    "dev",
    "my",
];

/// Why a password literal is a placeholder, not a password: general placeholder evidence
/// ([`placeholder_reason`]), a value wrapped in underscores, stars, dots or hashes
/// (`_____token_password_____`), or one made only of placeholder words ([`PASSWORD_WORDS`]),
/// separators and counting characters (`test-password`, `haslo`, `password123`, `abcdef`).
pub(crate) fn password_placeholder_reason(value: &str) -> Option<&'static str> {
    if let Some(reason) = placeholder_reason(value) {
        return Some(reason);
    }
    if ["__", "**", "..", "##"]
        .iter()
        .any(|w| value.starts_with(w) || value.ends_with(w))
    {
        return Some("placeholder text");
    }
    let rest: String = password_rest(value).into_iter().collect::<String>();
    let rest = rest.to_lowercase();
    let rest: String = rest.chars().filter(|c| c.is_alphanumeric()).collect();
    (rest.is_empty() || is_counting_run(&rest)).then_some("placeholder password")
}

/// The characters of `value` that are not part of a [`PASSWORD_WORDS`] word (matched
/// lower-case, without Polish diacritics; longest words first).
fn password_rest(value: &str) -> Vec<char> {
    let original: Vec<char> = value.chars().collect();
    let folded: Vec<char> = original
        .iter()
        .map(|c| match c.to_lowercase().next().unwrap_or(*c) {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            c => c,
        })
        .collect();
    let mut removed = vec![false; original.len()];
    for word in PASSWORD_WORDS {
        let w: Vec<char> = word.chars().collect();
        let mut i = 0;
        while i + w.len() <= folded.len() {
            if !removed[i..i + w.len()].iter().any(|r| *r) && folded[i..i + w.len()] == w[..] {
                removed[i..i + w.len()].iter_mut().for_each(|r| *r = true);
                i += w.len();
            } else {
                i += 1;
            }
        }
    }
    original
        .into_iter()
        .zip(removed)
        .filter(|(_, r)| !r)
        .map(|(c, _)| c)
        .collect()
}

/// `123`, `abcdef`, `987`: three or more characters, each one more (or less) than the last.
fn is_counting_run(s: &str) -> bool {
    let v: Vec<u32> = s.chars().map(u32::from).collect();
    v.len() >= 3
        && (v.windows(2).all(|w| w[1] == w[0] + 1) || v.windows(2).all(|w| w[0] == w[1] + 1))
}

/// Bits a password literal is worth beyond placeholder words, repeats and counting runs: its
/// other characters (a repeated or counting character not counted) times log2 of the alphabet
/// their classes span. `Zx8!kq2LmT` is worth about 66 bits, `Tajne-Haslo-77` about 11 (`--7`
/// once the words are gone).
pub(crate) fn password_bits(value: &str) -> f64 {
    let kept = password_rest(value);
    let mut chars: Vec<char> = Vec::new();
    for (i, c) in kept.iter().enumerate() {
        let step = |a: char, b: char| (b as i64) - (a as i64);
        let counting = i >= 1 && step(kept[i - 1], *c).abs() == 1;
        if chars.last() != Some(c) && !counting {
            chars.push(*c);
        }
    }
    let mut alphabet = 0u32;
    for (present, size) in [
        (chars.iter().any(char::is_ascii_lowercase), 26),
        (chars.iter().any(char::is_ascii_uppercase), 26),
        (chars.iter().any(char::is_ascii_digit), 10),
    ] {
        if present {
            alphabet += size;
        }
    }
    if chars.iter().any(|c| !c.is_ascii_alphanumeric()) {
        alphabet += 33;
    }
    if alphabet == 0 {
        return 0.0;
    }
    chars.len() as f64 * f64::from(alphabet).log2()
}

/// A password literal worth this many bits ([`password_bits`]) is reported on its own; a
/// weaker one only when it opens a key found in the same scan.
pub(crate) const STRONG_PASSWORD_BITS: f64 = 36.0;

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
        let secret = "5ca1ab1edec0de5afe1abe1ba5edfab1e0bad1dea7c0de51debead5c0fe12ba7";
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
        // issue 22: a NIP failing its check digit and a patterned secret
        let patterned = "0badc0de1111222233334444555566667777888899990000aaaabbbbccccdddd";
        let reference = "20260201-EC-1A2B3C4D5E-1122334455-AB";
        for nip in ["1234567890", "1111111112"] {
            assert_eq!(
                v2_placeholder_reason(reference, nip, patterned, true),
                Some("documentation example")
            );
        }
        assert_eq!(
            v2_placeholder_reason(reference, "1111111111", patterned, true),
            None
        );
        assert!(is_patterned(
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
        ));
        assert!(!is_patterned(secret));
        assert_eq!(nip_check_digit("1234567890"), Some(10));
        assert_eq!(nip_check_digit("1111111111"), Some(1));
    }

    #[test]
    fn password_placeholders_and_strength() {
        for p in [
            "_____token_password_____",
            "passphrase",
            "haslo",
            "hasło",
            "wrong",
            "test-password",
            "certificate-password",
            "changeit",
            "password123",
            "twoje-haslo",
            "secret",
            "test",
            "123456",
            "abcdef",
            "KSeF-Test-Password",
        ] {
            assert!(password_placeholder_reason(p).is_some(), "{p}");
        }
        for p in ["Tajne-Haslo-77", "Zx8!kq2LmT", "qN4#vT8w!Lp2Zr", "k8#Qz!2p"] {
            assert_eq!(password_placeholder_reason(p), None, "{p}");
        }
        for strong in ["Zx8!kq2LmT", "k8#Qz!2p", "qN4#vT8w!Lp2Zr", "mkvbzqtrwp"] {
            assert!(password_bits(strong) > STRONG_PASSWORD_BITS, "{strong}");
        }
        for weak in ["Tajne-Haslo-77", "Haslo-2024", "Secret123!", "aaaa1111"] {
            assert!(password_bits(weak) < STRONG_PASSWORD_BITS, "{weak}");
        }
    }
}
