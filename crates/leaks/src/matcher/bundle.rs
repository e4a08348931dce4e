//! KSeF certificate keys whose certificate is not in the same text (issue 12, point 7):
//!
//! - a PKCS#12 bundle (`.p12`/`.pfx`) opened with an empty password, or with a password that
//!   LEAK005 found next to the name of a key file: a private key with a KSeF certificate in
//!   its bags is a LEAK004 finding;
//! - a PEM private key in one file and its KSeF certificate in a sibling file of the same
//!   directory (`cert.pem` + `key.pem`, `firma.crt` + `firma.key`): the key is paired with the
//!   certificate by its public key, or, for an encrypted key that cannot be read, by the files'
//!   names.
//!
//! The finding names the certificate (serial, subject identifier, validity), never the key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use crate::matcher::Hit;
use crate::matcher::RawMatch;
use crate::matcher::Scanner;
use crate::matcher::keys::KEY_LABELS;
use crate::matcher::keys::KsefCertificate;
use crate::matcher::keys::ksef_certificate;
use crate::matcher::keys::pem_blocks;
use ksef_model::Confidence;

/// Object identifier of PKCS#7 `data` (1.2.840.113549.1.7.1), DER-encoded: a PFX starts with
/// a version and a ContentInfo of this type.
const PKCS7_DATA: &[u8] = &[
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
];

/// Whether `data` looks like a PKCS#12 (PFX) file: a DER SEQUENCE, version 3, then the
/// PKCS#7 `data` identifier near the start.
pub(crate) fn looks_like_pkcs12(data: &[u8]) -> bool {
    data.first() == Some(&0x30)
        && data.len() > 64
        && data[..64.min(data.len())]
            .windows(3)
            .any(|w| w == [0x02, 0x01, 0x03])
        && memchr::memmem::find(&data[..64], PKCS7_DATA).is_some()
}

/// A PKCS#12 bundle opened: its key and the KSeF certificate among its bags.
struct Opened {
    key_der: Vec<u8>,
    certificate: KsefCertificate,
    /// The index of the password that opened it; None: an empty password.
    password: Option<usize>,
}

/// Key-derivation iterations above this are refused: a crafted bundle must not stall the scan
/// (tools write 2 000 to 100 000).
const MAX_ITERATIONS: u64 = 1_000_000;

/// Bundles larger than this are not opened (real ones are a few KiB).
const MAX_PKCS12_LEN: usize = 1024 * 1024;

/// One DER element: (tag, content, rest).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7F) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The largest iteration count in the clear-text parameters of a PKCS#12 file: an INTEGER
/// right after a salt (OCTET STRING) in a SEQUENCE, as in `MacData`, PBES1 and PBKDF2
/// parameters. OCTET STRINGs holding DER (the authenticated safe, its bags) are walked too.
fn max_iterations(der: &[u8], depth: u32) -> u64 {
    if depth > 12 {
        return 0;
    }
    let mut max = 0;
    let mut rest = der;
    let mut previous = 0u8;
    while let Some((tag, content, next)) = tlv(rest) {
        if tag == 0x02 && previous == 0x04 {
            let value = if content.len() > 8 {
                u64::MAX
            } else {
                content.iter().fold(0u64, |a, b| (a << 8) | *b as u64)
            };
            max = max.max(value);
        } else if tag & 0x20 != 0 || (tag == 0x04 && tlv(content).is_some_and(|t| t.0 == 0x30)) {
            max = max.max(max_iterations(content, depth + 1));
        }
        previous = tag;
        rest = next;
    }
    max
}

fn open_pkcs12(data: &[u8], passwords: &[&str]) -> Option<Opened> {
    open_pkcs12_within(data, passwords, MAX_ITERATIONS)
}

