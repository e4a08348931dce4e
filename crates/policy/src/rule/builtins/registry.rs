//! The registry of built-in conditions: every built-in's `BUILTIN`, one row each.

use super::Builtin;

/// The registry: name -> function.
pub(crate) static BUILTINS: &[Builtin] = &[
    super::owner_left::BUILTIN,
    super::author_left::BUILTIN,
    super::excess_permissions::BUILTIN,
    super::duplicate_active::BUILTIN,
    super::environment_mismatch::BUILTIN,
    super::personal_data_in_description::BUILTIN,
    super::auditor_over_privileged::BUILTIN,
    super::secret_in_inventory::BUILTIN,
    super::grant_holder_left::BUILTIN,
    super::grant_holder_unknown::BUILTIN,
    super::too_many_credentials_managers::BUILTIN,
    super::grant_fingerprint_only::BUILTIN,
    super::grant_holder_in_many_contexts::BUILTIN,
    super::grant_beyond_register::BUILTIN,
    super::certificate_subject_left::BUILTIN,
    super::certificate_limit_low::BUILTIN,
    super::certificate_expires_within::BUILTIN,
    super::token_sunset_approaching::BUILTIN,
    super::token_sunset_near::BUILTIN,
];

/// The registered built-in called `name`.
pub(crate) fn find_builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The registered names, for messages.
pub(crate) fn builtin_names() -> String {
    BUILTINS
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parameters that hold a date: checked when rules load and when the config overrides them.
pub(crate) const DATE_PARAMETERS: &[&str] = &["sunset"];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_registered_name_is_found_and_unique() {
        let mut names = BTreeSet::new();
        for b in BUILTINS {
            assert!(names.insert(b.name), "{} registered twice", b.name);
            assert!(std::ptr::eq(find_builtin(b.name).expect("found"), b));
        }
        assert!(find_builtin("owner-lefft").is_none());
    }
}
