//! `[rules.<name>]` config overrides: `severity`, `enabled` and parameters, checked against
//! the rule's defaults; conditions are compiled again with the new parameters.

use std::collections::BTreeMap;

use crate::rule::PolicyRuleSet;
use crate::rule::compile::compile_conditions;
use ksef_model::Severity;
use ksef_rules::RuleLoadError;
use ksef_rules::RuleProblem;

impl PolicyRuleSet {
    /// Applies `[rules.<name>]` config overrides: `severity`, `enabled` and parameters.
    /// Every problem is collected; names not belonging to a policy rule are left to
    /// `skip` (leak rule names) or reported.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, toml::Table>,
        is_other_rule: &dyn Fn(&str) -> bool,
    ) -> Result<(), RuleLoadError> {
        let mut problems = Vec::new();
        let problem = |rule: &str, message: String| RuleProblem {
            origin: "config [rules]".into(),
            rule: Some(rule.to_string()),
            message,
        };
        for (name, table) in overrides {
            let Some(rule) = self.rules.iter_mut().find(|r| &r.name == name) else {
                if !is_other_rule(name) {
                    let hint = self
                        .rules
                        .iter()
                        .find(|r| r.id.eq_ignore_ascii_case(name))
                        .map(|r| format!(" (help: use the rule name '{}', not its id)", r.name))
                        .unwrap_or_else(|| {
                            " (help: `ksef-audit rules list` shows the rule names)".into()
                        });
                    problems.push(problem(name, format!("no such rule{hint}")));
                }
                continue;
            };
            for (key, value) in table {
                match key.as_str() {
                    "severity" => match value.as_str().map(str::parse::<Severity>) {
                        Some(Ok(sev)) => rule.severity = sev,
                        Some(Err(e)) => problems.push(problem(name, format!("severity: {e}"))),
                        None => problems.push(problem(
                            name,
                            "severity must be a string such as \"high\"".into(),
                        )),
                    },
                    "enabled" => match value.as_bool() {
                        Some(b) => rule.enabled = b,
                        None => {
                            problems.push(problem(name, "enabled must be true or false".into()))
                        }
                    },
                    param => match rule.defaults.get(param) {
                        Some(_)
                            if crate::rule::builtins::DATE_PARAMETERS.contains(&param)
                                && !crate::rule::load::is_date_value(value) =>
                        {
                            problems.push(problem(
                                name,
                                format!(
                                    "parameter '{param}' must be a date written \"YYYY-MM-DD\""
                                ),
                            ));
                        }
                        Some(default) if same_type(default, value) => {
                            rule.parameters.insert(param.to_string(), value.clone());
                        }
                        Some(default) => problems.push(problem(
                            name,
                            format!(
                                "parameter '{param}' must be {} like the default {}",
                                type_name(default),
                                default
                            ),
                        )),
                        None => {
                            let mut known: Vec<&str> = vec!["severity", "enabled"];
                            known.extend(rule.defaults.keys().map(String::as_str));
                            problems.push(problem(
                                name,
                                format!(
                                    "unknown key '{param}' (expected one of: {})",
                                    known.join(", ")
                                ),
                            ));
                        }
                    },
                }
            }
            match compile_conditions(&rule.raw_when, rule.subject, &rule.parameters) {
                Ok(when) => rule.when = when,
                Err(messages) => {
                    for m in messages {
                        problems.push(problem(name, m));
                    }
                }
            }
        }
        let mut hasher_input = self.digest.clone();
        hasher_input.push_str(&format!("{overrides:?}"));
        self.digest = ksef_model::fingerprint_hex(hasher_input.as_bytes());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RuleLoadError::from_problems(problems))
        }
    }
}

fn same_type(a: &toml::Value, b: &toml::Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}
