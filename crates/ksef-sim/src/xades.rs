//! The simulator's verifier for `POST /auth/xades-signature`.
//!
//! Accepts enveloped XAdES-BES signatures of the shape ksef-audit and the official
//! clients send (C#: .NET `SignedXml`; Java: DSS XAdES-BASELINE-B): one
//! `ds:Signature`, a child of `AuthTokenRequest`, with exactly two references, both
//! SHA-256 — the document (`URI=""`, enveloped-signature transform, then inclusive or
//! exclusive c14n) and `SignedProperties` (`Type=…#SignedProperties`, optional c14n
//! transform) — `SignedInfo` canonicalised with inclusive or exclusive c14n, and
//! RSA-SHA256 or ECDSA-SHA256 (P-256, raw R‖S). Anything else is refused, not guessed.
//!
//! Checks, in order: the document's shape, both reference digests, the signature
//! value, `SigningCertificate` against the `KeyInfo` certificate, that certificate
//! against the trusted CA (issuer, signature, validity), and finally the expected
//! challenge and context ([`VerifiedAuthRequest::check`]).

mod c14n;
mod certificate;
mod parts;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use roxmltree::{Document, Node};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::DecodePublicKey;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::ObjectIdentifier;

use crate::ca::OID_COMMON_NAME;
use crate::ca::OID_ORGANIZATION_IDENTIFIER;
use crate::ca::OID_SERIAL_NUMBER;
use certificate::{check_chain, check_signing_certificate, signer, signing_certificate};
use ksef_model::mask_pesel;
use parts::SignatureParts;

pub use c14n::{Method as C14nMethod, canonicalize};

const AUTH_NS: &str = "http://ksef.mf.gov.pl/auth/token/2.0";
const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";

const OID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Why a signed `AuthTokenRequest` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not well-formed UTF-8 XML (400 21001).
    Unreadable(String),
    /// Well-formed, but not an `AuthTokenRequest` of the schema (400 21401).
    Schema(String),
    /// No `ds:Signature` (400 9102).
    NoSignature,
    /// More than one `ds:Signature` (400 9103).
    TooManySignatures,
    /// A digest, the signature value or the signature's shape is wrong (400 9105).
    InvalidSignature(String),
    /// The certificate is invalid, expired or not issued by the trusted CA:
    /// the sign-in ends with status 460.
    Certificate {
        problem: CertificateProblem,
        detail: String,
    },
    /// The challenge is not the expected one (400 21111).
    Challenge,
    /// The context is not the expected one: the sign-in ends with status 415.
    Context(String),
}

/// The kinds of status-460 failures the contract lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProblem {
    /// Unreadable, expired, not yet valid or too weak: "Nieważny certyfikat".
    Invalid,
    /// Names the trusted CA but its signature does not verify:
    /// "Błąd weryfikacji łańcucha certyfikatów".
    ChainError,
    /// Issued by someone else: "Niezaufany łańcuch certyfikatów".
    Untrusted,
}

impl CertificateProblem {
    /// The `details` line of the 460 status, as the service writes it.
    pub(crate) fn ksef_detail(self) -> &'static str {
        match self {
            CertificateProblem::Invalid => "Nieważny certyfikat",
            CertificateProblem::ChainError => "Błąd weryfikacji łańcucha certyfikatów",
            CertificateProblem::Untrusted => "Niezaufany łańcuch certyfikatów",
        }
    }
}

fn cert_problem(problem: CertificateProblem, detail: &str) -> Rejection {
    Rejection::Certificate {
        problem,
        detail: detail.to_string(),
    }
}

/// How the service answers a [`Rejection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The request itself fails with HTTP 400 and this exception code.
    BadRequest {
        code: u32,
        description: &'static str,
    },
    /// The request is accepted (202); `GET /auth/{ref}` then reports this status,
    /// with `detail` as its one `details` line.
    Status {
        code: u16,
        description: &'static str,
        detail: &'static str,
    },
}

