//! The parts of a `ds:Signature` as read from the document: SignedInfo, references,
//! the signature value, KeyInfo and the XAdES SignedProperties.

use super::*;

pub(super) struct ReferenceParts {
    pub(super) uri: String,
    pub(super) kind: Option<String>,
    pub(super) transforms: Vec<String>,
    pub(super) digest: Vec<u8>,
}

pub(super) struct SignatureParts<'a, 'i> {
    pub(super) signed_info: Node<'a, 'i>,
    pub(super) c14n: C14nMethod,
    pub(super) signature_method: String,
    pub(super) references: Vec<ReferenceParts>,
    pub(super) signature_value: Vec<u8>,
    pub(super) certificates: Vec<Vec<u8>>,
    pub(super) signed_properties: Node<'a, 'i>,
    pub(super) signed_properties_id: String,
    pub(super) cert_digest: Vec<u8>,
    pub(super) issuer_serial: Option<String>,
    pub(super) signing_time: Option<DateTime<Utc>>,
}

pub(super) fn b64(node: Node, what: &str) -> Result<Vec<u8>, Rejection> {
    let compact: String = node
        .text()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD
        .decode(compact)
        .map_err(|_| invalid(&format!("{what} is not Base64")))
}

pub(super) fn child<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &str,
    name: &str,
) -> Result<Node<'a, 'i>, Rejection> {
    let found: Vec<_> = node.children().filter(|c| is(*c, ns, name)).collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(invalid(&format!(
            "{} has no {name}",
            node.tag_name().name()
        ))),
        _ => Err(invalid(&format!(
            "{} has more than one {name}",
            node.tag_name().name()
        ))),
    }
}

pub(super) fn algorithm(node: Node) -> String {
    node.attribute("Algorithm").unwrap_or("").to_string()
}

impl<'a, 'i> SignatureParts<'a, 'i> {
    pub(super) fn read(signature: Node<'a, 'i>) -> Result<SignatureParts<'a, 'i>, Rejection> {
        let signed_info = child(signature, DSIG_NS, "SignedInfo")?;
        let c14n_uri = algorithm(child(signed_info, DSIG_NS, "CanonicalizationMethod")?);
        let c14n = C14nMethod::from_uri(&c14n_uri)
            .ok_or_else(|| invalid(&format!("unsupported canonicalization {c14n_uri}")))?;
        let signature_method = algorithm(child(signed_info, DSIG_NS, "SignatureMethod")?);
        for el in element_children(signed_info).map_err(|e| invalid(&e))? {
            if !(is(el, DSIG_NS, "CanonicalizationMethod")
                || is(el, DSIG_NS, "SignatureMethod")
                || is(el, DSIG_NS, "Reference"))
            {
                return Err(invalid("SignedInfo holds an unexpected element"));
            }
        }
        let mut references = Vec::new();
        for reference in signed_info
            .children()
            .filter(|c| is(*c, DSIG_NS, "Reference"))
        {
            let uri = reference
                .attribute("URI")
                .ok_or_else(|| invalid("a Reference has no URI"))?
                .to_string();
            let transforms = match reference.children().find(|c| is(*c, DSIG_NS, "Transforms")) {
                None => Vec::new(),
                Some(t) => {
                    let mut list = Vec::new();
                    for tr in element_children(t).map_err(|e| invalid(&e))? {
                        let parameters = element_children(tr).map_err(|e| invalid(&e))?;
                        if !is(tr, DSIG_NS, "Transform") {
                            return Err(invalid("Transforms holds an unexpected element"));
                        }
                        if algorithm(tr) == FILTER2 && is_subtract_signature(&parameters) {
                            list.push(FILTER2_SUBTRACT_SIGNATURE.to_string());
                        } else if parameters.is_empty() {
                            list.push(algorithm(tr));
                        } else {
                            return Err(invalid(
                                "Transforms: only parameterless transforms and the XPath Filter 2.0 \
                                 `subtract /descendant::ds:Signature` are supported",
                            ));
                        }
                    }
                    list
                }
            };
            if algorithm(child(reference, DSIG_NS, "DigestMethod")?) != SHA256_URI {
                return Err(invalid("every reference must use SHA-256"));
            }
            references.push(ReferenceParts {
                uri,
                kind: reference.attribute("Type").map(str::to_string),
                transforms,
                digest: b64(child(reference, DSIG_NS, "DigestValue")?, "DigestValue")?,
            });
        }
        let signature_value = b64(
            child(signature, DSIG_NS, "SignatureValue")?,
            "SignatureValue",
        )?;
        let key_info = child(signature, DSIG_NS, "KeyInfo")?;
        let x509_data = child(key_info, DSIG_NS, "X509Data")?;
        let certificates = x509_data
            .children()
            .filter(|c| is(*c, DSIG_NS, "X509Certificate"))
            .map(|c| b64(c, "X509Certificate"))
            .collect::<Result<Vec<_>, _>>()?;

        // Object / QualifyingProperties / SignedProperties.
        let qualifying: Vec<Node> = signature
            .children()
            .filter(|c| is(*c, DSIG_NS, "Object"))
            .flat_map(|o| {
                o.children()
                    .filter(|c| is(*c, XADES_NS, "QualifyingProperties"))
            })
            .collect();
        let [qualifying] = qualifying.as_slice() else {
            return Err(invalid(
                "the signature needs exactly one xades:QualifyingProperties",
            ));
        };
        if let Some(id) = signature.attribute("Id")
            && qualifying.attribute("Target") != Some(&format!("#{id}"))
        {
            return Err(invalid(
                "QualifyingProperties Target does not name this signature",
            ));
        }
        let signed_properties = child(*qualifying, XADES_NS, "SignedProperties")?;
        let signed_properties_id = signed_properties
            .attribute("Id")
            .ok_or_else(|| invalid("SignedProperties has no Id"))?
            .to_string();
        let sig_props = child(signed_properties, XADES_NS, "SignedSignatureProperties")?;
        let signing_time = sig_props
            .children()
            .find(|c| is(*c, XADES_NS, "SigningTime"))
            .and_then(|t| DateTime::parse_from_rfc3339(&text_of(t)).ok())
            .map(|t| t.with_timezone(&Utc));
        let cert = child(
            child(sig_props, XADES_NS, "SigningCertificate")?,
            XADES_NS,
            "Cert",
        )?;
        let digest = child(cert, XADES_NS, "CertDigest")?;
        if algorithm(child(digest, DSIG_NS, "DigestMethod")?) != SHA256_URI {
            return Err(invalid("SigningCertificate must use a SHA-256 CertDigest"));
        }
        let cert_digest = b64(child(digest, DSIG_NS, "DigestValue")?, "CertDigest")?;
        let issuer_serial = cert
            .children()
            .find(|c| is(*c, XADES_NS, "IssuerSerial"))
            .and_then(|is_| is_.children().find(|c| is(*c, DSIG_NS, "X509SerialNumber")))
            .map(text_of);
        Ok(SignatureParts {
            signed_info,
            c14n,
            signature_method,
            references,
            signature_value,
            certificates,
            signed_properties,
            signed_properties_id,
            cert_digest,
            issuer_serial,
            signing_time,
        })
    }
}
