//! Fetching every context into a [`TokenSnapshot`]: a bounded pool of contexts run
//! concurrently, each ending `complete` or `incomplete` with a reason.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tokio::sync::Semaphore;

use crate::auditor::READ_ALL;
use crate::auditor::personal_permissions;
use crate::auth;
use crate::auth::Session;
use crate::certificates::certificate_limits;
use crate::certificates::list_certificates;
use crate::credentials::Credential;
use crate::credentials::load_credential_noting;
use crate::error::ApiError;
use crate::grants::GrantsError;
use crate::grants::read_grants;
use crate::http::CertificateCache;
use crate::http::Transport;
use crate::http::http_client;
use crate::progress::Progress;
use crate::progress::ProgressEvent;
use crate::settings::ContextSpec;
use crate::settings::CredentialSource;
use crate::settings::KsefSettings;
use crate::signin::authenticate_with_certificate;
use crate::signin::load_signing_credential;
use crate::tokens::list_tokens;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::Permission;
use ksef_model::ReasonCode;
use ksef_model::SNAPSHOT_KIND;
use ksef_model::SNAPSHOT_SCHEMA_VERSION;
use ksef_model::TOOL_VERSION;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;

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
        Err(e) => all_incomplete(
            settings,
            &format!("cannot start the async runtime: {e}"),
            ReasonCode::Internal,
        ),
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
        Err(e) => {
            return all_incomplete(
                settings,
                &format!("cannot build the HTTP client: {e}"),
                ReasonCode::Internal,
            );
        }
    };
    let settings_arc = Arc::new(settings.clone());
    let pool = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    // One list of MF certificates for the whole run.
    let certificates = Arc::new(CertificateCache::default());
    let mut tasks = Vec::new();
    for spec in &settings.contexts {
        let spec = spec.clone();
        let (http, settings, pool, progress, certificates) = (
            http.clone(),
            Arc::clone(&settings_arc),
            Arc::clone(&pool),
            progress.clone(),
            Arc::clone(&certificates),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = pool.acquire_owned().await;
            let t = Transport::new(http, &settings, &spec.nip, progress).sharing(&certificates);
            fetch_context(&t, &settings, &spec).await
        }));
    }
    let mut contexts = Vec::new();
    for (task, spec) in tasks.into_iter().zip(&settings.contexts) {
        contexts.push(match task.await {
            Ok(c) => c,
            Err(e) => incomplete(
                settings,
                spec,
                format!("internal error: {e}"),
                ReasonCode::Internal,
            ),
        });
    }
    TokenSnapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        kind: SNAPSHOT_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        environment: settings.environment.recorded(),
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
    if let CredentialSource::Certificate(files) = &spec.credential {
        let credential = load_signing_credential(&spec.nip, files)?;
        return authenticate_with_certificate(t, &credential, settings.auth_timeout).await;
    }
    let credential = load_credential_noting(&spec.nip, &spec.credential, &mut |message| {
        t.progress.emit(ProgressEvent::Warning {
            nip: spec.nip.clone(),
            message,
        });
    })?;
    match credential {
        Credential::KsefToken(token) => auth::authenticate(t, &token, settings.auth_timeout).await,
        Credential::AccessToken(token) => Ok(Session::from_access_token(token)),
    }
}

