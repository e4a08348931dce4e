//! `grant-holder-in-many-contexts`: the holder of a grant holds grants in more than `max-contexts`
//! audited client contexts.

use std::collections::BTreeSet;

use ksef_model::IdentifierType;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_holder;
use super::helpers::grant_staff;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "grant-holder-in-many-contexts",
    parameters: &["max-contexts"],
    check: grant_holder_in_many_contexts,
};

fn grant_holder_in_many_contexts(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let limit = usize::try_from(rule.param_i64("max-contexts").unwrap_or(5)).ok()?;
    let key = g.holder_identity().unwrap_or(&g.holder);
    if key.value().is_empty() || key.kind == IdentifierType::Nip && key.value() == v.context_nip() {
        return None;
    }
    let nips: BTreeSet<&str> = v.contexts_held_by(key).into_iter().collect();
    (nips.len() > limit).then(|| {
        let who = describe_holder(g, grant_staff(v, g), false);
        let who_pl = describe_holder(g, grant_staff(v, g), true);
        Detail::new(
            format!(
                "{who} holds grants in {} client contexts (limit {limit})",
                nips.len()
            ),
            format!(
                "{who_pl} ma uprawnienia w kontekstach klientów: {} (limit: {limit})",
                nips.len()
            ),
        )
    })
}
