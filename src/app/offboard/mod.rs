//! `ksef-audit offboard PERSON`: everything a person who left can still do in every client
//! context (tokens they authored, grants they hold, their KSeF certificates), planned in a
//! dry run, carried out with `--yes`, and kept as a record (text, JSON, HTML).
//!
//! `--yes` shares `revoke`'s machinery ([`crate::app::revoke_plan`]): every action is
//! re-derived from a fresh listing before anything is done, the firm's own grants and a
//! context's last CredentialsManage are never removed, and the confirmation is asked once
//! on a terminal or bounded by `--max-actions` without one.

mod person;
mod plan;

pub use person::{file_part, resolve};
pub use plan::{BY_TOOL, Derived, PlanInputs, derive};

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use crate::app::revoke_plan::ActionBounds;
use crate::app::revoke_plan::Plan;
use crate::app::revoke_plan::confirm;
use crate::cli::GlobalArgs;
use crate::cli::OffboardArgs;
use crate::cli::OffboardFormat;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use crate::render::offboard::render_record;
use ksef_client::settings::CredentialSource;
use ksef_client::settings::KsefSettings;
use ksef_client::verify::auditor_identity;
use ksef_client::verify::revoke_grants;
use ksef_client::verify::revoke_tokens;
use ksef_model::Inventory;
use ksef_model::OffboardAction;
use ksef_model::OffboardItem;
use ksef_model::OffboardKind;
use ksef_model::OffboardPerson;
use ksef_model::OffboardRecord;
use ksef_model::OffboardResult;
use ksef_model::Outcome;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::i18n::Lang;

/// Everything `offboard` does, without clap types.
#[derive(Debug, Clone)]
pub struct OffboardRequest {
    /// `PERSON` as given.
    pub person: String,
    pub staff: PathBuf,
    pub inventory: Option<PathBuf>,
    /// `--yes`.
    pub carry_out: bool,
    /// `--revoke-in-use`.
    pub revoke_in_use: bool,
    /// `--nip` and `--max-actions`.
    pub bounds: ActionBounds,
    /// `--format`/`-o`/`--output-dir` resolved: a format and a file (`None`: stdout).
    pub outputs: Vec<(OffboardFormat, Option<PathBuf>)>,
    pub lang: Lang,
    pub quiet: bool,
    pub verbose: u8,
}

/// `ksef-audit offboard`: flags + config -> [`OffboardRequest`] -> [`offboard`].
pub fn run(global: &GlobalArgs, args: &OffboardArgs) -> Result<Outcome> {
    let config = crate::app::load_config(global, RuleDirs::NotRead)?;
    let Some(staff) = args.staff.clone().or_else(|| config.audit.staff.clone()) else {
        bail!(
            "offboard needs the staff list to know who PERSON is\nhelp: pass --staff staff.csv or set [audit] staff in the config"
        );
    };
    let staff_list = crate::inputs::staff::load_staff(&staff)?;
    let who = resolve(&args.person, &staff_list)
        .map_err(|e| anyhow::anyhow!("staff list '{}': {e}", ksef_model::shown_path(&staff)))?;
    let stem = format!(
        "offboard-{}-{}",
        file_part(&who.id),
        Utc::now().format("%Y-%m-%d")
    );
    let mut formats = args.outputs.format.clone();
    if args.outputs.output_dir.is_some() && formats.is_empty() {
        formats = vec![
            OffboardFormat::Text,
            OffboardFormat::Json,
            OffboardFormat::Html,
        ];
    }
    let outputs = crate::cli::choose_outputs(
        &formats,
        false,
        &args.outputs.output,
        args.outputs.output_dir.as_deref(),
        &stem,
        OffboardFormat::Text,
    )
    .map_err(anyhow::Error::msg)?;
    let mut nips = Vec::new();
    for n in &global.nips {
        nips.push(
            ksef_model::validate_nip(n)
                .map_err(|e| anyhow::anyhow!("--nip '{}': {e}", ksef_model::escape_terminal(n)))?,
        );
    }
    let request = OffboardRequest {
        person: args.person.clone(),
        staff,
        inventory: args
            .inventory
            .clone()
            .or_else(|| config.audit.inventory.clone()),
        carry_out: args.yes,
        revoke_in_use: args.revoke_in_use,
        bounds: ActionBounds {
            nips,
            max_actions: args.max_actions,
        },
        outputs,
        lang: crate::app::lang(args.lang.lang),
        quiet: global.quiet,
        verbose: global.verbose,
    };
    let settings = resolve_settings(&config)?;
    offboard(&request, &config, &settings)
}

