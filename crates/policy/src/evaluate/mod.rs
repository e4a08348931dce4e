//! The policy audit: tokens × inventory × staff list × rules -> findings.
//!
//! Pure: no I/O, no clock. "Now" is given by the caller (`--now` or the snapshot's
//! fetch time), so the same inputs always give the same findings.
//!
//! One file per job: this one runs the rules over every subject and builds findings;
//! `view` is what a rule sees of a subject, `evidence` words the finding, `examples`
//! runs each rule's own examples.

mod evidence;
mod examples;
mod view;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

pub use examples::check_rule_examples;
use view::{Ctx, GrantWorld, Known, StaffIndex, View};

use crate::rule::PolicyRule;
use crate::rule::Subject;
use crate::rule::builtins::Detail;
use crate::rule::render_template;
use ksef_model::AccessRegister;
use ksef_model::AuditContext;
use ksef_model::AuditFinding;
use ksef_model::AuditedGrant;
use ksef_model::AuditedToken;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::FindingSubject;
use ksef_model::FindingText;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::HolderStatus;
use ksef_model::IdentifierType;
use ksef_model::Inventory;
use ksef_model::InventoryEntry;
use ksef_model::KnownParty;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;
use ksef_model::TokenStatus;
use ksef_model::fingerprint_hex;
use ksef_model::same_holder;
use ksef_rules::help_uri;

/// Everything the audit looks at, and the moment it judges ages against.
pub struct AuditWorld<'a> {
    pub snapshot: &'a TokenSnapshot,
    pub inventory: &'a Inventory,
    pub staff: &'a [StaffMember],
    pub now: DateTime<Utc>,
    /// The config's `[[known-parties]]`: outside holders of grants the firm knows.
    pub known_parties: &'a [KnownParty],
    /// The last day KSeF tokens may be issued (`[audit] token-last-issuance`): after it,
    /// remediations advise a KSeF certificate instead of a new token.
    pub token_last_issuance: NaiveDate,
    /// The approved access register (`--access-register`), when given.
    pub access_register: Option<&'a AccessRegister>,
}

/// What the rules found, before exceptions and baseline are applied.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub(crate) contexts: Vec<AuditContext>,
    /// Sorted by severity (highest first), rule id, NIP, reference, id.
    pub findings: Vec<AuditFinding>,
    pub(crate) warnings: Vec<String>,
}

/// Stable finding id: lowercase hex SHA-256 of `rule \n nip \n reference`.
pub fn finding_id(rule: &str, nip: &str, reference: &str) -> String {
    fingerprint_hex(format!("{rule}\n{nip}\n{reference}").as_bytes())
}

/// Sorts findings: severity (highest first), rule id, NIP, reference, id.
pub(crate) fn sort_findings(findings: &mut [AuditFinding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.nip.cmp(&b.nip))
            .then_with(|| a.reference_number.cmp(&b.reference_number))
            .then_with(|| a.grant_id.cmp(&b.grant_id))
            .then_with(|| a.certificate_serial.cmp(&b.certificate_serial))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn contexts_for<'a>(world: &'a AuditWorld<'a>) -> (Vec<ContextSnapshot>, Vec<String>) {
    // Inventory NIPs this run did not audit: a pseudo context so secrets in their rows
    // are still found; every token condition stays unknown there.
    let audited: BTreeSet<&str> = world
        .snapshot
        .contexts
        .iter()
        .map(|c| c.nip.as_str())
        .collect();
    let mut rows_by_nip: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for e in &world.inventory.entries {
        if !audited.contains(e.nip.as_str()) {
            rows_by_nip.entry(e.nip.as_str()).or_default().push(e.row);
        }
    }
    let mut warnings = Vec::new();
    let mut pseudo = Vec::new();
    for (nip, rows) in rows_by_nip {
        warnings.push(format!(
            "inventory row{} {} name{} NIP {nip}, which this run did not audit",
            if rows.len() == 1 { "" } else { "s" },
            rows.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if rows.len() == 1 { "s" } else { "" },
        ));
        pseudo.push(ContextSnapshot {
            nip: nip.to_string(),
            name: None,
            environment: world.snapshot.environment.label.clone(),
            status: ContextStatus::Incomplete,
            reason: Some("not audited".into()),
            reason_code: Some(ksef_model::ReasonCode::NotAudited),
            fetched_at: world.snapshot.fetched_at,
            duration_ms: 0,
            grants: Vec::new(),
            certificates: Default::default(),
            auditor_reference: None,
            auditor_permissions: None,
            tokens: Vec::new(),
        });
    }
    (pseudo, warnings)
}

