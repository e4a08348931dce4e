//! `auditor-over-privileged`: the tool's own token holds permissions beyond the rule's `allowed`
//! list.

use ksef_model::Permission;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "auditor-over-privileged",
    parameters: &["allowed"],
    check: auditor_over_privileged,
};

fn auditor_over_privileged(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let held = v.auditor_permissions()?;
    let allowed = rule.param_list("allowed");
    let extra: Vec<&str> = held
        .iter()
        .map(Permission::as_str)
        .filter(|p| !allowed.iter().any(|a| a.eq_ignore_ascii_case(p)))
        .collect();
    (!extra.is_empty()).then(|| {
        Detail::new(
            format!(
                "the tool's own token holds {} (needs only {})",
                extra.join(", "),
                allowed.join(", ")
            ),
            format!(
                "własny token narzędzia ma {} (potrzebuje tylko {})",
                extra.join(", "),
                allowed.join(", ")
            ),
        )
    })
}
