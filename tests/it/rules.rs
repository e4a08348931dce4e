//! Rule files: load-time checks, every rule's own examples, and the generated docs.

use ksef_audit::render::rules::markdown;
use ksef_policy::evaluate::check_rule_examples;
use ksef_policy::rule::builtin_policy_rules;
use ksef_rules::leak::builtin_leak_rules;

macro_rules! rule_examples {
    ($($test:ident => $name:literal),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                let set = builtin_policy_rules().expect("built-in rules load");
                let rule = set.get($name).expect(concat!("rule ", $name, " exists"));
                assert!(!rule.examples.fail.is_empty() && !rule.examples.pass.is_empty());
                let failures = check_rule_examples(rule);
                assert!(failures.is_empty(), "{}", failures.join("\n"));
            }
        )+

        #[test]
        fn every_rule_has_an_example_test() {
            let set = builtin_policy_rules().expect("built-in rules load");
            let tested = [$($name),+];
            for r in &set.rules {
                assert!(tested.contains(&r.name.as_str()), "add {} to rule_examples! in tests/rules.rs", r.name);
            }
        }
    };
}

rule_examples! {
    untracked_token_examples => "untracked-token",
    stale_inventory_entry_examples => "stale-inventory-entry",
    missing_owner_examples => "missing-owner",
    owner_left_examples => "owner-left",
    author_left_examples => "author-left",
    excess_permissions_examples => "excess-permissions",
    admin_permission_examples => "admin-permission",
    unused_token_examples => "unused-token",
    never_used_examples => "never-used",
    rotation_due_examples => "rotation-due",
    expired_entry_examples => "expired-entry",
    expiry_soon_examples => "expiry-soon",
    no_planned_expiry_examples => "no-planned-expiry",
    duplicate_active_examples => "duplicate-active",
    environment_mismatch_examples => "environment-mismatch",
    naming_convention_examples => "naming-convention",
    personal_data_in_description_examples => "personal-data-in-description",
    stuck_token_examples => "stuck-token",
    auditor_over_privileged_examples => "auditor-over-privileged",
    secret_in_inventory_examples => "secret-in-inventory",
    grant_held_by_leaver_examples => "grant-held-by-leaver",
    read_grant_held_by_leaver_examples => "read-grant-held-by-leaver",
    grant_held_by_stranger_examples => "grant-held-by-stranger",
    delegable_grant_examples => "delegable-grant",
    too_many_credentials_managers_examples => "too-many-credentials-managers",
    fingerprint_only_grant_examples => "fingerprint-only-grant",
    all_partners_grant_examples => "all-partners-grant",
    holder_in_many_contexts_examples => "holder-in-many-contexts",
    grant_beyond_access_register_examples => "grant-beyond-access-register",
    certificate_expiring_examples => "certificate-expiring",
    certificate_expiring_notice_examples => "certificate-expiring-notice",
    dead_certificate_in_inventory_examples => "dead-certificate-in-inventory",
    certificate_of_leaver_examples => "certificate-of-leaver",
    certificate_never_used_examples => "certificate-never-used",
    certificate_limit_nearly_used_examples => "certificate-limit-nearly-used",
    certificate_not_in_inventory_examples => "certificate-not-in-inventory",
    inventory_certificate_unknown_examples => "inventory-certificate-unknown",
    token_sunset_approaching_examples => "token-sunset-approaching",
    token_sunset_near_examples => "token-sunset-near",
}

