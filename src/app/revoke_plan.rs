//! What `revoke` (and later `offboard`) may do, decided in one place: the scope (`--nip`),
//! the live re-derivation of every grant action (the rule that named it is evaluated again
//! on what KSeF lists now, with the staff list), the firm's own and last-manager guards, and
//! the confirmation (`--yes` on a terminal asks, without a terminal `--max-actions N` bounds).

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::config::Config;
use ksef_model::ContextSnapshot;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::StaffMember;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;
use ksef_model::i18n::commands::text as say;
use ksef_policy::evaluate::AuditWorld;

/// The rules whose findings depend on the staff list: never re-derived without it.
pub const STAFF_RULES: [&str; 3] = [
    "grant-held-by-leaver",
    "read-grant-held-by-leaver",
    "grant-held-by-stranger",
];

/// How far `--yes` may go.
#[derive(Debug, Clone, Default)]
pub struct ActionBounds {
    /// `--nip`: only these contexts (empty: all).
    pub nips: Vec<String>,
    /// `--max-actions N`: the most actions a run without a terminal may take.
    pub max_actions: Option<usize>,
}

impl ActionBounds {
    /// Whether a target of context `nip` is within `--nip`.
    pub fn in_scope(&self, nip: &str) -> bool {
        self.nips.is_empty() || self.nips.iter().any(|n| n == nip)
    }
}

/// What is about to be done: `(nip, key)` per grant and per token.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub grants: Vec<(String, String)>,
    pub tokens: Vec<(String, String)>,
    /// `offboard`: whose access this is (staff id), named in the question.
    pub person: Option<String>,
    /// The language of the plan's summary and question.
    pub lang: Lang,
}

