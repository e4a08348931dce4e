//! Every default of the config in one place (documented in `docs/config.md`).

use std::time::Duration;

use ksef_model::Severity;

/// The file looked for in the working directory and upward (see [`crate::config::discover`]) when
/// neither `--config` nor `KSEF_AUDIT_CONFIG` names one.
pub const DEFAULT_CONFIG_FILE: &str = "ksef-audit.toml";
/// What messages name as the source of the settings when no config file was read
/// (everything then comes from the command line and these defaults).
pub const NO_CONFIG_FILE: &str = "command line";

/// `[ksef] concurrency`: contexts fetched at once, and its allowed range.
pub const CONCURRENCY: usize = ksef_client::settings::DEFAULT_CONCURRENCY;
pub const MAX_CONCURRENCY: usize = 64;
/// `[ksef] connect-timeout`.
pub const CONNECT_TIMEOUT: Duration = ksef_client::settings::DEFAULT_CONNECT_TIMEOUT;
/// `[ksef] request-timeout`.
pub const REQUEST_TIMEOUT: Duration = ksef_client::settings::DEFAULT_REQUEST_TIMEOUT;
/// `[ksef] max-retry-after`.
pub const MAX_RETRY_AFTER: Duration = ksef_client::settings::DEFAULT_MAX_RETRY_AFTER;
/// `[ksef] max-pages`.
pub const MAX_PAGES: u32 = ksef_client::settings::DEFAULT_MAX_PAGES;
/// `[ksef] auth-timeout`.
pub const AUTH_TIMEOUT: Duration = ksef_client::settings::DEFAULT_AUTH_TIMEOUT;
/// `[audit] fail-on`.
pub const AUDIT_FAIL_ON: Severity = Severity::High;
/// `[offboard] in-use-days`: a leaver's token used within this many days is in use (rotate
/// before revoking).
pub const OFFBOARD_IN_USE_DAYS: u32 = 30;
/// Largest `[offboard] in-use-days` accepted (ten years).
pub const MAX_OFFBOARD_IN_USE_DAYS: u32 = 3650;
/// `[leaks] fail-on`: any finding fails the run.
pub const LEAKS_FAIL_ON: Severity = Severity::Info;
/// `[leaks] max-file-size`: 64 MiB.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

// `[report.due-days]`: the defaults are `model::DueDays::default()` (one place, shared
// with the report renderer).
