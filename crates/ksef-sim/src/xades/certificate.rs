//! The signing certificate: read from KeyInfo, matched with SigningCertificateV2, chained
//! to the trusted CA and valid at the moment of sign-in; the signer it names.

use super::*;

/// The `KeyInfo` certificate that `SigningCertificate` names.
pub(super) fn signing_certificate(
    parts: &SignatureParts,
) -> Result<(Vec<u8>, Certificate), Rejection> {
    let der = parts
        .certificates
        .iter()
        .find(|der| Sha256::digest(der).as_slice() == parts.cert_digest.as_slice())
        .ok_or_else(|| invalid("no KeyInfo certificate matches the SigningCertificate digest"))?;
    let certificate = Certificate::from_der(der).map_err(|_| {
        cert_problem(
            CertificateProblem::Invalid,
            "the KeyInfo certificate cannot be decoded",
        )
    })?;
    Ok((der.clone(), certificate))
}

pub(super) fn check_signing_certificate(
    parts: &SignatureParts,
    _der: &[u8],
    certificate: &Certificate,
) -> Result<(), Rejection> {
    let serial = BigUint::from_bytes_be(certificate.tbs_certificate.serial_number.as_bytes());
    match &parts.issuer_serial {
        Some(written) if written.parse::<BigUint>().ok() == Some(serial) => Ok(()),
        Some(_) => Err(invalid(
            "IssuerSerial does not name the signing certificate",
        )),
        None => Err(invalid("SigningCertificate has no IssuerSerial")),
    }
}

/// The certificate must be issued (and signed) by the CA and valid at `now`.
pub(super) fn check_chain(
    certificate: &Certificate,
    ca_der: &[u8],
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    use CertificateProblem::{ChainError, Invalid, Untrusted};
    let bad = |problem, m: &str| cert_problem(problem, m);
    let ca = Certificate::from_der(ca_der)
        .map_err(|_| bad(ChainError, "the trusted CA certificate cannot be decoded"))?;
    let tbs = &certificate.tbs_certificate;
    if tbs.issuer != ca.tbs_certificate.subject {
        return Err(bad(
            Untrusted,
            "the certificate was not issued by a trusted certification authority",
        ));
    }
    let tbs_der = tbs
        .to_der()
        .map_err(|_| bad(Invalid, "the certificate cannot be re-encoded"))?;
    let ca_spki = ca
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| bad(ChainError, "the CA key cannot be read"))?;
    let sig = certificate.signature.raw_bytes();
    let ok = if certificate.signature_algorithm.oid == OID_SHA256_WITH_RSA {
        RsaPublicKey::from_public_key_der(&ca_spki).is_ok_and(|key| {
            key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(&tbs_der),
                sig,
            )
            .is_ok()
        })
    } else if certificate.signature_algorithm.oid == OID_ECDSA_WITH_SHA256 {
        use p256::ecdsa::signature::Verifier;
        match (
            p256::ecdsa::VerifyingKey::from_public_key_der(&ca_spki),
            p256::ecdsa::DerSignature::from_bytes(sig),
        ) {
            (Ok(key), Ok(sig)) => key.verify(&tbs_der, &sig).is_ok(),
            _ => false,
        }
    } else {
        false
    };
    if !ok {
        return Err(bad(
            ChainError,
            "the certificate names the trusted certification authority, but its signature does not verify",
        ));
    }
    let from = tbs
        .validity
        .not_before
        .to_date_time()
        .unix_duration()
        .as_secs();
    let to = tbs
        .validity
        .not_after
        .to_date_time()
        .unix_duration()
        .as_secs();
    let now_secs = u64::try_from(now.timestamp()).unwrap_or(0);
    if now_secs < from {
        return Err(bad(Invalid, "the certificate is not valid yet"));
    }
    if now_secs > to {
        return Err(bad(Invalid, "the certificate has expired"));
    }
    Ok(())
}

fn attribute(certificate: &Certificate, oid: ObjectIdentifier) -> Option<String> {
    certificate
        .tbs_certificate
        .subject
        .0
        .iter()
        .find_map(|rdn| {
            rdn.0.iter().find(|a| a.oid == oid).and_then(|a| {
                std::str::from_utf8(a.value.value())
                    .ok()
                    .map(str::to_string)
            })
        })
}

/// The first run of `n` digits after `prefix` (KSeF: `(PNOPL|PESEL).*?(\d{11})`).
pub(super) fn number_after(value: &str, prefixes: &[&str], n: usize) -> Option<String> {
    let rest = prefixes.iter().find_map(|p| value.strip_prefix(p))?;
    let digits: Vec<char> = rest.chars().collect();
    digits
        .windows(n)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
}

pub(super) fn signer(der: &[u8], certificate: &Certificate) -> Signer {
    let serial_number = attribute(certificate, OID_SERIAL_NUMBER);
    let organization = attribute(certificate, OID_ORGANIZATION_IDENTIFIER);
    let pesel = serial_number
        .as_deref()
        .and_then(|v| number_after(v, &["PNOPL", "PESEL"], 11));
    let nip = serial_number
        .as_deref()
        .and_then(|v| number_after(v, &["TINPL", "NIP"], 10))
        .or_else(|| {
            organization
                .as_deref()
                .and_then(|v| number_after(v, &["VATPL"], 10))
        });
    let serial = certificate.tbs_certificate.serial_number.as_bytes();
    let start = serial
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(serial.len().saturating_sub(1));
    Signer {
        pesel,
        nip,
        common_name: attribute(certificate, OID_COMMON_NAME),
        fingerprint: hex::encode(Sha256::digest(der)),
        serial_hex: hex::encode_upper(&serial[start..]),
    }
}
