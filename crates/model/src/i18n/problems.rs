//! The problems of the files a user writes, in Polish: the config (`ksef-audit.toml`), the
//! inventory and staff list CSVs and the exceptions file. Read by [`crate::i18n::errors`]:
//! [`LEADS`] are the places in front of a problem (`line 3, column 7: `, `inventory 'a.csv'
//! row 4, column H ('expires'): `), said in Polish before the rest of the line is read
//! again; [`PATTERNS`] are whole problems and their `help:` lines. File names, cells, field
//! and key names stay as written; keys and values a user types are shown as code (`` `…` ``).

/// `(pattern of the English text at the start of a line, Polish)`; the rest of the line
/// after the match is translated on its own.
pub(crate) const LEADS: &[(&str, &str)] = &[
    (
        r"^line (?P<l>\d+), column (?P<c>\d+): ",
        "wiersz {l}, kolumna {c}: ",
    ),
    (r"^line (?P<l>\d+): ", "wiersz {l}: "),
    (r"^- ", "- "),
    (r"^inventory '(?P<f>[^']*)' ", "ewidencja '{f}', "),
    (r"^staff '(?P<f>[^']*)' ", "lista pracowników '{f}', "),
    (r"^staff list '(?P<f>[^']*)': ", "lista pracowników '{f}': "),
    (
        r"^row (?P<r>\d+), column (?P<c>[A-Z]+) \('(?P<h>[^']*)'\): ",
        "wiersz {r}, kolumna {c} ('{h}'): ",
    ),
    (r"^row (?P<r>\d+): ", "wiersz {r}: "),
    (r"^bad NIP '(?P<v>[^']*)': ", "błędny NIP '{v}': "),
    (
        r"^cannot read the header row: ",
        "nie można odczytać wiersza nagłówka: ",
    ),
    (r"^cannot read the row: ", "nie można odczytać wiersza: "),
    (
        r"^target '(?P<v>[^']*)' is not a valid glob: ",
        "cel '{v}' nie jest poprawnym wzorcem glob: ",
    ),
    (
        r"^(?P<k>contexts\[\d+\]\.[a-z-]+) '(?P<v>[^']*)' cannot be read: ",
        "{k} '{v}': nie można odczytać: ",
    ),
    (
        r"^(?P<k>contexts\[\d+\]\.[a-z-]+) '(?P<v>[^']*)': ",
        "{k} '{v}': ",
    ),
    (
        r"^\[(?P<s>[a-z-]+)\] (?P<k>[a-z-]+)(?P<v> = [^:']*)?: ",
        "`[{s}] {k}`{v}: ",
    ),
    (
        r"^'(?P<v>[^']*)' is not a valid NIP: ",
        "'{v}' nie jest poprawnym numerem NIP: ",
    ),
    (
        r"^\[\[known-parties\]\] identifier: ",
        "`[[known-parties]] identifier`: ",
    ),
    (
        r"^\[leaks\] exclude '(?P<v>[^']*)': ",
        "`[leaks] exclude` '{v}': ",
    ),
    (
        r"^error parsing glob '(?P<v>[^']*)': ",
        "błąd we wzorcu '{v}': ",
    ),
    (r"^\[rules\.(?P<r>[^\]]+)\] ", "`[rules.{r}]` "),
    (r"^severity: ", "`severity`: "),
];

