//! `ksef-audit audit`: tokens × inventory × staff × rules -> findings.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};

use super::Output;
use crate::cli::{AuditArgs, AuditFormat, GlobalArgs};
use crate::collect::exceptions::{DEFAULT_EXCEPTIONS_FILE, load_exceptions};
use crate::collect::inventory::{Inventory, read_inventory};
use crate::collect::results::{load_audit_results, load_token_snapshot};
use crate::collect::staff::load_staff;
use crate::config::LoadedConfig;
use crate::error::Outcome;
use crate::evaluate::audit::{AuditSettings, outcome, run_audit};
use crate::evaluate::exceptions::ExceptionSet;
use crate::evaluate::policy::AuditWorld;
use crate::model::{AuditResults, Severity, TokenSnapshot, fingerprint_hex, validate_nip};
use crate::render::audit::{CsvOptions, TextOptions, render_csv, render_json, render_text};
use crate::rule::policy::{PolicyRuleSet, load_policy_rules};

/// Parses `--now`: RFC 3339, or a date (midnight UTC).
pub fn parse_now(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    bail!(
        "--now '{s}' is not a time\nhelp: use RFC 3339 (2026-01-15T12:00:00Z) or a date (2026-01-15)"
    )
}

/// Reads a `tokens --format json` snapshot (the one reader in `collect::results`).
pub fn read_snapshot(path: &Path) -> Result<(TokenSnapshot, String)> {
    let l = load_token_snapshot(path, "from")?;
    Ok((l.value, l.digest))
}

/// Reads earlier audit results for `--baseline` (the one reader in `collect::results`).
pub fn read_baseline(path: &Path) -> Result<AuditResults> {
    Ok(load_audit_results(path, "baseline")?.value)
}

/// Loads the policy rules with `--rules DIR` and the config's `[rules.<name>]` overrides.
pub fn load_rules(extra: Option<&Path>, config: &LoadedConfig) -> Result<PolicyRuleSet> {
    let mut rules = load_policy_rules(extra)?;
    rules.apply_overrides(&config.raw.rules, &super::rules::is_leak_rule_name)?;
    Ok(rules)
}

fn pick(flag: Option<&PathBuf>, config: Option<&PathBuf>, cfg: &LoadedConfig) -> Option<PathBuf> {
    flag.cloned().or_else(|| config.map(|p| cfg.resolve(p)))
}

/// Everything a finished audit run produced.
pub struct AuditRun {
    pub results: AuditResults,
    pub fail_on: Severity,
    /// The staff list (the HTML report names token authors with it).
    pub staff: Vec<crate::model::StaffMember>,
}

/// Runs the audit on a snapshot with the inputs named by `args` (or the config).
pub fn audit_snapshot(
    args: &AuditArgs,
    global: &GlobalArgs,
    config: &LoadedConfig,
    snapshot: TokenSnapshot,
    snapshot_digest: Option<String>,
) -> Result<AuditRun> {
    let audit_cfg = &config.raw.audit;
    let fail_on = match (args.fail_on, audit_cfg.fail_on.as_deref()) {
        (Some(s), _) => s,
        (None, Some(s)) => s.parse::<Severity>().map_err(|e| {
            anyhow::anyhow!(
                "config{}: [audit] fail-on: {e}",
                config
                    .path
                    .as_deref()
                    .map(|p| format!(" '{}'", p.display()))
                    .unwrap_or_default()
            )
        })?,
        (None, None) => Severity::High,
    };
    let rules = load_rules(args.rules.as_deref(), config)?;
    let mut snapshot = snapshot;
    if !global.nips.is_empty() {
        let mut wanted = Vec::new();
        for n in &global.nips {
            wanted.push(validate_nip(n).map_err(|e| anyhow::anyhow!("--nip '{n}': {e}"))?);
        }
        snapshot.contexts.retain(|c| wanted.contains(&c.nip));
        for n in &wanted {
            if !snapshot.contexts.iter().any(|c| &c.nip == n) {
                bail!("--nip {n}: the snapshot has no such context");
            }
        }
    }
    let now = match &args.now {
        Some(s) => parse_now(s)?,
        None => snapshot.fetched_at,
    };
    let mut digests = BTreeMap::new();
    if let Some(d) = snapshot_digest {
        digests.insert("snapshot".to_string(), d);
    }
    let inventory_path = pick(
        args.inventory.as_ref(),
        audit_cfg.inventory.as_ref(),
        config,
    );
    let mut warnings = Vec::new();
    let inventory = match &inventory_path {
        Some(p) => {
            let inv = read_inventory(p)?;
            digests.insert("inventory".into(), inv.digest.clone());
            inv
        }
        None => {
            warnings.push(
                "no inventory given: every Active token is reported as untracked\nhelp: pass --inventory FILE or set [audit] inventory in the config".to_string(),
            );
            Inventory::default()
        }
    };
    let staff = match pick(args.staff.as_ref(), audit_cfg.staff.as_ref(), config) {
        Some(p) => {
            let bytes = std::fs::read(&p).ok();
            let staff = load_staff(&p)?;
            if let Some(b) = bytes {
                digests.insert("staff".into(), fingerprint_hex(&b));
            }
            staff
        }
        None => Vec::new(),
    };
    let exceptions_path = pick(
        args.exceptions.as_ref(),
        audit_cfg.exceptions.as_ref(),
        config,
    )
    .or_else(|| {
        let default = config.base_dir().join(DEFAULT_EXCEPTIONS_FILE);
        default.exists().then_some(default)
    });
    let exceptions = match &exceptions_path {
        Some(p) => {
            let entries = load_exceptions(p)?;
            if let Ok(b) = std::fs::read(p) {
                digests.insert("exceptions".into(), fingerprint_hex(&b));
            }
            Some(ExceptionSet::new(entries, now.date_naive()))
        }
        None => None,
    };
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
    };
    let mut results = run_audit(
        &world,
        AuditSettings {
            rules: &rules,
            exceptions,
            baseline: baseline.as_ref(),
            firm: config.raw.firm.clone(),
            input_digests: digests,
            generated_at: now,
        },
    );
    warnings.append(&mut results.warnings);
    results.warnings = warnings;
    Ok(AuditRun {
        results,
        fail_on,
        staff,
    })
}

