//! `ksef-audit calendar`: iCalendar reminders before each planned token expiry (the
//! guides' "add a calendar event two weeks before each token expires", done for you).

use ksef_model::i18n::stderr;
use ksef_model::i18n::stderr::Kind;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::Utc;

use crate::cli::CalendarArgs;
use crate::cli::GlobalArgs;
use crate::inputs::results::load_audit_results;
use crate::render::calendar::CalendarOptions;
use crate::render::calendar::by_owner;
use crate::render::calendar::reminders_from_audit;
use crate::render::calendar::render_ics;
use ksef_model::Outcome;

use crate::app::output::Output;

pub fn run(global: &GlobalArgs, args: &CalendarArgs) -> Result<Outcome> {
    let mut audit = load_audit_results(&args.audit, "audit")?.value;
    crate::app::redact::redact_audit(&mut audit);
    let reminders = reminders_from_audit(&audit);
    let config = crate::app::load_config(global, crate::config::RuleDirs::NotRead)?;
    let opts = CalendarOptions {
        days_before: args.days_before,
        now: match &args.now {
            Some(s) => crate::app::audit::parse_now(s)?,
            None => Utc::now(),
        },
        token_last_issuance: config.audit.token_last_issuance,
        lang: crate::app::lang(args.lang.lang),
    };
    let lang = crate::app::lang(args.lang.lang);
    for r in reminders.iter().filter(|r| {
        !global.quiet && crate::render::calendar::event_day(r.due, args.days_before).is_none()
    }) {
        say!(
            "{} {} {} (NIP {}): {} {} - {} {}",
            stderr::prefix(lang, Kind::Warning),
            match r.kind {
                crate::render::calendar::ReminderKind::Token => "token",
                crate::render::calendar::ReminderKind::Certificate =>
                    lang.t("certificate", "certyfikat"),
            },
            r.reference,
            r.nip,
            lang.t(
                "no reminder: the planned date",
                "brak przypomnienia: planowana data"
            ),
            r.due,
            args.days_before,
            lang.t(
                "days is outside the dates a calendar can hold",
                "dni wypada poza zakresem dat kalendarza"
            )
        );
    }
    let mut out = Output::open(args.output.output.as_deref())?;
    out.write_all(render_ics(&reminders, &opts).as_bytes())
        .and_then(|()| out.flush())
        .with_context(|| match out.path() {
            Some(p) => format!("cannot write calendar '{}'", ksef_model::shown_path(p)),
            None => "cannot write the calendar to standard output".to_string(),
        })?;
    if let Some(dir) = &args.per_owner {
        write_per_owner(dir, &reminders, &opts)?;
    }
    if !global.quiet {
        let owners = by_owner(&reminders).len();
        let certificates = reminders
            .iter()
            .filter(|r| r.kind == crate::render::calendar::ReminderKind::Certificate)
            .count();
        let lang = opts.lang;
        let written = match out.path() {
            Some(p) => format!(
                "; {} {}",
                lang.t("written to", "zapisano w pliku"),
                ksef_model::shown_path(p)
            ),
            None => String::new(),
        };
        match lang {
            ksef_model::i18n::Lang::En => say!(
                "calendar: {} reminders ({certificates} of KSeF certificates; {} days before each planned expiry), {owners} owners{written}",
                reminders.len(),
                args.days_before,
            ),
            ksef_model::i18n::Lang::Pl => say!(
                "kalendarz: przypomnienia: {} (w tym certyfikatów KSeF: {certificates}; {} przed każdą planowaną datą wygaśnięcia), właściciele: {owners}{written}",
                reminders.len(),
                ksef_model::days_pl(i64::from(args.days_before)),
            ),
        }
        if reminders.is_empty() {
            say!(
                "{}",
                stderr::line(lang, Kind::Help, stderr::message(lang, "calendar_empty"))
            );
        }
    }
    // Reminders of an incomplete audit are incomplete too: exit 2, as `report` does (the
    // calendar is still written, and the reason is on stderr, also with -q).
    let _ = crate::app::messages::write_incomplete(
        &mut crate::app::output::stderr(),
        opts.lang,
        &audit.contexts,
    );
    let incomplete = audit.summary.contexts_incomplete > 0
        || audit
            .contexts
            .iter()
            .any(|c| c.status == ksef_model::ContextStatus::Incomplete);
    Ok(if incomplete {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    })
}

fn write_per_owner(
    dir: &Path,
    reminders: &[crate::render::calendar::Reminder],
    opts: &CalendarOptions,
) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory '{}'", ksef_model::shown_path(dir)))?;
    for (stem, items) in by_owner(reminders) {
        let path = dir.join(format!("{stem}.ics"));
        std::fs::write(&path, render_ics(&items, opts)).with_context(|| {
            format!("cannot write calendar '{}'", ksef_model::shown_path(&path))
        })?;
    }
    Ok(())
}
