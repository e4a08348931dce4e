//! A scenario certificate authority: issues KSeF-like Authentication certificates
//! to a person (`serialNumber=PNOPL-<PESEL>`, givenName, surname, CN) or a firm
//! (`organizationIdentifier=VATPL-<NIP>`, O, CN), with RSA-2048 or P-256 keys, so
//! tests and the demo can sign in with XAdES against the simulator, which trusts
//! only certificates this CA issued.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use p256::pkcs8::EncodePrivateKey;
use rand::Rng;
use rsa::RsaPrivateKey;
use sha2::Sha256;
use spki::EncodePublicKey;
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::{Any, SetOfVec};
use x509_cert::der::{Decode, Encode, Tag};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::SimError;

/// countryName (2.5.4.6).
pub(crate) const OID_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// commonName (2.5.4.3).
pub(crate) const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// serialNumber (2.5.4.5): `PNOPL-<PESEL>` or `TINPL-<NIP>` for a person.
pub(crate) const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// givenName (2.5.4.42).
pub(crate) const OID_GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
/// surname (2.5.4.4).
pub(crate) const OID_SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
/// organizationName (2.5.4.10).
pub(crate) const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
/// organizationIdentifier (2.5.4.97): `VATPL-<NIP>` for a firm.
pub(crate) const OID_ORGANIZATION_IDENTIFIER: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.4.97");

/// Key type of a generated key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA, 2048 bits.
    Rsa2048,
    /// ECDSA on P-256.
    P256,
}

/// Whom a certificate is issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSubject {
    /// A person: subject `serialNumber=PNOPL-<pesel>`, givenName, surname, CN, C=PL.
    Person {
        pesel: String,
        given_name: String,
        surname: String,
        common_name: String,
    },
    /// A firm (seal): subject `organizationIdentifier=VATPL-<nip>`, O, CN, C=PL.
    Firm {
        nip: String,
        organization: String,
        common_name: String,
    },
}

impl CertSubject {
    fn name(&self) -> Result<Name, SimError> {
        match self {
            CertSubject::Person {
                pesel,
                given_name,
                surname,
                common_name,
            } => build_name(&[
                (OID_COUNTRY, "PL"),
                (OID_SERIAL_NUMBER, &format!("PNOPL-{pesel}")),
                (OID_GIVEN_NAME, given_name),
                (OID_SURNAME, surname),
                (OID_COMMON_NAME, common_name),
            ]),
            CertSubject::Firm {
                nip,
                organization,
                common_name,
            } => build_name(&[
                (OID_COUNTRY, "PL"),
                (OID_ORGANIZATION_IDENTIFIER, &format!("VATPL-{nip}")),
                (OID_ORGANIZATION, organization),
                (OID_COMMON_NAME, common_name),
            ]),
        }
    }
}

/// A name from (type, value) pairs, one attribute per RDN, in the order given.
/// countryName and serialNumber are PrintableString (RFC 5280), the rest UTF8String.
pub(crate) fn build_name(attributes: &[(ObjectIdentifier, &str)]) -> Result<Name, SimError> {
    let mut rdns = Vec::with_capacity(attributes.len());
    for (oid, value) in attributes {
        let tag = if *oid == OID_COUNTRY || *oid == OID_SERIAL_NUMBER {
            Tag::PrintableString
        } else {
            Tag::Utf8String
        };
        let value = Any::new(tag, value.as_bytes()).map_err(|e| crypto("name", &e))?;
        let set = SetOfVec::try_from(vec![AttributeTypeAndValue { oid: *oid, value }])
            .map_err(|e| crypto("name", &e))?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}

fn crypto(what: &str, e: &dyn std::fmt::Display) -> SimError {
    SimError::Crypto(format!("{what}: {e}"))
}

enum CaKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

/// A certificate with its freshly generated private key.
pub struct IssuedCertificate {
    /// DER of the certificate.
    pub certificate_der: Vec<u8>,
    /// Serial number, 16 uppercase hex digits as KSeF shows it.
    pub serial_hex: String,
    key_pkcs8_der: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for IssuedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCertificate")
            .field("serial_hex", &self.serial_hex)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl IssuedCertificate {
    /// The certificate as PEM.
    pub fn certificate_pem(&self) -> String {
        pem("CERTIFICATE", &self.certificate_der)
    }

    /// The unencrypted PKCS#8 private key (DER). Test and demo material only.
    pub fn key_pkcs8_der(&self) -> &[u8] {
        &self.key_pkcs8_der
    }

    /// The unencrypted PKCS#8 private key as PEM (`PRIVATE KEY`).
    pub fn key_pkcs8_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(pem("PRIVATE KEY", &self.key_pkcs8_der))
    }

    /// The decoded certificate.
    pub fn certificate(&self) -> Result<Certificate, SimError> {
        Certificate::from_der(&self.certificate_der).map_err(|e| crypto("certificate", &e))
    }
}

/// PEM armour with 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A self-signed scenario CA.
pub struct ScenarioCa {
    certificate_der: Vec<u8>,
    name: Name,
    key: CaKey,
}

impl std::fmt::Debug for ScenarioCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScenarioCa")
            .field("name", &self.name.to_string())
            .finish_non_exhaustive()
    }
}

