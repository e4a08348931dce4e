//! Starting out (issue 14, point 8): `ksef-audit init`, config discovery upward from the
//! working directory and `KSEF_AUDIT_CONFIG`, and the config the demo writes.

use std::path::Path;
use std::process::{Command, Output};

use crate::support;

use support::cli::{ksef_audit, text};

const FIXTURE: &str = "tests/fixtures/inventory/basic";
/// Rules that report the inventory disagreeing with what KSeF lists.
const DRIFT_RULES: &[&str] = &[
    "untracked-token",
    "stale-inventory-entry",
    "environment-mismatch",
    "excess-permissions",
];

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("runs")
}

fn snapshot_copy(dir: &Path) -> std::path::PathBuf {
    let to = dir.join("tokens.json");
    std::fs::copy(Path::new(FIXTURE).join("snapshot.json"), &to).expect("copy snapshot");
    to
}

/// Findings of an `audit --format json` run, as (rule, reference) pairs.
fn findings(out: &Output) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("audit JSON: {e}\n{}", text(&out.stderr)));
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["reference_number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn init_writes_a_commented_config_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(ksef_audit(dir.path()).arg("init"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = dir.path().join("ksef-audit.toml");
    let written = std::fs::read_to_string(&config).expect("config written");
    assert!(
        written.starts_with("# ksef-audit configuration"),
        "{written}"
    );
    assert!(
        written.contains("# inventory = \"inventory.csv\""),
        "{written}"
    );
    assert!(!dir.path().join("inventory.csv").exists());
    assert!(text(&out.stderr).contains("no inventory written"));

    // A second run refuses, names the file and --force, and changes nothing.
    std::fs::write(&config, "firm = \"mine\"\n").expect("edit");
    let again = run(ksef_audit(dir.path()).arg("init"));
    assert_eq!(again.status.code(), Some(2));
    let err = text(&again.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&config).expect("kept"),
        "firm = \"mine\"\n"
    );

    let forced = run(ksef_audit(dir.path()).args(["init", "--force"]));
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert!(
        std::fs::read_to_string(&config)
            .expect("rewritten")
            .starts_with("# ksef-audit")
    );
}

#[test]
fn starter_inventory_lists_every_active_token_and_audits_without_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = snapshot_copy(dir.path());
    let out = run(ksef_audit(dir.path())
        .args(["init", "--from"])
        .arg(&snapshot));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("5 active tokens"),
        "{}",
        text(&out.stderr)
    );

    let csv = std::fs::read_to_string(dir.path().join("inventory.csv")).expect("inventory");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "\u{feff}NIP;Numer referencyjny;Nazwa tokena;Aplikacja;Środowisko;Właściciel;Uprawnienia;Data wygaśnięcia;Uwagi"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5, "{csv}");
    // Owners blank, the environment and the permissions KSeF lists filled in.
    for row in &rows {
        let cells: Vec<&str> = row.split(';').collect();
        assert_eq!(cells[5], "", "owner of {row}");
        assert_eq!(cells[4], "prod", "environment of {row}");
    }
    let config = std::fs::read_to_string(dir.path().join("ksef-audit.toml")).expect("config");
    assert!(config.contains("environment = \"prod\""), "{config}");
    assert!(config.contains("nip = \"5265877635\""), "{config}");
    assert!(config.contains("inventory = \"inventory.csv\""), "{config}");

    // The config is found in the working directory and names the inventory: no drift.
    let audit =
        run(ksef_audit(dir.path()).args(["audit", "--from", "tokens.json", "--format", "json"]));
    assert!(
        matches!(audit.status.code(), Some(0 | 1)),
        "{}",
        text(&audit.stderr)
    );
    let found = findings(&audit);
    let drift: Vec<_> = found
        .iter()
        .filter(|(rule, _)| DRIFT_RULES.contains(&rule.as_str()))
        .collect();
    assert!(drift.is_empty(), "drift findings: {drift:?}");
    // Owners are blank on purpose: the audit says so, for every listed token.
    assert_eq!(
        found
            .iter()
            .filter(|(rule, _)| rule == "missing-owner")
            .count(),
        5,
        "{found:?}"
    );

    // A second init with --from refuses to overwrite the inventory too.
    std::fs::remove_file(dir.path().join("ksef-audit.toml")).expect("rm config");
    let again = run(ksef_audit(dir.path()).args(["init", "--from", "tokens.json"]));
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("inventory.csv' already exists"),
        "{}",
        text(&again.stderr)
    );
    assert!(
        !dir.path().join("ksef-audit.toml").exists(),
        "nothing written on refusal"
    );
}

