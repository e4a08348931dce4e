//! Permission grants of the signed-in context: every page of
//! `POST /permissions/query/persons/grants` (`queryType = PermissionsInCurrentContext`),
//! `…/entities/grants` and `…/authorizations/grants` (`Granted` and `Received`), and
//! their removal (`DELETE /permissions/common/grants/{id}`,
//! `DELETE /permissions/authorizations/grants/{id}`).
//!
//! Requests go through the context's [`Transport`] (limiter, `Retry-After`, retries).
//! Paging is by page number: `pageOffset` 0, 1, … with `pageSize = 100` while the
//! answer says `hasMore`. A listing is all or nothing: a refusal, a failure on a later
//! page, a runaway `hasMore` or more than `max_pages` pages is a [`GrantsError`], never
//! a partial list.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use thiserror::Error;

use crate::auth::Session;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::Transport;
use crate::listing::{ListingClock, page_cap};
use crate::models::StatusInfo;
use ksef_model::EntityAuthorization;
use ksef_model::EntityPermission;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::Permission;
use ksef_model::PersonPermission;
use ksef_model::ReasonCode;

/// Largest page the contract allows.
pub(crate) const GRANT_PAGE_SIZE: u32 = 100;

pub(crate) const PERSONS_ENDPOINT: &str = "POST /permissions/query/persons/grants";
pub(crate) const ENTITIES_ENDPOINT: &str = "POST /permissions/query/entities/grants";
pub(crate) const AUTHORIZATIONS_ENDPOINT: &str = "POST /permissions/query/authorizations/grants";

/// Permissions that let the auditor read every grant of a context.
pub(crate) const READ_PERMISSIONS: [Permission; 2] =
    [Permission::CredentialsRead, Permission::CredentialsManage];

/// Why the grants of a context could not be read (or a grant not removed).
/// Messages name the context and the endpoint and never hold a token.
#[derive(Debug, Error)]
pub enum GrantsError {
    /// KSeF refused (403 `missing-permissions`), or the auditor's own token is known to
    /// lack the permissions: `missing` names them.
    #[error(
        "context {nip}: {endpoint}: the auditing credential {}{}, {}",
        lacks(missing),
        present.as_ref().map(|p| format!(" (it has [{}])", p.join(", "))).unwrap_or_default(),
        consequence(missing),
    )]
    MissingPermission {
        nip: String,
        endpoint: String,
        /// The permissions it needs any one of, e.g. `["CredentialsRead", "CredentialsManage"]`.
        missing: Vec<String>,
        /// What the credential has, when known.
        present: Option<Vec<String>>,
    },
    /// The first page could not be read.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A later page failed: what was read is not the whole list.
    #[error(
        "context {nip}: {endpoint}: the grant listing failed on page {page} after {read} grants were read, so the list is partial\ncause: {cause}"
    )]
    Midway {
        nip: String,
        endpoint: String,
        /// 1-based number of the page that failed.
        page: u32,
        read: usize,
        cause: Box<ApiError>,
    },
    #[error(
        "context {nip}: {endpoint}: gave more than {pages} pages of grants; stopped as a runaway listing\nhelp: raise [ksef] max-pages if the context really has that many grants"
    )]
    PageCap {
        nip: String,
        endpoint: String,
        pages: u32,
    },
    #[error(
        "context {nip}: {endpoint}: page {page} said there is more but brought no new grant; stopped as a runaway listing"
    )]
    Runaway {
        nip: String,
        endpoint: String,
        page: u32,
    },
    #[error(
        "context {nip}: {endpoint}: still listing grants after {minutes} minutes ({pages} pages); stopped as a runaway listing\nhelp: run again later; if it persists, report the endless listing to KSeF support"
    )]
    TooLong {
        nip: String,
        endpoint: String,
        minutes: u64,
        pages: u32,
    },
    #[error(
        "context {nip}: '{id}' is not a KSeF permission id (36 characters: letters, digits, '-')"
    )]
    BadId { nip: String, id: String },
}

impl GrantsError {
    /// What kind of failure this is, as `reason_code` records it for an incomplete context.
    pub fn reason_code(&self) -> ReasonCode {
        match self {
            GrantsError::MissingPermission { .. } => ReasonCode::NoReadPermission,
            GrantsError::Midway { .. } => ReasonCode::ListingInterrupted,
            GrantsError::Api(e) => match e.reason_code() {
                // Where the grants alone fail, say so rather than only "server error".
                ReasonCode::ServerError | ReasonCode::RequestRefused => {
                    ReasonCode::GrantsNotReadable
                }
                other => other,
            },
            GrantsError::PageCap { .. }
            | GrantsError::Runaway { .. }
            | GrantsError::TooLong { .. } => ReasonCode::GrantsNotReadable,
            GrantsError::BadId { .. } => ReasonCode::GrantsNotReadable,
        }
    }
}

