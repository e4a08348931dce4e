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
use ksef_model::ScanIssue;
use ksef_model::Shard;

use crate::audit::summarize;
use ksef_leaks::findings::fold_history;
use ksef_leaks::findings::sort_findings;

/// Why documents cannot be merged.
pub(crate) type MergeError = String;

/// Merges leak results. Shards of one scan (same root and mode) become one unsharded
/// document; documents of different roots become one multi-root document. Each part is
/// named (its file) so that what cannot be merged says which parts.
///
/// Refused (an error): parts of different kinds of source, a shard that is not a part of a
/// scan (`0/0`, `7/2`, more than [`Shard::MAX_COUNT`] shards), and shards of one shard set
/// (same root and shard count) whose scan identity (HEAD commit, `--since`, `--staged`, rules
/// digest, tool version) differs. Merged, but incomplete (an entry in `errors`, so the run
/// exits 2): a shard set that lacks a shard, repeats one (the repeat is not counted again) or
/// mixes shard counts.
pub fn merge_leaks(parts: Vec<(String, LeakResults)>) -> Result<LeakResults, MergeError> {
    if parts.is_empty() {
        return Err("nothing to merge".into());
    }
    for (name, d) in &parts {
        if let Some(shard) = d.target.shard {
            shard.check().map_err(|e| format!("'{name}': {e}"))?;
        }
    }
    check_shard_identities(&parts)?;
    let (docs, gaps) = drop_repeated_shards(parts);
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
    let heads = unique(docs.iter().filter_map(|d| d.target.head.clone()));
    out.target.head = (!heads.is_empty()).then(|| heads.join(" "));
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
    let mut gap_errors = gaps;
    gap_errors.extend(shard_gaps(&docs));

    let mut stats = LeakStats::default();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
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
        stats.files = stats.files.saturating_add(doc.stats.files);
        stats.blobs = stats.blobs.saturating_add(doc.stats.blobs);
        stats.bytes = stats.bytes.saturating_add(doc.stats.bytes);
        stats.skipped = stats.skipped.saturating_add(doc.stats.skipped);
        stats.placeholders = stats.placeholders.saturating_add(doc.stats.placeholders);
        findings.extend(doc.findings.into_iter().map(repository));
        suppressed.extend(doc.suppressed.into_iter().map(repository));
        errors.extend(doc.errors);
        skipped.extend(doc.skipped);
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
                    seen.matched = seen.matched.saturating_add(e.matched);
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
    // A secret kept at one path across commits may have parts in several shards.
    fold_history(&mut findings);
    fold_history(&mut suppressed);
    sort_findings(&mut findings);
    sort_findings(&mut suppressed);
    errors.extend(gap_errors);
    errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    errors.dedup();
    stats.errors = errors.len() as u64;
    skipped.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
    skipped.dedup();
    out.skipped = skipped;
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

/// What makes a part of a shard set one scan: the root, the kind of source, what history
/// was asked for, HEAD, the rules and the tool.
fn scan_identity(d: &LeakResults) -> String {
    let t = &d.target;
    format!(
        "mode {}, HEAD {}, --since {}, --since date {}, --staged {}, rules {}, tool {}",
        t.mode,
        t.head.as_deref().unwrap_or("(not recorded)"),
        t.since.as_deref().unwrap_or("(none)"),
        t.since_date.as_deref().unwrap_or("(none)"),
        t.staged,
        d.digests.rules,
        d.tool_version
    )
}

/// Refuses shards of one shard set (same root and shard count) that are parts of different
/// scans, naming the parts and what differs.
fn check_shard_identities(parts: &[(String, LeakResults)]) -> Result<(), MergeError> {
    let mut sets: BTreeMap<(&str, u32), Vec<(&str, String)>> = BTreeMap::new();
    for (name, d) in parts {
        if let Some(s) = d.target.shard {
            sets.entry((&d.target.root, s.count))
                .or_default()
                .push((name, scan_identity(d)));
        }
    }
    let mut problems = Vec::new();
    for ((root, count), members) in sets {
        if unique(members.iter().map(|(_, id)| id.clone())).len() > 1 {
            problems.push(format!(
                "the shards of '{root}' (of {count}) are parts of different scans:\n{}",
                members
                    .iter()
                    .map(|(name, id)| format!("  '{name}': {id}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\nhelp: merge the shards of one scan: run every `--shard K/N` with the same flags on the same commit",
            problems.join("\n")
        ))
    }
}

/// The parts without repeated shards (the same shard of one root given twice is counted
/// once), and an error for each repeat.
fn drop_repeated_shards(parts: Vec<(String, LeakResults)>) -> (Vec<LeakResults>, Vec<ScanIssue>) {
    let mut seen: BTreeMap<(String, u32, u32), String> = BTreeMap::new();
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (name, d) in parts {
        if let Some(s) = d.target.shard {
            let key = (d.target.root.clone(), s.index, s.count);
            if let Some(first) = seen.get(&key) {
                errors.push(ScanIssue {
                    path: d.target.root.clone(),
                    message: format!(
                        "shard {s} given twice ('{first}' and '{name}'): counted once; the merged result is incomplete"
                    ),
                });
                continue;
            }
            seen.insert(key, name);
        }
        docs.push(d);
    }
    (docs, errors)
}

/// Errors for shard sets that do not cover the whole scan (a missing shard, or shards of
/// different splits): the merged result is incomplete, so the run exits 2.
fn shard_gaps(docs: &[LeakResults]) -> Vec<ScanIssue> {
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
            out.push(ScanIssue {
                path: root.to_string(),
                message: format!(
                    "shards of different splits merged ({}): the merged result is incomplete",
                    shards
                        .iter()
                        .map(Shard::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            continue;
        }
        let count = counts[0];
        let have: BTreeSet<u32> = shards.iter().map(|s| s.index).collect();
        // `count` is at most `Shard::MAX_COUNT` (checked before).
        let missing: Vec<String> = (1..=count.min(Shard::MAX_COUNT))
            .filter(|k| !have.contains(k))
            .map(|k| format!("{k}/{count}"))
            .collect();
        if !missing.is_empty() {
            out.push(ScanIssue {
                path: root.to_string(),
                message: format!(
                    "shard{} {} missing: the merged result covers only part of the scan",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            });
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

/// The items whose findings all stay in the merged document (newest first, one copy each):
/// an item of a context a newer run replaced goes with its findings.
fn kept_items(
    mut items: Vec<ksef_model::AuditItem>,
    findings: &[ksef_model::AuditFinding],
) -> Vec<ksef_model::AuditItem> {
    let ids: HashSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    let mut seen = HashSet::new();
    items.reverse();
    items.retain(|item| {
        item.finding_ids.iter().all(|id| ids.contains(id.as_str()))
            && seen.insert(item.finding_ids.clone())
    });
    crate::items::sort_items(&mut items);
    items
}

/// Merges audit results of several runs: contexts by NIP (a newer run, by `generated_at`,
/// replaces an older one's context whatever the order of the arguments, so a context
/// incomplete in the newest document stays incomplete), findings deduplicated by id,
/// summary recomputed.
pub fn merge_audits(mut docs: Vec<AuditResults>) -> Result<AuditResults, MergeError> {
    // Oldest first (a stable sort: documents of the same time keep their order).
    docs.sort_by_key(|d| d.generated_at);
    let Some(newest) = docs.last() else {
        return Err("nothing to merge".into());
    };
    let mut out = newest.clone();
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
    let mut items = Vec::new();
    let mut exceptions: BTreeMap<(String, String), ExceptionState> = BTreeMap::new();
    // NIP -> the document (index, oldest first) whose context the merge keeps.
    let mut winner: BTreeMap<String, usize> = BTreeMap::new();
    for (i, doc) in docs.into_iter().enumerate() {
        for c in doc.contexts {
            contexts.retain(|seen: &ksef_model::AuditContext| seen.nip != c.nip);
            winner.insert(c.nip.clone(), i);
            contexts.push(c);
        }
        findings.extend(doc.findings.into_iter().map(|f| (i, f)));
        fixed.extend(doc.fixed.into_iter().map(|f| (i, f)));
        warnings.extend(doc.warnings);
        items.extend(doc.items);
        out.digests.inputs.extend(doc.digests.inputs);
        for e in doc.exceptions {
            let key = (e.rule.clone(), e.target.clone());
            match exceptions.get_mut(&key) {
                None => {
                    exceptions.insert(key, e);
                }
                Some(seen) => {
                    seen.matched = seen.matched.saturating_add(e.matched);
                    if seen.status == ExceptionStatus::Unused && e.status == ExceptionStatus::Active
                    {
                        seen.status = ExceptionStatus::Active;
                    }
                }
            }
        }
    }
    contexts.sort_by(|a, b| a.nip.cmp(&b.nip));
    // A context's findings come from the document whose context is kept (an older run's
    // findings never stand in for a newer run that could not read the context), the newest
    // copy of each.
    let keep = |list: Vec<(usize, ksef_model::AuditFinding)>| {
        let mut ids = HashSet::new();
        let mut kept: Vec<ksef_model::AuditFinding> = list
            .into_iter()
            .rev()
            .filter(|(i, f)| winner.get(&f.nip).is_none_or(|w| w == i))
            .map(|(_, f)| f)
            .filter(|f| ids.insert(f.id.clone()))
            .collect();
        kept.reverse();
        kept
    };
    let mut findings = keep(findings);
    let mut fixed = keep(fixed);
    crate::evaluate::sort_findings(&mut findings);
    crate::evaluate::sort_findings(&mut fixed);
    out.summary = summarize(&contexts, &findings);
    out.items = kept_items(items, &findings);
    out.contexts = contexts;
    out.findings = findings;
    out.fixed = fixed;
    out.warnings = unique(warnings);
    out.exceptions = exceptions.into_values().collect();
    Ok(out)
}
