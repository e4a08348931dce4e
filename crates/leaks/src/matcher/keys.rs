//! Private keys of KSeF certificates and their passwords (issue 12, point 7; rules LEAK004 and
//! LEAK005).
//!
//! A KSeF certificate plus its private key is a complete login to KSeF. A PEM private key
//! (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) is a finding
//! when a certificate in the same buffer is a KSeF certificate: its issuer or subject names
//! KSeF (`CCK KSeF`), or its subject carries a `VATPL-`, `TINPL-` or `PNOPL-` identifier. The
//! finding names the certificate (serial number, subject identifier with a PESEL masked,
//! validity), never the key. Keys assembled in code (a header string followed by `" +` or a
//! variable) have no base64 body and are not findings.
//!
//! A password literal (`password = "…"`, `keyPassword: …`, `.toCharArray()` of a literal) is a
//! LEAK005 finding when it is in the same buffer as such a key, or within
//! [`PASSWORD_NEAR_LINES`] lines of the name of a key file (`*.p12`, `*.pfx`, `*.key`, `*.pem`)
//! in a buffer with KSeF context (its path or text names KSeF).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use x509_cert::Certificate;
use x509_cert::der::Decode;

use ksef_model::mask_pesel;

/// Lines between a key-file name and a password literal that still pair them.
pub(crate) const PASSWORD_NEAR_LINES: usize = 5;

/// A PEM block: its label and the byte range of the whole block.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) label: String,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) der: Option<Vec<u8>>,
}

/// The certificate a key belongs to, as shown in a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KsefCertificate {
    pub(crate) serial: String,
    /// `VATPL-1111111111`, `TINPL-…`, `PNOPL-12*******01` (PESEL masked) or the subject CN.
    pub(crate) subject_id: String,
    /// The NIP of a `VATPL-`/`TINPL-` subject.
    pub(crate) nip: Option<String>,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
}

/// A private key of a KSeF certificate found in a buffer.
#[derive(Debug, Clone)]
pub(crate) struct KeyHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The key's DER (for the fingerprint only; never shown).
    pub(crate) der: Vec<u8>,
    pub(crate) encrypted: bool,
    pub(crate) certificate: KsefCertificate,
}

/// A password literal next to a KSeF key.
#[derive(Debug, Clone)]
pub(crate) struct PasswordHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What the key pass found in one buffer.
#[derive(Debug, Default)]
pub(crate) struct KeyScan {
    pub(crate) keys: Vec<KeyHit>,
    pub(crate) passwords: Vec<PasswordHit>,
}

/// Labels of PEM private keys.
pub(super) const KEY_LABELS: &[&str] = &[
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
];

