//! `duplicate-active`: other active tokens of the context serve the same system (see `system_key`).

use ksef_model::TokenStatus;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::system_key;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "duplicate-active",
    parameters: &[],
    check: duplicate_active,
};

fn duplicate_active(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    if !TokenStatus::is_live(&t.status) {
        return None;
    }
    let key = system_key(t, v.entry())?;
    let others: Vec<&str> = v
        .active_for_system(&key)
        .into_iter()
        .filter(|r| *r != t.reference_number)
        .collect();
    (!others.is_empty()).then(|| {
        let n = others.len();
        Detail::new(
            format!(
                "{n} other active token{} for system '{key}': {}",
                if n == 1 { "" } else { "s" },
                others.join(", ")
            ),
            format!(
                "inne aktywne tokeny systemu „{key}” ({n}): {}",
                others.join(", ")
            ),
        )
    })
}
