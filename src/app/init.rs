//! `ksef-audit init`: a commented `ksef-audit.toml` to start from and, from a saved token
//! snapshot (`--from`) or a live listing (`--live`), a starter inventory with every Active
//! token as one row (Polish headers, owners blank) that `audit` accepts without drift
//! findings. Nothing existing is overwritten without `--force`.

use ksef_model::i18n::Lang;
use ksef_model::i18n::commands::active_tokens;
use ksef_model::i18n::commands::text as say;
use ksef_model::i18n::stderr;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cli::GlobalArgs;
use crate::cli::InitArgs;
use crate::config::RuleDirs;
use crate::config::defaults::DEFAULT_CONFIG_FILE;
use crate::config::parse_environment;
use crate::config::resolve_settings;
use ksef_model::ContextStatus;
use ksef_model::EnvironmentRef;
use ksef_model::KnownParty;
use ksef_model::Outcome;
use ksef_model::TokenSnapshot;

/// The starter inventory's file name, next to the config.
pub const STARTER_INVENTORY: &str = "inventory.csv";

/// What a starter config says; everything else is a commented example.
#[derive(Debug, Clone, Default)]
pub struct StarterConfig {
    /// First line: who wrote the file and when.
    pub written_by: String,
    pub firm: Option<String>,
    /// `[ksef] environment` as the config takes it (`prod`, `LABEL=URL`).
    pub environment: Option<String>,
    /// Why `environment` is left out (a comment line), when it is.
    pub environment_note: Option<String>,
    /// `(nip, name)` of each client context.
    pub contexts: Vec<(String, Option<String>)>,
    /// The credential keys of a context (`token-file`, or `certificate` and
    /// `private-key`) with their paths relative to the config, by NIP; a context without
    /// gets the commented `token-file` example.
    pub credentials: std::collections::BTreeMap<String, Vec<(String, String)>>,
    /// `[audit]` paths, relative to the config.
    pub inventory: Option<String>,
    pub staff: Option<String>,
    pub exceptions: Option<String>,
    pub access_register: Option<String>,
    pub known_parties: Vec<KnownParty>,
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `key = "value"` when given, else the commented example `# key = "example"`.
fn key_line(out: &mut String, key: &str, value: Option<&str>, example: &str) {
    match value {
        Some(v) => {
            let _ = writeln!(out, "{key} = {}", toml_string(v));
        }
        None => {
            let _ = writeln!(out, "# {key} = {}", toml_string(example));
        }
    }
}

/// The text of a commented `ksef-audit.toml` (every key: docs/config.md).
pub fn config_text(c: &StarterConfig) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# ksef-audit configuration, {}.", c.written_by);
    s.push_str(
        "# Every key, its type and default: docs/config.md. Paths are relative to this file.\n\
         # Commands find this file from this directory and its subdirectories (up to the\n\
         # repository root); elsewhere use --config FILE or KSEF_AUDIT_CONFIG=FILE.\n\
         # Never put a KSeF token in this file.\n\n",
    );
    s.push_str("# Firm name on report covers.\n");
    key_line(
        &mut s,
        "firm",
        c.firm.as_deref(),
        "Biuro Rachunkowe Przykład sp. z o.o.",
    );
    s.push_str("\n[ksef]\n# test, demo, prod, a base URL, or LABEL=URL (e.g. prod=https://proxy.example/ksef)\n");
    if let Some(note) = &c.environment_note {
        let _ = writeln!(s, "# {note}");
    }
    key_line(&mut s, "environment", c.environment.as_deref(), "prod");
    s.push_str(
        "# concurrency = 4          # contexts fetched at once\n\
         # request-timeout = 30     # seconds\n\n\
         # One entry per client NIP. Each context's KSeF token comes from `token-file` (a file\n\
         # only you can read: chmod 600) or the environment variable KSEF_TOKEN_<NIP>.\n",
    );
    if c.contexts.is_empty() {
        s.push_str(
            "# [[contexts]]\n# nip = \"5265877635\"\n# name = \"Alfa sp. z o.o.\"\n# token-file = \"secrets/5265877635.token\"\n",
        );
    }
    for (nip, name) in &c.contexts {
        let _ = writeln!(s, "[[contexts]]\nnip = {}", toml_string(nip));
        key_line(&mut s, "name", name.as_deref(), "Alfa sp. z o.o.");
        match c.credentials.get(nip) {
            Some(keys) => {
                for (key, path) in keys {
                    let _ = writeln!(s, "{key} = {}", toml_string(path));
                }
                s.push('\n');
            }
            None => {
                let _ = writeln!(s, "# token-file = \"secrets/{nip}.token\"\n");
            }
        }
    }
    s.push_str(
        "\n[audit]\n# The firm's token inventory (`ksef-audit init --from SNAPSHOT` starts one).\n",
    );
    key_line(
        &mut s,
        "inventory",
        c.inventory.as_deref(),
        STARTER_INVENTORY,
    );
    s.push_str("# Staff list: who left, for owner-left and author-left.\n");
    key_line(&mut s, "staff", c.staff.as_deref(), "staff.csv");
    s.push_str("# Accepted findings, each with a reason, an owner and an expiry date.\n");
    key_line(
        &mut s,
        "exceptions",
        c.exceptions.as_deref(),
        "ksef-audit.exceptions.toml",
    );
    s.push_str("# Approved permission grants: NIP, holder, permissions.\n");
    key_line(
        &mut s,
        "access-register",
        c.access_register.as_deref(),
        "access-register.csv",
    );
    s.push_str("# fail-on = \"high\"          # exit 1 on findings at or above this severity\n");
    for p in &c.known_parties {
        let id = match &p.identifier.value {
            Some(v) => format!("{}:{v}", p.identifier.kind),
            None => p.identifier.kind.to_string(),
        };
        let _ = write!(
            s,
            "\n[[known-parties]]\nidentifier = {}\nname = {}\nreason = {}\n",
            toml_string(&id),
            toml_string(&p.name),
            toml_string(&p.reason)
        );
    }
    s.push_str(
        "\n[leaks]\n# exclude = [\"vendor/**\", \"*.min.js\"]\n# fail-on = \"medium\"\n\n\
         [report]\n# lang = \"pl\"               # reports and CSV in Polish (--lang overrides)\n\
         # sole-traders = []           # clients that are natural persons: NIPs masked\n\n\
         # Per-rule settings by rule name (`ksef-audit rules list`), e.g.:\n\
         # [rules.unused-token]\n# days = 60\n",
    );
    s
}

