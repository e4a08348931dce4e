//! Credentials for certificate (XAdES) sign-in: a KSeF certificate and its private key.
//!
//! Two ways to hold them, as the contract allows:
//! - a PEM (or DER) certificate plus a PKCS#8 private key in PEM, optionally encrypted
//!   (`ENCRYPTED PRIVATE KEY`, PBES2);
//! - a PKCS#12 bundle (`.p12` / `.pfx`).
//!
//! The password comes from the environment, never from argv: `KSEF_KEY_PASSWORD_<NIP>`
//! first, then `KSEF_KEY_PASSWORD` (`key_password`). Files holding a key that are
//! readable by group or others are refused. RSA (at least 2048 bits) and EC P-256 keys
//! are accepted. Key material is zeroized when dropped and never printed: `Debug`
//! shows the certificate's serial number and a placeholder.

use std::fmt;
use std::path::{Path, PathBuf};

use pkcs8::der::{Decode, Encode, SecretDocument};
use pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfo, PrivateKeyInfo};
use rsa::RsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use spki::DecodePublicKey;
use thiserror::Error;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use ksef_model::Secret;

/// Environment variable with the key password for every context.
pub(crate) const KEY_PASSWORD_ENV: &str = "KSEF_KEY_PASSWORD";

const OID_RSA: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Smallest RSA modulus KSeF accepts for XAdES signatures.
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// A problem with a certificate, a key file or its password. Never carries key material.
#[derive(Debug, Error)]
pub enum KeyError {
    #[error(
        "'{path}' cannot be read: {source}\nhelp: check the path (relative paths are resolved against the config file's directory)"
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("'{0}' is not a file")]
    NotAFile(PathBuf),
    #[error(
        "'{path}' is readable by group or others (mode {mode:03o}), so the private key is refused\nhelp: run `chmod 600 {path}`"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error(
        "'{path}' holds no certificate: {reason}\nhelp: give the KSeF certificate as PEM (-----BEGIN CERTIFICATE-----) or DER"
    )]
    NotACertificate { path: PathBuf, reason: String },
    #[error("'{path}' holds no usable private key: {reason}\nhelp: {help}")]
    NotAKey {
        path: PathBuf,
        reason: String,
        help: &'static str,
    },
    #[error(
        "'{path}' is encrypted and no password is set\nhelp: set {env_nip} (or {KEY_PASSWORD_ENV}) in the environment"
    )]
    PasswordMissing { path: PathBuf, env_nip: String },
    #[error(
        "'{path}' cannot be decrypted: wrong password, or the file is damaged\nhelp: check {env_nip} (or {KEY_PASSWORD_ENV})"
    )]
    WrongPassword { path: PathBuf, env_nip: String },
    #[error("'{path}': {reason}\nhelp: {help}")]
    Unsupported {
        path: PathBuf,
        reason: String,
        help: &'static str,
    },
    #[error(
        "the private key in '{key}' does not belong to the certificate in '{certificate}'\nhelp: give the key that was used to request this certificate"
    )]
    Mismatch { certificate: PathBuf, key: PathBuf },
}

/// The private key of a sign-in credential. Zeroized on drop (by the `rsa` and
/// `p256` types), never printed.
pub enum PrivateKey {
    /// RSA, at least `MIN_RSA_BITS`; signs with RSASSA-PKCS1-v1_5 and SHA-256.
    Rsa(Box<RsaPrivateKey>),
    /// ECDSA on P-256; signs with SHA-256.
    EcP256(p256::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivateKey::Rsa(k) => write!(f, "PrivateKey::Rsa({} bits, [redacted])", k.size() * 8),
            PrivateKey::EcP256(_) => f.write_str("PrivateKey::EcP256([redacted])"),
        }
    }
}

impl PrivateKey {
    /// DER SubjectPublicKeyInfo of the matching public key, for comparison with a certificate.
    fn matches(&self, certificate: &Certificate) -> bool {
        let Ok(spki_der) = certificate.tbs_certificate.subject_public_key_info.to_der() else {
            return false;
        };
        match self {
            PrivateKey::Rsa(k) => rsa::RsaPublicKey::from_public_key_der(&spki_der)
                .is_ok_and(|public| public == k.to_public_key()),
            PrivateKey::EcP256(k) => p256::PublicKey::from_public_key_der(&spki_der)
                .is_ok_and(|public| public == p256::PublicKey::from(k.verifying_key())),
        }
    }
}

