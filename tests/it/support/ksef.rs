//! Client-side KSeF token encryption for tests: pick a certificate from
//! `GET /security/public-key-certificates` and encrypt `token|timestampMs` with it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use serde_json::Value;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

/// The certificate whose `usage` lists `usage`.
pub fn certificate<'a>(certs: &'a Value, usage: &str) -> &'a Value {
    certs
        .as_array()
        .expect("an array of certificates")
        .iter()
        .find(|c| {
            c["usage"]
                .as_array()
                .expect("usage")
                .iter()
                .any(|u| u == usage)
        })
        .expect("a certificate with that usage")
}

/// The RSA key of a `PublicKeyCertificate` (DER X.509, Base64) and its `publicKeyId`.
pub fn public_key(cert: &Value) -> (RsaPublicKey, String) {
    let der = STANDARD
        .decode(cert["certificate"].as_str().expect("certificate"))
        .expect("Base64");
    let spki = Certificate::from_der(&der)
        .expect("X.509 DER")
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .expect("SubjectPublicKeyInfo");
    let key = RsaPublicKey::from_public_key_der(&spki).expect("an RSA key");
    (key, cert["publicKeyId"].as_str().expect("id").to_string())
}

/// `encryptedToken`: Base64 of RSA-OAEP (SHA-256, MGF1-SHA-256) over `token|timestampMs`.
pub fn encrypt_token(key: &RsaPublicKey, token: &str, timestamp_ms: i64) -> String {
    let plain = format!("{token}|{timestamp_ms}");
    let encrypted = key
        .encrypt(
            &mut rand::thread_rng(),
            Oaep::new::<Sha256>(),
            plain.as_bytes(),
        )
        .expect("encrypt");
    STANDARD.encode(encrypted)
}
