//! From scan candidates to the `LeakResults` document: inventory correlation, suppression
//! (inline markers, baseline, exceptions — keyed on content, never on line numbers),
//! ordering, and the exit decision.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::sources::ScanError;
use ksef_model::AppliedException;
use ksef_model::CommitSpan;
use ksef_model::Digests;
use ksef_model::ExceptionState;
use ksef_model::InventoryEntry;
use ksef_model::LEAKS_KIND;
use ksef_model::LEAKS_SCHEMA_VERSION;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::LeakStats;
use ksef_model::LeakStatus;
use ksef_model::LeakTarget;
use ksef_model::LeakVerdicts;
use ksef_model::Outcome;
use ksef_model::PlaceholderDrop;
use ksef_model::ScanIssue;
use ksef_model::Severity;
use ksef_model::Suppression;
use ksef_model::SuppressionKind;
use ksef_model::TOOL_VERSION;

/// A finding before suppression: `build_leak_results` decides whether it is active.
#[derive(Debug, Clone)]
pub struct LeakCandidate {
    pub finding: LeakFinding,
    /// An inline marker is on the line (ignored with `--strict`).
    pub inline_allowed: bool,
    /// A key password (LEAK005): its value, until the scan has tried it on the keys it found.
    pub(crate) password: Option<CandidatePassword>,
}

/// The value of a key-password candidate, kept only while the scan runs.
#[derive(Debug, Clone)]
pub(crate) struct CandidatePassword {
    pub(crate) secret: ksef_model::Secret,
    /// Too weak to report unless it opens a key of the same scan.
    pub(crate) weak: bool,
}

/// What scanning one blob gave.
#[derive(Debug, Default)]
pub(crate) struct BlobScan {
    pub(crate) candidates: Vec<LeakCandidate>,
    /// Parts that could not be read: the run exits 2.
    pub(crate) issues: Vec<ScanIssue>,
    /// Archives or members refused (limits, corrupt, encrypted): listed, counted as skipped.
    pub(crate) skipped: Vec<ScanIssue>,
    /// Archive members scanned (0 for a plain blob).
    pub(crate) members: u64,
    /// Bytes scanned, after expansion.
    pub(crate) bytes: u64,
    /// Values dropped as placeholders, and where.
    pub(crate) placeholders: Vec<PlaceholderDrop>,
}

/// Everything the sources produced in one run.
#[derive(Debug, Default)]
pub struct LeakScan {
    pub candidates: Vec<LeakCandidate>,
    pub issues: Vec<ScanIssue>,
    /// Archives or members refused (limits, corrupt, encrypted), with their reason.
    pub skipped: Vec<ScanIssue>,
    pub stats: LeakStats,
    pub warnings: Vec<String>,
    /// Where placeholders were dropped (the results list them only when asked, `-v`).
    pub placeholders: Vec<PlaceholderDrop>,
}

impl LeakScan {
    /// Adds what one blob gave.
    pub(crate) fn absorb(&mut self, blob: BlobScan) {
        self.candidates.extend(blob.candidates);
        self.stats.errors += blob.issues.len() as u64;
        self.issues.extend(blob.issues);
        self.stats.skipped += blob.skipped.len() as u64;
        self.skipped.extend(blob.skipped);
        self.stats.bytes += blob.bytes;
        self.stats.placeholders += blob.placeholders.len() as u64;
        self.placeholders.extend(blob.placeholders);
    }
}

/// A baseline: fingerprints of findings accepted earlier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub fingerprints: BTreeSet<String>,
}

const BASELINE_HEADER: &str = "# ksef-audit leaks baseline: SHA-256 fingerprints of accepted findings, one per line.\n# Written by `ksef-audit leaks --write-baseline`; sorted so that it merges cleanly.\n";

impl Baseline {
    /// Reads the baseline file at `path` (`Baseline::parse`).
    pub fn read(path: &Path) -> Result<Baseline, ScanError> {
        let text = ksef_model::input::read_limited_text(path, ksef_model::input::MAX_TABLE_BYTES)
            .map_err(|source| ScanError::BaselineRead {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::parse(&text).map_err(|message| ScanError::BaselineInvalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses a baseline file: one lowercase hex SHA-256 per line, `#` comments, blank lines.
    /// Errors name the line.
    pub(crate) fn parse(text: &str) -> Result<Baseline, String> {
        let mut fingerprints = BTreeSet::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let fp = line.to_ascii_lowercase();
            if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "line {}: expected a 64-character hex fingerprint, found '{}'",
                    i + 1,
                    line.chars().take(80).collect::<String>()
                ));
            }
            fingerprints.insert(fp);
        }
        Ok(Baseline { fingerprints })
    }

