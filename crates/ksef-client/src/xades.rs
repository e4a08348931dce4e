//! The `AuthTokenRequest` document for `POST /auth/xades-signature`, signed as an
//! enveloped XAdES-BES signature the way the official clients sign it.
//!
//! The signature: exclusive c14n for `SignedInfo`; RSA-SHA256 (PKCS#1 v1.5) or
//! ECDSA-SHA256 on P-256 (value = raw R‖S, 64 bytes); two references, both with
//! SHA-256 and an explicit exclusive-c14n transform:
//! - `URI=""`: the whole document, with the enveloped-signature transform first;
//! - `URI="#SignedProperties"`, `Type="http://uri.etsi.org/01903#SignedProperties"`:
//!   `SigningTime` and `SigningCertificate` (SHA-256 of the certificate, `IssuerSerial`);
//!
//! and the certificate in `KeyInfo/X509Data`.
//!
//! We write the document ourselves, so every part that is digested or signed is
//! written already in its exclusive-c14n form and appears in the output byte for
//! byte: the document without its signature, `SignedInfo` and `SignedProperties`
//! each carry the namespace declarations exclusive c14n renders on them (redundant
//! declarations are legal XML and canonicalise away to exactly these bytes). No
//! canonicaliser is needed on this side; the simulator's verifier and the
//! external-verifier tests recompute the canonical forms independently.

use std::fmt::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use rsa::{BigUint, Pkcs1v15Sign};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::keys::PrivateKey;
use crate::keys::SigningCredential;
use ksef_model::validate_internal_id;
use ksef_model::validate_nip;

/// Namespace of `AuthTokenRequest` (schema auth v2.0).
pub const AUTH_NS: &str = "http://ksef.mf.gov.pl/auth/token/2.0";
/// XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XAdES 1.3.2 namespace.
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// Exclusive XML canonicalisation 1.0 (without comments).
pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform.
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-256 digest method.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// RSASSA-PKCS1-v1_5 with SHA-256.
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// ECDSA with SHA-256.
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
/// `Type` of the reference to `SignedProperties`.
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";

const SIGNATURE_ID: &str = "Signature";
const SIGNED_PROPERTIES_ID: &str = "SignedProperties";

/// Why a request could not be built or signed. Never carries key material.
#[derive(Debug, Error)]
pub enum XadesError {
    #[error("auth request: {0}")]
    InvalidRequest(String),
    #[error("signing the auth request failed: {0}")]
    Signing(String),
}

/// `ContextIdentifier` of an `AuthTokenRequest`: which context to sign in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextIdentifier {
    /// A firm's NIP (10 digits).
    Nip(String),
    /// `NNNNNNNNNN-DDDDD`.
    InternalId(String),
    /// `{nip}-{vat-ue}`, e.g. `5265877635-ATU12345678`.
    NipVatUe(String),
}

impl ContextIdentifier {
    /// Checks the value's shape (and NIP check digits).
    pub fn validated(self) -> Result<ContextIdentifier, XadesError> {
        let bad = |m: String| XadesError::InvalidRequest(m);
        match &self {
            ContextIdentifier::Nip(v) => {
                if validate_nip(v).map_err(|e| bad(e.to_string()))? != *v {
                    return Err(bad(format!("NIP '{v}' must be written as 10 digits")));
                }
            }
            ContextIdentifier::InternalId(v) => {
                validate_internal_id(v).map_err(|e| bad(e.to_string()))?;
            }
            ContextIdentifier::NipVatUe(v) => {
                let (nip, vat) = v
                    .split_once('-')
                    .ok_or_else(|| bad(format!("NipVatUe '{v}' must look like NIP-VATUE")))?;
                if validate_nip(nip).map_err(|e| bad(e.to_string()))? != nip {
                    return Err(bad(format!(
                        "NipVatUe '{v}': the NIP part must be 10 digits"
                    )));
                }
                let ok = vat.len() >= 4
                    && vat.len() <= 14
                    && vat[..2].bytes().all(|b| b.is_ascii_uppercase())
                    && vat[2..].bytes().all(|b| {
                        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'+' || b == b'*'
                    });
                if !ok {
                    return Err(bad(format!(
                        "NipVatUe '{v}': the VAT-UE part must be a country code and number, e.g. ATU12345678"
                    )));
                }
            }
        }
        Ok(self)
    }

