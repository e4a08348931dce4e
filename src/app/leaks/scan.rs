//! The scan of `leaks`: the inputs the binary reads (inventory, exceptions, rules), then
//! [`scan_leaks`] with a progress bar on stderr, then the exceptions' states and the one
//! redaction; and `--verify` against KSeF.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use crate::app::progress::ScanProgress;
use crate::app::progress::Spinner;
use crate::config::Config;
use crate::config::resolve_settings_for_nips;
use crate::inputs::exceptions::load_exceptions;
use crate::inputs::inventory::load_inventory;
use ksef_client::settings::KsefSettings;
use ksef_client::verify::verify_leaks;
use ksef_leaks::findings::Baseline;
use ksef_leaks::findings::LeakOptions;
use ksef_leaks::findings::apply_leak_verdicts;
use ksef_leaks::findings::exception_targets;
use ksef_leaks::matcher::Scanner;
use ksef_leaks::scan::Progress;
use ksef_leaks::scan::ProgressPass;
use ksef_leaks::scan::ScanRequest;
use ksef_leaks::scan::scan_leaks;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_model::AppliedException;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::Shard;
use ksef_policy::exceptions::ExceptionSet;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::leak_rules_digest;
use ksef_rules::leak::load_leak_rules;

/// What to scan and how to judge it (flags already merged with `[leaks]`/`[audit]`).
#[derive(Debug, Clone, Default)]
pub struct LeakScanRequest {
    /// Files or directories (`-`: standard input); empty: the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan git history (of the one repository in `paths`) instead of files.
    pub git: Option<GitScanOptions>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    /// Extra leak rules (`--rules DIR`).
    pub rules: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    /// Ignore inline allow markers.
    pub strict: bool,
    /// `-v`: list where placeholders were dropped (the count is always given).
    pub list_placeholders: bool,
    /// Excludes or the size limit come (also) from a config file, which may be the scanned
    /// repository's own: a scan that then reads nothing from a non-empty tree is an error.
    pub config_filters: bool,
    /// `--shard K/N`: only this part of the work.
    pub shard: Option<Shard>,
    /// `--roots-from FILE`: more paths (or repositories), one per line.
    pub roots_from: Option<PathBuf>,
    /// Show progress on stderr (when it is a terminal).
    pub progress: bool,
}

impl LeakScanRequest {
    /// What the scanner reads: the sources and their limits.
    fn sources(&self) -> ScanRequest {
        ScanRequest {
            paths: self.paths.clone(),
            roots_from: self.roots_from.clone(),
            git: self.git.clone(),
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            shard: self.shard,
            config_filters: self.config_filters,
            list_placeholders: self.list_placeholders,
        }
    }
}

/// A scan's progress on stderr ([`ScanProgress`]), unless `--quiet`; while the items are
/// counted, a spinner that claims no total.
struct ShownProgress {
    show: bool,
    counting: std::sync::Mutex<Option<Spinner>>,
}

impl Progress for ShownProgress {
    fn shows_totals(&self) -> bool {
        ScanProgress::shown(self.show)
    }

    fn counting(&self, unit: &'static str) {
        let spinner = Spinner::start(!self.show, format!("{unit}: counting…"));
        *self.counting.lock().unwrap_or_else(|e| e.into_inner()) = Some(spinner);
    }

    fn start(
        &self,
        unit: &'static str,
        items: Option<u64>,
        bytes: Option<u64>,
    ) -> Box<dyn ProgressPass + '_> {
        if let Some(spinner) = self
            .counting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            spinner.finish();
        }
        Box::new(ScanProgress::new(self.show, unit, items, bytes))
    }
}

impl ProgressPass for ScanProgress {
    fn item(&self, bytes: u64) {
        ScanProgress::item(self, bytes);
    }

    fn read(&self, bytes: u64) {
        ScanProgress::read(self, bytes);
    }

    fn member(&self, bytes: u64) {
        ScanProgress::member(self, bytes);
    }

    fn finish(&self) {
        ScanProgress::finish(self);
    }
}

/// Everything `leaks` does before `--verify` and output: the inputs read, then
/// [`scan_leaks`] (collection, scanning, suppression, inventory correlation), then the
/// exceptions' states and the one redaction.
pub fn scan(req: &LeakScanRequest) -> Result<(LeakResults, Vec<LeakRule>)> {
    let inventory = match &req.inventory {
        Some(path) => load_inventory(path)?,
        None => Vec::new(),
    };
    let rules = load_leak_rules(req.rules.as_deref())?;
    let scanner = Scanner::new(&rules)?;
    let baseline = req.baseline.as_deref().map(Baseline::read).transpose()?;
    let mut exceptions = match exceptions(req.exceptions.as_deref())? {
        Some(set) => {
            let policy = ksef_policy::rule::load_policy_rules(None)?;
            Some(set.without_rules(|r| policy.get(r).is_some()))
        }
        None => None,
    };
    let mut check = |f: &LeakFinding| -> Option<AppliedException> {
        let set = exceptions.as_mut()?;
        set.check(&f.rule, &f.rule_id, &exception_targets(f))
    };
    let judge = LeakOptions {
        strict: req.strict,
        baseline: baseline.as_ref(),
        exceptions: Some(&mut check),
        inventory: &inventory,
    };
    let progress = ShownProgress {
        show: req.progress,
        counting: std::sync::Mutex::new(None),
    };
    let mut results = scan_leaks(
        &scanner,
        leak_rules_digest(&rules),
        &req.sources(),
        judge,
        &progress,
    )?;
    if let Some(set) = exceptions {
        let (states, warnings) = set.finish();
        results.exceptions = states;
        results.warnings.extend(warnings);
    }
    crate::app::redact::redact_leaks(&mut results);
    Ok((results, rules))
}

/// `--verify`: asks KSeF, with the firm's own credential for each NIP, about each leaked
/// reference number (never the secret). Active leaked tokens become critical.
pub(super) fn verify(config: &Config, results: &mut LeakResults) -> Result<()> {
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
    let settings = resolve_settings_for_nips(config, &nips)
        .context("--verify needs KSeF access for the NIPs of the findings")?;
    verify_with(&settings, results);
    Ok(())
}

/// Looks the leaked references up in KSeF with `settings` (collect) and applies the verdicts
/// (evaluate: status, an active leaked token becomes critical, findings sorted again).
pub fn verify_with(settings: &KsefSettings, results: &mut LeakResults) {
    let verdicts = verify_leaks(results, settings);
    apply_leak_verdicts(results, verdicts);
}

fn exceptions(path: Option<&Path>) -> Result<Option<ExceptionSet>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let entries = load_exceptions(path)?;
    Ok(Some(ExceptionSet::new(entries, Utc::now().date_naive())))
}
