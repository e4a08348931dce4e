//! `ksef-audit demo`: the whole pipeline on the built-in example firm, served by the
//! in-process simulator on loopback. No set-up, no network.
//!
//! A clear sequence of steps; each later capability adds its own step to [`run`]:
//! 1. start the simulator with the example firm
//! 2. `tokens`: fetch every context and write the snapshot (JSON) and a table
//! 3. `audit`: the example firm's inventory, staff list and exceptions against the snapshot
//!    (and a `ksef-audit.toml` naming them, so the audit can be repeated in that directory),
//!    the certificates, and `offboard` (a dry run) for a person who left: the plan and its record
//! 4. an example git repository with leaked tokens (work tree, history, commit message)
//! 5. `leaks`: its working tree, then its whole history, linked to the inventory and
//!    verified against the simulator (is each leaked token still active?)
//! 6. `report`: the security review and the quarterly report (two earlier quarters derived
//!    from the audit, so the trend has something to show)
//! 7. summary and output paths

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;

use crate::app::leaks as leaks_cmd;
use crate::app::leaks::LeakScanRequest;
use crate::app::tokens as tokens_cmd;
use crate::app::tokens::TokenFormat;
use crate::cli::DemoArgs;
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::demo::DEMO_CERTIFICATE_NIP;
use crate::demo::demo_auditor_tokens;
use crate::demo::demo_firm;
use crate::demo::demo_signing_subject;
use crate::demo::signing_record;
use crate::demo::write_demo_repo;
use crate::inputs::staff::load_staff;
use crate::render::leaks::LeakFormat;
use crate::render::leaks::render_leaks;
use ksef_client::settings::CertificateFiles;
use ksef_client::settings::ContextSpec;
use ksef_client::settings::CredentialSource;
use ksef_client::settings::KsefSettings;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_model::ContextStatus;
use ksef_model::EnvironmentRef;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::Outcome;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;
use ksef_model::i18n::commands::text;
use ksef_sim as simulator;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;

/// Default output directory.
pub const DEFAULT_OUT_DIR: &str = "ksef-audit-demo";

/// Everything the steps share.
pub struct Demo {
    pub out_dir: PathBuf,
    pub quiet: bool,
    /// `--lang`: the language of the narration on the terminal.
    pub lang: Lang,
    pub fixture: Fixture,
    pub settings: KsefSettings,
    pub snapshot: Option<TokenSnapshot>,
    /// Results of the audit step.
    pub audit: Option<ksef_model::AuditResults>,
    /// The example repository written by step 4.
    pub repo: Option<PathBuf>,
    /// Results of the history scan of step 5.
    pub leaks: Option<LeakResults>,
    /// Files written so far, with what they are (in the demo's `--lang`).
    pub outputs: Vec<(String, PathBuf)>,
    runtime: tokio::runtime::Runtime,
    sim: Option<SimHandle>,
}

impl Demo {
    /// Records a file written, with what it is: the message `key` of
    /// [`ksef_model::i18n::commands`] in the demo's language.
    fn output(&mut self, key: &str, path: PathBuf) {
        self.outputs.push((text(self.lang, key, &[]), path));
    }
}

pub fn run(global: &GlobalArgs, args: &DemoArgs) -> Result<Outcome> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT_DIR));
    let mut demo = start_simulator(out_dir, global.quiet, crate::app::lang(args.lang.lang))?;
    let steps = step_tokens(&mut demo)
        .and_then(|()| step_audit(&mut demo))
        .and_then(|()| step_certificates(&mut demo))
        .and_then(|()| step_offboard(&mut demo))
        .and_then(|()| step_example_repo(&mut demo))
        .and_then(|()| step_leaks(&mut demo))
        .and_then(|()| step_report(&mut demo));
    demo.stop();
    steps?;
    // -q is quiet: the outputs are in the directory, nothing is printed.
    if !demo.quiet {
        print_summary(&demo)?;
        print_next_steps(&demo)?;
    }
    // The example firm has an incomplete context on purpose: shown, not a failure.
    Ok(Outcome::Clean)
}