#[test]
fn config_is_found_from_a_subdirectory_and_through_ksef_audit_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("firm");
    let sub = root.join("reports").join("2026");
    std::fs::create_dir_all(&sub).expect("dirs");
    let snapshot = snapshot_copy(&root);
    let init = run(ksef_audit(&root).args(["init", "--from"]).arg(&snapshot));
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    let untracked = |out: &Output| {
        findings(out)
            .iter()
            .filter(|(rule, _)| rule == "untracked-token")
            .count()
    };

    // Two levels down: the firm's config (and so its inventory) is used.
    let from_sub =
        run(ksef_audit(&sub).args(["audit", "--from", "../../tokens.json", "--format", "json"]));
    assert_eq!(untracked(&from_sub), 0, "{}", text(&from_sub.stderr));

    // A repository boundary stops the search: inside `repo/` the firm's config is not read.
    let repo = root.join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect(".git");
    let in_repo =
        run(ksef_audit(&repo).args(["audit", "--from", "../tokens.json", "--format", "json"]));
    assert!(
        untracked(&in_repo) > 0,
        "no inventory inside the repository"
    );

    // KSEF_AUDIT_CONFIG names it from anywhere; --config still wins.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let by_env = run(ksef_audit(elsewhere.path())
        .env("KSEF_AUDIT_CONFIG", root.join("ksef-audit.toml"))
        .args(["audit", "--format", "json", "--from"])
        .arg(&snapshot));
    assert_eq!(untracked(&by_env), 0, "{}", text(&by_env.stderr));
    let missing = run(ksef_audit(elsewhere.path())
        .env("KSEF_AUDIT_CONFIG", elsewhere.path().join("nope.toml"))
        .args(["audit", "--from"])
        .arg(&snapshot));
    assert_eq!(missing.status.code(), Some(2));
    let err = text(&missing.stderr);
    assert!(
        err.contains("KSEF_AUDIT_CONFIG") && err.contains("nope.toml"),
        "{err}"
    );
}

#[test]
fn demo_writes_its_config_labels_the_simulator_and_the_audit_repeats_from_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(ksef_audit(dir.path()).args(["demo", "--out", "demo-out"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("next, try:"), "{stdout}");
    assert!(stdout.contains("ksef-audit.toml"), "{stdout}");
    let demo = dir.path().join("demo-out");
    let snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.join("tokens.json")).expect("snapshot"))
            .expect("JSON");
    assert_eq!(snapshot["environment"]["label"], "simulator");
    let config = std::fs::read_to_string(demo.join("ksef-audit.toml")).expect("demo config");
    assert!(config.contains("inventory = \"inventory.csv\""), "{config}");
    assert!(config.contains("firm = "), "{config}");
    // Earlier quarters for `report --previous` are there too.
    let quarters = std::fs::read_dir(&demo)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("audit-20"))
        .count();
    assert!(quarters >= 2, "earlier quarters written");

    // The first suggested command works as printed: the config is found in the directory.
    // It exits 2 because the example firm has an incomplete context on purpose.
    let repeat =
        run(ksef_audit(&demo).args(["audit", "--from", "tokens.json", "--format", "json"]));
    assert_eq!(repeat.status.code(), Some(2), "{}", text(&repeat.stderr));
    assert!(
        text(&repeat.stderr).contains("incomplete: 7742901156"),
        "{}",
        text(&repeat.stderr)
    );
    let again = findings(&repeat);
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.join("audit.json")).expect("audit.json"))
            .expect("JSON");
    assert_eq!(
        again.len(),
        original["findings"].as_array().map_or(0, Vec::len),
        "the config reproduces the demo's audit"
    );
}