/// The `offboard` pipeline: inputs, one listing of every context, the plan; with `--yes`
/// a fresh listing, the re-derived plan, the confirmation and the actions; the record.
pub fn offboard(
    req: &OffboardRequest,
    config: &Config,
    settings: &KsefSettings,
) -> Result<Outcome> {
    let staff = crate::inputs::staff::load_staff(&req.staff)?;
    let person = resolve(&req.person, &staff)
        .map_err(|e| anyhow::anyhow!("staff list '{}': {e}", ksef_model::shown_path(&req.staff)))?;
    let inventory = match &req.inventory {
        Some(p) => crate::inputs::inventory::read_inventory(p)?,
        None => Inventory::default(),
    };
    let world = World {
        config,
        settings,
        staff: &staff,
        person,
        inventory: &inventory,
    };
    let derived = world.derive(req, Utc::now());
    let mut record = world.record(req, &derived);
    if req.carry_out {
        carry_out(req, &world, &mut record)?;
        if !req.quiet {
            let count = |r: OffboardResult| record.actions.iter().filter(|a| a.result == r).count();
            let counts = (
                count(OffboardResult::Done),
                count(OffboardResult::Failed),
                count(OffboardResult::Left),
            );
            say!(
                "{}",
                ksef_model::i18n::stderr::offboard_done(req.lang, counts, record.access_gone_on)
            );
        }
    }
    write_outputs(req, &record)?;
    Ok(outcome(&record, req.carry_out))
}

/// What every derivation of the plan reads.
struct World<'a> {
    config: &'a Config,
    settings: &'a KsefSettings,
    staff: &'a [StaffMember],
    person: &'a StaffMember,
    inventory: &'a Inventory,
}

impl World<'_> {
    /// A listing of every context (now) and the plan derived from it.
    fn derive(&self, req: &OffboardRequest, now: DateTime<Utc>) -> Derived {
        let snapshot = crate::app::tokens::fetch(self.settings, req.quiet, req.verbose, req.lang);
        let certificate_nips: BTreeSet<String> = self
            .settings
            .contexts
            .iter()
            .filter(|c| matches!(c.credential, CredentialSource::Certificate(_)))
            .map(|c| c.nip.clone())
            .collect();
        let identities: BTreeMap<_, _> = snapshot
            .contexts
            .iter()
            .map(|c| (c.nip.clone(), auditor_identity(self.settings, c)))
            .collect();
        derive(&PlanInputs {
            snapshot: &snapshot,
            person: self.person,
            staff: self.staff,
            inventory: self.inventory,
            in_use_days: self.config.offboard.in_use_days,
            rotate_days: self.config.report.due_days.critical,
            now,
            certificate_nips: &certificate_nips,
            identities: &identities,
        })
    }

    fn record(&self, req: &OffboardRequest, derived: &Derived) -> OffboardRecord {
        OffboardRecord {
            schema_version: ksef_model::OFFBOARD_SCHEMA_VERSION,
            kind: ksef_model::OFFBOARD_KIND.into(),
            tool_version: ksef_model::TOOL_VERSION.into(),
            generated_at: Utc::now(),
            mode: if req.carry_out { "carried-out" } else { "plan" }.into(),
            performed_by: std::env::var("USER")
                .ok()
                .or_else(|| std::env::var("USERNAME").ok())
                .filter(|u| !u.trim().is_empty()),
            firm: self.config.firm.clone(),
            environment: self.settings.environment.recorded().label,
            person: OffboardPerson {
                staff_id: self.person.id.clone(),
                name: self.person.name.clone(),
                staff_status: match self.person.status {
                    StaffStatus::Active => "active",
                    StaffStatus::Left => "left",
                }
                .into(),
                left_on: self.person.left_on,
            },
            in_use_days: self.config.offboard.in_use_days,
            contexts: derived.contexts.clone(),
            actions: derived.items.clone(),
            access_gone_on: None,
        }
    }
}