/// Step 1: the simulator, serving the example firm, and settings pointing at it.
pub fn start_simulator(out_dir: PathBuf, quiet: bool, lang: Lang) -> Result<Demo> {
    std::fs::create_dir_all(&out_dir).with_context(|| {
        format!(
            "cannot create the demo directory '{}'",
            ksef_model::shown_path(&out_dir)
        )
    })?;
    let mut fixture = demo_firm(Utc::now());
    let certificate = demo_certificate(&out_dir, &mut fixture)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime for the simulator")?;
    let sim = runtime
        .block_on(simulator::start(fixture.clone(), SimOptions::default()))
        .context("cannot start the KSeF simulator")?;
    let mut settings = demo_settings(&fixture, &sim.base_url);
    certificate.sign_in_with(&sim, &mut settings);
    if !quiet {
        let n = fixture.contexts.len();
        say!(
            "{}",
            text(lang, "demo_started", &[("n", &n), ("url", &sim.base_url)])
        );
    }
    Ok(Demo {
        out_dir,
        quiet,
        lang,
        fixture,
        settings,
        snapshot: None,
        audit: None,
        repo: None,
        leaks: None,
        outputs: Vec::new(),
        runtime,
        sim: Some(sim),
    })
}

/// The demo's certificate sign-in: a scenario CA (trusted by the simulator) and the
/// certificate it issues to a person of the office, written with its key (mode 600) to
/// `OUT/ksef-certificate/`. Its record joins the certificate list of the context.
pub struct DemoCertificate {
    /// The scenario CA (DER), for `SimHandle::trust_ca`.
    pub ca_der: Vec<u8>,
    pub files: CertificateFiles,
}

impl DemoCertificate {
    /// The simulator trusts the demo CA, and the context [`DEMO_CERTIFICATE_NIP`] signs in
    /// with the certificate instead of its token.
    pub fn sign_in_with(&self, sim: &SimHandle, settings: &mut KsefSettings) {
        sim.trust_ca(&self.ca_der);
        if let Some(spec) = settings
            .contexts
            .iter_mut()
            .find(|c| c.nip == DEMO_CERTIFICATE_NIP)
        {
            spec.credential = CredentialSource::Certificate(self.files.clone());
        }
    }
}

/// Issues the demo's certificate into `out_dir/ksef-certificate/` and lists it in the
/// fixture (call before the simulator starts).
pub fn demo_certificate(out_dir: &Path, fixture: &mut Fixture) -> Result<DemoCertificate> {
    use ksef_sim::ca::CertSubject;
    use ksef_sim::ca::KeyKind;
    use ksef_sim::ca::ScenarioCa;
    let ca = ScenarioCa::generate("ksef-audit demo CA", KeyKind::P256)
        .context("cannot create the demo's certificate authority")?;
    let (pesel, given_name, surname) = demo_signing_subject();
    let now = Utc::now();
    let valid_to = now + chrono::Duration::days(730);
    let issued = ca
        .issue(
            &CertSubject::Person {
                pesel,
                common_name: format!("{given_name} {surname}"),
                given_name,
                surname,
            },
            KeyKind::P256,
            now - chrono::Duration::hours(1),
            valid_to,
        )
        .context("cannot issue the demo's KSeF certificate")?;
    if let Some(ctx) = fixture
        .contexts
        .iter_mut()
        .find(|c| c.nip == DEMO_CERTIFICATE_NIP)
    {
        ctx.certificates
            .insert(0, signing_record(&issued.serial_hex, valid_to, now));
    }
    let dir = out_dir.join("ksef-certificate");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create '{}'", dir.display()))?;
    let certificate = dir.join("certificate.pem");
    let private_key = dir.join("private-key.pem");
    std::fs::write(&certificate, issued.certificate_pem())
        .with_context(|| format!("cannot write '{}'", certificate.display()))?;
    write_private(&private_key, issued.key_pkcs8_pem().as_bytes())?;
    Ok(DemoCertificate {
        ca_der: ca.certificate_der().to_vec(),
        files: CertificateFiles::Pem {
            certificate,
            private_key,
        },
    })
}

/// Writes a key file readable by its owner only (created so, never widened).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // An earlier demo's file keeps its mode on truncate: narrow it first.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot restrict '{}'", path.display()))?;
        }
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write '{}'", path.display()))
}

