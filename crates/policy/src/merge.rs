//! `ksef-audit merge`: several result documents of one kind into one. Pure: documents in,
//! document out.
//!
//! Leak results of the N shards of one scan (`--shard K/N`) merge into the document a single
//! run writes: the same findings (deduplicated by fingerprint and location), errors,
//! warnings, skipped counts and exit code. Results of different roots (one run per
//! repository) merge into the document of one multi-root run: each finding names its
//! repository. Audit results of several runs (different contexts) merge by context.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ksef_model::AuditResults;
use ksef_model::ExceptionState;
use ksef_model::ExceptionStatus;
use ksef_model::LeakFinding;
use ksef_model::LeakResults;
use ksef_model::LeakStats;
use ksef_model::Shard;

use crate::audit::summarize;
use ksef_leaks::findings::sort_findings;

/// Why documents cannot be merged.
pub(crate) type MergeError = String;

/// Merges leak results. Shards of one scan (same root and mode) become one unsharded
/// document; documents of different roots become one multi-root document.
pub fn merge_leaks(docs: Vec<LeakResults>) -> Result<LeakResults, MergeError> {
    let Some(first) = docs.first() else {
        return Err("nothing to merge".into());
    };
    let mut out = first.clone();
    let roots: Vec<String> = unique(docs.iter().map(|d| d.target.root.clone()));
    let modes: Vec<String> = unique(docs.iter().map(|d| d.target.mode.clone()));
    if modes.len() > 1 {
        return Err(format!(
            "the results scan different kinds of source ({}); merge files with files and git with git",
            modes.join(", ")
        ));
    }
    let rules = unique(docs.iter().map(|d| d.digests.rules.clone()));
    if rules.len() > 1 {
        out.warnings.push(
            "the results were produced with different leak rules (rule digests differ)".into(),
        );
    }
    let several_roots = roots.len() > 1;
    out.target.root = roots.join(" ");
    out.target.shallow = docs.iter().any(|d| d.target.shallow);
    out.target.shard = None;
    out.placeholders.clear();
    // As one run over several repositories: each repository's coverage, named by its root.
    let coverage: Vec<String> = docs
        .iter()
        .filter_map(|d| {
            let c = d.target.coverage.as_ref()?;
            Some(if several_roots {
                format!("{}: {c}", d.target.root)
            } else {
                c.clone()
            })
        })
        .collect();
    out.target.coverage = if several_roots {
        (!coverage.is_empty()).then(|| coverage.join("; "))
    } else {
        coverage.into_iter().next()
    };
    out.generated_at = docs
        .iter()
        .map(|d| d.generated_at)
        .max()
        .unwrap_or(out.generated_at);
    for warning in shard_gaps(&docs) {
        out.warnings.push(warning);
    }

    let mut stats = LeakStats::default();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = std::mem::take(&mut out.warnings);
    let mut unused: Option<BTreeSet<String>> = None;
    let mut exceptions: BTreeMap<(String, String), ExceptionState> = BTreeMap::new();
    for doc in docs {
        let repository = |mut f: LeakFinding| {
            if several_roots && f.repository.is_none() && doc.target.mode == "git" {
                f.repository = Some(doc.target.root.clone());
            }
            f
        };
        stats.files += doc.stats.files;
        stats.blobs += doc.stats.blobs;
        stats.bytes += doc.stats.bytes;
        stats.skipped += doc.stats.skipped;
        stats.placeholders += doc.stats.placeholders;
        findings.extend(doc.findings.into_iter().map(repository));
        suppressed.extend(doc.suppressed.into_iter().map(repository));
        errors.extend(doc.errors);
        out.placeholders.extend(doc.placeholders);
        warnings.extend(doc.warnings);
        out.digests.inputs.extend(doc.digests.inputs);
        // A baseline entry is unused only when no part used it.
        let doc_unused: BTreeSet<String> = doc.unused_baseline.into_iter().collect();
        unused = Some(match unused {
            None => doc_unused,
            Some(u) => u.intersection(&doc_unused).cloned().collect(),
        });
        for e in doc.exceptions {
            let key = (e.rule.clone(), e.target.clone());
            match exceptions.get_mut(&key) {
                None => {
                    exceptions.insert(key, e);
                }
                Some(seen) => {
                    seen.matched += e.matched;
                    if seen.status == ExceptionStatus::Unused && e.status == ExceptionStatus::Active
                    {
                        seen.status = ExceptionStatus::Active;
                    }
                }
            }
        }
    }
    dedupe_findings(&mut findings);
    dedupe_findings(&mut suppressed);
    sort_findings(&mut findings);
    sort_findings(&mut suppressed);
    errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    errors.dedup();
    stats.errors = errors.len() as u64;
    out.stats = stats;
    out.findings = findings;
    out.suppressed = suppressed;
    out.errors = errors;
    out.warnings = unique(warnings);
    out.unused_baseline = unused.unwrap_or_default().into_iter().collect();
    out.exceptions = exceptions.into_values().collect();
    Ok(out)
}

