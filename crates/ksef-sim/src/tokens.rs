//! `GET /tokens`, `GET /tokens/{referenceNumber}`, `DELETE /tokens/{referenceNumber}`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::errors::ApiFailure;
use crate::state::Caller;
use crate::state::Revoking;
use crate::state::Sim;
use crate::state::SimState;
use crate::tag;
use crate::time::ksef_time;
use ksef_model::RateLimits;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;

type SimRef = State<Arc<Sim>>;

/// Contract limits of group `other`, per context and endpoint.
pub(crate) fn limit_other(
    sim: &Sim,
    st: &mut SimState,
    nip: &str,
    endpoint: &str,
) -> Result<(), ApiFailure> {
    if !sim.options.rate_limits {
        return Ok(());
    }
    st.limiter
        .check(
            &format!("{nip} {endpoint}"),
            RateLimits::TOKENS,
            Instant::now(),
        )
        .map_err(|e| ApiFailure::TooManyRequests {
            retry_after: e.retry_after_secs,
            detail: e.detail,
        })
}

/// Forced 429 (`rateLimitEvery`), then the contract limits.
fn gate(sim: &Sim, st: &mut SimState, caller: &Caller, endpoint: &str) -> Result<(), ApiFailure> {
    let faults = Sim::faults_for(st, Some(caller.context));
    let counters = st.counters(&caller.nip);
    counters.token_requests += 1;
    let n = counters.token_requests;
    faults.forced_rate_limit(n)?;
    limit_other(sim, st, &caller.nip, endpoint)
}

/// A token record as the API sends it (contract-style timestamps).
pub(crate) fn record_json(record: &TokenRecord) -> Value {
    let mut value = serde_json::to_value(record).unwrap_or(Value::Null);
    value["dateCreated"] = json!(ksef_time(record.date_created));
    value["lastUseDate"] = json!(record.last_use_date.map(ksef_time));
    value
}

struct Query {
    statuses: BTreeSet<String>,
    description: Option<String>,
    author: Option<String>,
    author_type: Option<String>,
    page_size: usize,
}

fn parse_query(raw: Option<&str>) -> Result<Query, ApiFailure> {
    let mut q = Query {
        statuses: BTreeSet::new(),
        description: None,
        author: None,
        author_type: None,
        page_size: 10,
    };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "status" => {
                if !TokenStatus::KNOWN.contains(&value.as_ref()) {
                    return Err(ApiFailure::validation(format!(
                        "Wartość '{value}' parametru status jest nieprawidłowa."
                    )));
                }
                q.statuses.insert(value.into_owned());
            }
            "description" | "authorIdentifier" => {
                if value.chars().count() < 3 {
                    return Err(ApiFailure::validation(format!(
                        "Parametr {key} musi mieć co najmniej 3 znaki."
                    )));
                }
                let v = Some(value.to_lowercase());
                if key == "description" {
                    q.description = v;
                } else {
                    q.author = v;
                }
            }
            "authorIdentifierType" => {
                if !["Nip", "Pesel", "Fingerprint"].contains(&value.as_ref()) {
                    return Err(ApiFailure::validation(format!(
                        "Wartość '{value}' parametru authorIdentifierType jest nieprawidłowa."
                    )));
                }
                q.author_type = Some(value.into_owned());
            }
            "pageSize" => q.page_size = page_size(&value)?,
            _ => {}
        }
    }
    Ok(q)
}

/// `pageSize`: 10–100, else 400 `21405` (as every paged query of the contract).
pub fn page_size(value: &str) -> Result<usize, ApiFailure> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (10..=100).contains(n))
        .ok_or_else(|| {
            ApiFailure::validation(format!(
                "Parametr pageSize musi mieć wartość od 10 do 100 (podano '{value}')."
            ))
        })
}

impl Query {
    fn matches(&self, r: &TokenRecord) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(r.status.as_str()))
            && self
                .description
                .as_ref()
                .is_none_or(|d| r.description.to_lowercase().contains(d))
            && self
                .author
                .as_ref()
                .is_none_or(|a| r.author_identifier.value.to_lowercase().contains(a))
            && self
                .author_type
                .as_ref()
                .is_none_or(|t| r.author_identifier.kind == *t)
    }

    /// Digest of everything that shapes the result list: a cursor is only valid for it.
    fn digest(&self, caller: &Caller) -> String {
        let text = format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            self.statuses,
            self.description,
            self.author,
            self.author_type,
            caller.can_read_all(),
            caller.token_ref
        );
        hex::encode(&Sha256::digest(text.as_bytes())[..8])
    }
}

