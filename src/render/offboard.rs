//! The offboarding record as text, JSON and an HTML page for the compliance file. Words
//! come from [`Lang`]; PESELs never appear (the record has none), secrets never (a token
//! is named by its reference number only).

use serde::Serialize;

use crate::cli::OffboardFormat;
use crate::render::RenderError;
use ksef_model::OffboardAction;
use ksef_model::OffboardItem;
use ksef_model::OffboardKind;
use ksef_model::OffboardRecord;
use ksef_model::OffboardResult;
use ksef_model::REFRESH_TOKEN_LIFETIME_DAYS;
use ksef_model::i18n::Lang;

/// The record in `format`.
pub fn render_record(
    record: &OffboardRecord,
    format: OffboardFormat,
    lang: Lang,
) -> Result<String, RenderError> {
    match format {
        OffboardFormat::Json => serde_json::to_string_pretty(record)
            .map(|s| s + "\n")
            .map_err(|e| RenderError::Encode {
                format: "json",
                source: Box::new(e),
            }),
        OffboardFormat::Text => Ok(text(record, lang)),
        OffboardFormat::Html => html(record, lang),
    }
}

fn kind_label(kind: OffboardKind, lang: Lang) -> &'static str {
    match kind {
        OffboardKind::Token => lang.t("token", "token"),
        OffboardKind::Grant => lang.t("grant", "uprawnienie"),
        OffboardKind::Certificate => lang.t("certificate", "certyfikat"),
    }
}

fn action_label(action: OffboardAction, lang: Lang) -> &'static str {
    match action {
        OffboardAction::Revoke => lang.t("revoke", "unieważnić"),
        OffboardAction::RotateThenRevoke => {
            lang.t("rotate, then revoke", "wymienić, potem unieważnić")
        }
        OffboardAction::Remove => lang.t("remove", "odebrać"),
        OffboardAction::OwnerRevokes => {
            lang.t("only the owner revokes", "unieważnia tylko właściciel")
        }
        OffboardAction::Keep => lang.t("kept (protected)", "pozostawione (chronione)"),
    }
}

fn result_label(result: OffboardResult, lang: Lang) -> &'static str {
    match result {
        OffboardResult::Planned => lang.t("planned", "zaplanowane"),
        OffboardResult::Done => lang.t("done", "wykonane"),
        OffboardResult::Failed => lang.t("FAILED", "NIEUDANE"),
        OffboardResult::Left => lang.t("left", "pozostaje"),
    }
}

/// The key of an item: reference number, grant id or certificate serial.
fn item_key(item: &OffboardItem) -> &str {
    item.reference_number
        .as_deref()
        .or(item.grant_id.as_deref())
        .or(item.certificate_serial.as_deref())
        .unwrap_or("")
}

/// What to do, in words: the rotation with its owner, system and due date, the owner's
/// steps for a certificate; else the note.
fn guidance(item: &OffboardItem, lang: Lang) -> String {
    let owner = item
        .owner
        .as_deref()
        .unwrap_or(lang.t("its owner", "właściciel"));
    match item.action {
        OffboardAction::RotateThenRevoke => {
            let system = item
                .system
                .as_deref()
                .unwrap_or(lang.t("the system that uses it", "systemie, który go używa"));
            let due = item.due.map(|d| d.to_string()).unwrap_or_default();
            match lang {
                Lang::En => {
                    format!("rotate: {owner} replaces it in {system}, then revoke (by {due})")
                }
                Lang::Pl => format!(
                    "wymiana: {owner} wymienia go w {system}, potem unieważnienie (do {due})"
                ),
            }
        }
        OffboardAction::OwnerRevokes => match lang {
            Lang::En => item.note.clone(),
            Lang::Pl => format!(
                "KSeF pozwala unieważnić certyfikat tylko jego właścicielowi ({owner}), a certyfikat daje wszystkie uprawnienia tej osoby we wszystkich kontekstach: właściciel loguje się do KSeF (Aplikacja Podatnika, certyfikatem lub profilem zaufanym), otwiera listę certyfikatów i unieważnia numer {}; potem uruchom offboard ponownie, by to potwierdzić",
                item.certificate_serial.as_deref().unwrap_or("")
            ),
        },
        _ => ksef_model::i18n::errors::localised(lang, &item.note),
    }
}

