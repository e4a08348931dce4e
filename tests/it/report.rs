//! `report`: renderers on one canonical result set (three quarters, a leak scan, a staff
//! list), escaping, masking, trend, CSV and the CLI's error messages.

/// `ksef-audit calendar`, checked with an independent iCalendar parser.
mod calendar;
/// The review's per-client items.
mod review_items;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use ksef_audit::render::csv::CsvOptions;
use ksef_audit::render::html;
use ksef_audit::render::html::CsvTable;
use ksef_audit::render::html::NipMasking;
use ksef_audit::render::html::ReportInput;
use ksef_audit::render::html::ReportKind;
use ksef_audit::render::html::ReportOptions;
use ksef_model::AuditResults;
use ksef_model::DueDays;
use ksef_model::LeakResults;
use ksef_model::ReportFacts;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::i18n::Lang;
use ksef_policy::posture::report_facts;
use ksef_policy::posture::report_rules;
use ksef_policy::rule::load_policy_rules;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/results")
        .join(name)
}

fn audit(q: &str) -> AuditResults {
    let text = std::fs::read_to_string(fixture(&format!("audit-{q}.json"))).expect("fixture");
    serde_json::from_str(&text).expect("fixture parses")
}

fn leaks() -> LeakResults {
    let text = std::fs::read_to_string(fixture("leaks-2026q4.json")).expect("fixture");
    serde_json::from_str(&text).expect("fixture parses")
}

fn staff() -> Vec<StaffMember> {
    vec![StaffMember {
        row: 2,
        id: "anna.nowak@biuro.pl".into(),
        name: Some("Anna Nowak".into()),
        pesel: Some("85010112345".into()),
        nip: None,
        fingerprint: None,
        status: StaffStatus::Active,
        left_on: None,
    }]
}

/// Q4 with leaks, Q2 and Q3 as history (given out of order on purpose).
fn canonical() -> ReportInput {
    with_facts(ReportInput {
        audit: Some(audit("2026q4")),
        leaks: Some(leaks()),
        previous: vec![audit("2026q3"), audit("2026q2")],
        staff: staff(),
        offboard_records: None,
        facts: ReportFacts::default(),
    })
}

/// Decides scores, KPIs, due dates and changes as `ksef-audit report` does (evaluate,
/// not render).
fn with_facts(mut input: ReportInput) -> ReportInput {
    input.facts = facts(input.audit.as_ref(), input.leaks.as_ref(), &input.previous);
    input
}

fn facts(
    audit: Option<&AuditResults>,
    leaks: Option<&LeakResults>,
    previous: &[AuditResults],
) -> ReportFacts {
    let now = opts(Lang::En).now.expect("now");
    let rules = load_policy_rules(None).expect("built-in rules");
    report_facts(
        audit,
        leaks,
        previous,
        DueDays::default(),
        &report_rules(&rules),
        now,
    )
}

