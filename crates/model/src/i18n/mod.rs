//! The one home of translation: the report language and every label in English and Polish
//! (`labels`), the reasons a context is incomplete ([`reason`]), warnings ([`warning`]) and
//! the prefixes and messages of stderr ([`stderr`]).

mod actions;
pub mod commands;
pub mod doctor;
pub mod errors;
mod keys;
mod labels;
mod leavers;
mod network;
mod problems;
pub mod reason;
mod review_items;
mod skips;
pub mod stderr;
pub mod warning;

use std::collections::BTreeMap;

use labels::TABLE;
use leavers::LEAVERS;
use review_items::REVIEW_ITEMS;

/// Every label: the main table and the sections kept in files of their own.
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLE.iter().chain(LEAVERS).chain(REVIEW_ITEMS)
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Pl,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Pl => "pl",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "pl" => Some(Lang::Pl),
            _ => None,
        }
    }

    /// `en` in English, `pl` in Polish: the one helper the text outputs (audit summary,
    /// leaks, reasons, warnings) pick their words with.
    pub fn t<'a>(self, en: &'a str, pl: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Pl => pl,
        }
    }

    /// An environment's label as people read it: the tool's own `custom` (a base URL with
    /// no label of its own) in this language, every other label (`prod`, a user's
    /// `LABEL=URL`) as written.
    pub fn environment(self, label: &str) -> &str {
        match label {
            "custom" => self.t("custom", "własny adres"),
            other => other,
        }
    }

    /// A redacted secret preview (`fa4e…(64 chars)`) with its length note in this language
    /// (`fa4e…(64 znaki)`); a leaked certificate key's description in this language too.
    pub fn preview(self, redacted: &str) -> String {
        match self {
            Lang::En => redacted.to_string(),
            Lang::Pl => keys::described(&crate::previews_pl(redacted)),
        }
    }

    /// A moment as people read it, in the firm's time zone (Europe/Warsaw) with its offset:
    /// `2026-12-06 14:03 CET (UTC+01:00)` in English, `06.12.2026 14:03 CET (UTC+01:00)` in
    /// Polish. The one form of every human output (terminal, CSV, HTML, calendar); JSON
    /// stays UTC.
    pub fn time(self, t: chrono::DateTime<chrono::Utc>) -> String {
        let local = t.with_timezone(&chrono_tz::Europe::Warsaw);
        let day = match self {
            Lang::En => "%Y-%m-%d",
            Lang::Pl => "%d.%m.%Y",
        };
        format!(
            "{} {} (UTC{})",
            local.format(day),
            local.format("%H:%M %Z"),
            local.format("%:z")
        )
    }

    /// `n` and its noun: `1 file`, `3 files` in English; `1 plik`, `3 pliki`, `5 plików`,
    /// `12 plików`, `22 pliki` in Polish (`pl` = singular, 2–4 form, 5+ form).
    pub fn count(self, n: u64, en: (&str, &str), pl: (&str, &str, &str)) -> String {
        let noun = match self {
            Lang::En if n == 1 => en.0,
            Lang::En => en.1,
            Lang::Pl => crate::plural_pl(n, pl.0, pl.1, pl.2),
        };
        format!("{n} {noun}")
    }
}

/// The translation of `key`, if the table has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    entries()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, pl)| match lang {
            Lang::En => *en,
            Lang::Pl => *pl,
        })
}

/// The translation of `key`; an unknown key comes back as itself (and fails the tests).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match lookup(lang, key) {
        Some(s) => s,
        None => {
            debug_assert!(false, "missing translation key '{key}'");
            "?"
        }
    }
}

/// A severity as a word (`critical` / `krytyczne`), in `lang`.
pub fn severity(lang: Lang, severity: crate::Severity) -> &'static str {
    tr(lang, &format!("sev_{}", severity.as_str()))
}

/// A credential as an audit item lists it (`grant ID`, `certificate SERIAL`, `row N`, a
/// reference number), in `lang`: the kind word translated, the identifier kept.
pub fn credential(lang: Lang, listed: &str) -> String {
    const KINDS: [(&str, &str); 3] = [
        ("grant ", "uprawnienie "),
        ("certificate ", "certyfikat "),
        ("row ", "wiersz "),
    ];
    match lang {
        Lang::En => listed.to_string(),
        Lang::Pl => KINDS
            .iter()
            .find_map(|(en, pl)| listed.strip_prefix(en).map(|id| format!("{pl}{id}")))
            .unwrap_or_else(|| listed.to_string()),
    }
}

/// The whole table for one language, for the templates (`t.key`).
pub fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    entries()
        .map(|(k, en, pl)| (*k, if lang == Lang::Pl { *pl } else { *en }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_noun_form_of_their_number() {
        let tokens =
            |lang: Lang, n| lang.count(n, ("token", "tokens"), ("token", "tokeny", "tokenów"));
        assert_eq!(tokens(Lang::En, 1), "1 token");
        assert_eq!(tokens(Lang::En, 2), "2 tokens");
        let pl: Vec<String> = [0, 1, 2, 4, 5, 12, 13, 14, 21, 22, 104, 112]
            .into_iter()
            .map(|n| tokens(Lang::Pl, n))
            .collect();
        assert_eq!(
            pl,
            [
                "0 tokenów",
                "1 token",
                "2 tokeny",
                "4 tokeny",
                "5 tokenów",
                "12 tokenów",
                "13 tokenów",
                "14 tokenów",
                "21 tokenów",
                "22 tokeny",
                "104 tokeny",
                "112 tokenów"
            ]
        );
        assert_eq!(Lang::Pl.t("complete", "kompletny"), "kompletny");
    }

    #[test]
    fn times_are_in_warsaw_with_their_offset() {
        use chrono::TimeZone;
        let winter = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 13, 3, 0).unwrap();
        assert_eq!(Lang::En.time(winter), "2026-12-06 14:03 CET (UTC+01:00)");
        assert_eq!(Lang::Pl.time(winter), "06.12.2026 14:03 CET (UTC+01:00)");
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 1, 22, 30, 0).unwrap();
        assert_eq!(Lang::Pl.time(summer), "02.07.2026 00:30 CEST (UTC+02:00)");
        assert_eq!(Lang::En.t("complete", "kompletny"), "complete");
    }

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, en, pl) in entries() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !en.is_empty() && !pl.is_empty(),
                "empty translation for {k}"
            );
        }
    }
}