/// A KSeF certificate with its private key, ready for XAdES signing.
pub struct SigningCredential {
    certificate_der: Vec<u8>,
    certificate: Certificate,
    key: PrivateKey,
}

impl fmt::Debug for SigningCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningCredential")
            .field("certificate_serial", &self.serial_hex())
            .field("key", &self.key)
            .finish()
    }
}

impl SigningCredential {
    /// Pairs a DER certificate with a key, checking that they belong together and
    /// that the key is strong enough.
    pub fn new(certificate_der: Vec<u8>, key: PrivateKey) -> Result<SigningCredential, String> {
        let certificate = Certificate::from_der(&certificate_der)
            .map_err(|e| format!("the certificate cannot be decoded: {e}"))?;
        check_key_strength(&key)?;
        if !key.matches(&certificate) {
            return Err("the private key does not belong to the certificate".into());
        }
        Ok(SigningCredential {
            certificate_der,
            certificate,
            key,
        })
    }

    /// DER bytes of the certificate.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The decoded certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The private key. Never log or print what it holds.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// Certificate serial number, uppercase hex without leading zero bytes (KSeF shows 16 digits).
    pub fn serial_hex(&self) -> String {
        serial_hex(self.certificate.tbs_certificate.serial_number.as_bytes())
    }

    /// Lowercase hex SHA-256 of the certificate DER (the `certificateFingerprint`).
    pub fn fingerprint_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.certificate_der))
    }
}

fn serial_hex(bytes: &[u8]) -> String {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &bytes[bytes.len().saturating_sub(1)..],
    };
    hex::encode_upper(trimmed)
}

fn check_key_strength(key: &PrivateKey) -> Result<(), String> {
    if let PrivateKey::Rsa(k) = key {
        let bits = k.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(format!(
                "the RSA key has {bits} bits; KSeF needs at least {MIN_RSA_BITS}"
            ));
        }
    }
    Ok(())
}

/// The key password for a context: `KSEF_KEY_PASSWORD_<NIP>`, else `KSEF_KEY_PASSWORD`.
/// `env` looks a variable up (pass `|name| std::env::var(name).ok()`); empty values count as unset.
pub(crate) fn key_password(nip: &str, env: impl Fn(&str) -> Option<String>) -> Option<Secret> {
    [password_env_for(nip), KEY_PASSWORD_ENV.to_string()]
        .iter()
        .filter_map(|name| env(name))
        .find(|value| !value.is_empty())
        .map(Secret::new)
}

/// Loads the certificate and key a context's
/// [`CertificateFiles`](crate::settings::CertificateFiles) name, the password from
/// `KSEF_KEY_PASSWORD_<NIP>` / `KSEF_KEY_PASSWORD`: what certificate sign-in uses, and
/// what `doctor` checks before any network call.
pub fn load_context_credential(
    nip: &str,
    files: &crate::settings::CertificateFiles,
) -> Result<SigningCredential, KeyError> {
    let password = key_password(nip, |name| std::env::var(name).ok());
    match files {
        crate::settings::CertificateFiles::Pem {
            certificate,
            private_key,
        } => load_pem_credential(certificate, private_key, password.as_ref(), nip),
        crate::settings::CertificateFiles::Pkcs12(path) => {
            load_pkcs12_credential(path, password.as_ref(), nip)
        }
    }
}

/// Name of the per-context password variable: `KSEF_KEY_PASSWORD_<NIP>`.
pub(crate) fn password_env_for(nip: &str) -> String {
    format!("{KEY_PASSWORD_ENV}_{nip}")
}

