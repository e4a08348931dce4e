//! `ksef-audit audit`: tokens × inventory × staff × rules -> findings.
//!
//! [`run`] turns the flags and the [`Config`] into an [`AuditRequest`] and calls
//! [`audit`]. The inventory, staff list, exceptions and baseline are read and checked
//! before the first KSeF call ([`read_inputs`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};

use crate::app::Output;
use crate::app::tokens::TokenSource;
use crate::cli::AuditArgs;
use crate::cli::AuditFormat;
use crate::cli::ColorChoice;
use crate::cli::GlobalArgs;
use crate::cli::GroupBy;
use crate::inputs::access_register::load_access_register;
use crate::inputs::exceptions::DEFAULT_EXCEPTIONS_FILE;
use crate::inputs::exceptions::ExceptionEntry;
use crate::inputs::exceptions::load_exceptions;
use crate::inputs::inventory::Inventory;
use crate::inputs::inventory::read_inventory;
use crate::inputs::results::load_audit_results;
use crate::inputs::results::load_token_snapshot;
use crate::inputs::staff::load_staff;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use ksef_model::Outcome;
use ksef_policy::audit::AuditSettings;
use ksef_policy::audit::outcome;
use ksef_policy::audit::run_audit;
use ksef_policy::exceptions::ExceptionSet;
use ksef_policy::evaluate::AuditWorld;
use ksef_policy::posture::report_rules;
use ksef_model::ReportRules;
use ksef_model::AccessRegister;
use ksef_model::AuditResults;
use ksef_model::KnownParty;
use ksef_model::Severity;
use ksef_model::StaffMember;
use ksef_model::TokenSnapshot;
use ksef_model::fingerprint_hex;
use ksef_model::validate_nip;
use ksef_model::i18n::Lang;
use crate::render::audit::CsvOptions;
use crate::render::audit::Grouping;
use crate::render::audit::TextOptions;
use crate::render::audit::render_csv;
use crate::render::audit::render_json;
use crate::render::audit::render_text;
use crate::render::html::DueDays;
use crate::render::html::ReportInput;
use crate::render::html::ReportOptions;
use crate::render::html::Urgent;
use crate::render::html::urgent_facts;
use crate::render::style::Style;
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

/// Reads a `tokens --format json` snapshot (the one reader in `collect::results`).
pub fn read_snapshot(path: &Path) -> Result<(TokenSnapshot, String)> {
    let l = load_token_snapshot(path, "from")?;
    Ok((l.value, l.digest))
}

/// Reads earlier audit results for `--baseline` (the one reader in `collect::results`).
pub fn read_baseline(path: &Path) -> Result<AuditResults> {
    Ok(load_audit_results(path, "baseline")?.value)
}

/// How the audit results are written.
#[derive(Debug, Clone)]
pub enum AuditOutput {
    Text,
    Json,
    /// `excel`: `;`, UTF-8 BOM (`--csv-excel`).
    Csv {
        excel: bool,
    },
    /// The security review, with the options of `[report]`.
    Html(Box<ReportOptions>),
}