impl From<ApiError> for GrantsError {
    fn from(e: ApiError) -> GrantsError {
        GrantsError::Api(Box::new(e))
    }
}

/// What a missing permission stops, and what to do.
fn consequence(missing: &[String]) -> &'static str {
    if matches!(missing, [only] if only == "CredentialsManage") {
        "so KSeF refuses to remove the grant\nhelp: remove grants with a token that has CredentialsManage for this NIP"
    } else {
        "so KSeF does not show who holds permissions in this context\nhelp: give the auditing token CredentialsRead (read-only audit) or CredentialsManage (audit and revoke)"
    }
}

fn lacks(missing: &[String]) -> String {
    match missing {
        [] => "lacks a permission".into(),
        [one] => format!("lacks {one}"),
        [a, b] => format!("has neither {a} nor {b}"),
        many => format!("has none of {}", many.join(", ")),
    }
}

impl GrantsError {
    /// The permissions a refusal says are missing (empty for other errors).
    pub fn missing_permissions(&self) -> &[String] {
        match self {
            GrantsError::MissingPermission { missing, .. } => missing,
            _ => &[],
        }
    }
}

/// `QueryPersonPermissionsResponse`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPersonPermissionsResponse {
    pub permissions: Vec<PersonPermission>,
    pub has_more: bool,
}

/// `QueryEntityPermissionsResponse`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryEntityPermissionsResponse {
    pub permissions: Vec<EntityPermission>,
    pub has_more: bool,
}

/// `QueryEntityAuthorizationPermissionsResponse`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryEntityAuthorizationPermissionsResponse {
    pub authorization_grants: Vec<EntityAuthorization>,
    pub has_more: bool,
}

/// `PermissionsOperationResponse` (202 of the removals).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionsOperationResponse {
    pub reference_number: String,
}

/// `PermissionsOperationStatusResponse`.
#[derive(Debug, Clone, Deserialize)]
pub struct PermissionsOperationStatusResponse {
    pub status: StatusInfo,
}

/// Fails early, without a request, when the auditor's own permissions are known and
/// include neither `CredentialsRead` nor `CredentialsManage`.
pub(crate) fn check_auditor_permissions(
    nip: &str,
    permissions: Option<&[Permission]>,
) -> Result<(), GrantsError> {
    match permissions {
        Some(perms) if !perms.iter().any(|p| READ_PERMISSIONS.contains(p)) => {
            Err(GrantsError::MissingPermission {
                nip: nip.to_string(),
                endpoint: PERSONS_ENDPOINT.to_string(),
                missing: READ_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
                present: Some(perms.iter().map(|p| p.to_string()).collect()),
            })
        }
        _ => Ok(()),
    }
}

/// Every grant of the context: person grants, entity grants, then entity
/// authorizations granted and received. `auditor_permissions` (when known) is checked
/// first. The caller marks the context incomplete on any error.
pub async fn read_grants(
    t: &Transport,
    session: &mut Session,
    auditor_permissions: Option<&[Permission]>,
    max_pages: u32,
) -> Result<Vec<GrantRecord>, GrantsError> {
    check_auditor_permissions(&t.nip, auditor_permissions)?;
    let mut all = list_person_grants(t, session, max_pages).await?;
    all.extend(list_entity_grants(t, session, max_pages).await?);
    for kind in [
        GrantKind::AuthorizationGranted,
        GrantKind::AuthorizationReceived,
    ] {
        all.extend(list_authorization_grants(t, session, kind, max_pages).await?);
    }
    Ok(all)
}

/// `persons/grants` with `queryType = PermissionsInCurrentContext`: everyone who may
/// work in the context, directly or through an intermediary. KSeF also answers a
/// credential with only `SubunitManage`, with the subunit administrators alone: use
/// [`read_grants`] (which needs `CredentialsRead`/`CredentialsManage`) for a whole list.
pub async fn list_person_grants(
    t: &Transport,
    session: &mut Session,
    max_pages: u32,
) -> Result<Vec<GrantRecord>, GrantsError> {
    list_all(
        t,
        session,
        PERSONS_ENDPOINT,
        &query_body(&GrantKind::Person),
        max_pages,
        |page: QueryPersonPermissionsResponse| {
            let items = page.permissions.into_iter().map(GrantRecord::from_person);
            (items.collect(), page.has_more)
        },
    )
    .await
}