impl Rejection {
    /// The contract's answer.
    pub fn answer(&self) -> Answer {
        match self {
            Rejection::Unreadable(_) => Answer::BadRequest {
                code: 21001,
                description: "Nieczytelna treść.",
            },
            Rejection::Schema(_) => Answer::BadRequest {
                code: 21401,
                description: "Dokument nie jest zgodny ze schemą (xsd).",
            },
            Rejection::NoSignature => Answer::BadRequest {
                code: 9102,
                description: "Brak podpisu.",
            },
            Rejection::TooManySignatures => Answer::BadRequest {
                code: 9103,
                description: "Przekroczona liczba dozwolonych podpisów.",
            },
            Rejection::InvalidSignature(_) => Answer::BadRequest {
                code: 9105,
                description: "Nieprawidłowy podpis.",
            },
            Rejection::Challenge => Answer::BadRequest {
                code: 21111,
                description: "Nieprawidłowe wyzwanie autoryzacyjne.",
            },
            Rejection::Certificate { problem, .. } => Answer::Status {
                code: 460,
                description: "Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu",
                detail: problem.ksef_detail(),
            },
            Rejection::Context(_) => Answer::Status {
                code: 415,
                description: "Uwierzytelnianie zakończone niepowodzeniem",
                detail: "Brak przypisanych uprawnień",
            },
        }
    }

    /// A detail line for the answer (never key material; PESELs masked).
    pub fn detail(&self) -> String {
        match self {
            Rejection::Unreadable(d)
            | Rejection::Schema(d)
            | Rejection::InvalidSignature(d)
            | Rejection::Certificate { detail: d, .. }
            | Rejection::Context(d) => d.clone(),
            Rejection::NoSignature => "the document carries no ds:Signature".into(),
            Rejection::TooManySignatures => {
                "the document carries more than one ds:Signature".into()
            }
            Rejection::Challenge => "the challenge is unknown or not the expected one".into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail())
    }
}

/// The context a document signs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedContext {
    /// `Nip`, `InternalId` or `NipVatUe`.
    pub kind: String,
    pub value: String,
}

/// Signature algorithm of a verified document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    RsaSha256,
    EcdsaP256Sha256,
}

/// Who signed, as read from the certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Signer {
    /// From `serialNumber` `PNOPL-…`/`PESEL…`.
    pub pesel: Option<String>,
    /// From `serialNumber` `TINPL-…`/`NIP…` or `organizationIdentifier` `VATPL-…`.
    pub nip: Option<String>,
    pub common_name: Option<String>,
    /// Lowercase hex SHA-256 of the certificate DER.
    pub fingerprint: String,
    /// Serial number, uppercase hex.
    pub serial_hex: String,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("pesel", &self.pesel.as_deref().map(mask_pesel))
            .field("nip", &self.nip)
            .field("common_name", &self.common_name)
            .field("fingerprint", &self.fingerprint)
            .field("serial_hex", &self.serial_hex)
            .finish()
    }
}

/// A document whose signature, certificate and references checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAuthRequest {
    pub challenge: String,
    pub context: SignedContext,
    /// `certificateSubject` or `certificateFingerprint`.
    pub subject_identifier_type: String,
    pub signer: Signer,
    pub algorithm: SignatureAlgorithm,
    /// `SigningTime` as written, if it parses.
    pub signing_time: Option<DateTime<Utc>>,
}

impl VerifiedAuthRequest {
    /// Checks the challenge and, when given, the context (`kind`, `value`).
    pub fn check(&self, challenge: &str, context: Option<(&str, &str)>) -> Result<(), Rejection> {
        if self.challenge != challenge {
            return Err(Rejection::Challenge);
        }
        if let Some((kind, value)) = context
            && (self.context.kind != kind || self.context.value != value)
        {
            return Err(Rejection::Context(format!(
                "the document signs in to {} {}, not {kind} {value}",
                self.context.kind, self.context.value
            )));
        }
        Ok(())
    }
}