/// Runs the rules over the world.
pub fn evaluate(world: &AuditWorld<'_>, rules: &[&PolicyRule]) -> Evaluation {
    let staff = StaffIndex::new(world.staff);
    let (pseudo, warnings) = contexts_for(world);
    let has_permissions_column = world.inventory.has_column("permissions");
    let grant_world = GrantWorld::new(
        &world.snapshot.contexts,
        world.known_parties,
        world.access_register,
    );
    let mut findings = Vec::new();
    let mut contexts = Vec::new();
    let all: Vec<(&ContextSnapshot, bool)> = world
        .snapshot
        .contexts
        .iter()
        .map(|c| (c, true))
        .chain(pseudo.iter().map(|c| (c, false)))
        .collect();
    for (snap, audited) in all {
        let ctx = Ctx::new(snap, audited, world.inventory);
        let view = |token, entry, reference: &str| {
            build_view(
                &ctx,
                token,
                entry,
                reference,
                world,
                &staff,
                has_permissions_column,
                &grant_world,
            )
        };
        let mut run = |v: &View<'_>, subject: Subject| {
            for rule in rules.iter().filter(|r| r.subject == subject && r.enabled) {
                let mut details = Vec::new();
                if v.holds(rule, &rule.when, &mut details) {
                    findings.push(make_finding(rule, v, &details, world.token_last_issuance));
                }
            }
        };
        for (r, t) in &ctx.tokens {
            let entry = ctx.entries.get(r).copied();
            let history = matches!(t.status, TokenStatus::Revoked | TokenStatus::Failed);
            if history && entry.is_none() {
                continue;
            }
            run(&view(Known::Yes(t), entry, r), Subject::Credential);
        }
        let mut entries: Vec<&InventoryEntry> = ctx.entries.values().copied().collect();
        entries.sort_by_key(|e| e.row);
        for e in entries {
            let token = match ctx.tokens.get(e.reference_number.as_str()) {
                Some(t) => Known::Yes(*t),
                None if ctx.complete() => Known::No,
                None => Known::Unknown,
            };
            run(
                &view(token, Some(e), &e.reference_number),
                Subject::InventoryEntry,
            );
        }
        if audited {
            let auditor = ctx.auditor_token();
            let reference = snap.auditor_reference.clone().unwrap_or_default();
            let token = auditor.map_or(Known::Unknown, Known::Yes);
            let entry = ctx.entries.get(reference.as_str()).copied();
            run(&view(token, entry, &reference), Subject::Context);
            for g in &snap.grants {
                let mut v = view(Known::Unknown, None, &g.id);
                v.grant = Some(g);
                run(&v, Subject::Grant);
            }
            let rows: BTreeMap<&str, &InventoryEntry> = world
                .inventory
                .certificate_entries
                .iter()
                .filter(|e| e.nip == snap.nip)
                .filter_map(|e| Some((e.certificate_serial.as_deref()?, e)))
                .collect();
            let listed: BTreeSet<String> = snap
                .certificates
                .list
                .iter()
                .map(|c| c.certificate_serial_number.to_uppercase())
                .collect();
            for c in &snap.certificates.list {
                let serial = c.certificate_serial_number.to_uppercase();
                let entry = rows.get(serial.as_str()).copied();
                let mut v = view(Known::Unknown, entry, &c.certificate_serial_number);
                v.certificate = Some(Known::Yes(c));
                run(&v, Subject::Certificate);
            }
            for (serial, e) in &rows {
                if listed.contains(*serial) {
                    continue;
                }
                let mut v = view(Known::Unknown, Some(e), serial);
                v.certificate = Some(if v.certificates_read() {
                    Known::No
                } else {
                    Known::Unknown
                });
                run(&v, Subject::Certificate);
            }
            let mut context = audit_context(&ctx, &staff, world.known_parties);
            context.certificate_owners = world
                .inventory
                .certificate_entries
                .iter()
                .filter(|e| e.nip == snap.nip)
                .filter_map(|e| Some((e.certificate_serial.clone()?, e.owner.clone()?)))
                .collect();
            contexts.push(context);
        }
    }
    sort_findings(&mut findings);
    findings.dedup_by(|a, b| a.id == b.id);
    contexts.sort_by(|a, b| a.nip.cmp(&b.nip));
    Evaluation {
        contexts,
        findings,
        warnings,
    }
}

