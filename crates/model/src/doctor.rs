//! What `ksef-audit doctor` found: one [`Fact`] per check, with its status. The words
//! (English and Polish) come from [`crate::i18n::doctor`]; the JSON document is
//! [`DoctorReport`], versioned like the other result documents.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `kind` of the JSON document.
pub const DOCTOR_KIND: &str = "ksef-audit/doctor";
/// `schema_version` of the JSON document.
pub const DOCTOR_SCHEMA_VERSION: u32 = 1;
/// A certificate ending within this many days is a warning.
pub const CERTIFICATE_WARN_DAYS: i64 = 30;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Ok,
    Warning,
    Failed,
}

/// What one check found. Paths are as shown to the user; texts of other modules (a
/// config problem, a key error, a KSeF reason) are kept as written, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    ConfigRead {
        path: String,
    },
    ConfigProblem {
        message: String,
    },
    Environment {
        label: String,
        url: String,
    },
    /// No environment: a warning offline (`audit --from` needs none), a failure online.
    NoEnvironment {
        online: bool,
    },
    NoContexts,
    TokenFileReady {
        path: String,
    },
    TokenFileUnreadable {
        path: String,
        error: String,
    },
    TokenFileNotAFile {
        path: String,
    },
    TokenFileExposed {
        path: String,
        mode: u32,
    },
    TokenUnusable {
        detail: String,
    },
    EnvTokenSet {
        var: String,
    },
    /// `single`: the only context checked, so `KSEF_TOKEN` would do too.
    EnvTokenMissing {
        nip: String,
        single: bool,
    },
    KeyFileUnreadable {
        path: String,
        error: String,
    },
    KeyFileExposed {
        path: String,
        mode: u32,
    },
    KeyMatches {
        fingerprint: String,
    },
    KeyMismatch {
        certificate: String,
        key: String,
    },
    KeyPasswordMissing {
        path: String,
        var: String,
    },
    CertificateUnusable {
        detail: String,
    },
    CertificateValid {
        not_after: NaiveDate,
        days_left: i64,
    },
    CertificateExpiring {
        not_after: NaiveDate,
        days_left: i64,
    },
    CertificateExpired {
        not_after: NaiveDate,
    },
    CertificateNotYetValid {
        not_before: NaiveDate,
    },
    SignedIn,
    /// `code`: the reason's code as KSeF's answer was classified (`credential-rejected`, …).
    SignInFailed {
        code: Option<String>,
        reason: String,
    },
    CanAudit {
        permissions: Vec<String>,
    },
    CannotAudit {
        permissions: Vec<String>,
    },
    AuditPermissionUnknown {
        reason: String,
    },
    CanRevoke,
    CannotRevoke {
        permissions: Vec<String>,
    },
}

impl Fact {
    /// The check this fact answers, as named in JSON (`token-file`, `sign-in`, …).
    pub fn check(&self) -> &'static str {
        match self {
            Fact::ConfigRead { .. } | Fact::ConfigProblem { .. } => "config",
            Fact::Environment { .. } | Fact::NoEnvironment { .. } => "environment",
            Fact::NoContexts => "contexts",
            Fact::TokenFileReady { .. }
            | Fact::TokenFileUnreadable { .. }
            | Fact::TokenFileNotAFile { .. }
            | Fact::TokenFileExposed { .. }
            | Fact::TokenUnusable { .. }
            | Fact::EnvTokenSet { .. }
            | Fact::EnvTokenMissing { .. } => "token",
            Fact::KeyFileUnreadable { .. }
            | Fact::KeyFileExposed { .. }
            | Fact::KeyMatches { .. }
            | Fact::KeyMismatch { .. }
            | Fact::KeyPasswordMissing { .. }
            | Fact::CertificateUnusable { .. } => "certificate-key",
            Fact::CertificateValid { .. }
            | Fact::CertificateExpiring { .. }
            | Fact::CertificateExpired { .. }
            | Fact::CertificateNotYetValid { .. } => "certificate-validity",
            Fact::SignedIn | Fact::SignInFailed { .. } => "sign-in",
            Fact::CanAudit { .. }
            | Fact::CannotAudit { .. }
            | Fact::AuditPermissionUnknown { .. } => "permission-audit",
            Fact::CanRevoke | Fact::CannotRevoke { .. } => "permission-revoke",
        }
    }

    /// Whether the set-up is ready as far as this fact goes.
    pub fn status(&self) -> CheckStatus {
        match self {
            Fact::ConfigRead { .. }
            | Fact::Environment { .. }
            | Fact::TokenFileReady { .. }
            | Fact::EnvTokenSet { .. }
            | Fact::KeyMatches { .. }
            | Fact::CertificateValid { .. }
            | Fact::SignedIn
            | Fact::CanAudit { .. }
            | Fact::CanRevoke => CheckStatus::Ok,
            Fact::NoEnvironment { online: false }
            | Fact::CertificateExpiring { .. }
            | Fact::AuditPermissionUnknown { .. }
            | Fact::CannotRevoke { .. } => CheckStatus::Warning,
            _ => CheckStatus::Failed,
        }
    }
}

/// One check of one context (`nip` none for the config as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorCheck {
    pub nip: Option<String>,
    pub name: Option<String>,
    pub fact: Fact,
}

/// The JSON document `doctor --format json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorReport {
    pub schema_version: u32,
    pub kind: String,
    pub tool_version: String,
    /// The config file read, as shown.
    pub config: String,
    /// Whether sign-in and permissions were checked (`--online`).
    pub online: bool,
    /// True when no check failed (warnings allowed): the exit code is 0.
    pub ready: bool,
    pub counts: DoctorCounts,
    pub checks: Vec<DoctorCheckJson>,
}

/// Checks by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorCounts {
    pub ok: usize,
    pub warning: usize,
    pub failed: usize,
}

/// One check in the JSON document: its id, status and words (in `--lang`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorCheckJson {
    /// The context's NIP; absent for checks of the config as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    pub check: String,
    pub status: CheckStatus,
    pub message: String,
    /// What to do, on a warning or failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}
