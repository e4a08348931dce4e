//! Issue 20 point 4, the runs of the word check that need more than the demo's files: the
//! demo's own narration under `--lang pl` (its summary lines and the list of what it wrote)
//! and `offboard`'s plan for the demo's leaver (and carried out), `doctor --online` and
//! `revoke --grants --yes` against the demo firm served on loopback.

use chrono::Utc;

use super::super::run;
use crate::support::cli::{ksef_audit, text};
use crate::support::sim::RunningSim;

/// The outputs of these runs, by name, for the word check.
pub(super) fn outputs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let o = ksef_audit(dir.path())
        .args(["demo", "--out", "d", "--lang", "pl"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "demo: {}", text(&o.stderr));
    out.push(("demo (stdout)".to_string(), text(&o.stdout)));
    out.push(("demo (stderr)".to_string(), text(&o.stderr)));
    let sim = RunningSim::start(ksef_audit::demo::demo_firm(Utc::now()));
    for format in ["text", "html"] {
        let o = run(&[
            "offboard",
            ksef_audit::app::demo::DEMO_OFFBOARD_PERSON,
            "--staff",
            "staff.csv",
            "--format",
            format,
            "--env",
            &sim.handle().base_url,
            "--lang",
            "pl",
        ]);
        // The demo firm has contexts that cannot be read: the plan is incomplete (exit 2).
        assert_eq!(o.status.code(), Some(2), "offboard: {}", text(&o.stderr));
        out.push((format!("offboard {format} (stdout)"), text(&o.stdout)));
        out.push((format!("offboard {format} (stderr)"), text(&o.stderr)));
    }
    let o = run(&[
        "doctor",
        "--online",
        "--env",
        &sim.handle().base_url,
        "--lang",
        "pl",
    ]);
    // Two of the demo's contexts cannot be audited.
    assert_eq!(o.status.code(), Some(1), "doctor: {}", text(&o.stderr));
    out.push(("doctor --online (stdout)".to_string(), text(&o.stdout)));
    out.push(("doctor --online (stderr)".to_string(), text(&o.stderr)));
    // The grant findings acted on: refusals (a context that cannot be read, the last
    // CredentialsManage), a removal KSeF refuses (the credential lacks CredentialsManage).
    let o = run(&[
        "revoke",
        "--from",
        "audit.json",
        "--grants",
        "--staff",
        "staff.csv",
        "--yes",
        "--max-actions",
        "50",
        "--env",
        &sim.handle().base_url,
        "--lang",
        "pl",
    ]);
    assert_eq!(o.status.code(), Some(2), "revoke: {}", text(&o.stderr));
    // A grant is removed („odebrane”), not revoked like a token („unieważnione”).
    let said = text(&o.stdout);
    assert!(
        said.contains("\nodebrano  ") && said.contains("\nodebrane: 1, nieudane: 1"),
        "{said}"
    );
    out.push((
        "revoke --grants --yes (stdout)".to_string(),
        text(&o.stdout),
    ));
    out.push((
        "revoke --grants --yes (stderr)".to_string(),
        text(&o.stderr),
    ));
    // Offboarding carried out: the plan's lines, the results, the failures' reasons.
    let o = run(&[
        "offboard",
        ksef_audit::app::demo::DEMO_OFFBOARD_PERSON,
        "--staff",
        "staff.csv",
        "--yes",
        "--max-actions",
        "100",
        "--env",
        &sim.handle().base_url,
        "--lang",
        "pl",
    ]);
    assert_eq!(o.status.code(), Some(2), "offboard: {}", text(&o.stderr));
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(said.contains("\n  uprawnienie  "), "{said}");
    out.push(("offboard --yes (stdout)".to_string(), text(&o.stdout)));
    out.push(("offboard --yes (stderr)".to_string(), text(&o.stderr)));
    out
}