/// The identity of an action: kind, NIP and key.
fn key(item: &OffboardItem) -> (OffboardKind, String, String) {
    let k = item
        .reference_number
        .as_ref()
        .or(item.grant_id.as_ref())
        .or(item.certificate_serial.as_ref())
        .cloned()
        .unwrap_or_default();
    (item.kind, item.nip.clone(), k)
}

/// `--yes`: the plan shown is re-derived from a fresh listing; only an action both agree
/// on is taken (and only within `--nip`), after the confirmation.
fn carry_out(req: &OffboardRequest, world: &World, record: &mut OffboardRecord) -> Result<()> {
    let fresh = world.derive(req, Utc::now());
    let live: BTreeMap<_, _> = fresh.items.iter().map(|i| (key(i), i)).collect();
    let wanted = |i: &OffboardItem| match i.action {
        OffboardAction::Revoke | OffboardAction::Remove => true,
        OffboardAction::RotateThenRevoke => req.revoke_in_use,
        OffboardAction::OwnerRevokes | OffboardAction::Keep => false,
    };
    let mut tokens = Vec::new();
    let mut grants = Vec::new();
    for item in record.actions.iter_mut().filter(|i| wanted(i)) {
        let agreed = live
            .get(&key(item))
            .is_some_and(|l| l.action == item.action);
        if !req.bounds.in_scope(&item.nip) {
            item.result = OffboardResult::Left;
            item.note = "outside --nip: left alone".into();
        } else if !agreed {
            item.result = OffboardResult::Failed;
            item.note = "re-read in KSeF before acting, it is no longer what the plan said (already gone, or changed); nothing was done".into();
        } else if let Some(g) = fresh
            .grants
            .iter()
            .find(|(n, g)| n == &item.nip && Some(&g.id) == item.grant_id.as_ref())
        {
            grants.push(g.clone());
        } else if let Some(r) = &item.reference_number {
            tokens.push((item.nip.clone(), r.clone()));
        }
    }
    for item in record.actions.iter_mut() {
        if item.result == OffboardResult::Planned && !wanted(item) {
            item.result = OffboardResult::Left;
        }
    }
    let plan = Plan {
        grants: grants
            .iter()
            .map(|(n, g)| (n.clone(), g.id.clone()))
            .collect(),
        tokens: tokens.clone(),
        person: Some(world.person.id.clone()),
        lang: req.lang,
    };
    if !req.quiet && !plan.is_empty() {
        say!(
            "{}",
            ksef_model::i18n::commands::text(
                req.lang,
                "offboard_about",
                &[("phrase", &plan.phrase())]
            )
        );
        let text = ksef_model::i18n::commands::text;
        for (nip, reference) in &plan.tokens {
            let args: [(&str, &dyn std::fmt::Display); 2] = [("nip", nip), ("key", reference)];
            say!("{}", text(req.lang, "offboard_plan_token", &args));
        }
        for (nip, grant) in &grants {
            let args: [(&str, &dyn std::fmt::Display); 3] = [
                ("nip", nip),
                ("key", &grant.id),
                ("permission", &grant.scope),
            ];
            say!("{}", text(req.lang, "offboard_plan_grant", &args));
        }
    }
    confirm(&plan, &req.bounds)?;
    let mut results: BTreeMap<(OffboardKind, String, String), Result<String, String>> =
        BTreeMap::new();
    for o in revoke_tokens(world.settings, &tokens) {
        results.insert(
            (OffboardKind::Token, o.nip, o.reference),
            o.result.map(|()| String::new()),
        );
    }
    for o in revoke_grants(world.settings, &grants) {
        results.insert((OffboardKind::Grant, o.nip, o.grant_id), o.result);
    }
    let mut any_done = false;
    for item in record.actions.iter_mut() {
        match results.remove(&key(item)) {
            Some(Ok(operation)) => {
                any_done = true;
                item.result = OffboardResult::Done;
                if !operation.is_empty() {
                    item.note = format!("removed (KSeF operation {operation})");
                }
            }
            Some(Err(reason)) => {
                item.result = OffboardResult::Failed;
                item.note = ksef_leaks::redact::redact_text(&reason).into_owned();
            }
            None => {}
        }
    }
    let done_at = Utc::now();
    record.generated_at = done_at;
    if any_done {
        record.access_gone_on = Some(ksef_model::access_gone_on(done_at));
    }
    Ok(())
}