impl ScenarioCa {
    /// Generates a CA valid from a day ago for ten years, named `CN=<common_name>,O=ksef-audit simulator,C=PL`.
    pub fn generate(common_name: &str, kind: KeyKind) -> Result<ScenarioCa, SimError> {
        let name = build_name(&[
            (OID_COUNTRY, "PL"),
            (OID_ORGANIZATION, "ksef-audit simulator"),
            (OID_COMMON_NAME, common_name),
        ])?;
        let (key, _) = generate_key(kind)?;
        let spki = public_key_info(&key)?;
        let now = SystemTime::now();
        let validity = validity(
            now - Duration::from_secs(24 * 3600),
            now + Duration::from_secs(10 * 365 * 24 * 3600),
        )?;
        let certificate_der = sign_certificate(
            Profile::Root,
            random_serial(),
            validity,
            name.clone(),
            spki,
            &key,
        )?;
        Ok(ScenarioCa {
            certificate_der,
            name,
            key,
        })
    }

    /// DER of the CA certificate (the simulator's trust anchor).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The CA certificate as PEM.
    pub fn certificate_pem(&self) -> String {
        pem("CERTIFICATE", &self.certificate_der)
    }

    /// Issues an Authentication certificate valid from `valid_from` to `valid_to`
    /// for a new key of `kind`.
    pub fn issue(
        &self,
        subject: &CertSubject,
        kind: KeyKind,
        valid_from: DateTime<Utc>,
        valid_to: DateTime<Utc>,
    ) -> Result<IssuedCertificate, SimError> {
        let (key, key_pkcs8_der) = generate_key(kind)?;
        let spki = public_key_info(&key)?;
        let serial = random_serial();
        let serial_hex = hex::encode_upper(serial);
        let certificate_der = sign_certificate(
            Profile::Leaf {
                issuer: self.name.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            serial,
            validity(valid_from.into(), valid_to.into())?,
            subject.name()?,
            spki,
            &self.key,
        )?;
        Ok(IssuedCertificate {
            certificate_der,
            serial_hex,
            key_pkcs8_der,
        })
    }

    /// Issues a certificate valid from an hour ago for two years (KSeF's longest).
    pub fn issue_for_two_years(
        &self,
        subject: &CertSubject,
        kind: KeyKind,
    ) -> Result<IssuedCertificate, SimError> {
        let now = Utc::now();
        self.issue(
            subject,
            kind,
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(730),
        )
    }
}

/// 8 random bytes, the first in 0x10..=0x7F: positive, always 16 hex digits.
fn random_serial() -> [u8; 8] {
    let mut rng = rand::thread_rng();
    let mut serial = [0u8; 8];
    rng.fill(&mut serial);
    serial[0] = rng.gen_range(0x10..=0x7F);
    serial
}

fn validity(from: SystemTime, to: SystemTime) -> Result<Validity, SimError> {
    Ok(Validity {
        not_before: Time::try_from(from).map_err(|e| crypto("validity", &e))?,
        not_after: Time::try_from(to).map_err(|e| crypto("validity", &e))?,
    })
}

fn generate_key(kind: KeyKind) -> Result<(CaKey, Zeroizing<Vec<u8>>), SimError> {
    let mut rng = rand::rngs::OsRng;
    match kind {
        KeyKind::Rsa2048 => {
            let key = RsaPrivateKey::new(&mut rng, 2048).map_err(|e| crypto("rsa key", &e))?;
            let der = key
                .to_pkcs8_der()
                .map_err(|e| crypto("rsa key encoding", &e))?;
            Ok((
                CaKey::Rsa(Box::new(key)),
                Zeroizing::new(der.as_bytes().to_vec()),
            ))
        }
        KeyKind::P256 => {
            let secret = p256::SecretKey::random(&mut rng);
            let der = secret
                .to_pkcs8_der()
                .map_err(|e| crypto("ec key encoding", &e))?;
            Ok((
                CaKey::P256(p256::ecdsa::SigningKey::from(&secret)),
                Zeroizing::new(der.as_bytes().to_vec()),
            ))
        }
    }
}

fn public_key_info(key: &CaKey) -> Result<SubjectPublicKeyInfoOwned, SimError> {
    let der = match key {
        CaKey::Rsa(k) => k.to_public_key().to_public_key_der(),
        CaKey::P256(k) => k.verifying_key().to_public_key_der(),
    }
    .map_err(|e| crypto("public key encoding", &e))?;
    SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).map_err(|e| crypto("public key", &e))
}