async fn fetch_context(
    t: &Transport,
    settings: &KsefSettings,
    spec: &ContextSpec,
) -> ContextSnapshot {
    let started = Instant::now();
    let fetched_at = Utc::now();
    let progress = t.progress.clone();
    let mut snap = ContextSnapshot {
        nip: spec.nip.clone(),
        name: spec.name.clone(),
        environment: settings.environment.label.clone(),
        status: ContextStatus::Incomplete,
        reason: None,
        reason_code: None,
        fetched_at,
        duration_ms: 0,
        auditor_reference: None,
        auditor_permissions: None,
        tokens: Vec::new(),
        grants: Vec::new(),
        certificates: Default::default(),
    };
    match open_session(t, settings, spec).await {
        Err(e) => add_reason(&mut snap, e.reason_code(), e.to_string()),
        Ok(mut session) => {
            snap.auditor_reference = session.auditor_reference.clone();
            match list_tokens(t, &mut session, &[], settings.max_pages).await {
                Ok(listing) => {
                    let access = access_permissions(t, &mut session).await;
                    let a = assess(
                        &listing.tokens,
                        session.auditor_reference.as_deref(),
                        access.as_ref(),
                    );
                    snap.status = a.status;
                    snap.reason = a.reason;
                    snap.reason_code = a.code;
                    snap.auditor_permissions = a.permissions;
                    if let Some(why) = listing.inconsistency() {
                        // The inconsistency leads: it is what makes the list untrustworthy.
                        snap.status = ContextStatus::Incomplete;
                        snap.reason = Some(match snap.reason.take() {
                            Some(other) => format!("{why}\n{other}"),
                            None => why,
                        });
                        snap.reason_code = Some(ReasonCode::ListingInconsistent);
                    }
                    warn_unknown_statuses(&progress, &spec.nip, &listing.tokens);
                    snap.tokens = listing.tokens;
                    // Grants go through the same transport (limits, Retry-After, retries).
                    let perms = snap.auditor_permissions.as_deref();
                    match read_grants(t, &mut session, perms, settings.max_pages).await {
                        Ok(grants) => snap.grants = grants,
                        Err(e) => mark_grants_unread(&mut snap, &e),
                    }
                }
                Err(e) => add_reason(&mut snap, e.reason_code(), e.to_string()),
            }
            if let Some(serial) = session.certificate_serial.clone() {
                read_certificates(t, &mut session, settings, serial, &mut snap).await;
            }
            if let Err(e) = session.close(t).await {
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
        reason_code: snap.reason_code.clone(),
    });
    snap
}

/// A context whose grants could not be read completely is incomplete, whatever its
/// tokens said; the grants error joins the reason.
fn mark_grants_unread(snap: &mut ContextSnapshot, e: &GrantsError) {
    snap.status = ContextStatus::Incomplete;
    snap.grants.clear();
    add_reason(
        snap,
        e.reason_code(),
        format!("permission grants not read: {e}"),
    );
}

/// Adds a reason line to an incomplete context; the first reason's code stays the
/// context's code (it is the line the user reads first).
fn add_reason(snap: &mut ContextSnapshot, code: ReasonCode, text: String) {
    snap.reason = Some(match snap.reason.take() {
        Some(r) => format!("{r}\n{text}"),
        None => text,
    });
    snap.reason_code.get_or_insert(code);
}

/// Reads the certificate list and limits of a certificate-signed-in context; a list
/// that cannot be read makes the context incomplete (the limits are best effort).
async fn read_certificates(
    t: &Transport,
    session: &mut Session,
    settings: &KsefSettings,
    serial: String,
    snap: &mut ContextSnapshot,
) {
    snap.certificates.signed_in_with = Some(serial);
    match list_certificates(t, session, settings.max_pages).await {
        Ok(list) => snap.certificates.list = list,
        Err(problem) => {
            snap.status = ContextStatus::Incomplete;
            add_reason(
                snap,
                ReasonCode::CertificatesNotReadable,
                format!("certificates: {problem}"),
            );
            snap.certificates.problem = Some(problem);
        }
    }
    match certificate_limits(t, session).await {
        Ok(limits) => snap.certificates.limits = Some(limits),
        Err(e) => t.progress.emit(ProgressEvent::Warning {
            nip: snap.nip.clone(),
            message: format!("could not read the certificate limits: {e}"),
        }),
    }
}

/// Whether a fully read list is the whole truth.
#[derive(Debug, PartialEq)]
pub struct Assessment {
    pub status: ContextStatus,
    pub reason: Option<String>,
    /// The kind of `reason`.
    pub code: Option<ReasonCode>,
    pub permissions: Option<Vec<Permission>>,
}

const READ_PERMISSIONS: [Permission; 2] =
    [Permission::CredentialsRead, Permission::CredentialsManage];

/// What is known of the permissions of an access token given directly.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessPermissions {
    /// Named in the token's own claims (KSeF issued and accepted the token).
    Claims(Vec<String>),
    /// Asked of KSeF: `POST /permissions/query/personal/grants`.
    Queried(Vec<String>),
    /// Could not be established, and why.
    Unknown(String),
}

/// For a session opened with an access token given directly: its permission claims,
/// else what KSeF says of the caller's own permissions. `None` for a session the tool
/// opened with a KSeF token (its own record in the list tells).
async fn access_permissions(t: &Transport, session: &mut Session) -> Option<AccessPermissions> {
    if session.auditor_reference.is_some() {
        return None;
    }
    if let Some(claims) = &session.claimed_permissions {
        return Some(AccessPermissions::Claims(claims.clone()));
    }
    Some(match personal_permissions(t, session).await {
        Ok(scopes) => AccessPermissions::Queried(scopes),
        Err(e) => AccessPermissions::Unknown(e.to_string()),
    })
}

/// Tokens whose status this version does not know are listed, counted and treated as
/// live: the user hears of them once per context.
fn warn_unknown_statuses(progress: &Progress, nip: &str, tokens: &[TokenRecord]) {
    let mut unknown: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for t in tokens.iter().filter(|t| t.status.is_unknown()) {
        *unknown.entry(t.status.as_str()).or_default() += 1;
    }
    if unknown.is_empty() {
        return;
    }
    let total: usize = unknown.values().sum();
    let listed: Vec<String> = unknown
        .iter()
        .map(|(status, n)| format!("'{status}' x{n}"))
        .collect();
    progress.emit(ProgressEvent::Warning {
        nip: nip.to_string(),
        message: format!(
            "{total} token{} with a status this version does not know ({}); treated as live (like Active) until KSeF says otherwise",
            if total == 1 { "" } else { "s" },
            listed.join(", ")
        ),
    });
}