/// Finds KSeF certificate keys and their passwords. `path` gives KSeF context to passwords
/// near a key-file name.
pub(crate) fn scan_keys(signals: &crate::matcher::context::Signals, text: &[u8]) -> KeyScan {
    let mut out = KeyScan::default();
    let has_pem = signals.pem;
    let blocks = if has_pem {
        pem_blocks(text)
    } else {
        Vec::new()
    };
    let certificate = blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .filter_map(|b| b.der.as_deref())
        .find_map(ksef_certificate);
    if let Some(cert) = &certificate {
        for b in &blocks {
            if !KEY_LABELS.contains(&b.label.as_str()) {
                continue;
            }
            let Some(der) = &b.der else { continue };
            out.keys.push(KeyHit {
                start: b.start,
                end: b.end,
                der: der.clone(),
                encrypted: b.label == "ENCRYPTED PRIVATE KEY"
                    || text[b.start..b.end].windows(9).any(|w| w == b"ENCRYPTED"),
                certificate: cert.clone(),
            });
        }
    }
    let key_in_file = !out.keys.is_empty();
    let ksef_context = key_in_file || signals.path_ksef || !signals.ksef_at.is_empty();
    if !ksef_context {
        return out;
    }
    let key_file_lines: Vec<usize> = if key_in_file {
        Vec::new()
    } else {
        key_file_mentions(text)
    };
    if !key_in_file && key_file_lines.is_empty() {
        return out;
    }
    for (start, end, line) in password_literals(text) {
        if key_in_file
            || key_file_lines
                .iter()
                .any(|l| l.abs_diff(line) <= PASSWORD_NEAR_LINES)
        {
            out.passwords.push(PasswordHit { start, end });
        }
    }
    out
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// PEM blocks with a base64 body (also inside a JSON string with `\n` escapes). A header
/// whose body is not base64 (a PEM being assembled in code) has `der: None`.
pub(super) fn pem_blocks(text: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&text[at..], b"-----BEGIN ") {
        let start = at + p;
        let label_start = start + 11;
        let Some(l) = memchr::memmem::find(&text[label_start..], b"-----") else {
            break;
        };
        let label_end = label_start + l;
        let label = String::from_utf8_lossy(&text[label_start..label_end]).into_owned();
        let body_start = label_end + 5;
        let end_marker = format!("-----END {label}-----");
        let Some(e) = memchr::memmem::find(&text[body_start..], end_marker.as_bytes()) else {
            at = body_start;
            continue;
        };
        let body_end = body_start + e;
        let end = body_end + end_marker.len();
        let der = decode_body(&text[body_start..body_end]);
        out.push(Block {
            label,
            start,
            end,
            der,
        });
        at = end;
    }
    out
}

/// The DER of a PEM body, when the body is only base64 (whitespace, `\n` escapes and
/// `Proc-Type`/`DEK-Info` headers allowed) and decodes to an ASN.1 SEQUENCE.
fn decode_body(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    let text = text.replace("\\r", "\n").replace("\\n", "\n");
    let mut b64 = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.contains(':') {
            continue; // Proc-Type: 4,ENCRYPTED / DEK-Info: …
        }
        if !line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        {
            return None;
        }
        b64.push_str(line);
    }
    if b64.len() < 64 {
        return None;
    }
    let der = STANDARD.decode(b64).ok()?;
    (der.first() == Some(&0x30)).then_some(der)
}

