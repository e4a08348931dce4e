//! The TOML schema of policy rules: what a rule file may say (subjects, fields, operators,
//! conditions as written, examples). Compiling conditions is `compile`; checks are `load`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use ksef_model::Severity;
use ksef_rules::RuleStatus;

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// One KSeF token of an audited context, joined with its inventory row.
    Credential,
    /// One inventory row, joined with the KSeF token it names.
    InventoryEntry,
    /// One audited context (the tool's own access to it).
    Context,
    /// One permission grant of an audited context.
    Grant,
    /// One KSeF certificate of an audited context joined with its inventory row, or an
    /// inventory row naming a certificate KSeF does not list.
    Certificate,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Credential => "credential",
            Subject::InventoryEntry => "inventory-entry",
            Subject::Context => "context",
            Subject::Grant => "grant",
            Subject::Certificate => "certificate",
        }
    }
}

/// How a field can be tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// Only `missing` / `present`.
    Presence,
    Text,
    Date,
    List,
}

macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub(crate) enum $name { $($variant,)+ }

        impl $name {
            pub(crate) const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub(crate) fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub(crate) fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            pub(crate) fn names() -> String {
                Self::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set! {
    /// Fields a condition can test.
    Field {
        Token = "token",
        TokenStatus = "token.status",
        TokenDescription = "token.description",
        TokenPermissions = "token.permissions",
        TokenCreated = "token.created",
        TokenLastUsed = "token.last-used",
        TokenAuthorType = "token.author-type",
        Inventory = "inventory",
        InventoryOwner = "inventory.owner",
        InventorySystem = "inventory.system",
        InventoryEnvironment = "inventory.environment",
        InventoryPermissions = "inventory.permissions",
        InventoryExpires = "inventory.expires",
        ContextEnvironment = "context.environment",
        ContextStatus = "context.status",
        AuditorPermissions = "auditor.permissions",
        GrantKind = "grant.kind",
        GrantScope = "grant.scope",
        GrantHolderType = "grant.holder-type",
        GrantCanDelegate = "grant.can-delegate",
        GrantTargetType = "grant.target-type",
        GrantState = "grant.state",
        GrantCreated = "grant.created",
        Certificate = "certificate",
        CertificateStatus = "certificate.status",
        CertificateType = "certificate.type",
        CertificateSubjectType = "certificate.subject-type",
        CertificateValidTo = "certificate.valid-to",
        CertificateLastUsed = "certificate.last-used",
        CertificateRequested = "certificate.requested",
        CertificatesRead = "context.certificates",
    }
}

impl Field {
    pub(crate) fn kind(self) -> FieldKind {
        match self {
            Field::Token | Field::Inventory | Field::Certificate | Field::CertificatesRead => {
                FieldKind::Presence
            }
            Field::TokenStatus
            | Field::TokenDescription
            | Field::TokenAuthorType
            | Field::InventoryOwner
            | Field::InventorySystem
            | Field::InventoryEnvironment
            | Field::ContextEnvironment
            | Field::ContextStatus
            | Field::GrantKind
            | Field::GrantScope
            | Field::GrantHolderType
            | Field::GrantCanDelegate
            | Field::GrantTargetType
            | Field::GrantState
            | Field::CertificateStatus
            | Field::CertificateType
            | Field::CertificateSubjectType => FieldKind::Text,
            Field::TokenCreated
            | Field::TokenLastUsed
            | Field::InventoryExpires
            | Field::GrantCreated
            | Field::CertificateValidTo
            | Field::CertificateLastUsed
            | Field::CertificateRequested => FieldKind::Date,
            Field::TokenPermissions | Field::InventoryPermissions | Field::AuditorPermissions => {
                FieldKind::List
            }
        }
    }
}

closed_set! {
    /// The closed set of condition operators.
    Op {
        Missing = "missing",
        Present = "present",
        Equals = "equals",
        NotEquals = "not-equals",
        In = "in",
        NotIn = "not-in",
        ContainsAny = "contains-any",
        OlderThan = "older-than",
        NewerThan = "newer-than",
        DueWithin = "due-within",
        Matches = "matches",
        NotMatches = "not-matches",
    }
}

impl Op {
    pub(crate) fn accepts(self, kind: FieldKind) -> bool {
        match self {
            Op::Missing | Op::Present => true,
            Op::Equals | Op::NotEquals | Op::In | Op::NotIn | Op::Matches | Op::NotMatches => {
                kind == FieldKind::Text
            }
            Op::ContainsAny => kind == FieldKind::List,
            Op::OlderThan | Op::NewerThan | Op::DueWithin => kind == FieldKind::Date,
        }
    }
}

/// A condition as written in TOML: `{ field, op, value | param }`, `{ builtin }` or `{ any = [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<toml::Value>,
    /// Take the operand from this rule parameter (so the config can change it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCondition>>,
}

/// A token in a rule example. Dates are relative to the examples' "now", 2026-01-15 12:00 UTC
/// (the rule self-test in `evaluate` judges them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<String>,
    #[serde(default = "default_status")]
    pub(crate) status: String,
    #[serde(default = "default_description")]
    pub(crate) description: String,
    #[serde(default = "default_permissions")]
    pub(crate) permissions: Vec<String>,
    #[serde(default = "default_created")]
    pub(crate) created: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_used: Option<NaiveDate>,
    /// `Type:value`, e.g. `Pesel:85010112345` (default `Nip:5265877635`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) author: Option<String>,
    /// A validity end KSeF may list for tokens in future (kept as `validTo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) valid_to: Option<NaiveDate>,
}