/// Step 2: `ksef-audit tokens` against the simulator: snapshot JSON and a table.
pub fn step_tokens(demo: &mut Demo) -> Result<()> {
    let snapshot = tokens_cmd::fetch(&demo.settings, demo.quiet, 0, demo.lang);
    let json = demo.out_dir.join("tokens.json");
    write_file(&json, |w| {
        tokens_cmd::write(w, &snapshot, TokenFormat::Json)
    })?;
    demo.output("demo_out_snapshot", json);
    let table = demo.out_dir.join("tokens.txt");
    write_file(&table, |w| {
        tokens_cmd::write(w, &snapshot, TokenFormat::Table)
    })?;
    demo.output("demo_out_tokens", table);
    demo.snapshot = Some(snapshot);
    Ok(())
}

/// Step 3: `ksef-audit audit` on the snapshot with the example firm's inventory, staff
/// list and exceptions (written next to it); results as text and JSON.
pub fn step_audit(demo: &mut Demo) -> Result<()> {
    let Some(snapshot) = &demo.snapshot else {
        return Ok(());
    };
    let (results, outputs) = crate::app::audit::demo_audit(&demo.out_dir, snapshot, &demo.fixture)?;
    let lang = demo.lang;
    demo.outputs.extend(
        outputs
            .into_iter()
            .map(|(key, path)| (text(lang, key, &[]), path)),
    );
    demo.audit = Some(results);
    let config = demo
        .out_dir
        .join(crate::config::defaults::DEFAULT_CONFIG_FILE);
    let credentials = write_credentials(&demo.out_dir, &demo.settings)?;
    write_file(&config, |w| {
        Ok(w.write_all(demo_config_text(snapshot, credentials).as_bytes())?)
    })?;
    demo.output("demo_out_config", config.clone());
    step_doctor(demo, config)
}

/// `ksef-audit doctor` on the config the demo wrote: every context's credential checked
/// offline, the lines written to `doctor.txt`.
fn step_doctor(demo: &mut Demo, config: PathBuf) -> Result<()> {
    let flags = crate::config::Flags {
        config: Some(config),
        ..crate::config::Flags::default()
    };
    let (config, problems) = crate::config::load_collecting(&flags)?;
    let checks = crate::doctor::offline_checks(&config, &problems, &|_| None, Utc::now(), false);
    let path = demo.out_dir.join("doctor.txt");
    write_file(&path, |w| {
        Ok(crate::render::doctor::write_text(
            w,
            &checks,
            false,
            ksef_model::i18n::Lang::En,
        )?)
    })?;
    demo.output("demo_out_doctor", path);
    Ok(())
}