/// Verifies a signed `AuthTokenRequest` against the trusted CA certificate (DER) at `now`.
pub fn verify_signed_request(
    body: &[u8],
    ca_der: &[u8],
    now: DateTime<Utc>,
) -> Result<VerifiedAuthRequest, Rejection> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Rejection::Unreadable("the document is not UTF-8".into()))?;
    let doc = Document::parse(text).map_err(|e| Rejection::Unreadable(format!("not XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(AUTH_NS) || root.tag_name().name() != "AuthTokenRequest"
    {
        return Err(Rejection::Schema(format!(
            "the document element must be AuthTokenRequest in {AUTH_NS}"
        )));
    }

    let signature = enveloped_signature(&doc, root)?;
    let request = read_request(root, signature)?;

    let parts = SignatureParts::read(signature)?;
    let (cert_der, certificate) = signing_certificate(&parts)?;
    check_references(&doc, root, signature, &parts)?;
    let algorithm = verify_signature_value(&parts, &certificate)?;

    check_signing_certificate(&parts, &cert_der, &certificate)?;
    check_chain(&certificate, ca_der, now)?;

    Ok(VerifiedAuthRequest {
        challenge: request.challenge,
        context: request.context,
        subject_identifier_type: request.subject_identifier_type,
        signer: signer(&cert_der, &certificate),
        algorithm,
        signing_time: parts.signing_time,
    })
}

/// The one signature of the document, enveloped: a child of `AuthTokenRequest`.
fn enveloped_signature<'a, 'i>(
    doc: &'a Document<'i>,
    root: Node<'a, 'i>,
) -> Result<Node<'a, 'i>, Rejection> {
    let signatures: Vec<Node> = doc
        .descendants()
        .filter(|n| is(*n, DSIG_NS, "Signature"))
        .collect();
    let signature = match signatures.as_slice() {
        [] => return Err(Rejection::NoSignature),
        [one] => *one,
        _ => return Err(Rejection::TooManySignatures),
    };
    if signature.parent_element() != Some(root) {
        return Err(Rejection::InvalidSignature(
            "the signature must be enveloped: a child of AuthTokenRequest".into(),
        ));
    }
    Ok(signature)
}

/// Each reference (the document, then SignedProperties) canonicalised and its digest checked.
fn check_references(
    doc: &Document,
    root: Node,
    signature: Node,
    parts: &SignatureParts,
) -> Result<(), Rejection> {
    let mut document_done = false;
    let mut properties_done = false;
    for reference in &parts.references {
        let computed = if reference.uri.is_empty() {
            if document_done {
                return Err(invalid("two references to the document"));
            }
            document_done = true;
            let method = match reference.transforms.as_slice() {
                [t] if removes_signature(t) => C14nMethod::Inclusive,
                [t, c] if removes_signature(t) => C14nMethod::from_uri(c)
                    .ok_or_else(|| invalid(&format!("unsupported transform {c}")))?,
                _ => {
                    return Err(invalid(
                        "the document reference must use the enveloped-signature transform, then c14n",
                    ));
                }
            };
            c14n::canonicalize(root, Some(signature.id()), method).map_err(|e| invalid(&e))?
        } else if let Some(id) = reference.uri.strip_prefix('#') {
            if reference.kind.as_deref() != Some(SIGNED_PROPERTIES_TYPE) {
                return Err(invalid(&format!(
                    "reference '#{id}' must have Type=\"{SIGNED_PROPERTIES_TYPE}\""
                )));
            }
            if properties_done {
                return Err(invalid("two references to SignedProperties"));
            }
            properties_done = true;
            if id != parts.signed_properties_id {
                return Err(invalid(&format!(
                    "reference '#{id}' does not point at this signature's SignedProperties"
                )));
            }
            let method = match reference.transforms.as_slice() {
                [] => C14nMethod::Inclusive,
                [c] => C14nMethod::from_uri(c)
                    .ok_or_else(|| invalid(&format!("unsupported transform {c}")))?,
                _ => {
                    return Err(invalid(
                        "SignedProperties reference: unsupported transforms",
                    ));
                }
            };
            let target = unique_id(doc, id)?;
            if target != parts.signed_properties {
                return Err(invalid("the SignedProperties Id is not unique"));
            }
            c14n::canonicalize(target, None, method).map_err(|e| invalid(&e))?
        } else {
            return Err(invalid(&format!(
                "unsupported reference URI '{}'",
                reference.uri
            )));
        };
        if Sha256::digest(computed.as_bytes()).as_slice() != reference.digest.as_slice() {
            let what = if reference.uri.is_empty() {
                "the document"
            } else {
                "SignedProperties"
            };
            return Err(invalid(&format!("the digest of {what} does not match")));
        }
    }
    if !document_done || !properties_done {
        return Err(invalid(
            "the signature must reference both the document (URI=\"\") and SignedProperties",
        ));
    }

    Ok(())
}

/// The signature value over the canonical SignedInfo, with the certificate's key.
fn verify_signature_value(
    parts: &SignatureParts,
    certificate: &Certificate,
) -> Result<SignatureAlgorithm, Rejection> {
    let signed_info =
        c14n::canonicalize(parts.signed_info, None, parts.c14n).map_err(|e| invalid(&e))?;
    let spki_der = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| {
            cert_problem(
                CertificateProblem::Invalid,
                "the certificate's public key cannot be read",
            )
        })?;
    let algorithm = match parts.signature_method.as_str() {
        RSA_SHA256 => {
            let key = RsaPublicKey::from_public_key_der(&spki_der).map_err(|_| {
                invalid("the signature method is RSA but the certificate key is not")
            })?;
            if key.size() * 8 < 2048 {
                return Err(cert_problem(
                    CertificateProblem::Invalid,
                    "the certificate's RSA key is shorter than 2048 bits",
                ));
            }
            key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signed_info.as_bytes()),
                &parts.signature_value,
            )
            .map_err(|_| invalid("the signature value does not verify"))?;
            SignatureAlgorithm::RsaSha256
        }
        ECDSA_SHA256 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der).map_err(|_| {
                invalid("the signature method is ECDSA but the certificate key is not on P-256")
            })?;
            let value =
                p256::ecdsa::Signature::from_slice(&parts.signature_value).map_err(|_| {
                    invalid("the ECDSA signature value must be R||S, 64 bytes (not DER)")
                })?;
            use p256::ecdsa::signature::Verifier;
            key.verify(signed_info.as_bytes(), &value)
                .map_err(|_| invalid("the signature value does not verify"))?;
            SignatureAlgorithm::EcdsaP256Sha256
        }
        other => return Err(invalid(&format!("unsupported signature method {other}"))),
    };
    Ok(algorithm)
}