/// The files an audit reads besides the tokens (already resolved: flag, else config).
#[derive(Debug, Clone, Default)]
pub struct AuditInputPaths {
    pub inventory: Option<PathBuf>,
    pub staff: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    /// Earlier `audit --format json` results.
    pub baseline: Option<PathBuf>,
    /// The approved access register of permission grants.
    pub access_register: Option<PathBuf>,
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
        let chosen = crate::cli::choose_outputs(
            &args.outputs.format,
            args.csv_excel.csv_excel,
            &args.outputs.output,
            args.outputs.output_dir.as_deref(),
            "audit",
            AuditFormat::Text,
        )
        .map_err(anyhow::Error::msg)?;
        let outputs = chosen
            .into_iter()
            .map(|(format, path)| {
                let output = match format {
                    AuditFormat::Csv => AuditOutput::Csv {
                        excel: args.csv_excel.csv_excel,
                    },
                    AuditFormat::Json => AuditOutput::Json,
                    AuditFormat::Text => AuditOutput::Text,
                    AuditFormat::Html => {
                        let mut opts = crate::app::report::options_from_config(config);
                        if args.lang.lang.is_some() {
                            opts.lang = crate::app::lang(args.lang.lang);
                        }
                        AuditOutput::Html(Box::new(opts))
                    }
                };
                (output, path)
            })
            .collect();
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

/// The audit's inputs besides the tokens, read and checked.
pub struct AuditInputs {
    pub inventory: Inventory,
    pub staff: Vec<StaffMember>,
    pub exceptions: Option<Vec<ExceptionEntry>>,
    pub baseline: Option<AuditResults>,
    pub access_register: Option<AccessRegister>,
    /// Input name -> SHA-256.
    pub digests: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

/// Reads the inventory, staff list, exceptions and baseline; any problem fails here,
/// before tokens are fetched.
pub fn read_inputs(paths: &AuditInputPaths) -> Result<AuditInputs> {
    let mut digests = BTreeMap::new();
    let mut warnings = Vec::new();
    let inventory = match &paths.inventory {
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
    let staff = match &paths.staff {
        Some(p) => {
            let staff = load_staff(p)?;
            let bytes = ksef_model::input::read_limited(p, ksef_model::input::MAX_TABLE_BYTES);
            if let Ok(b) = bytes {
                digests.insert("staff".into(), fingerprint_hex(&b));
            }
            staff
        }
        None => Vec::new(),
    };
    let exceptions = match &paths.exceptions {
        Some(p) => {
            let entries = load_exceptions(p)?;
            if let Ok(b) = ksef_model::input::read_limited(p, ksef_model::input::MAX_TOML_BYTES)
            {
                digests.insert("exceptions".into(), fingerprint_hex(&b));
            }
            Some(entries)
        }
        None => None,
    };
    let baseline = paths.baseline.as_deref().map(read_baseline).transpose()?;
    let access_register = match &paths.access_register {
        Some(p) => {
            let register = load_access_register(p)?;
            digests.insert("access-register".into(), register.digest.clone());
            Some(register)
        }
        None => None,
    };
    Ok(AuditInputs {
        inventory,
        staff,
        exceptions,
        baseline,
        access_register,
        digests,
        warnings,
    })
}

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
pub fn evaluate(
    req: &AuditRequest,
    inputs: AuditInputs,
    snapshot: TokenSnapshot,
    snapshot_digest: Option<String>,
) -> Result<AuditRun> {
    let mut snapshot = snapshot;
    if !req.nips.is_empty() {
        snapshot.contexts.retain(|c| req.nips.contains(&c.nip));
        for n in &req.nips {
            if !snapshot.contexts.iter().any(|c| &c.nip == n) {
                bail!("--nip {n}: the snapshot has no such context");
            }
        }
    }
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
    // One exceptions file serves audit and leaks: the leak rules' exceptions are not ours.
    let exceptions = match exceptions {
        Some(entries) => {
            let leak_rules = ksef_rules::leak::load_leak_rules(None)?;
            let is_leak_rule = |r: &str| {
                leak_rules
                    .iter()
                    .any(|l| l.name.eq_ignore_ascii_case(r) || l.id.eq_ignore_ascii_case(r))
            };
            Some(ExceptionSet::new(entries, now.date_naive()).without_rules(is_leak_rule))
        }
        None => None,
    };
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
        known_parties: &req.known_parties,
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

/// Writes the results as text, JSON or CSV to `out` in English (HTML: [`write_results`]).
pub fn render(results: &AuditResults, output: &AuditOutput, out: &mut dyn Write) -> Result<()> {
    render_in(results, output, Lang::En, out)
}

/// [`render`] in `lang` (text summary, CSV headers, values and finding texts).
pub fn render_in(
    results: &AuditResults,
    output: &AuditOutput,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<()> {
    let view = TextView {
        lang,
        ..TextView::default()
    };
    let rules = report_rules(&ksef_policy::rule::load_policy_rules(None)?);
    render_with(results, output, view, &rules, out)
}

/// How the text output looks: grouping, colour and language.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextView {
    pub group_by: Option<Grouping>,
    pub style: Style,
    pub lang: Lang,
}

/// [`render`] with the text grouped, coloured and in the language `view` says (CSV takes
/// its language from `view` too).
/// The text leads with the reports' "Act now" facts; `rules` give their rule titles.
pub fn render_with(
    results: &AuditResults,
    output: &AuditOutput,
    view: TextView,
    rules: &ReportRules,
    out: &mut dyn Write,
) -> Result<()> {
    match output {
        AuditOutput::Csv { excel } => render_csv(results, CsvOptions::new(*excel, view.lang), out)?,
        AuditOutput::Json => render_json(results, out)?,
        AuditOutput::Text => render_text(
            results,
            TextOptions {
                baseline: results.findings.iter().any(|f| f.baseline.is_some())
                    || !results.fixed.is_empty(),
                group_by: view.group_by,
                style: view.style,
                lang: view.lang,
            },
            &urgent_lines(results, None, rules, view.lang),
            out,
        )?,
        AuditOutput::Html(_) => bail!(
            "the HTML review needs the config and staff list: use `ksef-audit audit --format html`"
        ),
    }
    Ok(())
}

/// The reports' "Act now" facts of `results` and, when given, a leak scan: they lead the
/// audit text (without leaks: those lead `leaks` itself) and the demo's summary.
pub fn urgent_lines(
    results: &AuditResults,
    leaks: Option<&ksef_model::LeakResults>,
    rules: &ReportRules,
    lang: Lang,
) -> Vec<Urgent> {
    let input = ReportInput {
        audit: Some(results.clone()),
        leaks: leaks.cloned(),
        ..ReportInput::default()
    };
    let input = crate::app::report::with_facts(input, DueDays::default(), rules, results.generated_at);
    urgent_facts(&input, lang)
}

/// The text layout's grouping for `--group-by` (`audit` and `leaks`).
pub fn grouping(by: GroupBy) -> Grouping {
    match by {
        GroupBy::Rule => Grouping::Rule,
        GroupBy::Client => Grouping::Client,
        GroupBy::Owner => Grouping::Owner,
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
            let snapshot = crate::app::tokens::fetch(settings, req.quiet, req.verbose, req.message_lang);
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
            let w = ksef_model::i18n::warning::localised(req.message_lang, w);
            let _ = writeln!(err, "warning: {w}");
        }
    }
    let _ = crate::app::messages::write_incomplete(&mut err, lang, &run.results.contexts);
    Ok(outcome(&run.results, run.fail_on, req.fail_on_new).with_exit_zero(req.exit_zero))
}

/// Writes one output of a finished run; `Some((hidden, min))` when --min-severity hid findings.
fn write_output(
    req: &AuditRequest,
    run: &AuditRun,
    output: &AuditOutput,
    path: Option<&Path>,
) -> Result<Option<(usize, Severity)>> {
    let mut out = Output::open(path)?;
    let color = matches!(output, AuditOutput::Text) && crate::app::colored(req.color, &out);
    let view = TextView {
        group_by: req.group_by,
        style: Style { color, width: None },
        lang: req.lang,
    };
    // Colour codes are ours; the data is escaped first so it cannot add its own.
    let escaped;
    let results = if color {
        escaped = crate::app::output::escaped(&run.results)?;
        out.keep_escapes();
        &escaped
    } else {
        &run.results
    };
    let hidden = match (req.min_severity, output) {
        (Some(min), AuditOutput::Text | AuditOutput::Csv { .. }) => {
            let mut shown = results.clone();
            shown.findings.retain(|f| f.severity >= min);
            let hidden = results.findings.len() - shown.findings.len();
            render_with(&shown, output, view, &run.report_rules, &mut out)?;
            Some((hidden, min))
        }
        _ => {
            if matches!(output, AuditOutput::Text) {
                render_with(results, output, view, &run.report_rules, &mut out)?;
            } else {
                write_results_in(run, output, req.lang, &mut out)?;
            }
            None
        }
    };
    out.flush()?;
    Ok(hidden)
}

/// Writes a finished run in any output, HTML included.
pub fn write_results(run: &AuditRun, output: &AuditOutput, out: &mut dyn Write) -> Result<()> {
    write_results_in(run, output, Lang::En, out)
}

/// [`write_results`] with text and CSV in `lang` (HTML takes its language from its options).
pub fn write_results_in(
    run: &AuditRun,
    output: &AuditOutput,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<()> {
    let AuditOutput::Html(opts) = output else {
        return render_in(&run.results, output, lang, out);
    };
    let mut opts = (**opts).clone();
    opts.now = Some(run.results.generated_at);
    opts.input_digests = run
        .results
        .digests
        .inputs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let input = crate::app::report::with_facts(
        ReportInput {
            audit: Some(run.results.clone()),
            staff: run.staff.clone(),
            ..ReportInput::default()
        },
        opts.due_days,
        &run.report_rules,
        run.results.generated_at,
    );
    let html = crate::render::html::render_review(&input, &opts)?;
    out.write_all(html.as_bytes())?;
    Ok(())
}

/// The demo's audit step: writes the example firm's inventory, staff list and
/// exceptions next to the snapshot, audits the snapshot with them, and writes the
/// results as text and JSON. Returns the results and the files written.
pub fn demo_audit(
    out_dir: &Path,
    snapshot: &TokenSnapshot,
    fixture: &ksef_sim::Fixture,
) -> Result<(AuditResults, Vec<(String, PathBuf)>)> {
    let now = snapshot.fetched_at;
    let records = crate::demo::demo_records(fixture, now);
    let mut outputs = Vec::new();
    let mut write = |name: &str, what: &str, text: &[u8]| -> Result<PathBuf> {
        let path = out_dir.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&path)))?;
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
    write("audit.json", "audit results (JSON)", &json)?;
    let mut text = Vec::new();
    render(&run.results, &AuditOutput::Text, &mut text)?;
    write("audit.txt", "audit results (text)", &text)?;
    Ok((run.results, outputs))
}
