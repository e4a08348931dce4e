//! The validation step: [`RawConfig`] + [`Flags`] -> [`Config`]. Every section is
//! checked here, every problem is collected with its line and column, and the run
//! fails once with all of them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use crate::config::AuditConfig;
use crate::config::Config;
use crate::config::ConfigError;
use crate::config::ContextConfig;
use crate::config::Flags;
use crate::config::KsefConfig;
use crate::config::KsefFlags;
use crate::config::Language;
use crate::config::LeaksConfig;
use crate::config::Problem;
use crate::config::ReportConfig;
use crate::config::RuleDirs;
use crate::config::RulesConfig;
use crate::config::defaults;
use crate::config::parse_environment;
use crate::config::raw::AuditSection;
use crate::config::raw::KsefSection;
use crate::config::raw::LeaksSection;
use crate::config::raw::RawConfig;
use crate::config::raw::ReportSection;
use ksef_client::settings::CertificateFiles;
use ksef_client::settings::check_private_file;
use ksef_leaks::position::line_col;
use ksef_model::DueDays;
use ksef_model::Severity;
use ksef_model::validate_nip;
use ksef_policy::rule::load_policy_rules;
use ksef_rules::RuleLoadError;
use ksef_rules::leak::builtin_leak_rules;

/// True when `name` is a built-in leak rule (so `[rules.<name>]` is not a policy typo).
pub fn is_leak_rule_name(name: &str) -> bool {
    builtin_leak_rules().is_ok_and(|rules| {
        rules
            .iter()
            .any(|r| r.name == name || r.id.eq_ignore_ascii_case(name))
    })
}

/// Problems found so far, positioned in `text`.
struct Problems<'a> {
    text: &'a str,
    list: Vec<(usize, Problem)>,
    /// Whether certificate and key files are looked at (not for `doctor`, which checks
    /// them itself, one line each).
    check_files: bool,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_col(self.text.as_bytes(), span.start);
        let at = Some((line as usize, column as usize));
        self.list.push((span.start, Problem { at, message }));
    }
}

/// Checks every section; on any problem, fails with all of them in file order.
pub(super) fn validate(
    raw: &RawConfig,
    text: &str,
    path: Option<&Path>,
    flags: &Flags,
) -> Result<Config, ConfigError> {
    let (config, problems) = validate_collecting(raw, text, path, flags, true)?;
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid {
            origin: crate::config::origin(path),
            problems,
        })
    }
}

/// Checks every section and returns the config as far as it is valid (an entry with a
/// problem is left out) with every problem in file order. With `check_files` false the
/// certificate and key files are not looked at.
pub(super) fn validate_collecting(
    raw: &RawConfig,
    text: &str,
    path: Option<&Path>,
    flags: &Flags,
    check_files: bool,
) -> Result<(Config, Vec<Problem>), ConfigError> {
    let base = path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let resolve = |p: &PathBuf| -> PathBuf {
        if p.is_absolute() {
            p.clone()
        } else {
            base.join(p)
        }
    };
    let mut problems = Problems {
        text,
        list: Vec::new(),
        check_files,
    };
    let ksef = ksef(&raw.ksef, raw, &resolve, &mut problems);
    let audit = audit(&raw.audit, &resolve, &mut problems);
    let leaks = leaks(&raw.leaks, &resolve, &mut problems);
    let report = report(&raw.report, &resolve, &mut problems);
    let offboard = offboard(&raw.offboard, &mut problems);
    let overrides = with_sign_in_end(
        &raw.rules,
        raw.audit.token_sign_in_end.as_ref(),
        &mut problems,
    );
    let rules = rules(&overrides, &flags.rules, &mut problems)?;
    let known_parties = known_parties(&raw.known_parties, &mut problems);
    let mut list = problems.list;
    list.sort_by_key(|(offset, _)| *offset);
    let config = Config {
        path: path.map(Path::to_path_buf),
        firm: raw.firm.clone(),
        flags: KsefFlags {
            env: flags.env.clone(),
            nips: flags.nips.clone(),
        },
        ksef,
        audit,
        leaks,
        report,
        offboard,
        rules,
        known_parties,
    };
    Ok((config, list.into_iter().map(|(_, p)| p).collect()))
}

