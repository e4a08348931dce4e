//! The common warnings of a run in the user's language. Warnings are recorded as the
//! tool's English text (JSON `warnings`); in Polish the ones a user meets most often are
//! said again in Polish here: expired and unused exceptions, a missing inventory, inventory
//! rows naming a NIP the run did not audit, a shallow clone, `--verify` without a
//! credential. Any other warning stays as it was written.

use std::sync::LazyLock;

use regex::Regex;

use crate::i18n::Lang;

/// `(pattern of the English text, Polish template)`: `{name}` in the template takes the
/// capture of that name; `{n:one|few|many}` a Polish plural form for capture `n`.
const PATTERNS: &[(&str, &str)] = &[
    (
        r"^your configured token files: (?P<f>.*) — keep them out of the repository \(\.gitignore\); not reported as leaks$",
        "pliki tokenów z Twojej konfiguracji: {f} — trzymaj je poza repozytorium (.gitignore); nie zgłoszono ich jako wycieków",
    ),
    (
        r"^your configured token files (?P<f>.*) are tracked by git or held in its history, so they stay findings\nhelp: remove them from the repository \(`git rm --cached FILE`, then rewrite its history\), revoke the tokens and keep the files in \.gitignore$",
        "pliki tokenów z Twojej konfiguracji {f} są śledzone przez git albo zapisane w jego historii, więc pozostają ustaleniami\nhelp: usuń je z repozytorium (`git rm --cached PLIK`, potem przepisz historię), unieważnij tokeny i dodaj pliki do .gitignore",
    ),
    (
        r"^exception for rule '(?P<r>[^']*)' on '(?P<t>[^']*)' expired on (?P<d>\S+) \((?P<p>[^)]*)\): (?P<n>\d+) finding\(s\) are active again\nhelp: renew it with a new reason and date, or fix the findings$",
        "wyjątek dla reguły '{r}' (cel: '{t}') wygasł {d} ({p}): {n:ustalenie znów jest aktywne|ustalenia znów są aktywne|ustaleń znów jest aktywnych}\nhelp: odnów go z nowym uzasadnieniem i datą albo usuń przyczyny tych ustaleń",
    ),
    (
        r"^exception for rule '(?P<r>[^']*)' on '(?P<t>[^']*)' expired on (?P<d>\S+) and matches nothing \((?P<p>[^)]*)\)\nhelp: remove it$",
        "wyjątek dla reguły '{r}' (cel: '{t}') wygasł {d} i nie obejmuje żadnego ustalenia ({p})\nhelp: usuń go",
    ),
    (
        r"^exception for rule '(?P<r>[^']*)' on '(?P<t>[^']*)' matched no finding \((?P<p>[^)]*)\)\nhelp: remove it, or check the rule name and target$",
        "wyjątek dla reguły '{r}' (cel: '{t}') nie objął żadnego ustalenia ({p})\nhelp: usuń go albo sprawdź nazwę reguły i cel",
    ),
    (
        r"^no inventory given: every Active token is reported as untracked\nhelp: pass --inventory FILE or set \[audit\] inventory in the config$",
        "nie podano ewidencji tokenów: każdy aktywny token jest zgłaszany jako nieujęty w ewidencji\nhelp: podaj --inventory PLIK albo ustaw [audit] inventory w konfiguracji",
    ),
    (
        r"^inventory row (?P<rows>\d+) names NIP (?P<nip>\d+), which this run did not audit$",
        "wiersz ewidencji {rows} wskazuje NIP {nip}, którego ten audyt nie objął",
    ),
    (
        r"^inventory rows (?P<rows>[\d, ]+) name NIP (?P<nip>\d+), which this run did not audit$",
        "wiersze ewidencji {rows} wskazują NIP {nip}, którego ten audyt nie objął",
    ),
    (
        r"^'(?P<repo>.*)' is a shallow clone: commits before the shallow boundary were not scanned\nhelp: run `git fetch --unshallow` \(in CI, check out with `fetch-depth: 0`\) to scan the whole history$",
        "'{repo}' to płytki klon: commitów sprzed granicy klonu nie przeskanowano\nhelp: uruchom `git fetch --unshallow` (w CI pobieraj repozytorium z `fetch-depth: 0`), aby przeskanować całą historię",
    ),
    (
        r"^--verify: no KSeF credential for NIP (?P<nip>\d+), its findings stay unverified\nhelp: set KSEF_TOKEN_\d+ to a token with CredentialsRead$",
        "--verify: brak danych logowania do KSeF dla NIP {nip}, więc jego ustalenia pozostają niesprawdzone\nhelp: ustaw KSEF_TOKEN_{nip} na token z uprawnieniem CredentialsRead",
    ),
    (
        r"^verification failed for context (?P<nip>\d+): KSeF refused the token lookup \(HTTP 403\): the credential lacks the CredentialsRead permission; the findings stay unverified\n(?s:.*)$",
        "weryfikacja w kontekście {nip} nie powiodła się: KSeF odmówił sprawdzenia tokenu (HTTP 403), bo dane logowania nie mają uprawnienia CredentialsRead; ustalenia pozostają niesprawdzone\nhelp: nadaj tokenowi z KSEF_TOKEN_{nip} uprawnienie CredentialsRead (albo CredentialsManage)",
    ),
    (
        r"^verification failed for context (?P<nip>\d+): no KSeF credential for this NIP \((?P<n>\d+) finding\(s\) stay unverified\)(?s:.*)$",
        "weryfikacja w kontekście {nip} nie powiodła się: brak danych logowania do KSeF dla tego NIP (niesprawdzone: {n:ustalenie|ustalenia|ustaleń})",
    ),
];

