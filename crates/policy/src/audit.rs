//! Assembles the audit result document: findings from the rules, then exceptions
//! (last), baseline marks, the summary and the pass/fail decision.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::compare::CurrentChange;
use crate::compare::GoneChange;
use crate::compare::compare;
use crate::evaluate::AuditWorld;
use crate::evaluate::Evaluation;
use crate::evaluate::evaluate;
use crate::evaluate::sort_findings;
use crate::exceptions::ExceptionSet;
use crate::rule::PolicyRuleSet;
use ksef_model::AUDIT_KIND;
use ksef_model::AUDIT_SCHEMA_VERSION;
use ksef_model::AuditContext;
use ksef_model::AuditFinding;
use ksef_model::AuditResults;
use ksef_model::AuditSummary;
use ksef_model::BaselineState;
use ksef_model::ContextStatus;
use ksef_model::Digests;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_model::TOOL_VERSION;
use ksef_model::TokenStatus;

/// Everything besides the world that shapes the result document.
pub struct AuditSettings<'a> {
    pub rules: &'a PolicyRuleSet,
    pub exceptions: Option<ExceptionSet>,
    pub baseline: Option<&'a AuditResults>,
    pub firm: Option<String>,
    /// Input name -> SHA-256 (the rules digest is added here).
    pub input_digests: BTreeMap<String, String>,
    pub generated_at: DateTime<Utc>,
}

/// Runs the rules and builds the finished, sorted [`AuditResults`].
pub fn run_audit(world: &AuditWorld<'_>, settings: AuditSettings<'_>) -> AuditResults {
    let rules: Vec<_> = settings.rules.enabled().collect();
    let Evaluation {
        contexts,
        mut findings,
        mut warnings,
    } = evaluate(world, &rules);
    let mut exception_states = Vec::new();
    if let Some(mut set) = settings.exceptions {
        apply_exceptions(&mut findings, &mut set);
        let (states, mut w) = set.finish();
        exception_states = states;
        warnings.append(&mut w);
    }
    let fixed = match settings.baseline {
        Some(b) => apply_baseline(&mut findings, b, &contexts),
        None => Vec::new(),
    };
    sort_findings(&mut findings);
    let summary = summarize(&contexts, &findings);
    let items = crate::items::items(&crate::items::ItemInput {
        findings: &findings,
        contexts: &contexts,
        rules: &rules,
        staff: world.staff,
        inventory: world.inventory,
    });
    AuditResults {
        schema_version: AUDIT_SCHEMA_VERSION,
        kind: AUDIT_KIND.into(),
        tool_version: TOOL_VERSION.into(),
        generated_at: settings.generated_at,
        firm: settings.firm,
        environment: world.snapshot.environment.recorded(),
        digests: Digests {
            rules: settings.rules.digest.clone(),
            inputs: settings.input_digests,
        },
        contexts,
        findings,
        fixed,
        exceptions: exception_states,
        warnings,
        summary,
        items,
    }
}

/// Marks findings waived by an exception in force. Targets: reference number (or certificate
/// serial number), NIP, finding id.
pub(crate) fn apply_exceptions(findings: &mut [AuditFinding], set: &mut ExceptionSet) {
    for f in findings {
        let mut targets: Vec<&str> = vec![f.nip.as_str(), f.id.as_str()];
        if let Some(r) = &f.reference_number {
            targets.push(r.as_str());
        }
        if let Some(s) = &f.certificate_serial {
            targets.push(s.as_str());
        }
        if let Some(applied) = set.check(&f.rule, &f.rule_id, &targets) {
            f.excepted = true;
            f.exception = Some(applied);
        }
    }
}

/// Marks each finding new or unchanged against `baseline` and returns the baseline's
/// findings that no longer occur (marked fixed), by the one comparison in
/// [`crate::compare`]: findings of contexts that are incomplete now are not called
/// fixed (they could not be checked), and findings of a NIP the baseline did not cover
/// completely get no mark (nothing to compare with; `--fail-on-new` still counts them).
pub(crate) fn apply_baseline(
    findings: &mut [AuditFinding],
    baseline: &AuditResults,
    contexts: &[AuditContext],
) -> Vec<AuditFinding> {
    let cmp = compare(findings, contexts, baseline);
    for (f, change) in findings.iter_mut().zip(&cmp.current) {
        f.baseline = match change {
            CurrentChange::New => Some(BaselineState::New),
            CurrentChange::Persisting => Some(BaselineState::Unchanged),
            // The baseline did not cover this NIP completely: nothing to compare with.
            CurrentChange::FirstAudit => None,
        };
    }
    let mut fixed: Vec<AuditFinding> = cmp
        .gone
        .iter()
        .filter(|(_, change)| *change == GoneChange::Resolved)
        .map(|(i, _)| {
            let mut f = baseline.findings[*i].clone();
            f.baseline = Some(BaselineState::Fixed);
            f
        })
        .collect();
    sort_findings(&mut fixed);
    fixed
}

pub(crate) fn summarize(contexts: &[AuditContext], findings: &[AuditFinding]) -> AuditSummary {
    let mut by_severity: BTreeMap<Severity, u32> = BTreeMap::new();
    let mut excepted = 0;
    for f in findings {
        if f.excepted {
            excepted += 1;
        } else {
            *by_severity.entry(f.severity).or_default() += 1;
        }
    }
    let count = |s: ContextStatus| contexts.iter().filter(|c| c.status == s).count() as u32;
    AuditSummary {
        contexts_total: contexts.len() as u32,
        contexts_complete: count(ContextStatus::Complete),
        contexts_incomplete: count(ContextStatus::Incomplete),
        tokens_total: contexts.iter().map(|c| c.tokens.len() as u32).sum(),
        tokens_active: contexts
            .iter()
            .flat_map(|c| &c.tokens)
            .filter(|t| TokenStatus::is_live(&t.token.status))
            .count() as u32,
        findings_by_severity: by_severity,
        excepted,
    }
}

/// Findings that fail the run: not excepted, at or above `fail_on`, and new when
/// `only_new` (`--fail-on-new`).
pub(crate) fn failing_findings(results: &AuditResults, fail_on: Severity, only_new: bool) -> usize {
    results
        .findings
        .iter()
        .filter(|f| !f.excepted && f.severity >= fail_on)
        .filter(|f| !only_new || f.baseline != Some(BaselineState::Unchanged))
        .count()
}

/// Exit decision: incomplete contexts beat findings; `--exit-zero` never hides them.
pub fn outcome(results: &AuditResults, fail_on: Severity, only_new: bool) -> Outcome {
    if results.summary.contexts_incomplete > 0 {
        Outcome::Incomplete
    } else if failing_findings(results, fail_on, only_new) > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
