//! What the KSeF client needs, as plain values: the environment, the contexts and where
//! each context's credential is (file, environment variable, certificate), plus the
//! limits. Built by the binary's config; the client never reads a config file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ksef_model::{EnvironmentRef, RateLimits, Secret};

/// Contexts fetched at once (bounded pool), unless the config says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Connection timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of one request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest `Retry-After` honoured.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// Page cap of a listing.
pub const DEFAULT_MAX_PAGES: u32 = 1000;
/// Bounded wait for a sign-in to complete.
pub const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_secs(120);
/// Everything one context's answers may bring (64 MiB): real listings of a context are
/// a few MiB at most; past this the context is incomplete rather than the process growing.
pub const DEFAULT_CONTEXT_BUDGET: usize = 64 * 1024 * 1024;
/// Retries of 5xx, timeouts and connection resets per request (not configurable).
pub(crate) const MAX_RETRIES: u32 = 4;
/// First backoff delay (not configurable).
pub(crate) const RETRY_BASE: Duration = Duration::from_millis(500);

/// Where a context's KSeF certificate and private key are (paths only, never contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateFiles {
    /// `certificate` + `private-key`.
    Pem {
        certificate: PathBuf,
        private_key: PathBuf,
    },
    /// `pkcs12`.
    Pkcs12(PathBuf),
}

impl CertificateFiles {
    /// The file holding the private key.
    pub fn key_file(&self) -> &Path {
        match self {
            CertificateFiles::Pem { private_key, .. } => private_key,
            CertificateFiles::Pkcs12(p) => p,
        }
    }
}

/// Environment variable holding the KSeF token of one NIP: `KSEF_TOKEN_<NIP>`.
pub(crate) fn token_env_var(nip: &str) -> String {
    format!("KSEF_TOKEN_{nip}")
}

/// Environment variable holding an already-obtained access token: `KSEF_ACCESS_TOKEN_<NIP>`.
pub(crate) fn access_token_env_var(nip: &str) -> String {
    format!("KSEF_ACCESS_TOKEN_{nip}")
}

/// The token of the only context, when exactly one is audited.
pub(crate) const SINGLE_TOKEN_ENV_VAR: &str = "KSEF_TOKEN";

/// Where the KSeF credential of one context comes from. Holds names, never values,
/// except `InMemory` (demo and tests), whose value is a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// A file holding the KSeF token (checked: not readable by group/others).
    File(PathBuf),
    /// An environment variable holding the KSeF token.
    Env(String),
    /// An environment variable holding an already-obtained access token.
    AccessToken(String),
    /// A KSeF token handed over in memory (demo, tests).
    InMemory(Secret),
    /// A KSeF certificate and its private key: XAdES sign-in (password from
    /// `KSEF_KEY_PASSWORD_<NIP>` or `KSEF_KEY_PASSWORD`).
    Certificate(CertificateFiles),
    /// Nothing found: the context is reported incomplete.
    Missing,
}

impl CredentialSource {
    /// Where the credential comes from, for messages (never the value).
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::File(p) => format!("token file '{}'", ksef_model::shown_path(p)),
            CredentialSource::Env(v) => format!("environment variable {v}"),
            CredentialSource::AccessToken(v) => format!("access token in {v}"),
            CredentialSource::InMemory(_) => "in-memory token".to_string(),
            CredentialSource::Certificate(CertificateFiles::Pem { certificate, .. }) => {
                format!("certificate '{}'", ksef_model::shown_path(certificate))
            }
            CredentialSource::Certificate(CertificateFiles::Pkcs12(p)) => {
                format!("PKCS#12 file '{}'", ksef_model::shown_path(p))
            }
            CredentialSource::Missing => "no credential".to_string(),
        }
    }
}

/// One audited context (client NIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSpec {
    pub nip: String,
    pub name: Option<String>,
    pub credential: CredentialSource,
}

/// Everything the KSeF client needs, resolved from the config and the global flags.
#[derive(Debug, Clone)]
pub struct KsefSettings {
    pub environment: EnvironmentRef,
    pub contexts: Vec<ContextSpec>,
    /// Contexts fetched at once (bounded pool).
    pub concurrency: usize,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Longest `Retry-After` honoured; a longer one makes the context incomplete.
    pub max_retry_after: Duration,
    /// Page cap for `GET /tokens`; reaching it means a runaway cursor.
    pub max_pages: u32,
    /// Bounded wait for `GET /auth/{ref}` to leave status 100.
    pub auth_timeout: Duration,
    /// Retries of 5xx, timeouts and connection resets per request.
    pub max_retries: u32,
    /// First backoff delay; doubles per retry (with jitter), capped at 30 s.
    pub retry_base: Duration,
    /// Client-side limiter for the token endpoints (10/s, 30/min, 120/h per context).
    pub rate_limits: RateLimits,
    /// Bytes all answers of one context may bring together ([`DEFAULT_CONTEXT_BUDGET`]).
    pub context_budget: usize,
}

