//! Permission grants as a user meets them (issue 9): `permissions` in every format,
//! `audit` marking a context whose grants could not be read as incomplete, the reports'
//! grants section, and `revoke --grants` (dry run, `--yes`, its refusals). The simulator
//! runs in the test process on loopback; the binary talks to it. No PESEL appears
//! unmasked anywhere a person reads.

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use ksef_model::AuditResults;
use ksef_model::ContextStatus;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::PermissionState;
use ksef_model::TokenSnapshot;
use ksef_sim as simulator;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;
use support::fixture::*;

/// Jan Nowak, on the staff list as `left`.
const LEAVER_PESEL: &str = "85010112345";
/// On neither the staff list nor the known parties.
const STRANGER_PESEL: &str = "92071512346";
/// A current employee.
const STAFF_PESEL: &str = "88020212344";

fn id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn grant(n: usize, holder: GrantIdentifier, scope: GrantScope, delegate: bool) -> GrantRecord {
    let base: DateTime<Utc> = "2025-06-01T08:00:00Z".parse().expect("date");
    GrantRecord {
        id: id(n),
        kind: GrantKind::Person,
        holder,
        scope,
        description: format!("uprawnienie {n}"),
        start_date: base + chrono::Duration::days(n as i64 % 300),
        can_delegate: delegate,
        author: Some(GrantIdentifier::nip(BETA)),
        target: None,
        context: None,
        state: Some(PermissionState::Active),
        subject: None,
        extra: Default::default(),
    }
}

/// Beta: a leaver with InvoiceWrite, a stranger with InvoiceRead, a current employee,
/// and Beta's own NIP (the auditing token's author) with a delegable CredentialsManage.
fn beta_grants() -> Vec<GrantRecord> {
    vec![
        grant(
            1,
            GrantIdentifier::pesel(LEAVER_PESEL),
            GrantScope::InvoiceWrite,
            false,
        ),
        grant(
            2,
            GrantIdentifier::pesel(STRANGER_PESEL),
            GrantScope::InvoiceRead,
            false,
        ),
        grant(
            3,
            GrantIdentifier::pesel(STAFF_PESEL),
            GrantScope::InvoiceRead,
            false,
        ),
        grant(
            4,
            GrantIdentifier::nip(BETA),
            GrantScope::CredentialsManage,
            true,
        ),
    ]
}

/// Alfa: `n` grants of current staff, more than one page (100 a page).
fn alfa_grants(n: usize) -> Vec<GrantRecord> {
    (0..n)
        .map(|i| {
            let mut g = grant(
                100 + i,
                GrantIdentifier::pesel(STAFF_PESEL),
                GrantScope::InvoiceRead,
                false,
            );
            g.author = Some(GrantIdentifier::nip(ALFA));
            g
        })
        .collect()
}

struct Env {
    rt: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
    fixture: Fixture,
    dir: tempfile::TempDir,
}

impl Env {
    fn new(alfa: usize) -> Env {
        Env::with_grants(alfa, Vec::new())
    }

