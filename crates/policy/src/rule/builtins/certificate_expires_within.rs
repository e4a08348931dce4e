//! `certificate-expires-within`: a certificate expires within a window of days (`after-days`,
//! `days`].

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "certificate-expires-within",
    parameters: &["days", "after-days"],
    check: certificate_expires_within,
};

/// Fires when the certificate's `validTo` is more than `after-days` and at most `days` days
/// away (to the second, so a certificate expiring later today still counts).
fn certificate_expires_within(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let c = v.certificate()?;
    let days = rule.param_i64("days")?;
    let after = rule.param_i64("after-days")?;
    let left = (c.valid_to - v.now()).num_seconds();
    const DAY: i64 = 86_400;
    (left > after * DAY && left <= days * DAY).then(|| {
        let to = c.valid_to.format("%Y-%m-%d %H:%M UTC");
        let to_pl = c.valid_to.format("%d.%m.%Y %H:%M UTC");
        let n = c.days_left(v.now());
        Detail::new(
            format!("valid to {to} ({n} days left)"),
            format!("ważny do {to_pl} ({})", ksef_model::days_left_pl(n.max(0))),
        )
    })
}