    /// Element name inside `ContextIdentifier`.
    pub fn element(&self) -> &'static str {
        match self {
            ContextIdentifier::Nip(_) => "Nip",
            ContextIdentifier::InternalId(_) => "InternalId",
            ContextIdentifier::NipVatUe(_) => "NipVatUe",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            ContextIdentifier::Nip(v)
            | ContextIdentifier::InternalId(v)
            | ContextIdentifier::NipVatUe(v) => v,
        }
    }
}

/// `SubjectIdentifierType`: how KSeF identifies the signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectIdentifierType {
    /// NIP/PESEL from the certificate subject (`serialNumber`, `organizationIdentifier`).
    CertificateSubject,
    /// SHA-256 fingerprint of the certificate.
    CertificateFingerprint,
}

impl SubjectIdentifierType {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectIdentifierType::CertificateSubject => "certificateSubject",
            SubjectIdentifierType::CertificateFingerprint => "certificateFingerprint",
        }
    }
}

/// The unsigned `AuthTokenRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthTokenRequest {
    challenge: String,
    context: ContextIdentifier,
    subject_identifier_type: SubjectIdentifierType,
}

impl AuthTokenRequest {
    /// Checks the challenge (36 characters from `POST /auth/challenge`) and the context.
    pub fn new(
        challenge: &str,
        context: ContextIdentifier,
        subject_identifier_type: SubjectIdentifierType,
    ) -> Result<AuthTokenRequest, XadesError> {
        let ok = challenge.len() == 36
            && challenge
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(XadesError::InvalidRequest(
                "the challenge must be the 36-character value from POST /auth/challenge".into(),
            ));
        }
        Ok(AuthTokenRequest {
            challenge: challenge.to_string(),
            context: context.validated()?,
            subject_identifier_type,
        })
    }

    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    pub fn context(&self) -> &ContextIdentifier {
        &self.context
    }

    pub fn subject_identifier_type(&self) -> SubjectIdentifierType {
        self.subject_identifier_type
    }

    /// The document element with `inner` as its last content, in canonical form.
    fn root_with(&self, inner: &str) -> String {
        format!(
            "<AuthTokenRequest xmlns=\"{AUTH_NS}\"><Challenge>{}</Challenge><ContextIdentifier><{el}>{}</{el}></ContextIdentifier><SubjectIdentifierType>{}</SubjectIdentifierType>{inner}</AuthTokenRequest>",
            escape_text(&self.challenge),
            escape_text(self.context.value()),
            self.subject_identifier_type.as_str(),
            el = self.context.element(),
        )
    }

    #[cfg(test)]
    /// The unsigned document (with an XML declaration).
    pub(crate) fn to_unsigned_xml(&self) -> String {
        format!("{XML_DECLARATION}{}", self.root_with(""))
    }
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The signing time the official client uses: now minus one minute (clock skew).
pub(crate) fn signing_time_now() -> DateTime<Utc> {
    Utc::now() - Duration::minutes(1)
}

/// The signed document and the canonical bytes that were digested and signed.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// The document to send as `application/xml` (UTF-8).
    pub xml: String,
    /// Exclusive c14n of the document without its signature (digest of `URI=""`).
    pub document_c14n: String,
    /// Exclusive c14n of `xades:SignedProperties`.
    pub signed_properties_c14n: String,
    /// Exclusive c14n of `ds:SignedInfo` (the bytes the signature value covers).
    pub signed_info_c14n: String,
}

