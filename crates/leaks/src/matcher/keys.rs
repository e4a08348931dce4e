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

use crate::matcher::placeholder::STRONG_PASSWORD_BITS;
use crate::matcher::placeholder::password_bits;
use crate::matcher::placeholder::password_placeholder_reason;

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
    /// `TEST` or `DEMO` when the issuer is the CA of that KSeF environment (`TEST CCK KSeF`,
    /// `DEMO CCK KSeF`); None for production (`CCK KSeF`) and other issuers.
    pub(crate) environment: Option<&'static str>,
}

impl KsefCertificate {
    /// How a finding names the certificate: serial, subject, validity, and its environment
    /// when it is not production.
    pub(crate) fn describe(&self) -> String {
        let environment = self
            .environment
            .map(|e| format!(", issued in the KSeF {e} environment (not production)"))
            .unwrap_or_default();
        format!(
            "KSeF certificate serial {}, subject {}, valid {} to {}{environment}",
            self.serial, self.subject_id, self.not_before, self.not_after
        )
    }

    /// The severity of its key: a TEST or DEMO certificate logs in to a test environment
    /// only, one step below a production key (None: the rule's own).
    pub(crate) fn key_severity(&self) -> Option<ksef_model::Severity> {
        self.environment.map(|_| ksef_model::Severity::High)
    }
}

/// `TEST` or `DEMO` when a word of the issuer's common name says so (`TEST CCK KSeF`,
/// `CCK KSeF DEMO`); the subject is not asked (a company may be called "Test").
fn environment_of(issuer_cn: Option<&str>) -> Option<&'static str> {
    let cn = issuer_cn?;
    let words: Vec<String> = cn
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_ascii_uppercase)
        .collect();
    ["TEST", "DEMO"]
        .into_iter()
        .find(|e| words.iter().any(|w| w == e))
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
    /// Worth fewer than [`STRONG_PASSWORD_BITS`]: reported only when it opens a key.
    pub(crate) weak: bool,
}

