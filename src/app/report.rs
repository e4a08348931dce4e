//! `ksef-audit report`: HTML/CSV reports from audit and leak results.
//!
//! [`run`] turns the flags and the [`Config`] into a [`ReportRequest`] and calls [`report`].

use ksef_model::i18n::stderr;
use ksef_model::i18n::stderr::Kind;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Duration;

use crate::cli::GlobalArgs;
use crate::cli::MaskNip;
use crate::cli::ReportArgs;
use crate::cli::ReportFormat;
use crate::cli::ReportKind as CliKind;
use crate::cli::ReportLang;
use crate::cli::ReportTable;
use crate::config::Config;
use crate::config::Language;
use crate::config::RuleDirs;
use crate::inputs::results::load_audit_results;
use crate::inputs::results::load_leak_results;
use crate::inputs::results::load_offboard_records;
use crate::inputs::staff::load_staff;
use crate::render::csv::CsvOptions;
use crate::render::html;
use crate::render::html::CsvTable;
use crate::render::html::LinkedRecord;
use crate::render::html::NipMasking;
use crate::render::html::ReportInput;
use crate::render::html::ReportKind;
use crate::render::html::ReportOptions;
use ksef_model::AuditResults;
use ksef_model::DueDays;
use ksef_model::LeakResults;
use ksef_model::Outcome;
use ksef_model::Severity;
use ksef_model::StaffMember;
use ksef_model::i18n::Lang;
use ksef_policy::posture::report_facts;
use ksef_policy::posture::report_rules;
use ksef_policy::rule::load_policy_rules;

use crate::app::output::Output;

/// Report options from the (validated) `[report]` section of the config.
pub fn options_from_config(cfg: &Config) -> ReportOptions {
    let r = &cfg.report;
    ReportOptions {
        lang: match r.lang {
            Language::En => Lang::En,
            Language::Pl => Lang::Pl,
        },
        templates: r.templates.clone(),
        due_days: r.due_days,
        firm: cfg.firm.clone(),
        ..ReportOptions::default()
    }
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutput {
    Html,
    /// One table; `excel`: `;` and a UTF-8 BOM.
    Csv {
        table: CsvTable,
        excel: bool,
    },
}

/// Everything `ksef-audit report` does, without clap types.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub audit: Option<PathBuf>,
    pub leaks: Option<PathBuf>,
    pub previous: Vec<PathBuf>,
    pub staff: Option<PathBuf>,
    /// `--offboard-records` (else `[report] offboard-records`).
    pub offboard_records: Option<PathBuf>,
    pub kind: ReportKind,
    pub output: ReportOutput,
    /// Language, templates, due days, NIP masking, quarter, firm.
    pub options: ReportOptions,
    /// `None`: standard output.
    pub output_path: Option<PathBuf>,
    pub quiet: bool,
}

impl ReportRequest {
    /// The request `report` flags and the config describe (flags win over the config).
    pub fn new(args: &ReportArgs, global: &GlobalArgs, cfg: &Config) -> Result<ReportRequest> {
        let mut opts = options_from_config(cfg);
        if let Some(lang) = args.lang.lang {
            opts.lang = match lang {
                ReportLang::En => Lang::En,
                ReportLang::Pl => Lang::Pl,
            };
        }
        if let Some(dir) = &args.templates {
            if !dir.is_dir() {
                bail!(
                    "template directory '{}' does not exist\nhelp: --templates takes a directory with files named as in reports/ (base.html, quarterly.html, …)",
                    ksef_model::shown_path(dir)
                );
            }
            opts.templates = Some(dir.clone());
        }
        opts.quarter = args.quarter.clone();
        opts.mask_nip = match args.mask_nip {
            None => NipMasking::None,
            Some(MaskNip::All) => NipMasking::All,
            Some(MaskNip::SoleTraders) => {
                let set = cfg.report.sole_traders.clone();
                if set.is_empty() && !global.quiet {
                    let lang = crate::app::lang(args.lang.lang);
                    say!(
                        "{}\n{}",
                        stderr::line(lang, Kind::Warning, stderr::message(lang, "mask_nip_none")),
                        stderr::line(lang, Kind::Help, stderr::message(lang, "mask_nip_help"))
                    );
                }
                NipMasking::Only(set)
            }
        };
        let kind = match args.kind {
            CliKind::Review => ReportKind::Review,
            CliKind::Quarterly => ReportKind::Quarterly,
        };
        let format = crate::cli::choose_format(
            args.format.format,
            args.csv_excel.csv_excel,
            args.output.output.as_deref(),
            ReportFormat::Html,
        )
        .map_err(anyhow::Error::msg)?;
        let output = match format {
            ReportFormat::Html => ReportOutput::Html,
            ReportFormat::Csv => ReportOutput::Csv {
                table: match (args.table, kind) {
                    (Some(ReportTable::Findings), _) | (None, ReportKind::Review) => {
                        CsvTable::Findings
                    }
                    (Some(ReportTable::Clients), _) | (None, ReportKind::Quarterly) => {
                        CsvTable::Clients
                    }
                },
                excel: args.csv_excel.csv_excel,
            },
        };
        Ok(ReportRequest {
            audit: args.audit.clone(),
            leaks: args.leaks.clone(),
            previous: args.previous.clone(),
            staff: args.staff.clone(),
            offboard_records: args
                .offboard_records
                .clone()
                .or_else(|| cfg.report.offboard_records.clone()),
            kind,
            output,
            options: opts,
            output_path: args.output.output.clone(),
            quiet: global.quiet,
        })
    }
}