#[test]
fn ids_are_numbered_pol_in_order() {
    let set = builtin_policy_rules().expect("built-in rules load");
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"POL001"));
    for id in &ids {
        assert!(
            id.len() == 6 && id.starts_with("POL") && id[3..].bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

/// One valid policy rule, id `POL900`, name `test-rule`.
const POLICY_RULE: &str = include_str!("../fixtures/rules/minimal-policy.toml");

const LEAK_RULE: &str = "[[rule]]\nid='LEAK900'\nname='NAME'\nseverity='low'\nstatus='preview'\npattern='ACME-([a-z]{8}[0-9]{4})'\ndescription='d'\nremediation='r'\nexamples=['ACME-qwertyui1234']\nnegative_examples=['ACME-aaaa']\n";

/// Writes `files` (relative path, text) into a fresh directory.
fn rules_dir(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write rule file");
    }
    dir
}

#[test]
fn two_rule_files_with_the_same_id_are_refused_naming_both_files() {
    let dir = rules_dir(&[
        (
            "policy/a.toml",
            POLICY_RULE.replace("test-rule", "first-rule"),
        ),
        (
            "policy/b.toml",
            POLICY_RULE.replace("test-rule", "second-rule"),
        ),
        ("leaks/a.toml", LEAK_RULE.replace("NAME", "first-key")),
        ("leaks/b.toml", LEAK_RULE.replace("NAME", "second-key")),
    ]);
    let policy = ksef_policy::rule::load_policy_rules(Some(dir.path())).map(|_| ());
    let leaks = ksef_rules::leak::load_leak_rules(Some(dir.path())).map(|_| ());
    for (kind, id, result) in [("policy", "POL900", policy), ("leaks", "LEAK900", leaks)] {
        let file = |name: &str| dir.path().join(kind).join(name).display().to_string();
        let msg = result.expect_err("duplicate id").to_string();
        assert!(
            msg.contains(&format!(
                "{}: rule {id}: id {id} is already used in {}",
                file("b.toml"),
                file("a.toml")
            )),
            "{msg}"
        );
    }
}

#[test]
fn a_rule_taking_the_name_of_a_built_in_one_is_refused_naming_both_files() {
    let dir = rules_dir(&[(
        "policy/mine.toml",
        POLICY_RULE.replace("test-rule", "never-used"),
    )]);
    let msg = ksef_policy::rule::load_policy_rules(Some(dir.path()))
        .expect_err("name taken")
        .to_string();
    let builtin = builtin_policy_rules().expect("built-ins");
    let taken = builtin.get("never-used").expect("never-used");
    assert!(
        msg.contains(&format!(
            "rule POL900: name 'never-used' is already used by rule {} in {}",
            taken.id, taken.origin
        )),
        "{msg}"
    );
}

#[test]
fn a_rules_dir_rule_with_a_built_in_id_replaces_it() {
    let set = builtin_policy_rules().expect("built-ins");
    let never_used = set.get("never-used").expect("never-used");
    let text = POLICY_RULE
        .replace("POL900", &never_used.id)
        .replace("test-rule", "never-used")
        .replace("severity = \"low\"", "severity = \"critical\"");
    let dir = rules_dir(&[("policy/mine.toml", text)]);
    let loaded = ksef_policy::rule::load_policy_rules(Some(dir.path())).expect("loads");
    assert_eq!(loaded.rules.len(), set.rules.len());
    let replaced = loaded.get("never-used").expect("never-used");
    assert_eq!(replaced.severity, ksef_model::Severity::Critical);
    assert!(
        replaced.origin.ends_with("mine.toml"),
        "{}",
        replaced.origin
    );
}

#[test]
fn a_wrong_example_is_caught() {
    let set = builtin_policy_rules().expect("built-in rules load");
    let mut rule = set.get("never-used").expect("rule").clone();
    // Swap the expectations: every example must now fail the check.
    std::mem::swap(&mut rule.examples.fail, &mut rule.examples.pass);
    let failures = check_rule_examples(&rule);
    assert_eq!(
        failures.len(),
        rule.examples.fail.len() + rule.examples.pass.len(),
        "{failures:?}"
    );
}

/// `docs/rules.md` must match the rules; `KSEF_AUDIT_BLESS=1` rewrites it.
#[test]
fn rules_doc_is_up_to_date() {
    let set = builtin_policy_rules().expect("built-in rules load");
    let leaks = builtin_leak_rules().expect("leak rules load");
    let expected = markdown(&set, &leaks);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("KSEF_AUDIT_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `KSEF_AUDIT_BLESS=1 cargo test --test rules` and commit it"
    );
}

#[test]
fn flat_rules_dir_mixing_policy_and_leak_files_loads_each_kind_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "rules/policy/hygiene.toml",
        "rules/leaks/ksef-token-v2.toml",
    ] {
        let src = root.join(file);
        let name = src.file_name().expect("file name");
        std::fs::copy(&src, dir.path().join(name)).expect("copy rule file");
    }
    let policy = ksef_policy::rule::load_policy_rules(Some(dir.path()))
        .expect("policy loader skips the leak file");
    let leaks = ksef_rules::leak::load_leak_rules(Some(dir.path()))
        .expect("leak loader skips the policy file");
    assert_eq!(
        policy.rules.len(),
        builtin_policy_rules().expect("built-ins").rules.len()
    );
    assert_eq!(leaks.len(), builtin_leak_rules().expect("built-ins").len());
}

/// Issue 14: every built-in policy rule speaks Polish too (`title-pl`, `message-pl`,
/// `remediation-pl`), messages in the house style (lowercase start, no final period).
#[test]
fn every_builtin_rule_has_polish_words() {
    let set = builtin_policy_rules().expect("built-in rules load");
    for r in &set.rules {
        let name = &r.name;
        assert!(r.title_pl.is_some(), "{name}: add title-pl");
        let msg = r
            .message_pl
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: add message-pl"));
        let rem = r
            .remediation_pl
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: add remediation-pl"));
        assert!(
            !msg.starts_with(char::is_uppercase) && !msg.ends_with('.'),
            "{name}: message-pl starts lowercase and has no final period: {msg}"
        );
        assert!(!rem.trim().is_empty(), "{name}: empty remediation-pl");
        assert_ne!(msg, r.message, "{name}: message-pl is a translation");
    }
}
