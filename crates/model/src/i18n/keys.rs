//! How a leaked KSeF certificate key is described in a finding (LEAK004: `private key
//! (unencrypted) of KSeF certificate serial …, subject …, valid … to …`), in Polish. The
//! English description is the finding's preview in every machine output; [`Lang::preview`]
//! shows it in Polish where a person reads it. Serials, subjects, dates and file names stay.
//!
//! [`Lang::preview`]: crate::i18n::Lang::preview

use std::sync::LazyLock;

use regex::Regex;

/// `(English piece, Polish)`, replaced in this order.
const PIECES: &[(&str, &str)] = &[
    (
        "private key (unencrypted) of ",
        "klucz prywatny (niezaszyfrowany) ",
    ),
    (
        "private key (encrypted, its password is in the same file) of ",
        "klucz prywatny (zaszyfrowany, jego hasło jest w tym samym pliku) ",
    ),
    (
        "private key (encrypted, a password is in the same file) of ",
        "klucz prywatny (zaszyfrowany, w tym samym pliku jest hasło) ",
    ),
    (
        "private key (encrypted, its password is in the repository) of ",
        "klucz prywatny (zaszyfrowany, jego hasło jest w repozytorium) ",
    ),
    (
        "private key (encrypted) of ",
        "klucz prywatny (zaszyfrowany) ",
    ),
    (
        "private key (PKCS#12 bundle without a password) of ",
        "klucz prywatny (plik PKCS#12 bez hasła) ",
    ),
    (
        "private key (PKCS#12 bundle, its password is in the repository) of ",
        "klucz prywatny (plik PKCS#12, jego hasło jest w repozytorium) ",
    ),
    (
        "KSeF certificate serial ",
        "certyfikatu KSeF o numerze seryjnym ",
    ),
    (", subject ", ", podmiot "),
    (
        ", certificate in sibling file ",
        ", certyfikat w sąsiednim pliku ",
    ),
];

/// The validity and the environment of the certificate.
static DATES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r", valid (\S+) to (\S+?)(,|$)").expect("static regex compiles"));
static ENVIRONMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r", issued in the KSeF (\S+) environment \(not production\)")
        .expect("static regex compiles")
});

/// `text` in Polish when it describes a KSeF certificate key; otherwise as it is.
pub(crate) fn described(text: &str) -> String {
    if !text.starts_with("private key (") {
        return text.to_string();
    }
    let text = PIECES
        .iter()
        .fold(text.to_string(), |t, (en, pl)| t.replacen(en, pl, 1));
    let text = DATES.replace(&text, ", ważny od $1 do $2$3");
    ENVIRONMENT
        .replace(&text, ", wydanego w środowisku KSeF $1 (nie produkcyjnym)")
        .into_owned()
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    #[test]
    fn a_certificate_key_is_described_in_polish() {
        let en = "private key (unencrypted) of KSeF certificate serial 176D6E8FD62A2F90, subject PNOPL-78*******55, valid 2026-12-07T01:09:39Z to 2028-12-06T02:09:39Z, issued in the KSeF DEMO environment (not production), certificate in sibling file certificate.pem";
        assert_eq!(
            Lang::Pl.preview(en),
            "klucz prywatny (niezaszyfrowany) certyfikatu KSeF o numerze seryjnym 176D6E8FD62A2F90, podmiot PNOPL-78*******55, ważny od 2026-12-07T01:09:39Z do 2028-12-06T02:09:39Z, wydanego w środowisku KSeF DEMO (nie produkcyjnym), certyfikat w sąsiednim pliku certificate.pem"
        );
        assert_eq!(Lang::En.preview(en), en);
        let pkcs12 = "private key (PKCS#12 bundle without a password) of KSeF certificate serial 01, subject VATPL-5261048379, valid 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z";
        assert_eq!(
            Lang::Pl.preview(pkcs12),
            "klucz prywatny (plik PKCS#12 bez hasła) certyfikatu KSeF o numerze seryjnym 01, podmiot VATPL-5261048379, ważny od 2026-01-01T00:00:00Z do 2027-01-01T00:00:00Z"
        );
        assert_eq!(Lang::Pl.preview("fa4e…(64 chars)"), "fa4e…(64 znaki)");
    }
}