/// `input` with its facts (scores, KPIs, due dates, the comparison with earlier quarters)
/// decided from its own audit, leak results and earlier quarters: the one place a report
/// input is paired with its facts.
pub fn with_facts(
    mut input: ReportInput,
    due_days: DueDays,
    rules: &ksef_model::ReportRules,
    now: chrono::DateTime<chrono::Utc>,
) -> ReportInput {
    input.facts = report_facts(
        input.audit.as_ref(),
        input.leaks.as_ref(),
        &input.previous,
        due_days,
        rules,
        now,
    );
    input
}

/// `ksef-audit report`: flags + config -> [`ReportRequest`] -> [`report`].
pub fn run(global: &GlobalArgs, args: &ReportArgs) -> Result<Outcome> {
    let cfg = crate::app::load_config(global, RuleDirs::NotRead)?;
    report(&ReportRequest::new(args, global, &cfg)?)
}

/// The `report` pipeline: read the result documents, render, write.
pub fn report(req: &ReportRequest) -> Result<Outcome> {
    let mut opts = req.options.clone();
    let mut input = ReportInput::default();
    if let Some(p) = &req.audit {
        let mut l = load_audit_results(p, "audit")?;
        opts.input_digests
            .push((format!("--audit {}", file_name(p)), l.digest));
        // A results file may come from elsewhere or be edited: the same redaction as a run.
        crate::app::redact::redact_audit(&mut l.value);
        input.audit = Some(l.value);
    }
    if let Some(p) = &req.leaks {
        let mut l = load_leak_results(p, "leaks")?;
        opts.input_digests
            .push((format!("--leaks {}", file_name(p)), l.digest));
        crate::app::redact::redact_leaks(&mut l.value);
        input.leaks = Some(l.value);
    }
    for p in &req.previous {
        let mut l = load_audit_results(p, "previous")?;
        opts.input_digests
            .push((format!("--previous {}", file_name(p)), l.digest));
        crate::app::redact::redact_audit(&mut l.value);
        input.previous.push(l.value);
    }
    if let Some(p) = &req.staff {
        input.staff = load_staff(p)?;
    }
    if let Some(dir) = &req.offboard_records {
        let from = req
            .output_path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        let (records, digest) = linked_records(dir, from)?;
        opts.input_digests
            .push((format!("--offboard-records {}", file_name(dir)), digest));
        input.offboard_records = Some(records);
    }
    // Report sections and rule titles are metadata of the built-in rules.
    let rules = report_rules(&load_policy_rules(None)?);
    let input = with_facts(
        input,
        opts.due_days,
        &rules,
        opts.now.unwrap_or_else(chrono::Utc::now),
    );
    if input.audit.is_none() && input.leaks.is_none() {
        bail!(
            "nothing to report: give --audit FILE and/or --leaks FILE\nhelp: write them with `ksef-audit audit --format json -o audit.json` and `ksef-audit leaks PATH --format json -o leaks.json`"
        );
    }
    let kind = req.kind;
    let bytes = match req.output {
        ReportOutput::Html => match kind {
            ReportKind::Review => html::render_review(&input, &opts)?,
            ReportKind::Quarterly => html::render_quarterly(&input, &opts)?,
        }
        .into_bytes(),
        ReportOutput::Csv { table, excel } => {
            let view = html::build_view(&input, &opts, kind)?;
            html::render_csv(&view, table, CsvOptions::new(excel, opts.lang))?
        }
    };
    let mut out = Output::open(req.output_path.as_deref())?;
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .with_context(|| match out.path() {
            Some(p) => format!("cannot write report '{}'", ksef_model::shown_path(p)),
            None => "cannot write the report to standard output".to_string(),
        })?;
    if let Some(p) = out.path().filter(|_| !req.quiet) {
        say!(
            "{} {}",
            opts.lang.t("report written to", "raport zapisano w pliku"),
            ksef_model::shown_path(p)
        );
    }
    // A report is a rendering, not a check: it never fails on findings, but an
    // incomplete audit is still an incomplete run.
    let incomplete = input.audit.as_ref().is_some_and(|a| {
        a.summary.contexts_incomplete > 0
            || a.contexts
                .iter()
                .any(|c| c.status == ksef_model::ContextStatus::Incomplete)
    }) || input.leaks.as_ref().is_some_and(|l| !l.errors.is_empty());
    // The reason for exit 2 is always on stderr (also with -q).
    if let Some(a) = &input.audit {
        let _ = crate::app::messages::write_incomplete(
            &mut crate::app::output::stderr(),
            opts.lang,
            &a.contexts,
        );
    }
    if let Some(l) = &input.leaks {
        for e in &l.errors {
            say!("{}", stderr::error_at(opts.lang, &e.path, &e.message, true));
        }
        let _ = crate::app::messages::write_leak_errors(
            &mut crate::app::output::stderr(),
            opts.lang,
            &l.errors,
        );
    }
    Ok(if incomplete {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    })
}

