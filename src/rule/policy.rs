//! Policy rules: the TOML schema of `rules/policy/*.toml`, load-time checks,
//! config overrides (`[rules.<name>]`) and the closed set of condition operators.
//!
//! A rule holds for a subject (a credential, an inventory entry or a context) when
//! every condition of its `when` list holds. Conditions test one field with one
//! operator (`missing`, `present`, `equals`, `not-equals`, `in`, `not-in`,
//! `contains-any`, `older-than`, `newer-than`, `due-within`, `matches`, `not-matches`),
//! group alternatives with `any`, or call a named Rust built-in for logic that
//! needs the staff list or other tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{RuleLoadError, RuleProblem, RuleSource, RuleStatus};
use crate::model::Severity;

/// The built-in policy rule files, in file name order.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "rules/policy/inventory.toml",
        include_str!("../../rules/policy/inventory.toml"),
    ),
    (
        "rules/policy/ownership.toml",
        include_str!("../../rules/policy/ownership.toml"),
    ),
    (
        "rules/policy/permissions.toml",
        include_str!("../../rules/policy/permissions.toml"),
    ),
    (
        "rules/policy/lifecycle.toml",
        include_str!("../../rules/policy/lifecycle.toml"),
    ),
    (
        "rules/policy/hygiene.toml",
        include_str!("../../rules/policy/hygiene.toml"),
    ),
];

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// One KSeF token of an audited context, joined with its inventory row.
    Credential,
    /// One inventory row, joined with the KSeF token it names.
    InventoryEntry,
    /// One audited context (the tool's own access to it).
    Context,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Credential => "credential",
            Subject::InventoryEntry => "inventory-entry",
            Subject::Context => "context",
        }
    }
}

/// How a field can be tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Only `missing` / `present`.
    Presence,
    Text,
    Date,
    List,
}

macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            fn names() -> String {
                Self::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set! {
    /// Fields a condition can test.
    Field {
        Token = "token",
        TokenStatus = "token.status",
        TokenDescription = "token.description",
        TokenPermissions = "token.permissions",
        TokenCreated = "token.created",
        TokenLastUsed = "token.last-used",
        TokenAuthorType = "token.author-type",
        Inventory = "inventory",
        InventoryOwner = "inventory.owner",
        InventorySystem = "inventory.system",
        InventoryEnvironment = "inventory.environment",
        InventoryPermissions = "inventory.permissions",
        InventoryExpires = "inventory.expires",
        ContextEnvironment = "context.environment",
        ContextStatus = "context.status",
        AuditorPermissions = "auditor.permissions",
    }
}

impl Field {
    pub fn kind(self) -> FieldKind {
        match self {
            Field::Token | Field::Inventory => FieldKind::Presence,
            Field::TokenStatus
            | Field::TokenDescription
            | Field::TokenAuthorType
            | Field::InventoryOwner
            | Field::InventorySystem
            | Field::InventoryEnvironment
            | Field::ContextEnvironment
            | Field::ContextStatus => FieldKind::Text,
            Field::TokenCreated | Field::TokenLastUsed | Field::InventoryExpires => FieldKind::Date,
            Field::TokenPermissions | Field::InventoryPermissions | Field::AuditorPermissions => {
                FieldKind::List
            }
        }
    }
}

closed_set! {
    /// The closed set of condition operators.
    Op {
        Missing = "missing",
        Present = "present",
        Equals = "equals",
        NotEquals = "not-equals",
        In = "in",
        NotIn = "not-in",
        ContainsAny = "contains-any",
        OlderThan = "older-than",
        NewerThan = "newer-than",
        DueWithin = "due-within",
        Matches = "matches",
        NotMatches = "not-matches",
    }
}

impl Op {
    fn accepts(self, kind: FieldKind) -> bool {
        match self {
            Op::Missing | Op::Present => true,
            Op::Equals | Op::NotEquals | Op::In | Op::NotIn | Op::Matches | Op::NotMatches => {
                kind == FieldKind::Text
            }
            Op::ContainsAny => kind == FieldKind::List,
            Op::OlderThan | Op::NewerThan | Op::DueWithin => kind == FieldKind::Date,
        }
    }
}

closed_set! {
    /// Named Rust built-ins for logic the operators cannot express.
    Builtin {
        OwnerLeft = "owner-left",
        AuthorLeft = "author-left",
        ExcessPermissions = "excess-permissions",
        DuplicateActive = "duplicate-active",
        EnvironmentMismatch = "environment-mismatch",
        PersonalData = "personal-data",
        AuditorOverPrivileged = "auditor-over-privileged",
        SecretInInventory = "secret-in-inventory",
    }
}

impl Builtin {
    /// Parameters the built-in reads from its rule.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Builtin::AuditorOverPrivileged => &["allowed"],
            Builtin::PersonalData => &["email", "pesel", "token"],
            _ => &[],
        }
    }
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    Field { field: Field, test: Test },
    Builtin(Builtin),
    Any(Vec<Condition>),
}