/// Writes the results in `format` to `out`.
pub fn render(
    results: &AuditResults,
    format: AuditFormat,
    csv_excel: bool,
    out: &mut dyn Write,
) -> Result<()> {
    match (format, csv_excel) {
        (_, true) | (AuditFormat::Csv, false) => {
            render_csv(results, CsvOptions { excel: csv_excel }, out)?
        }
        (AuditFormat::Json, false) => render_json(results, out)?,
        (AuditFormat::Text, false) => render_text(
            results,
            TextOptions {
                baseline: results.findings.iter().any(|f| f.baseline.is_some()),
            },
            out,
        )?,
        (AuditFormat::Html, false) => bail!(
            "the HTML review needs the config and staff list: use `ksef-audit audit --format html`"
        ),
    }
    Ok(())
}

/// `ksef-audit audit`.
pub fn run(args: &AuditArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = crate::config::load(global.config.as_deref())?;
    let report_options = if args.format == AuditFormat::Html && !args.csv_excel {
        // Checked before any work: a bad [report] section fails fast.
        Some(super::report::options_from_config(&config)?)
    } else {
        None
    };
    let (snapshot, digest) = match &args.from {
        Some(from) => read_snapshot(from)?,
        None => {
            let settings = crate::config::resolve_settings(global, &config)?;
            let snapshot = super::tokens::fetch(&settings, global.quiet, global.verbose);
            let digest = fingerprint_hex(&serde_json::to_vec(&snapshot)?);
            (snapshot, digest)
        }
    };
    let run = audit_snapshot(args, global, &config, snapshot, Some(digest))?;
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let mut out = Output::open(output)?;
    match report_options {
        Some(mut opts) => {
            opts.now = Some(run.results.generated_at);
            opts.input_digests = run
                .results
                .digests
                .inputs
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let input = crate::render::html::ReportInput {
                audit: Some(run.results.clone()),
                staff: run.staff.clone(),
                facts: crate::evaluate::posture::report_facts(
                    Some(&run.results),
                    None,
                    &[],
                    opts.due_days,
                    &crate::evaluate::posture::report_sections(&load_rules(
                        args.rules.as_deref(),
                        &config,
                    )?),
                    run.results.generated_at,
                ),
                ..Default::default()
            };
            let html = crate::render::html::render_review(&input, &opts)?;
            out.write_all(html.as_bytes())?;
        }
        None => render(&run.results, args.format, args.csv_excel, &mut out)?,
    }
    out.flush()?;
    // Text on the terminal already shows the warnings.
    let text_on_stdout = args.format == AuditFormat::Text && !args.csv_excel && output.is_none();
    if !global.quiet && !text_on_stdout {
        let mut err = std::io::stderr().lock();
        for w in &run.results.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
    }
    Ok(outcome(&run.results, run.fail_on, args.fail_on_new).with_exit_zero(args.exit_zero))
}

/// The demo's audit step: writes the example firm's inventory, staff list and
/// exceptions next to the snapshot, audits the snapshot with them, and writes the
/// results as text and JSON. Returns the results and the files written.
pub fn demo_audit(
    out_dir: &Path,
    snapshot: &TokenSnapshot,
    fixture: &crate::simulator::Fixture,
) -> Result<(AuditResults, Vec<(String, PathBuf)>)> {
    let now = snapshot.fetched_at;
    let records = crate::demo::demo_records(fixture, now);
    let mut outputs = Vec::new();
    let mut write = |name: &str, what: &str, text: &[u8]| -> Result<PathBuf> {
        let path = out_dir.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write '{}'", path.display()))?;
        outputs.push((what.to_string(), path.clone()));
        Ok(path)
    };
    let inventory = write(
        "inventory.csv",
        "token inventory (CSV)",
        records.inventory_csv.as_bytes(),
    )?;
    let staff = write(
        "staff.csv",
        "staff list (CSV)",
        records.staff_csv.as_bytes(),
    )?;
    let exceptions = write(
        "ksef-audit.exceptions.toml",
        "exceptions",
        records.exceptions_toml.as_bytes(),
    )?;
    let args = AuditArgs {
        from: None,
        inventory: Some(inventory),
        staff: Some(staff),
        exceptions: Some(exceptions),
        rules: None,
        format: AuditFormat::Json,
        output: None,
        csv_excel: false,
        fail_on: None,
        exit_zero: false,
        baseline: None,
        fail_on_new: false,
        now: None,
    };
    let global = GlobalArgs {
        config: None,
        env: None,
        nips: Vec::new(),
        quiet: true,
        verbose: 0,
    };
    let digest = fingerprint_hex(&serde_json::to_vec(snapshot)?);
    let run = audit_snapshot(
        &args,
        &global,
        &LoadedConfig::default(),
        snapshot.clone(),
        Some(digest),
    )?;
    let mut json = Vec::new();
    render(&run.results, AuditFormat::Json, false, &mut json)?;
    write("audit.json", "audit results (JSON)", &json)?;
    let mut text = Vec::new();
    render(&run.results, AuditFormat::Text, false, &mut text)?;
    write("audit.txt", "audit results (text)", &text)?;
    Ok((run.results, outputs))
}
