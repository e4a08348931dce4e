//! `ksef-audit certificates`: the KSeF certificates of every context that signed in with a
//! certificate (KSeF answers 403 to the certificate list under a token sign-in), judged by
//! the certificate rules against the staff list and the inventory. A table, CSV (plain or
//! Excel mode) or the versioned JSON snapshot with the findings added; live like `tokens`,
//! or `--from SNAPSHOT`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::app::output::Output;
use crate::app::tokens::TokenSource;
use crate::app::tokens::contexts_pl;
use crate::app::tokens::fetch;
use crate::app::tokens::incomplete_reasons;
use crate::app::tokens::outcome;
use crate::app::tokens::read_snapshot;
use crate::cli::CertificatesArgs;
use crate::cli::GlobalArgs;
use crate::cli::TokensFormat;
use crate::config::RuleDirs;
use crate::config::resolve_settings;
use crate::inputs::inventory::read_inventory;
use crate::inputs::staff::load_staff;
use crate::render::certificates as render;
use crate::render::certificates::CertificateListing;
use crate::render::csv::CsvOptions;
use crate::render::style::Style;
use ksef_model::AuditFinding;
use ksef_model::Inventory;
use ksef_model::Outcome;
use ksef_model::StaffMember;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;
use ksef_policy::evaluate::AuditWorld;
use ksef_policy::evaluate::evaluate;
use ksef_policy::rule::PolicyRuleSet;
use ksef_policy::rule::builtin_policy_rules;

/// The report section of the certificate rules (`report-section` in their TOML).
pub const CERTIFICATE_SECTION: &str = "certificates";

/// `ksef-audit certificates`.
pub fn run(global: &GlobalArgs, args: &CertificatesArgs) -> Result<Outcome> {
    let format = crate::cli::choose_format(
        args.format.format,
        args.csv_excel.csv_excel,
        args.output.output.as_deref(),
        TokensFormat::Table,
    )
    .map_err(anyhow::Error::msg)?;
    // Live runs need the config; `--from` reads it only when one is named or present.
    let config = match (&args.from, &global.config) {
        (None, _) | (Some(_), Some(_)) => Some(crate::app::load_config(global, RuleDirs::NotRead)?),
        (Some(_), None) if std::path::Path::new("ksef-audit.toml").exists() => {
            Some(crate::app::load_config(global, RuleDirs::NotRead)?)
        }
        (Some(_), None) => None,
    };
    let source = match &args.from {
        Some(path) => TokenSource::Snapshot(path.clone()),
        None => match &config {
            Some(c) => TokenSource::Live(resolve_settings(c)?),
            None => anyhow::bail!("no config to read the contexts from"),
        },
    };
    let pick = |flag: &Option<PathBuf>, configured: Option<&PathBuf>| {
        flag.clone().or_else(|| configured.cloned())
    };
    let staff_path = pick(
        &args.staff,
        config.as_ref().and_then(|c| c.audit.staff.as_ref()),
    );
    let inventory_path = pick(
        &args.inventory,
        config.as_ref().and_then(|c| c.audit.inventory.as_ref()),
    );
    // Inputs first: a bad file fails before any KSeF call.
    let staff: Vec<StaffMember> = match &staff_path {
        Some(p) => load_staff(p)?,
        None => Vec::new(),
    };
    let inventory = match &inventory_path {
        Some(p) => read_inventory(p)?,
        None => Inventory::default(),
    };
    let rules = match &config {
        Some(c) => c.policy_rules(None)?,
        None => builtin_policy_rules()?,
    };
    let mut snapshot = match &source {
        TokenSource::Snapshot(path) => read_snapshot(path)?,
        TokenSource::Live(settings) => fetch(
            settings,
            global.quiet,
            global.verbose,
            crate::app::messages::message_lang(args.lang.lang, config.as_ref()),
        ),
    };
    // Certificate names are free text from KSeF: a token pasted there is not written out.
    crate::app::redact::redact_snapshot(&mut snapshot);
    let findings = certificate_findings(&snapshot, &inventory, &staff, &rules);
    let listing = CertificateListing {
        snapshot: &snapshot,
        findings: &findings,
        inventory: &inventory.certificate_entries,
        inventory_given: inventory_path.is_some(),
        now: snapshot.fetched_at,
    };
    // `--lang`, else `[report] lang`: the table, the summary and the messages.
    let lang = crate::app::messages::message_lang(args.lang.lang, config.as_ref());
    let mut out = Output::open(args.output.output.as_deref())?;
    if format == TokensFormat::Table {
        let style = crate::app::table_style(global.color, &mut out);
        // The data is escaped first, terminal or not (a file or pipe is read in a terminal
        // later); colour codes are ours.
        let (shown, shown_findings) = (
            crate::app::output::escaped(&snapshot)?,
            crate::app::output::escaped(&findings)?,
        );
        let listing = CertificateListing {
            snapshot: &shown,
            findings: &shown_findings,
            ..listing
        };
        render::write_table_styled(&mut out, &listing, style, lang)
            .context("cannot write the certificate list")?;
    } else {
        write(
            &mut out,
            &listing,
            format,
            args.csv_excel.csv_excel,
            crate::app::lang(args.lang.lang),
        )?;
    }
    out.flush()?;
    let mut err = crate::app::output::stderr();
    if global.quiet {
        incomplete_reasons(&mut err, &snapshot, lang)?;
    } else {
        summary(&mut err, &listing, lang)?;
    }
    Ok(outcome(&snapshot))
}