fn text(record: &OffboardRecord, lang: Lang) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let p = &record.person;
    let name = p
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let left = p
        .left_on
        .map(|d| format!(", {} {d}", lang.t("left on", "odejście")))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{} {}{name}{left}",
        lang.t("Offboarding:", "Odebranie dostępu:"),
        p.staff_id
    );
    let mode = mode_label(record, lang);
    let by = record
        .performed_by
        .as_deref()
        .unwrap_or(lang.t("(user not known)", "(nieznany użytkownik)"));
    let _ = writeln!(
        s,
        "{mode} · {} UTC · {} {by} · {} {}",
        record.generated_at.format("%Y-%m-%d %H:%M"),
        lang.t("by", "przez"),
        lang.t("environment", "środowisko"),
        lang.environment(&record.environment)
    );
    let incomplete: Vec<_> = record
        .contexts
        .iter()
        .filter(|c| c.status != "complete")
        .collect();
    let _ = writeln!(
        s,
        "\n{}: {} {}, {} {}",
        lang.t("Contexts", "Konteksty"),
        record.contexts.len() - incomplete.len(),
        lang.t("read", "odczytane"),
        incomplete.len(),
        lang.t("could not be read", "nieodczytane")
    );
    for c in &incomplete {
        let lines =
            ksef_model::i18n::reason::lines(lang, c.reason_code.as_ref(), c.reason.as_deref());
        let _ = writeln!(s, "  {}  {}:", lang.t("INCOMPLETE", "NIEKOMPLETNY"), c.nip);
        for l in lines.iter().flat_map(|l| l.lines()) {
            let _ = writeln!(s, "      {l}");
        }
    }
    let _ = writeln!(
        s,
        "\n{} ({}):",
        lang.t("Actions", "Działania"),
        record.actions.len()
    );
    for a in &record.actions {
        let _ = writeln!(
            s,
            "  {:<11} {}  {}  [{}]  {} — {}",
            kind_label(a.kind, lang),
            a.nip,
            item_key(a),
            a.permission,
            action_label(a.action, lang),
            result_label(a.result, lang)
        );
        let g = guidance(a, lang);
        if !g.is_empty() {
            let _ = writeln!(s, "              {g}");
        }
        let note = ksef_model::i18n::errors::localised(lang, &a.note);
        if a.result == OffboardResult::Failed && note != g {
            let _ = writeln!(s, "              {note}");
        }
        let _ = writeln!(
            s,
            "              {}: {}",
            lang.t("who can", "kto może"),
            ksef_model::i18n::errors::localised(lang, &a.who_can)
        );
    }
    if record.actions.is_empty() {
        let _ = writeln!(s, "  {}", lang.t("nothing found", "nic nie znaleziono"));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", access_line(record, lang));
    if !record.complete() {
        let _ = writeln!(
            s,
            "{}",
            lang.t(
                "INCOMPLETE: contexts above could not be read; what the person can do there is unknown, never \"nothing left\"",
                "NIEPEŁNE: powyższych kontekstów nie odczytano; nie wiadomo, co ta osoba może tam zrobić"
            )
        );
    }
    s
}

/// `plan (dry run: nothing was changed)` or `carried out`.
fn mode_label(record: &OffboardRecord, lang: Lang) -> &'static str {
    match record.mode.as_str() {
        "plan" => lang.t(
            "plan (dry run: nothing was changed)",
            "plan (próba: nic nie zmieniono)",
        ),
        _ => lang.t("carried out", "wykonano"),
    }
}

fn access_line(record: &OffboardRecord, lang: Lang) -> String {
    match (record.access_gone_on, lang) {
        (Some(d), Lang::En) => format!(
            "Access through what was revoked is certainly gone on {d}: sign-ins made before keep refreshing for up to {REFRESH_TOKEN_LIFETIME_DAYS} days (KSeF's refresh-token lifetime), and another person's sessions cannot be ended"
        ),
        (Some(d), Lang::Pl) => format!(
            "Dostęp przez to, co unieważniono, na pewno wygasa {d}: wcześniejsze logowania odświeżają się do {REFRESH_TOKEN_LIFETIME_DAYS} dni (ważność tokenu odświeżania KSeF), a sesji innej osoby nie da się zakończyć"
        ),
        (None, Lang::En) => format!(
            "After revocation, access is certainly gone {REFRESH_TOKEN_LIFETIME_DAYS} days later (KSeF's refresh-token lifetime)"
        ),
        (None, Lang::Pl) => format!(
            "Po unieważnieniu dostęp na pewno wygasa po {REFRESH_TOKEN_LIFETIME_DAYS} dniach (ważność tokenu odświeżania KSeF)"
        ),
    }
}

/// One row of the HTML page.
#[derive(Serialize)]
struct Row {
    kind: &'static str,
    nip: String,
    key: String,
    permission: String,
    action: &'static str,
    result: &'static str,
    failed: bool,
    guidance: String,
    who_can: String,
}

/// What `base.html` puts on every page: generator, title line and footer.
#[derive(Serialize)]
struct Cover {
    tool_version: String,
    firm: Option<String>,
    /// The record's date, where reports show their quarter.
    quarter: String,
    generated_local: String,
    generated_utc: String,
}

