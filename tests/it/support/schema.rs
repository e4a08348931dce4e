//! The KSeF contract subset (`tests/fixtures/contract/`) and a small JSON Schema
//! checker, shared by the contract tests of the client and of the simulator.

use base64::Engine;
use serde_json::Value;

pub fn contract() -> Value {
    let text = include_str!("../../fixtures/contract/ksef-openapi-subset.json");
    serde_json::from_str(text).expect("contract parses")
}

pub fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().expect("ref name");
            resolve(root, &root["components"]["schemas"][name])
        }
        None => v,
    }
}

/// A small JSON Schema (OpenAPI 3.0 dialect) checker: `$ref`, `allOf`, `type`,
/// `required`, `properties` (no others allowed in what we send), `enum`,
/// `minLength`/`maxLength`, `nullable`, `format: byte`.
pub fn validate(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        // `{"allOf": [...], "nullable": true}`: null is fine whatever the parts say.
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(root, s, value, at, errors);
        }
    }
    if value.is_null() {
        if schema.get("nullable") != Some(&Value::Bool(true)) && schema.get("type").is_some() {
            errors.push(format!("{at}: null not allowed"));
        }
        return;
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: expected {t}, got {value}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(value)
    {
        errors.push(format!("{at}: {value} not in {e:?}"));
    }
    if let Some(s) = value.as_str() {
        let n = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && n < min
        {
            errors.push(format!("{at}: shorter than {min}"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && n > max
        {
            errors.push(format!("{at}: longer than {max}"));
        }
        if schema.get("format").and_then(Value::as_str) == Some("byte")
            && base64::engine::general_purpose::STANDARD.decode(s).is_err()
        {
            errors.push(format!("{at}: not Base64"));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().expect("required names are strings");
            if !obj.contains_key(key) {
                errors.push(format!("{at}: missing required '{key}'"));
            }
        }
        if let Some(props) = props {
            for (k, v) in obj {
                match props.get(k) {
                    Some(s) => validate(root, s, v, &format!("{at}.{k}"), errors),
                    None => errors.push(format!("{at}: '{k}' is not in the schema")),
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            validate(root, items, v, &format!("{at}[{i}]"), errors);
        }
    }
}