/// Sort key: `dateCreated` descending, then reference number.
type Key = (std::cmp::Reverse<i64>, String);

fn key_of(r: &TokenRecord) -> Key {
    (
        std::cmp::Reverse(r.date_created.timestamp_nanos_opt().unwrap_or(i64::MIN)),
        r.reference_number.clone(),
    )
}

fn mac(sim: &Sim, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(sim.cursor_key);
    h.update(payload.as_bytes());
    hex::encode(&h.finalize()[..8])
}

/// Opaque cursor, shaped like the real service's (Base64 of a Cosmos DB continuation JSON).
fn encode_cursor(sim: &Sim, last: &Key, digest: &str) -> String {
    let payload = format!("{}|{}|{digest}", last.0.0, last.1);
    let inner = format!(
        "+RID:~{}#MAC:{}",
        STANDARD.encode(payload.as_bytes()),
        mac(sim, &payload)
    );
    let json = json!([{"token": inner, "range": {"min": "", "max": "FF"}}]);
    STANDARD.encode(json.to_string())
}

fn decode_cursor(sim: &Sim, cursor: &str, digest: &str) -> Option<Key> {
    let json: Value = serde_json::from_slice(&STANDARD.decode(cursor).ok()?).ok()?;
    let inner = json.get(0)?.get("token")?.as_str()?;
    let (payload_b64, tag) = inner.strip_prefix("+RID:~")?.split_once("#MAC:")?;
    let payload = String::from_utf8(STANDARD.decode(payload_b64).ok()?).ok()?;
    if mac(sim, &payload) != tag {
        return None;
    }
    let mut parts = payload.splitn(3, '|');
    let nanos: i64 = parts.next()?.parse().ok()?;
    let reference = parts.next()?.to_string();
    (parts.next()? == digest).then_some((std::cmp::Reverse(nanos), reference))
}

pub async fn list(
    State(sim): SimRef,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    let nip = Some(caller.nip.clone());
    let huge = Sim::faults_for(&st, Some(caller.context)).huge_body_mib;
    let result = list_page(&sim, &mut st, &caller, &headers, raw.as_deref());
    drop(st);
    match result {
        Ok(body) if huge > 0 => Ok(tag(padded(&body, huge), nip)),
        Ok(body) => Ok(tag(Json(body).into_response(), nip)),
        Err(failure) => Ok(tag(failure.into_response(), nip)),
    }
}