/// `[offboard]`: `in-use-days` from 1 to [`defaults::MAX_OFFBOARD_IN_USE_DAYS`].
fn offboard(
    section: &crate::config::raw::OffboardSection,
    problems: &mut Problems,
) -> crate::config::OffboardConfig {
    let mut config = crate::config::OffboardConfig::default();
    if let Some(days) = &section.in_use_days {
        let n = *days.get_ref();
        if (1..=defaults::MAX_OFFBOARD_IN_USE_DAYS).contains(&n) {
            config.in_use_days = n;
        } else {
            problems.at(
                days.span(),
                format!(
                    "[offboard] in-use-days = {n} is out of range\nhelp: give a number of days from 1 to {}",
                    defaults::MAX_OFFBOARD_IN_USE_DAYS
                ),
            );
        }
    }
    config
}

/// `[[known-parties]]`: each identifier valid (PESEL/NIP check digits, fingerprint
/// length), name and reason given, no identifier twice.
fn known_parties(
    entries: &[toml::Spanned<crate::config::raw::KnownPartyEntry>],
    problems: &mut Problems,
) -> Vec<ksef_model::KnownParty> {
    let mut out: Vec<ksef_model::KnownParty> = Vec::new();
    for e in entries {
        let e = e.get_ref();
        let id = match ksef_model::parse_holder_identifier(e.identifier.get_ref()) {
            Ok(id) => id,
            Err(msg) => {
                problems.at(
                    e.identifier.span(),
                    format!(
                        "[[known-parties]] identifier: {msg}\nhelp: write a PESEL, NIP or certificate fingerprint, e.g. identifier = \"Nip:5261048379\""
                    ),
                );
                continue;
            }
        };
        for (field, value) in [("name", &e.name), ("reason", &e.reason)] {
            if value.get_ref().trim().is_empty() {
                problems.at(
                    value.span(),
                    format!("[[known-parties]] {field} is empty\nhelp: say who the party is and why it holds grants"),
                );
            }
        }
        if out
            .iter()
            .any(|p| ksef_model::same_holder(&p.identifier, &id))
        {
            problems.at(
                e.identifier.span(),
                format!(
                    "[[known-parties]] identifier {} {} is listed twice",
                    id.kind,
                    id.masked()
                ),
            );
            continue;
        }
        out.push(ksef_model::KnownParty {
            identifier: id,
            name: e.name.get_ref().trim().to_string(),
            reason: e.reason.get_ref().trim().to_string(),
        });
    }
    out
}

