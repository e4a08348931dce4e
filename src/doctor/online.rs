//! `doctor --online`: sign-in and the auditing credential's permissions, read from one
//! listing fetched exactly as `audit` fetches it (the auditing token's own record, an
//! access token's claims or KSeF's answer about the caller's own permissions).

use ksef_client::settings::KsefSettings;
use ksef_model::{
    CheckStatus, ContextSnapshot, ContextStatus, DoctorCheck, Fact, Permission, ReasonCode,
};

use crate::config::{Config, ConfigError, resolve_settings};

/// Settings for the contexts whose offline checks all passed, when the environment is
/// known; `None` when nothing is left to sign in to.
pub fn online_settings(
    config: &Config,
    offline: &[DoctorCheck],
) -> Result<Option<KsefSettings>, ConfigError> {
    let environment_known = offline
        .iter()
        .any(|c| matches!(c.fact, Fact::Environment { .. }));
    // The contexts in order, then those with a failed check left out.
    let mut wanted: Vec<String> = Vec::new();
    for nip in offline.iter().filter_map(|c| c.nip.as_ref()) {
        if !wanted.contains(nip) {
            wanted.push(nip.clone());
        }
    }
    wanted.retain(|nip| {
        offline
            .iter()
            .filter(|c| c.nip.as_ref() == Some(nip))
            .all(|c| c.fact.status() != CheckStatus::Failed)
    });
    if !environment_known || wanted.is_empty() {
        return Ok(None);
    }
    let mut scoped = config.clone();
    scoped.flags.nips = wanted;
    resolve_settings(&scoped).map(Some)
}

/// The online facts of each context read.
pub fn online_checks(contexts: &[ContextSnapshot]) -> Vec<DoctorCheck> {
    let mut checks = Vec::new();
    for snap in contexts {
        for fact in facts(snap) {
            checks.push(DoctorCheck {
                nip: Some(snap.nip.clone()),
                name: snap.name.clone(),
                fact,
            });
        }
    }
    checks
}

/// Reasons that mean the sign-in itself did not succeed.
fn sign_in_failed(code: Option<&ReasonCode>) -> bool {
    matches!(
        code,
        Some(
            ReasonCode::SignInRefused
                | ReasonCode::CredentialRejected
                | ReasonCode::CredentialUnavailable
                | ReasonCode::Network
                | ReasonCode::Internal
        )
    )
}

fn facts(snap: &ContextSnapshot) -> Vec<Fact> {
    let reason = snap.reason.clone().unwrap_or_default();
    if snap.status == ContextStatus::Incomplete && sign_in_failed(snap.reason_code.as_ref()) {
        return vec![Fact::SignInFailed {
            code: snap.reason_code.as_ref().map(|c| c.as_str().to_string()),
            reason,
        }];
    }
    let names = |list: &[Permission]| list.iter().map(|p| p.as_str().to_string()).collect();
    let audit = match (&snap.auditor_permissions, &snap.reason_code) {
        (Some(list), _)
            if list.iter().any(|p| {
                matches!(
                    p,
                    Permission::CredentialsRead | Permission::CredentialsManage
                )
            }) =>
        {
            Fact::CanAudit {
                permissions: names(list),
            }
        }
        (Some(list), _) => Fact::CannotAudit {
            permissions: names(list),
        },
        (None, Some(ReasonCode::NoReadPermission)) => Fact::CannotAudit {
            permissions: Vec::new(),
        },
        (None, _) if snap.status == ContextStatus::Complete => Fact::CanAudit {
            permissions: Vec::new(),
        },
        (None, _) => Fact::AuditPermissionUnknown { reason },
    };
    let revoke = match &snap.auditor_permissions {
        Some(list) if list.contains(&Permission::CredentialsManage) => Some(Fact::CanRevoke),
        Some(list) => Some(Fact::CannotRevoke {
            permissions: names(list),
        }),
        None => None,
    };
    let mut out = vec![Fact::SignedIn, audit];
    out.extend(revoke);
    out
}