/// Refuses a file holding a private key when it is not a regular file or is
/// readable by group or others (Unix).
pub(crate) fn check_key_file(path: &Path) -> Result<(), KeyError> {
    let meta = std::fs::metadata(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        return Err(KeyError::NotAFile(path.to_path_buf()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    Ok(())
}

/// Every certificate and key file: a regular file of at most
/// [`ksef_model::input::MAX_KEY_BYTES`] (a FIFO would hang, `/dev/zero` eat memory).
fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    ksef_model::input::read_limited(path, ksef_model::input::MAX_KEY_BYTES)
        .map(Zeroizing::new)
        .map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// Loads a PEM/DER certificate and a PKCS#8 PEM private key (optionally encrypted).
///
/// `nip` names the context, for the password hint in errors. The key file must be
/// mode 600 (or stricter); a certificate file may hold a chain, and the certificate
/// that matches the key is taken.
pub fn load_pem_credential(
    certificate_path: &Path,
    key_path: &Path,
    password: Option<&Secret>,
    nip: &str,
) -> Result<SigningCredential, KeyError> {
    check_key_file(key_path)?;
    let certificates = read_certificates(certificate_path)?;
    let key_bytes = read(key_path)?;
    let key = parse_private_key(key_path, &key_bytes, password, nip)?;
    check_key_strength(&key).map_err(|reason| KeyError::Unsupported {
        path: key_path.to_path_buf(),
        reason,
        help: "request a KSeF certificate for an RSA-2048 (or larger) or EC P-256 key",
    })?;
    let Some(der) = certificates.into_iter().find(|(_, c)| key.matches(c)) else {
        return Err(KeyError::Mismatch {
            certificate: certificate_path.to_path_buf(),
            key: key_path.to_path_buf(),
        });
    };
    Ok(SigningCredential {
        certificate_der: der.0,
        certificate: der.1,
        key,
    })
}

/// Loads a PKCS#12 bundle (`.p12` / `.pfx`) holding the certificate and its key.
pub fn load_pkcs12_credential(
    path: &Path,
    password: Option<&Secret>,
    nip: &str,
) -> Result<SigningCredential, KeyError> {
    check_key_file(path)?;
    let bytes = read(path)?;
    let pass = password.map(Secret::expose).unwrap_or("");
    let store = p12_keystore::KeyStore::from_pkcs12(&bytes, pass).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) if password.is_none() => {
            KeyError::PasswordMissing {
                path: path.to_path_buf(),
                env_nip: password_env_for(nip),
            }
        }
        p12_keystore::error::Error::MacError(_)
        | p12_keystore::error::Error::UnpadError
        | p12_keystore::error::Error::Pkcs5Error(_) => KeyError::WrongPassword {
            path: path.to_path_buf(),
            env_nip: password_env_for(nip),
        },
        p12_keystore::error::Error::UnsupportedEncryptionScheme
        | p12_keystore::error::Error::UnsupportedMacAlgorithm => KeyError::Unsupported {
            path: path.to_path_buf(),
            reason: format!("the PKCS#12 file uses an encryption this tool does not read ({e})"),
            help: "re-export it with `openssl pkcs12 -export` (AES-256, PBKDF2)",
        },
        other => KeyError::NotAKey {
            path: path.to_path_buf(),
            reason: format!("not a readable PKCS#12 file ({other})"),
            help: "give a .p12/.pfx bundle, or a PEM certificate and PKCS#8 key",
        },
    })?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(KeyError::NotAKey {
            path: path.to_path_buf(),
            reason: "the PKCS#12 file holds no private key with its certificate".into(),
            help: "export the certificate together with its private key",
        });
    };
    let key_der = Zeroizing::new(chain.key().to_vec());
    let key = decode_private_key_info(path, &key_der)?;
    check_key_strength(&key).map_err(|reason| KeyError::Unsupported {
        path: path.to_path_buf(),
        reason,
        help: "request a KSeF certificate for an RSA-2048 (or larger) or EC P-256 key",
    })?;
    let found = chain.chain().iter().find_map(|c| {
        let der = c.as_der().to_vec();
        let cert = Certificate::from_der(&der).ok()?;
        key.matches(&cert).then_some((der, cert))
    });
    let Some((certificate_der, certificate)) = found else {
        return Err(KeyError::Mismatch {
            certificate: path.to_path_buf(),
            key: path.to_path_buf(),
        });
    };
    Ok(SigningCredential {
        certificate_der,
        certificate,
        key,
    })
}

