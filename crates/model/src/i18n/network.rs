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
    // why KSeF refused an authentication (its status code), with KSeF's own words after
    (
        r"^KSeF found no permissions for this token in the context(?P<k>.*)$",
        "KSeF nie znalazł uprawnień tego tokena w kontekście{k}",
    ),
    (
        r"^grant the token's author permissions in this context, or use a token created there$",
        "nadaj autorowi tokena uprawnienia w tym kontekście albo użyj tokena utworzonego w nim",
    ),
    (
        r"^the authentication was revoked by the user(?P<k>.*)$",
        "użytkownik unieważnił uwierzytelnienie{k}",
    ),
    (r"^authenticate again$", "uwierzytelnij się ponownie"),
    (
        r"^the KSeF token is invalid, revoked or not active(?P<k>.*)$",
        "token KSeF jest błędny, unieważniony albo nieaktywny{k}",
    ),
    (
        r"^check in KSeF that the token is Active \(new tokens stay Pending for a while\), belongs to this NIP and was copied whole$",
        "sprawdź w KSeF, czy token jest aktywny (nowe tokeny przez chwilę są oczekujące), należy do tego NIP-u i został skopiowany w całości",
    ),
    (
        r"^KSeF rejected the certificate: it is expired or not yet valid, revoked, not issued by a CA KSeF trusts, or its chain could not be verified(?P<k>.*)$",
        "KSeF odrzucił certyfikat: wygasł albo jeszcze nie jest ważny, został unieważniony, nie wystawił go urząd certyfikacji zaufany przez KSeF albo nie udało się zweryfikować jego łańcucha{k}",
    ),
    (
        r"^check the certificate's validity dates and status in the KSeF application \(Certificates\); if it was revoked or has expired, request a new KSeF certificate and point `certificate`/`private-key` \(or `pkcs12`\) at it$",
        "sprawdź daty ważności i stan certyfikatu w Aplikacji Podatnika KSeF (Certyfikaty); jeśli został unieważniony albo wygasł, wystąp o nowy certyfikat KSeF i wskaż go w `certificate`/`private-key` (albo `pkcs12`)",
    ),
    (
        r"^the credentials belong to a person registered as deceased(?P<k>.*)$",
        "dane logowania należą do osoby zarejestrowanej jako zmarła{k}",
    ),
    (r"^use another person's token$", "użyj tokena innej osoby"),
    (
        r"^authentication is blocked for this context \(suspected security incident\)(?P<k>.*)$",
        "uwierzytelnianie w tym kontekście jest zablokowane (podejrzenie incydentu bezpieczeństwa){k}",
    ),
    (
        r"^contact the Ministry of Finance KSeF support$",
        "skontaktuj się z pomocą techniczną KSeF Ministerstwa Finansów",
    ),
    (
        r"^KSeF reported an unknown error(?P<k>.*)$",
        "KSeF zgłosił nieznany błąd{k}",
    ),
    (r"^run again later$", "uruchom ponownie później"),
    (
        r"^KSeF cancelled the operation(?P<k>.*)$",
        "KSeF anulował operację{k}",
    ),
    (r"^run again$", "uruchom ponownie"),
    (
        r"^KSeF refused the authentication(?P<k>.*)$",
        "KSeF odmówił uwierzytelnienia{k}",
    ),
    (
        r"^check the token and the context$",
        "sprawdź token i kontekst",
    ),
    // KSeF's own message of a failed call, with the reason code and permissions it names
    (
        r"^(?P<m>.+?); reason (?P<r>\S+); needs any of \[(?P<n>[^\]]*)\], the token has \[(?P<h>[^\]]*)\]$",
        "{m}; powód: `{r}`; potrzebne jedno z uprawnień: [{n}], token ma: [{h}]",
    ),
    (
        r"^(?P<m>.+?); needs any of \[(?P<n>[^\]]*)\], the token has \[(?P<h>[^\]]*)\]$",
        "{m}; potrzebne jedno z uprawnień: [{n}], token ma: [{h}]",
    ),
    (r"^(?P<m>.+?); reason (?P<r>\S+)$", "{m}; powód: `{r}`"),
    (
        r"^KSeF reported an error without details$",
        "KSeF zgłosił błąd bez szczegółów",
    ),
    // a credential without the permission a call needs
    (
        r"^the auditing credential lacks (?P<p>\w+) \(it has \[(?P<h>[^\]]*)\]\), so KSeF refuses to remove the grant$",
        "audytowe dane logowania nie mają uprawnienia {p} (mają [{h}]), więc KSeF nie pozwala odebrać uprawnienia",
    ),
    (
        r"^the auditing credential lacks (?P<p>\w+), so KSeF refuses to remove the grant$",
        "audytowe dane logowania nie mają uprawnienia {p}, więc KSeF nie pozwala odebrać uprawnienia",
    ),
    (
        r"^remove grants with a token that has CredentialsManage for this NIP$",
        "odbieraj uprawnienia tokenem z uprawnieniem CredentialsManage dla tego NIP-u",
    ),
    (
        r"^the auditing credential has neither (?P<a>\w+) nor (?P<b>\w+) \(it has \[(?P<h>[^\]]*)\]\), so KSeF does not show who holds permissions in this context$",
        "audytowe dane logowania nie mają ani {a}, ani {b} (mają [{h}]), więc KSeF nie pokazuje, kto ma uprawnienia w tym kontekście",
    ),
    (
        r"^the auditing credential has neither (?P<a>\w+) nor (?P<b>\w+), so KSeF does not show who holds permissions in this context$",
        "audytowe dane logowania nie mają ani {a}, ani {b}, więc KSeF nie pokazuje, kto ma uprawnienia w tym kontekście",
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
