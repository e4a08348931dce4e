//! `certificate-subject-left`: the person behind a certificate (its subject, else its inventory
//! owner) has left.

use ksef_model::CertificateRecord;
use ksef_model::GrantIdentifier;
use ksef_model::IdentifierType;
use ksef_model::StaffStatus;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::describe_person;
use super::helpers::left_words;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "certificate-subject-left",
    parameters: &[],
    check: certificate_subject_left,
};

fn certificate_subject_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let c = v.certificate()?;
    certificate_leaver(v, c)
}

/// The staff member behind a certificate's subject identifier (PESEL, NIP or fingerprint),
/// or behind the owner its inventory row names.
fn certificate_leaver(v: &dyn SubjectView, c: &CertificateRecord) -> Option<Detail> {
    let id = GrantIdentifier::new(
        IdentifierType::from(c.subject_identifier.kind.as_str()),
        c.subject_identifier.value.as_str(),
    );
    if let Some(m) = v
        .staff_holder(&id)
        .filter(|m| m.status == StaffStatus::Left)
    {
        let who = m.name.as_deref().unwrap_or(&m.id);
        let subject = c.subject_identifier.masked();
        return Some(Detail::new(
            format!(
                "its subject {subject} is {who}, who {}",
                left_words(m, false)
            ),
            format!(
                "jego podmiot {subject} to {who}; ta osoba {}",
                left_words(m, true)
            ),
        ));
    }
    let owner = v.entry()?.owner.as_deref()?;
    let m = v.staff_owner(owner)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_person(m, owner);
        Detail::new(
            format!("its inventory owner {who} {}", left_words(m, false)),
            format!(
                "właściciel w ewidencji {who}: ta osoba {}",
                left_words(m, true)
            ),
        )
    })
}
