//! `ksef-audit rules list|explain NAME|check`.

use std::io::Write;

use anyhow::{Result, bail};

use crate::app::output::Output;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::cli::RulesAction;
use crate::cli::RulesArgs;
use crate::config::RuleDirs;
use crate::render::rules;
use ksef_model::Outcome;
use ksef_model::i18n::Lang;
use ksef_policy::evaluate::check_rule_examples;
use ksef_policy::rule::PolicyRuleSet;
use ksef_policy::selftest::selftest_leak_rules;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::load_leak_rules;

/// What `rules` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesTask {
    /// `rules list`, in a language.
    List(Lang),
    Explain(String),
    Check,
}

/// `ksef-audit rules`: flags + config -> the rule sets -> [`rules_task`].
pub fn run(args: &RulesArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = crate::app::load_config(global, RuleDirs::Read(args.rules.clone()))?;
    let policy = config.policy_rules(args.rules.as_deref())?;
    let leaks = load_leak_rules(args.rules.as_deref())?;
    let task = match &args.action {
        RulesAction::List { lang, .. } => RulesTask::List(crate::app::lang(lang.lang)),
        RulesAction::Explain { name } => RulesTask::Explain(name.clone()),
        RulesAction::Check => RulesTask::Check,
    };
    rules_task(&task, &policy, &leaks, global.color)
}

/// The `rules` pipeline: list, explain or check the loaded rules.
pub fn rules_task(
    task: &RulesTask,
    policy: &PolicyRuleSet,
    leaks: &[LeakRule],
    color: ColorChoice,
) -> Result<Outcome> {
    let mut out = Output::open(None)?;
    match task {
        RulesTask::List(lang) => {
            let style = crate::app::table_style(color, &mut out);
            rules::write_list(&mut out, policy, leaks, style, *lang)?;
        }
        RulesTask::Explain(name) => match policy.get(name) {
            Some(rule) => out.write_all(rules::explain(rule).as_bytes())?,
            None if leaks
                .iter()
                .any(|r| r.name == *name || r.id.eq_ignore_ascii_case(name)) =>
            {
                if let Some(rule) = leaks
                    .iter()
                    .find(|r| r.name == *name || r.id.eq_ignore_ascii_case(name))
                {
                    out.write_all(rules::explain_leak(rule).as_bytes())?;
                }
            }
            None => {
                let names = policy
                    .rules
                    .iter()
                    .map(|r| r.name.as_str())
                    .chain(leaks.iter().map(|r| r.name.as_str()));
                let close: Vec<&str> = names
                    .filter(|r| {
                        let n = name.to_lowercase();
                        r.contains(&n) || n.contains(r)
                    })
                    .collect();
                let hint = if close.is_empty() {
                    "`ksef-audit rules list` shows every rule".to_string()
                } else {
                    format!("did you mean {}?", close.join(", "))
                };
                bail!("no rule named '{name}'\nhelp: {hint}");
            }
        },
        RulesTask::Check => {
            let mut failures: Vec<String> =
                policy.rules.iter().flat_map(check_rule_examples).collect();
            failures.extend(selftest_leak_rules(leaks));
            let examples: usize = policy
                .rules
                .iter()
                .map(|r| r.examples.fail.len() + r.examples.pass.len())
                .sum::<usize>()
                + leaks
                    .iter()
                    .map(|r| r.examples.len() + r.negative_examples.len())
                    .sum::<usize>();
            if !failures.is_empty() {
                out.flush()?;
                bail!(
                    "{} rule example{} gave the wrong outcome:\n  {}\nhelp: fix the rule or its example",
                    failures.len(),
                    if failures.len() == 1 { "" } else { "s" },
                    failures.join("\n  ")
                );
            }
            writeln!(
                out,
                "ok: {} policy rules and {} leak rules loaded, {examples} examples give their expected outcome",
                policy.rules.len(),
                leaks.len()
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}
