//! Whole-audit scenarios on committed fixtures (`tests/fixtures/inventory/<scenario>`).

/// The whole audit against the simulator.
mod advice;
/// The demo firm: every rule fires.
mod demo;
mod items;
mod outbound;
mod simulator;

use std::path::{Path, PathBuf};

use ksef_audit::app::audit::AuditOutput;
use ksef_audit::app::audit::AuditRequest;
use ksef_audit::app::audit::audit_snapshot;
use ksef_audit::app::audit::read_snapshot;
use ksef_audit::app::audit::render;
use ksef_audit::app::audit::render_in;
use ksef_audit::cli::AuditArgs;
use ksef_audit::cli::AuditFormat;
use ksef_audit::cli::GlobalArgs;
use ksef_audit::cli::OutputsArgs;
use ksef_audit::config::Config;
use ksef_audit::inputs::inventory::read_inventory;
use ksef_model::AuditResults;
use ksef_model::BaselineState;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_policy::audit::outcome;

fn fixture(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inventory")
        .join(scenario)
}

fn args(scenario: &str) -> AuditArgs {
    let dir = fixture(scenario);
    let opt = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
    AuditArgs {
        from: Some(dir.join("snapshot.json")),
        inventory: opt("inventory.csv"),
        staff: opt("staff.csv"),
        exceptions: opt("exceptions.toml"),
        outputs: OutputsArgs {
            format: vec![AuditFormat::Json],
            ..OutputsArgs::default()
        },
        ..AuditArgs::default()
    }
}

fn global() -> GlobalArgs {
    GlobalArgs {
        quiet: true,
        ..GlobalArgs::default()
    }
}

fn audit(args: &AuditArgs) -> AuditResults {
    let (snapshot, digest) = read_snapshot(args.from.as_deref().expect("from")).expect("snapshot");
    let request = AuditRequest::new(args, &global(), &Config::default()).expect("request");
    audit_snapshot(&request, snapshot, Some(digest))
        .expect("audit runs")
        .results
}

fn json(results: &AuditResults) -> String {
    let mut out = Vec::new();
    render(results, &AuditOutput::Json, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

fn snapshot_findings(name: &str, results: &AuditResults) {
    insta::assert_json_snapshot!(name, results, {
        ".tool_version" => "[version]",
        ".digests" => "[digests]",
        ".warnings[]" => insta::dynamic_redaction(|value, _| {
            // Paths in warnings depend on where the repository is checked out.
            let s = value.as_str().unwrap_or_default().to_string();
            insta::internals::Content::from(s.replace(env!("CARGO_MANIFEST_DIR"), "[root]"))
        }),
    });
}

#[test]
fn basic_scenario_findings() {
    let results = audit(&args("basic"));
    snapshot_findings("basic", &results);
    assert_eq!(outcome(&results, Severity::High, false), Outcome::Findings);
}

#[test]
fn clean_scenario_has_no_findings_and_passes() {
    let results = audit(&args("clean"));
    snapshot_findings("clean", &results);
    assert!(results.findings.is_empty());
    assert_eq!(outcome(&results, Severity::Info, false), Outcome::Clean);
}

#[test]
fn incomplete_context_is_carried_and_never_clean() {
    let results = audit(&args("incomplete"));
    snapshot_findings("incomplete", &results);
    assert_eq!(results.summary.contexts_incomplete, 1);
    // The Delta row cannot be checked: no stale-inventory-entry from a context we could not read.
    assert!(
        !results
            .findings
            .iter()
            .any(|f| f.rule == "stale-inventory-entry")
    );
    assert_eq!(
        outcome(&results, Severity::Critical, false),
        Outcome::Incomplete
    );
    assert_eq!(
        outcome(&results, Severity::Critical, false).with_exit_zero(true),
        Outcome::Incomplete
    );
}

#[test]
fn same_input_gives_byte_identical_json() {
    let a = json(&audit(&args("basic")));
    let b = json(&audit(&args("basic")));
    assert_eq!(a, b);
}

#[test]
fn token_values_never_reach_the_output() {
    let results = audit(&args("basic"));
    let secret = "40824da31c455915d590314383bf31a5dac1f34b85b3471d78a1a93cf8f414ce";
    let text = json(&results);
    assert!(!text.contains(secret));
    let mut csv = Vec::new();
    render(&results, &AuditOutput::Csv { excel: false }, &mut csv).expect("csv");
    let mut txt = Vec::new();
    render(&results, &AuditOutput::Text, &mut txt).expect("text");
    for out in [csv, txt] {
        assert!(!String::from_utf8_lossy(&out).contains(secret));
    }
    assert!(
        results
            .findings
            .iter()
            .any(|f| f.rule == "secret-in-inventory")
    );
}

#[test]
fn exceptions_mark_expire_and_warn() {
    let results = audit(&args("basic"));
    let never_used = results
        .findings
        .iter()
        .find(|f| f.rule == "never-used")
        .expect("never-used finding");
    assert!(never_used.excepted);
    let rotation: Vec<_> = results
        .findings
        .iter()
        .filter(|f| f.rule == "rotation-due")
        .collect();
    assert!(
        rotation.iter().all(|f| !f.excepted),
        "expired exception must not apply"
    );
    assert!(
        results
            .warnings
            .iter()
            .any(|w| w.contains("expired on 2025-12-31"))
    );
    assert!(
        results
            .warnings
            .iter()
            .any(|w| w.contains("matched no finding"))
    );
}

#[test]
fn baseline_marks_new_unchanged_and_fixed() {
    let full = audit(&args("basic"));
    // A baseline from before: one finding that is gone now, and all but one of today's.
    let mut before = full.clone();
    let dropped = before.findings.remove(0);
    let mut gone = before.findings[0].clone();
    gone.id = "0".repeat(64);
    gone.reference_number = Some("20240101-EC-0000000099-0000000099-99".into());
    before.findings.push(gone);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("previous.json");
    std::fs::write(&path, json(&before)).expect("write baseline");
    let mut a = args("basic");
    a.baseline = Some(path);
    let results = audit(&a);
    let new: Vec<_> = results
        .findings
        .iter()
        .filter(|f| f.baseline == Some(BaselineState::New))
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].id, dropped.id);
    assert_eq!(results.fixed.len(), 1);
    assert_eq!(results.fixed[0].baseline, Some(BaselineState::Fixed));
    // --fail-on-new: only the new finding counts.
    let only_new = outcome(&results, dropped.severity, true);
    assert_eq!(only_new, Outcome::Findings);
    let mut b = args("basic");
    b.baseline = Some(dir.path().join("same.json"));
    std::fs::write(b.baseline.as_ref().expect("path"), json(&full)).expect("write");
    let again = audit(&b);
    assert_eq!(outcome(&again, Severity::Info, true), Outcome::Clean);
    assert_eq!(outcome(&again, Severity::Info, false), Outcome::Findings);
}