fn sign_certificate(
    profile: Profile,
    serial: [u8; 8],
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    issuer_key: &CaKey,
) -> Result<Vec<u8>, SimError> {
    let serial = SerialNumber::new(&serial).map_err(|e| crypto("serial number", &e))?;
    let certificate = match issuer_key {
        CaKey::Rsa(k) => {
            let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
            CertificateBuilder::new(profile, serial, validity, subject, spki, &signer)
                .map_err(|e| crypto("certificate", &e))?
                .build::<rsa::pkcs1v15::Signature>()
                .map_err(|e| crypto("certificate signing", &e))?
        }
        CaKey::P256(k) => CertificateBuilder::new(profile, serial, validity, subject, spki, k)
            .map_err(|e| crypto("certificate", &e))?
            .build::<p256::ecdsa::DerSignature>()
            .map_err(|e| crypto("certificate signing", &e))?,
    };
    certificate
        .to_der()
        .map_err(|e| crypto("certificate encoding", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(cert: &Certificate, oid: ObjectIdentifier) -> Option<String> {
        cert.tbs_certificate.subject.0.iter().find_map(|rdn| {
            rdn.0
                .iter()
                .find(|a| a.oid == oid)
                .map(|a| String::from_utf8_lossy(a.value.value()).into_owned())
        })
    }

    fn issue(subject: CertSubject) -> (ScenarioCa, IssuedCertificate, Certificate) {
        let ca = ScenarioCa::generate("Scenario CA", KeyKind::P256).expect("ca");
        let issued = ca
            .issue_for_two_years(&subject, KeyKind::P256)
            .expect("issue");
        let cert = issued.certificate().expect("decode");
        (ca, issued, cert)
    }

    #[test]
    fn person_certificate_names_the_pesel_and_chains_to_the_ca() {
        let (ca, issued, cert) = issue(CertSubject::Person {
            pesel: "85010112345".into(),
            given_name: "Jan".into(),
            surname: "Kowalski".into(),
            common_name: "Jan Kowalski".into(),
        });
        assert_eq!(
            attribute(&cert, OID_SERIAL_NUMBER).as_deref(),
            Some("PNOPL-85010112345")
        );
        assert_eq!(attribute(&cert, OID_SURNAME).as_deref(), Some("Kowalski"));
        let ca_cert = Certificate::from_der(ca.certificate_der()).expect("ca decode");
        assert_eq!(cert.tbs_certificate.issuer, ca_cert.tbs_certificate.subject);
        assert_eq!(issued.serial_hex.len(), 16);
        assert!(
            issued
                .key_pkcs8_pem()
                .starts_with("-----BEGIN PRIVATE KEY-----\n")
        );
        assert!(!format!("{issued:?}").contains("PRIVATE"));
    }

    #[test]
    fn firm_certificate_carries_the_vat_identifier() {
        let (_, _, cert) = issue(CertSubject::Firm {
            nip: "5265877635".into(),
            organization: "Kowalski sp. z o.o., Oddział <Kraków>".into(),
            common_name: "Kowalski".into(),
        });
        assert_eq!(
            attribute(&cert, OID_ORGANIZATION_IDENTIFIER).as_deref(),
            Some("VATPL-5265877635")
        );
        assert_eq!(attribute(&cert, OID_GIVEN_NAME), None);
    }
}