/// `entities/grants`: invoice permissions this context received from other entities.
pub(crate) async fn list_entity_grants(
    t: &Transport,
    session: &mut Session,
    max_pages: u32,
) -> Result<Vec<GrantRecord>, GrantsError> {
    let own = GrantIdentifier::nip(t.nip.clone());
    list_all(
        t,
        session,
        ENTITIES_ENDPOINT,
        &query_body(&GrantKind::Entity),
        max_pages,
        |page: QueryEntityPermissionsResponse| {
            let items = page
                .permissions
                .into_iter()
                .map(|e| GrantRecord::from_entity(e, &own));
            (items.collect(), page.has_more)
        },
    )
    .await
}

/// `authorizations/grants`: `AuthorizationGranted` (this context authorized others,
/// `queryType = Granted`) or `AuthorizationReceived` (`Received`).
pub(crate) async fn list_authorization_grants(
    t: &Transport,
    session: &mut Session,
    kind: GrantKind,
    max_pages: u32,
) -> Result<Vec<GrantRecord>, GrantsError> {
    let kind = match kind {
        GrantKind::AuthorizationReceived => GrantKind::AuthorizationReceived,
        _ => GrantKind::AuthorizationGranted,
    };
    list_all(
        t,
        session,
        AUTHORIZATIONS_ENDPOINT,
        &query_body(&kind),
        max_pages,
        |page: QueryEntityAuthorizationPermissionsResponse| {
            let items = page
                .authorization_grants
                .into_iter()
                .map(|a| GrantRecord::from_authorization(a, kind.clone()));
            (items.collect(), page.has_more)
        },
    )
    .await
}

/// The request body of the listing a kind comes from: every grant, no filter.
pub fn query_body(kind: &GrantKind) -> Value {
    match kind {
        GrantKind::Person => json!({"queryType": "PermissionsInCurrentContext"}),
        GrantKind::AuthorizationGranted => json!({"queryType": "Granted"}),
        GrantKind::AuthorizationReceived => json!({"queryType": "Received"}),
        _ => json!({}),
    }
}

/// Page bookkeeping of one listing: the cap, and ids already read (offset paging over
/// a list that changes may repeat an item; a page of nothing new with `hasMore` is a loop).
#[derive(Debug)]
pub(crate) struct OffsetPaging {
    nip: String,
    endpoint: String,
    max_pages: u32,
    pages: u32,
    seen: HashSet<String>,
    clock: ListingClock,
}

impl OffsetPaging {
    pub fn new(nip: &str, endpoint: &str, max_pages: u32) -> OffsetPaging {
        OffsetPaging {
            nip: nip.to_string(),
            endpoint: endpoint.to_string(),
            max_pages: page_cap(max_pages),
            pages: 0,
            seen: HashSet::new(),
            clock: ListingClock::start(),
        }
    }

    /// Starts the next page: the `pageOffset` to send.
    pub(crate) fn begin(&mut self) -> Result<u32, GrantsError> {
        if let Some(minutes) = self.clock.overrun() {
            return Err(GrantsError::TooLong {
                nip: self.nip.clone(),
                endpoint: self.endpoint.clone(),
                minutes,
                pages: self.pages,
            });
        }
        if self.pages >= self.max_pages {
            return Err(GrantsError::PageCap {
                nip: self.nip.clone(),
                endpoint: self.endpoint.clone(),
                pages: self.max_pages,
            });
        }
        self.pages += 1;
        Ok(self.pages - 1)
    }

    /// Ends a page: keeps the grants not seen before; `Ok(true)` when there is another page.
    pub fn end(
        &mut self,
        items: Vec<GrantRecord>,
        has_more: bool,
        into: &mut Vec<GrantRecord>,
    ) -> Result<bool, GrantsError> {
        let before = into.len();
        into.extend(items.into_iter().filter(|g| self.seen.insert(g.id.clone())));
        if has_more && into.len() == before {
            return Err(GrantsError::Runaway {
                nip: self.nip.clone(),
                endpoint: self.endpoint.clone(),
                page: self.pages,
            });
        }
        Ok(has_more)
    }

    pub fn pages(&self) -> u32 {
        self.pages
    }
}