fn default_status() -> String {
    "Active".into()
}
fn default_description() -> String {
    "Acme-Fakturownia-prod-2025".into()
}
fn default_permissions() -> Vec<String> {
    vec!["InvoiceRead".into(), "InvoiceWrite".into()]
}
fn default_created() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default()
}

/// The inventory row of a rule example.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) environment: Option<String>,
    /// Approved permissions (default: the token's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) permissions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires: Option<NaiveDate>,
    /// Column into which the firm pasted a token value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) secret_in: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleStaff {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pesel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nip: Option<String>,
    /// `active` or `left`.
    pub(crate) status: String,
    /// Certificate fingerprint (64 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fingerprint: Option<String>,
}

/// A permission grant in a rule example (subject `grant`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleGrant {
    /// Default: a generated id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    /// The context the grant is in (default: the example context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nip: Option<String>,
    /// `Person` (default), `Entity`, `AuthorizationGranted`, `AuthorizationReceived`.
    #[serde(default = "default_grant_kind")]
    pub(crate) kind: String,
    /// `Type:value`, e.g. `Pesel:85010112345` (default), `Nip:…`, `Fingerprint:…`.
    #[serde(default = "default_holder")]
    pub(crate) holder: String,
    /// The PESEL/NIP KSeF knows behind a fingerprint, `Type:value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<String>,
    #[serde(default = "default_scope")]
    pub(crate) scope: String,
    #[serde(default = "default_created")]
    pub(crate) created: NaiveDate,
    #[serde(default)]
    pub(crate) can_delegate: bool,
    /// `AllPartners`, or `Type:value` of one client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
}

fn default_grant_kind() -> String {
    "Person".into()
}
fn default_holder() -> String {
    "Pesel:85010112345".into()
}
fn default_scope() -> String {
    "InvoiceRead".into()
}

/// A KSeF certificate in a rule example (subject `certificate`, or the certificate list and
/// limits of a `context` rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleCertificate {
    /// Default: `018209160C631F1E`.
    #[serde(default = "default_serial")]
    pub(crate) serial: String,
    #[serde(default = "default_status")]
    pub(crate) status: String,
    /// `Authentication` (default) or `Offline`.
    #[serde(default = "default_certificate_type", rename = "type")]
    pub(crate) kind: String,
    /// `Type:value`, e.g. `Pesel:85010112345` (default), `Nip:…`, `Fingerprint:…`.
    #[serde(default = "default_holder")]
    pub(crate) subject: String,
    #[serde(default = "default_valid_to")]
    pub(crate) valid_to: NaiveDate,
    /// Omit for a certificate never used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_used: Option<NaiveDate>,
    #[serde(default = "default_created")]
    pub(crate) requested: NaiveDate,
}

