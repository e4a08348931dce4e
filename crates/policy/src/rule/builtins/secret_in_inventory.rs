//! `secret-in-inventory`: a cell of the inventory row holds a KSeF token value (named by preview
//! and fingerprint).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "secret-in-inventory",
    parameters: &[],
    check: secret_in_inventory,
};

fn secret_in_inventory(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let secrets = v.secrets();
    if secrets.is_empty() {
        return None;
    }
    let cols: BTreeSet<&str> = secrets.iter().map(|s| s.column.as_str()).collect();
    let cols = cols.into_iter().collect::<Vec<_>>().join(", ");
    let prints = |word: &str| {
        secrets
            .iter()
            .map(|s| format!("{} ({word} {})", s.preview, &s.fingerprint[..12]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The preview's length note in Polish: `…(64 chars)` -> `…(64 znaki)`.
    let prints_pl = |word: &str| ksef_model::previews_pl(&prints(word));
    Some(Detail::new(
        format!(
            "column {cols} holds a KSeF token value: {}",
            prints("fingerprint")
        ),
        format!(
            "kolumna {} zawiera wartość tokena KSeF: {}",
            polish_quotes(&cols),
            prints_pl("odcisk")
        ),
    ))
}

/// Text quoted with ASCII quotes (`'Uwagi'`, as the inventory reader names a column) with
/// Polish quotation marks instead (`„Uwagi”`).
fn polish_quotes(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"'([^']*)'").expect("static regex compiles"));
    re.replace_all(text, "„$1”").into_owned()
}