impl Plan {
    pub fn len(&self) -> usize {
        self.grants.len() + self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `2 grant(s) in 1 context(s) and 1 token(s) in 1 context(s)`, in the plan's language.
    pub fn summary(&self) -> String {
        let contexts = |items: &[(String, String)]| {
            items
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<BTreeSet<_>>()
                .len()
        };
        let mut parts = Vec::new();
        if !self.grants.is_empty() || self.tokens.is_empty() {
            parts.push(say(
                self.lang,
                "plan_grants",
                &[("n", &self.grants.len()), ("c", &contexts(&self.grants))],
            ));
        }
        if !self.tokens.is_empty() {
            parts.push(say(
                self.lang,
                "plan_tokens",
                &[("n", &self.tokens.len()), ("c", &contexts(&self.tokens))],
            ));
        }
        parts.join(&say(self.lang, "plan_and", &[]))
    }

    /// What confirming does: `revoke 2 grant(s) in 1 context(s)`; for one person (`offboard`)
    /// `revoke 1 token(s) and remove 1 grant(s) in 2 context(s) of jan@firma.pl`.
    pub fn phrase(&self) -> String {
        let Some(person) = &self.person else {
            return say(self.lang, "plan_revoke", &[("summary", &self.summary())]);
        };
        let contexts = self
            .grants
            .iter()
            .chain(&self.tokens)
            .map(|(n, _)| n.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        say(
            self.lang,
            "plan_person",
            &[
                ("t", &self.tokens.len()),
                ("g", &self.grants.len()),
                ("c", &contexts),
                ("person", person),
            ],
        )
    }
}

/// Asks before acting. On a terminal: the plan's summary and a `yes` typed back. Without a
/// terminal (CI): `--max-actions N` must be given and the plan must not exceed it. An
/// `Err` is an exit 2 that says why; nothing has been done.
pub fn confirm(plan: &Plan, bounds: &ActionBounds) -> Result<()> {
    if plan.is_empty() {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let Some(max) = bounds.max_actions else {
            bail!(
                "{}",
                say(
                    plan.lang,
                    "confirm_no_terminal",
                    &[("phrase", &plan.phrase())]
                )
            );
        };
        if plan.len() > max {
            bail!(
                "{}\n{}",
                over_max(plan, max),
                say(plan.lang, "confirm_over_max_help", &[])
            );
        }
        return Ok(());
    }
    if let Some(max) = bounds.max_actions
        && plan.len() > max
    {
        bail!("{}", over_max(plan, max));
    }
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "{}",
        say(plan.lang, "confirm_question", &[("phrase", &plan.phrase())])
    )?;
    err.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if !matches!(
        answer.trim().to_lowercase().as_str(),
        "yes" | "y" | "tak" | "t"
    ) {
        bail!("{}", say(plan.lang, "confirm_not_confirmed", &[]));
    }
    Ok(())
}

/// Why a plan larger than `--max-actions` is refused.
fn over_max(plan: &Plan, max: usize) -> String {
    say(
        plan.lang,
        "confirm_over_max",
        &[
            ("phrase", &plan.phrase()),
            ("n", &plan.len()),
            ("max", &max),
        ],
    )
}

/// The staff list for re-deriving grant actions: `--staff`, else the config's `[audit] staff`.
pub fn staff_list(flag: &Option<PathBuf>, config: &Config) -> Result<Option<Vec<StaffMember>>> {
    let path = flag.clone().or_else(|| config.audit.staff.clone());
    match path {
        Some(p) => Ok(Some(crate::inputs::staff::load_staff(&p)?)),
        None => Ok(None),
    }
}

/// The rules of `config` evaluated on a fresh listing: `(rule name, nip, grant id)` of every
/// grant finding KSeF's data (with the staff list, known parties and access register)
/// gives now.
pub fn live_grant_findings(
    config: &Config,
    fresh: &TokenSnapshot,
    staff: &[StaffMember],
) -> Result<BTreeSet<(String, String, String)>> {
    let rules = config.policy_rules(None)?;
    let register = match &config.audit.access_register {
        Some(p) => Some(crate::inputs::access_register::load_access_register(p)?),
        None => None,
    };
    let inventory = ksef_model::Inventory::default();
    let world = AuditWorld {
        snapshot: fresh,
        inventory: &inventory,
        staff,
        now: fresh.fetched_at,
        known_parties: &config.known_parties,
        token_last_issuance: config.audit.token_last_issuance,
        access_register: register.as_ref(),
    };
    let enabled: Vec<_> = rules.enabled().collect();
    let evaluation = ksef_policy::evaluate::evaluate(&world, &enabled);
    Ok(evaluation
        .findings
        .into_iter()
        .filter_map(|f| f.grant_id.map(|g| (f.rule, f.nip, g)))
        .collect())
}

/// Why a grant must never be removed by `revoke`, whatever names it: the firm's own grants
/// (held by the context itself) and the last CredentialsManage of a context (counting the
/// other removals of this run, `removing`).
pub fn protected_grant(
    ctx: &ContextSnapshot,
    g: &GrantRecord,
    removing: &BTreeSet<String>,
) -> Option<String> {
    let own = !g.held_by_other()
        || g.holder_keys()
            .iter()
            .any(|k| k.kind == ksef_model::IdentifierType::Nip && k.value() == ctx.nip);
    if own {
        return Some(
            "this is the firm's own grant (held by the context itself); revoke never removes it"
                .into(),
        );
    }
    if g.scope == GrantScope::CredentialsManage {
        let others = ctx
            .grants
            .iter()
            .filter(|o| {
                o.id != g.id
                    && o.scope == GrantScope::CredentialsManage
                    && !removing.contains(&o.id)
            })
            .count();
        if others == 0 {
            return Some("it is the last CredentialsManage grant of this context; removing it could lock the firm out of managing credentials".into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_names_the_person_and_counts_contexts_once() {
        let pair = |n: &str, k: &str| (n.to_string(), k.to_string());
        let mut plan = Plan {
            grants: vec![pair("5265877635", "g1")],
            tokens: vec![pair("5265877635", "r1"), pair("7762811692", "r2")],
            person: None,
            lang: Lang::En,
        };
        assert_eq!(
            plan.phrase(),
            "revoke 1 grant(s) in 1 context(s) and 2 token(s) in 2 context(s)"
        );
        plan.person = Some("jan@firma.pl".into());
        assert_eq!(
            plan.phrase(),
            "revoke 2 token(s) and remove 1 grant(s) in 2 context(s) of jan@firma.pl"
        );
        plan.lang = Lang::Pl;
        assert_eq!(
            plan.phrase(),
            "odebrać dostęp osobie jan@firma.pl (tokeny: 2, uprawnienia: 1, kontekstów: 2)"
        );
        plan.person = None;
        assert_eq!(
            plan.phrase(),
            "odebrać dostęp (uprawnienia: 1, kontekstów: 1; tokeny: 2, kontekstów: 2)"
        );
    }
}
