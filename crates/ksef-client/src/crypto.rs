//! Picking the MF public key and encrypting `token|timestampMs` with RSA-OAEP
//! (SHA-256, MGF1-SHA-256, empty label), as the contract requires.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use sha2::Sha256;
use x509_cert::der::{Decode, Encode};

use crate::models::PublicKeyCertificate;
use ksef_model::Secret;

/// Usage value of the certificate meant for KSeF token encryption.
pub(crate) const TOKEN_ENCRYPTION_USAGE: &str = "KsefTokenEncryption";

/// The currently valid `KsefTokenEncryption` certificate with the latest `validFrom`.
pub(crate) fn select_certificate(
    certs: &[PublicKeyCertificate],
    now: DateTime<Utc>,
) -> Option<&PublicKeyCertificate> {
    certs
        .iter()
        .filter(|c| c.usage.iter().any(|u| u == TOKEN_ENCRYPTION_USAGE))
        .filter(|c| c.valid_from <= now && now < c.valid_to)
        .max_by_key(|c| c.valid_from)
}

/// The RSA public key of a certificate given as Base64 DER (an X.509 certificate,
/// or a bare SubjectPublicKeyInfo, which some mocks serve).
pub fn public_key(certificate_b64: &str) -> Result<RsaPublicKey, String> {
    let der = STANDARD
        .decode(certificate_b64.trim())
        .map_err(|e| format!("the certificate is not valid Base64: {e}"))?;
    let spki_der = match x509_cert::Certificate::from_der(&der) {
        Ok(cert) => cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| format!("cannot re-encode the certificate's public key: {e}"))?,
        Err(_) => der,
    };
    RsaPublicKey::from_public_key_der(&spki_der).map_err(|e| {
        format!("the certificate does not hold an RSA public key the tool can use: {e}")
    })
}

/// Base64 of RSA-OAEP-SHA256(`{token}|{timestamp_ms}`).
pub fn encrypt_token(
    key: &RsaPublicKey,
    token: &Secret,
    timestamp_ms: i64,
) -> Result<String, String> {
    let mut plaintext = format!("{}|{timestamp_ms}", token.expose()).into_bytes();
    let mut rng = rand::thread_rng();
    let result = key.encrypt(&mut rng, Oaep::new::<Sha256>(), &plaintext);
    zeroize::Zeroize::zeroize(&mut plaintext);
    let ciphertext = result.map_err(|e| format!("RSA-OAEP encryption failed: {e}"))?;
    Ok(STANDARD.encode(ciphertext))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::OnceLock;

    use chrono::TimeZone;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;

    use super::*;

    /// One key for all tests of this crate: keygen is slow.
    pub(crate) fn test_key() -> &'static RsaPrivateKey {
        static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
        KEY.get_or_init(|| {
            RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("test key generation")
        })
    }

    fn cert(id: &str, usage: &str, from: i32, to: i32) -> PublicKeyCertificate {
        PublicKeyCertificate {
            certificate: String::new(),
            certificate_id: None,
            public_key_id: id.into(),
            valid_from: Utc.with_ymd_and_hms(from, 1, 1, 0, 0, 0).unwrap(),
            valid_to: Utc.with_ymd_and_hms(to, 1, 1, 0, 0, 0).unwrap(),
            usage: vec![usage.into()],
        }
    }

    #[test]
    fn picks_valid_token_encryption_cert_with_latest_valid_from() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let certs = vec![
            cert("old", TOKEN_ENCRYPTION_USAGE, 2024, 2028),
            cert("symmetric", "SymmetricKeyEncryption", 2026, 2029),
            cert("newer", TOKEN_ENCRYPTION_USAGE, 2025, 2028),
            cert("future", TOKEN_ENCRYPTION_USAGE, 2027, 2030),
            cert("expired", TOKEN_ENCRYPTION_USAGE, 2025, 2026),
        ];
        assert_eq!(
            select_certificate(&certs, now).map(|c| c.public_key_id.as_str()),
            Some("newer")
        );
        assert!(select_certificate(&certs[1..2], now).is_none());
    }

    #[test]
    fn encrypts_token_and_timestamp_ms_with_oaep_sha256() {
        let private = test_key();
        let spki = private
            .to_public_key()
            .to_public_key_der()
            .expect("spki der");
        let key = public_key(&STANDARD.encode(spki.as_bytes())).expect("spki accepted");
        let token = Secret::new("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|abc");
        let b64 = encrypt_token(&key, &token, 1752236636015).expect("encrypts");
        let ciphertext = STANDARD.decode(&b64).expect("base64");
        assert_eq!(ciphertext.len(), 256);
        let plain = private
            .decrypt(Oaep::new::<Sha256>(), &ciphertext)
            .expect("decrypts with OAEP-SHA256");
        assert_eq!(
            plain,
            b"20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|abc|1752236636015"
        );
        // SHA-1 OAEP (a common library default) must not decrypt it.
        assert!(
            private
                .decrypt(Oaep::new::<sha1_stub::Sha1Like>(), &ciphertext)
                .is_err()
        );
        // OAEP is randomised.
        assert_ne!(
            b64,
            encrypt_token(&key, &token, 1752236636015).expect("again")
        );
    }

    #[test]
    fn garbage_certificate_is_a_clear_error() {
        assert!(public_key("not base64!").unwrap_err().contains("Base64"));
        assert!(public_key("AAAA").unwrap_err().contains("RSA public key"));
    }

    /// A different digest than SHA-256 (SHA-512 stands in for the SHA-1 default of
    /// some libraries: the point is only that the hash must match).
    mod sha1_stub {
        pub(crate) type Sha1Like = sha2::Sha512;
    }
}
