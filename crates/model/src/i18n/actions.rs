//! Why `revoke` refuses a target, and what `offboard` says on each line of its plan (who can
//! act, why an item is kept or left), in Polish. Read by [`crate::i18n::errors`] like
//! [`crate::i18n::problems`]: rule names, NIPs, masked identifiers and permission names stay
//! as they came; a cause after a colon (a KSeF client error) is translated on its own.

/// `(pattern of the English text at the start of a line, Polish)`.
pub(crate) const LEADS: &[(&str, &str)] = &[
    (
        r"^cannot re-check it in KSeF: ",
        "nie można sprawdzić go ponownie w KSeF: ",
    ),
    (
        r"^the leaked secret cannot be re-found: ",
        "nie można ponownie odnaleźć wyciekłego sekretu: ",
    ),
    (
        r"^cannot re-read '(?P<f>[^']*)' at commit (?P<c>\S+): ",
        "nie można ponownie odczytać '{f}' w commicie {c}: ",
    ),
    (
        r"^cannot re-read '(?P<f>[^']*)': ",
        "nie można ponownie odczytać '{f}': ",
    ),
];

/// `(pattern of a whole English line, Polish template)`.
pub(crate) const PATTERNS: &[(&str, &str)] = &[
    // revoke: a results file that does not hold together
    (
        r"^the finding's token preview names another reference or NIP \(an edited results file\?\)$",
        "podgląd tokena w ustaleniu wskazuje inny numer referencyjny albo NIP (zmieniony plik wyników?)",
    ),
    (
        r"^the finding has no SHA-256 fingerprint \(an edited results file\?\)$",
        "ustalenie nie ma odcisku SHA-256 (zmieniony plik wyników?)",
    ),
    (
        r"^the finding's subject names another grant or NIP \(an edited results file\?\)$",
        "przedmiot ustalenia wskazuje inne uprawnienie albo NIP (zmieniony plik wyników?)",
    ),
    (
        r"^the finding's id does not match its rule, NIP and grant \(an edited results file\?\)$",
        "identyfikator ustalenia nie pasuje do jego reguły, NIP-u i uprawnienia (zmieniony plik wyników?)",
    ),
    // revoke: what KSeF says now
    (
        r"^this is the credential ksef-audit authenticates with for this NIP; revoke it by hand if you mean to$",
        "tym tokenem ksef-audit loguje się dla tego NIP-u; jeśli naprawdę chcesz, unieważnij go ręcznie",
    ),
    (
        r"^KSeF says it is no longer active$",
        "według KSeF nie jest już aktywny",
    ),
    (
        r"^KSeF does not show it as an active token of this NIP$",
        "KSeF nie pokazuje go jako aktywnego tokena tego NIP-u",
    ),
    (r"^the context was not read$", "kontekstu nie odczytano"),
    // revoke: the leaked secret read again where the results file says it is
    (
        r"^no active finding names it$",
        "żadne aktywne ustalenie go nie wskazuje",
    ),
    (
        r"^it was read from standard input, which cannot be read again$",
        "wczytano go ze standardowego wejścia, którego nie da się odczytać ponownie",
    ),
    (
        r"^the secret is inside an archive \('(?P<p>[^']*)'\): revoke re-reads plain files and git blobs only; revoke it by hand after checking$",
        "sekret jest w archiwum ('{p}'): revoke odczytuje ponownie tylko zwykłe pliki i obiekty git; po sprawdzeniu unieważnij go ręcznie",
    ),
    (
        r"^no secret with this fingerprint, reference and NIP is at '(?P<p>[^']*)' in commit (?P<c>\S+) \(the results file is not evidence\)$",
        "w '{p}' w commicie {c} nie ma sekretu o tym odcisku, numerze referencyjnym i NIP-ie (plik wyników nie jest dowodem)",
    ),
    (
        r"^no secret with this fingerprint, reference and NIP is at '(?P<p>[^']*)' \(the results file is not evidence\)$",
        "w '{p}' nie ma sekretu o tym odcisku, numerze referencyjnym i NIP-ie (plik wyników nie jest dowodem)",
    ),
    (r"^not a regular file$", "to nie jest zwykły plik"),
    (r"^larger than (?P<n>\d+) bytes$", "większy niż {n} bajtów"),
    (
        r"^no such path in that commit$",
        "w tym commicie nie ma takiej ścieżki",
    ),
    (r"^not a file$", "to nie jest plik"),
    (
        r"^the context could not be read$",
        "nie udało się odczytać kontekstu",
    ),
    (
        r"^KSeF no longer lists this grant in the context \(already removed\?\)$",
        "KSeF nie wymienia już tego uprawnienia w kontekście (już odebrane?)",
    ),
    (
        r"^KSeF lists this grant for (?P<k>\S+) (?P<h>\S+) with (?P<p>\S+), not what the results file says \(an edited results file\?\)$",
        "według KSeF to uprawnienie ma {k} {h} z zakresem {p}, a nie to, co podaje plik wyników (zmieniony plik wyników?)",
    ),
    (
        r"^(?P<r>\S+) is judged against the staff list and none was given; help: pass --staff FILE or set \[audit\] staff in the config$",
        "reguła {r} potrzebuje listy pracowników, a jej nie podano; wskazówka: podaj --staff PLIK albo ustaw `[audit] staff` w konfiguracji",
    ),
    (
        r"^(?P<r>\S+) does not find this grant in what KSeF lists now \(with the staff list and config of this run\); the results file is not evidence$",
        "reguła {r} nie znajduje tego uprawnienia w tym, co KSeF wymienia teraz (z listą pracowników i konfiguracją tego uruchomienia); plik wyników nie jest dowodem",
    ),
    (
        r"^this grant is held by the credential ksef-audit works with for this NIP; remove it by hand if you mean to$",
        "to uprawnienie należy do danych logowania, których ksef-audit używa dla tego NIP-u; jeśli naprawdę chcesz, odbierz je ręcznie",
    ),
    (
        r"^it gives (?P<p>\S+) and the auditing credential's own identity is not known \((?P<w>.*)\), so it may be ksef-audit's own access; remove it by hand if you mean to$",
        "daje {p}, a tożsamość audytowych danych logowania nie jest znana ({w}), więc może to być dostęp samego ksef-audit; jeśli naprawdę chcesz, odbierz je ręcznie",
    ),
    // revoke and offboard: grants that stay whatever names them
    (
        r"^this is the firm's own grant \(held by the context itself\); revoke never removes it$",
        "to własne uprawnienie firmy (ma je sam kontekst); revoke nigdy go nie odbiera",
    ),
    (
        r"^it is the last CredentialsManage grant of this context; removing it could lock the firm out of managing credentials$",
        "to ostatnie uprawnienie CredentialsManage w tym kontekście; jego odebranie mogłoby odciąć firmę od zarządzania tokenami i uprawnieniami",
    ),
    // offboard: who can act on an item
    (
        r"^a holder of CredentialsManage in this context \(the auditing credential lacks it\)$",
        "osoba z uprawnieniem CredentialsManage w tym kontekście (audytowe dane logowania go nie mają)",
    ),
    (
        r"^a holder of CredentialsManage here: (?P<h>.*) \(the auditing credential lacks it\)$",
        "osoba z uprawnieniem CredentialsManage w tym kontekście: {h} (audytowe dane logowania go nie mają)",
    ),
    (
        r"^ksef-audit if its credential holds CredentialsManage here, else a holder of CredentialsManage in this context$",
        "ksef-audit, jeśli jego dane logowania mają tu CredentialsManage, a jeśli nie: osoba z uprawnieniem CredentialsManage w tym kontekście",
    ),
    (
        r"^ksef-audit if its credential holds CredentialsManage here, else a holder of CredentialsManage here: (?P<h>.*)$",
        "ksef-audit, jeśli jego dane logowania mają tu CredentialsManage, a jeśli nie: osoba z uprawnieniem CredentialsManage w tym kontekście: {h}",
    ),
    (r"^only its owner, (?P<o>.*)$", "tylko jego właściciel, {o}"),
    // offboard: why an item is kept, left or what happened to it
    (
        r"^this is the credential ksef-audit signs in with for this context: replace it with a token of a current employee, then revoke it by hand$",
        "tym tokenem ksef-audit loguje się w tym kontekście: zastąp go tokenem obecnego pracownika, potem unieważnij go ręcznie",
    ),
    (
        r"^it is the access ksef-audit itself works with in this context; remove it by hand once another credential is in place$",
        "to dostęp, z którego korzysta sam ksef-audit w tym kontekście; odbierz go ręcznie, gdy będą inne dane logowania",
    ),
    (
        r"^given through an intermediary, for (?P<k>\S+) (?P<v>\S+)$",
        "nadane przez pośrednika, dla {k} {v}",
    ),
    (
        r"^not in use: nobody owns it in the inventory and it was not used in the last (?P<n>\d+) days$",
        "nieużywany: żaden obecny pracownik nie jest jego właścicielem w ewidencji i nie był używany w ostatnich {n} dniach",
    ),
    (
        r"^not in use: its inventory owner is not an active colleague and it was not used in the last (?P<n>\d+) days$",
        "nieużywany: jego właściciel w ewidencji nie jest obecnym pracownikiem i nie był używany w ostatnich {n} dniach",
    ),
    (r"^outside --nip: left alone$", "poza --nip: pominięte"),
    (
        r"^re-read in KSeF before acting, it is no longer what the plan said \(already gone, or changed\); nothing was done$",
        "odczytane ponownie w KSeF przed działaniem nie jest już tym, co podaje plan (już usunięte albo zmienione); niczego nie zrobiono",
    ),
    (
        r"^removed \(KSeF operation (?P<op>\S+)\)$",
        "odebrano (operacja KSeF {op})",
    ),
];

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;
    use crate::i18n::errors::localised;

    #[test]
    fn refusals_and_offboard_lines_read_in_polish() {
        let cases = [
            (
                "it is the last CredentialsManage grant of this context; removing it could lock the firm out of managing credentials",
                "to ostatnie uprawnienie CredentialsManage w tym kontekście; jego odebranie mogłoby odciąć firmę od zarządzania tokenami i uprawnieniami",
            ),
            (
                "the leaked secret cannot be re-found: cannot re-read 'a b.env' at commit 0123abcd: no such path in that commit",
                "nie można ponownie odnaleźć wyciekłego sekretu: nie można ponownie odczytać 'a b.env' w commicie 0123abcd: w tym commicie nie ma takiej ścieżki",
            ),
            (
                "cannot re-check it in KSeF: the context was not read",
                "nie można sprawdzić go ponownie w KSeF: kontekstu nie odczytano",
            ),
            (
                "a holder of CredentialsManage here: jan@biuro.pl (the auditing credential lacks it)",
                "osoba z uprawnieniem CredentialsManage w tym kontekście: jan@biuro.pl (audytowe dane logowania go nie mają)",
            ),
            (
                "grant-held-by-leaver does not find this grant in what KSeF lists now (with the staff list and config of this run); the results file is not evidence",
                "reguła grant-held-by-leaver nie znajduje tego uprawnienia w tym, co KSeF wymienia teraz (z listą pracowników i konfiguracją tego uruchomienia); plik wyników nie jest dowodem",
            ),
        ];
        for (en, pl) in cases {
            assert_eq!(localised(Lang::Pl, en), pl);
            assert_eq!(localised(Lang::En, en), en);
        }
    }
}