impl KsefSettings {
    /// Settings with default limits for an environment and contexts (demo, tests).
    pub fn new(environment: EnvironmentRef, contexts: Vec<ContextSpec>) -> KsefSettings {
        KsefSettings {
            environment,
            contexts,
            concurrency: DEFAULT_CONCURRENCY,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            max_pages: DEFAULT_MAX_PAGES,
            auth_timeout: DEFAULT_AUTH_TIMEOUT,
            max_retries: MAX_RETRIES,
            retry_base: RETRY_BASE,
            rate_limits: RateLimits::TOKENS,
            context_budget: DEFAULT_CONTEXT_BUDGET,
        }
    }

    /// The context of a NIP, if audited.
    pub fn context(&self, nip: &str) -> Option<&ContextSpec> {
        self.contexts.iter().find(|c| c.nip == nip)
    }

    /// Adds a context for `nip` with its credential from the environment
    /// (`KSEF_TOKEN_<NIP>`, then `KSEF_ACCESS_TOKEN_<NIP>`), unless already present.
    /// Used by `revoke --from` for NIPs named in a leaks file.
    pub fn ensure_context(&mut self, nip: &str) {
        if self.context(nip).is_none() {
            let credential = env_credential(nip, false, &|k| std::env::var(k).ok());
            self.contexts.push(ContextSpec {
                nip: nip.to_string(),
                name: None,
                credential,
            });
        }
    }
}

/// `KSEF_TOKEN_<NIP>`, then `KSEF_TOKEN` (only for a single context), then
/// `KSEF_ACCESS_TOKEN_<NIP>`; empty values count as unset.
pub fn env_credential(
    nip: &str,
    single: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> CredentialSource {
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    let per_nip = token_env_var(nip);
    let access = access_token_env_var(nip);
    if set(&per_nip) {
        CredentialSource::Env(per_nip)
    } else if single && set(SINGLE_TOKEN_ENV_VAR) {
        CredentialSource::Env(SINGLE_TOKEN_ENV_VAR.to_string())
    } else if set(&access) {
        CredentialSource::AccessToken(access)
    } else {
        CredentialSource::Missing
    }
}

/// What `check_token_file` cannot check on this platform, for the user to hear (Windows:
/// file access is governed by ACLs, which the tool does not read); `None` where it checks.
pub const TOKEN_FILE_CHECK_CAVEAT: Option<&str> = if cfg!(windows) {
    Some(
        "on Windows ksef-audit cannot check who may read a token-file (its ACL), so it is used unchecked\nhelp: keep it in your user profile and remove inherited access: icacls FILE /inheritance:r /grant:r \"%USERNAME%:R\"",
    )
} else {
    None
};

/// A token file must exist and be readable by its owner only.
pub fn check_token_file(path: &Path) -> Result<(), String> {
    check_private_file(path, "token")
}

/// What is wrong with a file that holds a secret (never its contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateFileProblem {
    /// It cannot be read (missing, no access); the I/O error as text.
    Unreadable(String),
    /// It is a directory, a FIFO or a device.
    NotAFile,
    /// Group or others may read it (Unix mode bits).
    Exposed { mode: u32 },
}

/// What is wrong with a file holding a secret, if anything: it must exist, be a file and
/// be readable by its owner only.
pub fn private_file_problem(path: &Path) -> Option<PrivateFileProblem> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return Some(PrivateFileProblem::Unreadable(e.to_string())),
    };
    if !meta.is_file() {
        return Some(PrivateFileProblem::NotAFile);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(PrivateFileProblem::Exposed { mode });
        }
    }
    None
}

/// A file holding a secret (`what`: "token", "private key") must exist, be a file and
/// be readable by its owner only.
pub fn check_private_file(path: &Path, what: &str) -> Result<(), String> {
    let shown = ksef_model::shown_path(path);
    match private_file_problem(path) {
        None => Ok(()),
        Some(PrivateFileProblem::Unreadable(e)) => Err(format!(
            "'{shown}' cannot be read: {e}\nhelp: check the path (relative paths are resolved against the config file's directory)"
        )),
        Some(PrivateFileProblem::NotAFile) => Err(format!("'{shown}' is not a file")),
        Some(PrivateFileProblem::Exposed { mode }) => Err(format!(
            "'{shown}' is readable by group or others (mode {mode:03o}), so the {what} is refused\nhelp: run `chmod 600 {shown}`"
        )),
    }
}