#[allow(clippy::too_many_arguments)]
fn build_view<'a>(
    ctx: &'a Ctx<'a>,
    token: Known<&'a TokenRecord>,
    entry: Option<&'a InventoryEntry>,
    reference: &str,
    world: &'a AuditWorld<'a>,
    staff: &'a StaffIndex<'a>,
    has_permissions_column: bool,
    grants: &'a GrantWorld<'a>,
) -> View<'a> {
    View {
        ctx,
        grant: None,
        certificate: None,
        grants,
        token,
        entry,
        reference: reference.to_string(),
        secrets: entry
            .map(|e| {
                world
                    .inventory
                    .secrets
                    .iter()
                    .filter(|s| s.row == e.row)
                    .collect()
            })
            .unwrap_or_default(),
        staff,
        has_permissions_column,
        now: world.now,
    }
}

fn make_finding(
    rule: &PolicyRule,
    v: &View<'_>,
    details: &[Detail],
    last_issuance: NaiveDate,
) -> AuditFinding {
    // After the last day tokens may be issued, advice that would create one changes.
    let after = v.now.date_naive() > last_issuance;
    let (en, pl) = match (&rule.remediation_after_issuance, after) {
        (Some(en), true) => (en, rule.remediation_after_issuance_pl.as_ref()),
        _ => (&rule.remediation, rule.remediation_pl.as_ref()),
    };
    let joined = |pl: bool| {
        details
            .iter()
            .map(|d| d.text(pl))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (detail, detail_pl) = (joined(false), joined(true));
    let message = render_template(&rule.message, &|k| v.placeholder(rule, k, &detail, false));
    let remediation = |text: &str| match v.grant {
        Some(g) => text.trim().replace(
            "DELETE /permissions/common/grants/{id}",
            &g.revoke_endpoint(),
        ),
        None => text.trim().to_string(),
    };
    // The Polish words, when the rule has a Polish message (built-in rules all do).
    let pl = rule.message_pl.as_ref().map(|template| FindingText {
        message: render_template(template, &|k| v.placeholder(rule, k, &detail_pl, true)),
        evidence: v.evidence(rule, details, true),
        remediation: remediation(pl.unwrap_or(en)),
    });
    AuditFinding {
        id: finding_id(&rule.name, &v.ctx.snap.nip, &v.reference),
        rule: rule.name.clone(),
        rule_id: rule.id.clone(),
        severity: rule.severity,
        nip: v.ctx.snap.nip.clone(),
        client_name: v.ctx.snap.name.clone(),
        reference_number: (!v.reference.is_empty() && v.grant.is_none() && v.certificate.is_none())
            .then(|| v.reference.clone()),
        owner: v.entry.and_then(|e| e.owner.clone()),
        message,
        evidence: v.evidence(rule, details, false),
        remediation: remediation(en),
        help_uri: help_uri(&rule.name),
        excepted: false,
        exception: None,
        baseline: None,
        subject: Some(finding_subject(rule.subject, v)),
        grant_id: v.grant.map(|g| g.id.clone()),
        certificate_serial: v.certificate.is_some().then(|| v.reference.clone()),
        pl,
    }
}

fn grant_subject(g: &GrantRecord, nip: &str, holder_name: Option<String>) -> FindingSubject {
    FindingSubject::Grant {
        grant_id: g.id.clone(),
        nip: nip.to_string(),
        grant_kind: g.kind.to_string(),
        holder_type: g.holder.kind.to_string(),
        holder: g.holder.masked(),
        holder_name,
        permissions: vec![g.scope.to_string()],
    }
}

/// The subject of a finding of a rule about `subject`, keyed as the report shows it.
fn finding_subject(subject: Subject, v: &View<'_>) -> FindingSubject {
    if let Some(g) = v.grant {
        let name = g
            .holder_keys()
            .into_iter()
            .find_map(|k| v.staff.holder(k))
            .and_then(|m| m.name.clone())
            .or_else(|| g.holder_name());
        return grant_subject(g, &v.ctx.snap.nip, name);
    }
    if v.certificate.is_some() {
        let c = v.certificate();
        return FindingSubject::Certificate {
            certificate_serial: v.reference.clone(),
            nip: v.ctx.snap.nip.clone(),
            subject: c.map_or_else(String::new, |c| c.subject_identifier.masked()),
            valid_to: c.map(|c| c.valid_to),
            row: v.entry.map(|e| e.row),
        };
    }
    match (subject, v.entry) {
        (Subject::Credential, _) => FindingSubject::Token {
            reference_number: v.reference.clone(),
        },
        (Subject::InventoryEntry, Some(e)) => FindingSubject::InventoryEntry {
            row: e.row,
            reference_number: e.reference_number.clone(),
        },
        // An inventory-entry rule always runs with its row; keep a key if it did not.
        (Subject::InventoryEntry, None) => FindingSubject::Token {
            reference_number: v.reference.clone(),
        },
        (Subject::Context | Subject::Grant | Subject::Certificate, _) => FindingSubject::Context {
            nip: v.ctx.snap.nip.clone(),
        },
    }
}

/// A grant as the audit document keeps it: holder masked, with what the staff list and
/// the known parties say of the holder (the same judgement as POL021-POL023).
fn audited_grant(
    g: &GrantRecord,
    nip: &str,
    staff: &StaffIndex<'_>,
    known_parties: &[KnownParty],
) -> AuditedGrant {
    let keys = g.holder_keys();
    let member = keys.iter().find_map(|k| staff.holder(k));
    let party = keys
        .iter()
        .find_map(|k| known_parties.iter().find(|p| same_holder(&p.identifier, k)));
    let own = keys
        .iter()
        .any(|k| k.kind == IdentifierType::Nip && k.value() == nip);
    let holder_status = match (member, party) {
        _ if !g.held_by_other() || own => HolderStatus::Own,
        (Some(m), _) if m.status == StaffStatus::Left => HolderStatus::Left,
        (Some(_), _) => HolderStatus::Staff,
        (None, Some(_)) => HolderStatus::KnownParty,
        (None, None) => HolderStatus::Unknown,
    };
    AuditedGrant {
        grant_id: g.id.clone(),
        kind: g.kind.to_string(),
        holder_type: g.holder.kind.to_string(),
        holder: g.holder.masked(),
        holder_name: member
            .and_then(|m| m.name.clone())
            .or_else(|| party.map(|p| p.name.clone()))
            .or_else(|| g.holder_name()),
        holder_status,
        scope: g.scope.to_string(),
        start_date: g.start_date,
        can_delegate: g.can_delegate,
        target: g.target.as_ref().map(GrantIdentifier::masked),
    }
}

fn audit_context(
    ctx: &Ctx<'_>,
    staff: &StaffIndex<'_>,
    known_parties: &[KnownParty],
) -> AuditContext {
    let grants = ctx
        .snap
        .grants
        .iter()
        .map(|g| audited_grant(g, &ctx.snap.nip, staff, known_parties))
        .collect();
    let tokens = ctx
        .tokens
        .values()
        .map(|t| {
            let entry = ctx.entries.get(t.reference_number.as_str()).copied();
            let owner_member = entry
                .and_then(|e| e.owner.as_deref())
                .and_then(|o| staff.owner(o));
            let author = staff.author(&t.author_identifier);
            AuditedToken {
                token: (*t).clone(),
                in_inventory: entry.is_some(),
                owner: entry.and_then(|e| e.owner.clone()),
                owner_left: owner_member.is_some_and(|m| m.status == StaffStatus::Left),
                author_name: author.map(|m| m.name.clone().unwrap_or_else(|| m.id.clone())),
                author_left: author.is_some_and(|m| m.status == StaffStatus::Left),
                planned_expiry: entry.and_then(|e| e.expires),
                system: entry.and_then(|e| e.system.clone()),
                inventory_extra: entry.map(|e| e.extra.clone()).unwrap_or_default(),
                author_key: None,
            }
        })
        .collect();
    AuditContext {
        nip: ctx.snap.nip.clone(),
        name: ctx.snap.name.clone(),
        environment: ctx.snap.environment.clone(),
        status: ctx.snap.status,
        reason: ctx.snap.reason.clone(),
        reason_code: ctx.snap.reason_code.clone(),
        fetched_at: ctx.snap.fetched_at,
        duration_ms: ctx.snap.duration_ms,
        tokens,
        grants,
        certificates: ctx.snap.certificates.clone(),
        certificate_owners: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finding ids key baselines and exceptions across runs and versions: pinned here, so a
    /// change of the formula (which would turn every accepted finding "new") fails this test.
    #[test]
    fn finding_ids_are_pinned_and_tell_rule_nip_and_reference_apart() {
        let reference = "20251010-EC-1DCE3E3000-12ECB5B36E-45";
        assert_eq!(
            finding_id("untracked-token", "5265877635", reference),
            "7437d97bd2e21c29841eda95313f35a610b9b6b79395895dde5be40924c8ab01"
        );
        let ids: BTreeSet<String> = [
            finding_id("untracked-token", "5265877635", reference),
            finding_id("never-used", "5265877635", reference),
            finding_id("untracked-token", "7762811692", reference),
            finding_id("untracked-token", "5265877635", "a"),
            // The separator keeps "ab" + "c" apart from "a" + "bc".
            finding_id("ab", "c", reference),
            finding_id("a", "bc", reference),
        ]
        .into_iter()
        .collect();
        assert_eq!(ids.len(), 6);
    }
}