/// `body` padded with spaces to `mib` MiB.
fn padded(body: &Value, mib: u64) -> Response {
    let mut bytes = body.to_string().into_bytes();
    let size = usize::try_from(mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
    bytes.resize(size.max(bytes.len()), b' ');
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}

fn list_page(
    sim: &Sim,
    st: &mut SimState,
    caller: &Caller,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Value, ApiFailure> {
    gate(sim, st, caller, "GET /tokens")?;
    let faults = Sim::faults_for(st, Some(caller.context));
    let counters = st.counters(&caller.nip);
    if counters.unavailable_served < faults.unavailable_first {
        counters.unavailable_served += 1;
        return Err(ApiFailure::Unavailable);
    }
    let query = parse_query(raw)?;
    let digest = query.digest(caller);
    let after = match headers
        .get("x-continuation-token")
        .map(|v| v.to_str().unwrap_or("\u{0}"))
        .filter(|v| !v.is_empty())
    {
        Some(cursor) => {
            Some(decode_cursor(sim, cursor, &digest).ok_or_else(ApiFailure::bad_continuation)?)
        }
        None => None,
    };
    // `endlessCursor`: a cursor past the end gives an empty page and yet another cursor.
    if let Some(key) = &after
        && key.0.0 == i64::MIN
    {
        let counters = st.counters(&caller.nip);
        counters.endless_pages += 1;
        let n = counters.endless_pages;
        let next = encode_cursor(
            sim,
            &(std::cmp::Reverse(i64::MIN), format!("endless-{n}")),
            &digest,
        );
        return Ok(json!({ "continuationToken": next, "tokens": [] }));
    }

    // Reading the list is a read of every token being revoked in this context.
    let delay = sim.options.revoke_delay;
    let in_context: Vec<String> = st.contexts[caller.context]
        .tokens
        .iter()
        .filter(|t| st.revoking.contains_key(&t.record.reference_number))
        .map(|t| t.record.reference_number.clone())
        .collect();
    for reference in in_context {
        st.settle_revocation(&reference, delay);
    }

    let mut visible: Vec<&TokenRecord> = st.contexts[caller.context]
        .tokens
        .iter()
        .map(|t| &t.record)
        .filter(|r| {
            caller.can_read_all() || caller.token_ref.as_deref() == Some(&r.reference_number)
        })
        .filter(|r| query.matches(r))
        .collect();
    visible.sort_by_key(|r| key_of(r));
    let start = match &after {
        Some(key) => visible.partition_point(|r| key_of(r) <= *key),
        None => 0,
    };
    let page: Vec<&TokenRecord> = visible
        .iter()
        .skip(start)
        .take(query.page_size)
        .copied()
        .collect();
    let more = start + page.len() < visible.len();
    let mut continuation = match (more, page.last()) {
        (true, Some(last)) => Some(encode_cursor(sim, &key_of(last), &digest)),
        _ => None,
    };
    let tokens: Vec<Value> = page.into_iter().map(record_json).collect();
    if continuation.is_none() {
        let counters = st.counters(&caller.nip);
        if faults.endless_cursor {
            continuation = Some(encode_cursor(
                sim,
                &(std::cmp::Reverse(i64::MIN), "endless-0".to_string()),
                &digest,
            ));
        } else if faults.repeat_listing && !counters.repeated {
            // Before every token: the next page is the first one again.
            counters.repeated = true;
            continuation = Some(encode_cursor(
                sim,
                &(std::cmp::Reverse(i64::MAX), String::new()),
                &digest,
            ));
        }
    }
    Ok(json!({
        "continuationToken": continuation,
        "tokens": tokens,
    }))
}

/// Finds a token the caller may see; 400 21405 when unknown, 403 when not visible.
fn find_visible(
    st: &SimState,
    caller: &Caller,
    reference: &str,
    manage: bool,
) -> Result<(usize, usize), ApiFailure> {
    if reference.len() != 36 {
        return Err(ApiFailure::validation(format!(
            "Numer referencyjny '{reference}' musi mieć 36 znaków."
        )));
    }
    let found = st
        .token_index
        .get(reference)
        .copied()
        .filter(|(ci, _)| *ci == caller.context)
        .ok_or_else(|| {
            ApiFailure::validation(format!(
                "Token o numerze referencyjnym {reference} nie został znaleziony."
            ))
        })?;
    let own = caller.token_ref.as_deref() == Some(reference);
    let allowed = own
        || if manage {
            caller.can_manage()
        } else {
            caller.can_read_all()
        };
    if !allowed {
        let required: &[&str] = if manage {
            &["CredentialsManage"]
        } else {
            &["CredentialsManage", "CredentialsRead"]
        };
        return Err(ApiFailure::Forbidden {
            detail: "Brak wymaganych uprawnień do wykonania operacji w bieżącym kontekście.".into(),
            reason_code: "missing-permissions",
            security: json!({
                "requiredAnyOfPermissions": required,
                "presentPermissions": caller.permissions,
            }),
        });
    }
    Ok(found)
}

pub(crate) async fn get_one(
    State(sim): SimRef,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    let nip = Some(caller.nip.clone());
    if let Some(code) = Sim::faults_for(&st, Some(caller.context)).token_lookup_status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({"status": code, "title": status.canonical_reason().unwrap_or("error")});
        return Ok(tag((status, Json(body)).into_response(), nip));
    }
    let result = (|| {
        gate(&sim, &mut st, &caller, "GET /tokens/{referenceNumber}")?;
        let (ci, ti) = find_visible(&st, &caller, &reference, false)?;
        st.settle_revocation(&reference, sim.options.revoke_delay);
        Ok::<_, ApiFailure>(record_json(&st.contexts[ci].tokens[ti].record))
    })();
    Ok(match result {
        Ok(body) => tag(Json(body).into_response(), nip),
        Err(failure) => tag(failure.into_response(), nip),
    })
}

pub async fn revoke(
    State(sim): SimRef,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    let nip = Some(caller.nip.clone());
    let result = (|| {
        gate(&sim, &mut st, &caller, "DELETE /tokens/{referenceNumber}")?;
        let (ci, ti) = find_visible(&st, &caller, &reference, true)?;
        let record = &mut st.contexts[ci].tokens[ti].record;
        if matches!(record.status, TokenStatus::Active | TokenStatus::Pending) {
            record.status = TokenStatus::Revoking;
            st.revoking.insert(
                reference.clone(),
                Revoking {
                    since: Instant::now(),
                    seen: false,
                },
            );
        }
        Ok::<_, ApiFailure>(())
    })();
    Ok(match result {
        Ok(()) => tag(StatusCode::NO_CONTENT.into_response(), nip),
        Err(failure) => tag(failure.into_response(), nip),
    })
}
