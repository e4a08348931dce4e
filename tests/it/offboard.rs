//! `ksef-audit offboard PERSON` (issue 24) against the simulator on loopback: six contexts
//! (one signed in with a certificate, two unreadable), a leaver who authored three tokens
//! (two used by a colleague's ERP, one unused), holds one grant and one certificate. The dry
//! run names exactly those and sends no DELETE; `--yes` revokes only the unused token and
//! removes the grant; `--revoke-in-use` also revokes the in-use tokens; nothing of anyone
//! else is touched; no secret, key or PESEL shows anywhere.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use chrono::{Duration, Utc};
use ksef_model::CertificateRecord;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::PermissionState;
use ksef_model::TokenRecord;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::FixtureToken;
use ksef_sim::SimHandle;
use ksef_sim::ca::CertSubject;
use ksef_sim::ca::KeyKind;
use ksef_sim::ca::ScenarioCa;

use crate::support::cli;
use crate::support::sim::RunningSim;

const LEAVER_PESEL: &str = "85010112345";
const COLLEAGUE_PESEL: &str = "88020212344";
const OTHER_LEAVER_PESEL: &str = "92071512346";

/// Token sign-in, CredentialsManage: two leaver tokens (one in use), a colleague's token,
/// the leaver's grant, the colleague's grant and the firm's own CredentialsManage.
const A: &str = "5265877635";
/// Token sign-in, CredentialsManage: one in-use leaver token, another leaver's token and grant.
const B: &str = "7762811692";
/// Certificate sign-in: the leaver's certificate and the colleague's.
const C: &str = "9512384066";
/// Token sign-in: nothing of the leaver.
const D: &str = "6771835266";
/// No credential: unreadable.
const E: &str = "8123456701";
const F: &str = "5832219473";

const LEAVER_CERT: &str = "10000000000000A1";
const COLLEAGUE_CERT: &str = "10000000000000B2";

fn reference(n: u32) -> String {
    let head = format!("20250301-EC-{n:010X}-{:010X}", n * 7);
    format!("{head}-{:02X}", ksef_model::crc8(head.as_bytes()))
}

fn secret(n: u32) -> String {
    ksef_model::fingerprint_hex(format!("offboard-secret-{n}").as_bytes())
}

fn token(
    nip: &str,
    n: u32,
    author: (&str, &str),
    perms: &[&str],
    used_days: Option<i64>,
) -> FixtureToken {
    let now = Utc::now();
    let record: TokenRecord = serde_json::from_value(serde_json::json!({
        "referenceNumber": reference(n),
        "authorIdentifier": {"type": author.0, "value": author.1},
        "contextIdentifier": {"type": "Nip", "value": nip},
        "description": format!("token {n}"),
        "requestedPermissions": perms,
        "dateCreated": (now - Duration::days(200)).to_rfc3339(),
        "lastUseDate": used_days.map(|d| (now - Duration::days(d)).to_rfc3339()),
        "status": "Active",
        "statusDetails": [],
    }))
    .expect("token record");
    FixtureToken {
        record,
        secret: Some(secret(n)),
    }
}

fn grant(n: u32, holder: GrantIdentifier, scope: GrantScope, author: &str) -> GrantRecord {
    GrantRecord {
        id: format!("00000000-0000-4000-8000-{n:012}"),
        kind: GrantKind::Person,
        holder,
        scope,
        description: format!("uprawnienie {n}"),
        start_date: Utc::now() - Duration::days(100),
        can_delegate: false,
        author: Some(GrantIdentifier::nip(author)),
        target: None,
        context: None,
        state: Some(PermissionState::Active),
        subject: None,
        extra: Default::default(),
    }
}

fn certificate(serial: &str, pesel: &str) -> CertificateRecord {
    let now = Utc::now();
    serde_json::from_value(serde_json::json!({
        "certificateSerialNumber": serial,
        "name": format!("Certyfikat {serial}"),
        "type": "Authentication",
        "commonName": "Osoba",
        "status": "Active",
        "subjectIdentifier": {"type": "Pesel", "value": pesel},
        "validFrom": (now - Duration::days(100)).to_rfc3339(),
        "validTo": (now + Duration::days(600)).to_rfc3339(),
        "lastUseDate": (now - Duration::days(2)).to_rfc3339(),
        "requestDate": (now - Duration::days(101)).to_rfc3339(),
    }))
    .expect("certificate record")
}

fn context(nip: &str, tokens: Vec<FixtureToken>, grants: Vec<GrantRecord>) -> FixtureContext {
    FixtureContext {
        nip: nip.into(),
        name: Some(format!("Klient {nip}")),
        internal_id: None,
        faults: None,
        tokens,
        grants,
        certificates: Vec::new(),
        certificate_limits: None,
    }
}

