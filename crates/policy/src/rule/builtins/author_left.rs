//! `author-left`: the person who created a token (by PESEL or NIP) has left.

use ksef_model::Identifier;
use ksef_model::IdentifierType;
use ksef_model::StaffStatus;
use ksef_model::mask_pesel;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::left_words;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "author-left",
    parameters: &[],
    check: author_left,
};

fn author_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let m = v.staff_author(&t.author_identifier)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = |pl: bool| {
            format!(
                "{} ({} {})",
                m.name.as_deref().unwrap_or(&m.id),
                IdentifierType::from(t.author_identifier.kind.as_str()).label(pl),
                mask_identifier(&t.author_identifier)
            )
        };
        Detail::new(
            format!("created by {}, who {}", who(false), left_words(m, false)),
            format!(
                "utworzony przez: {}; ta osoba {}",
                who(true),
                left_words(m, true)
            ),
        )
    })
}

fn mask_identifier(id: &Identifier) -> String {
    if id.kind == "Pesel" {
        mask_pesel(&id.value)
    } else {
        id.value.clone()
    }
}
