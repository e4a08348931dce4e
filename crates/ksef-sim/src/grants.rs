//! Permission grants: `POST /permissions/query/{persons,entities,authorizations}/grants`
//! (offset paging: `pageOffset` is a page number, `pageSize` 10–100, `hasMore`),
//! `DELETE /permissions/common/grants/{permissionId}`,
//! `DELETE /permissions/authorizations/grants/{permissionId}` and
//! `GET /permissions/operations/{referenceNumber}`.
//!
//! Grants live in the fixture as [`GrantRecord`]s (`FixtureContext.grants`); each
//! listing serves the records of its [`GrantKind`] in the contract's item shape.
//! Visibility: the listings need `CredentialsRead` or `CredentialsManage` on the
//! session's token (403 `missing-permissions` otherwise; `SubunitManage` alone sees
//! only the subunit administrators' person grants); removal needs `CredentialsManage`.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::Utc;
use serde_json::{Value, json};

use crate::FixtureContext;
use crate::errors::ApiFailure;
use crate::state::Caller;
use crate::state::Sim;
use crate::state::SimState;
use crate::state::new_reference;
use crate::tag;
use crate::tokens::limit_other;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::Permission;
use ksef_model::reference_check_ok;

type SimRef = State<Arc<Sim>>;

const PERSONS: &str = "POST /permissions/query/persons/grants";
const ENTITIES: &str = "POST /permissions/query/entities/grants";
const AUTHORIZATIONS: &str = "POST /permissions/query/authorizations/grants";
const DELETE_COMMON: &str = "DELETE /permissions/common/grants/{permissionId}";
const DELETE_AUTHORIZATION: &str = "DELETE /permissions/authorizations/grants/{permissionId}";
const OPERATION: &str = "GET /permissions/operations/{referenceNumber}";

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/permissions/query/persons/grants", post(query_persons))
        .route("/permissions/query/entities/grants", post(query_entities))
        .route(
            "/permissions/query/authorizations/grants",
            post(query_authorizations),
        )
        .route(
            "/permissions/common/grants/{permissionId}",
            delete(revoke_common),
        )
        .route(
            "/permissions/authorizations/grants/{permissionId}",
            delete(revoke_authorization),
        )
        .route(
            "/permissions/operations/{referenceNumber}",
            get(operation_status),
        )
}

/// Fixture checks for a context's grants (called by `Fixture::validate`).
pub(super) fn validate(ctx: &FixtureContext, at: &str, problems: &mut Vec<String>) {
    let mut ids = HashSet::new();
    for (gi, g) in ctx.grants.iter().enumerate() {
        let at = format!("{at} grants[{gi}] ({})", g.id);
        if g.id.chars().count() != 36 {
            problems.push(format!("{at}: id must be 36 characters"));
        }
        if !ids.insert(g.id.as_str()) {
            problems.push(format!("{at}: id used twice"));
        }
        if let GrantKind::Other(kind) = &g.kind {
            problems.push(format!(
                "{at}: kind '{kind}' is not one of {}",
                GrantKind::KNOWN.join(", ")
            ));
        }
        if g.holder.value.as_deref().is_none_or(str::is_empty) && g.kind == GrantKind::Person {
            problems.push(format!("{at}: holder needs a value"));
        }
    }
}

/// Forced 429s (`rateLimitEvery`, counted apart from the token endpoints), the
/// contract limits, then the midway failure (`grantsFailFromPage`).
fn gate(
    sim: &Sim,
    st: &mut SimState,
    caller: &Caller,
    endpoint: &str,
    page: Option<usize>,
) -> Result<(), ApiFailure> {
    let faults = Sim::faults_for(st, Some(caller.context));
    let counters = st.counters(&caller.nip);
    counters.grant_requests += 1;
    let n = counters.grant_requests;
    faults.forced_rate_limit(n)?;
    limit_other(sim, st, &caller.nip, endpoint)?;
    if let (Some(from), Some(page)) = (faults.grants_fail_from_page, page)
        && page >= from as usize
    {
        return Err(ApiFailure::Unavailable);
    }
    Ok(())
}

fn forbidden(caller: &Caller, required: &[&str]) -> ApiFailure {
    ApiFailure::Forbidden {
        detail: "Brak wymaganych uprawnień do wykonania operacji w bieżącym kontekście.".into(),
        reason_code: "missing-permissions",
        security: json!({
            "requiredAnyOfPermissions": required,
            "presentPermissions": caller.permissions,
        }),
    }
}

struct Paging {
    offset: usize,
    size: usize,
}