#[test]
fn csv_excel_has_bom_and_semicolons() {
    let results = audit(&args("basic"));
    let mut out = Vec::new();
    render(&results, &AuditOutput::Csv { excel: true }, &mut out).expect("csv");
    assert!(out.starts_with(b"\xEF\xBB\xBFid;rule;rule_id;severity;nip"));
    let mut plain = Vec::new();
    render(&results, &AuditOutput::Csv { excel: false }, &mut plain).expect("csv");
    let text = String::from_utf8(plain).expect("utf-8");
    assert!(text.starts_with("id,rule,rule_id,severity,nip"));
    assert_eq!(text.lines().count(), results.findings.len() + 1);
    assert!(text.contains("\r\n"));
}

#[test]
fn malformed_inventory_names_row_and_column_of_every_problem() {
    let err = read_inventory(&fixture("malformed").join("inventory.csv")).expect_err("malformed");
    let problems = err.problems();
    assert_eq!(problems.len(), 4, "{err}");
    for p in problems {
        assert!(p.row.is_some() && p.column.is_some(), "{p}");
    }
    let msg = err.to_string();
    for expected in [
        "row 2, column E ('Expiry date'): bad date '31.02.2026'",
        "row 3, column A ('Entity'): bad NIP '7773103961'",
        "row 4, column B ('Reference'): reference number '20251201-EC-00000000A1-00000000A1-A1' is listed twice (first in row 2)",
        "row 4, column F ('Permissions'): unknown permission 'InvoiceRaed'",
    ] {
        assert!(msg.contains(expected), "missing {expected:?} in:\n{msg}");
    }
    let missing = read_inventory(&fixture("malformed").join("missing-column.csv"))
        .expect_err("missing column");
    assert!(
        missing
            .to_string()
            .contains("row 1: missing required column 'reference_number'"),
        "{missing}"
    );
}

/// One exceptions file serves `audit` and `leaks`: the audit leaves the leak rules'
/// exceptions alone, but an exception for a misspelt rule still warns.
#[test]
fn audit_ignores_the_leak_scans_exceptions_but_not_a_typo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let entry = |rule: &str| {
        format!(
            "[[exception]]\nrule = \"{rule}\"\ntarget = \"2025*\"\nreason = \"r\"\nowner = \"sec@example.test\"\nexpires = \"2999-12-31\"\n\n"
        )
    };
    let path = dir.path().join("exceptions.toml");
    std::fs::write(
        &path,
        entry("ksef-token-v2") + &entry("LEAK003") + &entry("rotaton-due"),
    )
    .expect("write");
    let mut a = args("basic");
    a.exceptions = Some(path);
    let results = audit(&a);
    let warned: Vec<&String> = results
        .warnings
        .iter()
        .filter(|w| w.contains("matched no finding"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("'rotaton-due'"), "{warned:?}");
}

