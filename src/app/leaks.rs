//! `ksef-audit leaks`: collect (walk, archives, stdin) -> scan -> suppress/correlate -> render.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use super::Output;
use crate::cli::{GlobalArgs, LeaksArgs, LeaksFormat};
use crate::collect::exceptions::load_exceptions;
use crate::collect::inventory::load_inventory;
use crate::collect::ksef::verify_leaks;
use crate::collect::sources::walk::DEFAULT_MAX_FILE_SIZE;
use crate::collect::sources::{ArchiveLimits, WalkOptions, read_stdin, walk_files};
use crate::config::{self, LoadedConfig, resolve_settings_for_nips};
use crate::error::Outcome;
use crate::evaluate::exceptions::ExceptionSet;
use crate::evaluate::leaks::{
    Baseline, LeakOptions, LeakScan, build_leak_results, exception_targets, leak_outcome,
    sort_findings,
};
use crate::evaluate::scan::{Scanner, scan_blob, scan_files};
use crate::model::{
    AppliedException, LeakFinding, LeakResults, LeakTarget, Severity, fingerprint_hex,
};
use crate::render::html::{ReportInput, render_review};
use crate::render::leaks::{LeakFormat, render_leaks};
use crate::rule::leak::{LeakRule, leak_rules_digest, load_leak_rules};

/// Runs `ksef-audit leaks`.
pub fn run(global: &GlobalArgs, args: &LeaksArgs) -> Result<Outcome> {
    let config = config::load(global.config.as_deref())?;
    // `None` = HTML (the review report of `render::html`).
    let format = match args.format {
        LeaksFormat::Text => Some(LeakFormat::Text),
        LeaksFormat::Json => Some(LeakFormat::Json),
        LeaksFormat::Jsonl => Some(LeakFormat::Jsonl),
        LeaksFormat::Csv => Some(LeakFormat::Csv),
        LeaksFormat::Sarif => Some(LeakFormat::Sarif),
        LeaksFormat::Html => None,
    };
    let report_options = match format {
        None => Some(super::report::options_from_config(&config)?),
        Some(_) => None,
    };
    let fail_on = fail_on(args, &config)?;
    let (mut results, rules) = scan(args, &config)?;
    if args.verify {
        verify(global, &config, &mut results)?;
    }
    if let Some(path) = &baseline_input(args, &config) {
        record_input(&mut results, "baseline", path);
    }
    if let Some(path) = &exceptions_input(args, &config) {
        record_input(&mut results, "exceptions", path);
    }
    if let Some(path) = &inventory_input(args, &config) {
        record_input(&mut results, "inventory", path);
    }

    if let Some(path) = &args.write_baseline {
        let text = Baseline::from_results(&results).render();
        std::fs::write(path, text)
            .with_context(|| format!("cannot write baseline '{}'", path.display()))?;
    }

    let shown_in_output = format == Some(LeakFormat::Text) && args.output.is_none();
    if !shown_in_output {
        report_problems(global, &results);
    }
    let mut out = Output::open(args.output.as_deref())?;
    match (format, report_options) {
        (Some(format), _) => render_leaks(&results, &rules, format, &mut out)?,
        (None, opts) => {
            let opts = opts.unwrap_or_default();
            let input = ReportInput {
                leaks: Some(results.clone()),
                facts: crate::evaluate::posture::report_facts(
                    None,
                    Some(&results),
                    &[],
                    opts.due_days,
                    &Default::default(),
                    results.generated_at,
                ),
                ..ReportInput::default()
            };
            let html = render_review(&input, &opts)?;
            out.write_all(html.as_bytes())
                .context("cannot write the output")?;
        }
    }
    out.flush().context("cannot write the output")?;
    Ok(leak_outcome(&results, fail_on).with_exit_zero(args.exit_zero))
}

/// Everything `leaks` does before `--verify` and output: rules, collection, scanning,
/// suppression (baseline, exceptions, inline markers) and inventory correlation.
pub fn scan(args: &LeaksArgs, config: &LoadedConfig) -> Result<(LeakResults, Vec<LeakRule>)> {
    let inventory = match inventory_input(args, config) {
        Some(path) => load_inventory(&path)?,
        None => Vec::new(),
    };
    let rules = load_leak_rules(args.rules.as_deref())?;
    let scanner = Scanner::new(&rules)?;
    let baseline = baseline(args, config)?;
    let mut exceptions = exceptions(args, config)?;

    let (scan, target) = collect(&scanner, args, config)?;

    let mut check = |f: &LeakFinding| -> Option<AppliedException> {
        let set = exceptions.as_mut()?;
        set.check(&f.rule, &f.rule_id, &exception_targets(f))
    };
    let opts = LeakOptions {
        strict: args.strict,
        baseline: baseline.as_ref(),
        exceptions: Some(&mut check),
        inventory: &inventory,
    };
    let mut results = build_leak_results(target, scan, opts, leak_rules_digest(&rules), Utc::now());
    if let Some(set) = exceptions {
        let (states, warnings) = set.finish();
        results.exceptions = states;
        results.warnings.extend(warnings);
    }
    Ok((results, rules))
}

