//! The errors that end a run most often (config, input files, the file system), in Polish:
//! each line of the tool's English error text against a pattern, the Polish template filled
//! from its captures. A line no pattern knows stays as it is (file names, values and the
//! details of a library are not translated).

use std::sync::LazyLock;

use regex::Regex;

use crate::i18n::Lang;
use crate::i18n::actions;
use crate::i18n::network;
use crate::i18n::problems;
use crate::i18n::skips;

/// One line of an error (a `help:` line without its prefix) and its Polish template.
const PATTERNS: &[(&str, &str)] = &[
    (r"^no KSeF environment given$", "nie podano środowiska KSeF"),
    (
        r"^pass --env test\|demo\|prod\|URL, or set `environment` in the \[ksef\] section of (?P<f>.+)$",
        "podaj --env test|demo|prod|URL albo ustaw `environment` w sekcji [ksef] pliku {f}",
    ),
    (
        r"^no (?P<f>\S+) here or in a parent directory \(up to the repository root\)$",
        "brak pliku {f} w tym katalogu i w katalogach nadrzędnych (aż do katalogu głównego repozytorium)",
    ),
    (
        r"^run `ksef-audit init` to write one, or pass --config FILE$",
        "uruchom `ksef-audit init`, aby go utworzyć, albo podaj --config PLIK",
    ),
    (
        r"^cannot read config '(?P<f>.*)'$",
        "nie można odczytać konfiguracji '{f}'",
    ),
    (
        r"^cannot read '(?P<f>.*)'$",
        "nie można odczytać pliku '{f}'",
    ),
    (
        r"^check the path given to (?P<flag>--\S+)$",
        "sprawdź ścieżkę podaną w {flag}",
    ),
    (
        r"^cannot read inventory '(?P<f>.*)'$",
        "nie można odczytać ewidencji '{f}'",
    ),
    (
        r"^cannot read staff '(?P<f>.*)'$",
        "nie można odczytać listy pracowników '{f}'",
    ),
    (
        r"^cannot read access-register '(?P<f>.*)'$",
        "nie można odczytać rejestru dostępów '{f}'",
    ),
    (
        r"^cannot read baseline '(?P<f>.*)'$",
        "nie można odczytać pliku linii bazowej '{f}'",
    ),
    (
        r"^create it with --write-baseline$",
        "utwórz go opcją --write-baseline",
    ),
    (
        r"^cannot read (?P<kind>\S+) '(?P<f>.*)'$",
        "nie można odczytać pliku {kind} '{f}'",
    ),
    (
        r"^check the path given with (?P<flag>--\S+) or in the config \[audit\] section$",
        "sprawdź ścieżkę podaną w {flag} albo w sekcji [audit] konfiguracji",
    ),
    (
        r"^'(?P<f>.*)' is not valid JSON: (?P<m>.*)$",
        "'{f}' nie jest poprawnym plikiem JSON: {m}",
    ),
    (
        r"^(?P<flag>--\S+) takes the JSON written by `(?P<c>.*)`$",
        "{flag} przyjmuje plik JSON zapisany przez `{c}`",
    ),
    // a JSON input of the wrong kind or version
    (
        r"^'(?P<f>.*)' is a '(?P<k>[^']*)' document, not a tokens snapshot \('(?P<w>[^']*)'\)$",
        "'{f}' to dokument '{k}', a nie lista tokenów ('{w}')",
    ),
    (
        r"^'(?P<f>.*)' is a '(?P<k>[^']*)' document, not audit results \('(?P<w>[^']*)'\)$",
        "'{f}' to dokument '{k}', a nie wyniki audytu ('{w}')",
    ),
    (
        r"^'(?P<f>.*)' is a '(?P<k>[^']*)' document, not leak scan results \('(?P<w>[^']*)'\)$",
        "'{f}' to dokument '{k}', a nie wyniki skanowania wycieków ('{w}')",
    ),
    (
        r"^'(?P<f>.*)' is a '(?P<k>[^']*)' document, not an offboarding record \('(?P<w>[^']*)'\)$",
        "'{f}' to dokument '{k}', a nie protokół odebrania dostępu ('{w}')",
    ),
    (
        r"^'(?P<f>.*)' has schema_version (?P<n>\d+), newer than this build of ksef-audit reads \((?P<m>\d+)\)$",
        "'{f}' ma `schema_version` {n}, nowszą niż czyta ta wersja ksef-audit ({m})",
    ),
    (
        r"^upgrade ksef-audit, or write the file again with `(?P<c>.*)` of this version$",
        "zaktualizuj ksef-audit albo zapisz plik ponownie poleceniem `{c}` tej wersji",
    ),
    (
        r"^'(?P<f>.*)' has no valid schema_version \(found (?P<n>.*); this build reads 1 to (?P<m>\d+)\)$",
        "'{f}' nie ma poprawnej `schema_version` (jest {n}; ta wersja czyta od 1 do {m})",
    ),
    (
        r"^write the file again with `(?P<c>.*)`$",
        "zapisz plik ponownie poleceniem `{c}`",
    ),
    (
        r"^'(?P<f>.*)' is a '(?P<k>[^']*)' document; merge combines leaks or audit results$",
        "'{f}' to dokument '{k}'; `merge` łączy wyniki `leaks` albo `audit`",
    ),
    (
        r"^give the JSON files written by `leaks --format json` or `audit --format json`$",
        "podaj pliki JSON zapisane przez `leaks --format json` albo `audit --format json`",
    ),
    (
        r"^nothing to report: give --audit FILE and/or --leaks FILE$",
        "nie ma z czego zrobić raportu: podaj --audit PLIK i/lub --leaks PLIK",
    ),
    (
        r"^write them with `(?P<a>[^`]*)` and `(?P<l>[^`]*)`$",
        "zapisz je poleceniami `{a}` i `{l}`",
    ),
    (
        r"^cannot read rules from '(?P<f>.*)'$",
        "nie można odczytać reguł z '{f}'",
    ),
    (
        r"^check that the directory exists and is readable$",
        "sprawdź, czy katalog istnieje i można go odczytać",
    ),
    // the person `offboard` is asked about
    (
        r"^no one on the staff list is the PESEL given$",
        "nie ma na niej osoby o podanym numerze PESEL",
    ),
    (
        r"^no one on the staff list is '(?P<p>.*)'$",
        "nie ma na niej osoby '{p}'",
    ),
    (
        r"^give a PESEL, the staff list's id or e-mail, or a full name as the staff list writes it$",
        "podaj PESEL, identyfikator albo e-mail z listy pracowników albo imię i nazwisko tak, jak zapisuje je lista",
    ),
    (
        r"^give one of their ids instead$",
        "podaj zamiast tego identyfikator jednej z tych osób",
    ),
    // revoke --grants --rule
    (
        r"^--rule '(?P<r>[^']*)': no grant rule and no rule of the results file has that name or id$",
        "--rule '{r}': żadna reguła uprawnień ani reguła z pliku wyników nie ma takiej nazwy ani identyfikatora",
    ),
    (r"^grant rules: (?P<l>.*)$", "reguły uprawnień: {l}"),
    (r"^no context to audit$", "brak kontekstu do zbadania"),
    (
        r"^pass --nip NIP \(repeatable\) or add \[\[contexts\]\] entries with `nip = .*` to (?P<f>.+)$",
        "podaj --nip NIP (można wiele razy) albo dodaj wpisy [[contexts]] z `nip = \"...\"` do pliku {f}",
    ),
    (
        r"^check the NIP for typos(?P<rest>.*)$",
        "sprawdź, czy w numerze NIP nie ma literówki{rest}",
    ),
    (
        r"^(?P<what>--config|--env) given twice, '(?P<b>.*)' before the command and '(?P<a>.*)' after it$",
        "{what} podano dwa razy: '{b}' przed poleceniem i '{a}' po nim",
    ),
    (r"^give it once$", "podaj je raz"),
    (r"^cannot read: (?P<m>.*)$", "nie można odczytać: {m}"),
    (
        r"^'(?P<f>.*)' is a symbolic link, not followed: skipped$",
        "'{f}' jest dowiązaniem symbolicznym, za którym narzędzie nie podąża: pominięto",
    ),
    (
        r"^scan its target by naming it on the command line$",
        "aby przeskanować jego cel, podaj go w wierszu poleceń",
    ),
    (
        r"^cannot open git repository '(?P<f>.*)': (?P<m>.*)$",
        "nie można otworzyć repozytorium git '{f}': {m}",
    ),
    (
        r"^pass a work tree, a bare repository or a mirror$",
        "podaj katalog roboczy, repozytorium bez katalogu roboczego (bare) albo jego kopię lustrzaną",
    ),
];

