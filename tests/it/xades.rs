//! XAdES sign-in documents: credentials load from files, the signed `AuthTokenRequest`
//! passes the simulator's verifier (RSA and ECDSA), tampering and foreign CAs fail,
//! and two independent implementations (xmlsec1, Python signxml) accept it.
//!
//! The external verifiers are installed by `scripts/install-test-tools.sh`. Without
//! them the external tests print a note and pass, except under `CI=true`, where a
//! missing verifier fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{Duration, Utc};
use ksef_client::keys::KeyError;
use ksef_client::keys::SigningCredential;
use ksef_client::keys::load_pem_credential;
use ksef_client::keys::load_pkcs12_credential;
use ksef_client::xades::AuthTokenRequest;
use ksef_client::xades::ContextIdentifier;
use ksef_client::xades::SignedRequest;
use ksef_client::xades::SubjectIdentifierType;
use ksef_client::xades::sign_auth_token_request;
use ksef_model::Secret;
use ksef_sim::ca::CertSubject;
use ksef_sim::ca::IssuedCertificate;
use ksef_sim::ca::KeyKind;
use ksef_sim::ca::ScenarioCa;
use ksef_sim::xades::Answer;
use ksef_sim::xades::CertificateProblem;
use ksef_sim::xades::Rejection;
use ksef_sim::xades::SignatureAlgorithm;
use ksef_sim::xades::verify_auth_request;
use ksef_sim::xades::verify_signed_request;

const CHALLENGE: &str = "20250625-CR-20F5EE4000-DA48AE4124-46";
const NIP: &str = "5265877635";
const PESEL: &str = "85010112345";

struct Scenario {
    ca: ScenarioCa,
    person_rsa: IssuedCertificate,
    firm_ec: IssuedCertificate,
    foreign_ca: ScenarioCa,
    foreign_ec: IssuedCertificate,
}

fn person() -> CertSubject {
    CertSubject::Person {
        pesel: PESEL.into(),
        given_name: "Jan".into(),
        surname: "Kowalski".into(),
        common_name: "Jan Kowalski".into(),
    }
}

fn firm() -> CertSubject {
    CertSubject::Firm {
        nip: NIP.into(),
        organization: "Kowalski & Syn sp. z o.o.".into(),
        common_name: "Kowalski <seal>".into(),
    }
}

/// One CA and its certificates per test binary (RSA key generation is slow).
fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let ca = ScenarioCa::generate("Scenario CA", KeyKind::Rsa2048).expect("ca");
        let foreign_ca = ScenarioCa::generate("Foreign CA", KeyKind::P256).expect("foreign ca");
        Scenario {
            person_rsa: ca
                .issue_for_two_years(&person(), KeyKind::Rsa2048)
                .expect("person"),
            firm_ec: ca
                .issue_for_two_years(&firm(), KeyKind::P256)
                .expect("firm"),
            foreign_ec: foreign_ca
                .issue_for_two_years(&firm(), KeyKind::P256)
                .expect("foreign"),
            ca,
            foreign_ca,
        }
    })
}

fn write_private(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

/// Writes the certificate and its key as PEM files and loads them back.
fn credential(dir: &Path, issued: &IssuedCertificate) -> SigningCredential {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, issued.certificate_pem()).expect("write cert");
    write_private(&key, issued.key_pkcs8_pem().as_bytes());
    load_pem_credential(&cert, &key, None, NIP).expect("credential loads")
}

fn request(subject: SubjectIdentifierType) -> AuthTokenRequest {
    AuthTokenRequest::new(CHALLENGE, ContextIdentifier::Nip(NIP.into()), subject).expect("request")
}

fn signed(issued: &IssuedCertificate) -> SignedRequest {
    let dir = tempfile::tempdir().expect("tempdir");
    let credential = credential(dir.path(), issued);
    sign_auth_token_request(
        &request(SubjectIdentifierType::CertificateSubject),
        &credential,
        Utc::now() - Duration::minutes(1),
    )
    .expect("sign")
}

#[test]
fn rsa_signed_request_passes_the_simulator_verifier() {
    let s = scenario();
    let signed = signed(&s.person_rsa);
    let verified = verify_auth_request(
        signed.xml.as_bytes(),
        s.ca.certificate_der(),
        Utc::now(),
        CHALLENGE,
        Some(("Nip", NIP)),
    )
    .expect("verifies");
    assert_eq!(verified.algorithm, SignatureAlgorithm::RsaSha256);
    assert_eq!(verified.signer.pesel.as_deref(), Some(PESEL));
    assert_eq!(verified.signer.serial_hex, s.person_rsa.serial_hex);
    assert_eq!(verified.subject_identifier_type, "certificateSubject");
    assert!(verified.signing_time.is_some());
    // A person reads Debug output: the PESEL is masked there.
    assert!(!format!("{verified:?}").contains(PESEL));
}

