//! Policy rules: a rule holds for a subject (a credential, an inventory entry or a context)
//! when every condition of its `when` list holds. Conditions test one field with one
//! operator (`missing`, `present`, `equals`, `not-equals`, `in`, `not-in`,
//! `contains-any`, `older-than`, `newer-than`, `due-within`, `matches`, `not-matches`),
//! group alternatives with `any`, or call a registered Rust built-in (by name) for logic
//! that needs the staff list or other tokens.
//!
//! One file per job: `schema` (what a rule file may say), `load` (checks, the rule set),
//! `compile` (conditions), `message` (templates), `overrides` (`[rules.<name>]` from the
//! config). The built-in conditions are [`crate::rule::builtins`]; running the rules and their
//! examples is [`crate::evaluate`]'s job.

pub mod builtins;
mod compile;
mod load;
mod message;
mod overrides;
mod schema;

use std::collections::BTreeMap;

pub(crate) use compile::{Condition, Test};
pub use load::{builtin_policy_rules, load_policy_rules, parse_policy_sources};
pub(crate) use message::render_template;
pub use schema::{Example, Examples, RawCondition, Subject};
pub(crate) use schema::{
    ExampleCertificate, ExampleEntry, ExampleGrant, ExampleRegisterRow, ExampleToken, Field,
};

use crate::rule::builtins::Builtin;
use ksef_model::Severity;
use ksef_rules::RuleStatus;

/// The built-in policy rule files, in file name order.
pub(crate) const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "rules/policy/inventory.toml",
        include_str!("../../../../rules/policy/inventory.toml"),
    ),
    (
        "rules/policy/ownership.toml",
        include_str!("../../../../rules/policy/ownership.toml"),
    ),
    (
        "rules/policy/permissions.toml",
        include_str!("../../../../rules/policy/permissions.toml"),
    ),
    (
        "rules/policy/lifecycle.toml",
        include_str!("../../../../rules/policy/lifecycle.toml"),
    ),
    (
        "rules/policy/hygiene.toml",
        include_str!("../../../../rules/policy/hygiene.toml"),
    ),
    (
        "rules/policy/grants.toml",
        include_str!("../../../../rules/policy/grants.toml"),
    ),
    (
        "rules/policy/certificates.toml",
        include_str!("../../../../rules/policy/certificates.toml"),
    ),
];

/// A loaded, checked policy rule with its effective (possibly overridden) settings.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub default_severity: Severity,
    pub enabled: bool,
    pub status: RuleStatus,
    pub since: String,
    pub subject: Subject,
    pub description: String,
    pub why: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub message: String,
    /// `message-pl`, `remediation-pl`: the Polish words of a finding (`--lang pl`).
    pub message_pl: Option<String>,
    pub remediation_pl: Option<String>,
    /// `remediation-after-issuance` (`-pl`): the remediation once tokens can no longer be
    /// issued, when it differs (the rule's advice would create a token).
    pub remediation_after_issuance: Option<String>,
    pub remediation_after_issuance_pl: Option<String>,
    /// The report section that lists this rule's findings (`report-section`), if any.
    pub report_section: Option<String>,
    /// Plain-language title for reports (`title`, `title-pl`), if the rule has one.
    pub(crate) title: Option<String>,
    pub title_pl: Option<String>,
    /// Effective parameter values.
    pub parameters: BTreeMap<String, toml::Value>,
    /// Parameter defaults from the rule file.
    pub defaults: BTreeMap<String, toml::Value>,
    pub raw_when: Vec<RawCondition>,
    pub(crate) when: Vec<Condition>,
    pub examples: Examples,
    /// The file the rule came from.
    pub origin: String,
}

impl PolicyRule {
    pub(crate) fn param_i64(&self, name: &str) -> Option<i64> {
        self.parameters.get(name).and_then(toml::Value::as_integer)
    }

    pub(crate) fn param_bool(&self, name: &str) -> Option<bool> {
        self.parameters.get(name).and_then(toml::Value::as_bool)
    }

