//! The demo's audit step.

use super::{AuditInputPaths, AuditOutput, AuditRequest, audit_snapshot, render};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::ColorChoice;
use crate::config::Config;
use ksef_model::AuditResults;
use ksef_model::TokenSnapshot;
use ksef_model::fingerprint_hex;
use ksef_model::i18n::Lang;

/// The demo's audit step: writes the example firm's inventory, staff list and
/// exceptions next to the snapshot, audits the snapshot with them, and writes the
/// results as text and JSON. Returns the results and the files written, each with the key of
/// its message in [`ksef_model::i18n::commands`].
pub fn demo_audit(
    out_dir: &Path,
    snapshot: &TokenSnapshot,
    fixture: &ksef_sim::Fixture,
) -> Result<(AuditResults, Vec<(&'static str, PathBuf)>)> {
    let now = snapshot.fetched_at;
    let records = crate::demo::demo_records(fixture, now);
    let mut outputs = Vec::new();
    let mut write = |name: &str, what: &'static str, text: &[u8]| -> Result<PathBuf> {
        let path = out_dir.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&path)))?;
        outputs.push((what, path.clone()));
        Ok(path)
    };
    let inventory = write(
        "inventory.csv",
        "demo_out_inventory",
        records.inventory_csv.as_bytes(),
    )?;
    let staff = write("staff.csv", "demo_out_staff", records.staff_csv.as_bytes())?;
    let exceptions = write(
        "ksef-audit.exceptions.toml",
        "demo_out_exceptions",
        records.exceptions_toml.as_bytes(),
    )?;
    // The register is an input of the audit, not one of the demo's listed outputs.
    let register = out_dir.join("access-register.csv");
    std::fs::write(&register, records.access_register_csv.as_bytes())
        .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&register)))?;
    let config = Config::default();
    let request = AuditRequest {
        inputs: AuditInputPaths {
            inventory: Some(inventory),
            staff: Some(staff),
            exceptions: Some(exceptions),
            baseline: None,
            access_register: Some(register),
        },
        rules: config.policy_rules(None)?,
        fail_on: config.audit.fail_on,
        fail_on_new: false,
        exit_zero: false,
        now: None,
        nips: Vec::new(),
        firm: Some(crate::demo::DEMO_FIRM_NAME.to_string()),
        outputs: vec![(AuditOutput::Json, None)],
        group_by: None,
        expand: false,
        token_last_issuance: config.audit.token_last_issuance,
        color: ColorChoice::Never,
        quiet: true,
        verbose: 0,
        known_parties: crate::demo::demo_known_parties(),
        min_severity: None,
        lang: Lang::En,
        message_lang: Lang::En,
    };
    let digest = fingerprint_hex(&serde_json::to_vec(snapshot)?);
    let run = audit_snapshot(&request, snapshot.clone(), Some(digest))?;
    let mut json = Vec::new();
    render(&run.results, &AuditOutput::Json, &mut json)?;
    write("audit.json", "demo_out_audit_json", &json)?;
    let mut text = Vec::new();
    render(&run.results, &AuditOutput::Text, &mut text)?;
    write("audit.txt", "demo_out_audit_text", &text)?;
    Ok((run.results, outputs))
}
