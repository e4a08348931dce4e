//! Reading a context's credential from where [`CredentialSource`] says. Values go
//! straight into a [`Secret`]; messages name the source, never the value.

use crate::error::ApiError;
use crate::settings::CredentialSource;
use crate::settings::check_token_file;
use crate::settings::token_env_var;
use ksef_model::Secret;

/// A usable credential.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A KSeF token (`reference|nip-…|secret`): the full auth flow.
    KsefToken(Secret),
    /// An already-obtained access token.
    AccessToken(Secret),
}

/// Largest token file read (a KSeF token is under 200 bytes).
pub(crate) const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// The UTF-8 byte-order mark some Windows editors put at the start of a file.
const BOM: char = '\u{feff}';

pub fn load_credential(nip: &str, source: &CredentialSource) -> Result<Credential, ApiError> {
    load_credential_noting(nip, source, &mut |_| {})
}

/// [`load_credential`], telling `note` about what was mended on the way (a UTF-8
/// byte-order mark stripped from the value); notes never hold the value.
pub(crate) fn load_credential_noting(
    nip: &str,
    source: &CredentialSource,
    note: &mut dyn FnMut(String),
) -> Result<Credential, ApiError> {
    let err = |message: String, help: Option<String>| ApiError::Credential {
        nip: nip.to_string(),
        message,
        help,
    };
    let mut strip_bom = |value: &str, what: &str| -> String {
        let trimmed = value.trim();
        match trimmed.strip_prefix(BOM) {
            Some(rest) => {
                note(format!(
                    "{what} starts with a UTF-8 byte-order mark (an invisible character some editors add); it was ignored"
                ));
                rest.trim().to_string()
            }
            None => trimmed.to_string(),
        }
    };
    let mut from_env = |var: &str| -> Result<Secret, ApiError> {
        match std::env::var(var) {
            Ok(v) if !v.trim().trim_start_matches(BOM).trim().is_empty() => Ok(Secret::new(
                strip_bom(&v, &format!("environment variable {var}")),
            )),
            _ => Err(err(
                format!("environment variable {var} is not set"),
                Some(format!("export {var} with the context's KSeF token")),
            )),
        }
    };
    let token = match source {
        CredentialSource::Missing => {
            return Err(err(
                "no KSeF token for this context".into(),
                Some(format!(
                    "set {} (or KSEF_TOKEN when auditing one NIP), or add `token-file` to its [[contexts]] entry in ksef-audit.toml",
                    token_env_var(nip)
                )),
            ));
        }
        CredentialSource::AccessToken(var) => return from_env(var).map(Credential::AccessToken),
        CredentialSource::Certificate(_) => {
            return Err(err(
                "this context signs in with a KSeF certificate, not a token".into(),
                None,
            ));
        }
        CredentialSource::InMemory(secret) => secret.clone(),
        CredentialSource::Env(var) => from_env(var)?,
        CredentialSource::File(path) => {
            check_token_file(path).map_err(|m| err(format!("token-file {m}"), None))?;
            let text = read_token_file(path).map_err(|(message, help)| err(message, help))?;
            let value = strip_bom(
                &text,
                &format!("token file '{}'", ksef_model::shown_path(path)),
            );
            if value.is_empty() {
                return Err(err(
                    format!("token file '{}' is empty", ksef_model::shown_path(path)),
                    Some("put the KSeF token (as issued, one line) in the file".into()),
                ));
            }
            Secret::new(value)
        }
    };
    check_shape(nip, &token, source)?;
    Ok(Credential::KsefToken(token))
}

/// Reads a token file as UTF-8, at most [`MAX_TOKEN_FILE_BYTES`]; a UTF-16 file or a
/// larger one is refused with what to do. Errors never hold the file's content.
fn read_token_file(path: &std::path::Path) -> Result<String, (String, Option<String>)> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        (
            format!(
                "cannot read token file '{}': {e}",
                ksef_model::shown_path(path)
            ),
            None,
        )
    };
    // A FIFO would block the open, a device never end: only a regular file is read.
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(cannot(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not a regular file; give a regular file",
        )));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err((
            format!(
                "token file '{}' is larger than {} KiB, so it cannot be a KSeF token",
                ksef_model::shown_path(path),
                MAX_TOKEN_FILE_BYTES / 1024
            ),
            Some("put only the KSeF token (as issued, one line) in the file".into()),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            format!(
                "token file '{}' is saved as UTF-16",
                ksef_model::shown_path(path)
            ),
            Some("save it as UTF-8 (the token is plain ASCII)".into()),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        (
            format!(
                "token file '{}' is not UTF-8 text",
                ksef_model::shown_path(path)
            ),
            Some("put the KSeF token (as issued, one line) in the file, saved as UTF-8".into()),
        )
    })
}

/// A KSeF 2.0 token has three `|`-separated parts; a 1.0 token (64 hex) does not work on 2.0.
fn check_shape(nip: &str, token: &Secret, source: &CredentialSource) -> Result<(), ApiError> {
    let value = token.expose();
    if value.split('|').count() == 3 {
        return Ok(());
    }
    let v1 = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
    Err(ApiError::Credential {
        nip: nip.to_string(),
        message: if v1 {
            format!(
                "{} holds what looks like a KSeF 1.0 token, which KSeF 2.0 does not accept",
                source.describe()
            )
        } else {
            format!(
                "{} does not hold a KSeF token (expected `reference|nip-NIP|secret`)",
                source.describe()
            )
        },
        help: Some("generate a KSeF 2.0 token in the KSeF application and copy it whole".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credential_says_where_to_put_one() {
        let e = load_credential("5265877635", &CredentialSource::Missing).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("KSEF_TOKEN_5265877635"), "{msg}");
        assert!(msg.contains("token-file"), "{msg}");
    }

    #[test]
    fn malformed_token_is_refused_without_echoing_it() {
        let secret = "AB".repeat(32);
        let e = load_credential(
            "5265877635",
            &CredentialSource::InMemory(Secret::new(secret.clone())),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("KSeF 1.0"), "{e}");
        assert!(!e.contains(&secret), "{e}");
        let ok = load_credential(
            "5265877635",
            &CredentialSource::InMemory(Secret::new(
                "20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|ab",
            )),
        );
        assert!(matches!(ok, Ok(Credential::KsefToken(_))));
    }
}