/// What the HTML page shows, every word already in the page's language.
#[derive(Serialize)]
struct Page<'a> {
    lang: &'static str,
    kind: &'static str,
    title: &'static str,
    mode: &'static str,
    /// The record's environment label as people read it (`custom` in the page's language).
    environment: &'a str,
    cover: Cover,
    record: &'a OffboardRecord,
    rows: Vec<Row>,
    /// `(nip, name, reason on one line)` of the contexts that could not be read.
    incomplete: Vec<(String, Option<String>, String)>,
    access: String,
    t: std::collections::BTreeMap<&'static str, &'static str>,
}

fn html(record: &OffboardRecord, lang: Lang) -> Result<String, RenderError> {
    let rows = record
        .actions
        .iter()
        .map(|a| Row {
            kind: kind_label(a.kind, lang),
            nip: a.nip.clone(),
            key: item_key(a).to_string(),
            permission: a.permission.clone(),
            action: action_label(a.action, lang),
            result: result_label(a.result, lang),
            failed: a.result == OffboardResult::Failed,
            guidance: match (
                a.result,
                guidance(a, lang),
                ksef_model::i18n::errors::localised(lang, &a.note),
            ) {
                (OffboardResult::Failed, g, note) if g != note => format!("{g} {note}"),
                (_, g, _) => g,
            },
            who_can: ksef_model::i18n::errors::localised(lang, &a.who_can),
        })
        .collect();
    let t = [
        (
            "title",
            lang.t("Offboarding record", "Protokół odebrania dostępu"),
        ),
        ("person", lang.t("Person", "Osoba")),
        ("left_on", lang.t("Left on", "Data odejścia")),
        ("mode", lang.t("Run", "Przebieg")),
        ("when", lang.t("When", "Kiedy")),
        ("by", lang.t("By", "Kto")),
        ("environment", lang.t("KSeF environment", "Środowisko KSeF")),
        ("contexts", lang.t("Contexts read", "Odczytane konteksty")),
        (
            "unread",
            lang.t("Contexts that could not be read", "Nieodczytane konteksty"),
        ),
        (
            "incomplete_note",
            lang.t(
                "What the person can do there is unknown: the record is incomplete.",
                "Nie wiadomo, co ta osoba może tam zrobić: protokół jest niepełny.",
            ),
        ),
        (
            "actions",
            lang.t("What was found and done", "Co znaleziono i zrobiono"),
        ),
        ("kind", lang.t("Kind", "Rodzaj")),
        ("nip", "NIP"),
        (
            "key",
            lang.t(
                "Reference / grant / serial",
                "Numer / uprawnienie / certyfikat",
            ),
        ),
        ("permission", lang.t("Permission", "Uprawnienie")),
        ("action", lang.t("Action", "Działanie")),
        ("result", lang.t("Result", "Wynik")),
        (
            "notes",
            lang.t("What to do / who can", "Co zrobić / kto może"),
        ),
        ("nothing", lang.t("Nothing found.", "Nic nie znaleziono.")),
        ("access", lang.t("Access", "Dostęp")),
        (
            "signature",
            lang.t("Checked and signed", "Sprawdził(a) i podpisał(a)"),
        ),
        (
            "page_footer",
            lang.t("Offboarding record", "Protokół odebrania dostępu"),
        ),
        ("generated", lang.t("generated", "wygenerowano")),
    ]
    .into_iter()
    .collect();
    let at = record.generated_at;
    let page = Page {
        lang: lang.code(),
        kind: "offboard",
        mode: mode_label(record, lang),
        environment: lang.environment(&record.environment),
        title: lang.t("Offboarding record", "Protokół odebrania dostępu"),
        cover: Cover {
            tool_version: record.tool_version.clone(),
            firm: record.firm.clone(),
            quarter: at.format("%Y-%m-%d").to_string(),
            generated_local: at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            generated_utc: at.format("%Y-%m-%d %H:%M UTC").to_string(),
        },
        record,
        rows,
        incomplete: record
            .contexts
            .iter()
            .filter(|c| c.status != "complete")
            .map(|c| {
                let reason = ksef_model::i18n::reason::one_line(
                    lang,
                    c.reason_code.as_ref(),
                    c.reason.as_deref(),
                );
                (c.nip.clone(), c.name.clone(), reason)
            })
            .collect(),
        access: access_line(record, lang),
        t,
    };
    crate::render::html::render_page(&page, "offboard.html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::OffboardContext;
    use ksef_model::OffboardPerson;

    pub(crate) fn record() -> OffboardRecord {
        let item = |kind, key: &str, action, result| OffboardItem {
            kind,
            nip: "5265877635".into(),
            reference_number: (kind == OffboardKind::Token).then(|| key.to_string()),
            grant_id: (kind == OffboardKind::Grant).then(|| key.to_string()),
            certificate_serial: (kind == OffboardKind::Certificate).then(|| key.to_string()),
            permission: "InvoiceWrite".into(),
            action,
            result,
            who_can: "ksef-audit (CredentialsManage)".into(),
            owner: Some("anna@firma.pl".into()),
            system: Some("ERP".into()),
            due: "2026-12-13".parse().ok(),
            note: "KSeF says no".into(),
        };
        OffboardRecord {
            schema_version: 1,
            kind: ksef_model::OFFBOARD_KIND.into(),
            tool_version: "0.1.0".into(),
            generated_at: "2026-12-06T23:00:00Z".parse().expect("time"),
            mode: "carried-out".into(),
            performed_by: Some("audytor".into()),
            firm: Some("Biuro <Rzetelne>".into()),
            environment: "test".into(),
            person: OffboardPerson {
                staff_id: "jan@firma.pl".into(),
                name: Some("Jan Nowak".into()),
                staff_status: "left".into(),
                left_on: None,
            },
            in_use_days: 30,
            contexts: vec![OffboardContext {
                nip: "7762811692".into(),
                name: None,
                status: "incomplete".into(),
                reason: Some("no KSeF credential".into()),
                reason_code: None,
                signed_in_with: "token".into(),
            }],
            actions: vec![
                item(
                    OffboardKind::Token,
                    "REF-1",
                    OffboardAction::RotateThenRevoke,
                    OffboardResult::Left,
                ),
                item(
                    OffboardKind::Grant,
                    "G-1",
                    OffboardAction::Remove,
                    OffboardResult::Failed,
                ),
                item(
                    OffboardKind::Certificate,
                    "C0FFEE",
                    OffboardAction::OwnerRevokes,
                    OffboardResult::Left,
                ),
            ],
            access_gone_on: "2026-12-13".parse().ok(),
        }
    }

    #[test]
    fn the_polish_text_names_the_rotation_the_owner_steps_and_the_day_access_is_gone() {
        let s = text(&record(), Lang::Pl);
        assert!(
            s.contains(
                "wymiana: anna@firma.pl wymienia go w ERP, potem unieważnienie (do 2026-12-13)"
            ),
            "{s}"
        );
        assert!(s.contains("unieważnia numer C0FFEE"), "{s}");
        assert!(s.contains("NIEUDANE"), "{s}");
        let mut failed = record();
        failed.actions[1].note = "outside --nip: left alone".into();
        let once = text(&failed, Lang::Pl);
        assert_eq!(once.matches("poza --nip: pominięte").count(), 1, "{once}");
        assert!(s.contains("KSeF says no"), "the failure's reason: {s}");
        assert!(s.contains("na pewno wygasa 2026-12-13"), "{s}");
        assert!(s.contains("NIEKOMPLETNY  7762811692"), "{s}");
        assert!(
            !s.contains("rotacj") && !s.contains("NIEPEŁNY"),
            "the glossary's words: {s}"
        );
        let mut planned = record();
        planned.actions[0].action = OffboardAction::Revoke;
        planned.actions[0].result = OffboardResult::Planned;
        planned.actions[0].note =
            "not in use: nobody owns it in the inventory and it was not used in the last 30 days"
                .into();
        planned.actions[1].who_can =
            "a holder of CredentialsManage in this context (the auditing credential lacks it)"
                .into();
        planned.environment = "custom".into();
        let s = text(&planned, Lang::Pl);
        assert!(s.contains("w ostatnich 30 dniach"), "{s}");
        assert!(
            s.contains(
                "kto może: osoba z uprawnieniem CredentialsManage w tym kontekście (audytowe"
            ),
            "{s}"
        );
        assert!(s.contains("środowisko własny adres"), "{s}");
        let en = text(&planned, Lang::En);
        assert!(en.contains("the auditing credential lacks it"), "{en}");
        assert!(en.contains("environment custom"), "{en}");
    }

    #[test]
    fn the_html_page_escapes_and_marks_failures() {
        let page = html(&record(), Lang::En).expect("renders");
        assert!(page.contains("<h1>Offboarding record</h1>"), "{page}");
        assert!(page.contains("Biuro &lt;Rzetelne&gt;"), "escaped: {page}");
        assert!(!page.contains("Biuro <Rzetelne>"), "{page}");
        assert!(page.contains("class=\"failed\""), "{page}");
        assert!(page.contains("certainly gone on 2026-12-13"), "{page}");
        let pl = html(&record(), Lang::Pl).expect("renders");
        assert!(
            pl.contains("<html lang=\"pl\">") && pl.contains("Protokół odebrania dostępu"),
            "{pl}"
        );
    }
}