const MANAGE: &[&str] = &["CredentialsManage"];
const INVOICING: &[&str] = &["InvoiceRead", "InvoiceWrite"];

/// Token numbers: 1, 11, 21, 31 are the auditors'; 2 and 3 (A) and 12 (B) the leaver's.
fn fixture() -> Fixture {
    let leaver = ("Pesel", LEAVER_PESEL);
    let colleague = ("Pesel", COLLEAGUE_PESEL);
    let mut a = context(
        A,
        vec![
            token(A, 1, ("Nip", A), MANAGE, Some(0)),
            token(A, 2, leaver, INVOICING, None),
            token(A, 3, leaver, INVOICING, Some(90)),
            token(A, 4, colleague, INVOICING, Some(1)),
        ],
        vec![
            grant(
                1,
                GrantIdentifier::pesel(LEAVER_PESEL),
                GrantScope::InvoiceWrite,
                A,
            ),
            grant(
                2,
                GrantIdentifier::pesel(COLLEAGUE_PESEL),
                GrantScope::InvoiceRead,
                A,
            ),
            grant(3, GrantIdentifier::nip(A), GrantScope::CredentialsManage, A),
        ],
    );
    a.grants[2].can_delegate = true;
    let b = context(
        B,
        vec![
            token(B, 11, ("Nip", B), MANAGE, Some(0)),
            token(B, 12, leaver, INVOICING, None),
            token(B, 13, ("Pesel", OTHER_LEAVER_PESEL), INVOICING, None),
        ],
        vec![grant(
            11,
            GrantIdentifier::pesel(OTHER_LEAVER_PESEL),
            GrantScope::InvoiceRead,
            B,
        )],
    );
    let mut c = context(
        C,
        vec![token(C, 21, colleague, INVOICING, Some(3))],
        Vec::new(),
    );
    c.certificates = vec![
        certificate(LEAVER_CERT, LEAVER_PESEL),
        certificate(COLLEAGUE_CERT, COLLEAGUE_PESEL),
    ];
    let d = context(
        D,
        vec![
            token(D, 31, ("Nip", D), &["CredentialsRead"], Some(0)),
            token(D, 32, colleague, INVOICING, Some(5)),
        ],
        Vec::new(),
    );
    Fixture {
        contexts: vec![
            a,
            b,
            c,
            d,
            context(E, Vec::new(), Vec::new()),
            context(F, Vec::new(), Vec::new()),
        ],
    }
}

struct Env {
    sim: RunningSim,
    fixture: Fixture,
    dir: tempfile::TempDir,
    key_pem: String,
}