/// The records in `dir`, each with the link to its HTML page (its JSON when the page is
/// missing) relative to `from`, the report's directory; and one digest of them all (each
/// file's name and SHA-256, in name order) for the cover.
pub fn linked_records(dir: &Path, from: &Path) -> Result<(Vec<LinkedRecord>, String)> {
    let kept = load_offboard_records(dir, "offboard-records")?;
    let listing: String = kept
        .iter()
        .map(|k| format!("{}  {}\n", k.digest, file_name(&k.path)))
        .collect();
    let digest = ksef_model::fingerprint_hex(listing.as_bytes());
    let records = kept
        .into_iter()
        .map(|k| {
            let page = k.path.with_extension("html");
            let target = if page.is_file() { page } else { k.path };
            LinkedRecord {
                href: relative_link(from, &target),
                record: k.record,
            }
        })
        .collect();
    Ok((records, digest))
}

/// `p` absolute, its nearest existing ancestor with symbolic links resolved (so a path
/// that exists and one that does not yet compare alike).
fn full(p: &Path) -> PathBuf {
    let abs = std::path::absolute(if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    })
    .unwrap_or_else(|_| p.to_path_buf());
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = base.canonicalize() {
            return rest.iter().rev().fold(real, |acc, c| acc.join(c));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return abs,
        }
    }
}

/// `target` as a link from a page in `from`: relative, `/`-separated.
fn relative_link(from: &Path, target: &Path) -> String {
    let (from, target) = (full(from), full(target));
    let common = from
        .components()
        .zip(target.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        target
            .components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    percent_encode(&parts.join("/"))
}

/// A path as a URL path: unreserved characters and `/` stay, every other byte is `%XX` (so
/// a `:` or `#` in a directory name cannot become a scheme or a fragment).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ksef_model::shown_path(p).to_string())
}

/// Two earlier quarters derived deterministically from the current results, so the
/// demo's trend has something to show: quarter −1 had more open findings (many of
/// which were fixed since, a few new ones appeared) and quarter −2 more still, with
/// the last client not yet audited.
pub fn demo_history(current: &AuditResults) -> Vec<AuditResults> {
    let mut out = Vec::new();
    for back in [2i64, 1] {
        let mut q = current.clone();
        q.generated_at = current.generated_at - Duration::days(91 * back);
        q.digests.inputs.clear();
        q.exceptions.clear();
        q.warnings.clear();
        for c in &mut q.contexts {
            c.fetched_at -= Duration::days(91 * back);
        }
        if back == 2
            && q.contexts.len() > 1
            && let Some(last) = q.contexts.pop()
        {
            q.findings.retain(|f| f.nip != last.nip);
        }
        // Findings new this quarter: every 6th (-1) / every 4th (-2) was not there yet.
        let skip = if back == 1 { 6 } else { 4 };
        let mut idx = 0usize;
        q.findings.retain(|_| {
            idx += 1;
            !idx.is_multiple_of(skip)
        });
        // Findings fixed since: copies of existing ones on made-up references.
        let extra: Vec<_> = q
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Medium && f.reference_number.is_some())
            .step_by(if back == 1 { 2 } else { 1 })
            .cloned()
            .collect();
        for (i, mut f) in extra.into_iter().enumerate() {
            f.id = format!("{}-q{back}-{i}", f.id);
            if let Some(r) = &mut f.reference_number {
                *r = format!("{}-old{i}", &r[..r.len().min(22)]);
            }
            f.excepted = false;
            f.exception = None;
            q.findings.push(f);
        }
        for f in &mut q.findings {
            f.excepted = false;
            f.exception = None;
        }
        q.summary.findings_by_severity.clear();
        for f in &q.findings {
            *q.summary
                .findings_by_severity
                .entry(f.severity)
                .or_insert(0) += 1;
        }
        q.summary.excepted = 0;
        out.push(q);
    }
    out
}