/// Signs `request` with `credential` as an enveloped XAdES-BES signature.
pub fn sign_auth_token_request(
    request: &AuthTokenRequest,
    credential: &SigningCredential,
    signing_time: DateTime<Utc>,
) -> Result<SignedRequest, XadesError> {
    let document_c14n = request.root_with("");
    let document_digest = STANDARD.encode(Sha256::digest(document_c14n.as_bytes()));

    let signed_properties_c14n = signed_properties(credential, signing_time)?;
    let properties_digest = STANDARD.encode(Sha256::digest(signed_properties_c14n.as_bytes()));

    let method = match credential.key() {
        PrivateKey::Rsa(_) => RSA_SHA256,
        PrivateKey::EcP256(_) => ECDSA_SHA256,
    };
    let signed_info_c14n = format!(
        "<ds:SignedInfo xmlns:ds=\"{DSIG_NS}\">\
<ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></ds:CanonicalizationMethod>\
<ds:SignatureMethod Algorithm=\"{method}\"></ds:SignatureMethod>\
<ds:Reference URI=\"\"><ds:Transforms>\
<ds:Transform Algorithm=\"{ENVELOPED}\"></ds:Transform>\
<ds:Transform Algorithm=\"{EXC_C14N}\"></ds:Transform>\
</ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"></ds:DigestMethod>\
<ds:DigestValue>{document_digest}</ds:DigestValue></ds:Reference>\
<ds:Reference Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#{SIGNED_PROPERTIES_ID}\"><ds:Transforms>\
<ds:Transform Algorithm=\"{EXC_C14N}\"></ds:Transform>\
</ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"></ds:DigestMethod>\
<ds:DigestValue>{properties_digest}</ds:DigestValue></ds:Reference>\
</ds:SignedInfo>"
    );
    let signature_value =
        STANDARD.encode(sign_bytes(credential.key(), signed_info_c14n.as_bytes())?);

    let signature = format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\" Id=\"{SIGNATURE_ID}\">{signed_info_c14n}\
<ds:SignatureValue>{signature_value}</ds:SignatureValue>\
<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
<ds:Object><xades:QualifyingProperties xmlns:xades=\"{XADES_NS}\" Target=\"#{SIGNATURE_ID}\">\
{signed_properties_c14n}</xades:QualifyingProperties></ds:Object></ds:Signature>",
        STANDARD.encode(credential.certificate_der()),
    );
    let xml = format!("{XML_DECLARATION}{}", request.root_with(&signature));
    Ok(SignedRequest {
        xml,
        document_c14n,
        signed_properties_c14n,
        signed_info_c14n,
    })
}

/// `xades:SignedProperties` in exclusive-c14n form: as the apex it declares `xades`;
/// each `ds:` element declares `ds` itself, since no output ancestor renders it.
fn signed_properties(
    credential: &SigningCredential,
    signing_time: DateTime<Utc>,
) -> Result<String, XadesError> {
    let tbs = &credential.certificate().tbs_certificate;
    let cert_digest = STANDARD.encode(Sha256::digest(credential.certificate_der()));
    // `write!`, not `to_string()`: a name that cannot be rendered is an error, not a panic.
    let mut issuer = String::new();
    write!(issuer, "{}", tbs.issuer).map_err(|_| {
        XadesError::Signing("the certificate's issuer name cannot be written".into())
    })?;
    let serial = BigUint::from_bytes_be(tbs.serial_number.as_bytes()).to_str_radix(10);
    let ds = format!("xmlns:ds=\"{DSIG_NS}\"");
    Ok(format!(
        "<xades:SignedProperties xmlns:xades=\"{XADES_NS}\" Id=\"{SIGNED_PROPERTIES_ID}\">\
<xades:SignedSignatureProperties>\
<xades:SigningTime>{}</xades:SigningTime>\
<xades:SigningCertificate><xades:Cert><xades:CertDigest>\
<ds:DigestMethod {ds} Algorithm=\"{SHA256}\"></ds:DigestMethod>\
<ds:DigestValue {ds}>{cert_digest}</ds:DigestValue>\
</xades:CertDigest><xades:IssuerSerial>\
<ds:X509IssuerName {ds}>{}</ds:X509IssuerName>\
<ds:X509SerialNumber {ds}>{serial}</ds:X509SerialNumber>\
</xades:IssuerSerial></xades:Cert></xades:SigningCertificate>\
</xades:SignedSignatureProperties></xades:SignedProperties>",
        signing_time.format("%Y-%m-%dT%H:%M:%SZ"),
        escape_text(&issuer),
    ))
}

