//! What the KSeF client says to a person, in Polish: why it waits before trying again
//! (`retry after cannot connect`, a rate limit), a failed call (`context NIP: GET /tokens:
//! HTTP 503 …`), the advice KSeF codes carry, and the token files it reads. Read by
//! [`crate::i18n::errors`] like [`crate::i18n::problems`]: [`LEADS`] start a line and the
//! rest is read again, [`PATTERNS`] are whole lines. Server messages stay as KSeF wrote them.

/// `(pattern of the English text at the start of a line, Polish)`.
pub(crate) const LEADS: &[(&str, &str)] = &[
    (r"^context (?P<n>\d+): ", "kontekst {n}: "),
    (
        r"^(?P<m>GET|POST|PUT|PATCH|DELETE) (?P<p>/\S*): ",
        "`{m} {p}`: ",
    ),
    (
        r"^HTTP (?P<s>\d+) \(KSeF code (?P<c>\d+)\): ",
        "HTTP {s} (kod KSeF {c}): ",
    ),
    (r"^HTTP (?P<s>\d+): ", "HTTP {s}: "),
    (r"^retry after ", "ponowna próba po: "),
    (
        r"^authentication failed with status (?P<c>\d+): ",
        "uwierzytelnianie nie powiodło się (status {c}): ",
    ),
    (
        r"^cannot read token file '(?P<f>[^']*)': ",
        "nie można odczytać pliku tokena '{f}': ",
    ),
];

/// `(pattern of a whole English line, Polish template)`.
pub(crate) const PATTERNS: &[(&str, &str)] = &[
    // why the client waits (progress lines)
    (
        r"^the request timed out$",
        "przekroczono czas oczekiwania na odpowiedź",
    ),
    (r"^cannot connect$", "nie można nawiązać połączenia"),
    (r"^the connection failed$", "połączenie zostało przerwane"),
    (
        r"^client-side rate limit$",
        "limit zapytań po stronie narzędzia",
    ),
    (
        r"^KSeF rate limit \(Retry-After\)$",
        "limit zapytań KSeF (nagłówek Retry-After)",
    ),
    (
        r"^KSeF rate limit \(no Retry-After\)$",
        "limit zapytań KSeF (bez nagłówka Retry-After)",
    ),
    // failed calls
    (
        r"^check the network and the base URL; KSeF test environments have maintenance windows 16:00-18:00$",
        "sprawdź połączenie z siecią i adres KSeF; środowiska testowe KSeF mają przerwy techniczne w godz. 16:00–18:00",
    ),
    (
        r"^rate limited by KSeF, Retry-After (?P<r>\d+) s is longer than the (?P<c>\d+) s the tool waits$",
        "KSeF ograniczył liczbę zapytań: Retry-After {r} s to dłużej niż {c} s, które narzędzie czeka",
    ),
    (
        r"^run again later, or raise \[ksef\] max-retry-after$",
        "uruchom ponownie później albo zwiększ `[ksef] max-retry-after`",
    ),
    (
        r"^no details in the response$",
        "odpowiedź nie zawiera szczegółów",
    ),
    (
        r"^no details in the response \(after (?P<n>\d+) retries\)$",
        "odpowiedź nie zawiera szczegółów (ponowne próby: {n})",
    ),
    (
        r"^the continuation token was refused; run again$",
        "KSeF odrzucił token kontynuacji; uruchom ponownie",
    ),
    (
        r"^the public key was withdrawn; run again to fetch the current one$",
        "klucz publiczny KSeF został wycofany; uruchom ponownie, aby pobrać aktualny",
    ),
    (
        r"^the KSeF token may have been revoked, or the session was already used; check its status in KSeF$",
        "token KSeF mógł zostać unieważniony albo sesja została już użyta; sprawdź jego status w KSeF",
    ),
    (
        r"^give the auditing token CredentialsRead \(read-only audit\) or CredentialsManage \(audit and revoke\)$",
        "nadaj tokenowi audytowemu uprawnienie CredentialsRead (sam odczyt) albo CredentialsManage (odczyt i unieważnianie)",
    ),
    (
        r"^the access token is missing, expired or revoked; authenticate again$",
        "brak tokena dostępu albo wygasł lub został unieważniony; uwierzytelnij się ponownie",
    ),
    (
        r"^the operation is older than its retention; start again$",
        "operacja jest starsza niż okres jej przechowywania; zacznij od nowa",
    ),
    // token files
    (
        r"^no KSeF token for this context$",
        "brak tokena KSeF dla tego kontekstu",
    ),
    (
        r"^token file '(?P<f>[^']*)' does not hold a KSeF token \(expected `reference\|nip-NIP\|secret`\)$",
        "plik tokena '{f}' nie zawiera tokena KSeF (oczekiwano `reference|nip-NIP|secret`)",
    ),
    (
        r"^token file '(?P<f>[^']*)' is empty$",
        "plik tokena '{f}' jest pusty",
    ),
    (
        r"^token file '(?P<f>[^']*)' is saved as UTF-16$",
        "plik tokena '{f}' jest zapisany w UTF-16",
    ),
    (
        r"^token file '(?P<f>[^']*)' is not UTF-8 text$",
        "plik tokena '{f}' nie jest tekstem UTF-8",
    ),
];
