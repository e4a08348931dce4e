//! Why a context is incomplete, in words a user understands, in English or Polish: the
//! one place every output (audit text, HTML, tables, CSV, stderr) takes them from.
//!
//! A context carries the tool's English `reason` text and, since codes exist, a
//! [`ReasonCode`]. The code gives the headline ("not verifiable: no read permission
//! (CredentialsRead)") and, in Polish, what to do; the text stays as the technical detail.
//! A context without a code (a snapshot from an older version) is classified from its text.

use crate::ReasonCode;
use crate::i18n::Lang;
use crate::i18n::stderr;
use crate::i18n::stderr::Kind;

/// The code a reason stands for: the recorded one, else the one its text says.
fn code_of(code: Option<&ReasonCode>, text: Option<&str>) -> Option<ReasonCode> {
    code.cloned()
        .or_else(|| text.and_then(ReasonCode::classify_text))
}

/// What a known code means, as a short phrase (`None` for a code this version does not
/// know).
fn phrase(lang: Lang, code: &ReasonCode) -> Option<&'static str> {
    use ReasonCode as R;
    Some(match code {
        R::NoReadPermission => lang.t(
            "no read permission (CredentialsRead)",
            "brak uprawnienia do odczytu (CredentialsRead)",
        ),
        R::AuditorNotListed => lang.t(
            "the auditing token is missing from KSeF's list",
            "tokenu audytowego nie ma na liście z KSeF",
        ),
        R::PermissionsUnknown => lang.t(
            "the auditor's permissions are unknown",
            "nie wiadomo, jakie uprawnienia ma token audytowy",
        ),
        R::SignInRefused => lang.t("sign-in refused by KSeF", "KSeF odmówił logowania"),
        R::CredentialRejected => lang.t(
            "token or certificate not accepted by KSeF",
            "KSeF nie przyjął tokenu lub certyfikatu",
        ),
        R::CredentialUnavailable => lang.t(
            "no usable token or certificate for this NIP",
            "brak tokenu lub certyfikatu do logowania dla tego NIP",
        ),
        R::RateLimited => lang.t(
            "KSeF rate limit reached",
            "przekroczony limit zapytań do KSeF",
        ),
        R::ServerError => lang.t("KSeF server error", "błąd serwera KSeF"),
        R::RequestRefused => lang.t("KSeF refused a request", "KSeF odrzucił zapytanie"),
        R::Network => lang.t(
            "KSeF could not be reached (network or timeout)",
            "brak połączenia z KSeF (sieć lub przekroczony czas oczekiwania)",
        ),
        R::UnexpectedAnswer => lang.t(
            "unexpected answer from KSeF",
            "nieoczekiwana odpowiedź KSeF",
        ),
        R::ListingRunaway => lang.t(
            "the token listing did not end",
            "lista tokenów z KSeF nie miała końca",
        ),
        R::ListingInconsistent => lang.t(
            "the token listing repeated tokens and may have skipped some",
            "lista tokenów z KSeF powtarzała pozycje i mogła pominąć inne",
        ),
        R::ListingInterrupted => lang.t(
            "the listing stopped midway",
            "odczyt listy przerwał się w trakcie",
        ),
        R::GrantsNotReadable => lang.t(
            "permission grants could not be read",
            "nie udało się odczytać nadanych uprawnień",
        ),
        R::CertificatesNotReadable => lang.t(
            "certificates could not be read",
            "nie udało się odczytać certyfikatów",
        ),
        R::NotAudited => lang.t("not audited in this run", "NIP nie był objęty tym audytem"),
        R::Internal => lang.t("internal error of the tool", "błąd wewnętrzny narzędzia"),
        R::Other(_) => return None,
    })
}

