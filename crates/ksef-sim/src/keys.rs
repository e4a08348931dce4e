//! The simulator's own key pairs and self-signed certificates.
//!
//! Two RSA-2048 keys, as on the real service: one for `KsefTokenEncryption` (the
//! key that decrypts `encryptedToken`) and another for `SymmetricKeyEncryption`
//! (invoice keys only), so a client that picks the wrong certificate fails.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rsa::pkcs1v15::SigningKey;
use rsa::{Oaep, RsaPrivateKey};
use sha2::{Digest, Sha256};
use spki::EncodePublicKey;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::Encode;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::SimError;

/// `usage` value of the token-encryption certificate.
pub const USAGE_TOKEN: &str = "KsefTokenEncryption";
/// `usage` value of the invoice-key certificate.
pub const USAGE_SYMMETRIC: &str = "SymmetricKeyEncryption";

/// One published certificate (`PublicKeyCertificate` in the contract).
#[derive(Clone)]
pub struct SimCertificate {
    /// DER bytes of the X.509 certificate.
    pub der: Vec<u8>,
    /// Base64(SHA-256(certificate DER)).
    pub certificate_id: String,
    /// Base64(SHA-256(SubjectPublicKeyInfo DER)).
    pub public_key_id: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub usage: &'static str,
    key: RsaPrivateKey,
}

impl SimCertificate {
    /// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) decryption with this certificate's key.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Option<Vec<u8>> {
        self.key.decrypt(Oaep::new::<Sha256>(), ciphertext).ok()
    }
}

impl std::fmt::Debug for SimCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCertificate")
            .field("public_key_id", &self.public_key_id)
            .field("usage", &self.usage)
            .finish_non_exhaustive()
    }
}

/// The simulator's key material: a token-encryption and a symmetric-key certificate.
#[derive(Debug, Clone)]
pub struct SimKeys {
    pub token: SimCertificate,
    pub symmetric: SimCertificate,
}

impl SimKeys {
    /// Generates two fresh RSA-2048 key pairs and their certificates.
    ///
    /// Slow in debug builds (seconds): tests should use [`SimKeys::shared`].
    pub fn generate() -> Result<SimKeys, SimError> {
        let mut rng = rand::rngs::OsRng;
        let token = make_certificate(&mut rng, "KSeF simulator token encryption", USAGE_TOKEN, 1)?;
        let symmetric = make_certificate(
            &mut rng,
            "KSeF simulator symmetric key encryption",
            USAGE_SYMMETRIC,
            2,
        )?;
        Ok(SimKeys { token, symmetric })
    }

    /// One key set per process, generated on first use.
    ///
    /// # Panics
    /// When key generation fails (the RNG or the encoder is broken), which is an
    /// invariant of the crypto libraries, not of user input.
    pub fn shared() -> Arc<SimKeys> {
        static SHARED: OnceLock<Arc<SimKeys>> = OnceLock::new();
        SHARED
            .get_or_init(|| Arc::new(SimKeys::generate().expect("simulator key generation")))
            .clone()
    }

    /// Both certificates, the token one first.
    pub fn certificates(&self) -> [&SimCertificate; 2] {
        [&self.token, &self.symmetric]
    }

    pub(crate) fn by_public_key_id(&self, id: &str) -> Option<&SimCertificate> {
        self.certificates()
            .into_iter()
            .find(|c| c.public_key_id == id)
    }
}

fn make_certificate(
    rng: &mut rand::rngs::OsRng,
    common_name: &str,
    usage: &'static str,
    serial: u8,
) -> Result<SimCertificate, SimError> {
    let crypto = |what: &str, e: &dyn std::fmt::Display| SimError::Crypto(format!("{what}: {e}"));
    let key = RsaPrivateKey::new(rng, 2048).map_err(|e| crypto("rsa key generation", &e))?;
    let public = key.to_public_key();
    let spki_der = public
        .to_public_key_der()
        .map_err(|e| crypto("public key encoding", &e))?;
    let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes())
        .map_err(|e| crypto("public key decoding", &e))?;

    let now = SystemTime::now();
    let from = now - Duration::from_secs(24 * 3600);
    let to = now + Duration::from_secs(2 * 365 * 24 * 3600);
    let validity = Validity {
        not_before: Time::try_from(from).map_err(|e| crypto("validity", &e))?,
        not_after: Time::try_from(to).map_err(|e| crypto("validity", &e))?,
    };
    let subject = Name::from_str(&format!("CN={common_name},O=ksef-audit simulator,C=PL"))
        .map_err(|e| crypto("subject name", &e))?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: true,
        },
        SerialNumber::from(serial),
        validity,
        subject,
        spki,
        &signer,
    )
    .map_err(|e| crypto("certificate", &e))?;
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(|e| crypto("certificate signing", &e))?;
    let der = cert
        .to_der()
        .map_err(|e| crypto("certificate encoding", &e))?;
    Ok(SimCertificate {
        certificate_id: STANDARD.encode(Sha256::digest(&der)),
        public_key_id: STANDARD.encode(Sha256::digest(spki_der.as_bytes())),
        der,
        valid_from: DateTime::<Utc>::from(from),
        valid_to: DateTime::<Utc>::from(to),
        usage,
        key,
    })
}