    /// The file text: header, then sorted unique fingerprints.
    #[cfg(test)]
    fn render(&self) -> String {
        let mut out = String::from(BASELINE_HEADER);
        for fp in &self.fingerprints {
            out.push_str(fp);
            out.push('\n');
        }
        out
    }

    /// The file text with each fingerprint annotated for a reviewer, on its own line (so the
    /// file still sorts and merges line by line): `FP  # rule (ID) place "preview" date`. The
    /// preview is the finding's redacted form, never the secret; `date` is the commit's date,
    /// else `today`. `Baseline::parse` reads only the fingerprint.
    pub fn render_annotated(results: &LeakResults, today: DateTime<Utc>) -> String {
        let mut notes: std::collections::BTreeMap<&str, String> = Default::default();
        for f in results.findings.iter().chain(&results.suppressed) {
            notes.entry(f.fingerprint.as_str()).or_insert_with(|| {
                let place = match (&f.commit, f.line) {
                    (Some(c), _) => format!("{} in commit {}", f.path, &c[..c.len().min(12)]),
                    (None, Some(line)) => format!("{}:{line}", f.path),
                    (None, None) => f.path.clone(),
                };
                let note = format!(
                    "{} ({}) {place} \"{}\" {}",
                    f.rule,
                    f.rule_id,
                    f.redacted,
                    f.date.unwrap_or(today).format("%Y-%m-%d")
                );
                note.chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect()
            });
        }
        let mut out = String::from(BASELINE_HEADER);
        out.push_str("# Each line: fingerprint  # rule (id) where \"redacted preview\" date\n");
        for (fp, note) in notes {
            out.push_str(&format!("{fp}  # {note}\n"));
        }
        out
    }

    /// A baseline of every finding in `results` (active and suppressed).
    pub fn from_results(results: &LeakResults) -> Baseline {
        Baseline {
            fingerprints: results
                .findings
                .iter()
                .chain(&results.suppressed)
                .map(|f| f.fingerprint.clone())
                .collect(),
        }
    }
}

/// Decides whether an exception waives a finding (wired to `evaluate::exceptions::ExceptionSet`).
pub type ExceptionCheck<'a> = dyn FnMut(&LeakFinding) -> Option<AppliedException> + 'a;

/// How findings are suppressed and correlated.
pub struct LeakOptions<'a> {
    /// Ignore inline markers.
    pub strict: bool,
    pub baseline: Option<&'a Baseline>,
    pub exceptions: Option<&'a mut ExceptionCheck<'a>>,
    pub inventory: &'a [InventoryEntry],
}

/// The targets an exception entry can name for a finding: reference number, NIP,
/// fingerprint, path (archive member paths also by their outer file).
pub fn exception_targets(f: &LeakFinding) -> Vec<&str> {
    let mut t: Vec<&str> = Vec::new();
    if let Some(r) = &f.reference_number {
        t.push(r);
    }
    if let Some(n) = &f.nip {
        t.push(n);
    }
    t.push(&f.fingerprint);
    t.push(&f.path);
    if let Some((outer, _)) = f.path.split_once('!') {
        t.push(outer);
    }
    t
}

/// Sets `owner` and `system` of findings whose reference number (and NIP, when both have
/// one) is in the inventory.
fn correlate_inventory(findings: &mut [LeakFinding], inventory: &[InventoryEntry]) {
    for f in findings {
        let Some(reference) = &f.reference_number else {
            continue;
        };
        let row = inventory.iter().find(|e| {
            e.reference_number.eq_ignore_ascii_case(reference)
                && f.nip.as_ref().is_none_or(|n| e.nip == *n)
        });
        if let Some(row) = row {
            f.owner = row.owner.clone();
            f.system = row.system.clone();
        }
    }
}

