//! The offboarding record (`ksef-audit offboard PERSON`): what a person who left can still
//! do in every client context, what was done about it, and what only they can do.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const OFFBOARD_KIND: &str = "ksef-audit/offboard";
pub const OFFBOARD_SCHEMA_VERSION: u32 = 1;

/// How long a KSeF refresh token lives. Revoking a token or certificate stops new
/// sign-ins, but a refresh token obtained before keeps issuing access tokens until it
/// expires (KSeF API 2.0: refresh tokens are valid for 7 days), and `/auth/sessions`
/// lists only the caller's own sign-ins, so another person's cannot be ended early.
pub const REFRESH_TOKEN_LIFETIME_DAYS: i64 = 7;

/// The day access is certainly gone after a revocation at `revoked_at`.
pub fn access_gone_on(revoked_at: DateTime<Utc>) -> NaiveDate {
    (revoked_at + Duration::days(REFRESH_TOKEN_LIFETIME_DAYS)).date_naive()
}

/// Who is being offboarded: never a PESEL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardPerson {
    /// The staff list's `id` (e-mail or staff id).
    pub staff_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `left` or `active` on the staff list.
    pub staff_status: String,
    #[serde(default)]
    pub left_on: Option<NaiveDate>,
}

/// One context as the run read it: `complete` or `incomplete` (with the reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardContext {
    pub nip: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `complete` or `incomplete`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What kind of reason it is (stable, for programs), as in snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<crate::ReasonCode>,
    /// How the tool signed in: `token` or `certificate`.
    pub signed_in_with: String,
}

/// What kind of access an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OffboardKind {
    Token,
    Grant,
    Certificate,
}

/// What the plan does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OffboardAction {
    /// Revoke the token (unused, nobody's or the person's own).
    Revoke,
    /// In use: its owner replaces it in their system first, then it is revoked.
    RotateThenRevoke,
    /// Remove the permission grant.
    Remove,
    /// Only the certificate's owner can revoke it.
    OwnerRevokes,
    /// Never removed by this tool (the firm's own grant, the last CredentialsManage, the
    /// auditing credential's own access).
    Keep,
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OffboardResult {
    /// Dry run: would be done with `--yes`.
    Planned,
    /// Done now (token revoked, grant removal finished).
    Done,
    /// Tried and failed (see `note`).
    Failed,
    /// Left for later: in use (`--revoke-in-use` not given), owner-only, protected, or no
    /// longer what the plan said when re-read live.
    Left,
}

/// One item of the plan and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffboardItem {
    pub kind: OffboardKind,
    pub nip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// Permissions of the token, scope of the grant, type of the certificate.
    pub permission: String,
    pub action: OffboardAction,
    pub result: OffboardResult,
    /// Who can carry it out: `ksef-audit` (the auditing credential has CredentialsManage)
    /// or who else.
    pub who_can: String,
    /// The colleague who uses an in-use token (the inventory's owner), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The system an in-use token works in (inventory `system`, else its description).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Rotate by this day (in-use tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// Why: in use, protected, owner-only steps, the failure's reason.
    #[serde(default)]
    pub note: String,
}

/// What `ksef-audit offboard` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffboardRecord {
    pub schema_version: u32,
    pub kind: String,
    pub tool_version: String,
    pub generated_at: DateTime<Utc>,
    /// `plan` (a dry run) or `carried-out` (`--yes`).
    pub mode: String,
    /// Who ran it (the operating-system user), when known.
    #[serde(default)]
    pub performed_by: Option<String>,
    #[serde(default)]
    pub firm: Option<String>,
    pub environment: String,
    pub person: OffboardPerson,
    /// A token used within this many days counts as in use.
    pub in_use_days: u32,
    pub contexts: Vec<OffboardContext>,
    pub actions: Vec<OffboardItem>,
    /// With `--yes`, when anything was revoked or removed: revocation time plus the
    /// refresh-token lifetime.
    #[serde(default)]
    pub access_gone_on: Option<NaiveDate>,
}

impl OffboardRecord {
    /// Every context was read in full.
    pub fn complete(&self) -> bool {
        self.contexts.iter().all(|c| c.status == "complete")
    }

    /// Actions not yet done (planned, left or failed), certificates and protected grants
    /// included.
    pub fn open(&self) -> impl Iterator<Item = &OffboardItem> {
        self.actions
            .iter()
            .filter(|a| a.result != OffboardResult::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_is_gone_a_refresh_token_lifetime_after_revocation() {
        let at: DateTime<Utc> = "2026-12-06T23:30:00Z".parse().expect("time");
        assert_eq!(
            access_gone_on(at),
            NaiveDate::from_ymd_opt(2026, 12, 13).expect("date")
        );
    }
}
