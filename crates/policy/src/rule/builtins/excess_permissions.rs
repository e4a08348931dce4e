//! `excess-permissions`: a token holds permissions beyond what its inventory row approves.

use ksef_model::Permission;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::join_or;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "excess-permissions",
    parameters: &[],
    check: excess_permissions,
};

fn excess_permissions(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let e = v.entry()?;
    if e.permissions.is_empty() && !v.has_permissions_column() {
        return None;
    }
    let extra: Vec<&str> = t
        .requested_permissions
        .iter()
        .filter(|p| !e.permissions.contains(p))
        .map(Permission::as_str)
        .collect();
    (!extra.is_empty()).then(|| {
        Detail::new(
            format!(
                "holds {} beyond what the inventory approves ({})",
                extra.join(", "),
                join_or(&e.permissions, "nothing")
            ),
            format!(
                "ma {} ponad to, co zatwierdza ewidencja ({})",
                extra.join(", "),
                join_or(&e.permissions, "nic")
            ),
        )
    })
}