/// Every certificate in a PEM file (a chain is fine) or the one in a DER file.
fn read_certificates(path: &Path) -> Result<Vec<(Vec<u8>, Certificate)>, KeyError> {
    let bytes = read(path)?;
    let bad = |reason: String| KeyError::NotACertificate {
        path: path.to_path_buf(),
        reason,
    };
    let ders: Vec<Vec<u8>> = if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let text =
            std::str::from_utf8(&bytes).map_err(|_| bad("the PEM file is not text".into()))?;
        let found: Vec<Vec<u8>> = pem_blocks(text)
            .into_iter()
            .filter(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| der)
            .collect();
        if found.is_empty() {
            return Err(bad("no CERTIFICATE block".into()));
        }
        found
    } else {
        vec![bytes.to_vec()]
    };
    ders.into_iter()
        .map(|der| {
            Certificate::from_der(&der)
                .map(|c| (der.clone(), c))
                .map_err(|e| bad(format!("cannot decode the certificate ({e})")))
        })
        .collect()
}

/// PEM blocks (label, DER) of a text. Used for certificates only.
fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].to_string();
        let end_marker = format!("-----END {label}-----");
        let body_start = &after[label_end + 5..];
        let Some(body_end) = body_start.find(&end_marker) else {
            break;
        };
        let body: String = body_start[..body_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(body) {
            out.push((label, der));
        }
        rest = &body_start[body_end + end_marker.len()..];
    }
    out
}

const KEY_HELP: &str =
    "give a PKCS#8 key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)";

fn parse_private_key(
    path: &Path,
    bytes: &[u8],
    password: Option<&Secret>,
    nip: &str,
) -> Result<PrivateKey, KeyError> {
    let not_a_key = |reason: &str, help: &'static str| KeyError::NotAKey {
        path: path.to_path_buf(),
        reason: reason.to_string(),
        help,
    };
    let text =
        std::str::from_utf8(bytes).map_err(|_| not_a_key("the file is not PEM text", KEY_HELP))?;
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(KeyError::Unsupported {
            path: path.to_path_buf(),
            reason: "the key is in the legacy OpenSSL encrypted format".into(),
            help: "convert it: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW` (keep the password)",
        });
    }
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| not_a_key("no PEM block", KEY_HELP))?;
    let label = text[start + 11..]
        .split_once("-----")
        .map_or("", |(label, _)| label);
    let decode = || {
        SecretDocument::from_pem(&text[start..])
            .map(|(_, document)| document)
            .map_err(|_| not_a_key("the PEM block cannot be decoded", KEY_HELP))
    };
    match label {
        "PRIVATE KEY" => decode_private_key_info(path, decode()?.as_bytes()),
        "ENCRYPTED PRIVATE KEY" => {
            let document = decode()?;
            let Some(password) = password else {
                return Err(KeyError::PasswordMissing {
                    path: path.to_path_buf(),
                    env_nip: password_env_for(nip),
                });
            };
            let encrypted = EncryptedPrivateKeyInfo::try_from(document.as_bytes())
                .map_err(|_| not_a_key("the encrypted key cannot be decoded", KEY_HELP))?;
            let decrypted = match encrypted.decrypt(password.expose()) {
                Ok(doc) => doc,
                Err(pkcs8::Error::EncryptedPrivateKey(
                    pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. },
                )) => {
                    return Err(KeyError::Unsupported {
                        path: path.to_path_buf(),
                        reason: "the key is encrypted with an algorithm this tool does not read"
                            .into(),
                        help: "re-encrypt it: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW`",
                    });
                }
                Err(_) => {
                    return Err(KeyError::WrongPassword {
                        path: path.to_path_buf(),
                        env_nip: password_env_for(nip),
                    });
                }
            };
            // A wrong password sometimes decrypts to well-padded garbage.
            if PrivateKeyInfo::try_from(decrypted.as_bytes()).is_err() {
                return Err(KeyError::WrongPassword {
                    path: path.to_path_buf(),
                    env_nip: password_env_for(nip),
                });
            }
            decode_private_key_info(path, decrypted.as_bytes())
        }
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Err(not_a_key(
            &format!("the key is a {label} (PKCS#1/SEC1), not PKCS#8"),
            "convert it: `openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW` (or with -v2 aes-256-cbc to keep it encrypted)",
        )),
        "CERTIFICATE" => Err(not_a_key(
            "the file holds a certificate, not a key",
            "`private-key` names the key file; the certificate goes in `certificate`",
        )),
        other => Err(not_a_key(
            &format!("unexpected PEM block '{other}'"),
            KEY_HELP,
        )),
    }
}

