//! A match before it is located ([`Hit`]): the rule's check on one capture, and overlapping
//! matches reduced to one.

use ksef_model::Confidence;
use ksef_model::Severity;
use ksef_model::reference_check_ok;
use ksef_model::validate_nip;
use ksef_rules::leak::SecretCheck;

use super::context;
use super::placeholder;

/// A match before it is located: offsets into the buffer that was matched.
pub(super) struct Hit {
    pub(super) rule: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) secret: String,
    pub(super) reference: Option<String>,
    pub(super) nip: Option<String>,
    pub(super) context: Option<String>,
    pub(super) confidence: Confidence,
    pub(super) url_encoded: bool,
    /// Dropped as a placeholder, and why (counted, never reported as a finding).
    pub(super) placeholder: Option<&'static str>,
    /// Shown instead of the redacted secret (a certificate key: serial, subject, validity).
    pub(super) detail: Option<String>,
    /// Replaces the rule's severity (a key of a TEST or DEMO certificate, a password that
    /// opens a key).
    pub(super) severity: Option<Severity>,
    /// A password literal too weak to report unless it opens a key of the same scan.
    pub(super) weak_password: bool,
    /// A key opened with the password at this index of those given.
    pub(super) opened_with: Option<usize>,
}

impl Hit {
    /// A hit of `rule` at `start..end` with nothing else known yet.
    pub(super) fn at(rule: usize, start: usize, end: usize) -> Hit {
        Hit {
            rule,
            start,
            end,
            secret: String::new(),
            reference: None,
            nip: None,
            context: None,
            confidence: Confidence::Medium,
            url_encoded: false,
            placeholder: None,
            detail: None,
            severity: None,
            weak_password: false,
            opened_with: None,
        }
    }
}

/// Applies the rule's check and the placeholder filter to one capture.
pub(super) fn check_match(
    rule: usize,
    check: SecretCheck,
    start: usize,
    end: usize,
    raw: &[u8],
) -> Option<Hit> {
    let raw = std::str::from_utf8(raw).ok()?;
    let mut hit = Hit::at(rule, start, end);
    match check {
        SecretCheck::KsefV2 => {
            let url_encoded = raw.contains('%');
            let token = if url_encoded {
                raw.replace("%7C", "|").replace("%7c", "|")
            } else {
                raw.to_string()
            };
            let mut parts = token.splitn(3, '|');
            let (reference, context, secret) = (parts.next()?, parts.next()?, parts.next()?);
            let nip = context
                .strip_prefix("nip-")
                .or_else(|| {
                    context
                        .strip_prefix("internalId-")
                        .map(|r| &r[..r.len().min(10)])
                })?
                .to_string();
            let reference_ok = reference_check_ok(reference);
            hit.placeholder =
                placeholder::v2_placeholder_reason(reference, &nip, secret, reference_ok);
            let signals = u8::from(reference_ok) + u8::from(validate_nip(&nip).is_ok());
            hit.confidence = match signals {
                2 => Confidence::High,
                1 => Confidence::Medium,
                _ => Confidence::Low,
            };
            hit.reference = Some(reference.to_string());
            hit.context = Some(context.to_string());
            hit.nip = Some(nip);
            hit.url_encoded = url_encoded;
            hit.secret = token;
        }
        SecretCheck::KsefCertificateKey | SecretCheck::KeyPassword => return None,
        SecretCheck::NotAllHex | SecretCheck::None => {
            if check == SecretCheck::NotAllHex && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            if check == SecretCheck::NotAllHex && context::is_camel_case_words(raw) {
                return None;
            }
            hit.placeholder = placeholder::placeholder_reason(raw).or_else(|| {
                placeholder::is_documentation_secret(raw).then_some("documentation example")
            });
            hit.secret = raw.to_string();
        }
    }
    Some(hit)
}

/// Overlapping matches keep the earliest, longest one.
pub(super) fn dedupe(hits: &mut Vec<Hit>) {
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut last_end = 0;
    let mut first = true;
    hits.retain(|h| {
        if first || h.start >= last_end {
            first = false;
            last_end = h.end;
            true
        } else {
            false
        }
    });
}