/// Builds the result document. `scan.candidates` may come from any mix of sources.
pub(crate) fn build_leak_results(
    target: LeakTarget,
    scan: LeakScan,
    mut opts: LeakOptions<'_>,
    rules_digest: String,
    generated_at: DateTime<Utc>,
) -> LeakResults {
    let mut used_baseline = BTreeSet::new();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    for cand in scan.candidates {
        let mut f = cand.finding;
        correlate_inventory(std::slice::from_mut(&mut f), opts.inventory);
        let in_baseline = opts
            .baseline
            .is_some_and(|b| b.fingerprints.contains(&f.fingerprint));
        if in_baseline {
            used_baseline.insert(f.fingerprint.clone());
        }
        let exception = opts.exceptions.as_mut().and_then(|check| check(&f));
        f.suppression = if let Some(ex) = exception {
            Some(Suppression {
                kind: SuppressionKind::Exception,
                reason: Some(ex.reason.clone()),
                exception: Some(ex),
            })
        } else if in_baseline {
            Some(Suppression {
                kind: SuppressionKind::Baseline,
                reason: Some("fingerprint listed in the baseline".into()),
                exception: None,
            })
        } else if cand.inline_allowed && !opts.strict {
            Some(Suppression {
                kind: SuppressionKind::Inline,
                reason: Some("inline allow marker on the line".into()),
                exception: None,
            })
        } else {
            None
        };
        if f.suppression.is_some() {
            suppressed.push(f);
        } else {
            findings.push(f);
        }
    }
    fold_history(&mut findings);
    fold_history(&mut suppressed);
    sort_findings(&mut findings);
    sort_findings(&mut suppressed);
    let unused_baseline = opts
        .baseline
        .map(|b| {
            b.fingerprints
                .iter()
                .filter(|fp| !used_baseline.contains(*fp))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut stats = scan.stats;
    stats.placeholders = scan.placeholders.len() as u64;
    stats.errors = scan.issues.len() as u64;
    let mut errors = scan.issues;
    errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    let mut skipped = scan.skipped;
    skipped.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    LeakResults {
        schema_version: LEAKS_SCHEMA_VERSION,
        kind: LEAKS_KIND.to_string(),
        tool_version: TOOL_VERSION.to_string(),
        generated_at,
        target,
        digests: Digests {
            rules: rules_digest,
            inputs: Default::default(),
        },
        stats,
        errors,
        skipped,
        findings,
        suppressed,
        unused_baseline,
        exceptions: Vec::<ExceptionState>::new(),
        warnings: scan.warnings,
        placeholders: Vec::new(),
    }
}

/// Applies what `--verify` learned (`collect::ksef::verify_leaks`): each finding with a verdict
/// for its (NIP, reference) takes that status; an active leaked token becomes critical (it
/// can be used right now). The verify warnings are added, verifications that could not be
/// done become errors (the run is incomplete, exit 2), and findings are sorted again.
pub fn apply_leak_verdicts(results: &mut LeakResults, verdicts: LeakVerdicts) {
    for f in results
        .findings
        .iter_mut()
        .chain(results.suppressed.iter_mut())
    {
        if let (Some(nip), Some(reference)) = (&f.nip, &f.reference_number)
            && let Some(status) = verdicts.statuses.get(&(nip.clone(), reference.clone()))
        {
            f.status = *status;
            if *status == LeakStatus::Active {
                f.severity = Severity::Critical;
            }
        }
    }
    results.warnings.extend(verdicts.warnings);
    results.stats.errors += verdicts.errors.len() as u64;
    results.errors.extend(verdicts.errors);
    sort_findings(&mut results.findings);
    sort_findings(&mut results.suppressed);
}

/// Git history: one finding per distinct secret per path. The findings of one rule with the
/// same secret (fingerprint) at the same path of the same repository, each from a commit that
/// added a version of the file still holding it, become the first of them (the highest
/// severity wins) with [`CommitSpan`] naming how many commits, the first and the last. Spans
/// already folded (shards of one scan) add up. Findings without a commit are kept as they are.
pub fn fold_history(findings: &mut Vec<LeakFinding>) {
    type Key = (Option<String>, String, String, String);
    let mut groups: BTreeMap<Key, Vec<LeakFinding>> = BTreeMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        match (&f.commit, f.date) {
            (Some(_), Some(_)) => {
                let key = (
                    f.repository.clone(),
                    f.path.clone(),
                    f.rule_id.clone(),
                    f.fingerprint.clone(),
                );
                groups.entry(key).or_default().push(f);
            }
            _ => out.push(f),
        }
    }
    for (_, group) in groups {
        out.push(fold_group(group));
    }
    *findings = out;
}

/// One finding for a group of [`fold_history`] (all with a commit and a date).
fn fold_group(mut group: Vec<LeakFinding>) -> LeakFinding {
    if group.len() == 1 {
        return group.remove(0);
    }
    // (date, commit) of each end of each member's span
    let ends = |f: &LeakFinding| match &f.history {
        Some(h) => (
            h.commits,
            (h.first_date, h.first_commit.clone()),
            (h.last_date, h.last_commit.clone()),
        ),
        None => {
            let at = (
                f.date.unwrap_or_default(),
                f.commit.clone().unwrap_or_default(),
            );
            (1, at.clone(), at)
        }
    };
    let mut commits = 0u64;
    let mut first: Option<(DateTime<Utc>, String)> = None;
    let mut last: Option<(DateTime<Utc>, String)> = None;
    for f in &group {
        let (n, a, b) = ends(f);
        commits = commits.saturating_add(n);
        first = Some(first.map_or(a.clone(), |x| x.min(a)));
        last = Some(last.map_or(b.clone(), |x| x.max(b)));
    }
    let severity = group
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    group.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| ends(a).1.cmp(&ends(b).1))
    });
    let mut keep = group.remove(0);
    let (first, last) = (first.unwrap_or_default(), last.unwrap_or_default());
    keep.severity = severity;
    keep.commit = Some(first.1.clone());
    keep.date = Some(first.0);
    keep.history = Some(CommitSpan {
        commits,
        first_commit: first.1,
        first_date: first.0,
        last_commit: last.1,
        last_date: last.0,
    });
    keep
}