/// Verifies and checks the challenge and, when given, the context (`kind`, `value`).
pub fn verify_auth_request(
    body: &[u8],
    ca_der: &[u8],
    now: DateTime<Utc>,
    challenge: &str,
    context: Option<(&str, &str)>,
) -> Result<VerifiedAuthRequest, Rejection> {
    let verified = verify_signed_request(body, ca_der, now)?;
    verified.check(challenge, context)?;
    Ok(verified)
}

fn invalid(detail: &str) -> Rejection {
    Rejection::InvalidSignature(detail.to_string())
}

fn is(node: Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == name
}

/// XPath Filter 2.0: with the single filter `subtract /descendant::ds:Signature` it
/// removes every signature, which for a one-signature document is what the
/// enveloped-signature transform does (ETSI EN 319 132-1 recommends it).
const FILTER2: &str = "http://www.w3.org/2002/06/xmldsig-filter2";
/// Marker in a reference's transform list for that one accepted filter.
const FILTER2_SUBTRACT_SIGNATURE: &str = "filter2:subtract:/descendant::ds:Signature";

fn removes_signature(transform: &str) -> bool {
    transform == ENVELOPED || transform == FILTER2_SUBTRACT_SIGNATURE
}

fn is_subtract_signature(parameters: &[Node]) -> bool {
    let [xpath] = parameters else { return false };
    is(*xpath, FILTER2, "XPath")
        && xpath.attribute("Filter") == Some("subtract")
        && text_of(*xpath) == "/descendant::ds:Signature"
        && xpath.lookup_namespace_uri(Some("ds")) == Some(DSIG_NS)
}