/// One finding per fingerprint and location (rule, repository, path, line, column, commit).
fn dedupe_findings(findings: &mut Vec<LeakFinding>) {
    let mut seen = HashSet::new();
    findings.retain(|f| {
        seen.insert((
            f.fingerprint.clone(),
            f.rule_id.clone(),
            f.repository.clone(),
            f.path.clone(),
            f.line,
            f.column,
            f.commit.clone(),
        ))
    });
}

/// Warnings for shard sets that do not cover the whole scan (a missing or repeated shard).
fn shard_gaps(docs: &[LeakResults]) -> Vec<String> {
    let mut by_root: BTreeMap<&str, Vec<Shard>> = BTreeMap::new();
    for d in docs {
        if let Some(s) = d.target.shard {
            by_root.entry(&d.target.root).or_default().push(s);
        }
    }
    let mut out = Vec::new();
    for (root, shards) in by_root {
        let counts = unique(shards.iter().map(|s| s.count));
        if counts.len() > 1 {
            out.push(format!(
                "'{root}': shards of different splits merged ({})",
                shards
                    .iter()
                    .map(Shard::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        }
        let count = counts[0];
        let have: BTreeSet<u32> = shards.iter().map(|s| s.index).collect();
        let missing: Vec<String> = (1..=count)
            .filter(|k| !have.contains(k))
            .map(|k| format!("{k}/{count}"))
            .collect();
        if !missing.is_empty() {
            out.push(format!(
                "'{root}': shard{} {} missing: the merged result covers only part of the scan",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
    }
    out
}

fn unique<T: Ord + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|x| seen.insert(x.clone()))
        .collect()
}

/// Merges audit results of several runs: contexts by NIP (a later run replaces an earlier
/// one's context), findings deduplicated by id, summary recomputed.
pub fn merge_audits(docs: Vec<AuditResults>) -> Result<AuditResults, MergeError> {
    let Some(first) = docs.first() else {
        return Err("nothing to merge".into());
    };
    let mut out = first.clone();
    let envs = unique(docs.iter().map(|d| d.environment.label.clone()));
    if envs.len() > 1 {
        return Err(format!(
            "the audits ran against different KSeF environments ({}); merge audits of one environment",
            envs.join(", ")
        ));
    }
    out.generated_at = docs
        .iter()
        .map(|d| d.generated_at)
        .max()
        .unwrap_or(out.generated_at);
    let mut contexts = Vec::new();
    let mut findings = Vec::new();
    let mut fixed = Vec::new();
    let mut warnings = Vec::new();
    let mut exceptions: BTreeMap<(String, String), ExceptionState> = BTreeMap::new();
    for doc in docs {
        for c in doc.contexts {
            contexts.retain(|seen: &ksef_model::AuditContext| seen.nip != c.nip);
            contexts.push(c);
        }
        findings.extend(doc.findings);
        fixed.extend(doc.fixed);
        warnings.extend(doc.warnings);
        out.digests.inputs.extend(doc.digests.inputs);
        for e in doc.exceptions {
            let key = (e.rule.clone(), e.target.clone());
            match exceptions.get_mut(&key) {
                None => {
                    exceptions.insert(key, e);
                }
                Some(seen) => {
                    seen.matched += e.matched;
                    if seen.status == ExceptionStatus::Unused && e.status == ExceptionStatus::Active
                    {
                        seen.status = ExceptionStatus::Active;
                    }
                }
            }
        }
    }
    contexts.sort_by(|a, b| a.nip.cmp(&b.nip));
    let mut ids = HashSet::new();
    findings.retain(|f| ids.insert(f.id.clone()));
    let mut ids = HashSet::new();
    fixed.retain(|f| ids.insert(f.id.clone()));
    crate::evaluate::sort_findings(&mut findings);
    crate::evaluate::sort_findings(&mut fixed);
    out.summary = summarize(&contexts, &findings);
    out.contexts = contexts;
    out.findings = findings;
    out.fixed = fixed;
    out.warnings = unique(warnings);
    out.exceptions = exceptions.into_values().collect();
    Ok(out)
}
