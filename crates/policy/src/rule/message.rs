//! Message templates: the placeholders a rule's `message` may use, their check at load and
//! the filling at evaluation.

use crate::rule::PolicyRule;

/// Placeholders a message template may use besides the rule's parameters.
pub(crate) const TEMPLATE_FIELDS: &[&str] = &[
    "nip",
    "reference",
    "owner",
    "status",
    "system",
    "environment",
    "inventory-environment",
    "permissions",
    "created",
    "last-used",
    "expires",
    "age-days",
    "idle-days",
    "expires-in-days",
    "expired-days",
    "row",
    "detail",
    "grant-id",
    "grant-kind",
    "holder",
    "holder-type",
    "scope",
    "certificate-serial",
    "certificate-subject",
    "certificate-status",
    "valid-to",
    "days-left",
];

fn template_placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

pub(crate) fn check_template(rule: &PolicyRule) -> Result<(), String> {
    let templates = [
        ("message", Some(&rule.message)),
        ("message-pl", rule.message_pl.as_ref()),
    ];
    for (field, template) in templates {
        for p in template_placeholders(template.map_or("", String::as_str)) {
            if !TEMPLATE_FIELDS.contains(&p) && !rule.defaults.contains_key(p) {
                return Err(format!(
                    "{field} uses unknown placeholder '{{{p}}}' (expected a parameter or one of: {})",
                    TEMPLATE_FIELDS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// Fills `{placeholder}`s from `lookup` (unknown ones are left as written).
pub(crate) fn render_template(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match lookup(key) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
