use std::fmt;

use zeroize::Zeroize;

/// A secret string (a KSeF token, access token or refresh token).
///
/// `Debug` and `Display` print a placeholder, it does not implement
/// `Serialize`, and the bytes are overwritten on drop. Read the value
/// only where it is sent over the wire or fingerprinted: [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Never log, print or store what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Lowercase hex SHA-256 of the value: safe to show and to store.
    pub fn fingerprint(&self) -> String {
        crate::fingerprint_hex(self.0.as_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|abc");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        assert!(!format!("{s:?}{s}").contains("5265877635"));
    }

    #[test]
    fn fingerprint_is_sha256_hex() {
        let s = Secret::new("abc");
        assert_eq!(
            s.fingerprint(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