/// An operator with its resolved operand.
#[derive(Debug, Clone)]
pub enum Test {
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

/// A condition as written in TOML: `{ field, op, value | param }`, `{ builtin }` or `{ any = [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<toml::Value>,
    /// Take the operand from this rule parameter (so the config can change it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCondition>>,
}

/// A token in a rule example. Dates are relative to [`crate::evaluate::policy::example_now`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default = "default_description")]
    pub description: String,
    #[serde(default = "default_permissions")]
    pub permissions: Vec<String>,
    #[serde(default = "default_created")]
    pub created: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<NaiveDate>,
    /// `Type:value`, e.g. `Pesel:85010112345` (default `Nip:5265877635`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

fn default_status() -> String {
    "Active".into()
}
fn default_description() -> String {
    "Acme-Fakturownia-prod-2025".into()
}
fn default_permissions() -> Vec<String> {
    vec!["InvoiceRead".into(), "InvoiceWrite".into()]
}
fn default_created() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default()
}

/// The inventory row of a rule example.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Approved permissions (default: the token's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// Column into which the firm pasted a token value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_in: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleStaff {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pesel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    /// `active` or `left`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleContext {
    #[serde(default = "default_env")]
    pub environment: String,
    /// The example token is the one the tool itself authenticates with.
    #[serde(default)]
    pub auditor: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor_permissions: Option<Vec<String>>,
}

fn default_env() -> String {
    "prod".into()
}

/// Another token of the example's context, with its inventory row when listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleOther {
    pub token: ExampleToken,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ExampleEntry>,
}

/// One rule example: a credential plus its joined inventory row, and what else
/// the rule needs to see (staff, other tokens, the context).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    /// One line saying what the example shows.
    pub note: String,
    /// Omit for an inventory row whose token KSeF does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<ExampleToken>,
    /// Omit for a token the inventory does not list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ExampleEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<ExampleOther>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub staff: Vec<ExampleStaff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ExampleContext>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fail: Vec<Example>,
    #[serde(default)]
    pub pass: Vec<Example>,
}

/// A policy rule as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicyRule {
    id: String,
    name: String,
    severity: Severity,
    status: RuleStatus,
    #[serde(default = "default_since")]
    since: String,
    subject: Subject,
    description: String,
    why: String,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    message: String,
    /// The report section that lists this rule's findings (e.g. `untracked`).
    #[serde(default)]
    report_section: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, toml::Value>,
    when: Vec<RawCondition>,
    examples: Examples,
}

fn default_since() -> String {
    "0.1.0".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicyFile {
    #[serde(default)]
    rule: Vec<RawPolicyRule>,
}

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
    /// The report section that lists this rule's findings (`report-section`), if any.
    pub report_section: Option<String>,
    /// Effective parameter values.
    pub parameters: BTreeMap<String, toml::Value>,
    /// Parameter defaults from the rule file.
    pub defaults: BTreeMap<String, toml::Value>,
    pub raw_when: Vec<RawCondition>,
    pub when: Vec<Condition>,
    pub examples: Examples,
    /// The file the rule came from.
    pub origin: String,
}

impl PolicyRule {
    pub fn param_i64(&self, name: &str) -> Option<i64> {
        self.parameters.get(name).and_then(toml::Value::as_integer)
    }

    pub fn param_bool(&self, name: &str) -> Option<bool> {
        self.parameters.get(name).and_then(toml::Value::as_bool)
    }

