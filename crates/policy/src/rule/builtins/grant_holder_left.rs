//! `grant-holder-left`: the holder of a grant has left (the staff list says so).

use ksef_model::StaffStatus;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_holder;
use super::helpers::grant_staff;
use super::helpers::left_words;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "grant-holder-left",
    parameters: &[],
    check: grant_holder_left,
};

fn grant_holder_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let m = grant_staff(v, g)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_holder(g, Some(m), false);
        let who_pl = describe_holder(g, Some(m), true);
        Detail::new(
            format!(
                "{who} {} and still holds {} in this context",
                left_words(m, false),
                g.scope
            ),
            format!(
                "{who_pl}: ta osoba {}, a nadal ma {} w tym kontekście",
                left_words(m, true),
                g.scope
            ),
        )
    })
}
