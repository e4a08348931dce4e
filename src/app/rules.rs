//! `ksef-audit rules list|explain NAME|check`.

use std::io::Write;

use anyhow::{Result, bail};

use super::Output;
use crate::cli::{GlobalArgs, RulesAction, RulesArgs};
use crate::error::Outcome;
use crate::evaluate::policy::check_rule_examples;
use crate::render::rules;

/// True when `name` is a leak rule (so `[rules.<name>]` is not a policy typo).
pub fn is_leak_rule_name(_name: &str) -> bool {
    false
}

pub fn run(args: &RulesArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = crate::config::load(global.config.as_deref())?;
    let policy = super::audit::load_rules(args.rules.as_deref(), &config)?;
    let mut out = Output::open(None)?;
    match &args.action {
        RulesAction::List => out.write_all(rules::list(&policy).as_bytes())?,
        RulesAction::Explain { name } => match policy.get(name) {
            Some(rule) => out.write_all(rules::explain(rule).as_bytes())?,
            None => {
                let close: Vec<&str> = policy
                    .rules
                    .iter()
                    .filter(|r| {
                        let n = name.to_lowercase();
                        r.name.contains(&n) || n.contains(&r.name)
                    })
                    .map(|r| r.name.as_str())
                    .collect();
                let hint = if close.is_empty() {
                    "`ksef-audit rules list` shows every rule".to_string()
                } else {
                    format!("did you mean {}?", close.join(", "))
                };
                bail!("no rule named '{name}'\nhelp: {hint}");
            }
        },
        RulesAction::Check => {
            let failures: Vec<String> = policy.rules.iter().flat_map(check_rule_examples).collect();
            let examples: usize = policy
                .rules
                .iter()
                .map(|r| r.examples.fail.len() + r.examples.pass.len())
                .sum();
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
                "ok: {} policy rules loaded, {examples} examples give their expected outcome",
                policy.rules.len()
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}