#[test]
fn ecdsa_signed_request_passes_with_a_raw_64_byte_signature_value() {
    let s = scenario();
    let signed = signed(&s.firm_ec);
    let verified = verify_signed_request(signed.xml.as_bytes(), s.ca.certificate_der(), Utc::now())
        .expect("verifies");
    assert_eq!(verified.algorithm, SignatureAlgorithm::EcdsaP256Sha256);
    assert_eq!(verified.signer.nip.as_deref(), Some(NIP));
    let value = between(&signed.xml, "<ds:SignatureValue>", "</ds:SignatureValue>");
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(value)
        .expect("base64");
    assert_eq!(raw.len(), 64, "R||S, not DER");
}

#[test]
fn digested_parts_appear_verbatim_in_the_document() {
    let signed = signed(&scenario().firm_ec);
    assert!(signed.xml.contains(&signed.signed_info_c14n));
    assert!(signed.xml.contains(&signed.signed_properties_c14n));
    let without_signature = {
        let start = signed.xml.find("<ds:Signature ").expect("signature");
        let end = signed.xml.find("</ds:Signature>").expect("end") + "</ds:Signature>".len();
        format!("{}{}", &signed.xml[..start], &signed.xml[end..])
    };
    assert!(without_signature.ends_with(&signed.document_c14n));
    for needle in [
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform>",
        "<ds:Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#SignedProperties\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
        "ecdsa-sha256",
        "<xades:IssuerSerial>",
    ] {
        assert!(signed.xml.contains(needle), "missing {needle}");
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).expect("start") + start.len();
    let to = from + s[from..].find(end).expect("end");
    &s[from..to]
}

#[test]
fn tampered_documents_are_refused_with_9105() {
    let s = scenario();
    let signed = signed(&s.firm_ec);
    let ca = s.ca.certificate_der();
    let cases = [
        // The context the document signs in to.
        signed
            .xml
            .replace(&format!("<Nip>{NIP}</Nip>"), "<Nip>7762811692</Nip>"),
        // A signed property.
        signed
            .xml
            .replace("<xades:SigningTime>", "<xades:SigningTime>1"),
        // SignedInfo (the first digest value).
        signed
            .xml
            .replacen("<ds:DigestValue>", "<ds:DigestValue>AAAA", 1),
    ];
    for (i, xml) in cases.iter().enumerate() {
        assert_ne!(xml, &signed.xml, "case {i} changed nothing");
        let err = verify_signed_request(xml.as_bytes(), ca, Utc::now()).expect_err("tampered");
        assert!(
            matches!(err.answer(), Answer::BadRequest { code: 9105, .. }),
            "case {i}: {err:?}"
        );
    }
}

#[test]
fn certificate_from_a_foreign_ca_ends_in_status_460() {
    let s = scenario();
    let signed = signed(&s.foreign_ec);
    let err = verify_signed_request(signed.xml.as_bytes(), s.ca.certificate_der(), Utc::now())
        .expect_err("foreign CA");
    assert!(
        matches!(
            err,
            Rejection::Certificate {
                problem: CertificateProblem::Untrusted,
                ..
            }
        ),
        "{err:?}"
    );
    assert_status_460(&err, "Niezaufany łańcuch certyfikatów");
    // The same document is fine for the CA that issued it.
    verify_signed_request(
        signed.xml.as_bytes(),
        s.foreign_ca.certificate_der(),
        Utc::now(),
    )
    .expect("its own CA");
}

#[test]
fn certificate_from_a_ca_impostor_fails_the_chain_check() {
    // Same CA name as the trusted one, different key.
    let impostor = ScenarioCa::generate("Scenario CA", KeyKind::P256).expect("impostor");
    let issued = impostor
        .issue_for_two_years(&firm(), KeyKind::P256)
        .expect("issue");
    let err = verify_signed_request(
        signed(&issued).xml.as_bytes(),
        scenario().ca.certificate_der(),
        Utc::now(),
    )
    .expect_err("impostor");
    assert_status_460(&err, "Błąd weryfikacji łańcucha certyfikatów");
}