fn parse_paging(raw: Option<&str>) -> Result<Paging, ApiFailure> {
    let mut p = Paging {
        offset: 0,
        size: 10,
    };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "pageOffset" => {
                p.offset = value.parse::<u32>().map(|n| n as usize).map_err(|_| {
                    ApiFailure::validation(format!(
                        "Parametr pageOffset musi być liczbą nieujemną (podano '{value}')."
                    ))
                })?;
            }
            "pageSize" => {
                p.size = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (10..=100).contains(n))
                    .ok_or_else(|| {
                        ApiFailure::validation(format!(
                            "Parametr pageSize musi mieć wartość od 10 do 100 (podano '{value}')."
                        ))
                    })?;
            }
            _ => {}
        }
    }
    Ok(p)
}

/// The request body as a JSON object (an empty body is `{}`).
fn parse_body(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiFailure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiFailure::validation(
            "Treść żądania musi być obiektem JSON.",
        )),
        Err(e) => Err(ApiFailure::validation(format!(
            "Treść żądania nie jest poprawnym JSON: {e}"
        ))),
    }
}

/// A string field that must be one of `allowed` (required or not).
fn enum_field(
    body: &serde_json::Map<String, Value>,
    name: &str,
    allowed: &[&str],
    required: bool,
) -> Result<Option<String>, ApiFailure> {
    match body.get(name) {
        None | Some(Value::Null) if required => Err(ApiFailure::validation(format!(
            "Pole {name} jest wymagane."
        ))),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(v) => Err(ApiFailure::validation(format!(
            "Wartość {v} pola {name} jest nieprawidłowa."
        ))),
    }
}

/// An identifier filter: `{type, value}` compared with a grant's identifier.
fn identifier_field(
    body: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<GrantIdentifier>, ApiFailure> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| ApiFailure::validation(format!("Pole {name} jest nieprawidłowe: {e}"))),
    }
}

fn matches_identifier(filter: &Option<GrantIdentifier>, actual: Option<&GrantIdentifier>) -> bool {
    filter.as_ref().is_none_or(|f| {
        actual.is_some_and(|a| {
            a.kind == f.kind && (f.value.is_none() || a.value.as_deref() == f.value.as_deref())
        })
    })
}

/// `permissionTypes`: an array of strings (empty or absent: every type).
fn types_field(body: &serde_json::Map<String, Value>) -> Result<Vec<String>, ApiFailure> {
    match body.get("permissionTypes") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    ApiFailure::validation("Pole permissionTypes musi być listą napisów.")
                })
            })
            .collect(),
        Some(_) => Err(ApiFailure::validation(
            "Pole permissionTypes musi być listą napisów.",
        )),
    }
}

/// Sorted as the contract says (`startDate` descending, then `id`), one page cut out.
fn page_of<'a>(mut items: Vec<&'a GrantRecord>, paging: &Paging) -> (Vec<&'a GrantRecord>, bool) {
    items.sort_by(|a, b| {
        b.start_date
            .cmp(&a.start_date)
            .then_with(|| a.id.cmp(&b.id))
    });
    let start = paging.offset.saturating_mul(paging.size);
    let page: Vec<&GrantRecord> = items
        .iter()
        .skip(start)
        .take(paging.size)
        .copied()
        .collect();
    let more = start.saturating_add(page.len()) < items.len();
    (page, more)
}

/// A grant's item as the contract shapes it: the record with contract-style dates.
fn item_json<T: serde::Serialize>(item: &T) -> Value {
    let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
    if let Some(date) = v.get("startDate").and_then(Value::as_str)
        && let Ok(parsed) = chrono::DateTime::parse_from_rfc3339(date)
    {
        v["startDate"] = json!(crate::time::ksef_time(parsed.with_timezone(&Utc)));
    }
    v
}

/// Runs a handler body against the caller and tags the answer with the context.
fn answer(
    sim: &Sim,
    headers: &HeaderMap,
    body: impl FnOnce(&Sim, &mut SimState, &Caller) -> Result<Response, ApiFailure>,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(headers)?;
    let nip = Some(caller.nip.clone());
    Ok(match body(sim, &mut st, &caller) {
        Ok(response) => tag(response, nip),
        Err(failure) => tag(failure.into_response(), nip),
    })
}