/// `[ksef] environment` for a snapshot's environment: the short name when it is KSeF's
/// own, else `LABEL=URL` (a bare URL for the label `custom`).
pub fn environment_value(env: &EnvironmentRef) -> String {
    match parse_environment(&env.label) {
        Ok(official) if official == *env => env.label.clone(),
        _ if env.label == "custom" => env.base_url.clone(),
        _ => format!("{}={}", env.label, env.base_url),
    }
}

/// What `init --force` keeps of the config it overwrites: the environment and each
/// context's credential keys, as written (so a rewritten config still signs in).
#[derive(Default)]
struct Kept {
    environment: Option<String>,
    credentials: std::collections::BTreeMap<String, Vec<(String, String)>>,
}

/// [`Kept`] of the config at `path`; nothing when there is none or it does not parse.
fn kept_from(path: &Path) -> Kept {
    let Ok(text) = ksef_model::input::read_limited_text(path, ksef_model::input::MAX_TOML_BYTES)
    else {
        return Kept::default();
    };
    let Ok(raw) = crate::config::parse(path, &text) else {
        return Kept::default();
    };
    let mut kept = Kept {
        environment: raw.ksef.environment.map(toml::Spanned::into_inner),
        ..Kept::default()
    };
    for entry in raw.contexts {
        let e = entry.into_inner();
        let Ok(nip) = ksef_model::validate_nip(e.nip.get_ref()) else {
            continue;
        };
        let shown = |p: &Path| p.to_string_lossy().into_owned();
        let mut keys = Vec::new();
        if let Some(p) = &e.token_file {
            keys.push(("token-file".to_string(), shown(p)));
        }
        for (key, value) in [
            ("certificate", &e.certificate),
            ("private-key", &e.private_key),
            ("pkcs12", &e.pkcs12),
        ] {
            if let Some(p) = value {
                keys.push((key.to_string(), shown(p.get_ref())));
            }
        }
        if !keys.is_empty() {
            kept.credentials.insert(nip, keys);
        }
    }
    kept
}

/// Fails, naming the file and `--force`, when `path` exists and may not be overwritten.
fn refuse_existing(path: &Path, force: bool, lang: Lang) -> Result<()> {
    if path.exists() && !force {
        bail!("{}", say(lang, "init_exists", &[("path", &path.display())]));
    }
    Ok(())
}

fn write_new(path: &Path, text: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    file.write_all(text)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write '{}'", path.display()))
}

