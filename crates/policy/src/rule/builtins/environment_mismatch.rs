//! `environment-mismatch`: the inventory names another environment than the one the token was found
//! in.

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "environment-mismatch",
    parameters: &[],
    check: environment_mismatch,
};

fn environment_mismatch(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let listed = v.entry()?.environment.as_deref()?;
    if !v.context_audited() {
        return None;
    }
    let found = v.context_environment().to_lowercase();
    // KSeF's own environments, and the simulator the demo labels `simulator`; a proxy's
    // or custom URL's label says nothing the inventory could be compared with.
    if !matches!(found.as_str(), "prod" | "demo" | "test" | "simulator") {
        return None;
    }
    (!listed.eq_ignore_ascii_case(&found)).then(|| {
        Detail::new(
            format!("the inventory says '{listed}' but the token was found in '{found}'"),
            format!("ewidencja podaje „{listed}”, a token znaleziono w środowisku „{found}”"),
        )
    })
}
