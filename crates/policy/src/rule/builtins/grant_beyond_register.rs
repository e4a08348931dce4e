//! `grant-beyond-register`: a grant whose scope the access register does not approve for its holder
//! in this context.

use std::collections::BTreeSet;

use ksef_model::AccessHolder;
use ksef_model::GrantScope;
use ksef_model::same_holder;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_holder;
use super::helpers::grant_staff;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "grant-beyond-register",
    parameters: &[],
    check: grant_beyond_register,
};

fn grant_beyond_register(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    let register = v.access_register()?;
    if !g.held_by_other() {
        return None;
    }
    let staff_id = grant_staff(v, g).map(|m| m.id.trim().to_lowercase());
    let keys = g.holder_keys();
    let nip = v.context_nip();
    let approved: BTreeSet<&GrantScope> = register
        .entries
        .iter()
        .filter(|e| e.nip == nip)
        .filter(|e| match &e.holder {
            AccessHolder::Identifier(id) => keys.iter().any(|k| same_holder(k, id)),
            AccessHolder::Staff(s) => staff_id.as_deref() == Some(s.trim().to_lowercase().as_str()),
        })
        .flat_map(|e| e.permissions.iter())
        .collect();
    if approved.contains(&g.scope) {
        return None;
    }
    Some(if approved.is_empty() {
        let who = describe_holder(g, grant_staff(v, g), false);
        let who_pl = describe_holder(g, grant_staff(v, g), true);
        Detail::new(
            format!("the access register approves nothing for {who} in this context"),
            format!(
                "rejestr dostępów nie zatwierdza w tym kontekście żadnego uprawnienia posiadacza: {who_pl}"
            ),
        )
    } else {
        let approved = approved
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Detail::new(
            format!(
                "{} beyond what the access register approves ({approved})",
                g.scope
            ),
            format!(
                "{} ponad to, co zatwierdza rejestr dostępów ({approved})",
                g.scope
            ),
        )
    })
}