fn ksef(
    section: &KsefSection,
    raw: &RawConfig,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    problems: &mut Problems,
) -> KsefConfig {
    let environment = section.environment.as_ref().and_then(|value| {
        parse_environment(value.get_ref())
            .map_err(|e| {
                problems.at(value.span(), format!(
                    "[ksef] environment: {e}\nhelp: set environment = \"test\", \"demo\", \"prod\", a URL or \"LABEL=URL\""
                ))
            })
            .ok()
    });
    let concurrency = match &section.concurrency {
        Some(c) => {
            let n = *c.get_ref();
            if n == 0 || n > defaults::MAX_CONCURRENCY {
                problems.at(
                    c.span(),
                    format!(
                        "[ksef] concurrency = {n}: must be between 1 and {}\nhelp: the default is {}",
                        defaults::MAX_CONCURRENCY,
                        defaults::CONCURRENCY
                    ),
                );
            }
            n
        }
        None => defaults::CONCURRENCY,
    };
    let secs = |v: Option<u64>, min: u64, default: Duration| {
        v.map_or(default, |s| Duration::from_secs(s.max(min)))
    };
    let mut seen = BTreeSet::new();
    let mut contexts = Vec::new();
    for (i, entry) in raw.contexts.iter().enumerate() {
        let entry = entry.get_ref();
        let nip = &entry.nip;
        match validate_nip(nip.get_ref()) {
            Ok(valid) => {
                if !seen.insert(valid.clone()) {
                    problems.at(nip.span(), format!(
                        "contexts[{i}].nip '{}': NIP {valid} is listed twice\nhelp: keep one [[contexts]] entry per NIP",
                        nip.get_ref()
                    ));
                    continue;
                }
                let certificate = certificate_files(i, entry, resolve, problems);
                contexts.push(ContextConfig {
                    nip: valid,
                    name: entry.name.clone(),
                    token_file: entry.token_file.as_ref().map(resolve),
                    certificate,
                });
            }
            Err(e) => problems.at(
                nip.span(),
                format!(
                    "contexts[{i}].nip '{}': {e}\nhelp: check the NIP for typos",
                    nip.get_ref()
                ),
            ),
        }
    }
    KsefConfig {
        environment,
        contexts,
        concurrency,
        connect_timeout: secs(section.connect_timeout, 1, defaults::CONNECT_TIMEOUT),
        request_timeout: secs(section.request_timeout, 1, defaults::REQUEST_TIMEOUT),
        max_retry_after: secs(section.max_retry_after, 0, defaults::MAX_RETRY_AFTER),
        max_pages: section.max_pages.map_or(defaults::MAX_PAGES, |p| p.max(1)),
        auth_timeout: secs(section.auth_timeout, 1, defaults::AUTH_TIMEOUT),
    }
}

/// `certificate` + `private-key`, or `pkcs12`: both named together, files present,
/// the key file readable by its owner only. Checked here, before any network call.
fn certificate_files(
    i: usize,
    entry: &crate::config::raw::ContextEntry,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    problems: &mut Problems,
) -> Option<CertificateFiles> {
    let help = "help: give `certificate` and `private-key` together, or `pkcs12` alone";
    let files = match (&entry.certificate, &entry.private_key, &entry.pkcs12) {
        (None, None, None) => return None,
        (Some(c), Some(k), None) => CertificateFiles::Pem {
            certificate: resolve(c.get_ref()),
            private_key: resolve(k.get_ref()),
        },
        (None, None, Some(p)) => CertificateFiles::Pkcs12(resolve(p.get_ref())),
        (Some(c), None, None) => {
            problems.at(c.span(), format!("contexts[{i}].certificate needs `private-key` (the PKCS#8 PEM key of the certificate)\n{help}"));
            return None;
        }
        (None, Some(k), None) => {
            problems.at(
                k.span(),
                format!("contexts[{i}].private-key needs `certificate`\n{help}"),
            );
            return None;
        }
        (_, _, Some(p)) => {
            problems.at(p.span(), format!("contexts[{i}].pkcs12 cannot be combined with `certificate`/`private-key`\n{help}"));
            return None;
        }
    };
    let key_span = entry
        .pkcs12
        .as_ref()
        .or(entry.private_key.as_ref())
        .map(toml::Spanned::span)
        .unwrap_or_default();
    if entry.token_file.is_some() {
        problems.at(
            key_span.clone(), format!(
            "contexts[{i}]: `token-file` and a certificate both given\nhelp: keep one way to sign in per context"
        ));
    }
    if !problems.check_files {
        return Some(files);
    }
    if let CertificateFiles::Pem { certificate, .. } = &files
        && let Err(e) = std::fs::metadata(certificate)
    {
        let span = entry
            .certificate
            .as_ref()
            .map(toml::Spanned::span)
            .unwrap_or_default();
        problems.at(span, format!(
            "contexts[{i}].certificate '{}' cannot be read: {e}\nhelp: check the path (relative paths are resolved against the config file's directory)",
            ksef_model::shown_path(certificate)
        ));
    }
    let what = if matches!(files, CertificateFiles::Pkcs12(_)) {
        "pkcs12"
    } else {
        "private-key"
    };
    if let Err(e) = check_private_file(files.key_file(), "private key") {
        problems.at(key_span, format!("contexts[{i}].{what} {e}"));
    }
    Some(files)
}

