//! Messages on stderr in the user's language (`--lang`, else the config's `[report] lang`):
//! why a run exits 2 and what to do. The prefixes and the sentences come from
//! `ksef_model::i18n::stderr` (`error:` / `błąd:`, `help:` / `wskazówka:`, …).

use std::io::{self, Write};

use crate::cli::ReportLang;
use crate::config::Config;
use crate::config::Language;
use ksef_model::AuditContext;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::ReasonCode;
use ksef_model::i18n::Lang;
use ksef_model::i18n::reason;
use ksef_model::i18n::stderr;

/// The language of stderr messages: `--lang`, else `[report] lang` of the config, else
/// English.
pub fn message_lang(flag: Option<ReportLang>, config: Option<&Config>) -> Lang {
    match (flag, config.map(|c| c.report.lang)) {
        (Some(_), _) => crate::app::lang(flag),
        (None, Some(Language::Pl)) => Lang::Pl,
        (None, _) => Lang::En,
    }
}

/// The language of a command that needs no config of its own (`revoke`'s dry run, `init`):
/// `--lang`, else `[report] lang` of the config when one is found and valid, else English.
pub fn command_lang(flag: Option<ReportLang>, global: &crate::cli::GlobalArgs) -> Lang {
    if flag.is_some() {
        return crate::app::lang(flag);
    }
    let config = crate::app::load_config(global, crate::config::RuleDirs::NotRead).ok();
    message_lang(None, config.as_ref())
}

/// A context as the messages need it.
#[derive(Clone, Copy)]
pub struct Unread<'a> {
    pub incomplete: bool,
    pub nip: &'a str,
    pub code: Option<&'a ReasonCode>,
    pub reason: Option<&'a str>,
}

impl<'a> From<&'a ContextSnapshot> for Unread<'a> {
    fn from(c: &'a ContextSnapshot) -> Unread<'a> {
        Unread {
            incomplete: c.status == ContextStatus::Incomplete,
            nip: &c.nip,
            code: c.reason_code.as_ref(),
            reason: c.reason.as_deref(),
        }
    }
}

impl<'a> From<&'a AuditContext> for Unread<'a> {
    fn from(c: &'a AuditContext) -> Unread<'a> {
        Unread {
            incomplete: c.status == ContextStatus::Incomplete,
            nip: &c.nip,
            code: c.reason_code.as_ref(),
            reason: c.reason.as_deref(),
        }
    }
}

impl<'a> From<&Unread<'a>> for Unread<'a> {
    fn from(u: &Unread<'a>) -> Unread<'a> {
        *u
    }
}

/// For each incomplete context `incomplete: NIP: <headline>` and what to do, then one line
/// with their count and the exit code. Nothing when every context was read.
pub fn write_incomplete<'a, C>(
    w: &mut dyn Write,
    lang: Lang,
    contexts: impl IntoIterator<Item = &'a C>,
) -> io::Result<()>
where
    C: 'a,
    &'a C: Into<Unread<'a>>,
{
    let unread: Vec<Unread<'a>> = contexts
        .into_iter()
        .map(Into::into)
        .filter(|u: &Unread<'a>| u.incomplete)
        .collect();
    for u in &unread {
        for line in reason::exit_lines(lang, u.nip, u.code, u.reason) {
            writeln!(w, "{line}")?;
        }
    }
    if !unread.is_empty() {
        writeln!(w, "{}", stderr::unread_contexts(lang, unread.len() as u64))?;
    }
    Ok(())
}

/// After a leak scan's errors: the files that could not be scanned (with
/// [`write_scan_errors`]) and, apart, the contexts whose `--verify` failed.
pub fn write_leak_errors(
    w: &mut dyn Write,
    lang: Lang,
    errors: &[ksef_model::ScanIssue],
) -> io::Result<()> {
    let verify = errors
        .iter()
        .filter(|e| e.path.starts_with("--verify "))
        .count();
    write_scan_errors(w, lang, errors.len() - verify)?;
    if verify > 0 {
        writeln!(w, "{}", stderr::verify_failed(lang))?;
    }
    Ok(())
}

/// After scan errors: their count, that the scan is partial, and what to do.
pub fn write_scan_errors(w: &mut dyn Write, lang: Lang, errors: usize) -> io::Result<()> {
    if errors == 0 {
        return Ok(());
    }
    for line in stderr::unscanned_files(lang, errors as u64) {
        writeln!(w, "{line}")?;
    }
    Ok(())
}

/// "N finding(s) below SEVERITY not shown (--min-severity)", on stderr, in `lang`.
pub fn say_hidden(lang: Lang, hidden: usize, min: ksef_model::Severity) {
    match lang {
        Lang::En => say!("{hidden} finding(s) below {min} not shown (--min-severity)"),
        // "nie pokazano" takes the genitive: 1 ustalenia, 2 ustaleń, 5 ustaleń.
        Lang::Pl => say!(
            "nie pokazano {} poniżej istotności „{}” (--min-severity)",
            lang.count(hidden as u64, ("", ""), ("ustalenia", "ustaleń", "ustaleń")),
            crate::render::csv::CsvOptions::new(false, Lang::Pl).word(min.as_str())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(lang: Lang, n: usize) -> String {
        let reason = "the auditing token X lacks CredentialsRead and CredentialsManage, so KSeF shows only that token, not the whole list";
        let unread: Vec<Unread<'_>> = (0..n)
            .map(|_| Unread {
                incomplete: true,
                nip: "5265877635",
                code: None,
                reason: Some(reason),
            })
            .collect();
        let mut out = Vec::new();
        write_incomplete(&mut out, lang, &unread).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn the_closing_line_agrees_with_its_number_in_polish() {
        assert!(written(Lang::Pl, 1).contains("błąd: 1 kontekst nie został odczytany w całości"));
        assert!(written(Lang::Pl, 3).contains("błąd: 3 konteksty nie zostały odczytane"));
        assert!(written(Lang::Pl, 5).contains("błąd: 5 kontekstów nie zostało odczytanych"));
        assert!(written(Lang::Pl, 12).contains("błąd: 12 kontekstów nie zostało"));
        assert!(written(Lang::En, 1).contains("error: 1 context was not read in full"));
        assert!(written(Lang::En, 0).is_empty());
    }

    #[test]
    fn scan_errors_are_counted_in_polish() {
        let mut out = Vec::new();
        write_scan_errors(&mut out, Lang::Pl, 22).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("błąd: 22 pliki nie zostały przeskanowane (skanowanie jest niepełne; kod wyjścia 2)\nwskazówka: sprawdź"));
    }
}