    /// [`Env::new`] with `extra` grants in Beta.
    fn with_grants(alfa: usize, extra: Vec<GrantRecord>) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut fixture = basic();
        for ctx in &mut fixture.contexts {
            if ctx.nip == BETA {
                ctx.grants = beta_grants();
                ctx.grants.extend(extra.iter().cloned());
            } else if ctx.nip == ALFA {
                ctx.grants = alfa_grants(alfa);
            }
        }
        let sim = rt
            .block_on(simulator::start(fixture.clone(), SimOptions::default()))
            .expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("staff.csv"),
            format!(
                "id,name,pesel,nip,status,left_on\njan@firma.pl,Jan Nowak,{LEAVER_PESEL},,left,2025-11-30\nanna@firma.pl,Anna Kowalska,{STAFF_PESEL},,active,\n"
            ),
        )
        .expect("staff");
        Env {
            rt,
            sim: Some(sim),
            fixture,
            dir,
        }
    }

    fn sim(&self) -> &SimHandle {
        self.sim.as_ref().expect("running")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary in an empty directory, pointed at the simulator, with both auditor tokens.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ksef-audit").expect("binary");
        c.env_clear()
            .current_dir(self.dir.path())
            .args(["--env", &self.sim().base_url])
            .env(
                "KSEF_TOKEN_5265877635",
                token(&self.fixture, ALFA, ALFA_AUDITOR).expose(),
            )
            .env(
                "KSEF_TOKEN_7762811692",
                token(&self.fixture, BETA, BETA_AUDITOR).expose(),
            );
        c
    }

    /// `audit --format json -o audit.json` of Beta (with the staff list).
    fn audit_beta(&self) -> AuditResults {
        let out = self
            .cmd()
            .args([
                "--nip",
                BETA,
                "audit",
                "--staff",
                "staff.csv",
                "--format",
                "json",
            ])
            .args(["--exit-zero", "-o", "audit.json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        read_audit(&self.path("audit.json"))
    }

    fn deletes(&self) -> Vec<String> {
        self.sim()
            .requests()
            .into_iter()
            .filter(|r| r.method == "DELETE" && r.path.contains("/permissions/"))
            .map(|r| r.path[r.path.find("/permissions/").unwrap_or(0)..].to_string())
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn read_audit(path: &Path) -> AuditResults {
    serde_json::from_slice(&std::fs::read(path).expect("audit.json")).expect("audit JSON")
}

fn assert_no_pesel(what: &str, s: &str) {
    for p in [LEAVER_PESEL, STRANGER_PESEL, STAFF_PESEL] {
        assert!(!s.contains(p), "{what} shows PESEL {p} unmasked:\n{s}");
    }
}

#[test]
fn permissions_lists_every_grant_in_every_format_with_pesels_masked() {
    // Alfa has 130 grants: two pages of the listing.
    let env = Env::new(130);
    let nips = ["--nip", ALFA, "--nip", BETA];

    let table = env
        .cmd()
        .args(nips)
        .arg("permissions")
        .output()
        .expect("runs");
    assert_eq!(table.status.code(), Some(0), "{}", text(&table));
    let out = String::from_utf8_lossy(&table.stdout).into_owned();
    assert_no_pesel("the table", &text(&table));
    assert!(out.contains(&id(1)) && out.contains(&id(229)), "{out}");
    assert!(out.contains("85*******45"), "masked leaver: {out}");

    let csv = env
        .cmd()
        .args(nips)
        .args(["permissions", "--format", "csv"])
        .output()
        .expect("runs");
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv));
    let body = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_no_pesel("the CSV", &text(&csv));
    let header = body.lines().next().expect("header");
    assert!(header.contains(','), "{header}");
    // Header + 130 of Alfa + 4 of Beta.
    assert_eq!(body.lines().count(), 1 + 130 + 4, "{body}");

    let excel = env
        .cmd()
        .args(nips)
        .args(["permissions", "--csv-excel"])
        .output()
        .expect("runs");
    assert_eq!(excel.status.code(), Some(0), "{}", text(&excel));
    assert!(excel.stdout.starts_with("\u{feff}".as_bytes()), "BOM");
    let body = String::from_utf8_lossy(&excel.stdout).into_owned();
    assert!(body.lines().next().expect("header").contains(';'), "{body}");
    assert_no_pesel("the Excel CSV", &text(&excel));

    // JSON is the snapshot: the firm's own data, identifiers in full for joins.
    let json = env
        .cmd()
        .args(nips)
        .args(["permissions", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let snap: TokenSnapshot = serde_json::from_slice(&json.stdout).expect("snapshot");
    let alfa = snap.contexts.iter().find(|c| c.nip == ALFA).expect("alfa");
    assert_eq!(alfa.grants.len(), 130, "every page read");
    let beta = snap.contexts.iter().find(|c| c.nip == BETA).expect("beta");
    assert!(
        beta.grants
            .iter()
            .any(|g| g.holder == GrantIdentifier::pesel(LEAVER_PESEL))
    );
    assert_no_pesel(
        "stderr of the JSON run",
        &String::from_utf8_lossy(&json.stderr),
    );
}

#[test]
fn a_credential_without_credentials_read_leaves_the_context_incomplete_and_says_why() {
    let env = Env::new(3);
    let out = env
        .cmd()
        .env(
            "KSEF_TOKEN_5265877635",
            token(&env.fixture, ALFA, ALFA_INVOICING).expose(),
        )
        .args([
            "--nip",
            ALFA,
            "audit",
            "--format",
            "json",
            "-o",
            "audit.json",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("lacks CredentialsRead"), "{stderr}");
    let audit = read_audit(&env.path("audit.json"));
    assert_eq!(audit.contexts[0].status, ContextStatus::Incomplete);
    let reason = audit.contexts[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("permission grants not read"), "{reason}");
    assert!(audit.contexts[0].grants.is_empty());
    assert!(audit.findings.iter().all(|f| f.grant_id.is_none()));
}

#[test]
fn a_grant_listing_failing_midway_makes_the_audit_incomplete_never_clean() {
    let env = Env::new(230);
    env.sim().set_faults(
        Some(ALFA),
        Faults {
            grants_fail_from_page: Some(1),
            ..Faults::default()
        },
    );
    let out = env
        .cmd()
        .args([
            "--nip",
            ALFA,
            "--nip",
            BETA,
            "audit",
            "--staff",
            "staff.csv",
        ])
        .args(["--format", "json", "-o", "audit.json"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission grants not read"), "{stderr}");
    assert!(stderr.contains(ALFA), "{stderr}");
    let audit = read_audit(&env.path("audit.json"));
    let alfa = audit.contexts.iter().find(|c| c.nip == ALFA).expect("alfa");
    assert_eq!(alfa.status, ContextStatus::Incomplete);
    assert!(alfa.grants.is_empty(), "no partial list is kept");
    // The other context goes on and is judged.
    let beta = audit.contexts.iter().find(|c| c.nip == BETA).expect("beta");
    assert_eq!(beta.status, ContextStatus::Complete);
    assert!(
        audit
            .findings
            .iter()
            .any(|f| f.nip == BETA && f.grant_id.is_some())
    );
}

#[test]
fn reports_have_a_grants_section_with_leavers_first_and_no_pesel() {
    let env = Env::new(0);
    let audit = env.audit_beta();
    let beta = &audit.contexts[0];
    assert_eq!(beta.grants.len(), 4);
    let json = std::fs::read_to_string(env.path("audit.json")).expect("read");
    assert_no_pesel("audit.json", &json);
    for kind in ["review", "quarterly"] {
        let file = format!("{kind}.html");
        let out = env
            .cmd()
            .args([
                "report",
                "--audit",
                "audit.json",
                "--kind",
                kind,
                "-o",
                &file,
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let html = std::fs::read_to_string(env.path(&file)).expect("html");
        assert_no_pesel(&file, &html);
        let section = &html[html.find("id=\"grants\"").expect("grants section")..];
        let leaver = section.find("85*******45").expect("leaver listed");
        let stranger = section.find("92*******46").expect("stranger listed");
        assert!(leaver < stranger, "leavers first");
        assert!(
            html.contains("People who left the firm still hold permission grants (grants: 1, people: 1, client contexts: 1)"),
            "urgent fact in {file}"
        );
        if kind == "review" {
            // Everyone who can act, including current staff.
            assert!(section.contains("88*******44"), "{file}");
        }
    }
}

/// The audit CSV names the grant of every grant finding (`grant_id`), to join with
/// `permissions`; token findings leave it empty.
#[test]
fn audit_csv_names_the_grant_of_each_grant_finding() {
    let env = Env::new(0);
    let audit = env.audit_beta();
    let out = env
        .cmd()
        .args(["--nip", BETA, "audit", "--staff", "staff.csv"])
        .args(["--format", "csv", "--exit-zero", "-o", "audit.csv"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let csv = std::fs::read_to_string(env.path("audit.csv")).expect("csv");
    assert_no_pesel("audit.csv", &csv);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (id, grant) = (col("id"), col("grant_id"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let mut grant_findings = 0;
    for f in &audit.findings {
        let row = rows
            .iter()
            .find(|r| r[id] == f.id)
            .expect("a row per finding");
        let expected = f.subject.as_ref().and_then(|s| s.grant_id()).unwrap_or("");
        assert_eq!(&row[grant], expected, "{} ({})", f.rule, f.id);
        grant_findings += usize::from(!expected.is_empty());
    }
    assert!(grant_findings >= 2, "Beta's leaver and stranger grants");
}

#[test]
fn revoke_grants_lists_in_a_dry_run_and_removes_after_a_live_recheck_with_yes() {
    let env = Env::new(0);
    let audit = env.audit_beta();
    assert!(
        audit
            .findings
            .iter()
            .any(|f| f.grant_id.as_deref() == Some(id(1).as_str()))
    );

    // Without --rule: the leavers' grants only.
    let dry = env
        .cmd()
        .args(["revoke", "--grants", "--from", "audit.json"])
        .output()
        .expect("runs");
    let out = text(&dry);
    assert_eq!(dry.status.code(), Some(0), "{out}");
    assert!(
        out.contains("would revoke 1 grant(s) found by grant-held-by-leaver"),
        "{out}"
    );
    assert!(out.contains(&id(1)) && !out.contains(&id(2)), "{out}");
    assert!(out.contains("dry run: nothing was revoked"), "{out}");
    assert_no_pesel("the dry run", &out);
    assert!(env.deletes().is_empty(), "a dry run removes nothing");

    // --rule picks the findings (by name or id) that need a person's judgement first.
    let rules = [
        "--rule",
        "grant-held-by-leaver",
        "--rule",
        "grant-held-by-stranger",
        "--rule",
        "POL024",
    ];
    let picked = env
        .cmd()
        .args(["revoke", "--grants", "--from", "audit.json"])
        .args(rules)
        .output()
        .expect("runs");
    let out = text(&picked);
    assert!(out.contains("would revoke 3 grant(s)"), "{out}");
    assert!(
        out.contains(&id(1)) && out.contains(&id(2)) && out.contains(&id(4)),
        "{out}"
    );
    assert!(!out.contains(&id(3)), "no finding, no removal: {out}");
    assert!(env.deletes().is_empty(), "a dry run removes nothing");

    let yes = env
        .cmd()
        .args([
            "revoke",
            "--grants",
            "--yes",
            "--max-actions",
            "10",
            "--staff",
            "staff.csv",
            "--from",
            "audit.json",
        ])
        .args(rules)
        .output()
        .expect("runs");
    let out = text(&yes);
    assert_eq!(yes.status.code(), Some(2), "refusals make exit 2: {out}");
    assert!(
        out.contains(&format!("revoked  {BETA}  {}", id(1))),
        "{out}"
    );
    assert!(
        out.contains(&format!("revoked  {BETA}  {}", id(2))),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "REFUSED  {BETA}  {}: this grant is held by the credential",
            id(4)
        )),
        "the auditing credential's own access is never removed: {out}"
    );
    assert!(out.contains("2 revoked, 0 failed"), "{out}");
    assert_no_pesel("revoke --yes", &out);
    let mut deletes = env.deletes();
    deletes.sort();
    assert_eq!(
        deletes,
        vec![
            format!("/permissions/common/grants/{}", id(1)),
            format!("/permissions/common/grants/{}", id(2)),
        ]
    );

    // Run again: KSeF no longer lists them, so nothing more is removed.
    let again = env
        .cmd()
        .args([
            "revoke",
            "--grants",
            "--yes",
            "--max-actions",
            "10",
            "--staff",
            "staff.csv",
            "--from",
            "audit.json",
        ])
        .args(rules)
        .output()
        .expect("runs");
    let out = text(&again);
    assert_eq!(again.status.code(), Some(2), "{out}");
    assert!(out.contains("KSeF no longer lists this grant"), "{out}");
    assert_eq!(env.deletes().len(), 2, "{out}");
}

/// A misspelt `--rule` is an error naming the grant rules, not an empty successful run.
#[test]
fn revoke_grants_refuses_an_unknown_rule_name() {
    let env = Env::new(0);
    env.audit_beta();
    let out = env
        .cmd()
        .args(["revoke", "--grants", "--from", "audit.json"])
        .args(["--rule", "grant-held-by-lever"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(err.contains("--rule 'grant-held-by-lever'"), "{err}");
    assert!(err.contains("grant-held-by-leaver (POL021)"), "{err}");
    assert!(env.deletes().is_empty());
}

#[test]
fn revoke_grants_refuses_an_edited_results_file() {
    let env = Env::new(0);
    env.audit_beta();
    // Point the leaver's finding at the staff member's grant.
    let path = env.path("audit.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    for f in doc["findings"].as_array_mut().expect("findings") {
        if f["grant_id"] == serde_json::json!(id(1)) {
            f["grant_id"] = serde_json::json!(id(3));
            f["subject"]["grant_id"] = serde_json::json!(id(3));
        }
    }
    std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write");
    let out = env
        .cmd()
        .args([
            "revoke",
            "--grants",
            "--yes",
            "--max-actions",
            "10",
            "--staff",
            "staff.csv",
            "--from",
            "audit.json",
        ])
        .args(["--rule", "POL021"])
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!("REFUSED  {BETA}  {}", id(3))) && all.contains("edited results file"),
        "{all}"
    );
    assert!(env.deletes().is_empty(), "{all}");
}

#[test]
fn the_demo_reports_show_grant_findings_without_a_pesel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("demo-out");
    let out = Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(dir.path())
        .args(["demo", "--out"])
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let snap: TokenSnapshot =
        serde_json::from_slice(&std::fs::read(out_dir.join("tokens.json")).expect("snapshot"))
            .expect("JSON");
    let pesels: BTreeSet<String> = snap
        .contexts
        .iter()
        .flat_map(|c| &c.grants)
        .flat_map(|g| g.holder_keys())
        .filter(|k| k.kind == ksef_model::IdentifierType::Pesel)
        .map(|k| k.value().to_string())
        .collect();
    assert!(!pesels.is_empty(), "the demo firm's grants name people");
    for (file, urgent, kpi) in [
        (
            "report-review.html",
            "People who left the firm still hold permission grants",
            None,
        ),
        (
            "report-quarterly.html",
            "People who left the firm still hold permission grants",
            Some("Grants held by people who left"),
        ),
        (
            "raport-kwartalny.html",
            "Osoby, które odeszły z firmy, nadal mają nadane uprawnienia",
            Some("Uprawnienia osób, które odeszły"),
        ),
    ] {
        let html = std::fs::read_to_string(out_dir.join(file)).expect("report");
        assert!(html.contains("id=\"grants\""), "{file}: grants section");
        assert!(html.contains(urgent), "{file}: urgent leavers");
        if let Some(kpi) = kpi {
            assert!(html.contains(kpi), "{file}: grant KPI");
            // People who left: the demo's leaver links the dry-run record the demo kept.
            assert!(
                html.contains(
                    "class=\"record\" href=\"offboard&#x2f;offboard-piotr.wisniewski-at-bilans.example.pl-"
                ),
                "{file}: link to the offboarding record"
            );
        }
        for p in &pesels {
            assert!(!html.contains(p.as_str()), "{file} shows PESEL {p}");
        }
    }
    // The audit document keeps grants and grant findings with the holder masked (token
    // records keep their author as KSeF gives it, as before).
    let audit = read_audit(&out_dir.join("audit.json"));
    let grants =
        serde_json::to_string(&audit.contexts.iter().map(|c| &c.grants).collect::<Vec<_>>())
            .expect("json");
    let findings = serde_json::to_string(
        &audit
            .findings
            .iter()
            .filter(|f| f.grant_id.is_some())
            .collect::<Vec<_>>(),
    )
    .expect("json");
    assert!(grants.contains("left"), "{grants}");
    for p in &pesels {
        assert!(
            !grants.contains(p.as_str()),
            "audit.json grants keep PESEL {p}"
        );
        assert!(
            !findings.contains(p.as_str()),
            "grant findings keep PESEL {p}"
        );
    }
}

/// The leaver's finding copied onto another grant of Beta, with its id recomputed as the audit
/// computes it: every check of the document itself passes.
fn forge_leaver_finding(env: &Env, grant: &GrantRecord) {
    let path = env.path("audit.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let findings = doc["findings"].as_array_mut().expect("findings");
    let mut forged = findings
        .iter()
        .find(|f| f["grant_id"] == serde_json::json!(id(1)))
        .expect("the leaver's finding")
        .clone();
    forged["grant_id"] = serde_json::json!(grant.id);
    forged["subject"]["grant_id"] = serde_json::json!(grant.id);
    forged["subject"]["holder"] = serde_json::json!(grant.holder.masked());
    forged["subject"]["holder_name"] = serde_json::json!("Jan Nowak");
    forged["subject"]["permissions"] = serde_json::json!([grant.scope.as_str()]);
    forged["id"] = serde_json::json!(ksef_policy::evaluate::finding_id(
        "grant-held-by-leaver",
        BETA,
        &grant.id
    ));
    findings.push(forged);
    std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write");
}

/// Issue 21, point 4: a finding with a recomputed id naming a co-owner's CredentialsManage
/// grant is refused, because the rule that named it, evaluated again on what KSeF lists now
/// with the staff list, does not find it; the honest finding still goes through.
#[test]
fn issue_21_revoke_refuses_a_forged_finding_naming_a_co_owners_credentials_manage_grant() {
    let co_owner = grant(
        5,
        GrantIdentifier::pesel(STAFF_PESEL),
        GrantScope::CredentialsManage,
        true,
    );
    let env = Env::with_grants(0, vec![co_owner.clone()]);
    env.audit_beta();
    forge_leaver_finding(&env, &co_owner);
    let out = env
        .cmd()
        .args(["revoke", "--grants", "--yes", "--max-actions", "10"])
        .args(["--staff", "staff.csv", "--from", "audit.json"])
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "REFUSED  {BETA}  {}: grant-held-by-leaver does not find this grant",
            id(5)
        )),
        "{all}"
    );
    assert!(
        all.contains(&format!("revoked  {BETA}  {}", id(1))),
        "{all}"
    );
    assert!(!all.contains("Jan Nowak"), "names come from KSeF: {all}");
    assert_eq!(
        env.deletes(),
        vec![format!("/permissions/common/grants/{}", id(1))],
        "{all}"
    );
}

/// Issue 21, point 4: without a staff list the leaver rule cannot be re-derived: refused.
#[test]
fn issue_21_revoke_without_a_staff_list_refuses_leaver_grants() {
    let env = Env::new(0);
    env.audit_beta();
    let out = env
        .cmd()
        .args(["revoke", "--grants", "--yes", "--max-actions", "10"])
        .args(["--from", "audit.json"])
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!("REFUSED  {BETA}  {}", id(1))) && all.contains("staff list"),
        "{all}"
    );
    assert!(env.deletes().is_empty(), "{all}");
}

/// Issue 21, point 4: the last CredentialsManage grant of a context is never removed, even
/// when an honest finding names it.
#[test]
fn issue_21_revoke_never_removes_the_last_credentials_manage_grant() {
    let g = grant(
        1,
        GrantIdentifier::pesel(LEAVER_PESEL),
        GrantScope::CredentialsManage,
        false,
    );
    let mut ctx = ksef_model::ContextSnapshot {
        nip: BETA.into(),
        name: None,
        environment: "test".into(),
        status: ContextStatus::Complete,
        reason: None,
        reason_code: None,
        fetched_at: Utc::now(),
        duration_ms: 0,
        auditor_reference: None,
        auditor_permissions: None,
        tokens: Vec::new(),
        grants: vec![g.clone()],
        certificates: Default::default(),
    };
    assert!(
        ksef_audit::app::revoke_plan::protected_grant(&ctx, &g, &Default::default())
            .is_some_and(|r| r.contains("last CredentialsManage"))
    );
    let own = grant(
        4,
        GrantIdentifier::nip(BETA),
        GrantScope::InvoiceRead,
        false,
    );
    ctx.grants.push(own.clone());
    assert!(
        ksef_audit::app::revoke_plan::protected_grant(&ctx, &own, &Default::default())
            .is_some_and(|r| r.contains("firm's own grant"))
    );
}

/// Issue 21, point 5: `--nip` scopes every action of `revoke --grants --yes`.
#[test]
fn issue_21_revoke_yes_is_scoped_by_nip() {
    let env = Env::new(0);
    env.audit_beta();
    let out = env
        .cmd()
        .args([
            "--nip",
            ALFA,
            "revoke",
            "--grants",
            "--yes",
            "--max-actions",
            "10",
        ])
        .args(["--staff", "staff.csv", "--from", "audit.json"])
        .output()
        .expect("runs");
    let all = text(&out);
    assert!(all.contains("outside --nip"), "{all}");
    assert!(env.deletes().is_empty(), "another NIP's grants: {all}");
}

/// Issue 21, point 5: without a terminal, `--yes` needs `--max-actions N` and refuses a plan
/// with more actions (exit 2, nothing removed).
#[test]
fn issue_21_revoke_yes_without_a_terminal_needs_max_actions() {
    let env = Env::new(0);
    env.audit_beta();
    let rules = ["--rule", "POL021", "--rule", "POL023"];
    let out = env
        .cmd()
        .args(["revoke", "--grants", "--yes", "--staff", "staff.csv"])
        .args(["--from", "audit.json"])
        .args(rules)
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("2 grant(s) in 1 context(s)") && all.contains("--max-actions N"),
        "{all}"
    );
    assert!(env.deletes().is_empty(), "{all}");
    let out = env
        .cmd()
        .args(["revoke", "--grants", "--yes", "--max-actions", "1"])
        .args(["--staff", "staff.csv", "--from", "audit.json"])
        .args(rules)
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("more than --max-actions 1"), "{all}");
    assert!(env.deletes().is_empty(), "{all}");
}