fn severity(
    value: Option<&Spanned<String>>,
    key: &str,
    default: Severity,
    problems: &mut Problems,
) -> Severity {
    let Some(value) = value else {
        return default;
    };
    value.get_ref().parse::<Severity>().unwrap_or_else(|e| {
        problems.at(value.span(), format!("{key}: {e}"));
        default
    })
}

fn audit(
    section: &AuditSection,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    problems: &mut Problems,
) -> AuditConfig {
    AuditConfig {
        inventory: section.inventory.as_ref().map(resolve),
        staff: section.staff.as_ref().map(resolve),
        exceptions: section.exceptions.as_ref().map(resolve),
        access_register: section.access_register.as_ref().map(resolve),
        fail_on: severity(
            section.fail_on.as_ref(),
            "[audit] fail-on",
            defaults::AUDIT_FAIL_ON,
            problems,
        ),
        token_last_issuance: date(
            section.token_last_issuance.as_ref(),
            "[audit] token-last-issuance",
            problems,
        )
        .unwrap_or_else(ksef_model::default_token_last_issuance),
    }
}

/// A `YYYY-MM-DD` date key; a bad value is a problem at its place.
fn date(
    value: Option<&Spanned<String>>,
    key: &str,
    problems: &mut Problems,
) -> Option<chrono::NaiveDate> {
    let value = value?;
    chrono::NaiveDate::parse_from_str(value.get_ref().trim(), "%Y-%m-%d")
        .map_err(|_| {
            problems.at(
                value.span(),
                format!(
                    "{key}: '{}' is not a date; write it as YYYY-MM-DD, e.g. \"2026-12-31\"",
                    value.get_ref()
                ),
            );
        })
        .ok()
}

fn leaks(
    section: &LeaksSection,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    problems: &mut Problems,
) -> LeaksConfig {
    for glob in &section.exclude {
        if let Err(e) = globset::Glob::new(glob.get_ref()) {
            problems.at(
                glob.span(),
                format!(
                    "[leaks] exclude '{}': {e}\nhelp: use globs such as \"vendor/**\" or \"*.min.js\"",
                    glob.get_ref()
                ),
            );
        }
    }
    let max_file_size = match &section.max_file_size {
        Some(size) if *size.get_ref() == 0 => {
            problems.at(
                size.span(),
                format!(
                    "[leaks] max-file-size = 0: must be at least 1 byte\nhelp: the default is {}",
                    defaults::MAX_FILE_SIZE
                ),
            );
            defaults::MAX_FILE_SIZE
        }
        Some(size) => *size.get_ref(),
        None => defaults::MAX_FILE_SIZE,
    };
    LeaksConfig {
        exclude: section
            .exclude
            .iter()
            .map(|g| g.get_ref().clone())
            .collect(),
        max_file_size,
        fail_on: severity(
            section.fail_on.as_ref(),
            "[leaks] fail-on",
            defaults::LEAKS_FAIL_ON,
            problems,
        ),
        baseline: section.baseline.as_ref().map(resolve),
    }
}

fn report(
    section: &ReportSection,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
    problems: &mut Problems,
) -> ReportConfig {
    let lang = match &section.lang {
        None => Language::En,
        Some(value) => match value.get_ref().trim().to_ascii_lowercase().as_str() {
            "en" => Language::En,
            "pl" => Language::Pl,
            other => {
                problems.at(
                    value.span(),
                    format!(
                        "[report] lang = '{other}' is not supported\nhelp: use \"en\" or \"pl\""
                    ),
                );
                Language::En
            }
        },
    };
    let mut sole_traders = BTreeSet::new();
    for nip in &section.sole_traders {
        match validate_nip(nip.get_ref()) {
            Ok(valid) => {
                sole_traders.insert(valid);
            }
            Err(e) => problems.at(
                nip.span(),
                format!(
                    "[report] sole-traders: '{}' is not a valid NIP: {e}\nhelp: list 10-digit NIPs",
                    nip.get_ref()
                ),
            ),
        }
    }
    let d = &section.due_days;
    let defaults = DueDays::default();
    ReportConfig {
        lang,
        due_days: DueDays {
            critical: d.critical.unwrap_or(defaults.critical),
            high: d.high.unwrap_or(defaults.high),
            medium: d.medium.unwrap_or(defaults.medium),
            low: d.low.unwrap_or(defaults.low),
        },
        sole_traders,
        templates: section.templates.as_ref().map(resolve),
        offboard_records: section.offboard_records.as_ref().map(resolve),
    }
}

