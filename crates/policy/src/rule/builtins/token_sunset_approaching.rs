//! `token-sunset-approaching`: a live token stops working (the announced `sunset`, or its own
//! earlier end) within `days` days, but not yet within `near-days` (that is `token-sunset-near`).

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::token_sunset;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "token-sunset-approaching",
    parameters: &["sunset", "days", "near-days"],
    check: token_sunset_approaching,
};

fn token_sunset_approaching(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let (left, words) = token_sunset(v, rule)?;
    let days = rule.param_i64("days")?;
    let near = rule.param_i64("near-days")?;
    (left <= days && left > near).then_some(words)
}