/// The sign-in ends with status 460 and the contract's `details` line.
fn assert_status_460(err: &Rejection, detail: &str) {
    match err.answer() {
        Answer::Status {
            code: 460,
            detail: d,
            ..
        } => assert_eq!(d, detail),
        other => panic!("expected status 460, got {other:?} for {err:?}"),
    }
}

#[test]
fn expired_certificate_ends_in_status_460() {
    let s = scenario();
    let signed = signed(&s.firm_ec);
    let err = verify_signed_request(
        signed.xml.as_bytes(),
        s.ca.certificate_der(),
        Utc::now() + Duration::days(800),
    )
    .expect_err("expired");
    assert_eq!(
        err,
        Rejection::Certificate {
            problem: CertificateProblem::Invalid,
            detail: "the certificate has expired".into()
        }
    );
    assert_status_460(&err, "Nieważny certyfikat");
}

#[test]
fn wrong_challenge_or_context_is_refused() {
    let s = scenario();
    let signed = signed(&s.firm_ec);
    let ca = s.ca.certificate_der();
    let other = "20250625-CR-20F5EE4000-DA48AE4124-47";
    assert_eq!(
        verify_auth_request(signed.xml.as_bytes(), ca, Utc::now(), other, None),
        Err(Rejection::Challenge)
    );
    let err = verify_auth_request(
        signed.xml.as_bytes(),
        ca,
        Utc::now(),
        CHALLENGE,
        Some(("Nip", "7762811692")),
    )
    .expect_err("other context");
    assert!(matches!(err.answer(), Answer::Status { code: 415, .. }));
}

#[test]
fn signatures_wrapped_twice_are_refused() {
    let s = scenario();
    let signed = signed(&s.firm_ec);
    let sig_start = signed.xml.find("<ds:Signature ").expect("sig");
    let sig_end = signed.xml.find("</AuthTokenRequest>").expect("end");
    let signature = &signed.xml[sig_start..sig_end];
    let doubled = signed.xml.replace(
        "</AuthTokenRequest>",
        &format!("{signature}</AuthTokenRequest>"),
    );
    assert_eq!(
        verify_signed_request(doubled.as_bytes(), s.ca.certificate_der(), Utc::now()),
        Err(Rejection::TooManySignatures)
    );
}

// --- credentials -------------------------------------------------------------

#[test]
fn encrypted_pkcs8_key_needs_the_right_password() {
    use pkcs8::der::pem::LineEnding;
    let s = scenario();
    let dir = tempfile::tempdir().expect("tempdir");
    let info = pkcs8::PrivateKeyInfo::try_from(s.firm_ec.key_pkcs8_der()).expect("pkcs8");
    // PBES2 with PBKDF2-SHA256 and AES-256-CBC, as `openssl pkcs8 -topk8 -v2 aes-256-cbc`
    // writes it (few iterations: the test runs unoptimised).
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(
        2048,
        b"saltsaltsaltsalt",
        b"iv-iv-iv-iv-iv-i",
    )
    .expect("params");
    let encrypted = info
        .encrypt_with_params(params, "correct horse")
        .expect("encrypt");
    let pem = encrypted
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .expect("pem");
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, s.firm_ec.certificate_pem()).expect("cert");
    write_private(&key, pem.as_bytes());

    let err = load_pem_credential(&cert, &key, None, NIP).expect_err("no password");
    assert!(matches!(err, KeyError::PasswordMissing { .. }));
    let msg = err.to_string();
    assert!(msg.contains("KSEF_KEY_PASSWORD_5265877635"), "{msg}");

    let wrong = Secret::new("wrong");
    let err = load_pem_credential(&cert, &key, Some(&wrong), NIP).expect_err("wrong");
    assert!(matches!(err, KeyError::WrongPassword { .. }), "{err}");
    assert!(
        !err.to_string().contains("wrong\n"),
        "the password never appears"
    );

    let right = Secret::new("correct horse");
    let credential = load_pem_credential(&cert, &key, Some(&right), NIP).expect("loads");
    assert_eq!(credential.serial_hex(), s.firm_ec.serial_hex);
    let debug = format!("{credential:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert!(!debug.contains("correct horse"));
}

#[test]
fn certificate_may_be_der_or_a_pem_chain() {
    let s = scenario();
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("key.pem");
    write_private(&key, s.firm_ec.key_pkcs8_pem().as_bytes());
    let der = dir.path().join("cert.cer");
    std::fs::write(&der, &s.firm_ec.certificate_der).expect("der");
    let chain = dir.path().join("chain.pem");
    std::fs::write(
        &chain,
        format!("{}{}", s.ca.certificate_pem(), s.firm_ec.certificate_pem()),
    )
    .expect("chain");
    for cert in [der, chain] {
        let credential = load_pem_credential(&cert, &key, None, NIP).expect("loads");
        assert_eq!(
            credential.certificate_der(),
            s.firm_ec.certificate_der.as_slice()
        );
    }
}