async fn query_persons(
    State(sim): SimRef,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    answer(&sim, &headers, |sim, st, caller| {
        let paging = parse_paging(raw.as_deref())?;
        gate(sim, st, caller, PERSONS, Some(paging.offset))?;
        let subunit_only = !caller.can_read_all();
        if subunit_only && !caller.permissions.contains(&Permission::SubunitManage) {
            return Err(forbidden(
                caller,
                &["CredentialsManage", "CredentialsRead", "SubunitManage"],
            ));
        }
        let body = parse_body(&body)?;
        let query_type = enum_field(
            &body,
            "queryType",
            &[
                "PermissionsInCurrentContext",
                "PermissionsGrantedInCurrentContext",
            ],
            true,
        )?;
        let state = enum_field(&body, "permissionState", &["Active", "Inactive"], false)?;
        let author = identifier_field(&body, "authorIdentifier")?;
        let authorized = identifier_field(&body, "authorizedIdentifier")?;
        let target = identifier_field(&body, "targetIdentifier")?;
        let context = identifier_field(&body, "contextIdentifier")?;
        let types = types_field(&body)?;
        // "Granted in the current context" = granted by the authenticated client: here,
        // by the author of the session's token.
        let granted_by = (query_type.as_deref() == Some("PermissionsGrantedInCurrentContext"))
            .then(|| own_author(st, caller));
        let ctx = &st.contexts[caller.context];
        let items: Vec<&GrantRecord> = ctx
            .grants
            .iter()
            .filter(|g| g.kind == GrantKind::Person)
            .filter(|g| !subunit_only || g.context.is_some())
            .filter(|g| {
                granted_by.as_ref().is_none_or(|by| {
                    by.as_ref()
                        .is_some_and(|by| g.author.as_ref().is_some_and(|a| same(a, by)))
                })
            })
            .filter(|g| {
                state
                    .as_deref()
                    .is_none_or(|s| g.state.as_ref().map_or("Active", |st| st.as_str()) == s)
            })
            .filter(|g| types.is_empty() || types.iter().any(|t| t == g.scope.as_str()))
            .filter(|g| matches_identifier(&author, g.author.as_ref()))
            .filter(|g| matches_identifier(&authorized, Some(&g.holder)))
            .filter(|g| matches_identifier(&target, g.target.as_ref()))
            .filter(|g| matches_identifier(&context, g.context.as_ref()))
            .collect();
        let endless = Sim::faults_for(st, Some(caller.context)).endless_grants;
        let model = items.first().map(|g| g.to_person());
        let (page, more) = page_of(items, &paging);
        if endless && !more {
            // Past the real list: one invented grant per page, and always more.
            let invented = model.map(|mut g| {
                g.id = format!("endless-grant-{:022}", paging.offset);
                item_json(&g)
            });
            return Ok(Json(
                json!({"permissions": invented.into_iter().collect::<Vec<_>>(), "hasMore": true}),
            )
            .into_response());
        }
        Ok(Json(json!({
            "permissions": page.iter().map(|g| item_json(&g.to_person())).collect::<Vec<_>>(),
            "hasMore": more,
        }))
        .into_response())
    })
}

/// The author of the session's KSeF token (who "the authenticated client" is).
fn own_author(st: &SimState, caller: &Caller) -> Option<GrantIdentifier> {
    let reference = caller.token_ref.as_deref()?;
    let &(ci, ti) = st.token_index.get(reference)?;
    let author = &st.contexts[ci].tokens[ti].record.author_identifier;
    Some(GrantIdentifier::new(
        author.kind.as_str().into(),
        author.value.clone(),
    ))
}

fn same(a: &GrantIdentifier, b: &GrantIdentifier) -> bool {
    a.kind == b.kind && a.value == b.value
}

fn own_identifier(ctx: &FixtureContext) -> GrantIdentifier {
    let id = ctx.identifier();
    GrantIdentifier::new(id.kind.as_str().into(), id.value)
}

async fn query_entities(
    State(sim): SimRef,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    answer(&sim, &headers, |sim, st, caller| {
        let paging = parse_paging(raw.as_deref())?;
        gate(sim, st, caller, ENTITIES, Some(paging.offset))?;
        if !caller.can_read_all() {
            return Err(forbidden(caller, &["CredentialsManage", "CredentialsRead"]));
        }
        let body = parse_body(&body)?;
        let context = identifier_field(&body, "contextIdentifier")?;
        let ctx = &st.contexts[caller.context];
        let own = own_identifier(ctx);
        let items: Vec<&GrantRecord> = ctx
            .grants
            .iter()
            .filter(|g| g.kind == GrantKind::Entity)
            .filter(|g| matches_identifier(&context, g.context.as_ref()))
            .collect();
        let (page, more) = page_of(items, &paging);
        Ok(Json(json!({
            "permissions": page.iter().map(|g| item_json(&g.to_entity(&own))).collect::<Vec<_>>(),
            "hasMore": more,
        }))
        .into_response())
    })
}

