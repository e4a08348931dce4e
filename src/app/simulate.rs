//! `ksef-audit simulate`: serve the KSeF simulator on loopback until Ctrl-C.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use crate::cli::GlobalArgs;
use crate::cli::SimulateArgs;
use crate::demo::demo_auditor_tokens;
use crate::demo::demo_firm;
use ksef_model::Outcome;
use ksef_model::i18n::Lang;
use ksef_model::i18n::commands::text as say;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::SimOptions;
use ksef_sim::create_private;
use ksef_sim::start;

pub fn run(global: &GlobalArgs, args: &SimulateArgs) -> Result<Outcome> {
    let addr = parse_loopback(&args.addr)?;
    let (fixture, source) = match &args.fixture {
        Some(path) => (
            Fixture::load(path)?,
            format!("'{}'", ksef_model::shown_path(path)),
        ),
        None => (demo_firm(Utc::now()), "built-in demo firm".to_string()),
    };
    let faults = match &args.faults {
        Some(path) => load_faults(path)?,
        None => Faults::default(),
    };
    let options = SimOptions {
        addr,
        faults,
        access_token_ttl: Duration::from_secs(args.access_token_ttl.max(1)),
        rate_limits: !args.no_rate_limits,
        ..SimOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let handle = start(fixture.clone(), options).await?;
        let written = match &args.write_tokens {
            Some(dir) => Some(write_tokens(dir, &fixture, &handle.base_url)?),
            None => None,
        };
        let mut out = io::stdout().lock();
        let lang = crate::app::lang(args.lang.lang);
        let url = &handle.base_url;
        writeln!(out, "{}", say(lang, "sim_listening", &[("url", url)]))?;
        // -q: the address alone (scripts read it), no hints.
        if !global.quiet {
            hints(
                &mut out,
                lang,
                &handle,
                &fixture,
                &source,
                written.as_ref(),
                global.verbose,
            )?;
        }
        out.flush()?;
        drop(out);
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        handle.shutdown().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(Outcome::Clean)
}

/// What `simulate` prints after its address: the fixture, and how to point the tool at it.
fn hints(
    out: &mut dyn Write,
    lang: Lang,
    handle: &ksef_sim::SimHandle,
    fixture: &Fixture,
    source: &str,
    written: Option<&(PathBuf, usize)>,
    verbose: u8,
) -> Result<()> {
    let tokens: usize = fixture.contexts.iter().map(|c| c.tokens.len()).sum();
    let root = &handle.root_url;
    writeln!(out, "{}", say(lang, "sim_root", &[("url", root)]))?;
    let n = fixture.contexts.len();
    let line = say(
        lang,
        "sim_fixture",
        &[("source", &source), ("n", &n), ("t", &tokens)],
    );
    writeln!(out, "{line}")?;
    let first_nip = fixture
        .contexts
        .first()
        .map(|c| c.nip.as_str())
        .unwrap_or("NIP");
    match written {
        Some((dir, count)) => {
            let line = say(
                lang,
                "sim_written",
                &[("n", count), ("dir", &dir.display())],
            );
            writeln!(out, "{line}")?;
            writeln!(out, "{}", say(lang, "sim_point", &[]))?;
            writeln!(
                out,
                "  ksef-audit --config {}/ksef-audit.toml tokens",
                dir.display()
            )?;
            writeln!(
                out,
                "  KSEF_TOKEN_{first_nip}=\"$(cat {}/{first_nip}.token)\" ksef-audit tokens --env {} --nip {first_nip}",
                dir.display(),
                handle.base_url
            )?;
        }
        None => {
            writeln!(out, "{}", say(lang, "sim_point", &[]))?;
            writeln!(
                out,
                "  ksef-audit tokens --env {} --nip {first_nip}{}",
                handle.base_url,
                say(lang, "sim_token_in", &[("nip", &first_nip)])
            )?;
            if verbose == 0 {
                writeln!(out, "{}", say(lang, "sim_write_tokens", &[]))?;
            }
        }
    }
    writeln!(out, "{}", say(lang, "sim_stop", &[]))?;
    Ok(())
}

/// Reads `--faults FILE` (a JSON `Faults` object, camelCase keys).
fn load_faults(path: &Path) -> Result<Faults> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read faults file '{}'", ksef_model::shown_path(path)))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "faults file '{}' is not a valid faults object\nhelp: keys are rateLimitEvery, retryAfterSecs, unavailableFirst, authPollsInProgress, revokeSessionAfterAuth, slowAuthMs",
            ksef_model::shown_path(path)
        )
    })
}