/// `--verify`: asks KSeF, with the firm's own credential for each NIP, about each leaked
/// reference number (never the secret). Active leaked tokens become critical.
fn verify(global: &GlobalArgs, config: &LoadedConfig, results: &mut LeakResults) -> Result<()> {
    let mut nips: Vec<String> = results
        .findings
        .iter()
        .chain(&results.suppressed)
        .filter(|f| f.reference_number.is_some())
        .filter_map(|f| f.nip.clone())
        .collect();
    nips.sort();
    nips.dedup();
    if nips.is_empty() {
        return Ok(());
    }
    let settings = resolve_settings_for_nips(global, config, &nips)
        .context("--verify needs KSeF access for the NIPs of the findings")?;
    verify_leaks(results, &settings);
    sort_findings(&mut results.findings);
    sort_findings(&mut results.suppressed);
    Ok(())
}

fn fail_on(args: &LeaksArgs, config: &LoadedConfig) -> Result<Severity> {
    if let Some(s) = args.fail_on {
        return Ok(s);
    }
    match &config.raw.leaks.fail_on {
        Some(s) => s.parse::<Severity>().map_err(|e| {
            anyhow::anyhow!(
                "config '{}': [leaks] fail-on: {e}",
                config.path.as_deref().unwrap_or(Path::new("?")).display()
            )
        }),
        None => Ok(Severity::Info),
    }
}

fn baseline_input(args: &LeaksArgs, config: &LoadedConfig) -> Option<PathBuf> {
    args.baseline.clone().or_else(|| {
        config
            .raw
            .leaks
            .baseline
            .as_deref()
            .map(|p| config.resolve(p))
    })
}

fn baseline(args: &LeaksArgs, config: &LoadedConfig) -> Result<Option<Baseline>> {
    let Some(path) = baseline_input(args, config) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read baseline '{}'\nhelp: create it with --write-baseline",
            path.display()
        )
    })?;
    Baseline::parse(&text)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("baseline '{}': {e}\nhelp: a baseline holds one SHA-256 fingerprint per line; regenerate it with --write-baseline", path.display()))
}

fn inventory_input(args: &LeaksArgs, config: &LoadedConfig) -> Option<PathBuf> {
    args.inventory.clone().or_else(|| {
        config
            .raw
            .audit
            .inventory
            .as_deref()
            .map(|p| config.resolve(p))
    })
}

fn exceptions_input(args: &LeaksArgs, config: &LoadedConfig) -> Option<PathBuf> {
    args.exceptions.clone().or_else(|| {
        config
            .raw
            .audit
            .exceptions
            .as_deref()
            .map(|p| config.resolve(p))
    })
}

fn exceptions(args: &LeaksArgs, config: &LoadedConfig) -> Result<Option<ExceptionSet>> {
    let Some(path) = exceptions_input(args, config) else {
        return Ok(None);
    };
    let entries = load_exceptions(&path)?;
    Ok(Some(ExceptionSet::new(entries, Utc::now().date_naive())))
}

fn record_input(results: &mut LeakResults, name: &str, path: &Path) {
    if let Ok(bytes) = std::fs::read(path) {
        results
            .digests
            .inputs
            .insert(name.to_string(), fingerprint_hex(&bytes));
    }
}

/// Walks the paths (or reads stdin) and scans everything in parallel.
fn collect(
    scanner: &Scanner,
    args: &LeaksArgs,
    config: &LoadedConfig,
) -> Result<(LeakScan, LeakTarget)> {
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut exclude = config.raw.leaks.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let max_file_size = args
        .max_file_size
        .or(config.raw.leaks.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let limits = ArchiveLimits {
        max_entry: max_file_size,
        ..ArchiveLimits::default()
    };
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();

    if args.git {
        return super::leaks_git::collect_git(scanner, args, &args.paths, &limits);
    }
    let mut scan = LeakScan::default();
    if stdin {
        let data = read_stdin()?;
        scan.stats.files += 1;
        scan.absorb(scan_blob(scanner, "-", None, &data, &limits));
    }
    if !roots.is_empty() {
        let walked = walk_files(
            &roots,
            &WalkOptions {
                exclude,
                max_file_size,
            },
        )?;
        scan.stats.skipped += walked.too_large.len() as u64;
        for path in &walked.too_large {
            scan.warnings.push(format!(
                "'{path}' is larger than {max_file_size} bytes, not scanned\nhelp: raise --max-file-size to scan it"
            ));
        }
        scan.issues.extend(walked.issues);
        scan_files(scanner, &walked.files, &limits, &mut scan);
    }
    let target = LeakTarget {
        root: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        mode: if roots.is_empty() { "stdin" } else { "files" }.to_string(),
        since: None,
        staged: false,
        shallow: false,
    };
    Ok((scan, target))
}

/// Scan errors and warnings also go to stderr, whatever the output format.
fn report_problems(global: &GlobalArgs, results: &LeakResults) {
    let mut err = io::stderr().lock();
    for e in &results.errors {
        let _ = writeln!(err, "error: {}: {}", e.path, e.message);
    }
    if !global.quiet {
        for w in &results.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        if !results.unused_baseline.is_empty() {
            let _ = writeln!(
                err,
                "warning: {} baseline entr{} matched nothing (listed in the output)",
                results.unused_baseline.len(),
                if results.unused_baseline.len() == 1 {
                    "y"
                } else {
                    "ies"
                }
            );
        }
    }
}