    pub fn param_list(&self, name: &str) -> Vec<String> {
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
    pub fn builtins(&self) -> Vec<Builtin> {
        fn walk(conds: &[Condition], out: &mut Vec<Builtin>) {
            for c in conds {
                match c {
                    Condition::Builtin(b) => out.push(*b),
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
    pub digest: String,
}

impl PolicyRuleSet {
    pub fn get(&self, name_or_id: &str) -> Option<&PolicyRule> {
        self.rules
            .iter()
            .find(|r| r.name == name_or_id || r.id.eq_ignore_ascii_case(name_or_id))
    }

    pub fn enabled(&self) -> impl Iterator<Item = &PolicyRule> {
        self.rules.iter().filter(|r| r.enabled)
    }

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
        self.digest = crate::model::fingerprint_hex(hasher_input.as_bytes());
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

/// The built-in policy rules.
pub fn builtin_policy_rules() -> Result<PolicyRuleSet, RuleLoadError> {
    load_policy_rules(None)
}

/// The built-in rules plus `extra/*.toml` (policy rule files only; a rule with the
/// same id as a built-in one replaces it).
pub fn load_policy_rules(extra: Option<&Path>) -> Result<PolicyRuleSet, RuleLoadError> {
    let mut sources: Vec<RuleSource> = BUILTIN_FILES
        .iter()
        .map(|(origin, text)| RuleSource {
            origin: (*origin).to_string(),
            text: (*text).to_string(),
        })
        .collect();
    if let Some(dir) = extra {
        let policy_dir = dir.join("policy");
        if policy_dir.is_dir() {
            sources.extend(super::read_rule_dir(&policy_dir)?);
        } else {
            // A flat directory may mix kinds: leak rule files belong to `leaks`.
            sources.extend(
                super::read_rule_dir(dir)?
                    .into_iter()
                    .filter(|s| !is_leak_rule_file(&s.text)),
            );
        }
    }
    parse_policy_sources(&sources)
}

fn is_leak_rule_file(text: &str) -> bool {
    super::first_rule_id(text).is_some_and(|id| id.starts_with("LEAK"))
}

/// Parses and checks rule files; every problem is collected, then the load fails once.
pub fn parse_policy_sources(sources: &[RuleSource]) -> Result<PolicyRuleSet, RuleLoadError> {
    let mut problems = Vec::new();
    let mut by_id: BTreeMap<String, PolicyRule> = BTreeMap::new();
    let mut digest_input = String::new();
    for source in sources {
        digest_input.push_str(&source.origin);
        digest_input.push('\n');
        digest_input.push_str(&source.text);
        let file: RawPolicyFile = match toml::from_str(&source.text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(RuleProblem {
                    origin: source.origin.clone(),
                    rule: None,
                    message: crate::model::toml_error_message(&source.text, &e),
                });
                continue;
            }
        };
        for raw in file.rule {
            match check_rule(raw, &source.origin) {
                Ok(rule) => {
                    by_id.insert(rule.id.clone(), rule);
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    let mut names = BTreeSet::new();
    for rule in by_id.values() {
        if !names.insert(rule.name.clone()) {
            problems.push(RuleProblem {
                origin: rule.origin.clone(),
                rule: Some(rule.id.clone()),
                message: format!("name '{}' is used by another rule", rule.name),
            });
        }
    }
    if !problems.is_empty() {
        return Err(RuleLoadError::from_problems(problems));
    }
    Ok(PolicyRuleSet {
        rules: by_id.into_values().collect(),
        digest: crate::model::fingerprint_hex(digest_input.as_bytes()),
    })
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_policy_id(s: &str) -> bool {
    s.len() == 6 && s.starts_with("POL") && s[3..].bytes().all(|b| b.is_ascii_digit())
}

fn check_rule(raw: RawPolicyRule, origin: &str) -> Result<PolicyRule, Vec<RuleProblem>> {
    let label = if raw.id.is_empty() {
        raw.name.clone()
    } else {
        raw.id.clone()
    };
    let mut messages = Vec::new();
    if !is_policy_id(&raw.id) {
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
        report_section: raw.report_section,
        defaults: raw.parameters.clone(),
        parameters: raw.parameters,
        raw_when: raw.when,
        when,
        examples: raw.examples,
        origin: origin.to_string(),
    };
    for b in rule.builtins() {
        for p in b.parameters() {
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

/// Placeholders a message template may use besides the rule's parameters.
pub const TEMPLATE_FIELDS: &[&str] = &[
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

fn check_template(rule: &PolicyRule) -> Result<(), String> {
    for p in template_placeholders(&rule.message) {
        if !TEMPLATE_FIELDS.contains(&p) && !rule.defaults.contains_key(p) {
            return Err(format!(
                "message uses unknown placeholder '{{{p}}}' (expected a parameter or one of: {})",
                TEMPLATE_FIELDS.join(", ")
            ));
        }
    }
    Ok(())
}

/// Fills `{placeholder}`s from `lookup` (unknown ones are left as written).
pub fn render_template(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
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
        ],
    }
}

/// Compiles conditions against the rule's (effective) parameters.
pub fn compile_conditions(
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
        let b = Builtin::parse(name).ok_or_else(|| {
            format!(
                "unknown built-in '{name}' (expected one of: {})",
                Builtin::names()
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
                    if crate::model::Permission::parse_known(p).is_none() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Vec<RuleSource> {
        vec![RuleSource {
            origin: "t.toml".into(),
            text: text.into(),
        }]
    }

    const MINIMAL: &str = r#"
[[rule]]
id = "POL900"
name = "test-rule"
severity = "low"
status = "preview"
subject = "credential"
description = "d"
why = "w"
remediation = "r"
message = "token {reference} older than {days} days"
parameters = { days = 30 }
when = [{ field = "token.created", op = "older-than", param = "days" }]
examples.fail = [{ note = "old", token = { created = "2020-01-01" } }]
examples.pass = [{ note = "new", token = { created = "2026-01-10" } }]
"#;

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
