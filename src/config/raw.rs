//! The raw layer: `ksef-audit.toml` exactly as written. Unknown keys are rejected;
//! values that the validation step judges keep their place in the file ([`Spanned`]),
//! so every problem can name its line and column.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Firm name for report covers.
    pub firm: Option<String>,
    #[serde(default)]
    pub ksef: KsefSection,
    #[serde(default)]
    pub contexts: Vec<Spanned<ContextEntry>>,
    #[serde(default)]
    pub audit: AuditSection,
    /// Per-rule overrides by rule name: severity, enabled, parameters.
    #[serde(default)]
    pub rules: BTreeMap<String, Spanned<toml::Table>>,
    #[serde(default)]
    pub leaks: LeaksSection,
    #[serde(default)]
    pub report: ReportSection,
    #[serde(default)]
    pub offboard: OffboardSection,
    /// `[[known-parties]]`: outside holders of grants the firm knows.
    #[serde(default)]
    pub known_parties: Vec<Spanned<KnownPartyEntry>>,
}

/// One `[[known-parties]]` entry: someone outside the staff list who may hold grants in
/// client contexts (the client's own people, its software vendor, another accounting firm).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KnownPartyEntry {
    /// PESEL, NIP or certificate fingerprint (bare, or `Pesel:…`, `Nip:…`, `Fingerprint:…`).
    pub identifier: Spanned<String>,
    pub name: Spanned<String>,
    pub reason: Spanned<String>,
}

/// `[ksef]`. Defaults: [`crate::config::defaults`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KsefSection {
    /// `test`, `demo`, `prod`, a base URL, or `LABEL=URL`.
    pub environment: Option<Spanned<String>>,
    /// Contexts fetched at once.
    pub concurrency: Option<Spanned<usize>>,
    /// Seconds to wait for a TCP/TLS connection.
    pub connect_timeout: Option<u64>,
    /// Seconds one request may take in all.
    pub request_timeout: Option<u64>,
    /// Longest `Retry-After` (seconds) the tool waits on a 429; longer marks the context incomplete.
    pub max_retry_after: Option<u64>,
    /// Most pages of `GET /tokens` read per context before the cursor is called runaway.
    pub max_pages: Option<u32>,
    /// Seconds to wait for KSeF to finish authenticating a token.
    pub auth_timeout: Option<u64>,
}

/// One `[[contexts]]` entry: an audited client NIP and where its KSeF token comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextEntry {
    pub nip: Spanned<String>,
    pub name: Option<String>,
    /// File holding the KSeF token (must not be readable by group or others).
    pub token_file: Option<PathBuf>,
    /// KSeF certificate (PEM or DER) for XAdES sign-in; needs `private-key`.
    pub certificate: Option<Spanned<PathBuf>>,
    /// PKCS#8 PEM private key of `certificate` (password from `KSEF_KEY_PASSWORD[_<NIP>]`).
    pub private_key: Option<Spanned<PathBuf>>,
    /// PKCS#12 bundle with the certificate and its key, instead of the two above.
    pub pkcs12: Option<Spanned<PathBuf>>,
}

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuditSection {
    pub inventory: Option<PathBuf>,
    pub staff: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    pub fail_on: Option<Spanned<String>>,
    /// Approved access register CSV (grants: NIP, holder, permissions).
    pub access_register: Option<PathBuf>,
    /// The last day KSeF tokens may be issued, `YYYY-MM-DD`.
    pub token_last_issuance: Option<Spanned<String>>,
    /// The end of token sign-in (announced), `YYYY-MM-DD`: the token-sunset rules' `sunset`
    /// unless a `[rules.*]` table sets it.
    pub token_sign_in_end: Option<Spanned<String>>,
}

/// `[offboard]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OffboardSection {
    /// A token the person authored that was used within this many days is in use.
    pub in_use_days: Option<Spanned<u32>>,
}

/// `[leaks]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LeaksSection {
    /// Globs of paths not scanned (added to `--exclude`).
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Bytes; larger files are scanned in overlapping windows of this size.
    pub max_file_size: Option<Spanned<u64>>,
    /// Severity at or above which findings fail the run.
    pub fail_on: Option<Spanned<String>>,
    /// Baseline file used when `--baseline` is not given.
    pub baseline: Option<PathBuf>,
}

/// `[report]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReportSection {
    /// `en` or `pl`.
    pub lang: Option<Spanned<String>>,
    /// Days to fix a finding, by severity, for the remediation plan's due dates.
    #[serde(default)]
    pub due_days: DueDaysSection,
    /// NIPs of sole traders (natural persons): masked by `report --mask-nip`.
    #[serde(default)]
    pub sole_traders: Vec<Spanned<String>>,
    /// Directory with templates that override the built-in ones.
    pub templates: Option<PathBuf>,
    /// Directory of offboarding records the quarterly report links.
    pub offboard_records: Option<PathBuf>,
}

/// `[report.due-days]`: days to remediate a finding of each severity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DueDaysSection {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
}