fn open_pkcs12_within(data: &[u8], passwords: &[&str], iterations: u64) -> Option<Opened> {
    if data.len() > MAX_PKCS12_LEN || max_iterations(data, 0) > iterations {
        return None;
    }
    for (i, password) in std::iter::once(&"").chain(passwords).enumerate() {
        // The parser is a dependency reading untrusted files: a panic in it is a bundle not
        // opened, never a crashed scan.
        let opened =
            std::panic::catch_unwind(|| p12_keystore::KeyStore::from_pkcs12(data, password).ok());
        let Ok(Some(store)) = opened else {
            continue;
        };
        let (_, chain) = store.private_key_chain()?;
        let certificate = chain
            .chain()
            .iter()
            .find_map(|c| ksef_certificate(c.as_der()))?;
        return Some(Opened {
            key_der: chain.key().to_vec(),
            certificate,
            password: i.checked_sub(1),
        });
    }
    None
}

/// The public key (subject public key bits) of a private key, when it can be read: PKCS#8
/// or PKCS#1 RSA, PKCS#8 or SEC1 P-256. `None` for encrypted or other keys.
fn public_key_of(label: &str, der: &[u8]) -> Option<Vec<u8>> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::pkcs8::DecodePrivateKey;
    let rsa_key = match label {
        "PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs8_der(der).ok(),
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(der).ok(),
        _ => None,
    };
    if let Some(key) = rsa_key {
        return Some(key.to_public_key().to_pkcs1_der().ok()?.as_bytes().to_vec());
    }
    let ec_key = match label {
        "PRIVATE KEY" => p256::SecretKey::from_pkcs8_der(der).ok(),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(der).ok(),
        _ => None,
    }?;
    Some(ec_key.public_key().to_sec1_bytes().to_vec())
}

/// Object identifier of scrypt (1.3.6.1.4.1.11591.4.11): its memory cost is not bounded by
/// an iteration count, so keys encrypted with it are not opened.
const SCRYPT: &[u8] = &[
    0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x04, 0x0B,
];

/// The public key of an encrypted PKCS#8 key that opens with one of `passwords`, and the
/// index of that password.
pub(crate) fn public_key_with_password(der: &[u8], passwords: &[&str]) -> Option<(usize, Vec<u8>)> {
    if passwords.is_empty()
        || max_iterations(der, 0) > MAX_ITERATIONS
        || memchr::memmem::find(der, SCRYPT).is_some()
    {
        return None;
    }
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der).ok()?;
    passwords.iter().enumerate().find_map(|(i, password)| {
        let plain = info.decrypt(password).ok()?;
        Some((i, public_key_of("PRIVATE KEY", plain.as_bytes())?))
    })
}

/// Certificates in a file: PEM blocks, or the file itself as DER.
fn certificates(data: &[u8]) -> Vec<Certificate> {
    let pem: Vec<Certificate> = pem_blocks(data)
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE")
        .filter_map(|b| Certificate::from_der(b.der.as_deref()?).ok())
        .collect();
    if !pem.is_empty() {
        return pem;
    }
    Certificate::from_der(data).into_iter().collect()
}

/// File stem without directories and extension, lower-case: `certs/Firma.KEY` -> `firma`.
fn stem(name: &str) -> String {
    let file = name.rsplit(['/', '!']).next().unwrap_or(name);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    stem.to_ascii_lowercase()
}

/// Names that pair an encrypted key with a certificate: the same stem (`firma.key` +
/// `firma.crt`), or a stem that differs only by a key/cert word (`key.pem` + `cert.pem`,
/// `firma-key.pem` + `firma-cert.pem`).
fn names_pair(key: &str, cert: &str) -> bool {
    let (k, c) = (stem(key), stem(cert));
    if k == c {
        return true;
    }
    let strip = |s: &str, words: &[&str]| -> String {
        let mut s = s.to_string();
        for w in words {
            s = s.replace(w, "");
        }
        s.trim_matches(['-', '_', '.']).to_string()
    };
    strip(&k, &["private", "priv", "key"]) == strip(&c, &["certificate", "cert", "crt", "pub"])
}

