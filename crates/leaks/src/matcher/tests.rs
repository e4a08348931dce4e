//! The matcher over whole buffers: positions, encodings, confidence, markers, look-alikes.

use super::*;

const V2: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

fn scanner() -> &'static Scanner {
    builtin_scanner()
}

#[test]
fn large_buffers_find_the_same_as_small_ones() {
    let findings = [
        format!("KSEF_TOKEN={V2}\n"),
        "ksef:\n  url: https://ksef.mf.gov.pl\n  token: Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm12\n"
            .to_string(),
    ];
    let filler = "let amount = invoice.total(); // ksef token handling below\n".repeat(1200);
    for finding in &findings {
        let small = scanner().scan_bytes(finding.as_bytes());
        assert_eq!(small.len(), 1, "{finding}");
        let big = format!("{filler}{finding}{filler}");
        assert!(big.len() >= COMBINED_MIN_LEN);
        let big = scanner().scan_bytes(big.as_bytes());
        assert_eq!(big.len(), 1, "{finding}");
        assert_eq!(
            (big[0].rule_id.as_str(), big[0].line, big[0].column),
            (
                small[0].rule_id.as_str(),
                1200 + small[0].line,
                small[0].column
            )
        );
        assert_eq!(big[0].fingerprint, small[0].fingerprint);
    }
}

#[test]
fn ascii_variants_match_like_the_unicode_patterns_on_ascii_text() {
    let rules = builtin_leak_rules().expect("built-in rules");
    let filler = "int x = 1; // tokens, keys and ksef notes\n";
    for rule in &rules {
        let unicode = Regex::new(&rule.pattern).expect("pattern");
        let Some(ascii) = ascii_variant(&rule.pattern) else {
            continue;
        };
        for example in rule.examples.iter().chain(&rule.negative_examples) {
            let text = format!("{filler}{example}\n{filler}");
            if !text.is_ascii() {
                continue;
            }
            let spans = |re: &Regex| -> Vec<(usize, usize)> {
                re.captures_iter(text.as_bytes())
                    .filter_map(|c| c.get(1).map(|g| (g.start(), g.end())))
                    .collect()
            };
            assert_eq!(spans(&ascii), spans(&unicode), "{} on {example:?}", rule.id);
        }
    }
    // Non-ASCII text keeps the Unicode pattern: `ż` is a word character there.
    let text = "ksefż_token = Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm12\n";
    let m = scanner().scan_bytes(text.as_bytes());
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(ascii_variant("(?i)\\x{17F}").is_none());
    assert!(ascii_variant("has[lł]o").is_none());
}

#[test]
fn wide_variants_match_wherever_the_unicode_patterns_do() {
    let rules = builtin_leak_rules().expect("built-in rules");
    // Non-ASCII around and inside the matches: word characters (`ż`, `ł`), other letters
    // and symbols (`—`, `€`, a 4-byte emoji) where the patterns allow any character.
    let wrappers = [
        ("Zażółć gęślą jaźń — ", " — koniec €\n"),
        ("🚀 notatki: ", "\n🚀\n"),
    ];
    let mut checked = 0;
    for rule in &rules {
        let unicode = Regex::new(&rule.pattern).expect("pattern");
        let wide = wide_variant(&rule.pattern).expect("every built-in pattern has one");
        for example in &rule.examples {
            let polish = example.replacen("ksef", "ksef_główny_", 1);
            for (before, after) in wrappers {
                for body in [example.as_str(), polish.as_str()] {
                    let text = format!("{before}{body}{after}");
                    if unicode.is_match(text.as_bytes()) {
                        checked += 1;
                        assert!(wide.is_match(text.as_bytes()), "{} on {text:?}", rule.id);
                    }
                }
            }
        }
    }
    assert!(checked >= 8, "too few examples matched: {checked}");
    // And it still rules text out: no keyword context, no match.
    let wide = wide_variant(r"(?i:ksef\w{0,12}token)\s*=\s*([A-Za-z0-9]{40})").expect("wide");
    assert!(!wide.is_match("Zażółć gęślą jaźń: ksef token".as_bytes()));
    assert!(
        wide.is_match("ksef_głównytoken = Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm12".as_bytes())
    );
}

#[test]
fn key_and_password_rules_do_not_wake_the_line_rules() {
    // `pass` and `has` (LEAK005's keywords) are in nearly every file; only the key pass
    // uses them.
    let text = b"this has a password field and passes the hash";
    assert!(scanner().active_rules(text).is_empty());
    assert!(scanner().scan_bytes(text).is_empty());
}

#[test]
fn scanner_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
}

#[test]
fn v2_token_is_located_with_reference_nip_and_high_confidence() {
    let text = format!("# config\r\nA=1\r\n  KSEF_TOKEN=\"{V2}\"\r\n");
    let m = scanner().scan_bytes(text.as_bytes());
    assert_eq!(m.len(), 1, "{m:?}");
    let m = &m[0];
    assert_eq!((m.rule_id.as_str(), m.line, m.column), ("LEAK001", 3, 15));
    assert_eq!(
        m.reference_number.as_deref(),
        Some("20250101-EC-FA4EFA4E00-0000000001-49")
    );
    assert_eq!(m.nip.as_deref(), Some("1111111111"));
    assert_eq!(m.confidence, Confidence::High);
    assert_eq!(m.fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));
    assert!(!m.redacted.contains("facefeed0000"), "{}", m.redacted);
    assert!(
        m.redacted
            .starts_with("20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|face")
    );
    assert!(!m.inline_allowed);
}