/// Writes the demo's two earlier quarters (`audit-2026q2.json`, …: the audit results
/// `report --previous` takes), then its security review and quarterly reports, into
/// `out_dir`; returns the paths written, in that order. The quarterly reports link the
/// offboarding records in `records` (`report --offboard-records`).
pub fn write_demo_reports(
    out_dir: &Path,
    audit: &AuditResults,
    leaks: Option<&LeakResults>,
    staff: &[StaffMember],
    records: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).with_context(|| {
        format!(
            "cannot create directory '{}'",
            ksef_model::shown_path(out_dir)
        )
    })?;
    let previous = demo_history(audit);
    // The earlier quarters as files, so `report --previous` can be tried by hand.
    let mut written = Vec::new();
    for q in &previous {
        let path = out_dir.join(format!(
            "audit-{}.json",
            html::model::quarter_of(q.generated_at).to_lowercase()
        ));
        let mut json = Vec::new();
        crate::render::audit::render_json(q, &mut json)?;
        std::fs::write(&path, json)
            .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&path)))?;
        written.push(path);
    }
    let input = with_facts(
        ReportInput {
            audit: Some(audit.clone()),
            leaks: leaks.cloned(),
            previous,
            staff: staff.to_vec(),
            offboard_records: records
                .map(|dir| linked_records(dir, out_dir).map(|(linked, _)| linked))
                .transpose()?,
            ..ReportInput::default()
        },
        DueDays::default(),
        &report_rules(&load_policy_rules(None)?),
        chrono::Utc::now(),
    );
    for (name, kind, lang) in [
        ("report-review.html", ReportKind::Review, Lang::En),
        ("report-quarterly.html", ReportKind::Quarterly, Lang::En),
        ("raport-kwartalny.html", ReportKind::Quarterly, Lang::Pl),
    ] {
        let opts = ReportOptions {
            lang,
            ..options_from_config(&Config::default())
        };
        let html = match kind {
            ReportKind::Review => html::render_review(&input, &opts)?,
            ReportKind::Quarterly => html::render_quarterly(&input, &opts)?,
        };
        let path = out_dir.join(name);
        std::fs::write(&path, html)
            .with_context(|| format!("cannot write '{}'", ksef_model::shown_path(&path)))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Config {
        crate::config::from_text(Path::new("k.toml"), text, &Default::default()).expect("valid")
    }

    #[test]
    fn record_links_are_relative_and_cannot_become_a_scheme_or_fragment() {
        let root = std::env::temp_dir();
        let link = |from: &str, to: &str| relative_link(&root.join(from), &root.join(to));
        assert_eq!(link("out", "records/r.html"), "../records/r.html");
        assert_eq!(link("", "records/r.html"), "records/r.html");
        assert_eq!(link("a/b", "a/r.html"), "../r.html");
        assert_eq!(
            link("", "javascript:x #1/r é.html"),
            "javascript%3Ax%20%231/r%20%C3%A9.html"
        );
    }

    #[test]
    fn due_days_and_lang_come_from_the_report_section() {
        let c = cfg(
            "[report]\nlang = \"pl\"\nsole-traders = [\"9512345675\"]\n[report.due-days]\ncritical = 3\n",
        );
        let o = options_from_config(&c);
        assert_eq!(o.lang, Lang::Pl);
        assert_eq!(o.due_days.critical, 3);
        assert_eq!(o.due_days.high, 30, "unset keys keep their defaults");
        assert_eq!(c.report.sole_traders.len(), 1);
    }

    #[test]
    fn bad_report_settings_name_the_file() {
        let load = |text: &str| {
            crate::config::from_text(Path::new("k.toml"), text, &Default::default())
                .expect_err("invalid")
                .to_string()
        };
        let err = load("[report]\nlang = \"de\"\n");
        assert!(err.contains("k.toml") && err.contains("help:"), "{err}");
        let err = load("[report]\nsole-traders = [\"1234567890\"]\n");
        assert!(err.contains("'1234567890' is not a valid NIP"), "{err}");
        assert!(
            crate::config::parse(Path::new("k.toml"), "[report.due-days]\ncritcal = 1\n").is_err()
        );
    }
}