impl Scanner {
    /// LEAK004 findings in a PKCS#12 file: its key, when a bag holds a KSeF certificate and
    /// the file opens with an empty password or one of `passwords`. Located at line 1.
    pub(crate) fn scan_pkcs12(&self, data: &[u8], passwords: &[&str]) -> Vec<RawMatch> {
        let Some(ri) = self.extra.key_rule() else {
            return Vec::new();
        };
        if !looks_like_pkcs12(data) {
            return Vec::new();
        }
        let Some(opened) = open_pkcs12(data, passwords) else {
            return Vec::new();
        };
        let state = if opened.password.is_none() {
            "PKCS#12 bundle without a password"
        } else {
            "PKCS#12 bundle, its password is in the repository"
        };
        let mut hit = key_hit(
            ri,
            0,
            data.len(),
            &opened.key_der,
            &opened.certificate,
            state,
            None,
        );
        hit.opened_with = opened.password;
        vec![self.located(hit, 1, 1)]
    }

    /// LEAK004 findings for PEM private keys in `key_file` whose KSeF certificate is in a
    /// sibling file (`certs`: name and bytes). Keys with a KSeF certificate in their own file
    /// are left to the per-file pass. An encrypted PKCS#8 key is opened with `passwords`
    /// (LEAK005's) when one fits, and then paired by its public key.
    pub(crate) fn scan_sibling_keys(
        &self,
        key_name: &str,
        key_file: &[u8],
        certs: &[(&str, &[u8])],
        passwords: &[&str],
    ) -> Vec<RawMatch> {
        let Some(ri) = self.extra.key_rule() else {
            return Vec::new();
        };
        let blocks = pem_blocks(key_file);
        let own_ksef = blocks
            .iter()
            .filter(|b| b.label == "CERTIFICATE")
            .filter_map(|b| b.der.as_deref())
            .any(|der| ksef_certificate(der).is_some());
        if own_ksef {
            return Vec::new();
        }
        let mut ksef_certs = Vec::new();
        for (name, data) in certs {
            for cert in certificates(data) {
                let Ok(der) = cert.to_der() else { continue };
                if let Some(k) = ksef_certificate(&der) {
                    let spki = cert
                        .tbs_certificate
                        .subject_public_key_info
                        .subject_public_key
                        .raw_bytes()
                        .to_vec();
                    ksef_certs.push((*name, spki, k));
                }
            }
        }
        let mut out = Vec::new();
        if ksef_certs.is_empty() {
            return out;
        }
        for b in &blocks {
            if !KEY_LABELS.contains(&b.label.as_str()) {
                continue;
            }
            let Some(der) = &b.der else { continue };
            let encrypted = b.label == "ENCRYPTED PRIVATE KEY"
                || key_file[b.start..b.end]
                    .windows(9)
                    .any(|w| w == b"ENCRYPTED");
            let opened = match b.label.as_str() {
                "ENCRYPTED PRIVATE KEY" => public_key_with_password(der, passwords),
                _ => None,
            };
            let password_found = opened.is_some();
            let opened_with = opened.as_ref().map(|(i, _)| *i);
            let public = opened
                .map(|(_, public)| public)
                .or_else(|| public_key_of(&b.label, der));
            let paired = ksef_certs.iter().find(|(name, spki, _)| match &public {
                Some(public) => public == spki,
                None => encrypted && names_pair(key_name, name),
            });
            let Some((cert_name, _, certificate)) = paired else {
                continue;
            };
            let state = match (encrypted, password_found) {
                (false, _) => "unencrypted",
                (true, true) => "encrypted, its password is in the repository",
                (true, false) => "encrypted",
            };
            let mut hit = key_hit(ri, b.start, b.end, der, certificate, state, Some(cert_name));
            hit.opened_with = opened_with;
            let (line, column) = crate::position::line_col(key_file, b.start);
            let mut m = self.located(hit, line, column);
            if encrypted && !password_found {
                m.confidence = Confidence::Medium;
            }
            out.push(m);
        }
        out
    }

    fn located(&self, hit: Hit, line: u64, column: u64) -> RawMatch {
        self.raw_match(hit, line, column, false, None)
    }
}