/// Rules whose `sunset` parameter is the end of token sign-in.
const SUNSET_RULES: [&str; 2] = ["token-sunset-approaching", "token-sunset-near"];

/// The `[rules.*]` overrides with `[audit] token-sign-in-end` as the token-sunset rules'
/// `sunset`, where their own table does not set one.
fn with_sign_in_end(
    overrides: &BTreeMap<String, Spanned<toml::Table>>,
    end: Option<&Spanned<String>>,
    problems: &mut Problems,
) -> BTreeMap<String, Spanned<toml::Table>> {
    let mut out = overrides.clone();
    let Some(day) = date(end, "[audit] token-sign-in-end", problems) else {
        return out;
    };
    let span = end.map(Spanned::span).unwrap_or_default();
    for name in SUNSET_RULES {
        let entry = out
            .entry(name.to_string())
            .or_insert_with(|| Spanned::new(span.clone(), toml::Table::new()));
        if !entry.get_ref().contains_key("sunset") {
            let mut table = entry.get_ref().clone();
            table.insert("sunset".into(), day.format("%Y-%m-%d").to_string().into());
            *entry = Spanned::new(entry.span(), table);
        }
    }
    out
}

/// `[rules.*]`: each override is applied to the rules it names, one at a time, so each
/// problem is placed at its own table. Rule files that do not load are not a config
/// problem: their error is returned as it is.
fn rules(
    overrides: &BTreeMap<String, Spanned<toml::Table>>,
    dirs: &RuleDirs,
    problems: &mut Problems,
) -> Result<RulesConfig, ConfigError> {
    let plain: BTreeMap<String, toml::Table> = overrides
        .iter()
        .map(|(name, table)| (name.clone(), table.get_ref().clone()))
        .collect();
    if overrides.is_empty() && *dirs == RuleDirs::NotRead {
        return Ok(RulesConfig::default());
    }
    let (mut set, every_name) = match dirs {
        RuleDirs::Read(dir) => (load_policy_rules(dir.as_deref())?, true),
        RuleDirs::NotRead => (load_policy_rules(None)?, false),
    };
    for (name, table) in overrides {
        if !every_name && !set.rules.iter().any(|r| &r.name == name) {
            continue;
        }
        let one = BTreeMap::from([(name.clone(), table.get_ref().clone())]);
        if let Err(err) = set.apply_overrides(&one, &is_leak_rule_name) {
            for message in override_problems(err) {
                problems.at(table.span(), format!("[rules.{name}] {message}"));
            }
        }
    }
    Ok(RulesConfig {
        overrides: plain,
        policy: match dirs {
            RuleDirs::Read(dir) => Some((dir.clone(), set)),
            RuleDirs::NotRead => None,
        },
    })
}

/// The messages of a failed override, without the `config [rules]: rule NAME:` prefix.
fn override_problems(err: RuleLoadError) -> Vec<String> {
    match err {
        RuleLoadError::Invalid { problems } => problems
            .into_iter()
            .map(|p| match p.split_once(": rule ") {
                Some((_, rest)) => rest
                    .split_once(": ")
                    .map_or(rest.to_string(), |(_, m)| m.to_string()),
                None => p,
            })
            .collect(),
        other => vec![other.to_string()],
    }
}