/// Severity (highest first), rule id, repository, path, line, column, commit.
pub fn sort_findings(findings: &mut [LeakFinding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.repository.cmp(&b.repository))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| a.commit.cmp(&b.commit))
    });
}

/// `--min-severity`: drops the active findings below `min`; returns how many were dropped.
pub fn hide_below(results: &mut LeakResults, min: Severity) -> usize {
    let before = results.findings.len();
    results.findings.retain(|f| f.severity >= min);
    before - results.findings.len()
}

/// 2 with any scan error (or, with `fail_on_skipped`, anything skipped), else 1 with an
/// active finding at or above `fail_on`, else 0. A refused archive alone does not make the
/// scan partial: it was read, and what it holds cannot be read without extracting it.
pub fn leak_outcome(results: &LeakResults, fail_on: Severity, fail_on_skipped: bool) -> Outcome {
    if !results.errors.is_empty() || (fail_on_skipped && results.stats.skipped > 0) {
        Outcome::Incomplete
    } else if results.findings.iter().any(|f| f.severity >= fail_on) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::Confidence;
    use ksef_model::LeakStatus;

    fn finding(fp: &str, path: &str) -> LeakFinding {
        LeakFinding {
            rule: "ksef-token-v2".into(),
            rule_id: "LEAK001".into(),
            severity: Severity::High,
            path: path.into(),
            line: Some(1),
            column: Some(1),
            commit: None,
            author: None,
            date: None,
            fingerprint: fp.repeat(64),
            redacted: "r".into(),
            reference_number: Some("20250101-EC-FA4EFA4E00-0000000001-49".into()),
            nip: Some("1111111111".into()),
            confidence: Confidence::High,
            status: LeakStatus::Unverified,
            owner: None,
            system: None,
            suppression: None,
            repository: None,
            history: None,
        }
    }

    fn target() -> LeakTarget {
        LeakTarget {
            root: ".".into(),
            mode: "files".into(),
            since: None,
            staged: false,
            shallow: false,
            coverage: None,
            shard: None,
            since_date: None,
            head: None,
        }
    }

    #[test]
    fn annotated_baseline_parses_back_to_its_fingerprints() {
        let mut f = finding("a", "conf/a\nb.env");
        f.line = Some(3);
        f.redacted = "20251104-EC-…-ab".into();
        let scan = LeakScan {
            candidates: vec![LeakCandidate {
                finding: f,
                inline_allowed: false,
                password: None,
            }],
            ..LeakScan::default()
        };
        let opts = LeakOptions {
            strict: false,
            baseline: None,
            exceptions: None,
            inventory: &[],
        };
        let results = build_leak_results(target(), scan, opts, String::new(), Utc::now());
        let today = DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
            .expect("t")
            .to_utc();
        let text = Baseline::render_annotated(&results, today);
        assert!(
            text.contains(&format!(
                "{}  # ksef-token-v2 (LEAK001) conf/a?b.env:3 \"20251104-EC-…-ab\" 2026-11-30",
                "a".repeat(64)
            )),
            "{text}"
        );
        let back = Baseline::parse(&text).expect("parses");
        assert_eq!(back.fingerprints.len(), 1);
    }

    #[test]
    fn baseline_round_trips_sorted_and_rejects_junk() {
        let b = Baseline::parse(&format!("# c\n{}\n\n{}\n", "b".repeat(64), "a".repeat(64)))
            .expect("parse");
        let text = b.render();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines, vec!["a".repeat(64), "b".repeat(64)]);
        assert_eq!(Baseline::parse(&text), Ok(b));
        let err = Baseline::parse("abc\n").expect_err("junk");
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn suppressed_findings_are_kept_apart_and_unused_baseline_reported() {
        let scan = LeakScan {
            candidates: vec![
                LeakCandidate {
                    finding: finding("a", "x.env"),
                    inline_allowed: false,
                    password: None,
                },
                LeakCandidate {
                    finding: finding("b", "y.env"),
                    inline_allowed: true,
                    password: None,
                },
                LeakCandidate {
                    finding: finding("c", "z.env"),
                    inline_allowed: true,
                    password: None,
                },
            ],
            ..LeakScan::default()
        };
        let baseline = Baseline {
            fingerprints: ["a".repeat(64), "d".repeat(64)].into_iter().collect(),
        };
        let opts = LeakOptions {
            strict: false,
            baseline: Some(&baseline),
            exceptions: None,
            inventory: &[],
        };
        let r = build_leak_results(target(), scan, opts, String::new(), Utc::now());
        assert_eq!(r.findings.len(), 0);
        assert_eq!(r.suppressed.len(), 3);
        assert_eq!(
            r.suppressed[0].suppression.as_ref().map(|s| s.kind),
            Some(SuppressionKind::Baseline)
        );
        assert_eq!(r.unused_baseline, vec!["d".repeat(64)]);
        assert_eq!(leak_outcome(&r, Severity::Info, false), Outcome::Clean);
    }

    #[test]
    fn strict_ignores_inline_markers() {
        let scan = LeakScan {
            candidates: vec![LeakCandidate {
                finding: finding("b", "y.env"),
                inline_allowed: true,
                password: None,
            }],
            ..LeakScan::default()
        };
        let opts = LeakOptions {
            strict: true,
            baseline: None,
            exceptions: None,
            inventory: &[],
        };
        let r = build_leak_results(target(), scan, opts, String::new(), Utc::now());
        assert_eq!(r.findings.len(), 1);
        assert_eq!(leak_outcome(&r, Severity::High, false), Outcome::Findings);
        assert_eq!(leak_outcome(&r, Severity::Critical, false), Outcome::Clean);
    }

    #[test]
    fn history_folds_one_secret_per_path_and_adds_spans() {
        let at = |fp: &str, path: &str, commit: &str, day: u32, severity: Severity| {
            let mut f = finding(fp, path);
            f.commit = Some(commit.into());
            f.date = Some(
                DateTime::parse_from_rfc3339(&format!("2026-03-{day:02}T00:00:00Z"))
                    .expect("t")
                    .to_utc(),
            );
            f.severity = severity;
            f
        };
        let mut findings = vec![
            at("a", "x.env", "c3", 3, Severity::High),
            at("a", "x.env", "c1", 1, Severity::High),
            at("a", "x.env", "c2", 2, Severity::Critical),
            // another path, another secret, no commit: kept apart
            at("a", "y.env", "c2", 2, Severity::High),
            at("b", "x.env", "c2", 2, Severity::High),
            finding("a", "x.env"),
        ];
        fold_history(&mut findings);
        assert_eq!(findings.len(), 4, "{findings:#?}");
        let folded = findings
            .iter()
            .find(|f| f.history.is_some())
            .expect("folded");
        let h = folded.history.as_ref().expect("span");
        assert_eq!(
            (h.commits, h.first_commit.as_str(), h.last_commit.as_str()),
            (3, "c1", "c3")
        );
        assert_eq!(folded.commit.as_deref(), Some("c1"));
        assert_eq!(folded.severity, Severity::Critical);
        // shards of one scan: spans add up
        let mut other = folded.clone();
        other.history = None;
        other.commit = Some("c9".into());
        other.date = Some(h.last_date + chrono::Duration::days(5));
        let mut two = vec![folded.clone(), other];
        fold_history(&mut two);
        let h = two[0].history.as_ref().expect("span");
        assert_eq!((h.commits, h.last_commit.as_str()), (4, "c9"));
    }

    #[test]
    fn inventory_gives_owner_and_system() {
        let mut f = vec![finding("a", "x")];
        let row = InventoryEntry {
            row: 2,
            nip: "1111111111".into(),
            reference_number: "20250101-EC-FA4EFA4E00-0000000001-49".into(),
            name: None,
            system: Some("ERP".into()),
            environment: None,
            owner: Some("anna@example.test".into()),
            permissions: vec![],
            expires: None,
            notes: None,
            extra: Default::default(),
            certificate_serial: None,
        };
        correlate_inventory(&mut f, &[row]);
        assert_eq!(f[0].owner.as_deref(), Some("anna@example.test"));
        assert_eq!(f[0].system.as_deref(), Some("ERP"));
    }
}