/// What to do, in Polish, for a known code (in English the text's own `help:` lines say it).
fn help_pl(code: &ReasonCode) -> Option<&'static str> {
    use ReasonCode as R;
    Some(match code {
        R::NoReadPermission => {
            "utwórz dla tego NIP token audytowy z uprawnieniem CredentialsRead (sam odczyt) lub CredentialsManage (odczyt i unieważnianie) i użyj go zamiast obecnego"
        }
        R::AuditorNotListed => "sprawdź, czy token audytowy należy do tego NIP",
        R::PermissionsUnknown => {
            "użyj tokenu KSeF z uprawnieniem CredentialsRead dla tego NIP (KSEF_TOKEN_<NIP>)"
        }
        R::SignInRefused | R::CredentialRejected => {
            "sprawdź w KSeF, czy token nie został unieważniony lub czy certyfikat jest nadal ważny, i uruchom ponownie"
        }
        R::CredentialUnavailable => {
            "wskaż token lub certyfikat dla tego NIP (zmienna KSEF_TOKEN_<NIP>, `token-file` albo certyfikat w ksef-audit.toml)"
        }
        R::RateLimited => "uruchom ponownie później albo zwiększ [ksef] max-retry-after",
        R::ServerError | R::ListingInconsistent | R::ListingRunaway => {
            "uruchom ponownie później; jeśli problem się powtarza, zgłoś go do pomocy technicznej KSeF"
        }
        R::Network => {
            "sprawdź połączenie z siecią i adres KSeF; środowiska testowe KSeF mają przerwy techniczne w godz. 16:00–18:00"
        }
        R::UnexpectedAnswer => "sprawdź, czy adres wskazuje na API KSeF 2.0",
        R::ListingInterrupted | R::GrantsNotReadable => "uruchom ponownie później",
        R::NotAudited => {
            "dodaj ten NIP do kontekstów w konfiguracji albo usuń go z ewidencji tokenów"
        }
        R::Internal => "uruchom ponownie; jeśli błąd się powtarza, zgłoś go autorom narzędzia",
        R::RequestRefused | R::CertificatesNotReadable | R::Other(_) => return None,
    })
}

/// The reason's lines split: technical detail (the tool's English text) and `help:` lines.
fn split(text: Option<&str>) -> (Vec<&str>, Vec<&str>) {
    let mut detail = Vec::new();
    let mut help = Vec::new();
    for line in text.unwrap_or("").lines().map(str::trim_end) {
        match line.strip_prefix("help: ") {
            Some(h) => help.push(h),
            None if !line.trim().is_empty() => detail.push(line),
            None => {}
        }
    }
    (detail, help)
}

