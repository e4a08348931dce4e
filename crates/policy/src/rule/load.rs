//! Loading policy rules: the shared loader (`ksef_rules::load`) reads and parses the files; this
//! checks each rule (id, name, texts, parameters, conditions, built-in parameters, message,
//! examples) and builds the [`PolicyRuleSet`].

use std::path::Path;

use crate::rule::BUILTIN_FILES;
use crate::rule::PolicyRule;
use crate::rule::PolicyRuleSet;
use crate::rule::compile::compile_conditions;
use crate::rule::message::check_template;
use crate::rule::schema::RawPolicyRule;
use ksef_rules::RuleLoadError;
use ksef_rules::RuleProblem;
use ksef_rules::load::Identified;
use ksef_rules::load::RuleFiles;
use ksef_rules::load::RuleKind;
use ksef_rules::load::RuleSource;
use ksef_rules::load::is_kebab;
use ksef_rules::load::is_rule_id;
use ksef_rules::load::merge_unique;
use ksef_rules::load::parse_rule_files;

/// The built-in policy rules.
pub fn builtin_policy_rules() -> Result<PolicyRuleSet, RuleLoadError> {
    load_policy_rules(None)
}

/// The built-in rules plus the policy rule files of `extra` (`extra/policy/*.toml`, or the
/// policy files of a flat `extra/*.toml`); a rule there with a built-in id replaces it.
pub fn load_policy_rules(extra: Option<&Path>) -> Result<PolicyRuleSet, RuleLoadError> {
    let files = RuleFiles::gather(RuleKind::Policy, BUILTIN_FILES, extra)?;
    parse_policy_files(&files)
}

/// Parses and checks rule files as if they were all built in (no replacing by id).
pub fn parse_policy_sources(sources: &[RuleSource]) -> Result<PolicyRuleSet, RuleLoadError> {
    parse_policy_files(&RuleFiles {
        builtin: sources.to_vec(),
        extra: Vec::new(),
    })
}

impl Identified for PolicyRule {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn origin(&self) -> &str {
        &self.origin
    }
}

/// Parses and checks rule files; every problem is collected, then the load fails once.
fn parse_policy_files(files: &RuleFiles) -> Result<PolicyRuleSet, RuleLoadError> {
    let mut problems = Vec::new();
    let mut digest_input = String::new();
    for source in files.all() {
        digest_input.push_str(&source.origin);
        digest_input.push('\n');
        digest_input.push_str(&source.text);
    }
    let check = |sources: &[RuleSource], problems: &mut Vec<RuleProblem>| {
        let mut rules = Vec::new();
        for (raw, origin) in parse_rule_files::<RawPolicyRule>(sources, problems) {
            match check_rule(raw, &origin) {
                Ok(rule) => rules.push(rule),
                Err(mut p) => problems.append(&mut p),
            }
        }
        rules
    };
    let builtin = check(&files.builtin, &mut problems);
    let extra = check(&files.extra, &mut problems);
    let mut rules = merge_unique(builtin, extra, &mut problems);
    if !problems.is_empty() {
        return Err(RuleLoadError::from_problems(problems));
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(PolicyRuleSet {
        rules,
        digest: ksef_model::fingerprint_hex(digest_input.as_bytes()),
    })
}

fn check_rule(raw: RawPolicyRule, origin: &str) -> Result<PolicyRule, Vec<RuleProblem>> {
    let label = if raw.id.is_empty() {
        raw.name.clone()
    } else {
        raw.id.clone()
    };
    let mut messages = Vec::new();
    if !is_rule_id(&raw.id, RuleKind::Policy) {
        messages.push(format!(
            "id '{}' must be POL followed by 3 digits, e.g. POL021",
            raw.id
        ));
    }
    if !is_kebab(&raw.name) {
        messages.push(format!("name '{}' must be kebab-case", raw.name));
    }
    for (field, text) in [
        ("description", &raw.description),
        ("why", &raw.why),
        ("remediation", &raw.remediation),
        ("message", &raw.message),
    ] {
        if text.trim().is_empty() {
            messages.push(format!("'{field}' must not be empty"));
        }
    }
    for (name, value) in &raw.parameters {
        if !is_kebab(name) {
            messages.push(format!("parameter '{name}' must be kebab-case"));
        }
        let ok = match value {
            toml::Value::String(_) | toml::Value::Integer(_) | toml::Value::Boolean(_) => true,
            toml::Value::Array(items) => items.iter().all(toml::Value::is_str),
            _ => false,
        };
        if !ok {
            messages.push(format!(
                "parameter '{name}' must be a string, an integer, true/false or a list of strings"
            ));
        }
    }
    for name in crate::rule::builtins::DATE_PARAMETERS {
        if let Some(value) = raw.parameters.get(*name)
            && !is_date_value(value)
        {
            messages.push(format!(
                "parameter '{name}' must be a date written \"YYYY-MM-DD\""
            ));
        }
    }
    if raw.when.is_empty() {
        messages.push("'when' must hold at least one condition".into());
    }
    let when = match compile_conditions(&raw.when, raw.subject, &raw.parameters) {
        Ok(w) => w,
        Err(mut m) => {
            messages.append(&mut m);
            Vec::new()
        }
    };
    let mut rule = PolicyRule {
        id: raw.id,
        name: raw.name,
        severity: raw.severity,
        default_severity: raw.severity,
        enabled: true,
        status: raw.status,
        since: raw.since,
        subject: raw.subject,
        description: raw.description,
        why: raw.why,
        remediation: raw.remediation,
        references: raw.references,
        message: raw.message,
        message_pl: raw.message_pl,
        remediation_pl: raw.remediation_pl,
        remediation_after_issuance: raw.remediation_after_issuance,
        remediation_after_issuance_pl: raw.remediation_after_issuance_pl,
        report_section: raw.report_section,
        title: raw.title,
        title_pl: raw.title_pl,
        defaults: raw.parameters.clone(),
        parameters: raw.parameters,
        raw_when: raw.when,
        when,
        examples: raw.examples,
        origin: origin.to_string(),
    };
    for b in rule.builtins() {
        for p in b.parameters {
            if !rule.defaults.contains_key(*p) {
                messages.push(format!("built-in '{b}' needs the parameter '{p}'"));
            }
        }
    }
    if let Err(m) = check_template(&rule) {
        messages.push(m);
    }
    if rule.examples.fail.is_empty() || rule.examples.pass.is_empty() {
        messages.push("needs at least one failing and one passing example".into());
    }
    rule.parameters = rule.defaults.clone();
    if messages.is_empty() {
        Ok(rule)
    } else {
        Err(messages
            .into_iter()
            .map(|message| RuleProblem {
                origin: origin.to_string(),
                rule: Some(label.clone()),
                message,
            })
            .collect())
    }
}

/// A date parameter's value: a string `YYYY-MM-DD`.
pub(super) fn is_date_value(value: &toml::Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok())
}