/// The certificate as shown in a finding, when it is a KSeF certificate.
pub(crate) fn ksef_certificate(der: &[u8]) -> Option<KsefCertificate> {
    let cert = Certificate::from_der(der).ok()?;
    let tbs = &cert.tbs_certificate;
    // Attribute values as text (an `organizationIdentifier` shows as hex in the RFC 4514 form).
    let subject = format!("{} {}", tbs.subject, name_values(&tbs.subject));
    let issuer = format!("{} {}", tbs.issuer, name_values(&tbs.issuer));
    let identifier = ["VATPL-", "TINPL-", "PNOPL-"].iter().find_map(|prefix| {
        let at = subject.find(prefix)?;
        let value: String = subject[at + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        Some((*prefix, value))
    });
    let names_ksef =
        contains_ci(subject.as_bytes(), b"ksef") || contains_ci(issuer.as_bytes(), b"ksef");
    if identifier.is_none() && !names_ksef {
        return None;
    }
    let (subject_id, nip) = match identifier {
        Some(("PNOPL-", pesel)) => (format!("PNOPL-{}", mask_pesel(&pesel)), None),
        Some((prefix, value)) => (format!("{prefix}{value}"), Some(value)),
        None => (
            common_name(&subject).unwrap_or_else(|| "(no identifier)".into()),
            None,
        ),
    };
    let serial = hex::encode_upper(tbs.serial_number.as_bytes());
    Some(KsefCertificate {
        serial,
        subject_id,
        nip,
        not_before: tbs.validity.not_before.to_date_time().to_string(),
        not_after: tbs.validity.not_after.to_date_time().to_string(),
    })
}

fn name_values(name: &x509_cert::name::Name) -> String {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| String::from_utf8_lossy(atv.value.value()).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

fn common_name(dn: &str) -> Option<String> {
    dn.split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .map(|cn| cn.chars().take(64).collect())
}

/// Lines (0-based) that name a key file: `*.p12`, `*.pfx`, `*.key`, `*.pem`.
fn key_file_mentions(text: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (no, line) in text.split(|b| *b == b'\n').enumerate() {
        let lower = line.to_ascii_lowercase();
        if [&b".p12"[..], b".pfx", b".key", b".pem"].iter().any(|ext| {
            lower.windows(ext.len()).enumerate().any(|(i, w)| {
                w == *ext
                    && i > 0
                    && lower[i - 1].is_ascii_alphanumeric()
                    && lower
                        .get(i + ext.len())
                        .is_none_or(|b| !b.is_ascii_alphanumeric())
            })
        }) {
            out.push(no);
        }
    }
    out
}

/// Quoted password literals: a key naming a password (`password`, `passphrase`, `pass`,
/// `pwd`, `hasło`, `keyPassword`, `pfxPassword`, …) assigned a quoted literal, or a literal
/// turned into a `char[]` (`"…".toCharArray()`). Returns (start, end, line) of the literal.
fn password_literals(text: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (no, line) in text.split(|b| *b == b'\n').enumerate() {
        if let Some((s, e)) = password_in_line(line) {
            out.push((offset + s, offset + e, no));
        }
        offset += line.len() + 1;
    }
    out
}

pub(super) fn password_in_line(line: &[u8]) -> Option<(usize, usize)> {
    let lower = String::from_utf8_lossy(line).to_lowercase();
    // `"secret".toCharArray()`
    if let Some(p) = lower.find("\".tochararray()") {
        let open = lower[..p].rfind('"')?;
        return literal_ok(line, open + 1, p);
    }
    let named = [
        "password",
        "passphrase",
        "passwd",
        "pwd",
        "hasło",
        "haslo",
        "pass",
    ]
    .iter()
    .find_map(|w| lower.find(w).map(|at| at + w.len()))?;
    let rest = &line[named.min(line.len())..];
    let op = rest.iter().position(|b| *b == b'=' || *b == b':')?;
    let after = &rest[op + 1..];
    let q = after
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b'>')?;
    let quote = after[q];
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let s = named + op + 1 + q + 1;
    let len = line[s..].iter().position(|b| *b == quote)?;
    literal_ok(line, s, s + len)
}

/// The password literal on `line` (as LEAK005 reads it), if any.
pub(crate) fn password_literal(line: &str) -> Option<&str> {
    let (s, e) = password_in_line(line.as_bytes())?;
    line.get(s..e)
}

/// A password literal worth reporting: 4 to 128 characters, not a placeholder or variable.
fn literal_ok(line: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    let value = std::str::from_utf8(&line[s..e]).ok()?;
    let n = value.chars().count();
    if !(4..=128).contains(&n) || crate::matcher::is_placeholder(value) || value.contains('$') {
        return None;
    }
    Some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_lines() {
        let get = |l: &str| password_in_line(l.as_bytes()).map(|(s, e)| l[s..e].to_string());
        assert_eq!(get("key.password=Tajne123!").as_deref(), None);
        assert_eq!(
            get("String keyPassword = \"Tajne123!\";").as_deref(),
            Some("Tajne123!")
        );
        assert_eq!(
            get("ks.load(in, \"Haslo-2024\".toCharArray());").as_deref(),
            Some("Haslo-2024")
        );
        assert_eq!(get("password: \"${KEY_PASSWORD}\"").as_deref(), None);
        assert_eq!(get("password: \"<your-password>\"").as_deref(), None);
    }

    #[test]
    fn assembled_pem_has_no_body() {
        let code = b"String pem = \"-----BEGIN PRIVATE KEY-----\\n\" + body + \"\\n-----END PRIVATE KEY-----\";";
        let blocks = pem_blocks(code);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].der.is_none());
    }
}
