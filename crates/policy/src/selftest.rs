//! Rule self-tests: every rule's own examples run through the real matcher (leak rules) or
//! the real policy evaluation (policy rules). `cargo test` (`tests/rules.rs`) and
//! `ksef-audit rules check` call these; the rule layer only loads and checks rules.

use ksef_leaks::matcher::Scanner;
use ksef_rules::leak::LeakRule;

/// Runs each rule's examples through the scanner: every example must give a finding of its
/// rule, no negative example may (a weak key password, which a scan reports only when it
/// opens a key, is no finding on its own). Returns one line per failure (empty = all good).
pub fn selftest_leak_rules(rules: &[LeakRule]) -> Vec<String> {
    let mut failures = Vec::new();
    for rule in rules {
        let scanner = match Scanner::new(std::slice::from_ref(rule)) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{} ({}): {e}", rule.id, rule.name));
                continue;
            }
        };
        for (i, ex) in rule.examples.iter().enumerate() {
            let hits = scanner.scan_bytes(ex.as_bytes());
            if !hits
                .iter()
                .any(|m| m.rule_id == rule.id && !m.weak_password)
            {
                failures.push(format!(
                    "{} ({}): example {} does not match",
                    rule.id,
                    rule.name,
                    i + 1
                ));
            }
        }
        for (i, ex) in rule.negative_examples.iter().enumerate() {
            let hits = scanner.scan_bytes(ex.as_bytes());
            if hits
                .iter()
                .any(|m| m.rule_id == rule.id && !m.weak_password)
            {
                failures.push(format!(
                    "{} ({}): negative example {} matches",
                    rule.id,
                    rule.name,
                    i + 1
                ));
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_rules::leak::builtin_leak_rules;

    #[test]
    fn builtin_rules_load_and_pass_their_examples() {
        let rules = builtin_leak_rules().expect("builtin rules load");
        assert!(rules.len() >= 3);
        let failures = selftest_leak_rules(&rules);
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn an_example_the_pattern_misses_and_a_matching_negative_are_reported() {
        let mut rule = builtin_leak_rules().expect("builtin")[0].clone();
        rule.examples = vec!["nothing to see here".into()];
        rule.negative_examples = vec![format!(
            "KSEF_TOKEN=20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|{}",
            "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd"
        )];
        let failures = selftest_leak_rules(&[rule]);
        assert_eq!(failures.len(), 2, "{failures:#?}");
        assert!(
            failures[0].contains("example 1 does not match"),
            "{failures:?}"
        );
        assert!(
            failures[1].contains("negative example 1 matches"),
            "{failures:?}"
        );
    }
}
