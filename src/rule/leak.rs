//! Leak rules: a regex with exactly one capture group (the secret), literal keywords for the
//! prefilter, a post-match check, documentation and examples that `cargo test` and
//! `ksef-audit rules check` run (through `evaluate::selftest`; the matcher is `rule::matcher`).
//!
//! The built-in rules (`rules/leaks/*.toml`) are embedded in the binary; `--rules DIR` adds rules
//! from `DIR/leaks/*.toml` (or `DIR/*.toml`), and a rule there with an existing id replaces it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{RuleLoadError, RuleStatus};
use crate::model::Severity;

/// What the scanner checks on a match before reporting it (beyond the placeholder filter,
/// which applies to every rule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretCheck {
    /// Nothing more.
    #[default]
    None,
    /// A KSeF 2.0 token: `%7C` separators decoded, reference number and NIP extracted,
    /// confidence from the reference CRC-8 and the NIP check digit.
    KsefV2,
    /// Rejects values made only of hex digits (git SHA-1s and other digests).
    NotAllHex,
}

/// One leak rule as written in TOML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LeakRule {
    /// `LEAK` + 3 digits, never reused.
    pub id: String,
    /// Kebab-case name of the problem, e.g. `ksef-token-v2`.
    pub name: String,
    pub severity: Severity,
    pub status: RuleStatus,
    /// `regex` crate syntax (matched on bytes), exactly one capture group: the secret.
    pub pattern: String,
    /// Literals (ASCII case-insensitive) of which one must occur in the input for the rule
    /// to run at all; empty = always run.
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub check: SecretCheck,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Inputs that must give a finding of this rule.
    pub examples: Vec<String>,
    /// Inputs that must give no finding of this rule.
    #[serde(rename = "negative_examples")]
    pub negative_examples: Vec<String>,
    /// File the rule was read from (for messages); not part of the TOML.
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<LeakRule>,
}

/// The leak rules shipped in the binary.
const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/leaks/ksef-token-v2.toml",
        include_str!("../../rules/leaks/ksef-token-v2.toml"),
    ),
    (
        "rules/leaks/ksef-token-40.toml",
        include_str!("../../rules/leaks/ksef-token-40.toml"),
    ),
    (
        "rules/leaks/ksef-token-v1.toml",
        include_str!("../../rules/leaks/ksef-token-v1.toml"),
    ),
];

/// The built-in leak rules, checked.
pub fn builtin_leak_rules() -> Result<Vec<LeakRule>, RuleLoadError> {
    let mut problems = Vec::new();
    let rules = parse_files(
        BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())),
        &mut problems,
    );
    finish(rules, problems)
}

/// The built-in rules plus those of `extra` (a directory with `leaks/*.toml` or `*.toml`);
/// an extra rule with a built-in id replaces the built-in one.
pub fn load_leak_rules(extra: Option<&Path>) -> Result<Vec<LeakRule>, RuleLoadError> {
    let mut problems = Vec::new();
    let mut rules = parse_files(
        BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())),
        &mut problems,
    );
    if let Some(dir) = extra {
        let leaks_dir = dir.join("leaks");
        let files = if leaks_dir.is_dir() {
            super::read_rule_dir(&leaks_dir)?
        } else {
            // A flat directory may mix kinds: policy rule files belong to `audit`.
            super::read_rule_dir(dir)?
                .into_iter()
                .filter(|s| !super::first_rule_id(&s.text).is_some_and(|id| id.starts_with("POL")))
                .collect()
        };
        let added = parse_files(files.into_iter().map(|s| (s.origin, s.text)), &mut problems);
        let mut by_id: BTreeMap<String, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for rule in added {
            match by_id.get(&rule.id) {
                Some(&i) => rules[i] = rule,
                None => {
                    by_id.insert(rule.id.clone(), rules.len());
                    rules.push(rule);
                }
            }
        }
    }
    finish(rules, problems)
}

fn finish(rules: Vec<LeakRule>, mut problems: Vec<String>) -> Result<Vec<LeakRule>, RuleLoadError> {
    problems.extend(validate_leak_rules(&rules));
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(RuleLoadError::Invalid { problems })
    }
}