fn decode_private_key_info(path: &Path, der: &[u8]) -> Result<PrivateKey, KeyError> {
    let info = PrivateKeyInfo::try_from(der).map_err(|_| KeyError::NotAKey {
        path: path.to_path_buf(),
        reason: "the PKCS#8 structure cannot be decoded".into(),
        help: KEY_HELP,
    })?;
    let unsupported = |reason: String| KeyError::Unsupported {
        path: path.to_path_buf(),
        reason,
        help: "KSeF certificates use RSA (2048 bits or more) or EC P-256 keys",
    };
    let damaged = || KeyError::NotAKey {
        path: path.to_path_buf(),
        reason: "the key inside the PKCS#8 structure is damaged".into(),
        help: KEY_HELP,
    };
    if info.algorithm.oid == OID_RSA {
        let key = RsaPrivateKey::from_pkcs8_der(der).map_err(|_| damaged())?;
        return Ok(PrivateKey::Rsa(Box::new(key)));
    }
    if info.algorithm.oid == OID_EC {
        let curve = info
            .algorithm
            .parameters_oid()
            .map_err(|_| unsupported("the EC key names no curve".into()))?;
        if curve != OID_P256 {
            return Err(unsupported(format!(
                "the EC key is on curve {curve}, not P-256"
            )));
        }
        let key = p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| damaged())?;
        return Ok(PrivateKey::EcP256(key));
    }
    Err(unsupported(format!(
        "the key algorithm {} is not RSA or EC",
        info.algorithm.oid
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_prefers_the_context_variable() {
        let env = |name: &str| match name {
            "KSEF_KEY_PASSWORD_5265877635" => Some("per-nip".to_string()),
            "KSEF_KEY_PASSWORD" => Some("global".to_string()),
            _ => None,
        };
        assert_eq!(
            key_password("5265877635", env).map(|s| s.expose().to_string()),
            Some("per-nip".into())
        );
        assert_eq!(
            key_password("1111111111", env).map(|s| s.expose().to_string()),
            Some("global".into())
        );
        let empty = |name: &str| (name == "KSEF_KEY_PASSWORD").then(String::new);
        assert!(key_password("1111111111", empty).is_none());
    }

    #[test]
    fn short_rsa_keys_are_refused() {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("rsa");
        let msg = check_key_strength(&PrivateKey::Rsa(Box::new(key))).expect_err("1024 bits");
        assert!(msg.contains("1024 bits"), "{msg}");
        assert!(msg.contains("2048"), "{msg}");
    }

    #[test]
    fn serial_hex_drops_the_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9A, 0x01]), "9A01");
        assert_eq!(serial_hex(&[0x00]), "00");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused_with_chmod_hint() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "x").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let msg = check_key_file(&path)
            .expect_err("644 must fail")
            .to_string();
        assert!(msg.contains("mode 644"), "{msg}");
        assert!(msg.contains("chmod 600"), "{msg}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        check_key_file(&path).expect("600 is fine");
    }

    #[test]
    fn pkcs1_key_gets_a_conversion_hint() {
        let err = parse_private_key(
            Path::new("k.pem"),
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            None,
            "5265877635",
        )
        .expect_err("PKCS#1 is refused");
        let msg = err.to_string();
        assert!(msg.contains("'k.pem'"), "{msg}");
        assert!(msg.contains("openssl pkcs8 -topk8"), "{msg}");
    }
}
