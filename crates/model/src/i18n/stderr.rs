//! What the tool writes on stderr for people, in English and Polish: the prefix of each line
//! (`error:` / `błąd:`, `warning:` / `uwaga:`, `help:` / `wskazówka:`, `incomplete:` /
//! `niekompletny:`, `caused by:` / `przyczyna:`) and the messages that explain an exit code.
//! Every stderr line with a prefix is written with [`line()`], or passes [`prefixed`] when the
//! text comes with the tool's English prefixes (a warning or an error with its `help:` lines).

use crate::i18n::Lang;

/// What a line on stderr says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The run failed, or part of it (exit code 2).
    Error,
    /// Something to look at; the run goes on.
    Warning,
    /// What to do about the line above.
    Help,
    /// A context that was not read in full.
    Incomplete,
    /// The cause of the error above.
    CausedBy,
}

const KINDS: [Kind; 5] = [
    Kind::Error,
    Kind::Warning,
    Kind::Help,
    Kind::Incomplete,
    Kind::CausedBy,
];

impl Kind {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Kind::Error => ("error:", "błąd:"),
            Kind::Warning => ("warning:", "uwaga:"),
            Kind::Help => ("help:", "wskazówka:"),
            Kind::Incomplete => ("incomplete:", "niekompletny:"),
            Kind::CausedBy => ("caused by:", "przyczyna:"),
        }
    }
}

/// The prefix of a `kind` line in `lang`, colon included (`błąd:`).
pub fn prefix(lang: Lang, kind: Kind) -> &'static str {
    let (en, pl) = kind.words();
    lang.t(en, pl)
}

/// One line: the prefix in `lang`, a space, `text`.
pub fn line(lang: Lang, kind: Kind, text: &str) -> String {
    format!("{} {text}", prefix(lang, kind))
}

/// The kind and the rest of a line that starts with a prefix in either language.
pub fn split(line: &str) -> Option<(Kind, &str)> {
    KINDS.iter().find_map(|k| {
        let (en, pl) = k.words();
        line.strip_prefix(en)
            .or_else(|| line.strip_prefix(pl))
            .map(|rest| (*k, rest))
    })
}

/// `text` (one or more lines) with each line's leading prefix, in either language, written
/// in `lang`: the tool's English `help:` lines of a warning or an error become `wskazówka:`.
pub fn prefixed(lang: Lang, text: &str) -> String {
    text.split('\n')
        .map(|l| match split(l) {
            Some((k, rest)) => format!("{}{rest}", prefix(lang, k)),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A warning of the tool (its English text, maybe with `help:` lines) as stderr shows it:
/// translated ([`crate::i18n::warning::localised`]), each line's prefix in `lang`.
pub fn warning(lang: Lang, text: &str) -> String {
    prefixed(lang, &line(lang, Kind::Warning, &translated(lang, text)))
}

/// The tool's English text of a warning or error in `lang`: a whole warning the warning
/// table knows, else each line the error table knows ([`crate::i18n::errors`]).
fn translated(lang: Lang, text: &str) -> String {
    crate::i18n::errors::localised(lang, &crate::i18n::warning::localised(lang, text))
}

/// An error at `place` (a file, `--verify NIP`): the tool's English `message` translated
/// (translated), with its `help:` lines, or only its first line when `first_line`.
pub fn error_at(lang: Lang, place: &str, message: &str, first_line: bool) -> String {
    let message = translated(lang, message);
    let message = match first_line {
        true => message.lines().next().unwrap_or(""),
        false => &message,
    };
    prefixed(
        lang,
        &line(lang, Kind::Error, &format!("{place}: {message}")),
    )
}

/// The messages of stderr that are one fixed sentence: key, English, Polish.
const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "mask_nip_none",
        "--mask-nip masks the NIPs listed in [report] sole-traders, and none are listed",
        "--mask-nip maskuje numery NIP wymienione w [report] sole-traders, a lista jest pusta",
    ),
    (
        "mask_nip_help",
        "add them to the config, or use --mask-nip=all",
        "dopisz je do konfiguracji albo użyj --mask-nip=all",
    ),
    (
        "calendar_empty",
        "no active token has a planned expiry date and no KSeF certificate was read; add one per token in the inventory's planned-expiry column",
        "żaden aktywny token nie ma planowanej daty wygaśnięcia i nie odczytano żadnego certyfikatu KSeF; wpisz ją dla każdego tokena w kolumnie planowanej daty wygaśnięcia w ewidencji",
    ),
    (
        "init_unread",
        "the token list could not be read in full, so the inventory lacks its tokens",
        "nie odczytano w całości listy tokenów, więc ewidencja nie zawiera tych tokenów",
    ),
    ("context", "context", "kontekst"),
];

/// The sentence `key` of the message table in `lang`.
pub fn message(lang: Lang, key: &str) -> &'static str {
    match MESSAGES.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, pl)) => lang.t(en, pl),
        None => {
            debug_assert!(false, "missing stderr message '{key}'");
            "?"
        }
    }
}

