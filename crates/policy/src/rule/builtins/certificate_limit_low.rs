//! `certificate-limit-low`: the context has at most `min-remaining` certificate enrolments or
//! certificates left.

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "certificate-limit-low",
    parameters: &["min-remaining"],
    check: certificate_limit_low,
};

fn certificate_limit_low(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let limits = v.context_certificates()?.limits.as_ref()?;
    let min = rule.param_i64("min-remaining").unwrap_or(1);
    let low: Vec<(String, String)> = [
        ("enrolments", "wniosków", limits.enrollment),
        ("certificates", "certyfikatów", limits.certificate),
    ]
    .iter()
    .filter(|(_, _, l)| l.remaining <= min)
    .map(|(en, pl, l)| {
        let left = l.remaining.max(0);
        (
            format!("{left} of {} {en} left", l.limit),
            format!("pozostało {left} z {} {pl}", l.limit),
        )
    })
    .collect();
    (!low.is_empty()).then(|| {
        let (en, pl): (Vec<String>, Vec<String>) = low.into_iter().unzip();
        Detail::new(en.join(", "), pl.join(", "))
    })
}
