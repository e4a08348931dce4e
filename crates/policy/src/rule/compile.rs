//! Compiling the conditions of a rule (`when`) against its subject and parameters: each
//! field condition becomes a typed test, each built-in is looked up in the registry.

use std::collections::BTreeMap;

use regex::Regex;

use crate::rule::builtins::Builtin;
use crate::rule::builtins::builtin_names;
use crate::rule::builtins::find_builtin;
use crate::rule::schema::Field;
use crate::rule::schema::Op;
use crate::rule::schema::RawCondition;
use crate::rule::schema::Subject;

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    Field {
        field: Field,
        test: Test,
    },
    /// A registered Rust function (`builtin = "name"`).
    Builtin(&'static Builtin),
    Any(Vec<Condition>),
}

/// An operator with its resolved operand.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Missing,
    Present,
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    ContainsAny(Vec<String>),
    OlderThan(i64),
    NewerThan(i64),
    DueWithin(i64),
    Matches(Regex),
    NotMatches(Regex),
}

fn subject_fields(subject: Subject) -> &'static [Field] {
    match subject {
        Subject::Credential | Subject::InventoryEntry => &[
            Field::Token,
            Field::TokenStatus,
            Field::TokenDescription,
            Field::TokenPermissions,
            Field::TokenCreated,
            Field::TokenLastUsed,
            Field::TokenAuthorType,
            Field::Inventory,
            Field::InventoryOwner,
            Field::InventorySystem,
            Field::InventoryEnvironment,
            Field::InventoryPermissions,
            Field::InventoryExpires,
            Field::ContextEnvironment,
            Field::ContextStatus,
            Field::AuditorPermissions,
        ],
        Subject::Context => &[
            Field::ContextEnvironment,
            Field::ContextStatus,
            Field::AuditorPermissions,
            Field::CertificatesRead,
        ],
        Subject::Certificate => &[
            Field::Certificate,
            Field::CertificateStatus,
            Field::CertificateType,
            Field::CertificateSubjectType,
            Field::CertificateValidTo,
            Field::CertificateLastUsed,
            Field::CertificateRequested,
            Field::Inventory,
            Field::InventoryOwner,
            Field::InventorySystem,
            Field::InventoryEnvironment,
            Field::InventoryExpires,
            Field::ContextEnvironment,
            Field::ContextStatus,
            Field::CertificatesRead,
        ],
        Subject::Grant => &[
            Field::GrantKind,
            Field::GrantScope,
            Field::GrantHolderType,
            Field::GrantCanDelegate,
            Field::GrantTargetType,
            Field::GrantState,
            Field::GrantCreated,
            Field::ContextEnvironment,
            Field::ContextStatus,
        ],
    }
}