fn sign_bytes(key: &PrivateKey, data: &[u8]) -> Result<Vec<u8>, XadesError> {
    match key {
        PrivateKey::Rsa(k) => k
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
            .map_err(|e| XadesError::Signing(format!("RSA: {e}"))),
        PrivateKey::EcP256(k) => {
            use p256::ecdsa::signature::Signer;
            let signature: p256::ecdsa::Signature = k
                .try_sign(data)
                .map_err(|e| XadesError::Signing(format!("ECDSA: {e}")))?;
            Ok(signature.to_bytes().to_vec())
        }
    }
}

/// Text content as exclusive c14n writes it. Characters XML 1.0 cannot carry are
/// replaced with U+FFFD (they only occur in hostile certificate names).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "20250625-CR-20F5EE4000-DA48AE4124-46";

    #[test]
    fn unsigned_document_has_the_contract_shape() {
        let request = AuthTokenRequest::new(
            CHALLENGE,
            ContextIdentifier::Nip("5265877635".into()),
            SubjectIdentifierType::CertificateSubject,
        )
        .expect("valid");
        let xml = request.to_unsigned_xml();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AuthTokenRequest xmlns=\"http://ksef.mf.gov.pl/auth/token/2.0\">"));
        assert!(xml.contains(&format!("<Challenge>{CHALLENGE}</Challenge>")));
        assert!(xml.contains("<ContextIdentifier><Nip>5265877635</Nip></ContextIdentifier>"));
        assert!(xml.contains("<SubjectIdentifierType>certificateSubject</SubjectIdentifierType>"));
    }

    #[test]
    fn context_identifiers_are_checked() {
        let make =
            |c| AuthTokenRequest::new(CHALLENGE, c, SubjectIdentifierType::CertificateFingerprint);
        assert!(make(ContextIdentifier::Nip("1234567890".into())).is_err());
        assert!(make(ContextIdentifier::Nip("526-587-76-35".into())).is_err());
        assert!(make(ContextIdentifier::InternalId("5265877635-12345".into())).is_err());
        assert!(make(ContextIdentifier::NipVatUe("5265877635-ATU12345678".into())).is_ok());
        assert!(make(ContextIdentifier::NipVatUe("5265877635-atu1".into())).is_err());
        let xml = make(ContextIdentifier::NipVatUe("5265877635-ATU12345678".into()))
            .expect("valid")
            .to_unsigned_xml();
        assert!(xml.contains("<NipVatUe>5265877635-ATU12345678</NipVatUe>"));
        assert!(xml.contains("certificateFingerprint"));
    }

    #[test]
    fn challenge_must_be_the_service_value() {
        let err = AuthTokenRequest::new(
            "x<y",
            ContextIdentifier::Nip("5265877635".into()),
            SubjectIdentifierType::CertificateSubject,
        )
        .expect_err("bad challenge");
        assert!(err.to_string().contains("36-character"));
    }

    #[test]
    fn text_is_escaped_as_c14n_writes_it() {
        assert_eq!(
            escape_text("A & B <C> \"q\"\r\n"),
            "A &amp; B &lt;C&gt; \"q\"&#xD;\n"
        );
    }
}