fn opts(lang: Lang) -> ReportOptions {
    ReportOptions {
        lang,
        now: Some(
            DateTime::parse_from_rfc3339("2026-11-21T07:30:00Z")
                .expect("valid")
                .with_timezone(&Utc),
        ),
        ..ReportOptions::default()
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({filters => vec![
        (r"ksef-audit \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?", "ksef-audit [VERSION]"),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn quarterly_report_snapshot() {
    let html = html::render_quarterly(&canonical(), &opts(Lang::En)).expect("renders");
    snapshot("quarterly_en", &html);
}

#[test]
fn quarterly_report_polish_snapshot() {
    let html = html::render_quarterly(&canonical(), &opts(Lang::Pl)).expect("renders");
    assert!(html.contains("Podsumowanie dla zarządu"));
    assert!(html.contains("<html lang=\"pl\">"));
    snapshot("quarterly_pl", &html);
}

#[test]
fn review_report_snapshot() {
    let html = html::render_review(&canonical(), &opts(Lang::En)).expect("renders");
    snapshot("review_en", &html);
}

#[test]
fn csv_snapshots() {
    let input = canonical();
    let o = opts(Lang::En);
    let view = html::build_view(&input, &o, ReportKind::Quarterly).expect("builds");
    let findings = html::render_csv(&view, CsvTable::Findings, CsvOptions::default()).expect("csv");
    let clients = html::render_csv(&view, CsvTable::Clients, CsvOptions::default()).expect("csv");
    snapshot("findings_csv", &String::from_utf8(findings).expect("utf-8"));
    snapshot("clients_csv", &String::from_utf8(clients).expect("utf-8"));
}

#[test]
fn html_in_descriptions_and_inventory_cells_renders_as_text() {
    for html in [
        html::render_review(&canonical(), &opts(Lang::En)).expect("renders"),
        html::render_quarterly(&canonical(), &opts(Lang::En)).expect("renders"),
    ] {
        assert!(
            !html.to_ascii_lowercase().contains("<script"),
            "a <script> element got through"
        );
        assert!(
            !html.contains("<b>"),
            "an inventory header got through as markup"
        );
        assert!(!html.contains("<ERP>") && !html.contains("<Przykład>"));
        assert!(
            html.contains("&lt;Przykład&gt;"),
            "firm name must be escaped, not dropped"
        );
    }
    let review = html::render_review(&canonical(), &opts(Lang::En)).expect("renders");
    // The token description and the extra inventory column (header and cell).
    assert!(review.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; token"));
    assert!(review.contains("Cost centre &lt;b&gt;"));
    assert!(review.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    // The leak path too.
    assert!(review.contains("deploy&#x2f;&lt;script&gt;.yaml"));
}

#[test]
fn report_is_self_contained() {
    let html = html::render_quarterly(&canonical(), &opts(Lang::En)).expect("renders");
    assert!(!html.contains("http://") || !html.contains("src=\"http"));
    for needle in [
        "<link",
        "<script",
        "<img",
        "@import",
        "src=\"http",
        "url(http",
    ] {
        assert!(
            !html.contains(needle),
            "report references something outside itself: {needle}"
        );
    }
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(html.contains("@media print") && html.contains("size: A4"));
    assert!(
        html.contains("table-header-group"),
        "table headers repeat on printed pages"
    );
}

#[test]
fn pesels_never_appear_raw() {
    for staff in [staff(), Vec::new()] {
        let mut input = canonical();
        let known = !staff.is_empty();
        input.staff = staff;
        let o = opts(Lang::En);
        let review = html::render_review(&input, &o).expect("renders");
        let quarterly = html::render_quarterly(&input, &o).expect("renders");
        let view = html::build_view(&input, &o, ReportKind::Review).expect("builds");
        let csv = String::from_utf8(
            html::render_csv(&view, CsvTable::Findings, CsvOptions::default()).expect("csv"),
        )
        .expect("utf-8");
        for out in [&review, &quarterly, &csv] {
            assert!(!out.contains("85010112345"), "raw PESEL of a staff member");
            assert!(
                !out.contains("90020254321"),
                "raw PESEL of an unknown author"
            );
        }
        assert!(review.contains("90*******21"), "unknown PESEL is masked");
        if known {
            assert!(
                review.contains("faktury PESEL Anna Nowak"),
                "known PESEL shows the staff name"
            );
        } else {
            assert!(review.contains("faktury PESEL 85*******45"));
        }
    }
}

#[test]
fn mask_nip_masks_sole_traders_or_all() {
    let sole = "9512345675";
    let company = "5265877635";
    let mut o = opts(Lang::En);
    o.mask_nip = NipMasking::Only(BTreeSet::from([sole.to_string()]));
    let review = html::render_review(&canonical(), &o).expect("renders");
    let view = html::build_view(&canonical(), &o, ReportKind::Quarterly).expect("builds");
    let csv = String::from_utf8(
        html::render_csv(&view, CsvTable::Clients, CsvOptions::default()).expect("csv"),
    )
    .expect("utf-8");
    for out in [&review, &csv] {
        assert!(!out.contains(sole), "sole trader's NIP must be masked");
        assert!(out.contains("951*****75"));
        assert!(out.contains(company), "a company's NIP stays readable");
    }
    // Evidence text mentioning the NIP is masked as well.
    assert!(review.contains("token of NIP 951*****75"));

    o.mask_nip = NipMasking::All;
    let quarterly = html::render_quarterly(&canonical(), &o).expect("renders");
    let review = html::render_review(&canonical(), &o).expect("renders");
    for nip in [sole, company, "7762811692"] {
        assert!(
            !quarterly.contains(nip) && !review.contains(nip),
            "{nip} must be masked"
        );
    }
}

#[test]
fn trend_over_three_quarters_with_a_client_audited_in_two() {
    let view =
        html::build_view(&canonical(), &opts(Lang::En), ReportKind::Quarterly).expect("builds");
    let quarters: Vec<_> = view.trend.rows.iter().map(|r| r.quarter.as_str()).collect();
    assert_eq!(
        quarters,
        ["2026Q2", "2026Q3", "2026Q4"],
        "sorted by date, current last"
    );
    let audited: Vec<_> = view.trend.rows.iter().map(|r| r.audited.as_str()).collect();
    assert_eq!(audited, ["2/2", "3/3", "2/3"]);
    assert_eq!(view.trend.bars.bars.len(), 3);
    assert_eq!(view.trend.line.dots.len(), 3);
    assert!(view.trend.has_history);

    // Against Q3: A's stale row was fixed; B (incomplete now) is not "resolved";
    // C (first audited in Q3) has a new finding and a persisting one.
    let c = &view.changes;
    assert_eq!(c.compared_with, "2026Q3");
    let resolved: Vec<_> = c.resolved.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(resolved, ["f-a-stale"]);
    assert_eq!(c.not_rechecked, 2, "B's two findings were not re-checked");
    let new: BTreeSet<_> = c.new.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(new, BTreeSet::from(["f-a-unused", "f-a-pii", "f-c-noexp"]));
    assert_eq!(c.persisting, 3);
    assert_eq!(c.first_audit, 0);

    // Per client: B incomplete (no score), C compared with Q3.
    let b = view
        .clients
        .iter()
        .find(|r| r.nip == "7762811692")
        .expect("B");
    assert!(b.incomplete && b.score == "–");
    assert_eq!(
        view.clients[0].nip, "7762811692",
        "unknown (incomplete) ranks worst"
    );
    let cl = view
        .clients
        .iter()
        .find(|r| r.nip == "9512345675")
        .expect("C");
    assert_ne!(cl.change, "first audit");
}

#[test]
fn client_missing_from_the_previous_quarter_counts_as_first_audit() {
    let mut input = canonical();
    input.previous = vec![audit("2026q2")];
    let input = with_facts(input);
    let view = html::build_view(&input, &opts(Lang::En), ReportKind::Quarterly).expect("builds");
    assert_eq!(view.changes.compared_with, "2026Q2");
    // C was not audited in Q2: its findings are neither new nor resolved.
    assert_eq!(view.changes.first_audit, 2);
    assert!(view.changes.new.iter().all(|f| f.nip != "9512345675"));
    let c = view
        .clients
        .iter()
        .find(|r| r.nip == "9512345675")
        .expect("C");
    assert_eq!(c.change, "first audit");
    assert_eq!(view.trend.rows.len(), 2);
}

#[test]
fn kpis_compare_with_the_last_quarter() {
    let view =
        html::build_view(&canonical(), &opts(Lang::En), ReportKind::Quarterly).expect("builds");
    let kpi = |label: &str| {
        view.kpis
            .iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("kpi {label}"))
    };
    assert_eq!(
        kpi("Leaked tokens found").value,
        "2",
        "one per fingerprint, not per place"
    );
    assert_eq!(kpi("Leaked tokens still active").value, "1");
    assert_eq!(kpi("Accepted risks expired").value, "1");
    assert_eq!(kpi("Accepted risks expiring within 30 days").value, "1");
    let owners = kpi("Active tokens with a named owner");
    assert_eq!((owners.value.as_str(), owners.dir), ("83%", "worse"));
    assert_eq!(view.risks.len(), 5);
    // Audit-only score is 59; an active leaked token caps it at 49.
    assert_eq!((view.score.value.as_str(), view.score.band), ("49", "poor"));
    let mut no_leaks = canonical();
    no_leaks.leaks = None;
    let no_leaks = with_facts(no_leaks);
    let view2 =
        html::build_view(&no_leaks, &opts(Lang::En), ReportKind::Quarterly).expect("builds");
    assert_eq!(view2.score.value, "59");
    assert_eq!(view.risks[0].severity, "critical");
}

#[test]
fn template_override_and_strict_undefined() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("partials")).expect("mkdir");
    std::fs::write(
        dir.path().join("partials/cover.html"),
        "<section class=\"cover\"><h1>Custom {{ cover.firm }}</h1></section>",
    )
    .expect("write");
    let mut o = opts(Lang::En);
    o.templates = Some(dir.path().to_path_buf());
    let html = html::render_quarterly(&canonical(), &o).expect("renders");
    assert!(html.contains("<h1>Custom Biuro Rachunkowe &lt;Przykład&gt; Sp. z o.o.</h1>"));

    std::fs::write(
        dir.path().join("partials/cover.html"),
        "{{ cover.no_such_field }}",
    )
    .expect("write");
    let err = html::render_quarterly(&canonical(), &o).expect_err("strict undefined");
    let msg = err.to_string();
    assert!(
        msg.contains("quarterly.html") && msg.contains("help:"),
        "{msg}"
    );
}

#[test]
fn leaks_only_and_audit_only_entry_points() {
    let l = leaks();
    let html =
        html::render_leaks_html(&l, facts(None, Some(&l), &[]), &opts(Lang::En)).expect("renders");
    assert!(html.contains("ACTIVE: revoke now"));
    assert!(html.contains("No audit results were given"));
    let a = audit("2026q4");
    let html =
        html::render_audit_html(&a, facts(Some(&a), None, &[]), &opts(Lang::En)).expect("renders");
    assert!(html.contains("docs&#x2f;rules.md#admin-permission"));
    assert!(html.contains("No leak scan results were given"));
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("ksef-audit").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn cli_writes_html_and_exits_2_for_an_incomplete_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("q.html");
    let a = fixture("audit-2026q4.json");
    cli()
        .args([
            "report",
            "--kind",
            "quarterly",
            "--quarter",
            "2026Q4",
            "--lang",
            "pl",
        ])
        .arg("--audit")
        .arg(&a)
        .arg("--previous")
        .arg(fixture("audit-2026q3.json"))
        .arg("--staff")
        .arg(fixture("staff.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    let html = std::fs::read_to_string(&out).expect("written");
    assert!(html.contains("Zakres: zbadane konteksty NIP: 2 z 3; niekompletne: 1"));
    assert!(!html.contains("85010112345"));

    // A complete audit renders with exit 0.
    cli()
        .args(["report", "--kind", "review"])
        .arg("--audit")
        .arg(fixture("audit-2026q3.json"))
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .assert()
        .code(0);
}

#[test]
fn cli_csv_excel_has_bom_and_semicolons() {
    let out = cli()
        .args([
            "report",
            "--format",
            "csv",
            "--csv-excel",
            "--table",
            "clients",
            "--mask-nip=all",
        ])
        .arg("--audit")
        .arg(fixture("audit-2026q3.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout
            .starts_with("\u{feff}nip;name;status;".as_bytes())
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    assert!(!text.contains("5265877635"));
}

#[test]
fn cli_names_the_file_when_an_input_is_the_wrong_kind() {
    let out = cli()
        .args(["report"])
        .arg("--audit")
        .arg(fixture("leaks-2026q4.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("leaks-2026q4.json") && err.contains("'ksef-audit/leaks' document"),
        "{err}"
    );
    assert!(
        err.contains("help: --audit takes the JSON written by `ksef-audit audit"),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("old.json");
    let text = std::fs::read_to_string(fixture("audit-2026q3.json"))
        .expect("fixture")
        .replacen("\"schema_version\": 1", "\"schema_version\": 99", 1);
    std::fs::write(&old, text).expect("write");
    let out = cli()
        .args(["report", "--audit"])
        .arg(&old)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("old.json") && err.contains("schema_version 99"),
        "{err}"
    );

    let out = cli()
        .args(["report", "--audit", "no/such/file.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read 'no/such/file.json'") && err.contains("help:"),
        "{err}"
    );

    let out = cli().args(["report"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to report"));
}

#[test]
fn hostile_owner_cell_in_audit_csv_excel_is_neutralised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory/basic");
    let inventory = std::fs::read_to_string(basic.join("inventory.csv"))
        .expect("fixture")
        .replacen(
            ";jan@firma.pl;",
            ";\"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";",
            1,
        )
        .replacen(";anna@firma.pl;", ";@SUM(1+1);", 1);
    std::fs::write(dir.path().join("inventory.csv"), inventory).expect("write");
    let out = cli()
        .args(["audit", "--csv-excel"])
        .arg("--from")
        .arg(basic.join("snapshot.json"))
        .arg("--inventory")
        .arg(dir.path().join("inventory.csv"))
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(text.starts_with('\u{feff}'), "{stderr}");
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let owner = rows
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "owner")
        .expect("owner column");
    let owners: Vec<String> = rows
        .records()
        .map(|r| r.expect("row")[owner].to_string())
        .collect();
    assert!(
        owners.contains(&"'=HYPERLINK(\"http://evil.example\";\"x\")".to_string()),
        "{owners:?}"
    );
    assert!(owners.contains(&"'@SUM(1+1)".to_string()), "{owners:?}");
    for cell in text.split([';', '\n']) {
        let cell = cell.trim_matches(['"', '\r']).trim_start();
        assert!(!cell.starts_with(['=', '+', '@']), "live formula: {cell}");
    }
}

#[test]
fn demo_reports_have_a_three_quarter_trend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let current = audit("2026q4");
    let history = ksef_audit::app::report::demo_history(&current);
    assert_eq!(history.len(), 2);
    assert!(history[0].generated_at < history[1].generated_at);
    assert!(history[1].generated_at < current.generated_at);
    assert_eq!(
        history[0].contexts.len() + 1,
        current.contexts.len(),
        "one client joined later"
    );
    let written = ksef_audit::app::report::write_demo_reports(
        dir.path(),
        &current,
        Some(&leaks()),
        &[],
        None,
    )
    .expect("writes");
    // Issue 14: two earlier quarters' audit results, then the three reports.
    assert_eq!(written.len(), 5);
    for (path, q) in written[..2].iter().zip(["2026q2", "2026q3"]) {
        assert!(
            path.ends_with(format!("audit-{q}.json")),
            "{}",
            path.display()
        );
        let text = std::fs::read_to_string(path).expect("read");
        let earlier: AuditResults = serde_json::from_str(&text).expect("usable with --previous");
        assert!(earlier.generated_at < current.generated_at);
    }
    let quarterly = std::fs::read_to_string(&written[3]).expect("read");
    for q in ["2026Q2", "2026Q3", "2026Q4"] {
        assert!(quarterly.contains(q), "trend shows {q}");
    }
}

/// Issue 14: the urgent facts lead the management page and the review's first page,
/// before anything else of the report.
#[test]
fn issue_14_active_leak_and_incomplete_context_lead_the_reports() {
    let input = canonical();
    let quarterly = html::render_quarterly(&input, &opts(Lang::En)).expect("renders");
    let exec = quarterly.find("id=\"executive\"").expect("management page");
    let urgent = quarterly.find("id=\"urgent\"").expect("act-now box");
    let kpis = quarterly.find("class=\"kpis\"").expect("kpi table");
    assert!(
        exec < urgent && urgent < kpis,
        "act now opens the management page"
    );
    let review = html::render_review(&input, &opts(Lang::En)).expect("renders");
    let urgent = review.find("id=\"urgent\"").expect("act-now box");
    let summary = review.find("id=\"summary\"").expect("summary");
    assert!(
        urgent < summary,
        "act now is on the cover page of the review"
    );
    let box_text = &review[urgent..summary];
    assert!(
        box_text.contains("still works in KSeF: revoke it now"),
        "{box_text}"
    );
    assert!(
        box_text.contains("could not be audited in full"),
        "{box_text}"
    );
    // The cover no longer leads with digests; they are in the appendix.
    let cover_end = review.find("</section>").expect("cover");
    assert!(!review[..cover_end].contains("SHA-256"));
    assert!(review.contains("SHA-256"));
}

/// Issue 14: Polish labels a native speaker accepts.
#[test]
fn issue_14_polish_wording() {
    let html = html::render_quarterly(&canonical(), &opts(Lang::Pl)).expect("renders");
    assert!(html.contains("Istotność"));
    assert!(html.contains("Rozwiązane"));
    assert!(html.contains("Do natychmiastowego działania"));
    assert!(!html.contains("Waga<"), "severity is Istotność, not Waga");
    assert!(!html.contains("nieznany KSeF"));
    assert!(!html.contains("firm not named") && !html.contains("nazwa firmy nieustawiona"));
}