/// `init --live` lists the tokens itself: against the simulator (loopback), with the config
/// `simulate --write-tokens` writes; the demo firm's incomplete context is named and exits 2.
#[test]
fn init_live_lists_the_tokens_itself() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let sim = dir.path().join("sim");
    let mut child = ksef_audit(dir.path())
        .args(["simulate", "--addr", "127.0.0.1:0", "--write-tokens"])
        .arg(&sim)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulator starts");
    let stdout = child.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        if line.expect("line").contains("Ctrl-C") {
            break;
        }
    }
    let start = dir.path().join("start");
    let init = run(ksef_audit(dir.path())
        .arg("--config")
        .arg(sim.join("ksef-audit.toml"))
        .args(["init", "--live", "--dir"])
        .arg(&start));
    let snapshot = run(ksef_audit(dir.path())
        .arg("--config")
        .arg(sim.join("ksef-audit.toml"))
        .args(["tokens", "--format", "json", "-o", "tokens.json"]));
    child.kill().expect("stop the simulator");
    let _ = child.wait();

    assert_eq!(init.status.code(), Some(2), "{}", text(&init.stderr));
    assert!(
        text(&init.stderr).contains("context 7742901156: the token list could not be read in full"),
        "{}",
        text(&init.stderr)
    );
    let config = std::fs::read_to_string(start.join("ksef-audit.toml")).expect("config");
    assert!(
        config.contains("environment = \"http://127.0.0.1:"),
        "{config}"
    );
    assert_eq!(
        snapshot.status.code(),
        Some(2),
        "{}",
        text(&snapshot.stderr)
    );
    let audit =
        run(ksef_audit(&start).args(["audit", "--from", "../tokens.json", "--format", "json"]));
    let drift: Vec<_> = findings(&audit)
        .into_iter()
        .filter(|(rule, _)| DRIFT_RULES.contains(&rule.as_str()))
        .collect();
    assert!(drift.is_empty(), "drift findings: {drift:?}");
}

/// Issue 20 point 7: `init --env URL --nip NIP` writes a config `tokens` can use as is, and
/// `init --from … --force` over it keeps the environment and each context's token file.
#[test]
fn issue_20_init_writes_the_environment_and_force_keeps_the_token_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = run(ksef_audit(dir.path()).args([
        "init",
        "--env",
        "sim=http://127.0.0.1:8089/v2",
        "--nip",
        "5265877635",
    ]));
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let config = std::fs::read_to_string(dir.path().join("ksef-audit.toml")).expect("config");
    assert!(
        config.contains("\nenvironment = \"sim=http://127.0.0.1:8089/v2\""),
        "{config}"
    );
    assert!(
        config.contains("[[contexts]]\nnip = \"5265877635\""),
        "{config}"
    );

    let edited = config.replace(
        "# token-file = \"secrets/5265877635.token\"",
        "token-file = \"secrets/alfa.token\"",
    );
    assert_ne!(edited, config);
    std::fs::write(dir.path().join("ksef-audit.toml"), edited).expect("edit");
    let snapshot = snapshot_copy(dir.path());
    let again = run(ksef_audit(dir.path())
        .args(["init", "--force", "--from"])
        .arg(&snapshot));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let config = std::fs::read_to_string(dir.path().join("ksef-audit.toml")).expect("config");
    assert!(
        config.contains("\ntoken-file = \"secrets/alfa.token\""),
        "{config}"
    );
}