async fn list_all<P: DeserializeOwned>(
    t: &Transport,
    session: &mut Session,
    endpoint: &str,
    body: &Value,
    max_pages: u32,
    split: impl Fn(P) -> (Vec<GrantRecord>, bool),
) -> Result<Vec<GrantRecord>, GrantsError> {
    let path = endpoint
        .strip_prefix("POST ")
        .unwrap_or(endpoint)
        .to_string();
    let mut paging = OffsetPaging::new(&t.nip, endpoint, max_pages);
    let mut all = Vec::new();
    loop {
        let offset = paging.begin()?;
        let answer = async {
            let access = session.access(t).await?.clone();
            let mut call = Call::new(Method::POST, path.clone())
                .bearer(&access)
                .limited()
                .json(body.clone());
            call.query = vec![
                ("pageOffset", offset.to_string()),
                ("pageSize", GRANT_PAGE_SIZE.to_string()),
            ];
            t.json::<P>(&call).await.map(|(_, page)| page)
        }
        .await;
        let page = answer.map_err(|e| classify(e, &t.nip, endpoint, paging.pages(), all.len()))?;
        let (items, has_more) = split(page);
        if !paging.end(items, has_more, &mut all)? {
            return Ok(all);
        }
    }
}

/// A refusal becomes [`GrantsError::MissingPermission`]; a failure after the first
/// page is [`GrantsError::Midway`].
fn classify(e: ApiError, nip: &str, endpoint: &str, page: u32, read: usize) -> GrantsError {
    if let Some(present) = refusal(&e) {
        return GrantsError::MissingPermission {
            nip: nip.to_string(),
            endpoint: endpoint.to_string(),
            missing: READ_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
            present,
        };
    }
    if page > 1 {
        return GrantsError::Midway {
            nip: nip.to_string(),
            endpoint: endpoint.to_string(),
            page,
            read,
            cause: Box::new(e),
        };
    }
    GrantsError::Api(Box::new(e))
}

