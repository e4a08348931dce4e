//! The words of `ksef-audit doctor` in English and Polish: what each [`Fact`] says and
//! what to do about it. Texts of other modules carried by a fact (a config problem, a key
//! error, a KSeF reason) are quoted as written after a translated lead.

use crate::doctor::{DoctorCounts, Fact};
use crate::i18n::Lang;

/// What a fact says, and the fix when it is not ready: `(message, fix)`.
pub fn words(lang: Lang, fact: &Fact) -> (String, Option<String>) {
    let (message, fix) = match lang {
        Lang::En => english(fact),
        Lang::Pl => polish(fact),
    };
    (message, fix)
}

fn perms(list: &[String], none: &str) -> String {
    if list.is_empty() {
        none.to_string()
    } else {
        list.join(", ")
    }
}

/// The help line of a text of another module, split from its message.
fn split_help(text: &str) -> (String, Option<String>) {
    match text.split_once("\nhelp: ") {
        Some((m, h)) => (m.to_string(), Some(h.to_string())),
        None => (text.to_string(), None),
    }
}

fn chmod(path: &str) -> Option<String> {
    Some(format!("chmod 600 {path}"))
}

fn english(fact: &Fact) -> (String, Option<String>) {
    let s = |m: String, f: Option<&str>| (m, f.map(str::to_string));
    match fact {
        Fact::ConfigRead { path } => s(format!("config '{path}' read"), None),
        Fact::ConfigProblem { message } => {
            let (m, h) = split_help(message);
            (format!("config problem: {m}"), h)
        }
        Fact::Environment { label, url } => s(format!("KSeF environment: {label} ({url})"), None),
        Fact::NoEnvironment { .. } => s("no KSeF environment given: commands that call KSeF cannot run (`audit --from` and `leaks` can)".into(), Some("set `environment` in the [ksef] section (test, demo, prod or a URL), or pass --env")),
        Fact::NoContexts => s("no context configured".into(), Some("add a [[contexts]] entry with `nip = \"...\"` for each client, or pass --nip")),
        Fact::TokenFileReady { path } => s(format!("token file '{path}': present, readable by its owner only, holds a KSeF token"), None),
        Fact::TokenFileUnreadable { path, error } => s(format!("token file '{path}' cannot be read: {error}"), Some("check the path (relative paths are resolved against the config file's directory)")),
        Fact::TokenFileNotAFile { path } => s(format!("token file '{path}' is not a file"), Some("point `token-file` at the file holding the token")),
        Fact::TokenFileExposed { path, mode } => (format!("token file '{path}' is readable by group or others (mode {mode:03o})"), chmod(path)),
        Fact::TokenUnusable { detail } => split_help(detail),
        Fact::EnvTokenSet { var } => s(format!("KSeF token from environment variable {var}"), None),
        Fact::EnvTokenMissing { nip, single } => {
            let or = if *single { " (or KSEF_TOKEN)" } else { "" };
            (format!("no KSeF token: environment variable KSEF_TOKEN_{nip}{or} is not set and no `token-file` is configured"), Some(format!("export KSEF_TOKEN_{nip}=<token>, or add `token-file` to the context's [[contexts]] entry")))
        }
        Fact::KeyFileUnreadable { path, error } => s(format!("key file '{path}' cannot be read: {error}"), Some("check the path (relative paths are resolved against the config file's directory)")),
        Fact::KeyFileExposed { path, mode } => (format!("private key file '{path}' is readable by group or others (mode {mode:03o})"), chmod(path)),
        Fact::KeyMatches { fingerprint } => s(format!("certificate and private key belong together (SHA-256 {fingerprint})"), None),
        Fact::KeyMismatch { certificate, key } => s(format!("the private key in '{key}' does not belong to the certificate in '{certificate}'"), Some("give the key that was used to request this certificate")),
        Fact::KeyPasswordMissing { path, var } => (format!("'{path}' is encrypted and no password is set"), Some(format!("export {var} (or KSEF_KEY_PASSWORD)"))),
        Fact::CertificateUnusable { detail } => {
            let (m, h) = split_help(detail);
            (format!("certificate: {m}"), h)
        }
        Fact::CertificateValid { not_after, days_left } => s(format!("certificate valid until {not_after} ({days_left} days left)"), None),
        Fact::CertificateExpiring { not_after, days_left } => s(format!("certificate expires on {not_after} ({days_left} days left)"), Some("request a new KSeF certificate before it expires")),
        Fact::CertificateExpired { not_after } => s(format!("certificate expired on {not_after}"), Some("request a new KSeF certificate and point `certificate`/`private-key` at it")),
        Fact::CertificateNotYetValid { not_before } => s(format!("certificate is not valid before {not_before}"), Some("check the computer's clock, or wait until the certificate's start date")),
        Fact::SignedIn => s("signed in to KSeF".into(), None),
        Fact::SignInFailed { code, reason } => sign_in_failed(Lang::En, code.as_deref(), reason),
        Fact::CanAudit { permissions } => s(format!("may audit: the credential holds {}", perms(permissions, "owner rights")), None),
        Fact::CannotAudit { permissions } => s(format!("cannot audit: the credential holds {}, neither CredentialsRead nor CredentialsManage", perms(permissions, "no permission")), Some("give the auditing credential CredentialsRead (audit) or CredentialsManage (audit and revoke)")),
        Fact::AuditPermissionUnknown { reason } => s(format!("the credential's permissions could not be established: {reason}"), Some("use a KSeF token with CredentialsRead for this NIP")),
        Fact::CanRevoke => s("may revoke: the credential holds CredentialsManage".into(), None),
        Fact::CannotRevoke { permissions } => s(format!("cannot revoke: the credential holds {}, not CredentialsManage", perms(permissions, "no permission")), Some("`revoke` needs a credential with CredentialsManage; auditing works without it")),
    }
}