fn parse_files(
    files: impl Iterator<Item = (String, String)>,
    problems: &mut Vec<String>,
) -> Vec<LeakRule> {
    let mut out = Vec::new();
    for (name, text) in files {
        match toml::from_str::<RuleFile>(&text) {
            Ok(file) => out.extend(file.rule.into_iter().map(|mut r| {
                r.source = name.clone();
                r
            })),
            Err(e) => problems.push(format!(
                "{name}: {}",
                crate::model::toml_error_message(&text, &e)
            )),
        }
    }
    out
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_leak_id(s: &str) -> bool {
    s.len() == 7 && s.starts_with("LEAK") && s[4..].bytes().all(|b| b.is_ascii_digit())
}

/// Static checks: ids, names, patterns (compile, one capture group), docs and examples present.
pub fn validate_leak_rules(rules: &[LeakRule]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = BTreeMap::new();
    let mut names = BTreeMap::new();
    for rule in rules {
        let at = format!("{}: rule {}", rule.source, rule.id);
        let mut bad = |m: String| problems.push(format!("{at}: {m}"));
        if !is_leak_id(&rule.id) {
            bad("id must be LEAK followed by 3 digits, e.g. LEAK007".into());
        }
        if let Some(prev) = ids.insert(rule.id.clone(), rule.source.clone()) {
            bad(format!("id already used in {prev}"));
        }
        if !is_kebab(&rule.name) {
            bad(format!("name '{}' must be kebab-case", rule.name));
        }
        if let Some(prev) = names.insert(rule.name.clone(), rule.id.clone()) {
            bad(format!("name '{}' already used by {prev}", rule.name));
        }
        match regex::bytes::Regex::new(&rule.pattern) {
            Ok(re) if re.captures_len() != 2 => bad(format!(
                "pattern must have exactly one capture group (the secret), it has {}",
                re.captures_len() - 1
            )),
            Ok(_) => {}
            Err(e) => bad(format!("pattern does not compile: {e}")),
        }
        if rule.keywords.iter().any(|k| k.is_empty()) {
            bad("keywords must not be empty strings".into());
        }
        if rule.description.trim().is_empty() || rule.remediation.trim().is_empty() {
            bad("description and remediation are required".into());
        }
        if rule.examples.is_empty() || rule.negative_examples.is_empty() {
            bad("needs at least one of `examples` and one of `negative_examples`".into());
        }
    }
    problems
}

/// Lowercase hex SHA-256 over the rules as loaded (id, pattern, keywords, check), for
/// `LeakResults.digests.rules`.
pub fn leak_rules_digest(rules: &[LeakRule]) -> String {
    let mut text = String::new();
    for r in rules {
        text.push_str(&format!(
            "{}\n{}\n{}\n{:?}\n{}\n",
            r.id,
            r.name,
            r.pattern,
            r.check,
            r.keywords.join("\u{1f}")
        ));
    }
    crate::model::fingerprint_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_and_two_groups_are_rejected() {
        let mut problems = Vec::new();
        let parsed = parse_files(
            std::iter::once((
                "x.toml".to_string(),
                "[[rule]]\nid='LEAK900'\nname='x'\nseverity='high'\nstatus='stable'\npattern='a'\ndescription='d'\nremediation='r'\nexamples=['a']\nnegative_examples=['b']\ncolour='red'\n".to_string(),
            )),
            &mut problems,
        );
        assert!(parsed.is_empty());
        assert!(problems[0].contains("colour"), "{problems:?}");

        let mut rule = builtin_leak_rules().expect("builtin")[0].clone();
        rule.pattern = "(a)(b)".into();
        rule.id = "LEAK1".into();
        rule.name = "Bad_Name".into();
        let problems = validate_leak_rules(&[rule]);
        let text = problems.join("\n");
        assert!(text.contains("exactly one capture group"), "{text}");
        assert!(text.contains("LEAK followed by 3 digits"), "{text}");
        assert!(text.contains("kebab-case"), "{text}");
    }

    #[test]
    fn extra_rule_dir_overrides_by_id_and_adds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let leaks = dir.path().join("leaks");
        std::fs::create_dir(&leaks).expect("mkdir");
        std::fs::write(
            leaks.join("mine.toml"),
            "[[rule]]\nid='LEAK003'\nname='ksef-token-v1'\nseverity='low'\nstatus='deprecated'\npattern='ksef1=([0-9A-F]{64})'\nkeywords=['ksef1=']\ndescription='d'\nremediation='r'\nexamples=['ksef1=FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD']\nnegative_examples=['ksef1=x']\n\n[[rule]]\nid='LEAK900'\nname='acme-key'\nseverity='low'\nstatus='preview'\npattern='ACME-([a-z]{8}[0-9]{4})'\ndescription='d'\nremediation='r'\nexamples=['ACME-qwertyui1234']\nnegative_examples=['ACME-aaaa']\n",
        )
        .expect("write");
        let rules = load_leak_rules(Some(dir.path())).expect("load");
        let v1 = rules.iter().find(|r| r.id == "LEAK003").expect("LEAK003");
        assert_eq!(v1.severity, Severity::Low);
        assert!(rules.iter().any(|r| r.id == "LEAK900"));
    }
}
