//! KSeF permission grants: the three listings as the API returns them
//! (`POST /permissions/query/persons/grants`, `…/entities/grants`,
//! `…/authorizations/grants`) and [`GrantRecord`], the one shape the snapshot keeps.
//!
//! A grant gives one permission (`scope`) to one holder (a PESEL, a NIP or a
//! certificate fingerprint) in a context. Grants have no end date and no last-use
//! date; the context owner's implicit rights are never listed. Enums are open and
//! unknown fields are kept, as for tokens.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Permission;
use crate::mask_nip;
use crate::mask_pesel;
use crate::open_enum::open_enum;

open_enum! {
    /// Type of a grant's identifiers: holder (`Nip`, `Pesel`, `Fingerprint`, and
    /// `PeppolId` for entity authorizations), author (also `System`), context
    /// (`Nip`, `InternalId`, `NipVatUe`) and target (`Nip`, `InternalId`, `AllPartners`).
    IdentifierType { Nip, Pesel, Fingerprint, InternalId, AllPartners, System, PeppolId, NipVatUe }
}

impl IdentifierType {
    /// The identifier's type as people write it: `PESEL`, `NIP`, and in Polish
    /// `odcisk certyfikatu`, `identyfikator wewnętrzny`…; in English, the KSeF name.
    pub fn label(&self, polish: bool) -> &str {
        match (self, polish) {
            (_, false) => self.as_str(),
            (IdentifierType::Pesel, true) => "PESEL",
            (IdentifierType::Nip, true) => "NIP",
            (IdentifierType::Fingerprint, true) => "odcisk certyfikatu",
            (IdentifierType::InternalId, true) => "identyfikator wewnętrzny",
            (IdentifierType::AllPartners, true) => "wszyscy partnerzy",
            (IdentifierType::System, true) => "system",
            (IdentifierType::NipVatUe, true) => "NIP VAT UE",
            _ => self.as_str(),
        }
    }
}

open_enum! {
    /// What a grant allows: `PersonPermissionScope` and `EntityPermissionItemScope`
    /// (the token permissions), plus `InvoicePermissionType` of entity authorizations.
    GrantScope {
        CredentialsManage,
        CredentialsRead,
        InvoiceWrite,
        InvoiceRead,
        Introspection,
        SubunitManage,
        EnforcementOperations,
        CollectiveIdentifierManage,
        VatUeManage,
        SelfInvoicing,
        RRInvoicing,
        TaxRepresentative,
        PefInvoicing,
    }
}

open_enum! {
    /// `PermissionState`: `Inactive` only for indirect grants whose intermediary lost
    /// its right to delegate.
    PermissionState { Active, Inactive }
}

open_enum! {
    /// `PersonSubjectDetailsType` and `EntitySubjectDetailsType`: how the holder
    /// authenticates (`…WithoutIdentifier`: a certificate with no PESEL or NIP behind it).
    SubjectDetailsType {
        PersonByIdentifier,
        PersonByFingerprintWithIdentifier,
        PersonByFingerprintWithoutIdentifier,
        EntityByIdentifier,
        EntityByFingerprint,
    }
}

open_enum! {
    /// Which listing a grant came from (the tool's own classification).
    ///
    /// - `Person`: `persons/grants` with `PermissionsInCurrentContext`: a person or
    ///   entity may work in this context (directly, or indirectly through an
    ///   intermediary, then with a `target`).
    /// - `Entity`: `entities/grants`: this context received invoice permissions from
    ///   another entity (`context` names it; the holder is this context).
    /// - `AuthorizationGranted`: `authorizations/grants` with `queryType = Granted`:
    ///   this context authorized another entity (self-invoicing, tax representative …).
    /// - `AuthorizationReceived`: the same with `queryType = Received`.
    GrantKind { Person, Entity, AuthorizationGranted, AuthorizationReceived }
}