/// After `offboard --yes`: what was done, failed and left, and the day access is certainly
/// gone.
pub fn offboard_done(
    lang: Lang,
    (done, failed, left): (usize, usize, usize),
    gone: Option<chrono::NaiveDate>,
) -> String {
    match lang {
        Lang::En => format!(
            "offboard: {done} done, {failed} failed, {left} left (in use, owner-only or protected){}",
            gone.map(|d| format!("; access is certainly gone on {d}"))
                .unwrap_or_default()
        ),
        Lang::Pl => format!(
            "offboard: wykonane: {done}, nieudane: {failed}, pozostawione: {left} (w użyciu, tylko dla właściciela albo chronione){}",
            gone.map(|d| format!("; dostęp na pewno wygaśnie {}", d.format("%d.%m.%Y")))
                .unwrap_or_default()
        ),
    }
}

/// The closing line when `n` contexts were not read in full.
pub fn unread_contexts(lang: Lang, n: u64) -> String {
    let count = lang.count(
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
    );
    line(
        lang,
        Kind::Error,
        &format!("{count} {}", lang.t("(exit code 2)", "(kod wyjścia 2)")),
    )
}

/// The two lines after `n` files that could not be scanned: their count, and what to do.
pub fn unscanned_files(lang: Lang, n: u64) -> [String; 2] {
    let count = lang.count(
        n,
        ("file could not be scanned", "files could not be scanned"),
        (
            "plik nie został przeskanowany",
            "pliki nie zostały przeskanowane",
            "plików nie zostało przeskanowanych",
        ),
    );
    [
        line(
            lang,
            Kind::Error,
            &format!(
                "{count} {}",
                lang.t(
                    "(the scan is partial; exit code 2)",
                    "(skanowanie jest niepełne; kod wyjścia 2)"
                )
            ),
        ),
        line(
            lang,
            Kind::Help,
            lang.t(
                "check the files listed above (permissions, broken archives) or exclude them with --exclude, then scan again",
                "sprawdź wymienione wyżej pliki (uprawnienia, uszkodzone archiwa) albo wyłącz je opcją --exclude i uruchom skanowanie ponownie",
            ),
        ),
    ]
}

/// `--verify` failed for some contexts.
pub fn verify_failed(lang: Lang) -> String {
    line(
        lang,
        Kind::Error,
        lang.t(
            "verification failed for the contexts listed above (exit code 2)",
            "weryfikacja nie powiodła się dla wymienionych wyżej kontekstów (kod wyjścia 2)",
        ),
    )
}

/// `--fail-on-skipped` and `skipped` places were skipped: why the run exits 2, what to do.
pub fn skipped_fails(lang: Lang, skipped: u64) -> [String; 2] {
    let count = match lang {
        Lang::En => format!(
            "{skipped} place{} skipped (--fail-on-skipped: exit code 2)",
            if skipped == 1 { "" } else { "s" }
        ),
        Lang::Pl => format!("pominięto miejsc: {skipped} (--fail-on-skipped: kod wyjścia 2)"),
    };
    [
        line(lang, Kind::Error, &count),
        line(
            lang,
            Kind::Help,
            lang.t(
                "the skipped places are listed above; extract or exclude them, or drop --fail-on-skipped",
                "pominięte miejsca wymieniono wyżej; rozpakuj je albo wyłącz opcją --exclude, albo usuń --fail-on-skipped",
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_the_language() {
        assert_eq!(line(Lang::En, Kind::Error, "x"), "error: x");
        assert_eq!(line(Lang::Pl, Kind::Error, "x"), "błąd: x");
        assert_eq!(prefix(Lang::Pl, Kind::Warning), "uwaga:");
        assert_eq!(prefix(Lang::Pl, Kind::Help), "wskazówka:");
        assert_eq!(prefix(Lang::Pl, Kind::Incomplete), "niekompletny:");
        assert_eq!(
            prefixed(Lang::Pl, "warning: a\nhelp: b\nc help: d"),
            "uwaga: a\nwskazówka: b\nc help: d"
        );
        assert_eq!(
            prefixed(Lang::En, "błąd: a\nwskazówka: b"),
            "error: a\nhelp: b"
        );
        assert_eq!(split("niekompletny: 1"), Some((Kind::Incomplete, " 1")));
    }

    #[test]
    fn the_offboard_summary_is_polish_with_a_polish_date() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 13);
        assert_eq!(
            offboard_done(Lang::Pl, (2, 0, 1), day),
            "offboard: wykonane: 2, nieudane: 0, pozostawione: 1 (w użyciu, tylko dla właściciela albo chronione); dostęp na pewno wygaśnie 13.12.2026"
        );
        assert!(offboard_done(Lang::En, (2, 0, 1), None).ends_with("or protected)"));
    }

    #[test]
    fn messages_are_unique_and_translated() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, en, pl) in MESSAGES {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.is_empty() && !pl.is_empty(), "empty message {k}");
            assert_eq!(message(Lang::Pl, k), *pl);
        }
    }
}
