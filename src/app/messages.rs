//! Messages on stderr in the user's language (`--lang`, else the config's `[report] lang`):
//! why a run exits 2 and what to do. The `error:`, `warning:`, `help:` and `incomplete:`
//! prefixes stay English in both languages (CI scripts grep for them); the sentence after
//! them follows the language. Errors from config and CSV parsing stay English.

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

/// The language of stderr messages: `--lang`, else `[report] lang` of the config, else
/// English.
pub fn message_lang(flag: Option<ReportLang>, config: Option<&Config>) -> Lang {
    match (flag, config.map(|c| c.report.lang)) {
        (Some(_), _) => crate::app::lang(flag),
        (None, Some(Language::Pl)) => Lang::Pl,
        (None, _) => Lang::En,
    }
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
        let n = unread.len() as u64;
        writeln!(
            w,
            "error: {} {}",
            lang.count(
                n,
                (
                    "context was not read in full, so its tokens are not verified",
                    "contexts were not read in full, so their tokens are not verified",
                ),
                (
                    "kontekst nie został odczytany w całości, więc nie zweryfikowano jego tokenów",
                    "konteksty nie zostały odczytane w całości, więc nie zweryfikowano ich tokenów",
                    "kontekstów nie zostało odczytanych w całości, więc nie zweryfikowano ich tokenów",
                ),
            ),
            lang.t("(exit code 2)", "(kod wyjścia 2)"),
        )?;
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
        writeln!(
            w,
            "error: {}",
            lang.t(
                "verification failed for the contexts listed above (exit code 2)",
                "weryfikacja nie powiodła się dla wymienionych wyżej kontekstów (kod wyjścia 2)"
            )
        )?;
    }
    Ok(())
}

/// After scan errors: their count, that the scan is partial, and what to do.
pub fn write_scan_errors(w: &mut dyn Write, lang: Lang, errors: usize) -> io::Result<()> {
    if errors == 0 {
        return Ok(());
    }
    writeln!(
        w,
        "error: {} {}",
        lang.count(
            errors as u64,
            ("file could not be scanned", "files could not be scanned"),
            (
                "plik nie został przeskanowany",
                "pliki nie zostały przeskanowane",
                "plików nie zostało przeskanowanych",
            ),
        ),
        lang.t(
            "(the scan is partial; exit code 2)",
            "(skanowanie jest niepełne; kod wyjścia 2)"
        ),
    )?;
    writeln!(
        w,
        "help: {}",
        lang.t(
            "check the files listed above (permissions, broken archives) or exclude them with --exclude, then scan again",
            "sprawdź wymienione wyżej pliki (uprawnienia, uszkodzone archiwa) albo wyłącz je opcją --exclude i uruchom skanowanie ponownie"
        )
    )
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
        assert!(written(Lang::Pl, 1).contains("error: 1 kontekst nie został odczytany w całości"));
        assert!(written(Lang::Pl, 3).contains("error: 3 konteksty nie zostały odczytane"));
        assert!(written(Lang::Pl, 5).contains("error: 5 kontekstów nie zostało odczytanych"));
        assert!(written(Lang::Pl, 12).contains("error: 12 kontekstów nie zostało"));
        assert!(written(Lang::En, 1).contains("error: 1 context was not read in full"));
        assert!(written(Lang::En, 0).is_empty());
    }

    #[test]
    fn scan_errors_are_counted_in_polish() {
        let mut out = Vec::new();
        write_scan_errors(&mut out, Lang::Pl, 22).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("error: 22 pliki nie zostały przeskanowane (skanowanie jest niepełne; kod wyjścia 2)\nhelp: sprawdź"));
    }
}