/// Compiles conditions against the rule's (effective) parameters.
pub(crate) fn compile_conditions(
    raw: &[RawCondition],
    subject: Subject,
    params: &BTreeMap<String, toml::Value>,
) -> Result<Vec<Condition>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, c) in raw.iter().enumerate() {
        match compile_one(c, subject, params) {
            Ok(cond) => out.push(cond),
            Err(e) => errors.push(format!("when[{i}]: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn compile_one(
    c: &RawCondition,
    subject: Subject,
    params: &BTreeMap<String, toml::Value>,
) -> Result<Condition, String> {
    if let Some(any) = &c.any {
        if c.field.is_some() || c.op.is_some() || c.builtin.is_some() || c.value.is_some() {
            return Err("'any' stands alone: put the alternatives inside it".into());
        }
        if any.len() < 2 {
            return Err("'any' needs at least two alternatives".into());
        }
        return compile_conditions(any, subject, params)
            .map(Condition::Any)
            .map_err(|e| e.join("; "));
    }
    if let Some(name) = &c.builtin {
        if c.field.is_some() || c.op.is_some() || c.value.is_some() || c.param.is_some() {
            return Err("'builtin' stands alone (no field, op, value or param)".into());
        }
        let b = find_builtin(name).ok_or_else(|| {
            format!(
                "unknown built-in '{name}' (expected one of: {})",
                builtin_names()
            )
        })?;
        return Ok(Condition::Builtin(b));
    }
    let field_name = c
        .field
        .as_deref()
        .ok_or("a condition needs 'field' and 'op', 'builtin' or 'any'")?;
    let field = Field::parse(field_name).ok_or_else(|| {
        format!(
            "unknown field '{field_name}' (expected one of: {})",
            Field::names()
        )
    })?;
    if !subject_fields(subject).contains(&field) {
        return Err(format!(
            "field '{field}' is not available to subject '{}'",
            subject.as_str()
        ));
    }
    let op_name = c.op.as_deref().ok_or("a field condition needs 'op'")?;
    let op = Op::parse(op_name)
        .ok_or_else(|| format!("unknown op '{op_name}' (expected one of: {})", Op::names()))?;
    if !op.accepts(field.kind()) {
        return Err(format!("op '{op}' cannot test field '{field}'"));
    }
    let operand = match (&c.value, &c.param) {
        (Some(_), Some(_)) => return Err("give 'value' or 'param', not both".into()),
        (Some(v), None) => Some(v.clone()),
        (None, Some(p)) => Some(
            params
                .get(p)
                .cloned()
                .ok_or_else(|| format!("parameter '{p}' is not declared in [rule.parameters]"))?,
        ),
        (None, None) => None,
    };
    let test = match op {
        Op::Missing | Op::Present => {
            if operand.is_some() {
                return Err(format!("op '{op}' takes no value"));
            }
            if op == Op::Missing {
                Test::Missing
            } else {
                Test::Present
            }
        }
        Op::Equals | Op::NotEquals => {
            let s = operand
                .as_ref()
                .and_then(toml::Value::as_str)
                .ok_or_else(|| format!("op '{op}' needs a string value"))?
                .to_string();
            if op == Op::Equals {
                Test::Equals(s)
            } else {
                Test::NotEquals(s)
            }
        }
        Op::In | Op::NotIn | Op::ContainsAny => {
            let list = string_list(operand.as_ref())
                .ok_or_else(|| format!("op '{op}' needs a list of strings"))?;
            if list.is_empty() {
                return Err(format!("op '{op}' needs a non-empty list"));
            }
            if matches!(field, Field::TokenPermissions | Field::InventoryPermissions) {
                for p in &list {
                    if ksef_model::Permission::parse_known(p).is_none() {
                        return Err(format!("unknown permission '{p}'"));
                    }
                }
            }
            match op {
                Op::In => Test::In(list),
                Op::NotIn => Test::NotIn(list),
                _ => Test::ContainsAny(list),
            }
        }
        Op::OlderThan | Op::NewerThan | Op::DueWithin => {
            let days = operand
                .as_ref()
                .and_then(toml::Value::as_integer)
                .ok_or_else(|| format!("op '{op}' needs a number of days"))?;
            if days < 0 {
                return Err(format!("op '{op}' needs a number of days >= 0"));
            }
            match op {
                Op::OlderThan => Test::OlderThan(days),
                Op::NewerThan => Test::NewerThan(days),
                _ => Test::DueWithin(days),
            }
        }
        Op::Matches | Op::NotMatches => {
            let pat = operand
                .as_ref()
                .and_then(toml::Value::as_str)
                .ok_or_else(|| format!("op '{op}' needs a regular expression string"))?;
            let re = Regex::new(pat).map_err(|e| format!("bad regular expression: {e}"))?;
            if op == Op::Matches {
                Test::Matches(re)
            } else {
                Test::NotMatches(re)
            }
        }
    };
    Ok(Condition::Field { field, test })
}

fn string_list(v: Option<&toml::Value>) -> Option<Vec<String>> {
    match v? {
        toml::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}