/// The findings of the certificate rules (those of report section `certificates`).
pub fn certificate_findings(
    snapshot: &TokenSnapshot,
    inventory: &Inventory,
    staff: &[StaffMember],
    rules: &PolicyRuleSet,
) -> Vec<AuditFinding> {
    let selected: Vec<_> = rules
        .rules
        .iter()
        .filter(|r| r.report_section.as_deref() == Some(CERTIFICATE_SECTION))
        .collect();
    let world = AuditWorld {
        snapshot,
        inventory,
        staff,
        now: snapshot.fetched_at,
        known_parties: &[],
        token_last_issuance: ksef_model::default_token_last_issuance(),
        access_register: None,
    };
    evaluate(&world, &selected).findings
}

/// Writes the listing in the chosen format (`excel` implies CSV), in `lang`.
pub fn write(
    w: &mut dyn Write,
    listing: &CertificateListing<'_>,
    format: TokensFormat,
    excel: bool,
    lang: Lang,
) -> Result<()> {
    match (format, excel) {
        (_, true) | (TokensFormat::Csv, false) => {
            render::write_csv(w, listing, CsvOptions::new(excel, lang))
        }
        (TokensFormat::Json, false) => render::write_json(w, listing),
        (TokensFormat::Table, false) => {
            render::write_table_styled(w, listing, Style::default(), lang)
        }
    }
    .context("cannot write the certificate list")
}

/// `N contexts: C complete, I incomplete; K certificates read in S contexts; F findings`,
/// in `lang`.
fn summary(w: &mut dyn Write, listing: &CertificateListing<'_>, lang: Lang) -> Result<()> {
    let snapshot = listing.snapshot;
    let total = snapshot.contexts.len();
    let incomplete = snapshot
        .contexts
        .iter()
        .filter(|c| c.status == ksef_model::ContextStatus::Incomplete)
        .count();
    let read: Vec<_> = snapshot
        .contexts
        .iter()
        .filter(|c| c.certificates.signed_in_with.is_some())
        .collect();
    let certificates: usize = read.iter().map(|c| c.certificates.list.len()).sum();
    let findings = listing.findings.len();
    match lang {
        Lang::En => writeln!(
            w,
            "{total} context{}: {} complete, {incomplete} incomplete; {certificates} certificate{} in {} context{} signed in with a certificate; {findings} finding{}",
            if total == 1 { "" } else { "s" },
            total - incomplete,
            if certificates == 1 { "" } else { "s" },
            read.len(),
            if read.len() == 1 { "" } else { "s" },
            if findings == 1 { "" } else { "s" },
        )?,
        // `3 certyfikaty w 1 kontekście zalogowanym certyfikatem`, `… w 2 kontekstach
        // zalogowanych certyfikatem`.
        Lang::Pl => writeln!(
            w,
            "{}: kompletne: {}, niekompletne: {incomplete}; {} w {} {} certyfikatem; {}",
            contexts_pl(total),
            total - incomplete,
            lang.count(
                certificates as u64,
                ("", ""),
                ("certyfikat", "certyfikaty", "certyfikatów")
            ),
            lang.count(
                read.len() as u64,
                ("", ""),
                ("kontekście", "kontekstach", "kontekstach")
            ),
            if read.len() == 1 {
                "zalogowanym"
            } else {
                "zalogowanych"
            },
            lang.count(
                findings as u64,
                ("", ""),
                ("ustalenie", "ustalenia", "ustaleń")
            ),
        )?,
    }
    // With the first `help:` line: a certificate problem's says what to set.
    incomplete_reasons(w, snapshot, lang)?;
    let token_only = snapshot
        .contexts
        .iter()
        .filter(|c| {
            c.status == ksef_model::ContextStatus::Complete
                && c.certificates.signed_in_with.is_none()
        })
        .count();
    if token_only > 0 {
        match lang {
            Lang::En => writeln!(
                w,
                "note: {token_only} context{} signed in with a token; KSeF shows certificates only to a certificate sign-in (`certificate` and `private-key` in the config)",
                if token_only == 1 { "" } else { "s" },
            )?,
            Lang::Pl => writeln!(
                w,
                "uwaga: {} tokenem; KSeF pokazuje certyfikaty tylko po zalogowaniu certyfikatem (`certificate` i `private-key` w konfiguracji)",
                lang.count(
                    token_only as u64,
                    ("", ""),
                    (
                        "kontekst zalogowany",
                        "konteksty zalogowane",
                        "kontekstów zalogowanych"
                    )
                ),
            )?,
        }
    }
    Ok(())
}
