//! Fetching every context into a [`TokenSnapshot`]: a bounded pool of contexts run
//! concurrently, each ending `complete` or `incomplete` with a reason.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tokio::sync::Semaphore;

use super::auth::{self, Session};
use super::credentials::{Credential, load_credential};
use super::error::ApiError;
use super::http::{Transport, http_client};
use super::progress::{Progress, ProgressEvent};
use super::tokens::list_tokens;
use crate::config::{ContextSpec, KsefSettings};
use crate::model::{
    ContextSnapshot, ContextStatus, Permission, SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION,
    TOOL_VERSION, TokenRecord, TokenSnapshot,
};

/// Builds the runtime the blocking wrappers use.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Fetches every context's tokens. Blocking (owns a tokio runtime; do not call from
/// inside one). Never fails as a whole: failed contexts come back `incomplete`.
pub fn fetch_snapshot(settings: &KsefSettings, progress: Progress) -> TokenSnapshot {
    match runtime() {
        Ok(rt) => rt.block_on(fetch_snapshot_async(settings, progress)),
        Err(e) => all_incomplete(settings, &format!("cannot start the async runtime: {e}")),
    }
}

/// [`fetch_snapshot`] for callers that already run in tokio.
pub async fn fetch_snapshot_async(settings: &KsefSettings, progress: Progress) -> TokenSnapshot {
    let fetched_at = Utc::now();
    progress.emit(ProgressEvent::Started {
        contexts: settings.contexts.len(),
    });
    let http = match http_client(settings) {
        Ok(h) => h,
        Err(e) => return all_incomplete(settings, &format!("cannot build the HTTP client: {e}")),
    };
    let settings_arc = Arc::new(settings.clone());
    let pool = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut tasks = Vec::new();
    for spec in &settings.contexts {
        let spec = spec.clone();
        let (http, settings, pool, progress) = (
            http.clone(),
            Arc::clone(&settings_arc),
            Arc::clone(&pool),
            progress.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = pool.acquire_owned().await;
            fetch_context(http, &settings, &spec, progress).await
        }));
    }
    let mut contexts = Vec::new();
    for (task, spec) in tasks.into_iter().zip(&settings.contexts) {
        contexts.push(match task.await {
            Ok(c) => c,
            Err(e) => incomplete(settings, spec, format!("internal error: {e}")),
        });
    }
    TokenSnapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        kind: SNAPSHOT_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        environment: settings.environment.clone(),
        fetched_at,
        contexts,
    }
}

/// Authenticates with a context's credential.
pub(crate) async fn open_session(
    t: &Transport,
    settings: &KsefSettings,
    spec: &ContextSpec,
) -> Result<Session, ApiError> {
    match load_credential(&spec.nip, &spec.credential)? {
        Credential::KsefToken(token) => auth::authenticate(t, &token, settings.auth_timeout).await,
        Credential::AccessToken(token) => Ok(Session::from_access_token(token)),
    }
}

async fn fetch_context(
    http: reqwest::Client,
    settings: &KsefSettings,
    spec: &ContextSpec,
    progress: Progress,
) -> ContextSnapshot {
    let started = Instant::now();
    let fetched_at = Utc::now();
    let t = Transport::new(http, settings, &spec.nip, progress.clone());
    let mut snap = ContextSnapshot {
        nip: spec.nip.clone(),
        name: spec.name.clone(),
        environment: settings.environment.label.clone(),
        status: ContextStatus::Incomplete,
        reason: None,
        fetched_at,
        duration_ms: 0,
        auditor_reference: None,
        auditor_permissions: None,
        tokens: Vec::new(),
        grants: Vec::new(),
    };
    match open_session(&t, settings, spec).await {
        Err(e) => snap.reason = Some(e.to_string()),
        Ok(mut session) => {
            snap.auditor_reference = session.auditor_reference.clone();
            match list_tokens(&t, &mut session, &[], settings.max_pages).await {
                Ok(tokens) => {
                    let a = assess(
                        &tokens,
                        session.auditor_reference.as_deref(),
                        session.claimed_permissions.as_deref(),
                    );
                    snap.status = a.status;
                    snap.reason = a.reason;
                    snap.auditor_permissions = a.permissions;
                    snap.tokens = tokens;
                }
                Err(e) => snap.reason = Some(e.to_string()),
            }
            if let Err(e) = session.close(&t).await {
                progress.emit(ProgressEvent::Warning {
                    nip: spec.nip.clone(),
                    message: format!("could not close the authentication session: {e}"),
                });
            }
        }
    }
    snap.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    progress.emit(ProgressEvent::ContextDone {
        nip: spec.nip.clone(),
        status: snap.status,
        tokens: snap.tokens.len(),
        reason: snap.reason.clone(),
    });
    snap
}