fn key_hit(
    rule: usize,
    start: usize,
    end: usize,
    key_der: &[u8],
    cert: &KsefCertificate,
    state: &str,
    cert_file: Option<&str>,
) -> Hit {
    let beside = cert_file
        .map(|n| {
            format!(
                ", certificate in sibling file {}",
                n.rsplit('/').next().unwrap_or(n)
            )
        })
        .unwrap_or_default();
    Hit {
        secret: STANDARD.encode(key_der),
        nip: cert.nip.clone(),
        confidence: Confidence::High,
        severity: cert.key_severity(),
        detail: Some(format!(
            "private key ({state}) of {}{beside}",
            cert.describe()
        )),
        ..Hit::at(rule, start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed P-256 certificate issued by "CCK KSeF TEST" (DER) and its PKCS#8 key.
    fn ksef_certificate_and_key() -> (Vec<u8>, Vec<u8>) {
        use p256::pkcs8::{EncodePrivateKey, EncodePublicKey};
        use std::str::FromStr;
        use std::time::{Duration, SystemTime};
        use x509_cert::builder::{Builder, CertificateBuilder, Profile};
        use x509_cert::name::Name;
        use x509_cert::serial_number::SerialNumber;
        use x509_cert::spki::SubjectPublicKeyInfoOwned;
        use x509_cert::time::{Time, Validity};

        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let signer = p256::ecdsa::SigningKey::from(secret.clone());
        let spki_der = secret.public_key().to_public_key_der().expect("spki");
        let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).expect("spki");
        let now = SystemTime::now();
        let validity = Validity {
            not_before: Time::try_from(now - Duration::from_secs(60)).expect("time"),
            not_after: Time::try_from(now + Duration::from_secs(3600)).expect("time"),
        };
        let name = Name::from_str("CN=CCK KSeF TEST,C=PL").expect("name");
        let cert = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(7u32),
            validity,
            name,
            spki,
            &signer,
        )
        .expect("builder")
        .build::<p256::ecdsa::DerSignature>()
        .expect("certificate");
        let key = secret.to_pkcs8_der().expect("key").as_bytes().to_vec();
        (cert.to_der().expect("der"), key)
    }

    #[test]
    fn key_and_certificate_names_pair() {
        for (k, c) in [
            ("certs/firma.key", "certs/firma.crt"),
            ("key.pem", "cert.pem"),
            ("ksef-key.pem", "ksef-cert.pem"),
            ("private.pem", "certificate.pem"),
        ] {
            assert!(names_pair(k, c), "{k} {c}");
        }
        for (k, c) in [("firma.key", "other.crt"), ("a-key.pem", "b-cert.pem")] {
            assert!(!names_pair(k, c), "{k} {c}");
        }
    }

    #[test]
    fn iteration_counts_are_read_from_the_parameters() {
        use p12_keystore::{KeyStore, KeyStoreEntry, PrivateKeyChain};
        let (cert, key) = ksef_certificate_and_key();
        for iterations in [2048u64, 20_000] {
            let mut store = KeyStore::new();
            let chain = PrivateKeyChain::new(
                key.clone(),
                [1u8, 2, 3, 4],
                [p12_keystore::Certificate::from_der(&cert).expect("cert")],
            );
            store.add_entry("k", KeyStoreEntry::PrivateKeyChain(chain));
            let p12 = store
                .writer("")
                .mac_iterations(iterations)
                .encryption_iterations(7)
                .write()
                .expect("p12");
            assert!(looks_like_pkcs12(&p12));
            assert_eq!(max_iterations(&p12, 0), iterations);
            assert!(open_pkcs12(&p12, &[]).is_some());
            assert_eq!(
                open_pkcs12_within(&p12, &[], 10_000).is_some(),
                iterations == 2048
            );
        }
    }

    #[test]
    fn text_is_not_pkcs12() {
        assert!(!looks_like_pkcs12(
            b"0\x82 not really a pfx file, just text that is long enough to check"
        ));
    }
}
