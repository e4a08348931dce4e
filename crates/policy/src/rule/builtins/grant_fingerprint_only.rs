//! `grant-fingerprint-only`: a grant bound only to a certificate fingerprint, with no PESEL or NIP
//! behind it.

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "grant-fingerprint-only",
    parameters: &[],
    check: grant_fingerprint_only,
};

fn grant_fingerprint_only(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.is_fingerprint_only() {
        return None;
    }
    let cert = g.holder.masked();
    Some(match v.staff_holder(&g.holder) {
        Some(m) => {
            let who = m.name.as_deref().unwrap_or(&m.id);
            Detail::new(
                format!("bound only to certificate {cert} (the staff list names {who})"),
                format!(
                    "przypisane tylko do certyfikatu {cert} (lista pracowników wskazuje: {who})"
                ),
            )
        }
        None => Detail::new(
            format!("bound only to certificate {cert}; no PESEL or NIP behind it"),
            format!("przypisane tylko do certyfikatu {cert}; nie stoi za nim PESEL ani NIP"),
        ),
    })
}
