//! Built-in conditions: logic the operators cannot express (the staff list, other tokens of
//! the context, secrets in the inventory). A rule calls one with `{ builtin = "name" }`; the
//! loader finds it in the table of `registry.rs` and checks the rule declares its parameters.
//!
//! One file per built-in, named after it (`owner_left.rs` is `owner-left`; `personal-data` is
//! `personal_data_in_description.rs`): its `BUILTIN` (name, parameters, function) and its
//! English and Polish words. Words and checks several built-ins share are in `helpers.rs`.
//!
//! **Adding a built-in** = one file here (its `BUILTIN` and function) + one row in
//! `registry.rs` + the rule's TOML that calls it. Nothing else.
//!
//! A built-in sees its subject through `SubjectView` (implemented by the evaluation) and
//! returns `Some(detail)` when it holds (the detail, in English and Polish, joins the
//! finding's evidence), `None` when it does not.

mod helpers;
mod registry;

mod auditor_over_privileged;
mod author_left;
mod certificate_expires_within;
mod certificate_limit_low;
mod certificate_subject_left;
mod duplicate_active;
mod environment_mismatch;
mod excess_permissions;
mod grant_beyond_register;
mod grant_fingerprint_only;
mod grant_holder_in_many_contexts;
mod grant_holder_left;
mod grant_holder_unknown;
mod owner_left;
mod personal_data_in_description;
mod secret_in_inventory;
mod token_sunset_approaching;
mod token_sunset_near;
mod too_many_credentials_managers;

use std::fmt;

use chrono::DateTime;
use chrono::Utc;
use ksef_model::AccessRegister;
use ksef_model::CertificateRecord;
use ksef_model::ContextCertificates;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::Identifier;
use ksef_model::InventoryEntry;
use ksef_model::KnownParty;
use ksef_model::Permission;
use ksef_model::SecretCell;
use ksef_model::StaffMember;
use ksef_model::TokenRecord;

use crate::rule::PolicyRule;

pub(crate) use helpers::join_or;
pub use helpers::personal_data;
pub(crate) use helpers::system_key;
pub(crate) use registry::DATE_PARAMETERS;
pub(crate) use registry::builtin_names;
pub(crate) use registry::find_builtin;

/// What a built-in may look at: the subject (a token and/or its inventory row) and its
/// surroundings, as plain values.
pub(crate) trait SubjectView {
    /// The KSeF token, when KSeF lists it.
    fn token(&self) -> Option<&TokenRecord>;
    /// The inventory row, when the inventory lists the token.
    fn entry(&self) -> Option<&InventoryEntry>;
    /// The staff member an inventory `owner` names.
    fn staff_owner(&self, owner: &str) -> Option<&StaffMember>;
    /// The staff member who created a token (by PESEL or NIP).
    fn staff_author(&self, author: &Identifier) -> Option<&StaffMember>;
    /// The inventory has a `permissions` column (empty cells then approve nothing).
    fn has_permissions_column(&self) -> bool;
    /// References of the context's active tokens serving system `key` (see [`system_key`]).
    fn active_for_system(&self, key: &str) -> Vec<&str>;
    /// This run audited the context (false for an inventory NIP it did not).
    fn context_audited(&self) -> bool;
    /// The environment the context was audited in (`prod`, `demo`, `test`, …).
    fn context_environment(&self) -> &str;
    /// Permissions of the tool's own token in the context, when known.
    fn auditor_permissions(&self) -> Option<Vec<Permission>>;
    /// Cells of the inventory row that hold a token value.
    fn secrets(&self) -> &[&SecretCell];
    /// The grant a `subject = "grant"` rule judges.
    fn grant(&self) -> Option<&GrantRecord> {
        None
    }
    /// The NIP of the context being judged.
    fn context_nip(&self) -> &str {
        ""
    }
    /// Every grant of the context.
    fn context_grants(&self) -> &[GrantRecord] {
        &[]
    }
    /// The staff member a grant identifier names (PESEL, NIP or certificate fingerprint).
    fn staff_holder(&self, _id: &GrantIdentifier) -> Option<&StaffMember> {
        None
    }
    /// The config's known outside party with this identifier.
    fn known_party(&self, _id: &GrantIdentifier) -> Option<&KnownParty> {
        None
    }
    /// NIPs of the audited contexts in which the holder named by `id` holds a grant.
    fn contexts_held_by(&self, _id: &GrantIdentifier) -> Vec<&str> {
        Vec::new()
    }
    /// The approved access register, when one was given.
    fn access_register(&self) -> Option<&AccessRegister> {
        None
    }
    /// The KSeF certificate a `subject = "certificate"` rule judges, when KSeF lists it.
    fn certificate(&self) -> Option<&CertificateRecord> {
        None
    }
    /// The context's certificate list and limits, when they were read in full.
    fn context_certificates(&self) -> Option<&ContextCertificates> {
        None
    }
    /// The moment the audit judges dates against.
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::MIN_UTC
    }
}

/// What a built-in saw, in plain words, in English and in Polish (`--lang pl`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Detail {
    pub(crate) en: String,
    pub(crate) pl: String,
}

impl Detail {
    pub(crate) fn new(en: impl Into<String>, pl: impl Into<String>) -> Detail {
        Detail {
            en: en.into(),
            pl: pl.into(),
        }
    }

    /// The words in Polish when `pl`, else in English.
    pub(crate) fn text(&self, pl: bool) -> &str {
        if pl { &self.pl } else { &self.en }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.en.is_empty() && self.pl.is_empty()
    }
}

/// A built-in condition's function: `Some(detail)` when it holds.
pub(crate) type BuiltinCheck = fn(&dyn SubjectView, &PolicyRule) -> Option<Detail>;

/// One registered built-in.
pub(crate) struct Builtin {
    /// The name rules call it by.
    pub(crate) name: &'static str,
    /// Parameters it reads from its rule (the loader checks the rule declares them).
    pub(crate) parameters: &'static [&'static str],
    pub(crate) check: BuiltinCheck,
}

impl fmt::Debug for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Builtin({})", self.name)
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
