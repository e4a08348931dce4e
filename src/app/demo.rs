//! `ksef-audit demo`: the whole pipeline on the built-in example firm, served by the
//! in-process simulator on loopback. No set-up, no network.
//!
//! A clear sequence of steps; each later capability adds its own step to [`run`]:
//! 1. start the simulator with the example firm
//! 2. `tokens`: fetch every context and write the snapshot (JSON) and a table
//! 3. `audit`: the example firm's inventory, staff list and exceptions against the snapshot
//! 4. an example git repository with leaked tokens (work tree, history, commit message)
//! 5. summary and output paths

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use super::tokens as tokens_cmd;
use crate::cli::{DemoArgs, GlobalArgs, TokensFormat};
use crate::config::{ContextSpec, CredentialSource, KsefSettings};
use crate::demo::{demo_auditor_tokens, demo_firm, write_demo_repo};
use crate::error::Outcome;
use crate::model::{ContextStatus, EnvironmentRef, TokenSnapshot};
use crate::simulator::{self, Fixture, SimHandle, SimOptions};

/// Default output directory.
pub const DEFAULT_OUT_DIR: &str = "ksef-audit-demo";
/// The example firm is a production firm; its simulator stands in for production
/// (as `--env prod=URL` would label a proxy of production).
pub const DEMO_ENVIRONMENT_LABEL: &str = "prod";

/// Everything the steps share.
pub struct Demo {
    pub out_dir: PathBuf,
    pub quiet: bool,
    pub fixture: Fixture,
    pub settings: KsefSettings,
    pub snapshot: Option<TokenSnapshot>,
    /// Results of the audit step.
    pub audit: Option<crate::model::AuditResults>,
    /// Files written so far, with what they are.
    pub outputs: Vec<(String, PathBuf)>,
    runtime: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
}

pub fn run(global: &GlobalArgs, args: &DemoArgs) -> Result<Outcome> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT_DIR));
    let mut demo = start_simulator(out_dir, global.quiet)?;
    let steps = step_tokens(&mut demo)
        .and_then(|()| step_audit(&mut demo))
        .and_then(|()| step_example_repo(&mut demo));
    demo.stop();
    steps?;
    print_summary(&demo)?;
    // The example firm has an incomplete context on purpose: shown, not a failure.
    Ok(Outcome::Clean)
}

/// Step 1: the simulator, serving the example firm, and settings pointing at it.
pub fn start_simulator(out_dir: PathBuf, quiet: bool) -> Result<Demo> {
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create the demo directory '{}'", out_dir.display()))?;
    let fixture = demo_firm(Utc::now());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime for the simulator")?;
    let sim = runtime
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .context("cannot start the KSeF simulator")?;
    let credentials = demo_auditor_tokens(&fixture);
    let contexts = fixture
        .contexts
        .iter()
        .map(|c| ContextSpec {
            nip: c.nip.clone(),
            name: c.name.clone(),
            credential: credentials
                .iter()
                .find(|(nip, _)| *nip == c.nip)
                .map(|(_, secret)| CredentialSource::InMemory(secret.clone()))
                .unwrap_or(CredentialSource::Missing),
        })
        .collect();
    let settings = KsefSettings::new(
        EnvironmentRef {
            label: DEMO_ENVIRONMENT_LABEL.to_string(),
            base_url: sim.base_url.clone(),
        },
        contexts,
    );
    if !quiet {
        eprintln!(
            "demo: KSeF simulator with the example firm ({} client NIPs) at {}",
            fixture.contexts.len(),
            sim.base_url
        );
    }
    Ok(Demo {
        out_dir,
        quiet,
        fixture,
        settings,
        snapshot: None,
        audit: None,
        outputs: Vec::new(),
        runtime,
        sim: Some(sim),
    })
}

/// Step 2: `ksef-audit tokens` against the simulator: snapshot JSON and a table.
pub fn step_tokens(demo: &mut Demo) -> Result<()> {
    let snapshot = tokens_cmd::fetch(&demo.settings, demo.quiet, 0);
    let json = demo.out_dir.join("tokens.json");
    write_file(&json, |w| {
        tokens_cmd::write(w, &snapshot, TokensFormat::Json)
    })?;
    demo.outputs.push(("token snapshot (JSON)".into(), json));
    let table = demo.out_dir.join("tokens.txt");
    write_file(&table, |w| {
        tokens_cmd::write(w, &snapshot, TokensFormat::Table)
    })?;
    demo.outputs.push(("token table".into(), table));
    demo.snapshot = Some(snapshot);
    Ok(())
}

/// Step 3: `ksef-audit audit` on the snapshot with the example firm's inventory, staff
/// list and exceptions (written next to it); results as text and JSON.
pub fn step_audit(demo: &mut Demo) -> Result<()> {
    let Some(snapshot) = &demo.snapshot else {
        return Ok(());
    };
    let (results, outputs) = super::audit::demo_audit(&demo.out_dir, snapshot, &demo.fixture)?;
    demo.outputs.extend(outputs);
    demo.audit = Some(results);
    Ok(())
}

/// Step 4: an example repository of the firm with tokens leaked in its working tree, its
/// history (added, then deleted) and a commit message, for `leaks DIR` and `leaks --git DIR`.
pub fn step_example_repo(demo: &mut Demo) -> Result<()> {
    let repo = write_demo_repo(&demo.out_dir, &demo.fixture)?;
    demo.outputs.push((
        "example git repository with leaked tokens (scan it: `ksef-audit leaks --git DIR`)".into(),
        repo,
    ));
    Ok(())
}

impl Demo {
    /// Stops the simulator (also done on drop).
    pub fn stop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.shutdown());
        }
    }
}

/// Step 4: what happened and where the outputs are.
pub fn print_summary(demo: &Demo) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "ksef-audit demo: example firm, {} client contexts",
        demo.fixture.contexts.len()
    )?;
    if let Some(snapshot) = &demo.snapshot {
        tokens_cmd::summary(&mut out, snapshot, None)?;
        if snapshot
            .contexts
            .iter()
            .any(|c| c.status == ContextStatus::Incomplete)
        {
            writeln!(
                out,
                "(the example firm has an incomplete context on purpose: a real run would exit 2 here)"
            )?;
        }
    }
    if let Some(audit) = &demo.audit {
        let s = &audit.summary;
        let by_sev: Vec<String> = crate::model::Severity::ALL
            .iter()
            .filter_map(|sev| {
                s.findings_by_severity
                    .get(sev)
                    .map(|n| format!("{n} {sev}"))
            })
            .collect();
        let rules: std::collections::BTreeSet<&str> =
            audit.findings.iter().map(|f| f.rule.as_str()).collect();
        writeln!(
            out,
            "audit: {} findings ({}), {} excepted, {} of the policy rules found something",
            audit.findings.iter().filter(|f| !f.excepted).count(),
            by_sev.join(", "),
            s.excepted,
            rules.len()
        )?;
    }
    writeln!(out, "outputs in {}:", demo.out_dir.display())?;
    for (what, path) in &demo.outputs {
        writeln!(out, "  {what}: {}", path.display())?;
    }
    Ok(())
}

fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)?;
    w.flush()
        .with_context(|| format!("cannot write '{}'", path.display()))
}
