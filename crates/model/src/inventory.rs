//! The firm's own records: token inventory rows and the staff list.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Permission;

/// One row of the token inventory CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryEntry {
    /// 1-based data row number in the file (header is row 1, first entry row 2).
    pub row: usize,
    pub nip: String,
    /// Join key with KSeF's `referenceNumber`.
    pub reference_number: String,
    pub name: Option<String>,
    pub system: Option<String>,
    /// `prod`, `demo` or `test`.
    pub environment: Option<String>,
    pub owner: Option<String>,
    /// Approved permissions.
    pub permissions: Vec<Permission>,
    /// Planned rotation or expiry date.
    pub expires: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Columns the tool does not know, by their header as written.
    pub extra: BTreeMap<String, String>,
    /// KSeF certificate serial number (uppercase hex) the row names, when the inventory
    /// has a `certificate_serial` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffStatus {
    Active,
    Left,
}

/// One person of the staff list CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub row: usize,
    /// E-mail or staff id, matched against the inventory's `owner`.
    pub id: String,
    pub name: Option<String>,
    /// Matched against a token's `authorIdentifier` of type `Pesel`.
    pub pesel: Option<String>,
    /// Matched against a token's `authorIdentifier` of type `Nip`.
    pub nip: Option<String>,
    /// Certificate fingerprint (SHA-256, hex) of the person's KSeF certificate, matched
    /// against a grant held by a fingerprint. Absent in staff lists without the column.
    #[serde(default)]
    pub fingerprint: Option<String>,
    pub status: StaffStatus,
    pub left_on: Option<NaiveDate>,
}

/// A cell into which someone pasted a KSeF token value. The value itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretCell {
    pub row: usize,
    /// Column letter and header, e.g. `I ('notes')`.
    pub column: String,
    /// The row's NIP as written (validated or not).
    pub nip: String,
    pub reference_number: Option<String>,
    /// Lowercase hex SHA-256 of the token string.
    pub fingerprint: String,
    /// Reference and masked context, secret part replaced by `*`.
    pub preview: String,
}

/// A loaded inventory.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Rows naming a KSeF token (reference number).
    pub entries: Vec<InventoryEntry>,
    /// Rows naming a KSeF certificate (serial number); a row naming both is in both lists.
    pub certificate_entries: Vec<InventoryEntry>,
    pub secrets: Vec<SecretCell>,
    /// Canonical columns present in the file.
    pub columns: BTreeSet<String>,
    /// Lowercase hex SHA-256 of the file bytes.
    pub digest: String,
}

impl Inventory {
    pub fn has_column(&self, canonical: &str) -> bool {
        self.columns.contains(canonical)
    }
}