impl Env {
    fn new() -> Env {
        let ca = ScenarioCa::generate("Offboard CA", KeyKind::P256).expect("ca");
        let issued = ca
            .issue_for_two_years(
                &CertSubject::Firm {
                    nip: C.into(),
                    organization: "Transbud".into(),
                    common_name: "Transbud".into(),
                },
                KeyKind::P256,
            )
            .expect("issue");
        let fixture = fixture();
        let sim = RunningSim::start(fixture.clone());
        sim.handle().trust_ca(ca.certificate_der());
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("cert.pem"), issued.certificate_pem()).expect("cert");
        let key_pem = issued.key_pkcs8_pem();
        std::fs::write(d.join("key.pem"), &key_pem).expect("key");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("key.pem"), std::fs::Permissions::from_mode(0o600))
            .expect("chmod");
        let mut config = String::from("firm = \"Biuro Testowe\"\n");
        for nip in [A, B, D, E, F] {
            config.push_str(&format!("[[contexts]]\nnip = \"{nip}\"\n"));
        }
        config.push_str(&format!(
            "[[contexts]]\nnip = \"{C}\"\ncertificate = \"cert.pem\"\nprivate-key = \"key.pem\"\n"
        ));
        std::fs::write(d.join("ksef-audit.toml"), config).expect("config");
        std::fs::write(
            d.join("staff.csv"),
            format!(
                "id,name,pesel,status,left_on\njan@firma.pl,Jan Nowak,{LEAVER_PESEL},left,2026-11-30\nanna@firma.pl,Anna Kowalska,{COLLEAGUE_PESEL},active,\npiotr@firma.pl,Piotr Zieliński,{OTHER_LEAVER_PESEL},left,2026-10-31\n"
            ),
        )
        .expect("staff");
        std::fs::write(
            d.join("inventory.csv"),
            format!(
                "nip,reference_number,name,system,owner\n{A},{},faktury,ERP Symfonia,anna@firma.pl\n{B},{},faktury,ERP Symfonia,anna@firma.pl\n{A},{},stary,Optima,jan@firma.pl\n",
                reference(2),
                reference(12),
                reference(3)
            ),
        )
        .expect("inventory");
        Env {
            sim,
            fixture,
            dir,
            key_pem: key_pem.to_string(),
        }
    }

    fn sim(&self) -> &SimHandle {
        self.sim.handle()
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ksef-audit").expect("binary");
        c.env_clear()
            .current_dir(self.dir.path())
            .env("USER", "audytor")
            .args(["--env", &self.sim().base_url]);
        for (nip, n) in [(A, 1), (B, 11), (D, 31)] {
            c.env(
                format!("KSEF_TOKEN_{nip}"),
                format!("{}|nip-{nip}|{}", reference(n), secret(n)),
            );
        }
        c
    }

    fn offboard(&self, extra: &[&str]) -> Output {
        self.cmd()
            .args(["offboard", "jan@firma.pl", "--staff", "staff.csv"])
            .args(["--inventory", "inventory.csv"])
            .args(extra)
            .output()
            .expect("runs")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The paths of every DELETE the simulator received.
    fn deletes(&self) -> Vec<String> {
        self.sim()
            .requests()
            .into_iter()
            .filter(|r| r.method == "DELETE" && !r.path.ends_with("/auth/sessions/current"))
            .map(|r| r.path)
            .collect()
    }

    /// No token secret, key or PESEL in `what`.
    fn assert_clean(&self, what: &str, text: &str) {
        for ctx in &self.fixture.contexts {
            for t in &ctx.tokens {
                let s = t.secret.as_deref().expect("secret");
                assert!(!text.contains(s), "{what}: a token secret shows:\n{text}");
            }
        }
        for p in [LEAVER_PESEL, COLLEAGUE_PESEL, OTHER_LEAVER_PESEL] {
            assert!(!text.contains(p), "{what}: PESEL {p} shows:\n{text}");
        }
        assert!(!text.contains("PRIVATE KEY"), "{what}: a key shows");
        let body: String = self
            .key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(!text.contains(&body[..40]), "{what}: key material shows");
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", cli::text(&out.stdout), cli::text(&out.stderr))
}

/// `(kind, nip, key, action, result)` of every action of a JSON record.
fn actions(path: &std::path::Path) -> Vec<(String, String, String, String, String)> {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("record")).expect("json");
    let mut out: Vec<_> = doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| {
            let key = ["reference_number", "grant_id", "certificate_serial"]
                .iter()
                .find_map(|k| a[*k].as_str())
                .unwrap_or("")
                .to_string();
            let s = |k: &str| a[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("nip"), key, s("action"), s("result"))
        })
        .collect();
    out.sort();
    out
}

fn row(
    kind: &str,
    nip: &str,
    key: &str,
    action: &str,
    result: &str,
) -> (String, String, String, String, String) {
    (
        kind.into(),
        nip.into(),
        key.into(),
        action.into(),
        result.into(),
    )
}

fn grant_id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