impl GrantScope {
    /// The token permission of the same name (`None` for entity authorizations and
    /// unknown scopes).
    pub fn as_permission(&self) -> Option<Permission> {
        match Permission::from(self.as_str()) {
            Permission::Other(_) => None,
            p => Some(p),
        }
    }

    #[cfg(test)]
    /// `SelfInvoicing`, `RRInvoicing`, `TaxRepresentative`, `PefInvoicing`.
    pub(crate) fn is_entity_authorization(&self) -> bool {
        matches!(
            self,
            GrantScope::SelfInvoicing
                | GrantScope::RRInvoicing
                | GrantScope::TaxRepresentative
                | GrantScope::PefInvoicing
        )
    }
}

impl GrantKind {
    /// The kind in Polish (docs/polish.md); an unknown kind as it came.
    pub fn polish(&self) -> &str {
        match self {
            GrantKind::Person => "osoba",
            GrantKind::Entity => "podmiot",
            GrantKind::AuthorizationGranted => "uprawnienie podmiotowe nadane",
            GrantKind::AuthorizationReceived => "uprawnienie podmiotowe otrzymane",
            GrantKind::Other(s) => s,
        }
    }

    /// Grants of these kinds are revoked with `DELETE /permissions/authorizations/grants/{id}`.
    pub fn is_authorization(&self) -> bool {
        matches!(
            self,
            GrantKind::AuthorizationGranted | GrantKind::AuthorizationReceived
        )
    }
}

/// `{ "type": …, "value": … }`; `value` is absent for `AllPartners` and `System`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GrantIdentifier {
    #[serde(rename = "type")]
    pub kind: IdentifierType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl GrantIdentifier {
    pub fn new(kind: IdentifierType, value: impl Into<String>) -> GrantIdentifier {
        GrantIdentifier {
            kind,
            value: Some(value.into()),
        }
    }

    pub fn nip(value: impl Into<String>) -> GrantIdentifier {
        GrantIdentifier::new(IdentifierType::Nip, value)
    }

    pub fn pesel(value: impl Into<String>) -> GrantIdentifier {
        GrantIdentifier::new(IdentifierType::Pesel, value)
    }

    pub fn value(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }

    /// For people to read: a PESEL masked (`85*******45`), a NIP masked, a
    /// fingerprint shortened; `AllPartners`/`System` as their type.
    pub fn masked(&self) -> String {
        let Some(value) = self.value.as_deref().filter(|v| !v.is_empty()) else {
            return self.kind.to_string();
        };
        match self.kind {
            IdentifierType::Pesel => mask_pesel(value),
            IdentifierType::Nip => mask_nip(value),
            IdentifierType::Fingerprint if value.chars().count() > 16 => {
                format!("{}…", value.chars().take(16).collect::<String>())
            }
            // Unknown types may carry personal data: show only the edges.
            IdentifierType::Other(_) => mask_pesel(value),
            _ => value.to_string(),
        }
    }
}

