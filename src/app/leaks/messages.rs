//! What `leaks` says on stderr besides its outputs, in English or Polish.

use std::io::Write;
use std::path::Path;

use ksef_model::LeakResults;
use ksef_model::i18n::Lang;
use ksef_model::i18n::errors;
use ksef_model::i18n::stderr;
use ksef_model::i18n::stderr::Kind;

/// `--since` was neither a date nor a span: read as a revision (deprecated).
pub(super) fn since_is_a_revision(quiet: bool, lang: Lang, since: &str) {
    match (quiet, lang) {
        (true, _) => {}
        (false, Lang::En) => say!(
            "{}",
            stderr::prefixed(
                lang,
                &format!(
                    "warning: --since '{since}' is not a date or span, so it is read as a revision; this is deprecated\nhelp: use --since-commit {since} (--since takes a date such as 2026-11-01 or \"2 weeks ago\")"
                )
            )
        ),
        (false, Lang::Pl) => say!(
            "{}",
            stderr::prefixed(
                lang,
                &format!(
                    "warning: --since '{since}' nie jest datą ani okresem, więc odczytano je jako rewizję; ta forma jest przestarzała\nhelp: użyj --since-commit {since} (--since przyjmuje datę, np. 2026-11-01, lub okres, np. \"2 weeks ago\")"
                )
            )
        ),
    }
}

/// The spinner's text while `--verify` asks KSeF about `n` findings.
pub(super) fn asking_ksef(lang: Lang, n: u64) -> String {
    match lang {
        Lang::En => format!("asking KSeF about {n} leaked token(s)"),
        Lang::Pl => format!(
            "pytam KSeF o {}",
            lang.count(
                n,
                ("", ""),
                ("wyciekły token", "wyciekłe tokeny", "wyciekłych tokenów")
            )
        ),
    }
}

/// `--write-baseline` wrote `count` fingerprints to `path`.
pub(super) fn baseline_written(lang: Lang, count: usize, path: &Path) {
    let shown = ksef_model::shown_path(path);
    match lang {
        Lang::En => say!(
            "wrote {count} fingerprint{} to {shown} (review it, then commit it and pass --baseline {shown})",
            if count == 1 { "" } else { "s" },
        ),
        Lang::Pl => say!(
            "zapisano {} w {shown} (przejrzyj plik, zatwierdź go w repozytorium i podawaj --baseline {shown})",
            lang.count(count as u64, ("", ""), ("odcisk", "odciski", "odcisków")),
        ),
    }
}

/// Scan errors (with their count and what to do) and warnings also go to stderr, whatever
/// the output format; the sentences in `lang`.
pub(super) fn report_problems(quiet: bool, results: &LeakResults, lang: Lang) {
    let mut err = crate::app::output::stderr();
    for e in &results.errors {
        let _ = writeln!(
            err,
            "{}",
            stderr::error_at(lang, &e.path, &e.message, false)
        );
    }
    let _ = crate::app::messages::write_leak_errors(&mut err, lang, &results.errors);
    if !quiet {
        for s in &results.skipped {
            let _ = writeln!(
                err,
                "{}: {}: {}",
                lang.t("skipped", "pominięto"),
                s.path,
                stderr::prefixed(lang, &errors::localised(lang, &s.message))
            );
        }
        for w in &results.warnings {
            let _ = writeln!(err, "{}", stderr::warning(lang, w));
        }
        if !results.unused_baseline.is_empty() {
            let _ = writeln!(
                err,
                "{} {} {}",
                stderr::prefix(lang, Kind::Warning),
                lang.count(
                    results.unused_baseline.len() as u64,
                    (
                        "baseline entry matched nothing",
                        "baseline entries matched nothing"
                    ),
                    (
                        "wpis linii bazowej do niczego nie pasuje",
                        "wpisy linii bazowej do niczego nie pasują",
                        "wpisów linii bazowej do niczego nie pasuje"
                    )
                ),
                lang.t("(listed in the output)", "(lista w wyniku)")
            );
        }
    }
}

/// `--fail-on-skipped` and something was skipped: why the run exits 2.
pub(super) fn skipped_fails(lang: Lang, skipped: u64) {
    let mut err = crate::app::output::stderr();
    for line in stderr::skipped_fails(lang, skipped) {
        let _ = writeln!(err, "{line}");
    }
}