/// What the key pass found in one buffer.
#[derive(Debug, Default)]
pub(crate) struct KeyScan {
    pub(crate) keys: Vec<KeyHit>,
    pub(crate) passwords: Vec<PasswordHit>,
    /// Placeholder passwords where a password would be reported: (1-based line, why).
    pub(crate) placeholders: Vec<(u64, &'static str)>,
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
    for (literal, line) in password_literals(text) {
        let near = key_in_file
            || key_file_lines
                .iter()
                .any(|l| l.abs_diff(line) <= PASSWORD_NEAR_LINES);
        match literal {
            _ if !near => {}
            Literal::Password(start, end) => {
                let value = String::from_utf8_lossy(&text[start..end]);
                let weak = password_bits(&value) < STRONG_PASSWORD_BITS;
                out.passwords.push(PasswordHit { start, end, weak });
            }
            Literal::Placeholder(reason) => out.placeholders.push((line as u64 + 1, reason)),
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
        environment: environment_of(common_name(&tbs.issuer.to_string()).as_deref()),
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
fn password_literals(text: &[u8]) -> Vec<(Literal, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (no, line) in text.split(|b| *b == b'\n').enumerate() {
        match literal_in_line(line) {
            Some(Literal::Password(s, e)) => {
                out.push((Literal::Password(offset + s, offset + e), no));
            }
            Some(placeholder) => out.push((placeholder, no)),
            None => {}
        }
        offset += line.len() + 1;
    }
    out
}

/// A quoted literal where a password is assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    /// A password: its byte range.
    Password(usize, usize),
    /// A placeholder, and why (counted, never reported).
    Placeholder(&'static str),
}

#[cfg(test)]
fn password_in_line(line: &[u8]) -> Option<(usize, usize)> {
    match literal_in_line(line)? {
        Literal::Password(s, e) => Some((s, e)),
        Literal::Placeholder(_) => None,
    }
}

fn literal_in_line(line: &[u8]) -> Option<Literal> {
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
    // Between the name and the operator only the rest of a key (`password_1`, `"password"`,
    // `['pass']`): a call or a field (`passwords.is_empty() => "encrypted"`) is code.
    if !rest[..op]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"_-\"'[] \t?".contains(b))
    {
        return None;
    }
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

/// A password literal worth reporting: 4 to 128 characters, not a variable (`${VAR}`,
/// `$VAR`, `%VAR%`), not the name of an environment variable
/// (`p12_password_env="KSEF2_P12_PASSWORD"`), not the argument of a lookup
/// (`os.environ["…"]`, `System.getenv("…")`, `getProperty("…")`), and not a placeholder
/// ([`password_placeholder_reason`]: then [`Literal::Placeholder`]).
fn literal_ok(line: &[u8], s: usize, e: usize) -> Option<Literal> {
    let value = std::str::from_utf8(&line[s..e]).ok()?;
    let n = value.chars().count();
    if !(4..=128).contains(&n)
        || value.contains('$')
        || (value.starts_with('%') && value.ends_with('%'))
        || is_env_name(value)
        || names_a_variable(&line[..s])
    {
        return None;
    }
    Some(match password_placeholder_reason(value) {
        Some(reason) => Literal::Placeholder(reason),
        None => Literal::Password(s, e),
    })
}

/// `KSEF2_P12_PASSWORD`, `KEY_PASS`: upper-case letters and digits joined by underscores,
/// the shape of an environment variable's name (a password this regular is no secret).
fn is_env_name(value: &str) -> bool {
    value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether the text before a literal makes it a name rather than a value: a lookup
/// (`getenv(`, `environ[`, `environ.get(`, `getProperty(`, `env(`, `process.env[`) or a key
/// that names a variable or file rather than the password (`…_env`, `…_var`, `…_name`,
/// `…_file`, `…_path`, `…Env`).
fn names_a_variable(before: &[u8]) -> bool {
    let before = String::from_utf8_lossy(before).to_lowercase();
    let trimmed = before.trim_end_matches(['"', '\'', ' ', '\t']);
    let call = trimmed.trim_end_matches(['(', '[', ' ']);
    if trimmed.len() != call.len()
        && [
            "getenv",
            "environ",
            "environ.get",
            "getproperty",
            "env",
            "process.env",
            "env::var",
            "getenvironmentvariable",
        ]
        .iter()
        .any(|w| call.ends_with(w))
    {
        return true;
    }
    let key = trimmed.trim_end_matches([':', '=', ' ', '\t', '>']);
    let key = key.trim_end_matches(['"', '\'']);
    [
        "_env",
        "-env",
        ".env",
        "env",
        "_var",
        "_name",
        "_file",
        "_path",
        "_location",
    ]
    .iter()
    .any(|w| key.ends_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_lines() {
        let get = |l: &str| password_in_line(l.as_bytes()).map(|(s, e)| l[s..e].to_string());
        assert_eq!(get("key.password=Tajne123!").as_deref(), None);
        assert_eq!(
            get("String keyPassword = \"Wq7!rTz2Lp\";").as_deref(),
            Some("Wq7!rTz2Lp")
        );
        // a placeholder word and a counting run
        assert_eq!(get("String keyPassword = \"Tajne123!\";").as_deref(), None);
        assert_eq!(
            get("ks.load(in, \"Haslo-2024\".toCharArray());").as_deref(),
            Some("Haslo-2024")
        );
        assert_eq!(get("password: \"${KEY_PASSWORD}\"").as_deref(), None);
        // the rest of a key before the operator is still a key
        for (line, want) in [
            ("$config['pass'] = 'Wq7!rTz2Lp';", "Wq7!rTz2Lp"),
            ("\"keyPassword\": \"Wq7!rTz2Lp\",", "Wq7!rTz2Lp"),
            ("PFX_PASSWORD ?= Wq7!rTz2Lp", ""),
        ] {
            let got = get(line);
            if want.is_empty() {
                assert_eq!(got, None, "{line}");
            } else {
                assert_eq!(got.as_deref(), Some(want), "{line}");
            }
        }
        assert_eq!(get("password: \"<your-password>\"").as_deref(), None);
        // names of environment variables and lookups, not passwords (issue 22, point 1)
        for line in [
            "p12_password_env=\"KSEF2_P12_PASSWORD\"",
            "key_password_env = \"KSEF2_KEY_PASSWORD\"",
            "keyPasswordEnv: \"ksef-key-pass\"",
            "char[] p = System.getenv(\"KSEF_P12_PASSWORD\").toCharArray();",
            "password = os.environ[\"ksef_pass\"]",
            "password: \"%KSEF_PASSWORD%\"",
            "password_file = \"/run/secrets/ksef\"",
            "password = \"_____token_password_____\"",
            "\"twoje-haslo\".toCharArray()",
            // code, not an assignment: a method call or a field between name and operator
            "(true, false) if passwords.is_empty() => \"encrypted\",",
            "if self.password.len() > 0 { label = \"Zx81!kQw\" }",
        ] {
            assert_eq!(get(line), None, "{line}");
        }
    }

    #[test]
    fn test_and_demo_issuers_are_told_from_production() {
        assert_eq!(environment_of(Some("TEST CCK KSeF")), Some("TEST"));
        assert_eq!(environment_of(Some("CCK KSeF DEMO")), Some("DEMO"));
        assert_eq!(environment_of(Some("CCK KSeF")), None);
        // a word, not a part of one
        assert_eq!(environment_of(Some("Testowe CA")), None);
        assert_eq!(environment_of(None), None);
    }

    #[test]
    fn assembled_pem_has_no_body() {
        let code = b"String pem = \"-----BEGIN PRIVATE KEY-----\\n\" + body + \"\\n-----END PRIVATE KEY-----\";";
        let blocks = pem_blocks(code);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].der.is_none());
    }
}
