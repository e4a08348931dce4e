//! `ksef-audit audit`: tokens × inventory × staff × rules -> findings.
//!
//! [`run`] turns the flags and the [`Config`] into an [`AuditRequest`] and calls
//! [`audit`]. The inventory, staff list, exceptions and baseline are read and checked
//! before the first KSeF call (`inputs.rs`); `evaluate.rs` runs the policy rules,
//! `outputs.rs` writes the results, `demo.rs` is the demo's audit step.

mod demo;
mod evaluate;
mod inputs;
mod outputs;

pub use demo::demo_audit;
pub use evaluate::{AuditRun, audit_snapshot};
pub use inputs::{AuditInputPaths, read_snapshot};
pub use outputs::{AuditOutput, grouping, render, render_in, urgent_lines};

use evaluate::evaluate;
use inputs::read_inputs;
use outputs::{outputs_from, write_output};

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, Utc};

use crate::app::tokens::TokenSource;
use crate::cli::AuditArgs;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use crate::inputs::exceptions::DEFAULT_EXCEPTIONS_FILE;
use crate::render::audit::Grouping;
use ksef_model::KnownParty;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_model::fingerprint_hex;
use ksef_model::i18n::Lang;
use ksef_model::validate_nip;
use ksef_policy::audit::outcome;
use ksef_policy::rule::PolicyRuleSet;

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

/// Everything one audit needs, without clap types.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    pub inputs: AuditInputPaths,
    /// Policy rules with the config's overrides applied.
    pub rules: PolicyRuleSet,
    pub fail_on: Severity,
    pub fail_on_new: bool,
    pub exit_zero: bool,
    /// Judge ages against this moment (default: the snapshot's fetch time).
    pub now: Option<DateTime<Utc>>,
    /// Only these contexts (valid NIPs; empty: all).
    pub nips: Vec<String>,
    pub firm: Option<String>,
    /// Every output of the run (one fetch for all): a format and a file (`None`: stdout).
    pub outputs: Vec<(AuditOutput, Option<PathBuf>)>,
    /// `--group-by`: text output grouped by rule, client or owner.
    pub group_by: Option<Grouping>,
    /// `--expand`: text lists every finding in its own block instead of the items.
    pub expand: bool,
    /// `[audit] token-last-issuance`: after it, advice moves integrations to certificates.
    pub token_last_issuance: chrono::NaiveDate,
    /// `--color`.
    pub color: ColorChoice,
    pub quiet: bool,
    pub verbose: u8,
    /// The config's `[[known-parties]]`.
    pub known_parties: Vec<KnownParty>,
    /// `--min-severity`: text and CSV show only findings at or above it.
    pub min_severity: Option<Severity>,
    /// `--lang`: language of the text summary, CSV headers and values, finding texts.
    pub lang: Lang,
    /// Language of the messages on stderr: `--lang`, else `[report] lang`.
    pub message_lang: Lang,
}

impl AuditRequest {
    /// The request `audit` flags and the config describe (flags win over the config).
    pub fn new(args: &AuditArgs, global: &GlobalArgs, config: &Config) -> Result<AuditRequest> {
        let pick = |flag: &Option<PathBuf>, configured: &Option<PathBuf>| {
            flag.clone().or_else(|| configured.clone())
        };
        let exceptions = pick(&args.exceptions, &config.audit.exceptions).or_else(|| {
            let default = config.base_dir().join(DEFAULT_EXCEPTIONS_FILE);
            default.exists().then_some(default)
        });
        let outputs = outputs_from(args, config)?;
        let mut nips = Vec::new();
        for n in &global.nips {
            nips.push(validate_nip(n).map_err(|e| anyhow::anyhow!("--nip '{n}': {e}"))?);
        }
        Ok(AuditRequest {
            inputs: AuditInputPaths {
                inventory: pick(&args.inventory, &config.audit.inventory),
                staff: pick(&args.staff, &config.audit.staff),
                exceptions,
                baseline: args.baseline.clone(),
                access_register: pick(&args.access_register, &config.audit.access_register),
            },
            rules: config.policy_rules(args.rules.as_deref())?,
            fail_on: args.fail_on.unwrap_or(config.audit.fail_on),
            fail_on_new: args.fail_on_new,
            exit_zero: args.exit_zero,
            now: args.now.as_deref().map(parse_now).transpose()?,
            nips,
            firm: config.firm.clone(),
            outputs,
            group_by: args.group_by.map(grouping),
            expand: args.expand,
            token_last_issuance: config.audit.token_last_issuance,
            color: global.color,
            quiet: global.quiet,
            verbose: global.verbose,
            known_parties: config.known_parties.clone(),
            min_severity: args.min_severity,
            lang: crate::app::lang(args.lang.lang),
            message_lang: crate::app::messages::message_lang(args.lang.lang, Some(config)),
        })
    }
}

/// `ksef-audit audit`: flags + config -> [`AuditRequest`] -> [`audit`].
pub fn run(args: &AuditArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = crate::app::load_config(global, RuleDirs::Read(args.rules.clone()))?;
    let request = AuditRequest::new(args, global, &config)?;
    let source = match &args.from {
        Some(from) => TokenSource::Snapshot(from.clone()),
        None => TokenSource::Live(resolve_settings(&config)?),
    };
    audit(&request, &source)
}

/// The `audit` pipeline: inputs first (a bad staff list never costs a KSeF call),
/// then the tokens, the rules, the output and the outcome.
pub fn audit(req: &AuditRequest, source: &TokenSource) -> Result<Outcome> {
    let (snapshot, digest, inputs) = match source {
        TokenSource::Snapshot(from) => {
            let (snapshot, digest) = read_snapshot(from)?;
            (snapshot, digest, read_inputs(&req.inputs)?)
        }
        TokenSource::Live(settings) => {
            let inputs = read_inputs(&req.inputs)?;
            let snapshot =
                crate::app::tokens::fetch(settings, req.quiet, req.verbose, req.message_lang);
            let digest = fingerprint_hex(&serde_json::to_vec(&snapshot)?);
            (snapshot, digest, inputs)
        }
    };
    let run = evaluate(req, inputs, snapshot, Some(digest))?;
    let mut hidden = None;
    for (output, path) in &req.outputs {
        if let Some(n) = write_output(req, &run, output, path.as_deref())? {
            hidden = Some(n);
        }
        if let (Some(p), false, true) = (path, req.quiet, req.outputs.len() > 1) {
            say!(
                "{} {}",
                req.message_lang.t("written to", "zapisano w pliku"),
                ksef_model::shown_path(p)
            );
        }
    }
    let lang = req.message_lang;
    if let (Some((n, min)), false) = (hidden, req.quiet) {
        crate::app::messages::say_hidden(lang, n, min);
    }
    // Warnings and the reason for an exit 2 go to stderr whatever the format (the text on
    // stdout shows them too, but `2>err.txt` must hold them); -q keeps only the reasons.
    let mut err = crate::app::output::stderr();
    if !req.quiet {
        for w in &run.results.warnings {
            let _ = writeln!(err, "{}", ksef_model::i18n::stderr::warning(lang, w));
        }
    }
    let _ = crate::app::messages::write_incomplete(&mut err, lang, &run.results.contexts);
    Ok(outcome(&run.results, run.fail_on, req.fail_on_new).with_exit_zero(req.exit_zero))
}
