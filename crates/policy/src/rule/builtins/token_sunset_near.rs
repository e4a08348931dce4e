//! `token-sunset-near`: a live token stops working (the announced `sunset`, or its own earlier end)
//! within `near-days` days, or already has.

use super::Builtin;
use super::Detail;
use super::SubjectView;
use super::helpers::token_sunset;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "token-sunset-near",
    parameters: &["sunset", "near-days"],
    check: token_sunset_near,
};

fn token_sunset_near(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let (left, words) = token_sunset(v, rule)?;
    let near = rule.param_i64("near-days")?;
    (left <= near).then_some(words)
}