#[test]
fn key_of_another_certificate_is_refused() {
    let s = scenario();
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, s.firm_ec.certificate_pem()).expect("cert");
    write_private(&key, s.foreign_ec.key_pkcs8_pem().as_bytes());
    let err = load_pem_credential(&cert, &key, None, NIP).expect_err("mismatch");
    assert!(matches!(err, KeyError::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("does not belong"), "{err}");
}

#[cfg(unix)]
#[test]
fn key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let s = scenario();
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, s.firm_ec.certificate_pem()).expect("cert");
    std::fs::write(&key, s.firm_ec.key_pkcs8_pem().as_bytes()).expect("key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let msg = load_pem_credential(&cert, &key, None, NIP)
        .expect_err("640")
        .to_string();
    assert!(msg.contains("chmod 600"), "{msg}");
}

fn pkcs12(issued: &IssuedCertificate, password: &str) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
    let mut store = KeyStore::new();
    let cert = Certificate::from_der(&issued.certificate_der).expect("cert");
    store.add_entry(
        "ksef",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
            issued.key_pkcs8_der(),
            [1u8, 2, 3, 4],
            [cert],
        )),
    );
    store.writer(password).write().expect("p12")
}

#[test]
fn pkcs12_bundle_loads_and_signs() {
    let s = scenario();
    for issued in [&s.person_rsa, &s.firm_ec] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ksef.p12");
        write_private(&path, &pkcs12(issued, "p12 pass"));
        let err = load_pkcs12_credential(&path, Some(&Secret::new("nope")), NIP)
            .expect_err("wrong password");
        assert!(matches!(err, KeyError::WrongPassword { .. }), "{err}");
        let credential =
            load_pkcs12_credential(&path, Some(&Secret::new("p12 pass")), NIP).expect("loads");
        let signed = sign_auth_token_request(
            &request(SubjectIdentifierType::CertificateFingerprint),
            &credential,
            Utc::now(),
        )
        .expect("sign");
        let verified =
            verify_signed_request(signed.xml.as_bytes(), s.ca.certificate_der(), Utc::now())
                .expect("verifies");
        assert_eq!(verified.signer.fingerprint, credential.fingerprint_sha256());
    }
}

// --- independent verifiers ------------------------------------------------------

/// `Some(note)` when the tool is missing: fails under CI=true, otherwise prints the note.
fn tool_missing(name: &str, probe: &mut Command) -> bool {
    let present = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if present {
        return false;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !ci,
        "{name} is missing under CI=true: run scripts/install-test-tools.sh"
    );
    eprintln!(
        "note: {name} is not installed; skipping (scripts/install-test-tools.sh installs it)"
    );
    true
}

struct Files {
    _dir: tempfile::TempDir,
    signed: PathBuf,
    ca: PathBuf,
}

fn files(issued: &IssuedCertificate) -> Files {
    write_files(&signed(issued).xml)
}

fn xmlsec_verify(f: &Files) -> std::process::Output {
    Command::new("xmlsec1")
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(&f.ca)
        .arg("--id-attr:Id")
        .arg("http://uri.etsi.org/01903/v1.3.2#:SignedProperties")
        .arg(&f.signed)
        .output()
        .expect("xmlsec1 runs")
}