fn default_serial() -> String {
    "018209160C631F1E".into()
}
fn default_certificate_type() -> String {
    "Authentication".into()
}
fn default_valid_to() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 11, 1).unwrap_or_default()
}

/// Certificate limits (`GET /certificates/limits`) in a rule example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleLimits {
    pub(crate) enrollment_remaining: i64,
    pub(crate) enrollment_limit: i64,
    pub(crate) certificate_remaining: i64,
    pub(crate) certificate_limit: i64,
}

/// A row of the approved access register in a rule example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleRegisterRow {
    /// Default: the example context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nip: Option<String>,
    /// `Type:value` or a staff id.
    pub(crate) holder: String,
    pub(crate) permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleContext {
    #[serde(default = "default_env")]
    pub(crate) environment: String,
    /// The example token is the one the tool itself authenticates with.
    #[serde(default)]
    pub(crate) auditor: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) auditor_permissions: Option<Vec<String>>,
}

fn default_env() -> String {
    "prod".into()
}

/// Another token of the example's context, with its inventory row when listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleOther {
    pub(crate) token: ExampleToken,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inventory: Option<ExampleEntry>,
}

/// One rule example: a credential plus its joined inventory row, and what else
/// the rule needs to see (staff, other tokens, the context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    /// One line saying what the example shows.
    pub note: String,
    /// Omit for an inventory row whose token KSeF does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<ExampleToken>,
    /// Omit for a token the inventory does not list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inventory: Option<ExampleEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) others: Vec<ExampleOther>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) staff: Vec<ExampleStaff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<ExampleContext>,
    /// The grant a `subject = "grant"` rule judges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) grant: Option<ExampleGrant>,
    /// Other grants, in this context or (with `nip`) in other client contexts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) other_grants: Vec<ExampleGrant>,
    /// Identifiers (`Type:value`) of the config's `[[known-parties]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) known_parties: Vec<String>,
    /// The approved access register, when the example has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) access_register: Option<Vec<ExampleRegisterRow>>,
    /// The KSeF certificate a `subject = "certificate"` rule judges (omit for an inventory
    /// row naming a certificate KSeF does not list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) certificate: Option<ExampleCertificate>,
    /// The certificate limits of the context, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) certificate_limits: Option<ExampleLimits>,
    /// Whether the context's certificate list was read (default: it was, when the example
    /// has a certificate, limits, or a certificate inventory row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) certificates_read: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fail: Vec<Example>,
    #[serde(default)]
    pub pass: Vec<Example>,
}

/// A policy rule as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawPolicyRule {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) severity: Severity,
    pub(crate) status: RuleStatus,
    #[serde(default = "default_since")]
    pub(crate) since: String,
    pub(crate) subject: Subject,
    pub(crate) description: String,
    pub(crate) why: String,
    pub(crate) remediation: String,
    #[serde(default)]
    pub(crate) references: Vec<String>,
    pub(crate) message: String,
    /// The message and the remediation in Polish (`--lang pl`); same placeholders.
    #[serde(default)]
    pub(crate) message_pl: Option<String>,
    #[serde(default)]
    pub(crate) remediation_pl: Option<String>,
    /// The remediation once KSeF tokens can no longer be issued (after the config's
    /// `[audit] token-last-issuance`): what to do instead of creating a token.
    #[serde(default)]
    pub(crate) remediation_after_issuance: Option<String>,
    #[serde(default)]
    pub(crate) remediation_after_issuance_pl: Option<String>,
    /// The report section that lists this rule's findings (e.g. `untracked`).
    #[serde(default)]
    pub(crate) report_section: Option<String>,
    /// Plain-language title for people (reports), English and Polish.
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) title_pl: Option<String>,
    #[serde(default)]
    pub(crate) parameters: BTreeMap<String, toml::Value>,
    pub(crate) when: Vec<RawCondition>,
    pub(crate) examples: Examples,
}

fn default_since() -> String {
    "0.1.0".into()
}