    pub(crate) fn param_list(&self, name: &str) -> Vec<String> {
        match self.parameters.get(name) {
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(toml::Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// Built-ins this rule calls.
    pub(crate) fn builtins(&self) -> Vec<&'static Builtin> {
        fn walk(conds: &[Condition], out: &mut Vec<&'static Builtin>) {
            for c in conds {
                match c {
                    Condition::Builtin(b) => out.push(b),
                    Condition::Any(inner) => walk(inner, out),
                    Condition::Field { .. } => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.when, &mut out);
        out
    }
}

/// The loaded policy rules, sorted by id, and a digest of their source text.
#[derive(Debug, Clone)]
pub struct PolicyRuleSet {
    pub rules: Vec<PolicyRule>,
    /// Lowercase hex SHA-256 over every rule file (origin + text) and the overrides.
    pub(crate) digest: String,
}

impl PolicyRuleSet {
    pub fn get(&self, name_or_id: &str) -> Option<&PolicyRule> {
        self.rules
            .iter()
            .find(|r| r.name == name_or_id || r.id.eq_ignore_ascii_case(name_or_id))
    }

    /// The rules the config leaves enabled.
    pub fn enabled(&self) -> impl Iterator<Item = &PolicyRule> {
        self.rules.iter().filter(|r| r.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_rules::load::RuleSource;

    fn src(text: &str) -> Vec<RuleSource> {
        vec![RuleSource {
            origin: "t.toml".into(),
            text: text.into(),
        }]
    }

    /// One valid policy rule (`POL900`, `test-rule`), shared with `tests/rules.rs`.
    const MINIMAL: &str = include_str!("../../../../tests/fixtures/rules/minimal-policy.toml");

    #[test]
    fn builtin_rules_load_and_cover_the_catalogue() {
        let set = builtin_policy_rules().expect("built-in rules load");
        let names: Vec<&str> = set.rules.iter().map(|r| r.name.as_str()).collect();
        for expected in [
            "untracked-token",
            "stale-inventory-entry",
            "missing-owner",
            "owner-left",
            "author-left",
            "excess-permissions",
            "admin-permission",
            "unused-token",
            "never-used",
            "rotation-due",
            "expired-entry",
            "expiry-soon",
            "no-planned-expiry",
            "duplicate-active",
            "environment-mismatch",
            "naming-convention",
            "personal-data-in-description",
            "stuck-token",
            "auditor-over-privileged",
            "secret-in-inventory",
        ] {
            assert!(names.contains(&expected), "missing rule {expected}");
        }
    }

    #[test]
    fn minimal_rule_loads() {
        let set = parse_policy_sources(&src(MINIMAL)).expect("loads");
        assert_eq!(set.rules[0].param_i64("days"), Some(30));
    }

    #[test]
    fn load_errors_are_all_collected() {
        let bad = MINIMAL
            .replace("POL900", "X1")
            .replace("older-than", "younger-than")
            .replace("{days} days", "{dayz} days");
        let err = parse_policy_sources(&src(&bad)).expect_err("bad rule");
        let msg = err.to_string();
        assert!(msg.contains("id 'X1'"), "{msg}");
        assert!(msg.contains("unknown op 'younger-than'"), "{msg}");
        assert!(msg.contains("unknown placeholder '{dayz}'"), "{msg}");
        assert_eq!(msg.matches("t.toml: rule").count(), 3, "{msg}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let bad = MINIMAL.replace("why = \"w\"", "why = \"w\"\nseverty = \"x\"");
        let err = parse_policy_sources(&src(&bad)).expect_err("typo");
        assert!(err.to_string().contains("severty"), "{err}");
    }

    #[test]
    fn op_must_suit_the_field() {
        let bad = MINIMAL.replace(
            r#"{ field = "token.created", op = "older-than", param = "days" }"#,
            r#"{ field = "token.status", op = "older-than", value = 3 }"#,
        );
        let err = parse_policy_sources(&src(&bad)).expect_err("op/field");
        assert!(
            err.to_string()
                .contains("op 'older-than' cannot test field 'token.status'"),
            "{err}"
        );
    }

    #[test]
    fn overrides_change_severity_and_parameters_and_report_mistakes() {
        let mut set = parse_policy_sources(&src(MINIMAL)).expect("loads");
        let ok: BTreeMap<String, toml::Table> =
            toml::from_str("[test-rule]\nseverity = \"high\"\ndays = 7\n").expect("toml");
        set.apply_overrides(&ok, &|_| false).expect("valid");
        assert_eq!(set.rules[0].severity, Severity::High);
        assert!(matches!(
            set.rules[0].when[0],
            Condition::Field {
                test: Test::OlderThan(7),
                ..
            }
        ));

        let bad: BTreeMap<String, toml::Table> = toml::from_str(
            "[test-rule]\ndays = \"x\"\nsevrity = \"low\"\n[POL900]\nenabled = false\n[nope]\n",
        )
        .expect("toml");
        let msg = set
            .apply_overrides(&bad, &|_| false)
            .expect_err("invalid")
            .to_string();
        assert!(msg.contains("parameter 'days' must be an integer"), "{msg}");
        assert!(msg.contains("unknown key 'sevrity'"), "{msg}");
        assert!(msg.contains("use the rule name 'test-rule'"), "{msg}");
        assert!(msg.contains("rule nope: no such rule"), "{msg}");
    }

    #[test]
    fn templates_fill_known_placeholders() {
        let out = render_template("a {x} b {y}", &|k| (k == "x").then(|| "1".to_string()));
        assert_eq!(out, "a 1 b {y}");
    }
}