/// Runs `verify` on our RSA and ECDSA documents (must pass, `accepted` says how it
/// reports success) and on a copy changed by `tamper` (must fail).
fn external_round_trip(
    name: &str,
    verify: fn(&Files) -> std::process::Output,
    accepted: fn(&std::process::Output) -> bool,
    tamper: fn(&str) -> String,
) {
    for issued in [&scenario().person_rsa, &scenario().firm_ec] {
        let f = files(issued);
        let out = verify(&f);
        assert!(
            out.status.success() && accepted(&out),
            "{name} refused the document:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // A tampered copy must fail, or the check proves nothing.
        let text = std::fs::read_to_string(&f.signed).expect("read");
        std::fs::write(&f.signed, tamper(&text)).expect("write");
        assert!(
            !verify(&f).status.success(),
            "{name} accepted a tampered document"
        );
    }
}

#[test]
fn xmlsec1_verifies_rsa_and_ecdsa_documents() {
    if tool_missing("xmlsec1", Command::new("xmlsec1").arg("--version")) {
        return;
    }
    external_round_trip(
        "xmlsec1",
        xmlsec_verify,
        |out| String::from_utf8_lossy(&out.stderr).contains("OK"),
        |text| text.replace(CHALLENGE, &CHALLENGE.replace("46", "47")),
    );
}

const SIGNXML_SCRIPT: &str = r#"
import sys
from signxml.xades import XAdESVerifier, XAdESSignatureConfiguration
from signxml import SignatureMethod
data = open(sys.argv[1], "rb").read()
config = XAdESSignatureConfiguration(
    expect_references=2,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
)
results = XAdESVerifier().verify(data, ca_pem_file=sys.argv[2], expect_config=config)
print(len(results), "references verified")
"#;

fn signxml_verify(f: &Files) -> std::process::Output {
    Command::new("python3")
        .arg("-c")
        .arg(SIGNXML_SCRIPT)
        .arg(&f.signed)
        .arg(&f.ca)
        .output()
        .expect("python3 runs")
}

/// signxml also checks the XAdES SigningCertificate digest against the certificate.
#[test]
fn signxml_verifies_the_xades_properties_too() {
    if tool_missing(
        "python3 with signxml",
        Command::new("python3").args(["-c", "import signxml.xades"]),
    ) {
        return;
    }
    external_round_trip(
        "signxml",
        signxml_verify,
        |out| String::from_utf8_lossy(&out.stdout).trim() == "2 references verified",
        |text| text.replace("<xades:SigningTime>", "<xades:SigningTime>1"),
    );
}

// --- the official C# client's shape --------------------------------------------

/// A document shaped like the one .NET `SignedXml` writes for the official C# client:
/// pretty-printed request with `xsi`/`xsd` declarations, `Signature` in the default
/// namespace, `SignedInfo` under inclusive c14n (so the root's namespaces are part of
/// it), `QualifyingProperties` redeclaring the default namespace. Digests come from the
/// simulator's canonicaliser; xmlsec1 then checks that they agree with its own.
fn dotnet_shaped(issued: &IssuedCertificate, document_transforms: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use ksef_sim::xades::C14nMethod;
    use ksef_sim::xades::canonicalize;
    use p256::pkcs8::DecodePrivateKey;
    use sha2::{Digest, Sha256};
    use x509_cert::der::Decode;

    let cert = x509_cert::Certificate::from_der(&issued.certificate_der).expect("cert");
    let serial = rsa::BigUint::from_bytes_be(cert.tbs_certificate.serial_number.as_bytes());
    let template = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<AuthTokenRequest xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="http://ksef.mf.gov.pl/auth/token/2.0">
  <Challenge>{CHALLENGE}</Challenge>
  <ContextIdentifier>
    <Nip>{NIP}</Nip>
  </ContextIdentifier>
  <SubjectIdentifierType>certificateSubject</SubjectIdentifierType>
<Signature Id="Signature" xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" /><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" /><Reference URI=""><Transforms>{document_transforms}</Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><DigestValue>@D1@</DigestValue></Reference><Reference URI="#SignedProperties" Type="http://uri.etsi.org/01903#SignedProperties"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><DigestValue>@D2@</DigestValue></Reference></SignedInfo><SignatureValue>@SV@</SignatureValue><KeyInfo><X509Data><X509Certificate>{cert_b64}</X509Certificate></X509Data></KeyInfo><Object><xades:QualifyingProperties Target="#Signature" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" xmlns="http://www.w3.org/2000/09/xmldsig#">
  <xades:SignedProperties Id="SignedProperties">
    <xades:SignedSignatureProperties>
      <xades:SigningTime>{time}</xades:SigningTime>
      <xades:SigningCertificate>
        <xades:Cert>
          <xades:CertDigest>
            <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" />
            <DigestValue>{cert_digest}</DigestValue>
          </xades:CertDigest>
          <xades:IssuerSerial>
            <X509IssuerName>{issuer}</X509IssuerName>
            <X509SerialNumber>{serial}</X509SerialNumber>
          </xades:IssuerSerial>
        </xades:Cert>
      </xades:SigningCertificate>
    </xades:SignedSignatureProperties>
  </xades:SignedProperties>
</xades:QualifyingProperties></Object></Signature></AuthTokenRequest>"##,
        cert_b64 = STANDARD.encode(&issued.certificate_der),
        time = (Utc::now() - Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%S%.6f+00:00"),
        cert_digest = STANDARD.encode(Sha256::digest(&issued.certificate_der)),
        issuer = cert.tbs_certificate.issuer,
        serial = serial.to_str_radix(10),
    );
    let digest = |c14n: String| STANDARD.encode(Sha256::digest(c14n.as_bytes()));
    let (d1, d2) = {
        let doc = roxmltree::Document::parse(&template).expect("template");
        let root = doc.root_element();
        let signature = root.last_element_child().expect("signature");
        let properties = doc
            .descendants()
            .find(|n| n.attribute("Id") == Some("SignedProperties"))
            .expect("properties");
        (
            digest(canonicalize(root, Some(signature.id()), C14nMethod::Exclusive).expect("c14n")),
            digest(canonicalize(properties, None, C14nMethod::Exclusive).expect("c14n")),
        )
    };
    let with_digests = template.replace("@D1@", &d1).replace("@D2@", &d2);
    let signed_info = {
        let doc = roxmltree::Document::parse(&with_digests).expect("xml");
        let node = doc
            .descendants()
            .find(|n| n.tag_name().name() == "SignedInfo")
            .expect("SignedInfo");
        canonicalize(node, None, C14nMethod::Inclusive).expect("c14n")
    };
    assert!(
        signed_info.starts_with("<SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"),
        "{signed_info}"
    );
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(issued.key_pkcs8_der()).expect("key");
    use p256::ecdsa::signature::Signer;
    let value: p256::ecdsa::Signature = key.sign(signed_info.as_bytes());
    with_digests.replace("@SV@", &STANDARD.encode(value.to_bytes()))
}

const DOTNET_TRANSFORMS: &str = r#"<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" />"#;
/// The XPath Filter 2.0 form of "leave the signature out" (EN 319 132-1).
const FILTER2_TRANSFORMS: &str = r#"<Transform Algorithm="http://www.w3.org/2002/06/xmldsig-filter2"><XPath xmlns="http://www.w3.org/2002/06/xmldsig-filter2" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Filter="subtract">/descendant::ds:Signature</XPath></Transform><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" />"#;

#[test]
fn filter2_subtract_signature_is_accepted_like_the_enveloped_transform() {
    let s = scenario();
    let xml = dotnet_shaped(&s.firm_ec, FILTER2_TRANSFORMS);
    verify_signed_request(xml.as_bytes(), s.ca.certificate_der(), Utc::now())
        .expect("simulator accepts XPath Filter 2.0 subtract");
    // Any other filter is refused rather than guessed at.
    let other = dotnet_shaped(
        &s.firm_ec,
        &FILTER2_TRANSFORMS.replace("/descendant::ds:Signature", "/descendant::ds:Object"),
    );
    assert!(matches!(
        verify_signed_request(other.as_bytes(), s.ca.certificate_der(), Utc::now()),
        Err(Rejection::InvalidSignature(_))
    ));
    if tool_missing("xmlsec1", Command::new("xmlsec1").arg("--version")) {
        return;
    }
    let out = xmlsec_verify(&write_files(&xml));
    assert!(
        out.status.success(),
        "xmlsec1 refused the filter2 document:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_files(xml: &str) -> Files {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = Files {
        signed: dir.path().join("signed.xml"),
        ca: dir.path().join("ca.pem"),
        _dir: dir,
    };
    std::fs::write(&f.signed, xml).expect("write");
    std::fs::write(&f.ca, scenario().ca.certificate_pem()).expect("write");
    f
}

#[test]
fn dotnet_shaped_document_passes_the_simulator_and_xmlsec1() {
    let s = scenario();
    let xml = dotnet_shaped(&s.firm_ec, DOTNET_TRANSFORMS);
    let verified = verify_auth_request(
        xml.as_bytes(),
        s.ca.certificate_der(),
        Utc::now(),
        CHALLENGE,
        Some(("Nip", NIP)),
    )
    .expect("simulator accepts the C# client's shape");
    assert_eq!(verified.algorithm, SignatureAlgorithm::EcdsaP256Sha256);
    let tampered = xml.replace("<Nip>", "<Nip> ");
    assert!(
        verify_signed_request(tampered.as_bytes(), s.ca.certificate_der(), Utc::now()).is_err()
    );

    if tool_missing("xmlsec1", Command::new("xmlsec1").arg("--version")) {
        return;
    }
    let out = xmlsec_verify(&write_files(&xml));
    assert!(
        out.status.success(),
        "xmlsec1 disagrees with the simulator's canonical forms:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