fn polish(fact: &Fact) -> (String, Option<String>) {
    let s = |m: String, f: Option<&str>| (m, f.map(str::to_string));
    match fact {
        Fact::ConfigRead { path } => s(format!("konfiguracja „{path}” wczytana"), None),
        Fact::ConfigProblem { message } => {
            let (m, h) = split_help(message);
            let pl = |t: &str| crate::i18n::errors::localised(Lang::Pl, t);
            (format!("błąd w konfiguracji: {}", pl(&m)), h.map(|h| pl(&h)))
        }
        Fact::Environment { label, url } => s(
            format!("środowisko KSeF: {} ({url})", Lang::Pl.environment(label)),
            None,
        ),
        Fact::NoEnvironment { .. } => s("nie podano środowiska KSeF: polecenia łączące się z KSeF nie zadziałają (`audit --from` i `leaks` tak)".into(), Some("ustaw `environment` w sekcji [ksef] (test, demo, prod albo adres URL) albo podaj --env")),
        Fact::NoContexts => s("nie skonfigurowano żadnego kontekstu".into(), Some("dodaj wpis [[contexts]] z `nip = \"...\"` dla każdego klienta albo podaj --nip")),
        Fact::TokenFileReady { path } => s(format!("plik tokena „{path}”: istnieje, czytelny tylko dla właściciela, zawiera token KSeF"), None),
        Fact::TokenFileUnreadable { path, error } => s(format!("nie można odczytać pliku tokena „{path}” (szczegóły techniczne: {error})"), Some("sprawdź ścieżkę (ścieżki względne liczone są od katalogu pliku konfiguracji)")),
        Fact::TokenFileNotAFile { path } => s(format!("„{path}” nie jest plikiem tokena"), Some("wskaż w `token-file` plik z tokenem")),
        Fact::TokenFileExposed { path, mode } => (format!("plik tokena „{path}” mogą czytać grupa lub inni (tryb {mode:03o})"), chmod(path)),
        Fact::TokenUnusable { detail } => {
            let (m, h) = split_help(detail);
            (format!("token nie nadaje się do użycia (szczegóły techniczne): {m}"), h)
        }
        Fact::EnvTokenSet { var } => s(format!("token KSeF ze zmiennej środowiskowej {var}"), None),
        Fact::EnvTokenMissing { nip, single } => {
            let or = if *single { " (ani KSEF_TOKEN)" } else { "" };
            (format!("brak tokena KSeF: zmienna środowiskowa KSEF_TOKEN_{nip}{or} nie jest ustawiona, a `token-file` nie jest skonfigurowany"), Some(format!("ustaw KSEF_TOKEN_{nip}=<token> albo dodaj `token-file` do wpisu [[contexts]] tego kontekstu")))
        }
        Fact::KeyFileUnreadable { path, error } => s(format!("nie można odczytać pliku klucza „{path}” (szczegóły techniczne: {error})"), Some("sprawdź ścieżkę (ścieżki względne liczone są od katalogu pliku konfiguracji)")),
        Fact::KeyFileExposed { path, mode } => (format!("plik klucza prywatnego „{path}” mogą czytać grupa lub inni (tryb {mode:03o})"), chmod(path)),
        Fact::KeyMatches { fingerprint } => s(format!("certyfikat i klucz prywatny pasują do siebie (SHA-256 {fingerprint})"), None),
        Fact::KeyMismatch { certificate, key } => s(format!("klucz prywatny z „{key}” nie pasuje do certyfikatu z „{certificate}”"), Some("podaj klucz, dla którego wystawiono ten certyfikat")),
        Fact::KeyPasswordMissing { path, var } => (format!("plik „{path}” jest zaszyfrowany, a hasło nie jest ustawione"), Some(format!("ustaw {var} (albo KSEF_KEY_PASSWORD)"))),
        Fact::CertificateUnusable { detail } => {
            let (m, h) = split_help(detail);
            (format!("certyfikat nie nadaje się do użycia (szczegóły techniczne): {m}"), h)
        }
        Fact::CertificateValid { not_after, days_left } => s(format!("certyfikat ważny do {not_after} (zostało dni: {days_left})"), None),
        Fact::CertificateExpiring { not_after, days_left } => s(format!("certyfikat wygasa {not_after} (zostało dni: {days_left})"), Some("wystąp o nowy certyfikat KSeF przed jego wygaśnięciem")),
        Fact::CertificateExpired { not_after } => s(format!("certyfikat wygasł {not_after}"), Some("wystąp o nowy certyfikat KSeF i wskaż go w `certificate`/`private-key`")),
        Fact::CertificateNotYetValid { not_before } => s(format!("certyfikat jest ważny dopiero od {not_before}"), Some("sprawdź zegar komputera albo poczekaj do początku ważności certyfikatu")),
        Fact::SignedIn => s("zalogowano do KSeF".into(), None),
        Fact::SignInFailed { code, reason } => sign_in_failed(Lang::Pl, code.as_deref(), reason),
        Fact::CanAudit { permissions } => s(format!("audyt możliwy: uprawnienia {}", perms(permissions, "właściciela")), None),
        Fact::CannotAudit { permissions } => s(format!("audyt niemożliwy: uprawnienia {}, brak CredentialsRead i CredentialsManage", perms(permissions, "żadne")), Some("nadaj danym uwierzytelniającym audytu uprawnienie CredentialsRead (audyt) albo CredentialsManage (audyt i unieważnianie)")),
        Fact::AuditPermissionUnknown { reason } => s(format!("nie udało się ustalić uprawnień (szczegóły techniczne): {reason}"), Some("użyj tokena KSeF z uprawnieniem CredentialsRead dla tego NIP")),
        Fact::CanRevoke => s("unieważnianie możliwe: uprawnienie CredentialsManage".into(), None),
        Fact::CannotRevoke { permissions } => s(format!("unieważnianie niemożliwe: uprawnienia {}, brak CredentialsManage", perms(permissions, "żadne")), Some("`revoke` wymaga uprawnienia CredentialsManage; audyt działa bez niego")),
    }
}

