//! Context rules: token-like keys, digests, camel-case words, boundaries.

use super::*;

#[test]
fn token_like_keys() {
    for k in [
        "token",
        "TOKEN",
        "authorisationToken",
        "authorizationToken",
        "ksefToken",
        "apiToken",
        "KSeF:Token",
        "KSeF__Token",
        "KSEF_TOKEN_V1",
        "Ksef.Auth.Token",
        "token_v1",
    ] {
        assert!(token_like(k), "{k}");
    }
    for k in [
        "tokenFingerprint",
        "token_sha256",
        "tokenHash",
        "token_checksum",
        "skrót_tokena",
        "tokenThumbprint",
        "GITHUB_TOKEN",
        "slackToken",
        "fingerprint",
        "sha256",
    ] {
        assert!(!token_like(k), "{k}");
    }
}

/// Issue 12: SHA-256 fingerprints of tokens (which our own outputs and inventories write)
/// under digest keys are not tokens; the tokens beside them still are.
#[test]
fn digests_of_tokens_are_not_tokens() {
    const HEX: &str = "FA4EFA4E0B1C2D3E4F5061728394A5B6C7D8E9F00112233445566778899AABBC";
    let scanner = crate::matcher::builtin_scanner();
    for decoy in [
        format!("skrót_tokena_ksef = {HEX}\n"),
        format!("SKRÓT_TOKENA_KSEF={HEX}\n"),
        format!("ksef_token_sha256: {HEX}\n"),
        format!("{{\"ksefTokenFingerprint\": \"{HEX}\"}}\n"),
        format!("ksef.token.digest={HEX}\n"),
        format!("KSEF_TOKEN_HASH=\"{HEX}\"\n"),
        format!("Skrót tokena KSeF (SHA-256): {HEX}\n"),
        format!("<KsefTokenThumbprint>{HEX}</KsefTokenThumbprint>\n"),
    ] {
        let m = scanner.scan_bytes(decoy.as_bytes());
        assert!(m.is_empty(), "{decoy}: {m:?}");
    }
    for real in [
        format!("KSEF_TOKEN={HEX}\n"),
        format!("skrót_tokena_ksef = 0000\nksef_token = {HEX}\n"),
        format!("# stary token KSeF 1.0: {HEX}\n"),
    ] {
        let m = scanner.scan_bytes(real.as_bytes());
        assert_eq!(m.len(), 1, "{real}: {m:?}");
        assert_eq!(m[0].rule_id, "LEAK003");
    }
}

#[test]
fn camel_case_words_are_recognised() {
    assert!(is_camel_case_words(
        "AuthorizationTokensRequestBuilderFactory"
    ));
    assert!(!is_camel_case_words(
        "FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2"
    ));
    assert!(!is_camel_case_words(
        "ZxQwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUiOpAs"
    ));
}

#[test]
fn boundaries() {
    let t = b"x_20250101|y";
    assert!(v2_boundary_ok(t, 2, 10));
    assert!(!v2_boundary_ok(b"120250101", 1, 9));
    assert!(!v2_boundary_ok(b"20250101a", 0, 8));
}
