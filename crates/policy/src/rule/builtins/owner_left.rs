//! `owner-left`: the owner an inventory row names has left (the staff list says so).

use ksef_model::StaffStatus;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_person;
use super::helpers::left_words;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "owner-left",
    parameters: &[],
    check: owner_left,
};

fn owner_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let owner = v.entry()?.owner.as_deref()?;
    let m = v.staff_owner(owner)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_person(m, owner);
        Detail::new(
            format!("owner {who} {}", left_words(m, false)),
            format!("właściciel {who}: ta osoba {}", left_words(m, true)),
        )
    })
}
