//! Plain values that flow from collect/ through evaluate/ to render/.
//!
//! Nothing here touches the network, files or the environment.

/// The project's home: help URIs, the README, the hooks and the action all name this one.
pub const PROJECT_URL: &str = "https://github.com/ksef-audit/ksef-audit";

mod certificate;
mod changes;
mod doctor;
mod exception;
mod grant;
pub mod i18n;
mod identifiers;
pub mod input;
mod inventory;
mod limits;
mod offboard;
mod open_enum;
mod outcome;
mod posture;
mod reason;
mod results;
mod secret;
mod severity;
mod shard;
mod text;
mod text_position;
mod timeline;
mod token;

pub use certificate::{
    ANNOUNCED_TOKEN_SUNSET, CertificateLimit, CertificateLimits, CertificateRecord,
    CertificateStatus, CertificateSubject, CertificateType, ContextCertificates,
};
pub use changes::ChangeSet;
pub use doctor::{
    CERTIFICATE_WARN_DAYS, CheckStatus, DOCTOR_KIND, DOCTOR_SCHEMA_VERSION, DoctorCheck,
    DoctorCheckJson, DoctorCounts, DoctorReport, Fact,
};
pub use exception::{ExceptionEntry, is_glob};
pub use grant::{
    AccessHolder, AccessRegister, AccessRegisterEntry, KnownParty, parse_holder_identifier,
    same_holder,
};
pub use grant::{
    EntityAuthorization, EntityPermission, GrantIdentifier, GrantKind, GrantRecord, GrantScope,
    GrantSubject, IdentifierType, PermissionState, PersonPermission, SubjectDetailsType,
    SubjectEntityDetails, SubjectPersonDetails,
};
pub use identifiers::{
    InternalIdError, NipError, crc8, fingerprint_hex, is_token_reference, mask_nip, mask_pesel,
    mask_pesels_in, pesel_ok, reference_check_ok, validate_internal_id, validate_nip,
};
pub use inventory::{Inventory, InventoryEntry, SecretCell, StaffMember, StaffStatus};
pub use limits::RateLimits;
pub use offboard::{
    OFFBOARD_KIND, OFFBOARD_SCHEMA_VERSION, OffboardAction, OffboardContext, OffboardItem,
    OffboardKind, OffboardPerson, OffboardRecord, OffboardResult, REFRESH_TOKEN_LIFETIME_DAYS,
    access_gone_on,
};
pub use outcome::{ERROR_EXIT, Outcome};
pub use posture::{
    AuditPosture, ClientPosture, DueDays, EXPIRING_DAYS, GrantKpis, KpiValues, ReportFacts,
    ReportRules, RuleTitle,
};
pub use reason::ReasonCode;
pub use results::*;
pub use secret::Secret;
pub use severity::Severity;
pub use shard::Shard;
pub use text::{
    cut, days_left_pl, days_pl, days_pl_gen, escape_problem, escape_terminal, escape_terminal_text,
    plural_pl, previews_pl, redact_token_shapes, secret_preview, shown_path,
};
pub use text_position::toml_error_message;
pub use timeline::{default_token_last_issuance, tokens_issuable};
pub use token::{
    ContextIdentifier, ContextSnapshot, ContextStatus, EnvironmentRef, Identifier, Permission,
    SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION, TokenRecord, TokenSnapshot, TokenStatus,
    without_userinfo,
};

/// The tool's own version, recorded in every result document.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