#[test]
fn issue_24_offboard_plans_then_acts_on_exactly_the_leavers_access() {
    let env = Env::new();
    // The dry run: exactly the leaver's three tokens, one grant and one certificate; the
    // unreadable contexts make it incomplete (exit 2); no DELETE.
    let out = env.offboard(&["-o", "plan.json", "-o", "plan.txt", "-o", "plan.html"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        env.deletes().is_empty(),
        "the dry run sent {:?}",
        env.deletes()
    );
    let planned = actions(&env.path("plan.json"));
    assert_eq!(
        planned,
        vec![
            row("certificate", C, LEAVER_CERT, "owner-revokes", "left"),
            row("grant", A, &grant_id(1), "remove", "planned"),
            row("token", A, &reference(2), "rotate-then-revoke", "planned"),
            row("token", A, &reference(3), "revoke", "planned"),
            row("token", B, &reference(12), "rotate-then-revoke", "planned"),
        ]
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("plan.json")).expect("plan")).expect("json");
    assert_eq!(doc["kind"], "ksef-audit/offboard");
    assert_eq!(doc["schema_version"], 1);
    let statuses: Vec<(String, String)> = doc["contexts"]
        .as_array()
        .expect("contexts")
        .iter()
        .map(|c| {
            (
                c["nip"].as_str().unwrap_or("").into(),
                c["status"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    for nip in [A, B, C, D] {
        assert!(
            statuses.contains(&(nip.into(), "complete".into())),
            "{statuses:?}"
        );
    }
    for nip in [E, F] {
        assert!(
            statuses.contains(&(nip.into(), "incomplete".into())),
            "{statuses:?}"
        );
    }
    let plan_text = std::fs::read_to_string(env.path("plan.txt")).expect("text");
    assert!(
        plan_text.contains("rotate: anna@firma.pl replaces it in ERP Symfonia, then revoke (by "),
        "{plan_text}"
    );
    assert!(plan_text.contains("INCOMPLETE"), "{plan_text}");
    let html = std::fs::read_to_string(env.path("plan.html")).expect("html");
    assert!(html.contains("<h1>Offboarding record</h1>"), "{html}");
    for (what, s) in [
        ("output", &all),
        ("json", &doc.to_string()),
        ("text", &plan_text),
        ("html", &html),
    ] {
        env.assert_clean(what, s);
    }

    // --yes without a terminal: only the unused token and the grant; in-use tokens left.
    let out = env.offboard(&[
        "--yes",
        "--max-actions",
        "10",
        "--format",
        "json",
        "-o",
        "done.json",
    ]);
    let all = text(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unreadable contexts stay incomplete: {all}"
    );
    env.assert_clean("--yes", &all);
    let mut deletes = env.deletes();
    deletes.sort();
    assert_eq!(
        deletes,
        vec![
            format!("/v2/permissions/common/grants/{}", grant_id(1)),
            format!("/v2/tokens/{}", reference(3)),
        ],
        "{all}"
    );
    let done = actions(&env.path("done.json"));
    assert!(
        done.contains(&row("token", A, &reference(3), "revoke", "done")),
        "{done:?}"
    );
    assert!(
        done.contains(&row("grant", A, &grant_id(1), "remove", "done")),
        "{done:?}"
    );
    assert!(
        done.contains(&row(
            "token",
            A,
            &reference(2),
            "rotate-then-revoke",
            "left"
        )),
        "{done:?}"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("done.json")).expect("done")).expect("json");
    assert!(doc["access_gone_on"].is_string(), "{doc}");

    // --revoke-in-use: the two in-use tokens too; nothing else.
    env.sim().clear_requests();
    let out = env.offboard(&[
        "--yes",
        "--max-actions",
        "10",
        "--revoke-in-use",
        "-o",
        "in-use.json",
    ]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let mut deletes = env.deletes();
    deletes.sort();
    let mut expected = vec![
        format!("/v2/tokens/{}", reference(2)),
        format!("/v2/tokens/{}", reference(12)),
    ];
    expected.sort();
    assert_eq!(deletes, expected, "{all}");

    // Re-run: only the owner-only certificate is left.
    let out = env.offboard(&["--nip", A, "--nip", B, "--nip", C, "-o", "after.json"]);
    let after = actions(&env.path("after.json"));
    assert_eq!(
        after,
        vec![row("certificate", C, LEAVER_CERT, "owner-revokes", "left")],
        "{}",
        text(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Where nothing is left, the dry run exits 0.
    let out = env.offboard(&["--nip", A, "--nip", B, "-o", "none.json"]);
    assert!(actions(&env.path("none.json")).is_empty(), "{}", text(&out));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn issue_24_offboard_refuses_an_ambiguous_or_unknown_person_without_a_pesel() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["offboard", "90010112349", "--staff", "staff.csv"])
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("no one on the staff list is the PESEL given"),
        "{all}"
    );
    assert!(!all.contains("90010112349"), "{all}");
    assert!(
        env.sim().requests().is_empty(),
        "no KSeF call before the person is known"
    );
}

#[test]
fn issue_24_offboard_yes_without_a_terminal_needs_max_actions_and_does_nothing() {
    let env = Env::new();
    let out = env.offboard(&["--nip", A, "--yes"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(
            "refusing to revoke 1 token(s) and remove 1 grant(s) in 1 context(s) of jan@firma.pl"
        ),
        "{all}"
    );
    assert!(env.deletes().is_empty(), "{:?}", env.deletes());
}

/// A grant removal KSeF reports failed (its operation status) is a failed action, the
/// grant stays, the token is still revoked, and the run exits 2; `revoke --grants` shares it.
#[test]
fn issue_24_offboard_yes_follows_each_grant_removal_to_its_operation_status() {
    let env = Env::new();
    env.sim().set_faults(
        Some(A),
        ksef_sim::Faults {
            grant_operation_code: Some(410),
            ..ksef_sim::Faults::default()
        },
    );
    let out = env.offboard(&["--nip", A, "--yes", "--max-actions", "5", "-o", "done.json"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let done = actions(&env.path("done.json"));
    assert!(
        done.contains(&row("grant", A, &grant_id(1), "remove", "failed")),
        "{done:?}"
    );
    assert!(
        done.contains(&row("token", A, &reference(3), "revoke", "done")),
        "{done:?}"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("done.json")).expect("done")).expect("json");
    let note = doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["kind"] == "grant")
        .and_then(|a| a["note"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(note.contains("failed (status 410)"), "{note}");
    let requests = env.sim().requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path.contains("/permissions/operations/")),
        "the operation status was asked for"
    );
}