/// Issue 14: the terminal text leads with what must not wait (the reports' "Act now"):
/// leavers' live tokens come before the contexts and the findings.
#[test]
fn issue_14_text_leads_with_act_now() {
    let results = audit(&args("basic"));
    let mut out = Vec::new();
    render(&results, &AuditOutput::Text, &mut out).expect("text");
    let text = String::from_utf8(out).expect("utf-8");
    let act = text.find("Act now\n").expect("an Act now block");
    let contexts = text.find("Contexts\n").expect("contexts");
    assert!(act < contexts, "{text}");
    let block = text[act..contexts].split_whitespace().collect::<Vec<_>>();
    let block = block.join(" ");
    assert!(
        block.contains("HIGH Tokens owned by people who have left the firm. Still active: 1"),
        "{block}"
    );
    // A clean audit has no such block.
    let mut clean = results.clone();
    clean.findings.clear();
    clean.items.clear();
    let mut out = Vec::new();
    render(&clean, &AuditOutput::Text, &mut out).expect("text");
    assert!(!String::from_utf8(out).expect("utf-8").contains("Act now"));
}

/// Issue 14: the terminal report in Polish (labels, finding texts, evidence, plural forms).
#[test]
fn issue_14_polish_report_text() {
    use ksef_model::i18n::Lang;
    // The fixture's path differs per checkout, and the text wraps around it: the path is
    // replaced before rendering, so the lines break the same way everywhere.
    let results = audit(&args("basic"));
    let json = serde_json::to_string(&results)
        .expect("json")
        .replace(env!("CARGO_MANIFEST_DIR"), "[root]");
    let results = serde_json::from_str(&json).expect("results");
    let mut out = Vec::new();
    render_in(&results, &AuditOutput::Text, Lang::Pl, &mut out).expect("text");
    let text = String::from_utf8(out).expect("utf-8");
    // 1 / 2–4 / 5+: "1 token", "7 tokenów w 2 kontekstach", "21 ustaleń".
    assert!(text.contains("   1 token (aktywne: 1)"), "{text}");
    // Lines wrap at the width: the words are checked, not where the lines break.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Podsumowanie: 21 ustaleń ("), "{text}");
    assert!(flat.contains("7 tokenów w 2 kontekstach"), "{text}");
    // No English finding words left in the Polish report.
    for english in [
        "evidence:",
        "remediation:",
        " days ago",
        "not in the inventory",
        "holds ",
    ] {
        assert!(
            !text.contains(english),
            "'{english}' in the Polish report:\n{text}"
        );
    }
    insta::assert_snapshot!("text_pl", text);
}

/// Issue 14: the findings CSV for Polish Excel: Polish headers in the English columns' order,
/// Polish value words, identifiers as they are.
#[test]
fn issue_14_polish_excel_csv() {
    use ksef_audit::render::audit::CSV_HEADERS;
    use ksef_audit::render::audit::CSV_HEADERS_PL;
    use ksef_audit::render::audit::CSV_SUBJECT_COLUMNS_PL;
    use ksef_model::i18n::Lang;
    let results = audit(&args("basic"));
    let mut out = Vec::new();
    render_in(
        &results,
        &AuditOutput::Csv { excel: true },
        Lang::Pl,
        &mut out,
    )
    .expect("csv");
    let body = out.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    let expected: Vec<String> = CSV_HEADERS_PL
        .iter()
        .chain(CSV_SUBJECT_COLUMNS_PL)
        .map(|h| h.to_string())
        .collect();
    assert_eq!(headers, expected);
    assert_eq!(CSV_HEADERS.len(), CSV_HEADERS_PL.len());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), results.findings.len());
    for (row, f) in rows.iter().zip(&results.findings) {
        assert_eq!(&row[0], f.id, "the id stays as it is");
        assert_eq!(&row[1], f.rule, "the rule name stays as it is");
        assert!(
            ["krytyczna", "wysoka", "średnia", "niska", "informacyjna"].contains(&&row[3]),
            "severity '{}'",
            &row[3]
        );
        assert!(
            ["tak", "nie"].contains(&&row[11]),
            "excepted '{}'",
            &row[11]
        );
        let pl = f.pl.as_ref().expect("every built-in rule has Polish words");
        assert_eq!(&row[8], pl.message);
        assert_eq!(&row[10], pl.remediation);
    }
}