/// Each context's auditor token written to `OUT/secrets/NIP.token` (mode 600), so the
/// config the demo writes names a credential for every context (`ksef-audit doctor` in
/// that directory checks them); the certificate context names its certificate and key.
/// Returns the config keys by NIP, paths relative to `out_dir`.
fn write_credentials(
    out_dir: &Path,
    settings: &KsefSettings,
) -> Result<std::collections::BTreeMap<String, Vec<(String, String)>>> {
    let relative = |p: &Path| {
        p.strip_prefix(out_dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut keys = std::collections::BTreeMap::new();
    for spec in &settings.contexts {
        let lines = match &spec.credential {
            CredentialSource::InMemory(secret) => {
                let dir = out_dir.join(DEMO_SECRETS_DIR);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create '{}'", dir.display()))?;
                let file = dir.join(format!("{}.token", spec.nip));
                write_private(&file, format!("{}\n", secret.expose()).as_bytes())?;
                vec![("token-file".to_string(), relative(&file))]
            }
            CredentialSource::Certificate(CertificateFiles::Pem {
                certificate,
                private_key,
            }) => vec![
                ("certificate".to_string(), relative(certificate)),
                ("private-key".to_string(), relative(private_key)),
            ],
            _ => continue,
        };
        keys.insert(spec.nip.clone(), lines);
    }
    Ok(keys)
}

/// Where the demo writes its contexts' auditor tokens, under its directory.
pub const DEMO_SECRETS_DIR: &str = "secrets";

/// Step 3b: `ksef-audit certificates` on the snapshot with the inventory and staff list the
/// audit step wrote: the certificate list of the context signed in with a certificate.
pub fn step_certificates(demo: &mut Demo) -> Result<()> {
    let Some(snapshot) = &demo.snapshot else {
        return Ok(());
    };
    let mut snapshot = snapshot.clone();
    crate::app::redact::redact_snapshot(&mut snapshot);
    let snapshot = &snapshot;
    let inventory = crate::inputs::inventory::read_inventory(&demo.out_dir.join("inventory.csv"))?;
    let staff = load_staff(&demo.out_dir.join("staff.csv"))?;
    let rules = ksef_policy::rule::builtin_policy_rules()?;
    let findings =
        crate::app::certificates::certificate_findings(snapshot, &inventory, &staff, &rules);
    let listing = crate::render::certificates::CertificateListing {
        snapshot,
        findings: &findings,
        inventory: &inventory.certificate_entries,
        inventory_given: true,
        now: snapshot.fetched_at,
    };
    let path = demo.out_dir.join("certificates.txt");
    write_file(&path, |w| {
        crate::app::certificates::write(
            w,
            &listing,
            crate::cli::TokensFormat::Table,
            false,
            ksef_model::i18n::Lang::En,
        )
    })?;
    demo.output("demo_out_certificates", path);
    Ok(())
}

/// The leaver the demo's offboarding step plans for (left 120 days ago; authored tokens,
/// holds grants and a KSeF certificate in several contexts).
pub const DEMO_OFFBOARD_PERSON: &str = "piotr.wisniewski@bilans.example.pl";

/// Step 3c: `ksef-audit offboard` (dry run) for a person who left: the plan and the record
/// (text, JSON, HTML) in `offboard/`, with the staff list and inventory the audit step wrote.
pub fn step_offboard(demo: &mut Demo) -> Result<()> {
    let dir = demo.out_dir.join("offboard");
    let stem = format!(
        "offboard-{}-{}",
        crate::app::offboard::file_part(DEMO_OFFBOARD_PERSON),
        Utc::now().format("%Y-%m-%d")
    );
    let outputs: Vec<_> = [
        (crate::cli::OffboardFormat::Text, "txt"),
        (crate::cli::OffboardFormat::Json, "json"),
        (crate::cli::OffboardFormat::Html, "html"),
    ]
    .into_iter()
    .map(|(f, ext)| (f, Some(dir.join(format!("{stem}.{ext}")))))
    .collect();
    let request = crate::app::offboard::OffboardRequest {
        person: DEMO_OFFBOARD_PERSON.into(),
        staff: demo.out_dir.join("staff.csv"),
        inventory: Some(demo.out_dir.join("inventory.csv")),
        carry_out: false,
        revoke_in_use: false,
        bounds: Default::default(),
        outputs: outputs.clone(),
        lang: ksef_model::i18n::Lang::En,
        quiet: true,
        verbose: 0,
    };
    let config = Config {
        firm: Some(crate::demo::DEMO_FIRM_NAME.to_string()),
        ..Config::default()
    };
    crate::app::offboard::offboard(&request, &config, &demo.settings)?;
    for (format, path) in outputs {
        let what = match format {
            crate::cli::OffboardFormat::Text => "demo_out_offboard_text",
            crate::cli::OffboardFormat::Json => "demo_out_offboard_json",
            crate::cli::OffboardFormat::Html => "demo_out_offboard_html",
        };
        if let Some(p) = path {
            demo.output(what, p);
        }
    }
    Ok(())
}

/// The demo's `ksef-audit.toml`: the example firm, its contexts and the files the audit step
/// wrote, so `ksef-audit audit --from tokens.json` in the demo directory repeats the audit.
pub fn demo_config_text(
    snapshot: &TokenSnapshot,
    credentials: std::collections::BTreeMap<String, Vec<(String, String)>>,
) -> String {
    crate::app::init::config_text(&crate::app::init::StarterConfig {
        written_by: "written by `ksef-audit demo` for the example firm".into(),
        firm: Some(crate::demo::DEMO_FIRM_NAME.to_string()),
        environment: None,
        environment_note: Some(
            "the demo's simulator ran on loopback only while the demo ran; `ksef-audit simulate --write-tokens sim/` serves the same firm"
                .into(),
        ),
        contexts: snapshot
            .contexts
            .iter()
            .map(|c| (c.nip.clone(), c.name.clone()))
            .collect(),
        inventory: Some("inventory.csv".into()),
        staff: Some("staff.csv".into()),
        exceptions: Some("ksef-audit.exceptions.toml".into()),
        access_register: Some("access-register.csv".into()),
        known_parties: crate::demo::demo_known_parties(),
        credentials,
    })
}

/// Step 6: `ksef-audit report`: the HTML reports of the audit and the leak scan (with
/// bundled history), PESELs shown as staff names.
pub fn step_report(demo: &mut Demo) -> Result<()> {
    let Some(audit) = &demo.audit else {
        return Ok(());
    };
    let staff_file = demo.out_dir.join("staff.csv");
    let staff = if staff_file.exists() {
        load_staff(&staff_file)?
    } else {
        Vec::new()
    };
    let records = demo.out_dir.join("offboard");
    let written = crate::app::report::write_demo_reports(
        &demo.out_dir,
        audit,
        demo.leaks.as_ref(),
        &staff,
        records.is_dir().then_some(records.as_path()),
    )?;
    let (quarters, reports) = written.split_at(written.len().saturating_sub(3));
    for path in quarters {
        demo.output("demo_out_quarter", path.clone());
    }
    let labels = [
        "demo_out_review",
        "demo_out_quarterly",
        "demo_out_quarterly_pl",
    ];
    for (label, path) in labels.into_iter().zip(reports) {
        demo.output(label, path.clone());
    }
    Ok(())
}

/// Step 4: an example repository of the firm with tokens leaked in its working tree, its
/// history (added, then deleted) and a commit message, for `leaks DIR` and `leaks --git DIR`.
pub fn step_example_repo(demo: &mut Demo) -> Result<()> {
    let repo = write_demo_repo(&demo.out_dir, &demo.fixture)?;
    demo.output("demo_out_repo", repo.clone());
    demo.repo = Some(repo);
    Ok(())
}

/// Step 5: `ksef-audit leaks` on the example repository: its working tree, then every
/// blob and commit message of its history, each finding linked to the inventory and
/// looked up in the simulator by reference number (the secret is never sent).
pub fn step_leaks(demo: &mut Demo) -> Result<()> {
    let Some(repo) = demo.repo.clone() else {
        return Ok(());
    };
    let inventory = demo.out_dir.join("inventory.csv");
    let (worktree, rules) = leaks_cmd::scan(&leaks_request(&repo, false, &inventory))?;
    let path = demo.out_dir.join("leaks-worktree.txt");
    write_file(&path, |w| {
        Ok(render_leaks(&worktree, &rules, LeakFormat::Text, w)?)
    })?;
    demo.output("demo_out_leaks_worktree", path);

    let (mut history, rules) = leaks_cmd::scan(&leaks_request(&repo, true, &inventory))?;
    leaks_cmd::verify_with(&demo.settings, &mut history);
    for (name, format, what) in [
        ("leaks.txt", LeakFormat::Text, "demo_out_leaks_text"),
        ("leaks.json", LeakFormat::Json, "demo_out_leaks_json"),
        ("leaks.sarif", LeakFormat::Sarif, "demo_out_leaks_sarif"),
    ] {
        let path = demo.out_dir.join(name);
        write_file(&path, |w| Ok(render_leaks(&history, &rules, format, w)?))?;
        demo.output(what, path);
    }
    demo.leaks = Some(history);
    Ok(())
}

/// What `ksef-audit leaks [--git] --inventory FILE REPO` scans, with the defaults of
/// an empty config.
fn leaks_request(repo: &Path, git: bool, inventory: &Path) -> LeakScanRequest {
    let config = Config::default();
    LeakScanRequest {
        paths: vec![repo.to_path_buf()],
        git: git.then(GitScanOptions::default),
        exclude: config.leaks.exclude,
        max_file_size: config.leaks.max_file_size,
        inventory: Some(inventory.to_path_buf()),
        ..LeakScanRequest::default()
    }
}

/// Settings pointing at a simulator serving the example firm, each context with its
/// auditor token in memory (never in argv or the environment).
pub fn demo_settings(fixture: &Fixture, base_url: &str) -> KsefSettings {
    let credentials = demo_auditor_tokens(fixture);
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
    KsefSettings::new(
        EnvironmentRef {
            label: crate::demo::DEMO_ENVIRONMENT_LABEL.to_string(),
            base_url: base_url.to_string(),
        },
        contexts,
    )
}

impl Demo {
    /// Stops the simulator (also done on drop).
    pub fn stop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.shutdown());
        }
    }
}