/// `warning` for a person reading a report: [`localised`], one entry per line, the `help:`
/// prefix in `lang` (`wskazówka:`).
pub fn lines(lang: Lang, warning: &str) -> Vec<String> {
    crate::i18n::stderr::prefixed(lang, &localised(lang, warning))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

static COMPILED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| compile(PATTERNS));

/// The patterns of a translation table that compile, with their templates.
pub(crate) fn compile(patterns: &[(&str, &'static str)]) -> Vec<(Regex, &'static str)> {
    patterns
        .iter()
        .filter_map(|(re, pl)| Regex::new(re).ok().map(|re| (re, *pl)))
        .collect()
}

/// `text` filled into the template of the first pattern it matches.
pub(crate) fn translate(compiled: &[(Regex, &'static str)], text: &str) -> Option<String> {
    compiled
        .iter()
        .find_map(|(re, template)| re.captures(text).map(|caps| fill(template, &caps)))
}

/// The place at the start of `text` that the first of `compiled` (patterns anchored at the
/// start, as [`crate::i18n::problems::LEADS`]) matches, filled into its template, and where
/// the rest of `text` begins.
pub(crate) fn translate_lead(
    compiled: &[(Regex, &'static str)],
    text: &str,
) -> Option<(String, usize)> {
    compiled.iter().find_map(|(re, template)| {
        let caps = re.captures(text)?;
        let end = caps.get(0).map_or(0, |m| m.end());
        (end > 0).then(|| (fill(template, &caps), end))
    })
}

/// `warning` (the tool's English text, maybe with `help:` lines) in `lang`.
pub fn localised(lang: Lang, warning: &str) -> String {
    if lang == Lang::En {
        return warning.to_string();
    }
    translate(&COMPILED, warning).unwrap_or_else(|| warning.to_string())
}

/// The template with its `{name}` and `{name:one|few|many}` holes filled from `caps`.
fn fill(template: &str, caps: &regex::Captures<'_>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let hole = &rest[open + 1..open + close];
        let (name, forms) = match hole.split_once(':') {
            Some((name, forms)) => (name, Some(forms)),
            None => (hole, None),
        };
        let value = caps.name(name).map(|m| m.as_str()).unwrap_or("");
        match forms.map(|f| f.split('|').collect::<Vec<_>>()).as_deref() {
            Some([one, few, many]) => {
                let n = value.parse::<u64>().unwrap_or(0);
                out.push_str(&format!("{n} {}", crate::plural_pl(n, one, few, many)));
            }
            // `{d}`, a date: as Polish readers write it (30.11.2026), as in all Polish text.
            _ => match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(date) if name == "d" => out.push_str(&date.format("%d.%m.%Y").to_string()),
                _ => out.push_str(value),
            },
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
    }

    #[test]
    fn common_warnings_are_said_in_polish() {
        let cases = [
            (
                "exception for rule 'unused-token' on '20250520-EC-C69AF20980-5627E2FF49-F3' expired on 2026-11-25 (ksef-audit.exceptions.toml:10): 1 finding(s) are active again\nhelp: renew it with a new reason and date, or fix the findings",
                "wyjątek dla reguły 'unused-token' (cel: '20250520-EC-C69AF20980-5627E2FF49-F3') wygasł 25.11.2026 (ksef-audit.exceptions.toml:10): 1 ustalenie znów jest aktywne\nhelp: odnów go z nowym uzasadnieniem i datą albo usuń przyczyny tych ustaleń",
            ),
            (
                "exception for rule 'x' on 'y' expired on 2026-11-25 (e.toml:3): 12 finding(s) are active again\nhelp: renew it with a new reason and date, or fix the findings",
                "wyjątek dla reguły 'x' (cel: 'y') wygasł 25.11.2026 (e.toml:3): 12 ustaleń znów jest aktywnych\nhelp: odnów go z nowym uzasadnieniem i datą albo usuń przyczyny tych ustaleń",
            ),
            (
                "exception for rule 'never-used' on '99*' matched no finding (ksef-audit.exceptions.toml:17)\nhelp: remove it, or check the rule name and target",
                "wyjątek dla reguły 'never-used' (cel: '99*') nie objął żadnego ustalenia (ksef-audit.exceptions.toml:17)\nhelp: usuń go albo sprawdź nazwę reguły i cel",
            ),
            (
                "inventory rows 3, 5 name NIP 5265877635, which this run did not audit",
                "wiersze ewidencji 3, 5 wskazują NIP 5265877635, którego ten audyt nie objął",
            ),
            (
                "--verify: no KSeF credential for NIP 5265877635, its findings stay unverified\nhelp: set KSEF_TOKEN_5265877635 to a token with CredentialsRead",
                "--verify: brak danych logowania do KSeF dla NIP 5265877635, więc jego ustalenia pozostają niesprawdzone\nhelp: ustaw KSEF_TOKEN_5265877635 na token z uprawnieniem CredentialsRead",
            ),
        ];
        for (en, pl) in cases {
            assert_eq!(localised(Lang::Pl, en), pl);
            assert_eq!(localised(Lang::En, en), en);
        }
        assert_eq!(localised(Lang::Pl, "something new"), "something new");
    }

    #[test]
    fn verify_failures_and_help_lines_are_said_in_polish() {
        let refused = "verification failed for context 7742901156: KSeF refused the token lookup (HTTP 403): the credential lacks the CredentialsRead permission; the findings stay unverified\ncontext 7742901156: GET /tokens/x: HTTP 403: needs any of [CredentialsRead]\nhelp: give the token in KSEF_TOKEN_7742901156 the CredentialsRead (or CredentialsManage) permission";
        assert_eq!(
            lines(Lang::Pl, refused),
            [
                "weryfikacja w kontekście 7742901156 nie powiodła się: KSeF odmówił sprawdzenia tokenu (HTTP 403), bo dane logowania nie mają uprawnienia CredentialsRead; ustalenia pozostają niesprawdzone",
                "wskazówka: nadaj tokenowi z KSEF_TOKEN_7742901156 uprawnienie CredentialsRead (albo CredentialsManage)",
            ]
        );
        assert_eq!(
            lines(Lang::En, refused).len(),
            3,
            "English keeps every line"
        );
        let missing = "verification failed for context 1: no KSeF credential for this NIP (5 finding(s) stay unverified)";
        assert_eq!(
            lines(Lang::Pl, missing),
            [
                "weryfikacja w kontekście 1 nie powiodła się: brak danych logowania do KSeF dla tego NIP (niesprawdzone: 5 ustaleń)"
            ]
        );
    }
}