/// `ksef-audit init`.
pub fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let config_path = dir.join(DEFAULT_CONFIG_FILE);
    let inventory_path = dir.join(STARTER_INVENTORY);
    let listing = args.from.is_some() || args.live;
    let lang = crate::app::messages::command_lang(args.lang.lang, global);
    // Refuse before any KSeF call, so a forgotten file costs no rate-limited listing.
    refuse_existing(&config_path, args.force, lang)?;
    if listing {
        refuse_existing(&inventory_path, args.force, lang)?;
    }
    let snapshot: Option<TokenSnapshot> = match (&args.from, args.live) {
        (Some(path), _) => Some(crate::app::tokens::read_snapshot(path)?),
        (None, true) => {
            let config = crate::app::load_config(global, RuleDirs::NotRead)?;
            let settings = resolve_settings(&config)?;
            Some(crate::app::tokens::fetch(
                &settings,
                global.quiet,
                global.verbose,
                lang,
            ))
        }
        (None, false) => None,
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create directory '{}'", dir.display()))?;
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let mut starter = StarterConfig {
        written_by: format!("written by `ksef-audit init` on {today}"),
        ..StarterConfig::default()
    };
    let kept = kept_from(&config_path);
    starter.environment = match &global.env {
        Some(flag) => Some(environment_value(
            &parse_environment(flag).map_err(|e| anyhow::anyhow!("--env: {e}"))?,
        )),
        None => snapshot
            .as_ref()
            .map(|s| environment_value(&s.environment))
            .or(kept.environment),
    };
    starter.credentials = kept.credentials;
    starter.contexts = global
        .nips
        .iter()
        .filter_map(|n| ksef_model::validate_nip(n).ok())
        .map(|nip| (nip, None))
        .collect();
    let mut rows = None;
    if let Some(snapshot) = &snapshot {
        starter.contexts = snapshot
            .contexts
            .iter()
            .map(|c| (c.nip.clone(), c.name.clone()))
            .collect();
        starter.inventory = Some(STARTER_INVENTORY.to_string());
        let mut csv = Vec::new();
        rows = Some(
            crate::render::inventory::write_starter_inventory(&mut csv, snapshot)
                .context("cannot write the starter inventory")?,
        );
        write_new(&inventory_path, &csv)?;
    }
    write_new(&config_path, config_text(&starter).as_bytes())?;
    let incomplete: Vec<_> = snapshot
        .iter()
        .flat_map(|s| &s.contexts)
        .filter(|c| c.status == ContextStatus::Incomplete)
        .collect();
    let mut err = std::io::stderr().lock();
    for c in &incomplete {
        let error = format!(
            "{} {}: {}: {}",
            stderr::message(lang, "context"),
            c.nip,
            stderr::message(lang, "init_unread"),
            ksef_model::i18n::reason::one_line(lang, c.reason_code.as_ref(), c.reason.as_deref())
        );
        writeln!(err, "{}", stderr::line(lang, stderr::Kind::Error, &error))?;
    }
    if !global.quiet {
        let (config_shown, inventory_shown) = (config_path.display(), inventory_path.display());
        writeln!(
            err,
            "{}",
            say(lang, "init_wrote", &[("path", &config_shown)])
        )?;
        let inventory = match rows {
            Some(n) => say(
                lang,
                "init_wrote_inventory",
                &[
                    ("path", &inventory_shown),
                    ("tokens", &active_tokens(lang, n as u64)),
                ],
            ),
            None => say(lang, "init_no_inventory", &[]),
        };
        writeln!(err, "{inventory}")?;
        writeln!(
            err,
            "{}",
            say(lang, "init_next", &[("path", &config_shown)])
        )?;
    }
    Ok(if incomplete.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Incomplete
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Flags;
    use crate::config::from_text;

    #[test]
    fn starter_configs_are_valid_configs() {
        let empty = config_text(&StarterConfig::default());
        from_text(Path::new("ksef-audit.toml"), &empty, &Flags::default()).expect("empty starter");
        let full = config_text(&StarterConfig {
            written_by: "test".into(),
            firm: Some("Biuro \"Cudzysłów\"".into()),
            environment: Some("simulator=http://127.0.0.1:8089".into()),
            environment_note: Some("a note".into()),
            contexts: vec![
                ("5265877635".into(), Some("Alfa".into())),
                ("7762811692".into(), None),
            ],
            inventory: Some("inventory.csv".into()),
            staff: Some("staff.csv".into()),
            exceptions: None,
            access_register: None,
            known_parties: Vec::new(),
            credentials: [(
                "5265877635".to_string(),
                vec![(
                    "token-file".to_string(),
                    "secrets/5265877635.token".to_string(),
                )],
            )]
            .into(),
        });
        let config = from_text(Path::new("ksef-audit.toml"), &full, &Flags::default())
            .expect("full starter");
        assert_eq!(config.firm.as_deref(), Some("Biuro \"Cudzysłów\""));
        assert!(
            full.contains("# token-file = \"secrets/7762811692.token\""),
            "{full}"
        );
        assert!(
            full.contains("\ntoken-file = \"secrets/5265877635.token\""),
            "{full}"
        );
    }

    #[test]
    fn official_environments_keep_their_short_name() {
        let prod = parse_environment("prod").expect("prod");
        assert_eq!(environment_value(&prod), "prod");
        let sim = EnvironmentRef {
            label: "simulator".into(),
            base_url: "http://127.0.0.1:8089".into(),
        };
        assert_eq!(environment_value(&sim), "simulator=http://127.0.0.1:8089");
        let custom = parse_environment("https://proxy.example/ksef").expect("custom");
        assert_eq!(environment_value(&custom), "https://proxy.example/ksef");
    }
}
