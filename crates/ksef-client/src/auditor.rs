//! What the auditing credential itself may see: for an access token given directly
//! (`KSEF_ACCESS_TOKEN_<NIP>`) without permission claims, its own permissions are asked
//! of KSeF with `POST /permissions/query/personal/grants` (see docs/ksef-assumptions.md).

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Session;
use crate::error::ApiError;
use crate::http::Call;
use crate::http::Transport;

/// Page size of the query (the contract's maximum).
const PAGE_SIZE: u32 = 100;
/// Pages read at most: 1,000 grants to one caller in one context is no real answer.
const MAX_PAGES: u32 = 10;

/// The permissions that let a caller see every token of the context.
pub(crate) const READ_ALL: [&str; 2] = ["CredentialsRead", "CredentialsManage"];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonalPermission {
    permission_scope: String,
    #[serde(default)]
    permission_state: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryPersonalPermissionsResponse {
    permissions: Vec<PersonalPermission>,
    #[serde(default)]
    has_more: bool,
}

/// The caller's own active permissions in the current context (their scopes, as KSeF
/// names them). Stops early once one of [`READ_ALL`] is seen.
pub(crate) async fn personal_permissions(
    t: &Transport,
    session: &mut Session,
) -> Result<Vec<String>, ApiError> {
    let mut scopes: Vec<String> = Vec::new();
    for page in 0..MAX_PAGES {
        let access = session.access(t).await?.clone();
        let mut call = Call::new(Method::POST, "/permissions/query/personal/grants")
            .bearer(&access)
            .json(json!({ "permissionState": "Active" }));
        call.query = vec![
            ("pageOffset", page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
        ];
        let (_, body): (_, QueryPersonalPermissionsResponse) = t.json(&call).await?;
        for p in body.permissions {
            let active = p.permission_state.as_deref().is_none_or(|s| s == "Active");
            if active && !scopes.contains(&p.permission_scope) {
                scopes.push(p.permission_scope);
            }
        }
        if !body.has_more || scopes.iter().any(|s| READ_ALL.contains(&s.as_str())) {
            return Ok(scopes);
        }
    }
    Err(ApiError::Decode {
        nip: t.nip.clone(),
        endpoint: "POST /permissions/query/personal/grants".into(),
        message: format!(
            "more than {MAX_PAGES} pages of the caller's own permissions; stopped as a runaway listing"
        ),
    })
}
