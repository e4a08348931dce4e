//! Why a context is incomplete, as a user reads it (issue 14): a credential without
//! CredentialsRead gives "not verifiable: no read permission (CredentialsRead)" in the audit
//! text and on stderr, in Polish under `--lang pl` (or `[report] lang = "pl"`), and the JSON
//! keeps the English reason and adds its stable `reason_code`. The simulator runs in the
//! test process on loopback; the binary talks to it.

use crate::support;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use ksef_model::AuditResults;
use ksef_model::ContextStatus;
use ksef_model::ReasonCode;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use support::fixture::*;

struct Env {
    rt: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
    fixture: Fixture,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let (rt, fixture, sim) = basic_simulator();
        Env {
            rt,
            sim: Some(sim),
            fixture,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// `ksef-audit --nip ALFA …` with Alfa's invoicing token (no CredentialsRead).
    fn without_read(&self) -> Command {
        let mut c = Command::cargo_bin("ksef-audit").expect("binary");
        c.env_clear()
            .current_dir(self.dir.path())
            .args(["--env", &self.sim.as_ref().expect("running").base_url])
            .args(["--nip", ALFA])
            .env(
                "KSEF_TOKEN_5265877635",
                token(&self.fixture, ALFA, ALFA_INVOICING).expose(),
            );
        c
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

fn run(cmd: &mut Command) -> (String, String) {
    let out: Output = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn no_read_permission_is_said_in_plain_english() {
    let env = Env::new();
    let (stdout, stderr) = run(env.without_read().args(["audit", "--exit-zero"]));
    assert!(
        stdout.contains("reason: not verifiable: no read permission (CredentialsRead)"),
        "{stdout}"
    );
    // The technical detail and what to do follow the headline.
    assert!(stdout.contains("lacks CredentialsRead"), "{stdout}");
    assert!(
        stderr.contains(
            "incomplete: 5265877635: not verifiable: no read permission (CredentialsRead): "
        ),
        "{stderr}"
    );
    assert!(stderr.contains("help: create an audit token"), "{stderr}");
    assert!(
        stderr.contains("error: 1 context was not read in full"),
        "{stderr}"
    );
}

#[test]
fn no_read_permission_is_said_in_polish_under_lang_pl() {
    let env = Env::new();
    let (stdout, stderr) = run(env
        .without_read()
        .args(["audit", "--exit-zero", "--lang", "pl"]));
    assert!(
        stdout.contains(
            "przyczyna: nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("not verifiable"), "{stdout}");
    assert!(
        stderr.contains(
            "niekompletny: 5265877635: nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "wskazówka: utwórz dla tego NIP token audytowy z uprawnieniem CredentialsRead"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("błąd: 1 kontekst nie został odczytany w całości"),
        "{stderr}"
    );
    assert!(!stderr.contains("not verifiable"), "{stderr}");
}

/// `[report] lang = "pl"` in the config found in the working directory makes the messages
/// Polish without `--lang`; the text output keeps following `--lang` only.
#[test]
fn the_config_language_makes_the_messages_polish() {
    let env = Env::new();
    std::fs::write(
        env.dir.path().join("ksef-audit.toml"),
        "[report]\nlang = \"pl\"\n",
    )
    .expect("config");
    let (_, stderr) = run(env.without_read().arg("tokens"));
    assert!(
        stderr.contains(
            "niekompletny: 5265877635: nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"
        ),
        "{stderr}"
    );
}

#[test]
fn json_keeps_the_english_reason_and_adds_its_code() {
    let env = Env::new();
    run(env
        .without_read()
        .args(["audit", "--exit-zero", "--lang", "pl", "--format", "json"])
        .args(["-o", "audit.json"]));
    let raw = std::fs::read_to_string(env.dir.path().join("audit.json")).expect("audit.json");
    let json: serde_json::Value = serde_json::from_str(&raw).expect("JSON");
    assert_eq!(json["contexts"][0]["reason_code"], "no-read-permission");
    let audit: AuditResults = serde_json::from_str(&raw).expect("audit JSON");
    let ctx = &audit.contexts[0];
    assert_eq!(ctx.status, ContextStatus::Incomplete);
    assert_eq!(ctx.reason_code, Some(ReasonCode::NoReadPermission));
    assert!(
        ctx.reason
            .as_deref()
            .is_some_and(|r| r.contains("lacks CredentialsRead")),
        "{:?}",
        ctx.reason
    );

    // The tokens snapshot carries the code too, and re-reads the same.
    run(env
        .without_read()
        .args(["tokens", "--format", "json", "-o", "snap.json"]));
    let snap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.dir.path().join("snap.json")).expect("snap.json"),
    )
    .expect("JSON");
    assert_eq!(snap["contexts"][0]["reason_code"], "no-read-permission");
}

/// A snapshot written before codes existed (no `reason_code`) reads as a new one does.
#[test]
fn an_old_snapshot_without_a_code_gets_the_same_headline() {
    let env = Env::new();
    run(env
        .without_read()
        .args(["tokens", "--format", "json", "-o", "snap.json"]));
    let path = env.dir.path().join("snap.json");
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("snap.json")).expect("JSON");
    for c in snap["contexts"].as_array_mut().expect("contexts") {
        c.as_object_mut().expect("object").remove("reason_code");
    }
    let old = env.dir.path().join("old.json");
    std::fs::write(&old, serde_json::to_vec(&snap).expect("JSON")).expect("write");
    let (stdout, stderr) = run(Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .current_dir(env.dir.path())
        .args(["audit", "--exit-zero", "--lang", "pl", "--from"])
        .arg(Path::new("old.json")));
    assert!(
        stdout.contains("nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"),
        "{stderr}"
    );
}

/// `leaks` text in Polish: the urgent line agrees with its number (1 token, 3 tokeny,
/// 5 tokenów), statuses are Polish words, and findings accepted in the baseline are counted.
#[test]
fn leaks_text_in_polish_agrees_with_its_numbers() {
    use ksef_audit::render::style::Style;
    use ksef_model::LeakStatus;
    use ksef_model::Suppression;
    use ksef_model::SuppressionKind;
    use ksef_model::i18n::Lang;

    let text = |active: usize, revoked: usize, baselined: usize| -> String {
        let mut findings = Vec::new();
        for i in 0..active + revoked {
            let mut f = finding(ALFA, &format!("20250101-EC-FA4E00000{i}-7E5700000{i}-E4"));
            f.fingerprint = format!("{i:064}");
            f.status = if i < active {
                LeakStatus::Active
            } else {
                LeakStatus::Revoked
            };
            findings.push(f);
        }
        let mut results = leak_results(findings);
        for i in 0..baselined {
            let mut f = finding(ALFA, "20250101-EC-FA4E00000X-7E5700000X-E4");
            f.fingerprint = format!("{:064}", 100 + i);
            f.suppression = Some(Suppression {
                kind: SuppressionKind::Baseline,
                reason: None,
                exception: None,
            });
            results.suppressed.push(f);
        }
        let mut out = Vec::new();
        ksef_audit::render::leaks::render_text_styled(
            &results,
            false,
            Style::default(),
            Lang::Pl,
            None,
            &mut out,
        )
        .expect("renders");
        String::from_utf8(out).expect("utf-8")
    };

    let one = text(1, 1, 1);
    assert!(
        one.starts_with("PILNE: 1 wyciekły token jest nadal AKTYWNY w KSeF, unieważnij go natychmiast: 20250101-EC-FA4E000000"),
        "{one}"
    );
    assert!(
        one.contains("status: AKTYWNY w KSeF: unieważnij natychmiast"),
        "{one}"
    );
    assert!(one.contains("status: unieważniony"), "{one}");
    assert!(
        one.contains("1 ustalenie przyjęte w linii bazowej"),
        "{one}"
    );
    assert!(
        one.contains("2 ustalenia (2 różne tokeny), wyłączone: 1, 0 błędów"),
        "{one}"
    );
    let three = text(3, 0, 2);
    assert!(
        three.starts_with("PILNE: 3 wyciekłe tokeny są nadal AKTYWNE w KSeF"),
        "{three}"
    );
    assert!(
        three.contains("2 ustalenia przyjęte w linii bazowej"),
        "{three}"
    );
    let five = text(5, 0, 12);
    assert!(
        five.starts_with("PILNE: 5 wyciekłych tokenów jest nadal AKTYWNYCH w KSeF"),
        "{five}"
    );
    assert!(
        five.contains("12 ustaleń przyjętych w linii bazowej"),
        "{five}"
    );
    assert!(!five.contains("finding"), "{five}");
}
