//! `personal-data`: a token's description holds an e-mail address, a PESEL number or a token-like
//! string (each kind switched by its parameter); the finding names the kinds, never the values.

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::personal_data;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "personal-data",
    parameters: &["email", "pesel", "token"],
    check: personal_data_in_description,
};

fn personal_data_in_description(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let kinds = personal_data(
        &t.description,
        rule.param_bool("email").unwrap_or(true),
        rule.param_bool("pesel").unwrap_or(true),
        rule.param_bool("token").unwrap_or(true),
    );
    (!kinds.is_empty()).then(|| {
        let pl: Vec<&str> = kinds.iter().map(|k| personal_data_pl(k)).collect();
        Detail::new(
            format!("the description holds {}", kinds.join(" and ")),
            format!("opis zawiera {}", pl.join(" i ")),
        )
    })
}

/// The Polish words for a kind [`personal_data`] names.
fn personal_data_pl(kind: &str) -> &'static str {
    match kind {
        "an e-mail address" => "adres e-mail",
        "a PESEL number" => "numer PESEL",
        "a token-like string" => "ciąg wyglądający na token",
        _ => "dane osobowe",
    }
}
