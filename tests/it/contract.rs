//! The client's models against the KSeF contract (a subset of the official
//! openapi.json, `tests/fixtures/contract/`): every example of the operations the
//! client uses deserialises, and the request bodies it sends validate against the
//! contract's schemas.

use base64::Engine;
use serde_json::Value;

use ksef_client::error::parse_error_body;
use ksef_client::models::*;
use ksef_client::tokens::PAGE_SIZE;
use ksef_model::Permission;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;

use crate::support;

/// The simulator's answers against the contract.
mod simulator;

use support::schema::{contract, resolve, validate};

/// Every JSON example of a response: inline `example`, named `examples`, and the
/// example of the referenced schema.
fn examples(root: &Value, media: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(e) = media.get("example") {
        out.push(("example".to_string(), e.clone()));
    }
    if let Some(map) = media.get("examples").and_then(Value::as_object) {
        for (name, e) in map {
            out.push((name.clone(), e["value"].clone()));
        }
    }
    if let Some(schema) = media.get("schema")
        && let Some(e) = resolve(root, schema).get("example")
    {
        out.push(("schema example".to_string(), e.clone()));
    }
    out
}

fn parse_success(path: &str, method: &str, example: &Value) -> Result<(), String> {
    let v = example.clone();
    let r = match (method, path) {
        ("post", "/auth/challenge") => serde_json::from_value::<ChallengeResponse>(v).map(drop),
        ("get", "/security/public-key-certificates") => {
            serde_json::from_value::<Vec<PublicKeyCertificate>>(v).map(drop)
        }
        ("post", "/auth/ksef-token") => {
            serde_json::from_value::<AuthenticationInitResponse>(v).map(drop)
        }
        ("get", "/auth/{referenceNumber}") => {
            serde_json::from_value::<AuthenticationOperationStatusResponse>(v).map(drop)
        }
        ("post", "/auth/token/redeem") => {
            serde_json::from_value::<AuthenticationTokensResponse>(v).map(drop)
        }
        ("post", "/auth/token/refresh") => {
            serde_json::from_value::<AuthenticationTokenRefreshResponse>(v).map(drop)
        }
        ("get", "/tokens") => serde_json::from_value::<QueryTokensResponse>(v).map(drop),
        ("get", "/tokens/{referenceNumber}") => serde_json::from_value::<TokenRecord>(v).map(drop),
        _ => return Err(format!("no model mapped for {method} {path}")),
    };
    r.map_err(|e| e.to_string())
}

#[test]
fn every_example_of_the_used_operations_deserialises() {
    let root = contract();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, ops) in root["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            for (status, resp) in op["responses"].as_object().expect("responses") {
                let Some(content) = resp.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for (media_type, media) in content {
                    for (name, example) in examples(&root, media) {
                        checked += 1;
                        let where_ = format!("{method} {path} {status} {media_type} ({name})");
                        if status.starts_with('2') {
                            if let Err(e) = parse_success(path, method, &example) {
                                failures.push(format!("{where_}: {e}"));
                            }
                        } else {
                            let body = parse_error_body(&example.to_string());
                            if body.message.is_empty() || body.message.contains("without details") {
                                failures.push(format!("{where_}: no message parsed"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 15, "only {checked} examples found");
}

#[test]
fn error_examples_give_their_ksef_codes() {
    let root = contract();
    let schemas = &root["components"]["schemas"];
    let legacy = parse_error_body(&schemas["ExceptionResponse"]["example"].to_string());
    assert_eq!(legacy.code, Some(12345));
    assert!(legacy.message.contains("Opis błędu"), "{}", legacy.message);
    let problem = parse_error_body(&schemas["BadRequestProblemDetails"]["example"].to_string());
    assert_eq!(problem.code, Some(21405));
    let too_many =
        parse_error_body(&schemas["TooManyRequestsProblemDetails"]["example"].to_string());
    assert!(
        too_many.message.contains("30 sekundach"),
        "{}",
        too_many.message
    );
}

#[test]
fn the_auth_request_body_validates_against_the_contract() {
    let root = contract();
    let body = InitTokenAuthenticationRequest {
        challenge: "20250514-CR-226FB7B000-3ACF9BE4C0-10".into(),
        context_identifier: AuthContextIdentifier {
            kind: "Nip".into(),
            value: "5265877635".into(),
        },
        encrypted_token: base64::engine::general_purpose::STANDARD.encode([7u8; 256]),
        public_key_id: Some("QIoAK/Yc3s27Z4t3SZY4Mhp8JNLH7Vl4N3lNlJAEig8=".into()),
    };
    let value = serde_json::to_value(&body).expect("serialises");
    let schema = &root["paths"]["/auth/ksef-token"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    let mut errors = Vec::new();
    validate(&root, schema, &value, "body", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");

    // The checker itself catches a broken body.
    let mut broken = value.clone();
    broken["contextIdentifier"]["type"] = "Pesel".into();
    broken.as_object_mut().expect("object").remove("challenge");
    let mut errors = Vec::new();
    validate(&root, schema, &broken, "body", &mut errors);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("missing required 'challenge'")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("body.contextIdentifier.type") && e.contains("Pesel")),
        "{errors:#?}"
    );
}

#[test]
fn listing_parameters_and_enums_match_the_contract() {
    let root = contract();
    let params = root["paths"]["/tokens"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let page_size = params
        .iter()
        .find(|p| p["name"] == "pageSize")
        .expect("pageSize");
    let min = page_size["schema"]["minimum"].as_u64().expect("min");
    let max = page_size["schema"]["maximum"].as_u64().expect("max");
    assert!((min..=max).contains(&u64::from(PAGE_SIZE)));
    assert_eq!(u64::from(PAGE_SIZE), max, "use the largest page");
    let cursor = params
        .iter()
        .find(|p| p["name"] == "x-continuation-token")
        .expect("cursor param");
    assert_eq!(cursor["in"], "header");
    let status = params
        .iter()
        .find(|p| p["name"] == "status")
        .expect("status");
    assert_eq!(status["schema"]["type"], "array");

    let schemas = &root["components"]["schemas"];
    let names = |s: &Value| -> Vec<String> {
        s["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .map(|v| v.as_str().expect("str").to_string())
            .collect()
    };
    assert_eq!(
        names(&schemas["AuthenticationTokenStatus"]),
        TokenStatus::KNOWN
    );
    assert_eq!(names(&schemas["TokenPermissionType"]), Permission::KNOWN);
}