/// Step 6: what happened and where the outputs are.
pub fn print_summary(demo: &Demo) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let lang = demo.lang;
    let n = demo.fixture.contexts.len();
    writeln!(out, "{}", text(lang, "demo_title", &[("n", &n)]))?;
    let urgent = act_now(demo)?;
    if !urgent.is_empty() {
        writeln!(out, "{}", text(lang, "demo_act_now", &[]))?;
        for u in &urgent {
            writeln!(out, "  {:<9} {}", u.sev_label.to_uppercase(), u.text)?;
        }
    }
    if let Some(snapshot) = &demo.snapshot {
        tokens_cmd::summary(&mut out, snapshot, None, lang)?;
        if snapshot
            .contexts
            .iter()
            .any(|c| c.status == ContextStatus::Incomplete)
        {
            writeln!(out, "{}", text(lang, "demo_incomplete", &[]))?;
        }
    }
    if let Some(audit) = &demo.audit {
        let s = &audit.summary;
        let by_sev: Vec<String> = ksef_model::Severity::ALL
            .iter()
            .filter_map(|sev| {
                s.findings_by_severity
                    .get(sev)
                    .map(|n| format!("{n} {}", ksef_model::i18n::severity(lang, *sev)))
            })
            .collect();
        let rules: std::collections::BTreeSet<&str> =
            audit.findings.iter().map(|f| f.rule.as_str()).collect();
        let open = audit.findings.iter().filter(|f| !f.excepted).count();
        let line = text(
            lang,
            "demo_audit",
            &[
                ("n", &open),
                ("by", &by_sev.join(", ")),
                ("excepted", &s.excepted),
                ("rules", &rules.len()),
            ],
        );
        writeln!(out, "{line}")?;
    }
    if let Some(leaks) = &demo.leaks {
        let active = leaks
            .findings
            .iter()
            .filter(|f| f.status == LeakStatus::Active)
            .count();
        let mut tokens: Vec<&str> = leaks
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        tokens.sort_unstable();
        tokens.dedup();
        let line = text(
            lang,
            "demo_leaks",
            &[
                ("n", &leaks.findings.len()),
                ("t", &tokens.len()),
                ("active", &active),
                ("suppressed", &leaks.suppressed.len()),
            ],
        );
        writeln!(out, "{line}")?;
    }
    let dir = ksef_model::shown_path(&demo.out_dir);
    writeln!(out, "{}", text(lang, "demo_outputs", &[("dir", &dir)]))?;
    for (what, path) in &demo.outputs {
        writeln!(out, "  {what}: {}", ksef_model::shown_path(path))?;
    }
    Ok(())
}