/// Without `CredentialsRead`/`CredentialsManage` KSeF shows a token-authenticated
/// caller only its own token: find the caller's own record and check its permissions.
/// An access token given directly is judged by `access` (claims or a permissions
/// query); when its permissions cannot be established the list is not called whole.
pub fn assess(
    tokens: &[TokenRecord],
    auditor_reference: Option<&str>,
    access: Option<&AccessPermissions>,
) -> Assessment {
    if let Some(reference) = auditor_reference {
        let Some(own) = tokens.iter().find(|t| t.reference_number == reference) else {
            return Assessment {
                status: ContextStatus::Incomplete,
                reason: Some(format!(
                    "the auditing token {reference} is not in the list KSeF returned, so its permissions cannot be checked and the list may be partial\nhelp: check that the token belongs to this NIP"
                )),
                code: Some(ReasonCode::AuditorNotListed),
                permissions: None,
            };
        };
        let perms = own.requested_permissions.clone();
        if perms.iter().any(|p| READ_PERMISSIONS.contains(p)) {
            return Assessment {
                status: ContextStatus::Complete,
                reason: None,
                code: None,
                permissions: Some(perms),
            };
        }
        return Assessment {
            status: ContextStatus::Incomplete,
            reason: Some(format!(
                "the auditing token {reference} lacks CredentialsRead and CredentialsManage, so KSeF shows only that token, not the whole list\nhelp: create an audit token with CredentialsRead for this NIP and use it instead"
            )),
            code: Some(ReasonCode::NoReadPermission),
            permissions: Some(perms),
        };
    }
    let reads_all = |names: &[String]| names.iter().any(|c| READ_ALL.contains(&c.as_str()));
    match access {
        Some(AccessPermissions::Claims(claims))
            if claims.iter().any(|c| c == "Owner") || reads_all(claims) =>
        {
            Assessment {
                status: ContextStatus::Complete,
                reason: None,
                code: None,
                permissions: None,
            }
        }
        Some(AccessPermissions::Claims(_)) => Assessment {
            status: ContextStatus::Incomplete,
            reason: Some("the access token's permissions include neither CredentialsRead nor CredentialsManage, so the list may be partial".into()),
            code: Some(ReasonCode::NoReadPermission),
            permissions: None,
        },
        Some(AccessPermissions::Queried(scopes)) => {
            let permissions = Some(scopes.iter().map(|s| Permission::from(s.as_str())).collect());
            if reads_all(scopes) {
                Assessment {
                    status: ContextStatus::Complete,
                    reason: None,
                    code: None,
                    permissions,
                }
            } else {
                Assessment {
                    status: ContextStatus::Incomplete,
                    reason: Some(format!(
                        "the access token carries no permission claims, and KSeF lists its own permissions in this context as {}: neither CredentialsRead nor CredentialsManage, so KSeF shows only part of the list\nhelp: use a KSeF token with CredentialsRead for this NIP (KSEF_TOKEN_<NIP>) instead",
                        if scopes.is_empty() { "none".to_string() } else { scopes.join(", ") }
                    )),
                    code: Some(ReasonCode::NoReadPermission),
                    permissions,
                }
            }
        }
        Some(AccessPermissions::Unknown(why)) => Assessment {
            status: ContextStatus::Incomplete,
            reason: Some(format!(
                "the access token carries no permission claims and its permissions could not be asked of KSeF ({why}), so the list may be partial\nhelp: use a KSeF token with CredentialsRead for this NIP (KSEF_TOKEN_<NIP>) instead"
            )),
            code: Some(ReasonCode::PermissionsUnknown),
            permissions: None,
        },
        None => Assessment {
            status: ContextStatus::Incomplete,
            reason: Some("the auditor's permissions could not be established, so the list may be partial".into()),
            code: Some(ReasonCode::PermissionsUnknown),
            permissions: None,
        },
    }
}

fn incomplete(
    settings: &KsefSettings,
    spec: &ContextSpec,
    reason: String,
    code: ReasonCode,
) -> ContextSnapshot {
    ContextSnapshot {
        nip: spec.nip.clone(),
        name: spec.name.clone(),
        environment: settings.environment.label.clone(),
        status: ContextStatus::Incomplete,
        reason: Some(reason),
        reason_code: Some(code),
        fetched_at: Utc::now(),
        duration_ms: 0,
        auditor_reference: None,
        auditor_permissions: None,
        tokens: Vec::new(),
        grants: Vec::new(),
        certificates: Default::default(),
    }
}

fn all_incomplete(settings: &KsefSettings, reason: &str, code: ReasonCode) -> TokenSnapshot {
    TokenSnapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        kind: SNAPSHOT_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        environment: settings.environment.recorded(),
        fetched_at: Utc::now(),
        contexts: settings
            .contexts
            .iter()
            .map(|spec| incomplete(settings, spec, reason.to_string(), code.clone()))
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
        let owner = AccessPermissions::Claims(vec!["Owner".to_string()]);
        assert_eq!(
            assess(&[], None, Some(&owner)).status,
            ContextStatus::Complete
        );
        let read = AccessPermissions::Claims(vec!["InvoiceRead".to_string()]);
        assert_eq!(
            assess(&[], None, Some(&read)).status,
            ContextStatus::Incomplete
        );
    }
}