/// `PermissionsSubjectPersonDetails` of a person grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectPersonDetails {
    pub subject_details_type: SubjectDetailsType,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_identifier: Option<GrantIdentifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_document: Option<serde_json::Value>,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `PermissionsSubjectEntityDetails` (and `…EntityByIdentifierDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectEntityDetails {
    pub subject_details_type: SubjectDetailsType,
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `PersonPermission` (an item of `POST /permissions/query/persons/grants`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonPermission {
    pub id: String,
    pub authorized_identifier: GrantIdentifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_identifier: Option<GrantIdentifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_identifier: Option<GrantIdentifier>,
    pub author_identifier: GrantIdentifier,
    pub permission_scope: GrantScope,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_person_details: Option<SubjectPersonDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_entity_details: Option<SubjectEntityDetails>,
    pub permission_state: PermissionState,
    pub start_date: DateTime<Utc>,
    pub can_delegate: bool,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `EntityPermissionItem` (an item of `POST /permissions/query/entities/grants`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityPermission {
    pub id: String,
    /// The entity that granted the permission.
    pub context_identifier: GrantIdentifier,
    pub permission_scope: GrantScope,
    pub description: String,
    pub start_date: DateTime<Utc>,
    pub can_delegate: bool,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `EntityAuthorizationGrant` (an item of `POST /permissions/query/authorizations/grants`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityAuthorization {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_identifier: Option<GrantIdentifier>,
    pub authorized_entity_identifier: GrantIdentifier,
    pub authorizing_entity_identifier: GrantIdentifier,
    pub authorization_scope: GrantScope,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_entity_details: Option<SubjectEntityDetails>,
    pub start_date: DateTime<Utc>,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Who the holder is, as KSeF describes them. Birth dates and identity documents
/// are not kept (personal data the audit does not need).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantSubject {
    pub details_type: SubjectDetailsType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// An entity's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The PESEL or NIP behind a certificate fingerprint, when KSeF knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_identifier: Option<GrantIdentifier>,
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl GrantSubject {
    /// `First Last`, or the entity's full name.
    pub fn name(&self) -> Option<String> {
        match (&self.first_name, &self.last_name, &self.full_name) {
            (Some(f), Some(l), _) => Some(format!("{f} {l}")),
            (_, _, Some(full)) => Some(full.clone()),
            (Some(one), None, None) | (None, Some(one), None) => Some(one.clone()),
            _ => None,
        }
    }

    fn is_person(&self) -> bool {
        match &self.details_type {
            SubjectDetailsType::EntityByIdentifier | SubjectDetailsType::EntityByFingerprint => {
                false
            }
            SubjectDetailsType::Other(_) => self.full_name.is_none(),
            _ => true,
        }
    }
}

impl From<SubjectPersonDetails> for GrantSubject {
    fn from(d: SubjectPersonDetails) -> GrantSubject {
        GrantSubject {
            details_type: d.subject_details_type,
            first_name: Some(d.first_name),
            last_name: Some(d.last_name),
            full_name: None,
            person_identifier: d.person_identifier,
            extra: d.extra,
        }
    }
}

impl From<SubjectEntityDetails> for GrantSubject {
    fn from(d: SubjectEntityDetails) -> GrantSubject {
        GrantSubject {
            details_type: d.subject_details_type,
            first_name: None,
            last_name: None,
            full_name: Some(d.full_name),
            person_identifier: None,
            extra: d.extra,
        }
    }
}

/// One grant of a context, whichever listing it came from: what the snapshot keeps
/// and the policy rules read. Unknown fields of the API item are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRecord {
    /// `permissionId`: what `DELETE …/grants/{permissionId}` takes.
    pub id: String,
    pub kind: GrantKind,
    /// Who may act: `authorizedIdentifier` (persons), `authorizedEntityIdentifier`
    /// (authorizations), or this context itself (`Entity`).
    pub holder: GrantIdentifier,
    pub scope: GrantScope,
    #[serde(default)]
    pub description: String,
    pub start_date: DateTime<Utc>,
    /// The holder may pass the permission on (intermediary).
    #[serde(default)]
    pub can_delegate: bool,
    /// Who gave the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<GrantIdentifier>,
    /// `targetIdentifier` of an indirect grant: one client (`Nip`, `InternalId`) or
    /// every client of the intermediary (`AllPartners`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<GrantIdentifier>,
    /// `contextIdentifier` of a person grant (subunit administrators), the granting
    /// entity of an `Entity` grant, the authorizing entity of an authorization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<GrantIdentifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PermissionState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<GrantSubject>,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl GrantRecord {
    /// A person grant (`Person`).
    pub fn from_person(p: PersonPermission) -> GrantRecord {
        let subject = p
            .subject_person_details
            .map(GrantSubject::from)
            .or(p.subject_entity_details.map(GrantSubject::from));
        GrantRecord {
            id: p.id,
            kind: GrantKind::Person,
            holder: p.authorized_identifier,
            scope: p.permission_scope,
            description: p.description,
            start_date: p.start_date,
            can_delegate: p.can_delegate,
            author: Some(p.author_identifier),
            target: p.target_identifier,
            context: p.context_identifier,
            state: Some(p.permission_state),
            subject,
            extra: p.extra,
        }
    }

    /// A permission this context (`own`) received from another entity (`Entity`).
    pub fn from_entity(e: EntityPermission, own: &GrantIdentifier) -> GrantRecord {
        GrantRecord {
            id: e.id,
            kind: GrantKind::Entity,
            holder: own.clone(),
            scope: e.permission_scope,
            description: e.description,
            start_date: e.start_date,
            can_delegate: e.can_delegate,
            author: None,
            target: None,
            context: Some(e.context_identifier),
            state: None,
            subject: None,
            extra: e.extra,
        }
    }

    /// An entity authorization; `kind` is `AuthorizationGranted` or `AuthorizationReceived`.
    pub fn from_authorization(a: EntityAuthorization, kind: GrantKind) -> GrantRecord {
        GrantRecord {
            id: a.id,
            kind,
            holder: a.authorized_entity_identifier,
            scope: a.authorization_scope,
            description: a.description,
            start_date: a.start_date,
            can_delegate: false,
            author: a.author_identifier,
            target: None,
            context: Some(a.authorizing_entity_identifier),
            state: None,
            subject: a.subject_entity_details.map(GrantSubject::from),
            extra: a.extra,
        }
    }

    /// Back to the `persons/grants` item shape (the simulator serves it).
    pub fn to_person(&self) -> PersonPermission {
        let (person, entity) = self.subject_details();
        PersonPermission {
            id: self.id.clone(),
            authorized_identifier: self.holder.clone(),
            context_identifier: self.context.clone(),
            target_identifier: self.target.clone(),
            author_identifier: self.author.clone().unwrap_or(GrantIdentifier {
                kind: IdentifierType::System,
                value: None,
            }),
            permission_scope: self.scope.clone(),
            description: self.description.clone(),
            subject_person_details: person,
            subject_entity_details: entity,
            permission_state: self.state.clone().unwrap_or(PermissionState::Active),
            start_date: self.start_date,
            can_delegate: self.can_delegate,
            extra: self.extra.clone(),
        }
    }

    /// Back to the `entities/grants` item shape; `own` stands in for a missing `context`.
    pub fn to_entity(&self, own: &GrantIdentifier) -> EntityPermission {
        EntityPermission {
            id: self.id.clone(),
            context_identifier: self.context.clone().unwrap_or_else(|| own.clone()),
            permission_scope: self.scope.clone(),
            description: self.description.clone(),
            start_date: self.start_date,
            can_delegate: self.can_delegate,
            extra: self.extra.clone(),
        }
    }

    /// Back to the `authorizations/grants` item shape; `own` stands in for a missing `context`.
    pub fn to_authorization(&self, own: &GrantIdentifier) -> EntityAuthorization {
        EntityAuthorization {
            id: self.id.clone(),
            author_identifier: self.author.clone(),
            authorized_entity_identifier: self.holder.clone(),
            authorizing_entity_identifier: self.context.clone().unwrap_or_else(|| own.clone()),
            authorization_scope: self.scope.clone(),
            description: self.description.clone(),
            subject_entity_details: self.subject.as_ref().and_then(|s| {
                s.full_name.as_ref().map(|full| SubjectEntityDetails {
                    subject_details_type: s.details_type.clone(),
                    full_name: full.clone(),
                    address: None,
                    extra: s.extra.clone(),
                })
            }),
            start_date: self.start_date,
            extra: self.extra.clone(),
        }
    }

    fn subject_details(&self) -> (Option<SubjectPersonDetails>, Option<SubjectEntityDetails>) {
        let Some(s) = &self.subject else {
            return (None, None);
        };
        if s.is_person() {
            let person = SubjectPersonDetails {
                subject_details_type: s.details_type.clone(),
                first_name: s.first_name.clone().unwrap_or_default(),
                last_name: s.last_name.clone().unwrap_or_default(),
                person_identifier: s.person_identifier.clone(),
                birth_date: None,
                id_document: None,
                extra: s.extra.clone(),
            };
            (Some(person), None)
        } else {
            let entity = SubjectEntityDetails {
                subject_details_type: s.details_type.clone(),
                full_name: s.full_name.clone().unwrap_or_default(),
                address: None,
                extra: s.extra.clone(),
            };
            (None, Some(entity))
        }
    }

    /// The call that removes the grant, e.g. `DELETE /permissions/common/grants/{id}`.
    pub fn revoke_endpoint(&self) -> String {
        if self.kind.is_authorization() {
            format!("DELETE /permissions/authorizations/grants/{}", self.id)
        } else {
            format!("DELETE /permissions/common/grants/{}", self.id)
        }
    }

    /// The PESEL or NIP of the holder: the holder itself, or the identifier KSeF
    /// knows behind a certificate fingerprint.
    pub fn holder_identity(&self) -> Option<&GrantIdentifier> {
        match self.holder.kind {
            IdentifierType::Pesel | IdentifierType::Nip => Some(&self.holder),
            _ => self
                .subject
                .as_ref()
                .and_then(|s| s.person_identifier.as_ref()),
        }
    }

    /// Bound only to a certificate fingerprint: no PESEL or NIP behind it is known.
    pub fn is_fingerprint_only(&self) -> bool {
        self.holder.kind == IdentifierType::Fingerprint && self.holder_identity().is_none()
    }

    /// An indirect grant reaching every client of the intermediary.
    pub fn reaches_all_partners(&self) -> bool {
        self.target
            .as_ref()
            .is_some_and(|t| t.kind == IdentifierType::AllPartners)
    }

    /// The holder's name as KSeF gives it, when it does.
    pub fn holder_name(&self) -> Option<String> {
        self.subject.as_ref().and_then(GrantSubject::name)
    }
}

impl GrantRecord {
    /// The holder is someone other than the context itself: person grants and
    /// authorizations this context gave (not `Entity` or `AuthorizationReceived`, whose
    /// holder is the context).
    pub fn held_by_other(&self) -> bool {
        !matches!(
            self.kind,
            GrantKind::Entity | GrantKind::AuthorizationReceived
        )
    }

    /// Every identifier the holder is known by: the holder itself and the PESEL/NIP
    /// behind a certificate fingerprint.
    pub fn holder_keys(&self) -> Vec<&GrantIdentifier> {
        let mut keys = vec![&self.holder];
        if let Some(behind) = self
            .subject
            .as_ref()
            .and_then(|s| s.person_identifier.as_ref())
            && behind != &self.holder
        {
            keys.push(behind);
        }
        keys.retain(|k| !k.value().is_empty());
        keys
    }
}

/// Reads an identifier as written in the config or an access register: `Type:value`
/// (`Pesel:…`, `Nip:…`, `Fingerprint:…`) or a bare value (10 digits: NIP, 11 digits:
/// PESEL, 64 hex digits: certificate fingerprint). Check digits are verified.
pub fn parse_holder_identifier(raw: &str) -> Result<GrantIdentifier, String> {
    let raw = raw.trim();
    let (kind, value) = match raw.split_once(':') {
        Some((k, v)) => (Some(k.trim().to_lowercase()), v.trim()),
        None => (None, raw),
    };
    let compact: String = value.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let is_digits = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit());
    let kind = match kind.as_deref() {
        Some("pesel") => IdentifierType::Pesel,
        Some("nip") => IdentifierType::Nip,
        Some("fingerprint") => IdentifierType::Fingerprint,
        Some(other) => {
            return Err(format!(
                "unknown identifier type '{other}' (expected Pesel, Nip or Fingerprint)"
            ));
        }
        None if is_digits && compact.len() == 11 => IdentifierType::Pesel,
        None if is_digits && compact.len() == 10 => IdentifierType::Nip,
        None if compact.len() == 64 => IdentifierType::Fingerprint,
        None => {
            return Err(
                "not a PESEL (11 digits), NIP (10 digits) or certificate fingerprint (64 hex digits)"
                    .into(),
            );
        }
    };
    match kind {
        IdentifierType::Pesel if !crate::pesel_ok(&compact) => {
            Err("bad PESEL (11 digits with a valid check digit expected; value not shown)".into())
        }
        IdentifierType::Nip => crate::validate_nip(&compact)
            .map(GrantIdentifier::nip)
            .map_err(|e| format!("bad NIP '{value}': {e}")),
        IdentifierType::Fingerprint
            if !(compact.len() == 64 && compact.chars().all(|c| c.is_ascii_hexdigit())) =>
        {
            Err(format!(
                "bad certificate fingerprint '{value}' (64 hex digits of SHA-256 expected)"
            ))
        }
        IdentifierType::Fingerprint => Ok(GrantIdentifier::new(kind, compact.to_uppercase())),
        _ => Ok(GrantIdentifier::new(kind, compact)),
    }
}

/// Two identifiers name the same holder (type and value; fingerprints ignore case).
pub fn same_holder(a: &GrantIdentifier, b: &GrantIdentifier) -> bool {
    a.kind == b.kind && a.value().trim().eq_ignore_ascii_case(b.value().trim())
}

/// An outside party the firm knows holds grants in client contexts (`[[known-parties]]`
/// in the config): the client's own people, its software vendor, other accounting firms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownParty {
    pub identifier: GrantIdentifier,
    pub name: String,
    pub reason: String,
}

/// One row of the approved access register (`--access-register`): who may hold which
/// permissions in which client context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRegisterEntry {
    /// 1-based line number in the file (the header is row 1).
    pub row: usize,
    pub nip: String,
    /// A PESEL/NIP/fingerprint, or a staff id of the staff list.
    pub holder: AccessHolder,
    /// Approved scopes (as KSeF names them).
    pub permissions: Vec<GrantScope>,
}

/// Who a register row approves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessHolder {
    Identifier(GrantIdentifier),
    /// A staff id (e-mail or login) of the staff list.
    Staff(String),
}

/// A loaded access register.
#[derive(Debug, Clone, Default)]
pub struct AccessRegister {
    pub entries: Vec<AccessRegisterEntry>,
    /// Lowercase hex SHA-256 of the file bytes.
    pub digest: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's example of `persons/grants`, with a value and a field it does not know.
    const PERSON: &str = r#"{
        "id": "0c9a72e8-f344-457f-9c16-7c640eb60242",
        "authorizedIdentifier": {"type": "Nip", "value": "7762811692"},
        "targetIdentifier": {"type": "Nip", "value": "9786214922"},
        "authorIdentifier": {"type": "Pesel", "value": "15062788702"},
        "permissionScope": "InvoiceWrite",
        "description": "praca dla klienta 9786214922; uprawniony NIP: 7762811692, Adam Abacki; pośrednik 3936518395",
        "permissionState": "Active",
        "startDate": "2025-06-22T10:41:11+00:00",
        "canDelegate": false
    }"#;

    #[test]
    fn contract_example_round_trips_through_the_record() {
        let api: PersonPermission = serde_json::from_str(PERSON).expect("parses");
        let rec = GrantRecord::from_person(api.clone());
        assert_eq!(rec.kind, GrantKind::Person);
        assert_eq!(rec.holder, GrantIdentifier::nip("7762811692"));
        assert_eq!(rec.scope, GrantScope::InvoiceWrite);
        assert_eq!(rec.scope.as_permission(), Some(Permission::InvoiceWrite));
        assert_eq!(rec.to_person(), api);
        assert_eq!(
            rec.revoke_endpoint(),
            "DELETE /permissions/common/grants/0c9a72e8-f344-457f-9c16-7c640eb60242"
        );
    }

    #[test]
    fn unknown_enum_values_and_fields_survive_the_snapshot() {
        let mut v: serde_json::Value = serde_json::from_str(PERSON).expect("json");
        v["permissionScope"] = "FutureScope".into();
        v["permissionState"] = "Suspended".into();
        v["authorizedIdentifier"] = serde_json::json!({"type": "EuVat", "value": "DE123456789"});
        v["targetIdentifier"] = serde_json::json!({"type": "AllPartners"});
        v["validUntil"] = "2027-01-01".into();
        let api: PersonPermission = serde_json::from_value(v).expect("parses");
        let rec = GrantRecord::from_person(api);
        assert_eq!(rec.scope, GrantScope::Other("FutureScope".into()));
        assert!(rec.reaches_all_partners());
        let text = serde_json::to_string(&rec).expect("serialises");
        let back: GrantRecord = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, rec);
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(json["scope"], "FutureScope");
        assert_eq!(json["state"], "Suspended");
        assert_eq!(json["holder"]["type"], "EuVat");
        assert_eq!(json["validUntil"], "2027-01-01");
        assert_eq!(json["target"], serde_json::json!({"type": "AllPartners"}));
        // An unknown identifier type is masked like a PESEL.
        assert_eq!(rec.holder.masked(), "DE*******89");
    }

    #[test]
    fn fingerprint_holders_with_and_without_an_identity() {
        let mut rec = GrantRecord::from_person(serde_json::from_str(PERSON).expect("parses"));
        rec.holder = GrantIdentifier::new(IdentifierType::Fingerprint, "AB".repeat(32));
        assert!(rec.is_fingerprint_only());
        assert_eq!(rec.holder.masked(), format!("{}…", "AB".repeat(8)));
        rec.subject = Some(GrantSubject {
            details_type: SubjectDetailsType::PersonByFingerprintWithIdentifier,
            first_name: Some("Jan".into()),
            last_name: Some("Nowak".into()),
            full_name: None,
            person_identifier: Some(GrantIdentifier::pesel("85010112345")),
            extra: Default::default(),
        });
        assert!(!rec.is_fingerprint_only());
        assert_eq!(
            rec.holder_identity()
                .map(GrantIdentifier::masked)
                .as_deref(),
            Some("85*******45")
        );
        assert_eq!(rec.holder_name().as_deref(), Some("Jan Nowak"));
        let api = rec.to_person();
        assert_eq!(
            api.subject_person_details
                .as_ref()
                .map(|d| d.first_name.as_str()),
            Some("Jan")
        );
        assert_eq!(GrantRecord::from_person(api), rec);
    }

    #[test]
    fn authorizations_keep_both_entities_and_their_own_revoke_call() {
        let a: EntityAuthorization = serde_json::from_value(serde_json::json!({
            "id": "0c9a72e8-f344-457f-9c16-7c640eb60242",
            "authorIdentifier": {"type": "Pesel", "value": "15062788702"},
            "authorizedEntityIdentifier": {"type": "Nip", "value": "7762811692"},
            "authorizingEntityIdentifier": {"type": "Nip", "value": "1134256681"},
            "authorizationScope": "SelfInvoicing",
            "description": "Uprawnienie podmiotowe do samofakturowania",
            "startDate": "2025-06-22T10:41:11+00:00"
        }))
        .expect("parses");
        let own = GrantIdentifier::nip("1134256681");
        let rec = GrantRecord::from_authorization(a.clone(), GrantKind::AuthorizationGranted);
        assert!(rec.scope.is_entity_authorization());
        assert_eq!(rec.scope.as_permission(), None);
        assert_eq!(rec.context.as_ref(), Some(&own));
        assert!(
            rec.revoke_endpoint()
                .contains("/permissions/authorizations/grants/")
        );
        assert_eq!(rec.to_authorization(&own), a);
    }
}
