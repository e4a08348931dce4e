//! Issue 20.1 and 24.4: the demo firm's audit reads as items, not a wall of findings.

use std::path::Path;

use ksef_model::AuditResults;
use ksef_model::ItemKind;
use ksef_model::Severity;

use crate::support::cli::{ksef_audit, text};

/// The demo firm written into `dir/d` (its directory returned).
pub(super) fn demo(dir: &Path) -> std::path::PathBuf {
    let out = ksef_audit(dir)
        .args(["demo", "--out", "d", "-q"])
        .output()
        .expect("demo runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("d")
}

/// The demo written to `dir` once, and `audit --from tokens.json` in it, piped, at 100 columns.
fn demo_audit_text(dir: &Path, extra: &[&str]) -> (String, AuditResults) {
    let demo = demo(dir);
    let out = ksef_audit(&demo)
        .env("COLUMNS", "100")
        .args(["audit", "--from", "tokens.json"])
        .args(extra)
        .output()
        .expect("audit runs");
    let json = std::fs::read_to_string(demo.join("audit.json")).expect("audit.json");
    (
        text(&out.stdout),
        serde_json::from_str(&json).expect("audit document"),
    )
}

#[test]
fn demo_audit_is_short_wrapped_and_names_every_critical_rule_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, results) = demo_audit_text(dir.path(), &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() <= 800, "{} lines:\n{out}", lines.len());
    let head = lines[..60.min(lines.len())].join("\n");
    let critical: std::collections::BTreeSet<&str> = results
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical && !f.excepted)
        .map(|f| f.rule.as_str())
        .collect();
    assert!(critical.len() >= 3, "{critical:?}");
    for rule in critical {
        assert!(
            head.contains(rule),
            "{rule} not in the first 60 lines:\n{head}"
        );
    }
    // The summary leads; lines wrap at 100 columns between words, never inside one.
    assert!(
        lines.iter().take(5).any(|l| l.starts_with("Summary: ")),
        "{head}"
    );
    for l in &lines {
        let long = l.chars().count() > 100;
        assert!(!long || l.split_whitespace().count() == 1, "too long: {l}");
    }
    // One item per rule and context: the token end date is one line per context.
    let sunset = lines
        .iter()
        .filter(|l| l.contains("token-sunset-approaching (POL038)"))
        .count();
    assert_eq!(sunset, 1, "{out}");
}

#[test]
fn demo_leavers_are_one_item_per_person_with_the_offboard_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, results) = demo_audit_text(dir.path(), &[]);
    let people: Vec<_> = results
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Person)
        .collect();
    assert_eq!(people.len(), 2, "{people:#?}");
    for p in &people {
        let id = p.person.as_deref().expect("a staff id");
        assert!(id.contains('@'), "{id}");
        let command = format!("ksef-audit offboard {id}");
        assert_eq!(p.command.as_deref(), Some(command.as_str()));
        let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&command), "{out}");
        // Every leaver finding about the person is in the item, none elsewhere.
        for f in &p.finding_ids {
            let others = results
                .items
                .iter()
                .filter(|i| i.finding_ids.contains(f))
                .count();
            assert_eq!(others, 1);
        }
    }
    // The person is named by staff id or e-mail, never by PESEL.
    for pesel in ["80061163326", "96050930871"] {
        assert!(!out.contains(pesel), "PESEL in the text");
    }
    // JSON keeps every finding; each is in exactly one item.
    let active = results.findings.iter().filter(|f| !f.excepted).count();
    let gathered: usize = results.items.iter().map(|i| i.finding_ids.len()).sum();
    assert_eq!(active, gathered);
}

#[test]
fn expand_prints_every_finding_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, results) = demo_audit_text(dir.path(), &["--expand"]);
    let blocks = out.lines().filter(|l| l.starts_with("  id: ")).count();
    assert_eq!(blocks, results.findings.len(), "{out}");
}

#[test]
fn merged_audits_keep_the_items_of_the_findings_they_keep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo(dir.path());
    for (nip, file) in [("5261048379", "a.json"), ("5832219473", "b.json")] {
        let out = ksef_audit(&demo)
            .args(["audit", "--from", "tokens.json", "--nip", nip])
            .args(["--format", "json", "-o", file, "-q"])
            .output()
            .expect("audit runs");
        assert!(out.status.code().is_some(), "{}", text(&out.stderr));
    }
    let out = ksef_audit(&demo)
        .args(["merge", "a.json", "b.json", "-o", "m.json", "-q"])
        .output()
        .expect("merge runs");
    assert!(out.status.code().is_some(), "{}", text(&out.stderr));
    let merged: AuditResults =
        serde_json::from_str(&std::fs::read_to_string(demo.join("m.json")).expect("m.json"))
            .expect("merged document");
    let ids: std::collections::BTreeSet<&str> = merged
        .findings
        .iter()
        .filter(|f| !f.excepted)
        .map(|f| f.id.as_str())
        .collect();
    assert!(ids.len() > 10);
    let gathered: std::collections::BTreeSet<&str> = merged
        .items
        .iter()
        .flat_map(|i| i.finding_ids.iter().map(String::as_str))
        .collect();
    assert_eq!(
        ids, gathered,
        "every kept finding is in an item, no item names another"
    );
    let finding_nips: std::collections::BTreeSet<&str> =
        merged.findings.iter().map(|f| f.nip.as_str()).collect();
    for i in &merged.items {
        assert!(
            i.nips.iter().all(|n| finding_nips.contains(n.as_str())),
            "{i:?}"
        );
    }
}