/// Parses `--addr`; only loopback addresses (127.0.0.0/8, ::1, `localhost`) are accepted.
fn parse_loopback(text: &str) -> Result<SocketAddr> {
    let addr: SocketAddr = match text.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}").parse(),
        None => text.parse(),
    }
    .with_context(|| {
        format!(
            "--addr '{text}' is not an address with a port\nhelp: use e.g. --addr 127.0.0.1:8089"
        )
    })?;
    if !addr.ip().is_loopback() {
        bail!(
            "--addr '{text}' is not a loopback address\nhelp: the simulator only listens on 127.0.0.1 or [::1]; use e.g. --addr 127.0.0.1:8089"
        );
    }
    Ok(addr)
}

/// Writes `DIR/<nip>.token` (0600) for every context with an auditor token, and
/// `DIR/ksef-audit.toml` naming them. Returns the directory and the count.
fn write_tokens(dir: &Path, fixture: &Fixture, base_url: &str) -> Result<(PathBuf, usize)> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory '{}'", ksef_model::shown_path(dir)))?;
    let tokens = demo_auditor_tokens(fixture);
    let mut config = format!(
        "# Written by `ksef-audit simulate --write-tokens`: the simulator's auditor tokens.\n\n[ksef]\nenvironment = {}\n",
        toml_string(base_url)
    );
    for (nip, secret) in &tokens {
        let path = dir.join(format!("{nip}.token"));
        create_private(&path, secret.expose().as_bytes()).with_context(|| {
            format!(
                "cannot write token file '{}'",
                ksef_model::shown_path(&path)
            )
        })?;
        let name = fixture
            .contexts
            .iter()
            .find(|c| &c.nip == nip)
            .and_then(|c| c.name.clone());
        config.push_str(&format!("\n[[contexts]]\nnip = \"{nip}\"\n"));
        if let Some(name) = name {
            config.push_str(&format!("name = {}\n", toml_string(&name)));
        }
        config.push_str(&format!("token-file = \"{nip}.token\"\n"));
    }
    let config_path = dir.join("ksef-audit.toml");
    create_private(&config_path, config.as_bytes())
        .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&config_path)))?;
    Ok((dir.to_path_buf(), tokens.len()))
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_are_accepted() {
        assert!(parse_loopback("127.0.0.1:8089").is_ok());
        assert!(parse_loopback("[::1]:0").is_ok());
        assert!(parse_loopback("localhost:9000").is_ok());
        let err = parse_loopback("0.0.0.0:8089").expect_err("refused");
        assert!(err.to_string().contains("not a loopback address"));
        assert!(parse_loopback("192.168.1.5:80").is_err());
        assert!(parse_loopback("127.0.0.1").is_err());
    }

    #[test]
    fn faults_file_is_read_and_typos_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("faults.json");
        std::fs::write(&good, r#"{"rateLimitEvery": 3, "retryAfterSecs": 2}"#).expect("write");
        let faults = load_faults(&good).expect("valid");
        assert_eq!(
            (faults.rate_limit_every, faults.retry_after_secs),
            (Some(3), 2)
        );
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"{"rateLimit": 3}"#).expect("write");
        let err = format!("{:#}", load_faults(&bad).expect_err("typo"));
        assert!(
            err.contains("bad.json") && err.contains("rateLimit"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn token_files_are_private_and_hold_the_full_token() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = demo_firm(Utc::now());
        let (_, count) =
            write_tokens(dir.path(), &fixture, "http://127.0.0.1:1/v2").expect("written");
        assert_eq!(count, fixture.contexts.len());
        for (nip, secret) in demo_auditor_tokens(&fixture) {
            let path = dir.path().join(format!("{nip}.token"));
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            assert_eq!(
                std::fs::read_to_string(&path).expect("read"),
                secret.expose()
            );
        }
        let config = std::fs::read_to_string(dir.path().join("ksef-audit.toml")).expect("config");
        let parsed = crate::config::from_text(
            &dir.path().join("ksef-audit.toml"),
            &config,
            &Default::default(),
        )
        .expect("a valid config");
        assert_eq!(parsed.ksef.contexts.len(), fixture.contexts.len());
        assert_eq!(
            parsed.ksef.environment.map(|e| e.base_url).as_deref(),
            Some("http://127.0.0.1:1/v2")
        );
        assert!(!config.contains(demo_auditor_tokens(&fixture)[0].1.expose()));
    }
}