/// Messages of the operating system, inside any line: English, Polish.
const OS_ERRORS: &[(&str, &str)] = &[
    (
        "No such file or directory (os error",
        "nie ma takiego pliku ani katalogu (błąd systemu",
    ),
    ("Permission denied (os error", "brak dostępu (błąd systemu"),
    ("Is a directory (os error", "to jest katalog (błąd systemu"),
];

/// Every whole-line pattern: these, the problems of the user's files, the KSeF client's.
static COMPILED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let all: Vec<(&str, &str)> = [
        PATTERNS,
        problems::PATTERNS,
        network::PATTERNS,
        skips::PATTERNS,
        actions::PATTERNS,
    ]
    .concat();
    crate::i18n::warning::compile(&all)
});

/// Every place in front of a problem (`line 3, column 7: `, `context NIP: `).
static LEADS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let all: Vec<(&str, &str)> = [
        problems::LEADS,
        network::LEADS,
        skips::LEADS,
        actions::LEADS,
    ]
    .concat();
    crate::i18n::warning::compile(&all)
});

/// `text` (an error, its `help:` lines, a cause) in `lang`: each line the patterns know in
/// Polish, `config 'SOURCE': …` with its source and the rest translated.
pub fn localised(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    text.split('\n')
        .map(one_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn one_line(line: &str) -> String {
    let trimmed = line.trim_start();
    if trimmed.len() < line.len() {
        return lead(line, one_line);
    }
    if let Some((kind, rest)) = crate::i18n::stderr::split(line) {
        return format!(
            "{}{}",
            crate::i18n::stderr::prefix(Lang::Pl, kind),
            lead(rest, one_line)
        );
    }
    if let Some(rest) = line.strip_prefix("config '")
        && let Some((source, problem)) = rest.split_once("': ")
    {
        let source = if source == "command line" {
            "wiersz poleceń"
        } else {
            source
        };
        return format!("konfiguracja '{source}': {}", one_line(problem));
    }
    if let Some((place, end)) = crate::i18n::warning::translate_lead(&LEADS, line) {
        return format!("{place}{}", one_line(&line[end..]));
    }
    let line = crate::i18n::warning::translate(&COMPILED, line).unwrap_or_else(|| line.to_string());
    OS_ERRORS.iter().fold(line, |l, (en, pl)| l.replace(en, pl))
}

/// `rest` (text after a prefix, with its leading space) translated by `f`.
fn lead(rest: &str, f: fn(&str) -> String) -> String {
    let trimmed = rest.trim_start();
    format!("{}{}", &rest[..rest.len() - trimmed.len()], f(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_and_their_help_read_in_polish() {
        let text = "config 'command line': no KSeF environment given\nhelp: pass --env test|demo|prod|URL, or set `environment` in the [ksef] section of ksef-audit.toml";
        assert_eq!(
            localised(Lang::Pl, text),
            "konfiguracja 'wiersz poleceń': nie podano środowiska KSeF\nwskazówka: podaj --env test|demo|prod|URL albo ustaw `environment` w sekcji [ksef] pliku ksef-audit.toml"
        );
        assert_eq!(localised(Lang::En, text), text);
        assert_eq!(
            localised(
                Lang::Pl,
                "cannot read 'a b.json'\nhelp: check the path given to --audit"
            ),
            "nie można odczytać pliku 'a b.json'\nwskazówka: sprawdź ścieżkę podaną w --audit"
        );
        assert_eq!(
            localised(
                Lang::Pl,
                "cannot read: No such file or directory (os error 2)"
            ),
            "nie można odczytać: nie ma takiego pliku ani katalogu (błąd systemu 2)"
        );
        // What no pattern knows stays as it is.
        assert_eq!(localised(Lang::Pl, "quota exhausted"), "quota exhausted");
    }

    #[test]
    fn problems_of_the_users_files_read_in_polish_with_their_places() {
        assert_eq!(
            LEADS.len(),
            problems::LEADS.len()
                + network::LEADS.len()
                + skips::LEADS.len()
                + actions::LEADS.len()
        );
        assert_eq!(
            COMPILED.len(),
            PATTERNS.len()
                + problems::PATTERNS.len()
                + network::PATTERNS.len()
                + skips::PATTERNS.len()
                + actions::PATTERNS.len(),
            "every pattern compiles"
        );
        let cases = [
            (
                "config 'a.toml': line 2, column 15: [ksef] concurrency = 0: must be between 1 and 64\nhelp: the default is 4",
                "konfiguracja 'a.toml': wiersz 2, kolumna 15: `[ksef] concurrency` = 0: dozwolona wartość od 1 do 64\nwskazówka: wartość domyślna: 4",
            ),
            (
                "  inventory 'i.csv' row 3, column H ('expires'): bad date '31.02.2026' (expected YYYY-MM-DD or DD.MM.YYYY)",
                "  ewidencja 'i.csv', wiersz 3, kolumna H ('expires'): błędna data '31.02.2026' (oczekiwano `RRRR-MM-DD` albo `DD.MM.RRRR`)",
            ),
            (
                "  staff 's.csv' row 2, column A ('nip'): bad NIP '1': NIP must be 10 digits, got 1 characters",
                "  lista pracowników 's.csv', wiersz 2, kolumna A ('nip'): błędny NIP '1': NIP musi mieć 10 cyfr, a ma znaków: 1",
            ),
            (
                "exceptions file 'e.toml' has 5 problem(s):\n  - line 7: missing 'expires'",
                "plik wyjątków 'e.toml' zawiera 5 problemów:\n  - wiersz 7: brak pola `expires`",
            ),
            (
                "context 5265877635: GET /tokens: HTTP 400 (KSeF code 21418): bad cursor\nhelp: the continuation token was refused; run again",
                "kontekst 5265877635: `GET /tokens`: HTTP 400 (kod KSeF 21418): bad cursor\nwskazówka: KSeF odrzucił token kontynuacji; uruchom ponownie",
            ),
            (
                "corrupt zip archive, not scanned: invalid Zip archive: Could not find EOCD",
                "uszkodzone archiwum zip, nie przeskanowano: invalid Zip archive: Could not find EOCD",
            ),
            (
                "encrypted 7z archive, not scanned: x\nhelp: extract it with its password and scan the result",
                "zaszyfrowane archiwum 7z, nie przeskanowano: x\nwskazówka: rozpakuj je hasłem i przeskanuj wynik",
            ),
            (
                "cannot read config '/dev/null'\n  caused by: not a regular file (a device); give a regular file",
                "nie można odczytać konfiguracji '/dev/null'\n  przyczyna: to nie jest zwykły plik (to urządzenie); podaj zwykły plik",
            ),
            (
                "context 8123456701: authentication failed with status 460: KSeF rejected the certificate: it is expired or not yet valid, revoked, not issued by a CA KSeF trusts, or its chain could not be verified (KSeF: Błąd weryfikacji łańcucha certyfikatów)",
                "kontekst 8123456701: uwierzytelnianie nie powiodło się (status 460): KSeF odrzucił certyfikat: wygasł albo jeszcze nie jest ważny, został unieważniony, nie wystawił go urząd certyfikacji zaufany przez KSeF albo nie udało się zweryfikować jego łańcucha (KSeF: Błąd weryfikacji łańcucha certyfikatów)",
            ),
            (
                "context 5261048379: DELETE /permissions/common/grants/g1: the auditing credential lacks CredentialsManage (it has [CredentialsRead]), so KSeF refuses to remove the grant\nhelp: remove grants with a token that has CredentialsManage for this NIP",
                "kontekst 5261048379: `DELETE /permissions/common/grants/g1`: audytowe dane logowania nie mają uprawnienia CredentialsManage (mają [CredentialsRead]), więc KSeF nie pozwala odebrać uprawnienia\nwskazówka: odbieraj uprawnienia tokenem z uprawnieniem CredentialsManage dla tego NIP-u",
            ),
            (
                "staff list 's.csv': no one on the staff list is 'nikt'\nhelp: give a PESEL, the staff list's id or e-mail, or a full name as the staff list writes it",
                "lista pracowników 's.csv': nie ma na niej osoby 'nikt'\nwskazówka: podaj PESEL, identyfikator albo e-mail z listy pracowników albo imię i nazwisko tak, jak zapisuje je lista",
            ),
            (
                "'l.json' is a 'ksef-audit/leaks' document, not audit results ('ksef-audit/audit')",
                "'l.json' to dokument 'ksef-audit/leaks', a nie wyniki audytu ('ksef-audit/audit')",
            ),
            (
                "context 5261048379: DELETE /tokens/R1: HTTP 403: Brak uprawnień; reason missing-permissions; needs any of [CredentialsManage], the token has [CredentialsRead]",
                "kontekst 5261048379: `DELETE /tokens/R1`: HTTP 403: Brak uprawnień; powód: `missing-permissions`; potrzebne jedno z uprawnień: [CredentialsManage], token ma: [CredentialsRead]",
            ),
            (
                "retry after cannot connect",
                "ponowna próba po: nie można nawiązać połączenia",
            ),
        ];
        for (en, pl) in cases {
            assert_eq!(localised(Lang::Pl, en), pl);
            assert_eq!(localised(Lang::En, en), en);
        }
    }
}
