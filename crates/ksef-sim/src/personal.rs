//! `POST /permissions/query/personal/grants`: the caller's own permissions in the
//! current context. A session opened with a KSeF token holds that token's permissions.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::errors::ApiFailure;
use crate::state::Sim;
use crate::tag;
use crate::time::ksef_time;
use crate::tokens::limit_other;
use crate::tokens::page_size;

const ENDPOINT: &str = "POST /permissions/query/personal/grants";

pub async fn query(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let mut st = sim.lock();
    let caller = st.caller(&headers)?;
    let nip = Some(caller.nip.clone());
    let result = (|| {
        limit_other(&sim, &mut st, &caller.nip, ENDPOINT)?;
        let (offset, size) = paging(raw.as_deref())?;
        let filter: Value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .map_err(|_| ApiFailure::validation("Treść żądania nie jest poprawnym JSON."))?
        };
        let types: Option<Vec<&str>> = filter
            .get("permissionTypes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect());
        let state = filter.get("permissionState").and_then(Value::as_str);
        // Permissions of a token are granted with it: Active, since its creation.
        let started = caller
            .token_ref
            .as_ref()
            .and_then(|r| st.token_index.get(r))
            .map(|&(ci, ti)| st.contexts[ci].tokens[ti].record.date_created);
        let all: Vec<Value> = caller
            .permissions
            .iter()
            .map(|p| p.as_str())
            .filter(|p| types.as_ref().is_none_or(|t| t.contains(p)))
            .filter(|_| state.is_none_or(|s| s == "Active"))
            .map(|scope| {
                let id = Sha256::digest(format!("{}|{scope}", caller.nip).as_bytes());
                let h = hex::encode(&id[..16]);
                json!({
                    "id": format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]),
                    "permissionScope": scope,
                    "description": "Uprawnienie tokena KSeF",
                    "permissionState": "Active",
                    "startDate": started.map(ksef_time),
                    "canDelegate": false,
                })
            })
            .collect();
        let page: Vec<Value> = all.iter().skip(offset * size).take(size).cloned().collect();
        let more = (offset + 1) * size < all.len();
        Ok::<_, ApiFailure>(json!({ "permissions": page, "hasMore": more }))
    })();
    Ok(match result {
        Ok(body) => tag(Json(body).into_response(), nip),
        Err(failure) => tag(failure.into_response(), nip),
    })
}

/// `pageOffset` (≥ 0, default 0) and `pageSize` (10–100, default 10).
fn paging(raw: Option<&str>) -> Result<(usize, usize), ApiFailure> {
    let (mut offset, mut size) = (0usize, 10usize);
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "pageOffset" => {
                offset = value.parse().map_err(|_| {
                    ApiFailure::validation(format!(
                        "Parametr pageOffset musi być liczbą nieujemną (podano '{value}')."
                    ))
                })?;
            }
            "pageSize" => size = page_size(&value)?,
            _ => {}
        }
    }
    Ok((offset, size))
}