/// The cause alone, e.g. `no read permission (CredentialsRead)`: for a code this version
/// does not know, the first line of the text.
pub fn cause(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> String {
    match code_of(code, text).as_ref().and_then(|c| phrase(lang, c)) {
        Some(p) => p.to_string(),
        None => match split(text).0.first() {
            Some(first) => said(lang, first),
            None => match code {
                Some(c) => c.to_string(),
                None => lang
                    .t("reason not recorded", "przyczyna nieznana")
                    .to_string(),
            },
        },
    }
}

/// The headline: `not verifiable: no read permission (CredentialsRead)` /
/// `nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)`.
pub fn headline(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> String {
    format!(
        "{}: {}",
        lang.t("not verifiable", "nie można zweryfikować"),
        cause(lang, code, text)
    )
}

/// Parts of a reason as a reader gets them.
struct Parts {
    headline: String,
    /// Technical lines not already in the headline.
    detail: Vec<String>,
    /// What to do (without a `help:` prefix).
    help: Vec<String>,
}

fn parts(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> Parts {
    let known = code_of(code, text);
    let phrased = known.as_ref().and_then(|c| phrase(lang, c)).is_some();
    let (mut detail, help) = split(text);
    if !phrased && !detail.is_empty() {
        // The first line is the headline already.
        detail.remove(0);
    }
    let help = match (lang, known.as_ref().and_then(help_pl)) {
        (Lang::Pl, Some(h)) => vec![h.to_string()],
        _ => help.into_iter().map(|h| said(lang, h)).collect(),
    };
    Parts {
        headline: headline(lang, code, text),
        detail: detail.into_iter().map(|d| said(lang, d)).collect(),
        help,
    }
}

/// One line of the tool's English text in `lang` ([`crate::i18n::errors`]).
fn said(lang: Lang, line: &str) -> String {
    crate::i18n::errors::localised(lang, line)
}

/// Whether a reader in `lang` needs the technical detail (the tool's English text): in
/// Polish the headline and advice say it, except where only the technical detail can
/// (which credential is missing, what KSeF refused, a code this version does not know).
fn with_detail(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> bool {
    lang == Lang::En
        || !matches!(
            code_of(code, text),
            Some(
                ReasonCode::NoReadPermission
                    | ReasonCode::AuditorNotListed
                    | ReasonCode::PermissionsUnknown
                    | ReasonCode::CredentialRejected
                    | ReasonCode::RateLimited
                    | ReasonCode::ServerError
                    | ReasonCode::Network
                    | ReasonCode::ListingRunaway
                    | ReasonCode::ListingInconsistent
                    | ReasonCode::ListingInterrupted
                    | ReasonCode::GrantsNotReadable
                    | ReasonCode::NotAudited
            )
        )
}

/// Every line for a reader (audit text, tables, CSV under `--lang pl`): the headline, the
/// technical detail, then what to do (`help:` / `co zrobić:`).
pub fn lines(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> Vec<String> {
    let p = parts(lang, code, text);
    let mut out = vec![p.headline];
    let detail = match with_detail(lang, code, text) {
        true => p.detail,
        false => Vec::new(),
    };
    for (i, d) in detail.into_iter().enumerate() {
        out.push(match (lang, i) {
            (Lang::Pl, 0) => format!("szczegóły techniczne: {d}"),
            _ => d,
        });
    }
    let label = lang.t("help:", "co zrobić:");
    out.extend(p.help.into_iter().map(|h| format!("{label} {h}")));
    out
}

/// The reason on one line (HTML appendix, review): the headline, then the detail and what
/// to do after a dash, `; ` between them.
pub fn one_line(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> String {
    let all = lines(lang, code, text);
    match all.split_first() {
        Some((head, rest)) if !rest.is_empty() => format!("{head} — {}", rest.join("; ")),
        Some((head, _)) => head.clone(),
        None => String::new(),
    }
}

/// The lines on stderr that explain an exit 2 for one context:
/// `incomplete: NIP: <headline>[: <first technical line, in English>]` and the first `help:`
/// line (in Polish under `--lang pl` where the code has Polish advice; there the technical
/// line is left out where the advice says enough). The prefixes follow the language
/// (`niekompletny:`, `wskazówka:`).
pub fn exit_lines(
    lang: Lang,
    nip: &str,
    code: Option<&ReasonCode>,
    text: Option<&str>,
) -> Vec<String> {
    let p = parts(lang, code, text);
    let with_detail = with_detail(lang, code, text);
    let first = match (with_detail, p.detail.first()) {
        (true, Some(d)) => format!("{nip}: {}: {d}", p.headline),
        _ => format!("{nip}: {}", p.headline),
    };
    let mut out = vec![stderr::line(lang, Kind::Incomplete, &first)];
    // The first reason's advice: later lines (grants, certificates) mostly repeat it.
    out.extend(
        p.help
            .into_iter()
            .take(1)
            .map(|h| stderr::line(lang, Kind::Help, &h)),
    );
    out
}

/// A CSV `reason` cell: the recorded English text in English (as before); in Polish the
/// headline, detail and what to do, one per line.
pub fn csv_cell(lang: Lang, code: Option<&ReasonCode>, text: Option<&str>) -> String {
    match (lang, text) {
        (_, None) => String::new(),
        (Lang::En, Some(t)) => t.to_string(),
        (Lang::Pl, Some(_)) => lines(lang, code, text).join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LACKS: &str = "the auditing token 20251001-EC-2DD3AFF000-A6B7F19A95-11 lacks CredentialsRead and CredentialsManage, so KSeF shows only that token, not the whole list\nhelp: create an audit token with CredentialsRead for this NIP and use it instead";

    #[test]
    fn headline_names_the_cause_in_both_languages() {
        let code = ReasonCode::NoReadPermission;
        assert_eq!(
            headline(Lang::En, Some(&code), Some(LACKS)),
            "not verifiable: no read permission (CredentialsRead)"
        );
        assert_eq!(
            headline(Lang::Pl, Some(&code), Some(LACKS)),
            "nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"
        );
    }

    /// An old snapshot (no code) reads like a new one: its text is classified.
    #[test]
    fn a_reason_without_a_code_reads_as_one_with_it() {
        let code = ReasonCode::NoReadPermission;
        for lang in [Lang::En, Lang::Pl] {
            assert_eq!(
                lines(lang, None, Some(LACKS)),
                lines(lang, Some(&code), Some(LACKS))
            );
            assert_eq!(
                exit_lines(lang, "5265877635", None, Some(LACKS)),
                exit_lines(lang, "5265877635", Some(&code), Some(LACKS))
            );
        }
    }

    #[test]
    fn lines_keep_the_detail_and_say_what_to_do() {
        let code = ReasonCode::NoReadPermission;
        let en = lines(Lang::En, Some(&code), Some(LACKS));
        assert_eq!(en.len(), 3, "{en:?}");
        assert!(en[1].starts_with("the auditing token"));
        assert!(en[2].starts_with("help: create an audit token"));
        // In Polish the headline and the advice say it: no English detail (issue 20.4).
        let pl = lines(Lang::Pl, Some(&code), Some(LACKS));
        assert_eq!(pl.len(), 2, "{pl:?}");
        assert!(pl[1].starts_with("co zrobić: utwórz dla tego NIP token audytowy"));
        let err = exit_lines(Lang::Pl, "5265877635", Some(&code), Some(LACKS));
        assert_eq!(
            err[0],
            "niekompletny: 5265877635: nie można zweryfikować: brak uprawnienia do odczytu (CredentialsRead)"
        );
        assert!(err[1].starts_with("wskazówka: utwórz dla tego NIP token audytowy"));
        // Which credential is missing only the detail says: it stays, after the headline.
        let missing =
            "context 3756977049: no KSeF token for this context\nhelp: set KSEF_TOKEN_3756977049";
        let err = exit_lines(Lang::Pl, "3756977049", None, Some(missing));
        assert_eq!(
            err[0],
            "niekompletny: 3756977049: nie można zweryfikować: brak tokenu lub certyfikatu do logowania dla tego NIP: kontekst 3756977049: brak tokena KSeF dla tego kontekstu"
        );
    }

    #[test]
    fn an_unknown_code_or_text_keeps_the_text() {
        let newer = ReasonCode::Other("quota-exhausted".into());
        let text = "context 5265877635: quota exhausted for today\nhelp: wait until tomorrow";
        assert_eq!(
            headline(Lang::Pl, Some(&newer), Some(text)),
            // The place in Polish; a server's words as they came.
            "nie można zweryfikować: kontekst 5265877635: quota exhausted for today"
        );
        assert_eq!(
            lines(Lang::En, Some(&newer), Some(text)),
            vec![
                "not verifiable: context 5265877635: quota exhausted for today".to_string(),
                "help: wait until tomorrow".to_string()
            ]
        );
        assert_eq!(
            headline(Lang::En, None, None),
            "not verifiable: reason not recorded"
        );
        assert_eq!(csv_cell(Lang::En, None, Some(text)), text);
    }
}