/// The reports' "Act now" facts of the demo's audit and leak scan: they lead its summary.
fn act_now(demo: &Demo) -> Result<Vec<crate::render::html::model::Urgent>> {
    let Some(audit) = &demo.audit else {
        return Ok(Vec::new());
    };
    let rules = ksef_policy::posture::report_rules(&ksef_policy::rule::load_policy_rules(None)?);
    Ok(crate::app::audit::urgent_lines(
        audit,
        demo.leaks.as_ref(),
        &rules,
        demo.lang,
    ))
}

/// The three commands to try next, on the files the demo wrote.
fn print_next_steps(demo: &Demo) -> Result<()> {
    let dir = ksef_model::shown_path(&demo.out_dir);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text(demo.lang, "demo_next", &[]))?;
    let say = |key: &str| text(demo.lang, key, &[]);
    writeln!(
        out,
        "  (cd {dir} && ksef-audit audit --from tokens.json)   # {}",
        say("demo_next_audit")
    )?;
    writeln!(
        out,
        "  (cd {dir} && ksef-audit doctor)   # {}",
        say("demo_next_doctor")
    )?;
    if let Some(repo) = &demo.repo {
        writeln!(
            out,
            "  ksef-audit leaks --git {} --write-baseline ksef.baseline   # {}",
            ksef_model::shown_path(repo),
            say("demo_next_baseline")
        )?;
    }
    writeln!(
        out,
        "  ksef-audit tokens --from {dir}/tokens.json --csv-excel --lang pl -o tokens.csv   # {}",
        say("demo_next_excel")
    )?;
    Ok(())
}

fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(path)))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)?;
    w.flush()
        .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(path)))
}