/// A refused sign-in in the reader's words: the reason's headline and detail, its advice
/// as the fix.
fn sign_in_failed(lang: Lang, code: Option<&str>, reason: &str) -> (String, Option<String>) {
    let code = code.map(crate::ReasonCode::from);
    let label = lang.t("help:", "co zrobić:");
    let (help, lines): (Vec<String>, Vec<String>) =
        crate::i18n::reason::lines(lang, code.as_ref(), Some(reason))
            .into_iter()
            .partition(|l| l.starts_with(label));
    let fix = help
        .first()
        .map(|h| h.trim_start_matches(label).trim().to_string())
        .unwrap_or_else(|| {
            lang.t(
                "check the credential and the environment",
                "sprawdź dane uwierzytelniające i środowisko",
            )
            .to_string()
        });
    let lead = lang.t("sign-in failed", "logowanie nieudane");
    (format!("{lead}: {}", lines.join("\n")), Some(fix))
}

/// The heading of one context's checks: `context 5265877635 (Alfa)`.
pub fn context_heading(lang: Lang, nip: &str, name: Option<&str>) -> String {
    let word = lang.t("context", "kontekst");
    match name {
        Some(name) => format!("{word} {nip} ({name})"),
        None => format!("{word} {nip}"),
    }
}

/// The heading of the checks of the config as a whole.
pub fn config_heading(lang: Lang) -> &'static str {
    lang.t("configuration", "konfiguracja")
}

/// The label before a fix.
pub fn fix_label(lang: Lang) -> &'static str {
    lang.t("fix", "co zrobić")
}

/// The closing line: ready or not, with the counts.
pub fn summary(lang: Lang, counts: DoctorCounts, online: bool) -> String {
    let ready = counts.failed == 0;
    let head = match (lang, ready) {
        (Lang::En, true) => "ready",
        (Lang::En, false) => "not ready",
        (Lang::Pl, true) => "gotowe",
        (Lang::Pl, false) => "niegotowe",
    };
    let tail = match (lang, online) {
        (Lang::En, false) => "; sign-in and permissions not checked (add --online)",
        (Lang::Pl, false) => "; logowania i uprawnień nie sprawdzono (dodaj --online)",
        _ => "",
    };
    let n = |k: usize| k as u64;
    match lang {
        Lang::En => format!(
            "{head}: {} passed, {}, {} failed{tail}",
            counts.ok,
            lang.count(n(counts.warning), ("warning", "warnings"), ("", "", "")),
            counts.failed
        ),
        Lang::Pl => format!(
            "{head}: poprawne: {}, ostrzeżenia: {}, błędy: {}{tail}",
            counts.ok, counts.warning, counts.failed
        ),
    }
}