/// Element children, refusing non-whitespace text between them.
fn element_children<'a, 'i>(node: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, String> {
    let mut out = Vec::new();
    for child in node.children() {
        if child.is_element() {
            out.push(child);
        } else if child.is_text() && !child.text().unwrap_or("").trim().is_empty() {
            return Err(format!("unexpected text in {}", node.tag_name().name()));
        }
    }
    Ok(out)
}

fn text_of(node: Node) -> String {
    node.text().unwrap_or("").trim().to_string()
}

struct RequestFields {
    challenge: String,
    context: SignedContext,
    subject_identifier_type: String,
}

fn read_request(root: Node, signature: Node) -> Result<RequestFields, Rejection> {
    let schema = Rejection::Schema;
    let children = element_children(root).map_err(schema)?;
    let mut fields = children.iter().filter(|c| c.id() != signature.id());
    let mut next = |name: &str| -> Result<Node, Rejection> {
        match fields.next() {
            Some(n) if is(*n, AUTH_NS, name) => Ok(*n),
            _ => Err(Rejection::Schema(format!(
                "AuthTokenRequest: {name} expected"
            ))),
        }
    };
    let challenge = text_of(next("Challenge")?);
    let context_node = next("ContextIdentifier")?;
    let subject = text_of(next("SubjectIdentifierType")?);
    if let Some(extra) = fields.next()
        && (!is(*extra, AUTH_NS, "AuthorizationPolicy") || fields.next().is_some())
    {
        return Err(Rejection::Schema(format!(
            "AuthTokenRequest: unexpected element {}",
            extra.tag_name().name()
        )));
    }
    if challenge.len() != 36 {
        return Err(Rejection::Schema(
            "Challenge must have 36 characters".into(),
        ));
    }
    let context = match element_children(context_node).map_err(schema)?.as_slice() {
        [one]
            if one.tag_name().namespace() == Some(AUTH_NS)
                && matches!(one.tag_name().name(), "Nip" | "InternalId" | "NipVatUe") =>
        {
            SignedContext {
                kind: one.tag_name().name().to_string(),
                value: text_of(*one),
            }
        }
        _ => {
            return Err(Rejection::Schema(
                "ContextIdentifier must hold one of Nip, InternalId, NipVatUe".into(),
            ));
        }
    };
    if subject != "certificateSubject" && subject != "certificateFingerprint" {
        return Err(Rejection::Schema(
            "SubjectIdentifierType must be certificateSubject or certificateFingerprint".into(),
        ));
    }
    Ok(RequestFields {
        challenge,
        context,
        subject_identifier_type: subject,
    })
}

/// The element with attribute `Id` = `id`; refuses duplicates (signature wrapping).
fn unique_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Result<Node<'a, 'i>, Rejection> {
    let found: Vec<Node> = doc
        .descendants()
        .filter(|n| n.is_element() && n.attribute("Id") == Some(id))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(invalid(&format!("no element has Id '{id}'"))),
        _ => Err(invalid(&format!("Id '{id}' is not unique"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xades::certificate::number_after;

    #[test]
    fn subject_numbers_follow_the_ksef_patterns() {
        assert_eq!(
            number_after("PNOPL-85010112345", &["PNOPL", "PESEL"], 11).as_deref(),
            Some("85010112345")
        );
        assert_eq!(
            number_after("VATPL-5265877635", &["VATPL"], 10).as_deref(),
            Some("5265877635")
        );
        assert_eq!(number_after("IDCPL-123", &["PNOPL"], 11), None);
    }

    #[test]
    fn rejections_map_to_the_contract_answers() {
        assert_eq!(
            cert_problem(CertificateProblem::Untrusted, "x").answer(),
            Answer::Status {
                code: 460,
                description: "Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu",
                detail: "Niezaufany łańcuch certyfikatów",
            }
        );
        assert!(matches!(
            Rejection::InvalidSignature("x".into()).answer(),
            Answer::BadRequest { code: 9105, .. }
        ));
        assert!(matches!(
            Rejection::NoSignature.answer(),
            Answer::BadRequest { code: 9102, .. }
        ));
    }

    #[test]
    fn a_document_without_signature_is_refused() {
        let xml = "<AuthTokenRequest xmlns=\"http://ksef.mf.gov.pl/auth/token/2.0\"><Challenge>20250625-CR-20F5EE4000-DA48AE4124-46</Challenge><ContextIdentifier><Nip>5265877635</Nip></ContextIdentifier><SubjectIdentifierType>certificateSubject</SubjectIdentifierType></AuthTokenRequest>";
        assert_eq!(
            verify_signed_request(xml.as_bytes(), b"", Utc::now()),
            Err(Rejection::NoSignature)
        );
        assert!(matches!(
            verify_signed_request(b"<a><b></a>", b"", Utc::now()),
            Err(Rejection::Unreadable(_))
        ));
    }
}