/// `(pattern of a whole English line, Polish template)`.
pub(crate) const PATTERNS: &[(&str, &str)] = &[
    // the config
    (
        r"^must be between 1 and (?P<m>\d+)$",
        "dozwolona wartość od 1 do {m}",
    ),
    (
        r"^must be at least 1 byte$",
        "musi wynosić co najmniej 1 bajt",
    ),
    (r"^the default is (?P<v>.+)$", "wartość domyślna: {v}"),
    (
        r"^\[report\] lang = '(?P<v>[^']*)' is not supported$",
        "`[report] lang` = '{v}': ten język nie jest obsługiwany",
    ),
    (r#"^use "en" or "pl"$"#, "wpisz `\"en\"` albo `\"pl\"`"),
    (
        r"^\[offboard\] in-use-days = (?P<n>\S+) is out of range$",
        "`[offboard] in-use-days` = {n} jest poza zakresem",
    ),
    (
        r"^give a number of days from 1 to (?P<m>\d+)$",
        "podaj liczbę dni od 1 do {m}",
    ),
    (
        r"^'(?P<v>[^']*)' is not a KSeF environment: expected test, demo, prod, an http\(s\) URL, or LABEL=URL$",
        "'{v}' nie jest środowiskiem KSeF: oczekiwano `test`, `demo`, `prod`, adresu http(s) albo `ETYKIETA=URL`",
    ),
    (
        r#"^set environment = "test", "demo", "prod", a URL or "LABEL=URL"$"#,
        "ustaw `environment` na `test`, `demo`, `prod`, adres URL albo `ETYKIETA=URL`",
    ),
    (
        r"^unknown severity '(?P<v>[^']*)' \(expected one of: info, low, medium, high, critical\)$",
        "nieznana istotność '{v}' (oczekiwano jednej z: `info`, `low`, `medium`, `high`, `critical`)",
    ),
    (
        r#"^'(?P<v>[^']*)' is not a date; write it as YYYY-MM-DD, e\.g\. "(?P<e>[^"]*)"$"#,
        "'{v}' nie jest datą; zapisz ją jako `RRRR-MM-DD`, np. `\"{e}\"`",
    ),
    (
        r"^NIP (?P<n>\d+) is listed twice$",
        "NIP {n} występuje dwa razy",
    ),
    (
        r"^keep one \[\[contexts\]\] entry per NIP$",
        "zostaw jeden wpis `[[contexts]]` na każdy NIP",
    ),
    (
        r"^(?P<k>contexts\[\d+\])\.certificate needs `private-key` \(the PKCS#8 PEM key of the certificate\)$",
        "{k}.certificate wymaga `private-key` (klucza prywatnego certyfikatu w PEM PKCS#8)",
    ),
    (
        r"^(?P<k>contexts\[\d+\])\.private-key needs `certificate`$",
        "{k}.private-key wymaga `certificate`",
    ),
    (
        r"^(?P<k>contexts\[\d+\])\.pkcs12 cannot be combined with `certificate`/`private-key`$",
        "{k}.pkcs12 nie może wystąpić razem z `certificate`/`private-key`",
    ),
    (
        r"^give `certificate` and `private-key` together, or `pkcs12` alone$",
        "podaj razem `certificate` i `private-key` albo samo `pkcs12`",
    ),
    (
        r"^(?P<k>contexts\[\d+\]): `token-file` and a certificate both given$",
        "{k}: podano jednocześnie `token-file` i certyfikat",
    ),
    (
        r"^keep one way to sign in per context$",
        "zostaw jeden sposób logowania dla każdego kontekstu",
    ),
    (
        r"^check the path \(relative paths are resolved against the config file's directory\)$",
        "sprawdź ścieżkę (ścieżki względne liczą się od katalogu pliku konfiguracji)",
    ),
    (r"^list 10-digit NIPs$", "wpisz 10-cyfrowe numery NIP"),
    (
        r"^unknown field `(?P<f>[^`]*)`, expected (?:one of )?(?P<l>.*)$",
        "nieznane pole `{f}`; dozwolone: {l}",
    ),
    (r"^missing field `(?P<f>[^`]*)`$", "brak pola `{f}`"),
    // [[known-parties]]
    (
        r"^unknown identifier type '(?P<v>[^']*)' \(expected Pesel, Nip or Fingerprint\)$",
        "nieznany rodzaj identyfikatora '{v}' (oczekiwano `Pesel`, `Nip` albo `Fingerprint`)",
    ),
    (
        r"^not a PESEL \(11 digits\), NIP \(10 digits\) or certificate fingerprint \(64 hex digits\)$",
        "to nie jest PESEL (11 cyfr), NIP (10 cyfr) ani odcisk certyfikatu (64 cyfry szesnastkowe)",
    ),
    (
        r#"^write a PESEL, NIP or certificate fingerprint, e\.g\. identifier = "(?P<e>[^"]*)"$"#,
        "wpisz PESEL, NIP albo odcisk certyfikatu, np. `identifier = \"{e}\"`",
    ),
    (
        r"^\[\[known-parties\]\] (?P<f>name|reason) is empty$",
        "`[[known-parties]] {f}` jest puste",
    ),
    (
        r"^say who the party is and why it holds grants$",
        "napisz, kto to jest i dlaczego ma uprawnienia",
    ),
    (
        r"^\[\[known-parties\]\] identifier (?P<k>\S+) (?P<v>\S+) is listed twice$",
        "`[[known-parties]] identifier` {k} {v} występuje dwa razy",
    ),
    // [leaks] exclude: the glob library's words
    (
        r#"^use globs such as "vendor/\*\*" or "\*\.min\.js"$"#,
        "użyj wzorców ścieżek, np. `\"vendor/**\"` albo `\"*.min.js\"`",
    ),
    (
        r"^unclosed character class; missing '\]'$",
        "niezamknięta klasa znaków; brak `]`",
    ),
    (
        r"^invalid use of \*\*; must be one path component$",
        "błędne użycie `**`: musi stanowić cały element ścieżki",
    ),
    (
        r"^invalid range; '(?P<a>.)' > '(?P<b>.)'$",
        "błędny zakres: '{a}' > '{b}'",
    ),
    (
        r"^unopened alternate group; missing '\{' \(maybe escape '\}' with '\[\}\]'\?\)$",
        "nieotwarta grupa alternatyw; brak otwierającego nawiasu klamrowego (zamykający zapisz jako `[}]`?)",
    ),
    (
        r"^unclosed alternate group; missing '\}' \(maybe escape '\{' with '\[\{\]'\?\)$",
        "niezamknięta grupa alternatyw; brak zamykającego nawiasu klamrowego (otwierający zapisz jako `[{]`?)",
    ),
    (
        r"^nested alternate groups are not allowed$",
        "zagnieżdżone grupy alternatyw są niedozwolone",
    ),
    (r"^dangling '\\'$", "`\\` na końcu wzorca"),
    // [rules.NAME]
    (
        r"^no such rule \(help: `ksef-audit rules list` shows the rule names\)$",
        "nie ma takiej reguły (wskazówka: nazwy reguł pokazuje `ksef-audit rules list`)",
    ),
    (
        r"^no such rule \(help: use the rule name '(?P<n>[^']*)', not its id\)$",
        "nie ma takiej reguły (wskazówka: wpisz nazwę reguły '{n}', a nie jej identyfikator)",
    ),
    (
        r#"^severity must be a string such as "high"$"#,
        "`severity` musi być tekstem, np. `\"high\"`",
    ),
    (
        r"^enabled must be true or false$",
        "`enabled` musi mieć wartość `true` albo `false`",
    ),
    (
        r#"^parameter '(?P<p>[^']*)' must be a date written "YYYY-MM-DD"$"#,
        "parametr `{p}` musi być datą zapisaną jako `\"RRRR-MM-DD\"`",
    ),
    (
        r"^parameter '(?P<p>[^']*)' must be a string like the default (?P<d>.*)$",
        "parametr `{p}` musi być tekstem, jak wartość domyślna {d}",
    ),
    (
        r"^parameter '(?P<p>[^']*)' must be an integer like the default (?P<d>.*)$",
        "parametr `{p}` musi być liczbą całkowitą, jak wartość domyślna {d}",
    ),
    (
        r"^parameter '(?P<p>[^']*)' must be a number like the default (?P<d>.*)$",
        "parametr `{p}` musi być liczbą, jak wartość domyślna {d}",
    ),
    (
        r"^parameter '(?P<p>[^']*)' must be true or false like the default (?P<d>.*)$",
        "parametr `{p}` musi mieć wartość `true` albo `false`, jak wartość domyślna {d}",
    ),
    (
        r"^parameter '(?P<p>[^']*)' must be a list like the default (?P<d>.*)$",
        "parametr `{p}` musi być listą, jak wartość domyślna {d}",
    ),
    (
        r"^unknown key '(?P<k>[^']*)' \(expected one of: (?P<l>.*)\)$",
        "nieznany klucz '{k}' (dozwolone: `{l}`)",
    ),
    // NIPs (config, CSV cells, flags)
    (
        r"^NIP must be 10 digits, got (?P<n>\d+) characters$",
        "NIP musi mieć 10 cyfr, a ma znaków: {n}",
    ),
    (
        r"^NIP may contain only digits \(dashes and spaces are removed first\)$",
        "NIP może zawierać tylko cyfry (myślniki i spacje są najpierw usuwane)",
    ),
    (
        r"^NIP check digit does not match \(expected (?P<e>\d), found (?P<f>\d)\)$",
        "cyfra kontrolna NIP się nie zgadza (oczekiwano {e}, jest {f})",
    ),
    (
        r"^NIP check sum is 10, so no NIP can have these first nine digits$",
        "suma kontrolna NIP wynosi 10, więc żaden NIP nie może mieć takich pierwszych dziewięciu cyfr",
    ),
    // any input file (`input::read_limited`)
    (
        r"^not a regular file \(a FIFO\); give a regular file$",
        "to nie jest zwykły plik (to kolejka FIFO); podaj zwykły plik",
    ),
    (
        r"^not a regular file \(a socket\); give a regular file$",
        "to nie jest zwykły plik (to gniazdo); podaj zwykły plik",
    ),
    (
        r"^not a regular file \(a device\); give a regular file$",
        "to nie jest zwykły plik (to urządzenie); podaj zwykły plik",
    ),
    (
        r"^not a regular file \(a directory\); give a regular file$",
        "to nie jest zwykły plik (to katalog); podaj zwykły plik",
    ),
    (
        r"^not a regular file \(an unusual kind of file\); give a regular file$",
        "to nie jest zwykły plik (to nietypowy rodzaj pliku); podaj zwykły plik",
    ),
    (
        r"^the file is larger than (?P<n>\d+ [KM]iB), the limit for this input; is it the right file\?$",
        "plik jest większy niż {n}, limit dla tych danych; czy to właściwy plik?",
    ),
    (
        r"^stream did not contain valid UTF-8$",
        "plik nie jest poprawnym tekstem UTF-8",
    ),
    // the inventory and staff list CSVs
    (
        r"^inventory '(?P<f>[^']*)': (?P<n>\d+) problems?$",
        "ewidencja '{f}': {n:problem|problemy|problemów}",
    ),
    (
        r"^staff '(?P<f>[^']*)': (?P<n>\d+) problems?$",
        "lista pracowników '{f}': {n:problem|problemy|problemów}",
    ),
    (
        r"^fix these cells and run again; `docs/inputs\.md` describes the \S+ columns$",
        "popraw te komórki i uruchom ponownie; kolumny opisuje `docs/inputs.md`",
    ),
    (
        r"^bad date '(?P<v>[^']*)' \(expected YYYY-MM-DD or DD\.MM\.YYYY\)$",
        "błędna data '{v}' (oczekiwano `RRRR-MM-DD` albo `DD.MM.RRRR`)",
    ),
    (
        r"^unknown permission '(?P<v>[^']*)' \(expected any of: (?P<l>.*)\)$",
        "nieznane uprawnienie '{v}' (dozwolone: {l})",
    ),
    (
        r"^unknown environment '(?P<v>[^']*)' \(expected prod, demo or test\)$",
        "nieznane środowisko '{v}' (oczekiwano `prod`, `demo` albo `test`)",
    ),
    (r"^the NIP is empty$", "NIP jest pusty"),
    (
        r"^the reference number is empty$",
        "numer referencyjny jest pusty",
    ),
    (
        r"^reference number '(?P<v>[^']*)' is listed twice \(first in row (?P<r>\d+)\)$",
        "numer referencyjny '{v}' występuje dwa razy (po raz pierwszy w wierszu {r})",
    ),
    (
        r"^certificate serial number '(?P<v>[^']*)' is listed twice \(first in row (?P<r>\d+)\)$",
        "numer seryjny certyfikatu '{v}' występuje dwa razy (po raz pierwszy w wierszu {r})",
    ),
    (
        r"^id '(?P<v>[^']*)' is listed twice \(first in row (?P<r>\d+)\)$",
        "identyfikator '{v}' występuje dwa razy (po raz pierwszy w wierszu {r})",
    ),
    (
        r"^the id \(e-mail or staff id\) is empty$",
        "identyfikator (e-mail albo identyfikator pracownika) jest pusty",
    ),
    (
        r"^bad PESEL \(11 digits with a valid check digit expected; value not shown\)$",
        "błędny PESEL (oczekiwano 11 cyfr z poprawną cyfrą kontrolną; wartości nie pokazano)",
    ),
    (
        r"^bad certificate fingerprint '(?P<v>[^']*)' \(64 hex digits of SHA-256 expected\)$",
        "błędny odcisk certyfikatu '{v}' (oczekiwano 64 cyfr szesnastkowych SHA-256)",
    ),
    (
        r"^unknown status '(?P<v>[^']*)' \(expected active or left\)$",
        "nieznany status '{v}' (oczekiwano `active` albo `left`)",
    ),
    (
        r"^the status is empty \(expected active or left\)$",
        "status jest pusty (oczekiwano `active` albo `left`)",
    ),
    (
        r#"^not valid UTF-8 \(help: save the file as "CSV UTF-8"\)$"#,
        "to nie jest poprawny tekst UTF-8 (wskazówka: zapisz plik jako „CSV UTF-8”)",
    ),
    (
        r"^the file is empty \(a header row is required\)$",
        "plik jest pusty (wymagany jest wiersz nagłówka)",
    ),
    (
        r"^column '(?P<c>[^']*)' appears twice \(also column (?P<o>[A-Z]+)\)$",
        "kolumna '{c}' występuje dwa razy (również jako kolumna {o})",
    ),
    (
        r"^column '(?P<c>[^']*)' appears twice$",
        "kolumna '{c}' występuje dwa razy",
    ),
    (
        r"^missing required column '(?P<c>[^']*)' \(accepted headers: (?P<h>.*)\)$",
        "brak wymaganej kolumny '{c}' (akceptowane nagłówki: {h})",
    ),
    // the exceptions file
    (
        r"^exceptions file '(?P<f>[^']*)' has (?P<n>\d+) problem\(s\):$",
        "plik wyjątków '{f}' zawiera {n:problem|problemy|problemów}:",
    ),
    (
        r"^missing or empty '(?P<f>[^']*)'$",
        "brak pola `{f}` albo jest puste",
    ),
    (
        r"^'expires' is '(?P<v>.*)', expected a date like (?P<e>\S+)$",
        "pole `expires` ma wartość '{v}', a powinno zawierać datę, np. {e}",
    ),
    (r"^missing 'expires'$", "brak pola `expires`"),
    (
        r"^every \[\[exception\]\] needs rule, target, reason, owner and expires \(YYYY-MM-DD\)$",
        "każdy wpis `[[exception]]` wymaga pól `rule`, `target`, `reason`, `owner` i `expires` (`RRRR-MM-DD`)",
    ),
];