/// Whether a fully read list is the whole truth.
#[derive(Debug, PartialEq)]
pub struct Assessment {
    pub status: ContextStatus,
    pub reason: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

const READ_PERMISSIONS: [Permission; 2] =
    [Permission::CredentialsRead, Permission::CredentialsManage];

/// Without `CredentialsRead`/`CredentialsManage` KSeF shows a token-authenticated
/// caller only its own token: find the caller's own record and check its permissions.
pub fn assess(
    tokens: &[TokenRecord],
    auditor_reference: Option<&str>,
    claimed_permissions: Option<&[String]>,
) -> Assessment {
    if let Some(reference) = auditor_reference {
        let Some(own) = tokens.iter().find(|t| t.reference_number == reference) else {
            return Assessment {
                status: ContextStatus::Incomplete,
                reason: Some(format!(
                    "the auditing token {reference} is not in the list KSeF returned, so its permissions cannot be checked and the list may be partial\nhelp: check that the token belongs to this NIP"
                )),
                permissions: None,
            };
        };
        let perms = own.requested_permissions.clone();
        if perms.iter().any(|p| READ_PERMISSIONS.contains(p)) {
            return Assessment {
                status: ContextStatus::Complete,
                reason: None,
                permissions: Some(perms),
            };
        }
        return Assessment {
            status: ContextStatus::Incomplete,
            reason: Some(format!(
                "the auditing token {reference} lacks CredentialsRead and CredentialsManage, so KSeF shows only that token, not the whole list\nhelp: create an audit token with CredentialsRead for this NIP and use it instead"
            )),
            permissions: Some(perms),
        };
    }
    // Access token given directly: only its (unverified) claims can tell.
    match claimed_permissions {
        Some(claims) if claims.iter().any(|c| c == "Owner" || READ_PERMISSIONS.iter().any(|p| p.as_str() == c)) => {
            Assessment { status: ContextStatus::Complete, reason: None, permissions: None }
        }
        Some(_) => Assessment {
            status: ContextStatus::Incomplete,
            reason: Some("the access token's permissions include neither CredentialsRead nor CredentialsManage, so the list may be partial".into()),
            permissions: None,
        },
        None => Assessment {
            status: ContextStatus::Complete,
            reason: Some("authenticated with an access token: the auditor's permissions could not be checked".into()),
            permissions: None,
        },
    }
}

fn incomplete(settings: &KsefSettings, spec: &ContextSpec, reason: String) -> ContextSnapshot {
    ContextSnapshot {
        nip: spec.nip.clone(),
        name: spec.name.clone(),
        environment: settings.environment.label.clone(),
        status: ContextStatus::Incomplete,
        reason: Some(reason),
        fetched_at: Utc::now(),
        duration_ms: 0,
        auditor_reference: None,
        auditor_permissions: None,
        tokens: Vec::new(),
        grants: Vec::new(),
    }
}

fn all_incomplete(settings: &KsefSettings, reason: &str) -> TokenSnapshot {
    TokenSnapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        kind: SNAPSHOT_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        environment: settings.environment.clone(),
        fetched_at: Utc::now(),
        contexts: settings
            .contexts
            .iter()
            .map(|spec| incomplete(settings, spec, reason.to_string()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(reference: &str, perms: &[&str]) -> TokenRecord {
        serde_json::from_value(serde_json::json!({
            "referenceNumber": reference,
            "authorIdentifier": {"type": "Nip", "value": "5265877635"},
            "contextIdentifier": {"type": "Nip", "value": "5265877635"},
            "description": "ksef-audit read-only",
            "requestedPermissions": perms,
            "dateCreated": "2025-10-01T13:20:52.9919681+00:00",
            "status": "Active"
        }))
        .expect("record")
    }

    const OWN: &str = "20251001-EC-2DD3AFF000-A6B7F19A95-11";
    const OTHER: &str = "20251002-EC-2DD3AFF000-A6B7F19A95-11";

    #[test]
    fn own_token_with_credentials_read_means_complete() {
        let tokens = [
            record(OTHER, &["InvoiceWrite"]),
            record(OWN, &["CredentialsRead"]),
        ];
        let a = assess(&tokens, Some(OWN), None);
        assert_eq!(a.status, ContextStatus::Complete);
        assert_eq!(a.permissions, Some(vec![Permission::CredentialsRead]));
    }

    #[test]
    fn own_token_without_credentials_read_means_incomplete() {
        let a = assess(&[record(OWN, &["InvoiceRead"])], Some(OWN), None);
        assert_eq!(a.status, ContextStatus::Incomplete);
        assert!(
            a.reason
                .as_deref()
                .is_some_and(|r| r.contains("lacks CredentialsRead"))
        );
        let a = assess(&[record(OTHER, &["CredentialsManage"])], Some(OWN), None);
        assert_eq!(a.status, ContextStatus::Incomplete);
    }

    #[test]
    fn access_token_claims_decide_when_there_is_no_reference() {
        let owner = vec!["Owner".to_string()];
        assert_eq!(
            assess(&[], None, Some(&owner)).status,
            ContextStatus::Complete
        );
        let read = vec!["InvoiceRead".to_string()];
        assert_eq!(
            assess(&[], None, Some(&read)).status,
            ContextStatus::Incomplete
        );
    }
}
