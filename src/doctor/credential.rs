//! One context's credential, checked offline: a token file, an environment variable, or a
//! certificate with its key. The values are read as sign-in reads them (so a token's shape
//! and a key's password are checked too), and never leave this module.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::ContextConfig;
use ksef_client::credentials::load_credential;
use ksef_client::error::ApiError;
use ksef_client::keys::{KeyError, load_context_credential};
use ksef_client::settings::{
    CertificateFiles, CredentialSource, PrivateFileProblem, env_credential, private_file_problem,
};
use ksef_model::{CERTIFICATE_WARN_DAYS, Fact, shown_path};

/// The facts of one context's credential.
pub(super) fn facts(
    context: &ContextConfig,
    single: bool,
    env: &dyn Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Vec<Fact> {
    if let Some(files) = &context.certificate {
        return certificate(&context.nip, files, now);
    }
    if let Some(path) = &context.token_file {
        return vec![token_file(&context.nip, path)];
    }
    let source = env_credential(&context.nip, single, env);
    let var = match &source {
        CredentialSource::Env(var) | CredentialSource::AccessToken(var) => var.clone(),
        _ => {
            return vec![Fact::EnvTokenMissing {
                nip: context.nip.clone(),
                single,
            }];
        }
    };
    vec![match load_credential(&context.nip, &source) {
        Ok(_) => Fact::EnvTokenSet { var },
        Err(e) => unusable(e),
    }]
}

fn token_file(nip: &str, path: &Path) -> Fact {
    let shown = shown_path(path).to_string();
    match private_file_problem(path) {
        Some(PrivateFileProblem::Unreadable(error)) => {
            Fact::TokenFileUnreadable { path: shown, error }
        }
        Some(PrivateFileProblem::NotAFile) => Fact::TokenFileNotAFile { path: shown },
        Some(PrivateFileProblem::Exposed { mode }) => Fact::TokenFileExposed { path: shown, mode },
        None => match load_credential(nip, &CredentialSource::File(path.to_path_buf())) {
            Ok(_) => Fact::TokenFileReady { path: shown },
            Err(e) => unusable(e),
        },
    }
}

/// A credential that was found but cannot be used: its message and help as written.
fn unusable(e: ApiError) -> Fact {
    let detail = match e {
        ApiError::Credential { message, help, .. } => match help {
            Some(help) => format!("{message}\nhelp: {help}"),
            None => message,
        },
        other => other.to_string(),
    };
    Fact::TokenUnusable { detail }
}

fn certificate(nip: &str, files: &CertificateFiles, now: DateTime<Utc>) -> Vec<Fact> {
    let key = files.key_file();
    let shown = shown_path(key).to_string();
    match private_file_problem(key) {
        Some(PrivateFileProblem::Unreadable(error)) => {
            return vec![Fact::KeyFileUnreadable { path: shown, error }];
        }
        Some(PrivateFileProblem::NotAFile) => {
            return vec![Fact::KeyFileUnreadable {
                path: shown,
                error: "not a file".into(),
            }];
        }
        Some(PrivateFileProblem::Exposed { mode }) => {
            return vec![Fact::KeyFileExposed { path: shown, mode }];
        }
        None => {}
    }
    match load_context_credential(nip, files) {
        Ok(credential) => {
            let validity = &credential.certificate().tbs_certificate.validity;
            let not_before = DateTime::<Utc>::from(validity.not_before.to_system_time());
            let not_after = DateTime::<Utc>::from(validity.not_after.to_system_time());
            vec![
                Fact::KeyMatches {
                    fingerprint: credential.fingerprint_sha256(),
                },
                dates(not_before, not_after, now),
            ]
        }
        Err(e) => vec![key_error(e)],
    }
}

/// Expired, not yet valid, ending within [`CERTIFICATE_WARN_DAYS`], or valid.
fn dates(not_before: DateTime<Utc>, not_after: DateTime<Utc>, now: DateTime<Utc>) -> Fact {
    let days_left = (not_after - now).num_days();
    if now < not_before {
        Fact::CertificateNotYetValid {
            not_before: not_before.date_naive(),
        }
    } else if now >= not_after {
        Fact::CertificateExpired {
            not_after: not_after.date_naive(),
        }
    } else if days_left < CERTIFICATE_WARN_DAYS {
        Fact::CertificateExpiring {
            not_after: not_after.date_naive(),
            days_left,
        }
    } else {
        Fact::CertificateValid {
            not_after: not_after.date_naive(),
            days_left,
        }
    }
}

fn key_error(e: KeyError) -> Fact {
    let shown = |p: &Path| shown_path(p).to_string();
    match e {
        KeyError::Mismatch { certificate, key } => Fact::KeyMismatch {
            certificate: shown(&certificate),
            key: shown(&key),
        },
        KeyError::Permissions { path, mode } => Fact::KeyFileExposed {
            path: shown(&path),
            mode,
        },
        KeyError::Read { path, source } => Fact::KeyFileUnreadable {
            path: shown(&path),
            error: source.to_string(),
        },
        KeyError::PasswordMissing { path, env_nip } => Fact::KeyPasswordMissing {
            path: shown(&path),
            var: env_nip,
        },
        other => Fact::CertificateUnusable {
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn certificate_dates_are_judged_against_now() {
        let at = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .expect("date")
        };
        let (from, to) = (at(2026, 1, 1), at(2027, 1, 1));
        assert!(matches!(
            dates(from, to, at(2025, 12, 1)),
            Fact::CertificateNotYetValid { .. }
        ));
        assert!(matches!(
            dates(from, to, at(2027, 1, 2)),
            Fact::CertificateExpired { .. }
        ));
        assert!(matches!(
            dates(from, to, at(2026, 12, 20)),
            Fact::CertificateExpiring { days_left: 12, .. }
        ));
        assert!(matches!(
            dates(from, to, at(2026, 6, 1)),
            Fact::CertificateValid { .. }
        ));
    }
}
