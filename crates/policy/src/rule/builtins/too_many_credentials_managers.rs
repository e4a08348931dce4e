//! `too-many-credentials-managers`: more holders of CredentialsManage in the context than `max-
//! credentials-managers`; the oldest grants count first, so the newest ones are the excess.

use ksef_model::GrantRecord;
use ksef_model::GrantScope;

use super::Builtin;
use super::Detail;
use super::SubjectView;
use crate::rule::PolicyRule;

pub(super) const BUILTIN: Builtin = Builtin {
    name: "too-many-credentials-managers",
    parameters: &["max-credentials-managers"],
    check: too_many_credentials_managers,
};

fn too_many_credentials_managers(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if g.scope != GrantScope::CredentialsManage || !g.held_by_other() {
        return None;
    }
    let limit = usize::try_from(rule.param_i64("max-credentials-managers").unwrap_or(2)).ok()?;
    let mut managers: Vec<&GrantRecord> = v
        .context_grants()
        .iter()
        .filter(|o| o.scope == GrantScope::CredentialsManage && o.held_by_other())
        .collect();
    if managers.len() <= limit {
        return None;
    }
    managers.sort_by(oldest_first);
    let place = managers.iter().position(|o| o.id == g.id)?;
    // The holders within the limit are the oldest grants; the rest are the excess.
    (place >= limit).then(|| {
        let all = managers
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Detail::new(
            format!(
                "{} holders of CredentialsManage in this context (limit {limit}); this grant is number {} by age; all: {all}",
                managers.len(),
                place + 1,
            ),
            format!(
                "posiadacze CredentialsManage w tym kontekście: {} (limit: {limit}); to nadanie jest {}. od najstarszego; wszystkie: {all}",
                managers.len(),
                place + 1,
            ),
        )
    })
}

/// Oldest first (start date, then id): the order in which grants count against a limit.
fn oldest_first(a: &&GrantRecord, b: &&GrantRecord) -> std::cmp::Ordering {
    a.start_date
        .cmp(&b.start_date)
        .then_with(|| a.id.cmp(&b.id))
}