async fn query_authorizations(
    State(sim): SimRef,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    answer(&sim, &headers, |sim, st, caller| {
        let paging = parse_paging(raw.as_deref())?;
        gate(sim, st, caller, AUTHORIZATIONS, Some(paging.offset))?;
        if !caller.can_read_all() {
            return Err(forbidden(
                caller,
                &["CredentialsManage", "CredentialsRead", "PefInvoiceWrite"],
            ));
        }
        let body = parse_body(&body)?;
        let query_type = enum_field(&body, "queryType", &["Granted", "Received"], true)?;
        let kind = if query_type.as_deref() == Some("Received") {
            GrantKind::AuthorizationReceived
        } else {
            GrantKind::AuthorizationGranted
        };
        let authorizing = identifier_field(&body, "authorizingIdentifier")?;
        let authorized = identifier_field(&body, "authorizedIdentifier")?;
        let types = types_field(&body)?;
        let ctx = &st.contexts[caller.context];
        let own = own_identifier(ctx);
        let items: Vec<&GrantRecord> = ctx
            .grants
            .iter()
            .filter(|g| g.kind == kind)
            .filter(|g| types.is_empty() || types.iter().any(|t| t == g.scope.as_str()))
            .filter(|g| matches_identifier(&authorizing, Some(g.context.as_ref().unwrap_or(&own))))
            .filter(|g| matches_identifier(&authorized, Some(&g.holder)))
            .collect();
        let (page, more) = page_of(items, &paging);
        Ok(Json(json!({
            "authorizationGrants": page
                .iter()
                .map(|g| item_json(&g.to_authorization(&own)))
                .collect::<Vec<_>>(),
            "hasMore": more,
        }))
        .into_response())
    })
}

/// Removes a grant of the caller's context whose kind `accepts`; 202 with an operation number.
fn revoke(
    sim: &Sim,
    headers: &HeaderMap,
    id: &str,
    endpoint: &str,
    accepts: fn(&GrantKind) -> bool,
) -> Result<Response, ApiFailure> {
    answer(sim, headers, |sim, st, caller| {
        gate(sim, st, caller, endpoint, None)?;
        if id.chars().count() != 36 {
            return Err(ApiFailure::validation(format!(
                "Identyfikator uprawnienia '{id}' musi mieć 36 znaków."
            )));
        }
        if !caller.can_manage() {
            return Err(forbidden(caller, &["CredentialsManage"]));
        }
        let grants = &mut st.contexts[caller.context].grants;
        let at = grants
            .iter()
            .position(|g| g.id == id && accepts(&g.kind))
            .ok_or_else(|| {
                ApiFailure::validation(format!(
                    "Uprawnienie o identyfikatorze {id} nie zostało znalezione."
                ))
            })?;
        let fails = Sim::faults_for(st, Some(caller.context))
            .grant_operation_code
            .is_some_and(|c| c != 200);
        if !fails {
            st.contexts[caller.context].grants.remove(at);
        }
        let reference = new_reference("EG", Utc::now());
        Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "referenceNumber": reference })),
        )
            .into_response())
    })
}

async fn revoke_common(
    State(sim): SimRef,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    revoke(&sim, &headers, &id, DELETE_COMMON, |k| {
        *k == GrantKind::Person
    })
}

async fn revoke_authorization(
    State(sim): SimRef,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    revoke(&sim, &headers, &id, DELETE_AUTHORIZATION, |k| {
        *k == GrantKind::AuthorizationGranted
    })
}

/// Removal happens at once here, so every well-formed `EG` number has succeeded.
async fn operation_status(
    State(sim): SimRef,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, ApiFailure> {
    answer(&sim, &headers, |sim, st, caller| {
        gate(sim, st, caller, OPERATION, None)?;
        if !(reference.contains("-EG-") && reference_check_ok(&reference)) {
            return Err(ApiFailure::validation(format!(
                "Operacja o numerze referencyjnym {reference} nie została znaleziona."
            )));
        }
        let code = Sim::faults_for(st, Some(caller.context))
            .grant_operation_code
            .unwrap_or(200);
        let description = match code {
            100..=199 => "Operacja w toku",
            200..=299 => "Operacja zakończona sukcesem",
            _ => "Operacja zakończona niepowodzeniem",
        };
        Ok(Json(json!({
            "status": {"code": code, "description": description}
        }))
        .into_response())
    })
}
