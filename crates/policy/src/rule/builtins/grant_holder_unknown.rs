//! `grant-holder-unknown`: the holder of a grant is on neither the staff list nor the config's
//! known parties.

use ksef_model::IdentifierType;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_holder;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "grant-holder-unknown",
    parameters: &[],
    check: grant_holder_unknown,
};

fn grant_holder_unknown(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let keys = g.holder_keys();
    if keys.is_empty() {
        return None;
    }
    let own = v.context_nip();
    let known = keys.iter().any(|k| {
        (k.kind == IdentifierType::Nip && k.value() == own)
            || v.staff_holder(k).is_some()
            || v.known_party(k).is_some()
    });
    (!known).then(|| {
        let who = describe_holder(g, None, false);
        let who_pl = describe_holder(g, None, true);
        Detail::new(
            format!("{who} is on neither the staff list nor the config's known parties"),
            format!(
                "{who_pl} nie figuruje ani na liście pracowników, ani wśród znanych podmiotów z konfiguracji"
            ),
        )
    })
}