/// `Some(present permissions, when KSeF named them)` for a 403 about permissions: reason
/// `missing-permissions`, or a 403 without a reason.
fn refusal(e: &ApiError) -> Option<Option<Vec<String>>> {
    let ApiError::Status {
        status: 403,
        message,
        ..
    } = e
    else {
        return None;
    };
    if !message.contains("missing-permissions") && message.contains("reason ") {
        return None;
    }
    let present = message.split_once("the token has [").and_then(|(_, rest)| {
        rest.split_once(']').map(|(list, _)| {
            list.split(", ")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
    });
    Some(present)
}

fn check_id(nip: &str, id: &str) -> Result<(), GrantsError> {
    if crate::http::is_ksef_id(id) {
        Ok(())
    } else {
        Err(GrantsError::BadId {
            nip: nip.to_string(),
            id: id.chars().take(64).collect(),
        })
    }
}

async fn remove(
    t: &Transport,
    session: &mut Session,
    path: String,
    id: &str,
) -> Result<String, GrantsError> {
    check_id(&t.nip, id)?;
    let access = session.access(t).await?.clone();
    let call = Call::new(Method::DELETE, path).bearer(&access).limited();
    let endpoint = call.endpoint();
    match t.json::<PermissionsOperationResponse>(&call).await {
        Ok((_, op)) => Ok(op.reference_number),
        Err(e) => match refusal(&e) {
            Some(present) => Err(GrantsError::MissingPermission {
                nip: t.nip.clone(),
                endpoint,
                missing: vec![Permission::CredentialsManage.to_string()],
                present,
            }),
            None => Err(GrantsError::from(e)),
        },
    }
}

/// `DELETE /permissions/common/grants/{permissionId}` (person grants, entity grants,
/// indirect grants): returns the operation's reference number (202).
pub async fn delete_grant(
    t: &Transport,
    session: &mut Session,
    id: &str,
) -> Result<String, GrantsError> {
    remove(t, session, format!("/permissions/common/grants/{id}"), id).await
}

/// `DELETE /permissions/authorizations/grants/{permissionId}` (self-invoicing, tax
/// representative, RR and PEF authorizations).
pub(crate) async fn delete_authorization_grant(
    t: &Transport,
    session: &mut Session,
    id: &str,
) -> Result<String, GrantsError> {
    remove(
        t,
        session,
        format!("/permissions/authorizations/grants/{id}"),
        id,
    )
    .await
}

/// Removes a grant with the call its kind needs ([`GrantRecord::revoke_endpoint`]).
pub async fn revoke_grant(
    t: &Transport,
    session: &mut Session,
    grant: &GrantRecord,
) -> Result<String, GrantsError> {
    if grant.kind.is_authorization() {
        delete_authorization_grant(t, session, &grant.id).await
    } else {
        delete_grant(t, session, &grant.id).await
    }
}

/// `GET /permissions/operations/{referenceNumber}`: the status of a removal
/// (`code` 100 in progress, 200 done, 400 and up failed).
pub async fn operation_status(
    t: &Transport,
    session: &mut Session,
    reference: &str,
) -> Result<StatusInfo, GrantsError> {
    check_id(&t.nip, reference)?;
    let access = session.access(t).await?.clone();
    let call = Call::new(Method::GET, format!("/permissions/operations/{reference}"))
        .bearer(&access)
        .limited();
    let (_, body) = t.json::<PermissionsOperationStatusResponse>(&call).await?;
    Ok(body.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(id: &str) -> GrantRecord {
        serde_json::from_value(json!({
            "id": id,
            "kind": "Person",
            "holder": {"type": "Pesel", "value": "85010112345"},
            "scope": "InvoiceRead",
            "startDate": "2025-06-22T10:41:11+00:00"
        }))
        .expect("grant")
    }

    #[test]
    fn pages_are_numbered_from_zero_and_capped() {
        let mut p = OffsetPaging::new("5265877635", PERSONS_ENDPOINT, 2);
        let mut all = Vec::new();
        assert_eq!(p.begin().expect("page 1"), 0);
        assert!(p.end(vec![grant("a")], true, &mut all).expect("more"));
        assert_eq!(p.begin().expect("page 2"), 1);
        assert!(p.end(vec![grant("b")], true, &mut all).expect("more"));
        let err = p.begin().expect_err("cap");
        assert!(
            matches!(err, GrantsError::PageCap { pages: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("runaway"), "{err}");
    }

    #[test]
    fn a_page_of_nothing_new_with_has_more_is_a_loop() {
        let mut p = OffsetPaging::new("5265877635", PERSONS_ENDPOINT, 10);
        let mut all = Vec::new();
        p.begin().expect("page 1");
        assert!(p.end(vec![grant("a")], true, &mut all).expect("more"));
        p.begin().expect("page 2");
        let err = p.end(vec![grant("a")], true, &mut all).expect_err("loop");
        assert!(matches!(err, GrantsError::Runaway { page: 2, .. }), "{err}");
        // A repeated grant on a page that ends the list is dropped, not an error.
        let mut p = OffsetPaging::new("5265877635", PERSONS_ENDPOINT, 10);
        let mut all = Vec::new();
        p.begin().expect("page 1");
        p.end(vec![grant("a")], true, &mut all).expect("more");
        p.begin().expect("page 2");
        assert!(
            !p.end(vec![grant("a"), grant("b")], false, &mut all)
                .expect("end")
        );
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn a_known_auditor_without_read_permissions_is_refused_early() {
        let err = check_auditor_permissions("5265877635", Some(&[Permission::InvoiceRead]))
            .expect_err("refused");
        assert_eq!(
            err.missing_permissions(),
            ["CredentialsRead", "CredentialsManage"]
        );
        let text = err.to_string();
        assert!(
            text.contains(
                "has neither CredentialsRead nor CredentialsManage (it has [InvoiceRead])"
            ),
            "{text}"
        );
        assert!(
            check_auditor_permissions("5265877635", Some(&[Permission::CredentialsRead])).is_ok()
        );
        assert!(check_auditor_permissions("5265877635", None).is_ok());
    }

    #[test]
    fn a_403_names_the_present_permissions_and_other_403s_stay_api_errors() {
        let status = |message: &str| ApiError::Status {
            nip: "5265877635".into(),
            endpoint: PERSONS_ENDPOINT.into(),
            status: 403,
            code: None,
            message: message.into(),
            help: None,
        };
        let e = classify(
            status(
                "Brak uprawnień; reason missing-permissions; needs any of [CredentialsManage, CredentialsRead], the token has [InvoiceRead, InvoiceWrite]",
            ),
            "5265877635",
            PERSONS_ENDPOINT,
            1,
            0,
        );
        match &e {
            GrantsError::MissingPermission { present, .. } => assert_eq!(
                present.as_deref(),
                Some(&["InvoiceRead".to_string(), "InvoiceWrite".to_string()][..])
            ),
            other => panic!("{other}"),
        }
        let e = classify(
            status("Żądanie z innego IP; reason ip-not-allowed"),
            "5265877635",
            PERSONS_ENDPOINT,
            3,
            200,
        );
        assert!(
            matches!(
                e,
                GrantsError::Midway {
                    page: 3,
                    read: 200,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn permission_ids_are_checked_before_they_go_in_a_path() {
        assert!(check_id("5265877635", "0c9a72e8-f344-457f-9c16-7c640eb60242").is_ok());
        assert!(check_id("5265877635", "../../tokens/0c9a72e8-f344-457f-9c16-7c").is_err());
        assert!(check_id("5265877635", "short").is_err());
    }
}