/// Dry run: 2 when a context could not be read, 1 when anything is left to do, else 0.
/// `--yes`: 0 when everything planned was done (in-use tokens left for rotation and
/// owner-only certificates are not failures), 2 otherwise.
pub fn outcome(record: &OffboardRecord, carried_out: bool) -> Outcome {
    if !record.complete() {
        return Outcome::Incomplete;
    }
    if carried_out {
        let failed = record
            .actions
            .iter()
            .any(|a| a.result == OffboardResult::Failed);
        return if failed {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        };
    }
    if record.open().next().is_some() {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn write_outputs(req: &OffboardRequest, record: &OffboardRecord) -> Result<()> {
    for (format, path) in &req.outputs {
        let text = render_record(record, *format, req.lang)?;
        let mut out = crate::app::output::Output::open(path.as_deref())?;
        use std::io::Write as _;
        out.write_all(text.as_bytes())?;
        out.flush()?;
        if let (Some(p), false) = (path, req.quiet) {
            say!(
                "{} {}",
                req.lang.t("record written to", "zapis w pliku"),
                ksef_model::shown_path(p)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(statuses: &[&str], results: &[OffboardResult]) -> OffboardRecord {
        let json = serde_json::json!({
            "schema_version": 1, "kind": "ksef-audit/offboard", "tool_version": "0",
            "generated_at": "2026-12-06T23:00:00Z", "mode": "plan", "environment": "test",
            "person": {"staff_id": "jan", "staff_status": "left"}, "in_use_days": 30,
            "contexts": statuses.iter().map(|s| serde_json::json!({
                "nip": "5265877635", "status": s, "signed_in_with": "token"})).collect::<Vec<_>>(),
            "actions": results.iter().map(|r| serde_json::json!({
                "kind": "token", "nip": "5265877635", "reference_number": "R",
                "permission": "InvoiceRead", "action": "revoke", "result": r,
                "who_can": "x"})).collect::<Vec<_>>(),
        });
        serde_json::from_value(json).expect("record")
    }

    #[test]
    fn exit_codes_follow_the_issue() {
        use OffboardResult::*;
        // Dry run: 0 nothing left, 1 something left, 2 a context unread.
        assert_eq!(outcome(&record(&["complete"], &[]), false), Outcome::Clean);
        assert_eq!(
            outcome(&record(&["complete"], &[Planned]), false),
            Outcome::Findings
        );
        assert_eq!(
            outcome(&record(&["complete", "incomplete"], &[]), false),
            Outcome::Incomplete
        );
        // --yes: 0 when everything planned was done (left items are not failures), else 2.
        assert_eq!(
            outcome(&record(&["complete"], &[Done, Left]), true),
            Outcome::Clean
        );
        assert_eq!(
            outcome(&record(&["complete"], &[Done, Failed]), true),
            Outcome::Incomplete
        );
        assert_eq!(
            outcome(&record(&["incomplete"], &[Done]), true),
            Outcome::Incomplete
        );
    }
}
