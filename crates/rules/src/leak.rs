//! Leak rules: a regex with exactly one capture group (the secret), literal keywords for the
//! prefilter, a post-match check, documentation and examples that `cargo test` and
//! `ksef-audit rules check` run (through `evaluate::selftest`; the matcher is `rule::matcher`).
//!
//! The built-in rules (`rules/leaks/*.toml`) are embedded in the binary; `--rules DIR` adds rules
//! from `DIR/leaks/*.toml` (or `DIR/*.toml`), and a rule there with a built-in id replaces it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::RuleLoadError;
use crate::RuleProblem;
use crate::RuleStatus;
use crate::load::Identified;
use crate::load::RuleFiles;
use crate::load::RuleKind;
use crate::load::RuleSource;
use crate::load::is_kebab;
use crate::load::is_rule_id;
use crate::load::merge_unique;
use crate::load::parse_rule_files;
use ksef_model::Severity;

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
    /// A PEM private key whose certificate (same buffer) is a KSeF certificate; found by the
    /// matcher's key pass (`rule::matcher::keys`), the pattern only names the header.
    KsefCertificateKey,
    /// A password literal next to a KSeF certificate key or a key file's name.
    KeyPassword,
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
    /// Short Polish title for `rules list --lang pl` and Polish reports.
    #[serde(default)]
    pub title_pl: Option<String>,
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

/// The leak rules shipped in the binary.
const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/leaks/ksef-token-v2.toml",
        include_str!("../../../rules/leaks/ksef-token-v2.toml"),
    ),
    (
        "rules/leaks/ksef-token-40.toml",
        include_str!("../../../rules/leaks/ksef-token-40.toml"),
    ),
    (
        "rules/leaks/ksef-token-v1.toml",
        include_str!("../../../rules/leaks/ksef-token-v1.toml"),
    ),
    (
        "rules/leaks/ksef-certificate-key.toml",
        include_str!("../../../rules/leaks/ksef-certificate-key.toml"),
    ),
];

impl Identified for LeakRule {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn origin(&self) -> &str {
        &self.source
    }
}

/// The built-in leak rules, checked.
pub fn builtin_leak_rules() -> Result<Vec<LeakRule>, RuleLoadError> {
    load_leak_rules(None)
}

/// The built-in rules plus those of `extra` (a directory with `leaks/*.toml` or `*.toml`);
/// an extra rule with a built-in id replaces the built-in one. Loaded by the shared loader
/// (`rule::load`): a duplicate id or name is an error naming both files.
pub fn load_leak_rules(extra: Option<&Path>) -> Result<Vec<LeakRule>, RuleLoadError> {
    let files = RuleFiles::gather(RuleKind::Leak, BUILTIN, extra)?;
    let mut problems = Vec::new();
    let builtin = parse_files(&files.builtin, &mut problems);
    let extra = parse_files(&files.extra, &mut problems);
    let rules = merge_unique(builtin, extra, &mut problems);
    problems.extend(validate_leak_rules(&rules));
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(RuleLoadError::from_problems(problems))
    }
}

fn parse_files(sources: &[RuleSource], problems: &mut Vec<RuleProblem>) -> Vec<LeakRule> {
    parse_rule_files::<LeakRule>(sources, problems)
        .into_iter()
        .map(|(mut rule, origin)| {
            rule.source = origin;
            rule
        })
        .collect()
}

/// The number of capture groups of `pattern`, or why it does not parse. The matcher
/// compiles a pattern only when a buffer holds one of its rule's keywords.
pub fn capture_groups(pattern: &str) -> Result<usize, String> {
    parsed_pattern(pattern).map(|hir| hir.properties().explicit_captures_len())
}

/// `pattern` parsed for byte-oriented matching, once per process: validating the rules,
/// building each scanner and deriving the matcher's variants share one parse (with its
/// Unicode case folding, a millisecond a rule: a one-file scan would parse each rule four
/// times).
pub fn parsed_pattern(pattern: &str) -> Result<Arc<regex_syntax::hir::Hir>, String> {
    type Parsed = Result<Arc<regex_syntax::hir::Hir>, String>;
    static CACHE: OnceLock<Mutex<HashMap<String, Parsed>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return found.clone();
    }
    let parsed = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .map(Arc::new)
        .map_err(|e| e.to_string());
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(pattern.to_string())
        .or_insert(parsed)
        .clone()
}

/// Static checks: ids, names, patterns (compile, one capture group), docs and examples present.
/// (Duplicate ids and names are the loader's check.)
pub fn validate_leak_rules(rules: &[LeakRule]) -> Vec<RuleProblem> {
    let mut problems = Vec::new();
    for rule in rules {
        let mut bad = |message: String| {
            problems.push(RuleProblem {
                origin: rule.source.clone(),
                rule: Some(rule.id.clone()),
                message,
            })
        };
        if !is_rule_id(&rule.id, RuleKind::Leak) {
            bad("id must be LEAK followed by 3 digits, e.g. LEAK007".into());
        }
        if !is_kebab(&rule.name) {
            bad(format!("name '{}' must be kebab-case", rule.name));
        }
        match capture_groups(&rule.pattern) {
            Ok(1) => {}
            Ok(n) => bad(format!(
                "pattern must have exactly one capture group (the secret), it has {n}"
            )),
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
    ksef_model::fingerprint_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_and_two_groups_are_rejected() {
        let mut problems = Vec::new();
        let parsed = parse_files(
            &[RuleSource {
                origin: "x.toml".to_string(),
                text: "[[rule]]\nid='LEAK900'\nname='x'\nseverity='high'\nstatus='stable'\npattern='a'\ndescription='d'\nremediation='r'\nexamples=['a']\nnegative_examples=['b']\ncolour='red'\n".to_string(),
            }],
            &mut problems,
        );
        assert!(parsed.is_empty());
        assert!(problems[0].to_string().contains("colour"), "{problems:?}");

        let mut rule = builtin_leak_rules().expect("builtin")[0].clone();
        rule.pattern = "(a)(b)".into();
        rule.id = "LEAK1".into();
        rule.name = "Bad_Name".into();
        let problems = validate_leak_rules(&[rule]);
        let text = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
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
