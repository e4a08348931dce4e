//! One audit run: the snapshot, the inputs and the policy rules -> results.

use super::AuditRequest;
use super::inputs::{AuditInputs, read_inputs};

use anyhow::{Result, bail};
use chrono::NaiveDate;

use ksef_model::ExceptionEntry;

use ksef_model::AuditResults;
use ksef_model::Severity;
use ksef_model::StaffMember;
use ksef_model::TokenSnapshot;
use ksef_policy::audit::AuditSettings;
use ksef_policy::audit::run_audit;
use ksef_policy::evaluate::AuditWorld;
use ksef_policy::exceptions::ExceptionSet;
use ksef_policy::posture::report_rules;

/// Everything a finished audit run produced.
pub struct AuditRun {
    pub results: AuditResults,
    pub fail_on: Severity,
    /// The staff list (the HTML report names token authors with it).
    pub staff: Vec<StaffMember>,
    /// Rule name -> report section (the rules' `report-section`), for the HTML review.
    pub report_rules: ksef_model::ReportRules,
}

/// Reads the inputs of `req` and audits `snapshot` with them.
pub fn audit_snapshot(
    req: &AuditRequest,
    snapshot: TokenSnapshot,
    snapshot_digest: Option<String>,
) -> Result<AuditRun> {
    let inputs = read_inputs(&req.inputs)?;
    evaluate(req, inputs, snapshot, snapshot_digest)
}

/// Audits `snapshot` with inputs already read.
pub(super) fn evaluate(
    req: &AuditRequest,
    inputs: AuditInputs,
    snapshot: TokenSnapshot,
    snapshot_digest: Option<String>,
) -> Result<AuditRun> {
    let snapshot = only_contexts(snapshot, &req.nips)?;
    let now = req.now.unwrap_or(snapshot.fetched_at);
    let AuditInputs {
        inventory,
        staff,
        exceptions,
        baseline,
        access_register,
        mut digests,
        mut warnings,
    } = inputs;
    if let Some(d) = snapshot_digest {
        digests.insert("snapshot".to_string(), d);
    }
    let exceptions = exceptions
        .map(|entries| policy_exceptions(entries, now.date_naive()))
        .transpose()?;
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
        known_parties: &req.known_parties,
        token_last_issuance: req.token_last_issuance,
        access_register: access_register.as_ref(),
    };
    let mut results = run_audit(
        &world,
        AuditSettings {
            rules: &req.rules,
            exceptions,
            baseline: baseline.as_ref(),
            firm: req.firm.clone(),
            input_digests: digests,
            generated_at: now,
        },
    );
    warnings.append(&mut results.warnings);
    results.warnings = warnings;
    crate::app::redact::redact_audit(&mut results);
    Ok(AuditRun {
        results,
        fail_on: req.fail_on,
        staff,
        report_rules: report_rules(&req.rules),
    })
}

/// The contexts of `nips` (all when empty); a NIP the snapshot does not have is an error.
fn only_contexts(mut snapshot: TokenSnapshot, nips: &[String]) -> Result<TokenSnapshot> {
    if !nips.is_empty() {
        snapshot.contexts.retain(|c| nips.contains(&c.nip));
        for n in nips {
            if !snapshot.contexts.iter().any(|c| &c.nip == n) {
                bail!("--nip {n}: the snapshot has no such context");
            }
        }
    }
    Ok(snapshot)
}

/// The exceptions that apply to the policy rules on `today`. One exceptions file serves audit
/// and leaks: the leak rules' exceptions are not ours.
fn policy_exceptions(entries: Vec<ExceptionEntry>, today: NaiveDate) -> Result<ExceptionSet> {
    let leak_rules = ksef_rules::leak::load_leak_rules(None)?;
    let is_leak_rule = |r: &str| {
        leak_rules
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(r) || l.id.eq_ignore_ascii_case(r))
    };
    Ok(ExceptionSet::new(entries, today).without_rules(is_leak_rule))
}