#[test]
fn url_encoded_token_has_the_same_fingerprint() {
    let enc = V2.replace('|', "%7C");
    let m = scanner().scan_bytes(format!("GET /x?t={enc} HTTP/1.1").as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));
    assert_eq!(m[0].encoding, Some("url"));
}

#[test]
fn bad_crc_and_nip_lower_confidence_but_keep_the_match() {
    let t = "20260201-EC-1A2B3C4D5E-1122334455-AB|nip-1234567890|5ca1ab1edec0de5afe1abe1ba5edfab1e0bad1dea7c0de51debead5c0fe12ba7";
    let m = scanner().scan_bytes(t.as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].confidence, Confidence::Low);
    // the same NIP with a patterned secret: a documentation sample (issue 22, point 4)
    let t = "20260201-EC-1A2B3C4D5E-1122334455-AB|nip-1234567890|0badc0de1111222233334444555566667777888899990000aaaabbbbccccdddd";
    assert!(scanner().scan_bytes(t.as_bytes()).is_empty());
}

#[test]
fn utf16_and_base64_values_are_decoded() {
    let line = format!("KSEF_TOKEN={V2}\r\n");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(line.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let m = scanner().scan_bytes(&utf16);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].encoding, Some("utf-16le"));

    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(V2);
    let k8s = format!("kind: Secret\ndata:\n  KSEF_TOKEN: {b64}\n");
    let m = scanner().scan_bytes(k8s.as_bytes());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0].line, m[0].column, m[0].encoding),
        (3, 15, Some("base64"))
    );
    assert_eq!(m[0].fingerprint, ksef_model::fingerprint_hex(V2.as_bytes()));

    let b64_40 = base64::engine::general_purpose::STANDARD
        .encode("FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2");
    let m = scanner().scan_bytes(format!("data:\n  KSEF_TOKEN: {b64_40}\n").as_bytes());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].rule_id, "LEAK002");
}

#[test]
fn inline_markers_flag_the_match() {
    for marker in [
        "# ksef-audit:allow",
        "// gitleaks:allow",
        "# pragma: allowlist secret",
    ] {
        let m = scanner().scan_bytes(format!("T={V2} {marker}\nU={V2}\n").as_bytes());
        assert_eq!(m.len(), 2);
        assert!(m[0].inline_allowed, "{marker}");
        assert!(!m[1].inline_allowed, "{marker}");
    }
}

#[test]
fn look_alikes_are_not_matched() {
    let text = "\
commit 3f786850e387550fdab836ed7e6dc881de23001b
sha256: facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd
FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD  ksef.tar.gz
ref 20250101-EC-FA4EFA4E00-0000000001-49
invoice 1111111111-20250101-FA4EFA4E0000-7D
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ2bX5M7q6r9g1k3yQm0k7xZx2wIwCgYIKoZIzj0EAwIwEjEQMA4GA1UEAwwHa3NlZi1jYTAe
-----END CERTIFICATE-----
GITHUB_TOKEN=ghp_FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3
";
    let m = scanner().scan_bytes(text.as_bytes());
    assert!(m.is_empty(), "{m:?}");
}

#[test]
fn very_long_line_reports_the_column() {
    let mut s = "x".repeat(200_000);
    s.push_str(&format!(";var t=\"{V2}\";"));
    let m = scanner().scan_bytes(s.as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].line, m[0].column), (1, 200_009));
}

#[test]
fn issue_23_word_boundaries_become_ascii_and_classes_stay_unicode() {
    use super::compile::ascii_word_boundaries;
    let rewritten =
        ascii_word_boundaries(r"(?i:ksef[\w.\-]{0,24}?token)\s*=\s*\b([A-Za-z0-9]{40})\b")
            .expect("has Unicode boundaries");
    assert!(rewritten.contains(r"(?-u:\b)"), "{rewritten}");
    let re = regex::bytes::Regex::new(&rewritten).expect("compiles");
    let token = "Zx9Q".repeat(10);
    // A Polish letter inside the key still counts as a word character (Unicode class).
    let text = format!("zażółć: ksef_żeton_token = {token} gęślą");
    let caps = re.captures(text.as_bytes()).expect("found");
    assert_eq!(&caps[1], token.as_bytes());
    assert!(ascii_word_boundaries(r"([0-9A-F]{64})").is_none());
}

#[test]
fn the_built_in_quick_gate_uses_the_small_searcher() {
    // Its literals (`ksef`, `nip-`, `internalid-`, `-----begin `, `quoted-printable`) fit the
    // 8-bucket SIMD searcher by three-byte anchors: the scan's hottest loop.
    assert!(matches!(
        builtin_scanner().quick,
        Some(super::gate::LiteralGate::Anchored(_))
    ));
}

#[test]
fn presence_says_which_passes_a_buffer_needs() {
    let scanner = builtin_scanner();
    let p = scanner.presence(b"-----BEGIN CERTIFICATE-----\nMIIB\n");
    assert!(!p.keyed && !p.quoted && p.pem, "{p:?}");
    let p = scanner.presence(b"Content-Transfer-Encoding: Quoted-Printable\n\nx=3D1\n");
    assert!(!p.keyed && p.quoted && !p.pem, "{p:?}");
    let p =
        scanner.presence(b"ref|NIP-5261048379|secret; Content-Transfer-Encoding: quoted-printable");
    assert!(p.keyed && p.quoted && !p.pem, "{p:?}");
    let p = scanner.presence(b"<w:p><w:r><w:t>KS</w:t></w:r></w:p>");
    assert!(p.docx && !p.keyed, "{p:?}");
    let p = scanner.presence(b"int main(void) { return 0; }\n");
    assert!(!p.keyed && !p.quoted && !p.pem, "{p:?}");
}
