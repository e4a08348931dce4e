//! Every label of the HTML reports, in English and Polish: one table.

pub mod reason;
pub mod warning;

use std::collections::BTreeMap;

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

    /// A redacted secret preview (`fa4e…(64 chars)`) with its length note in this language
    /// (`fa4e…(64 znaki)`).
    pub fn preview(self, redacted: &str) -> String {
        match self {
            Lang::En => redacted.to_string(),
            Lang::Pl => crate::previews_pl(redacted),
        }
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

/// `(key, English, Polish)`.
const TABLE: &[(&str, &str, &str)] = &[
    // titles and headings
    (
        "title_review",
        "Security review: KSeF tokens",
        "Przegląd bezpieczeństwa: tokeny KSeF",
    ),
    (
        "title_quarterly",
        "Quarterly compliance report: KSeF tokens",
        "Kwartalny raport zgodności: tokeny KSeF",
    ),
    ("quarter", "Quarter", "Kwartał"),
    ("generated", "Generated", "Wygenerowano"),
    ("as_of", "Data as of", "Stan danych na"),
    ("tool_version", "Tool version", "Wersja narzędzia"),
    ("environment", "KSeF environment", "Środowisko KSeF"),
    ("coverage", "Coverage", "Zakres"),
    (
        "coverage_line",
        "{audited} of {total} NIPs audited; {incomplete} incomplete",
        "zbadane konteksty NIP: {audited} z {total}; niekompletne: {incomplete}",
    ),
    (
        "coverage_none",
        "no audit results given (leak scan only)",
        "brak wyników audytu (tylko skanowanie wycieków)",
    ),
    ("digests", "Digests (SHA-256)", "Skróty (SHA-256)"),
    ("rules_digest", "Rules", "Reguły"),
    ("contents", "Contents", "Spis treści"),
    (
        "confidential",
        "Confidential: internal use",
        "Poufne: do użytku wewnętrznego",
    ),
    // executive page
    (
        "exec_title",
        "Executive summary",
        "Podsumowanie dla zarządu",
    ),
    (
        "exec_intro",
        "How exposed the firm is through its KSeF tokens (keys that let software issue and read invoices on a client's behalf), and what changed since last quarter.",
        "W jakim stopniu firma jest narażona na ryzyko przez swoje tokeny KSeF (klucze, którymi oprogramowanie wystawia i odczytuje faktury w imieniu klienta) i co zmieniło się od poprzedniego kwartału.",
    ),
    (
        "headline_up",
        "Posture {score}/100 ({band}): up {points} points since {quarter}.",
        "Wskaźnik {score}/100 ({band}): wzrost o {points} pkt od {quarter}.",
    ),
    (
        "headline_down",
        "Posture {score}/100 ({band}): down {points} points since {quarter}.",
        "Wskaźnik {score}/100 ({band}): spadek o {points} pkt od {quarter}.",
    ),
    (
        "headline_same",
        "Posture {score}/100 ({band}): unchanged since {quarter}.",
        "Wskaźnik {score}/100 ({band}): bez zmian od {quarter}.",
    ),
    (
        "headline_first",
        "Posture {score}/100 ({band}).",
        "Wskaźnik {score}/100 ({band}).",
    ),
    (
        "headline_no_audit",
        "No audit results: the posture score is not available.",
        "Brak wyników audytu: wskaźnik jest niedostępny.",
    ),
    ("score_title", "Posture score", "Wskaźnik bezpieczeństwa"),
    ("score_of", "of 100", "na 100"),
    ("score_previous", "last quarter", "poprzedni kwartał"),
    ("band_good", "good", "dobry"),
    ("band_fair", "needs attention", "wymaga uwagi"),
    ("band_poor", "poor", "słaby"),
    ("band_na", "not available", "niedostępny"),
    (
        "score_formula_title",
        "How the score is computed",
        "Jak liczony jest wskaźnik",
    ),
    (
        "score_formula_1",
        "Score = 100 − 100 × (weighted open findings ÷ active tokens), never below 0.",
        "Wskaźnik = 100 − 100 × (ważone otwarte ustalenia ÷ aktywne tokeny), nie mniej niż 0.",
    ),
    (
        "score_formula_2",
        "Weights: critical 1, high 0.5, medium 0.2, low 0.05. Accepted risks (exceptions) do not count. While a leaked token is still active, the score is at most 49.",
        "Wagi: krytyczne 1, wysokie 0,5, średnie 0,2, niskie 0,05. Zaakceptowane ryzyka (wyjątki) nie są liczone. Dopóki wyciekły token jest aktywny, wskaźnik wynosi najwyżej 49.",
    ),
    (
        "score_formula_3",
        "100 means no open finding; 0 means on average one critical-equivalent problem per active token. 85+ good, 60–84 needs attention, below 60 poor.",
        "100 oznacza brak otwartych ustaleń; 0 oznacza średnio jeden problem krytyczny na aktywny token. 85+ dobry, 60–84 wymaga uwagi, poniżej 60 słaby.",
    ),
    (
        "score_formula_short",
        "Score = 100 − 100 × open findings weighted by severity (critical 1, high 0.5, medium 0.2, low 0.05) ÷ active tokens; at most 49 while a leaked token is active. 85+ good, 60–84 needs attention, below 60 poor.",
        "Wskaźnik = 100 − 100 × otwarte ustalenia ważone istotnością (krytyczne 1, wysokie 0,5, średnie 0,2, niskie 0,05) ÷ aktywne tokeny; najwyżej 49, dopóki wyciekły token jest aktywny. 85+ dobry, 60–84 wymaga uwagi, poniżej 60 słaby.",
    ),
    ("kpi_title", "Key figures", "Kluczowe wskaźniki"),
    ("kpi_metric", "Measure", "Miara"),
    ("kpi_now", "This quarter", "Ten kwartał"),
    ("kpi_prev", "Last quarter", "Poprzedni kwartał"),
    ("kpi_change", "Change", "Zmiana"),
    ("kpi_active", "Active tokens", "Aktywne tokeny"),
    (
        "kpi_in_inventory",
        "Active tokens listed in the inventory",
        "Aktywne tokeny ujęte w ewidencji",
    ),
    (
        "kpi_with_owner",
        "Active tokens with a named owner",
        "Aktywne tokeny z właścicielem",
    ),
    (
        "kpi_with_expiry",
        "Active tokens with a planned expiry date",
        "Aktywne tokeny z planowaną datą wygaśnięcia",
    ),
    (
        "kpi_leavers",
        "Tokens of people who left the firm",
        "Tokeny osób, które odeszły z firmy",
    ),
    (
        "kpi_unused90",
        "Active tokens unused for over 90 days",
        "Aktywne tokeny nieużywane ponad 90 dni",
    ),
    (
        "kpi_leaked",
        "Leaked tokens found",
        "Znalezione wyciekłe tokeny",
    ),
    (
        "kpi_leaked_active",
        "Leaked tokens still active",
        "Wyciekłe tokeny nadal aktywne",
    ),
    (
        "kpi_open_crit_high",
        "Open critical and high findings",
        "Otwarte ustalenia o istotności krytycznej i wysokiej",
    ),
    (
        "kpi_exc_active",
        "Accepted risks in force",
        "Obowiązujące akceptacje ryzyka",
    ),
    (
        "kpi_exc_expiring",
        "Accepted risks expiring within 30 days",
        "Akceptacje ryzyka wygasające w ciągu 30 dni",
    ),
    (
        "kpi_exc_expired",
        "Accepted risks expired",
        "Wygasłe akceptacje ryzyka",
    ),
    ("risks_title", "Top five risks", "Pięć największych ryzyk"),
    ("risks_none", "No open risks.", "Brak otwartych ryzyk."),
    (
        "decisions_title",
        "Decisions asked of management",
        "Decyzje, o które prosimy zarząd",
    ),
    (
        "decision_revoke_leaked",
        "Approve the immediate revocation of leaked tokens that still work ({n}).",
        "Zatwierdzić natychmiastowe unieważnienie wyciekłych tokenów, które nadal działają ({n}).",
    ),
    (
        "decision_fix_critical",
        "Approve fixing the critical findings within {days} days ({n}).",
        "Zatwierdzić usunięcie w ciągu {days_pl} problemów wskazanych w ustaleniach krytycznych ({n}).",
    ),
    (
        "decision_expired_exceptions",
        "Renew with a fresh justification, or close, the accepted risks that have expired ({n}).",
        "Odnowić z nowym uzasadnieniem albo zamknąć wygasłe akceptacje ryzyka ({n}).",
    ),
    (
        "decision_expiring_exceptions",
        "Review the accepted risks that expire within 30 days ({n}).",
        "Przejrzeć akceptacje ryzyka wygasające w ciągu 30 dni ({n}).",
    ),
    (
        "decision_assign_owners",
        "Name an accountable owner for tokens that have none or are missing from the inventory ({n}).",
        "Wskazać odpowiedzialnego właściciela tokenów bez właściciela lub spoza ewidencji ({n}).",
    ),
    (
        "decision_incomplete",
        "Have the audit token granted read access for clients that could not be audited in full ({n}).",
        "Uzyskać token audytowy z uprawnieniem do odczytu u klientów, których nie udało się zbadać w całości ({n}).",
    ),
    (
        "decision_none",
        "No decisions are needed this quarter.",
        "W tym kwartale nie są potrzebne decyzje.",
    ),
    // "act now": leads the review's first page and the management page
    ("urgent_title", "Act now", "Do natychmiastowego działania"),
    (
        "urgent_leak",
        "Leaked token {token} (NIP {nip}{owner}) still works in KSeF: revoke it now. Found in {where}.",
        "Wyciekły token {token} (NIP {nip}{owner}) nadal działa w KSeF: należy go natychmiast unieważnić. Znaleziono w {where}.",
    ),
    ("urgent_owner", ", owner {v}", ", właściciel: {v}"),
    ("urgent_name", " ({v})", " ({v})"),
    (
        "urgent_incomplete",
        "NIP {nip}{name} could not be audited in full: {reason}. Its tokens are not verifiable until the audit token can read them.",
        "Kontekstu NIP {nip}{name} nie udało się zbadać w całości: {reason}. Jego tokenów nie da się sprawdzić, dopóki token audytowy nie uzyska uprawnienia do odczytu.",
    ),
    (
        "urgent_leaver",
        "{title}. Still active: {n}, in {contexts} client contexts. Revoke them or hand them over to current staff.",
        "{title}. Nadal aktywne: {n}; liczba klientów: {contexts}. Należy je unieważnić albo przekazać obecnym pracownikom.",
    ),
    (
        "urgent_leaver_certificate",
        "KSeF certificate {serial} of {subject} (NIP {nip}) belongs to someone who left the firm and works until {date}: only its owner can revoke it, so ask them now and remove their permissions meanwhile.",
        "Certyfikat KSeF {serial} ({subject}, NIP {nip}) należy do osoby, która odeszła z firmy, i działa do {date}. Unieważnić go może tylko jego właściciel: należy go o to poprosić, a do tego czasu odebrać mu uprawnienia.",
    ),
    ("certs_title", "KSeF certificates", "Certyfikaty KSeF"),
    (
        "certs_calendar",
        "Certificates expiring within 90 days",
        "Certyfikaty wygasające w ciągu 90 dni",
    ),
    (
        "certs_calendar_none",
        "No active KSeF certificate expires within 90 days.",
        "Żaden aktywny certyfikat KSeF nie wygasa w ciągu 90 dni.",
    ),
    (
        "certs_not_read",
        "No context signed in with a KSeF certificate, so no certificate list was read (KSeF shows certificates only to a certificate sign-in).",
        "W żadnym kontekście narzędzie nie logowało się certyfikatem KSeF, więc listy certyfikatów nie odczytano (KSeF pokazuje certyfikaty tylko po zalogowaniu certyfikatem).",
    ),
    ("certs_date", "Expires", "Wygasa"),
    ("certs_days_left", "Days left", "Pozostało dni"),
    ("certs_serial", "Serial number", "Numer seryjny"),
    ("certs_subject", "Subject", "Podmiot"),
    ("certs_expired", "expired", "wygasł"),
    (
        "sunset_title",
        "Readiness for the end of KSeF tokens",
        "Gotowość na wycofanie tokenów KSeF",
    ),
    (
        "sunset_line",
        "KSeF tokens stop working on {date} (announced by the Ministry of Finance, not yet law; {days} days from now): {tokens} integrations in {dependent} of {total} client contexts still depend on tokens.",
        "Tokeny KSeF przestaną działać {date} (zapowiedź Ministerstwa Finansów, jeszcze nie przepis; pozostało dni: {days}). Integracje nadal zależne od tokenów: {tokens}, w kontekstach klientów: {dependent} z {total}.",
    ),
    ("sunset_tokens", "Active tokens", "Aktywne tokeny"),
    (
        "sunset_certificates",
        "Active certificates",
        "Aktywne certyfikaty",
    ),
    ("sunset_state", "Readiness", "Gotowość"),
    ("sunset_state_ready", "ready", "gotowy"),
    (
        "sunset_state_partly",
        "certificate sign-in, tokens remain",
        "logowanie certyfikatem, ale tokeny nadal aktywne",
    ),
    ("sunset_state_tokens", "tokens only", "tylko tokeny"),
    (
        "urgent_grant_leaver",
        "People who left the firm still hold permission grants (grants: {n}, people: {people}, client contexts: {contexts}). They can sign in and act for the client without any token. Remove the grants (`ksef-audit revoke --from audit.json --grants`).",
        "Osoby, które odeszły z firmy, nadal mają nadane uprawnienia (uprawnienia: {n}, osoby: {people}, konteksty klientów: {contexts}). Mogą się zalogować i działać w imieniu klienta bez żadnego tokena. Należy odebrać uprawnienia (`ksef-audit revoke --from audit.json --grants`).",
    ),
    (
        "decision_revoke_grants",
        "Remove the {n} permission grants still held by people who left the firm (`ksef-audit revoke --from audit.json --grants`).",
        "Odebrać uprawnienia nadal przysługujące osobom, które odeszły z firmy (liczba: {n}; `ksef-audit revoke --from audit.json --grants`).",
    ),
    ("grants_title", "Permission grants", "Nadane uprawnienia"),
    (
        "grants_intro",
        "Who can act in each client's KSeF context besides tokens: people, firms and certificates the context gave permissions to. Leavers and holders the firm does not know come first. Identifiers are masked.",
        "Kto poza tokenami może działać w kontekście KSeF każdego klienta: osoby, firmy i certyfikaty, którym kontekst nadał uprawnienia. Najpierw osoby, które odeszły z firmy, i podmioty nieznane firmie. Identyfikatory są zamaskowane.",
    ),
    (
        "grants_summary",
        "{n} grants held by others in {contexts} client contexts: {leavers} held by people who left the firm, {unknown} by holders the firm does not know; {findings} open findings about grants.",
        "Uprawnienia nadane innym: {n}, liczba klientów: {contexts}; w tym osobom, które odeszły z firmy: {leavers}, podmiotom nieznanym firmie: {unknown}. Otwarte ustalenia dotyczące uprawnień: {findings}.",
    ),
    (
        "grants_trend",
        "Last quarter: {prev} open findings about grants ({change}); grants held by leavers then: {leavers_prev}.",
        "Poprzedni kwartał: otwarte ustalenia dotyczące uprawnień: {prev} ({change}); uprawnienia osób, które odeszły z firmy: {leavers_prev}.",
    ),
    (
        "grants_trend_first",
        "Last quarter's audit did not read permission grants: no comparison yet.",
        "Audyt z poprzedniego kwartału nie odczytywał nadanych uprawnień: brak porównania.",
    ),
    (
        "grants_changes",
        "Since last quarter: {new} new and {resolved} resolved findings about grants.",
        "Od poprzedniego kwartału: nowe ustalenia dotyczące uprawnień: {new}, rozwiązane: {resolved}.",
    ),
    (
        "grants_attention",
        "Held by people who left or by holders the firm does not know",
        "Uprawnienia osób, które odeszły, i podmiotów nieznanych firmie",
    ),
    (
        "grants_own",
        "Not listed: {n} grants whose holder is the client itself (permissions it received).",
        "Pominięto uprawnienia, których posiadaczem jest sam klient (otrzymane): {n}.",
    ),
    (
        "grants_none_attention",
        "No grant is held by a leaver or an unknown holder.",
        "Żadne uprawnienie nie należy do osoby, która odeszła, ani do nieznanego podmiotu.",
    ),
    ("grant_holder", "Holder", "Posiadacz"),
    ("grant_holder_type", "Identifier", "Identyfikator"),
    ("grant_holder_status", "Who", "Kto"),
    ("grant_scope", "Permission", "Uprawnienie"),
    ("grant_since", "Since", "Od"),
    ("grant_delegable", "May delegate", "Może przekazywać dalej"),
    ("grant_target", "Target", "Dotyczy"),
    ("grant_findings", "Findings", "Ustalenia"),
    ("grant_holder_left", "left the firm", "były pracownik"),
    ("grant_holder_unknown", "unknown", "nieznany"),
    ("grant_holder_staff", "staff", "pracownik"),
    ("grant_holder_known_party", "known party", "znany podmiot"),
    ("grant_holder_own", "the client itself", "sam klient"),
    (
        "kpi_grants_held",
        "Permission grants held by others",
        "Uprawnienia nadane innym",
    ),
    (
        "kpi_grants_leavers",
        "Grants held by people who left",
        "Uprawnienia osób, które odeszły",
    ),
    (
        "kpi_grants_unknown",
        "Grants held by unknown parties",
        "Uprawnienia nieznanych podmiotów",
    ),
    (
        "kpi_grants_findings",
        "Open findings about grants",
        "Otwarte ustalenia dotyczące uprawnień",
    ),
    (
        "score_formula_grants",
        "Permission grants held by others count as active tokens do (a grant is a way in too), and findings about them count in the weighted findings.",
        "Uprawnienia nadane innym liczą się jak aktywne tokeny (uprawnienie też daje dostęp), a ustalenia ich dotyczące wchodzą do ważonych ustaleń.",
    ),
    (
        "urgent_more",
        "… and {n} more of this kind.",
        "… i inne tego rodzaju (liczba: {n}).",
    ),
    (
        "changes_by_rule",
        "New and resolved findings by rule (the full lists are in the appendix)",
        "Nowe i rozwiązane ustalenia według reguł (pełne listy w załączniku)",
    ),
    ("changes_new_col", "New", "Nowe"),
    ("changes_resolved_col", "Resolved", "Rozwiązane"),
    (
        "changes_appendix_title",
        "Appendix: new and resolved findings",
        "Załącznik: nowe i rozwiązane ustalenia",
    ),
    // severities
    ("sev_critical", "critical", "krytyczne"),
    ("sev_high", "high", "wysokie"),
    ("sev_medium", "medium", "średnie"),
    ("sev_low", "low", "niskie"),
    ("sev_info", "info", "informacyjne"),
    ("severity", "Severity", "Istotność"),
    // the same as table column headers (first word capitalised)
    ("col_critical", "Critical", "Krytyczne"),
    ("col_high", "High", "Wysokie"),
    ("col_medium", "Medium", "Średnie"),
    ("col_low", "Low", "Niskie"),
    ("risk_count", "cases", "przypadki"),
    // plain-language titles of the leak groups (policy rule titles live in rules/policy)
    (
        "leak_group_active",
        "Leaked tokens that still work: anyone holding them can issue and read invoices",
        "Wyciekłe tokeny, które nadal działają: każdy, kto je ma, może wystawiać i odczytywać faktury",
    ),
    (
        "leak_group_found",
        "Tokens found in files or code repositories",
        "Tokeny znalezione w plikach lub repozytoriach kodu",
    ),
    // trend and changes
    ("trend_title", "Trend", "Trend"),
    (
        "trend_findings",
        "Open findings by severity",
        "Otwarte ustalenia według istotności",
    ),
    ("trend_score", "Posture score", "Wskaźnik bezpieczeństwa"),
    (
        "trend_no_history",
        "No earlier quarters were given (--previous): the trend starts with this quarter.",
        "Nie podano wcześniejszych kwartałów (--previous): trend zaczyna się od tego kwartału.",
    ),
    ("trend_audited", "NIPs audited", "Zbadane konteksty"),
    (
        "changes_title",
        "New, resolved and persisting findings",
        "Nowe, rozwiązane i utrzymujące się ustalenia",
    ),
    (
        "changes_summary",
        "{new} new, {resolved} resolved, {persisting} persisting; {first} found in clients audited for the first time; {unchecked} not re-checked (client not audited in full this quarter).",
        "nowe: {new}, rozwiązane: {resolved}, utrzymujące się: {persisting}; u klientów badanych po raz pierwszy: {first}; niesprawdzone ponownie (klient niezbadany w całości): {unchecked}.",
    ),
    (
        "changes_no_previous",
        "No previous quarter to compare with.",
        "Brak poprzedniego kwartału do porównania.",
    ),
    ("changes_compared", "Compared with", "Porównanie z"),
    ("changes_new", "New findings", "Nowe ustalenia"),
    (
        "changes_resolved",
        "Resolved findings",
        "Rozwiązane ustalenia",
    ),
    ("quarter_col", "Quarter", "Kwartał"),
    ("score_col", "Score", "Wskaźnik"),
    // clients
    (
        "clients_title",
        "Clients (ten worst first)",
        "Klienci (najpierw dziesięciu najsłabszych)",
    ),
    ("client_first_audit", "first audit", "pierwszy audyt"),
    ("nip", "NIP", "NIP"),
    ("name", "Name", "Nazwa"),
    ("tokens", "Active tokens", "Aktywne tokeny"),
    ("change", "Change", "Zmiana"),
    ("incomplete", "incomplete", "niekompletny"),
    ("status", "Status", "Status"),
    ("crit_short", "Crit.", "Kryt."),
    ("high_short", "High", "Wys."),
    ("med_short", "Med.", "Śr."),
    ("low_short", "Low", "Nisk."),
    (
        "worst_ten",
        "among the ten worst",
        "wśród dziesięciu najsłabszych",
    ),
    // distributions
    (
        "dist_title",
        "Token age and last use",
        "Wiek i ostatnie użycie tokenów",
    ),
    ("dist_age", "Age of active tokens", "Wiek aktywnych tokenów"),
    (
        "dist_use",
        "Last use of active tokens",
        "Ostatnie użycie aktywnych tokenów",
    ),
    ("age_0_90", "under 90 days", "poniżej 90 dni"),
    ("age_90_180", "90–180 days", "90–180 dni"),
    ("age_180_365", "180–365 days", "180–365 dni"),
    ("age_1_2y", "1–2 years", "1–2 lata"),
    ("age_2y", "over 2 years", "ponad 2 lata"),
    ("use_30", "within 30 days", "w ciągu 30 dni"),
    ("use_30_90", "30–90 days ago", "30–90 dni temu"),
    ("use_90_180", "90–180 days ago", "90–180 dni temu"),
    ("use_180", "over 180 days ago", "ponad 180 dni temu"),
    ("use_never", "never used", "nigdy nieużyte"),
    ("never", "never", "nigdy"),
    // inventory
    (
        "recon_title",
        "Inventory reconciliation",
        "Uzgodnienie z ewidencją",
    ),
    (
        "recon_summary",
        "{pct} of active tokens are in the inventory; {untracked} active tokens are not listed; {stale} inventory rows describe tokens that are revoked, failed or unknown to KSeF.",
        "{pct} aktywnych tokenów jest w ewidencji; aktywne tokeny spoza ewidencji: {untracked}; wiersze ewidencji opisujące tokeny unieważnione, błędne lub nieznane KSeF: {stale}.",
    ),
    (
        "recon_untracked",
        "Tokens not in the inventory",
        "Tokeny spoza ewidencji",
    ),
    (
        "recon_stale",
        "Stale inventory rows",
        "Nieaktualne wiersze ewidencji",
    ),
    ("none", "None.", "Brak."),
    // exceptions
    (
        "exc_title",
        "Exceptions register (accepted risks)",
        "Rejestr wyjątków (zaakceptowane ryzyka)",
    ),
    (
        "exc_expiring",
        "Expiring within 30 days",
        "Wygasające w ciągu 30 dni",
    ),
    (
        "exc_expired",
        "Expired: no longer waive anything",
        "Wygasłe: już niczego nie wyłączają",
    ),
    ("exc_all", "All exceptions", "Wszystkie wyjątki"),
    ("exc_rule", "Rule", "Reguła"),
    ("exc_target", "Target", "Dotyczy"),
    ("exc_owner", "Accepted by", "Zaakceptował(a)"),
    ("exc_reason", "Reason", "Uzasadnienie"),
    ("exc_expires", "Until", "Do"),
    ("exc_matched", "Findings", "Ustalenia"),
    ("exc_status_active", "in force", "obowiązuje"),
    ("exc_status_expiring", "expiring", "wygasa"),
    ("exc_status_expired", "expired", "wygasł"),
    ("exc_status_unused", "matches nothing", "nic nie obejmuje"),
    // remediation
    ("plan_title", "Remediation plan", "Plan naprawczy"),
    (
        "plan_intro",
        "Due dates count from the audit date: critical {c} days, high {h}, medium {m}, low {l}.",
        "Terminy liczone od daty audytu: krytyczne {c_pl}, wysokie {h}, średnie {m}, niskie {l}.",
    ),
    ("plan_none", "Nothing to remediate.", "Nic do naprawy."),
    ("plan_issue", "Issue", "Problem"),
    ("plan_owner", "Owner", "Właściciel"),
    ("plan_count", "Count", "Liczba"),
    ("plan_due", "Due", "Termin"),
    (
        "owner_unassigned",
        "unassigned (IT security to assign)",
        "nieprzypisany (przypisze dział bezpieczeństwa IT)",
    ),
    // leaks
    ("leaks_title", "Leaked tokens", "Wycieki tokenów"),
    (
        "leaks_none",
        "No leaked token was found.",
        "Nie znaleziono wycieków tokenów.",
    ),
    (
        "leaks_not_scanned",
        "No leak scan results were given (--leaks).",
        "Nie podano wyników skanowania wycieków (--leaks).",
    ),
    (
        "leaks_scanned",
        "Scanned {root} ({mode}): {files} files, {blobs} git blobs.",
        "Przeskanowano {root} ({mode}): plików: {files}, obiektów git: {blobs}.",
    ),
    ("leak_token", "Token (redacted)", "Token (zamaskowany)"),
    ("leak_where", "Found in", "Znaleziono w"),
    ("leak_still_active", "Still active?", "Nadal aktywny?"),
    (
        "leak_status_active",
        "ACTIVE: revoke now",
        "AKTYWNY: unieważnić natychmiast",
    ),
    ("leak_status_revoked", "revoked", "unieważniony"),
    (
        "leak_status_unknown",
        "not verifiable: no read permission in this context, or not found",
        "nie do sprawdzenia: brak uprawnienia do odczytu w tym kontekście lub nie znaleziono",
    ),
    (
        "leak_status_unknown_ctx",
        "not verifiable: {reason}",
        "nie do sprawdzenia: {reason}",
    ),
    ("leak_status_unverified", "not verified", "niesprawdzony"),
    (
        "leaks_suppressed",
        "Suppressed leak findings",
        "Wyłączone wycieki",
    ),
    (
        "leaks_errors",
        "Could not be scanned",
        "Nie udało się przeskanować",
    ),
    ("suppression", "Suppressed by", "Wyłączone przez"),
    ("supp_baseline", "baseline", "linia bazowa"),
    ("supp_exception", "exception", "wyjątek"),
    ("supp_inline", "inline", "znacznik w pliku"),
    // KSeF token statuses as people read them (an unknown status is shown as it came)
    ("token_status_Active", "Active", "aktywny"),
    ("token_status_Pending", "Pending", "oczekujący"),
    (
        "token_status_Revoking",
        "Revoking",
        "w trakcie unieważniania",
    ),
    ("token_status_Revoked", "Revoked", "unieważniony"),
    ("token_status_Failed", "Failed", "błędny"),
    // appendix
    ("appendix_title", "Appendix", "Załącznik"),
    ("method_title", "Methodology", "Metodyka"),
    (
        "method_1",
        "Every token of every audited client context (NIP) was listed from KSeF with a read-only audit token (permission CredentialsRead), page by page.",
        "Wszystkie tokeny każdego badanego kontekstu klienta (NIP) pobrano z KSeF tokenem audytowym tylko do odczytu (uprawnienie CredentialsRead), strona po stronie.",
    ),
    (
        "method_2",
        "Tokens were joined with the firm's inventory by reference number and with the staff list by owner and author, then judged by the policy rules listed in docs/rules.md.",
        "Tokeny połączono z ewidencją firmy po numerze referencyjnym oraz z listą pracowników po właścicielu i autorze, a następnie oceniono według reguł opisanych w docs/rules.md.",
    ),
    (
        "method_3",
        "Files and git history were scanned for token values; a leaked token's status was checked with KSeF by its reference number, without sending the secret anywhere.",
        "Pliki i historię git przeszukano pod kątem wartości tokenów; status wyciekłego tokena sprawdzono w KSeF po numerze referencyjnym, bez wysyłania sekretu.",
    ),
    (
        "method_4",
        "A client context that could not be read in full is marked incomplete and never counted as clean; its score is not computed.",
        "Kontekst klienta, którego nie udało się odczytać w całości, oznaczono jako niekompletny i nigdy nie uznano za czysty; jego wskaźnik nie jest liczony.",
    ),
    (
        "method_5",
        "Accepted risks come from the exceptions file; each names the rule, target, reason, owner and expiry date. An expired acceptance stops applying.",
        "Akceptacje ryzyka pochodzą z pliku wyjątków; każda wskazuje regułę, cel, uzasadnienie, właściciela i datę wygaśnięcia. Wygasła akceptacja przestaje obowiązywać.",
    ),
    (
        "fetch_title",
        "Client contexts: fetch time",
        "Konteksty klientów: czas pobrania",
    ),
    ("fetched_at", "Fetched at", "Pobrano"),
    ("duration", "Duration", "Czas"),
    ("reason", "Reason", "Przyczyna"),
    ("ctx_complete", "complete", "kompletny"),
    ("ctx_incomplete", "incomplete", "niekompletny"),
    (
        "incomplete_title",
        "Incomplete contexts",
        "Konteksty niekompletne",
    ),
    ("warnings_title", "Warnings", "Ostrzeżenia"),
    ("signoff_title", "Sign-off", "Zatwierdzenie"),
    ("signoff_prepared", "Prepared by", "Przygotował(a)"),
    ("signoff_reviewed", "Reviewed by", "Sprawdził(a)"),
    ("signoff_approved", "Approved by", "Zatwierdził(a)"),
    ("signoff_name", "Name", "Imię i nazwisko"),
    ("signoff_date", "Date", "Data"),
    ("signoff_signature", "Signature", "Podpis"),
    // review report
    ("review_summary", "Summary", "Podsumowanie"),
    ("review_open", "open findings", "otwarte ustalenia"),
    ("review_excepted_count", "excepted", "wyłączone"),
    (
        "by_rule_title",
        "Findings by rule",
        "Ustalenia według reguł",
    ),
    (
        "by_context_title",
        "Findings by client context",
        "Ustalenia według kontekstów klientów",
    ),
    (
        "excepted_title",
        "Excepted findings (accepted risks)",
        "Ustalenia wyłączone (zaakceptowane ryzyka)",
    ),
    ("rule", "Rule", "Reguła"),
    ("rule_docs", "docs", "opis"),
    ("contexts_col", "Contexts", "Konteksty"),
    ("count", "Count", "Liczba"),
    ("reference", "Reference", "Numer referencyjny"),
    ("owner", "Owner", "Właściciel"),
    ("evidence", "Evidence", "Dowód"),
    ("remediation", "Remediation", "Zalecenie"),
    ("due", "Due", "Termin"),
    (
        "no_findings",
        "No open findings.",
        "Brak otwartych ustaleń.",
    ),
    (
        "tokens_inventory",
        "Tokens and inventory",
        "Tokeny i ewidencja",
    ),
    ("description", "Description", "Opis"),
    ("permissions", "Permissions", "Uprawnienia"),
    ("author", "Author", "Autor"),
    ("system", "System", "System"),
    ("created", "Created", "Utworzono"),
    ("last_use", "Last use", "Ostatnie użycie"),
    ("planned_expiry", "Planned expiry", "Planowane wygaśnięcie"),
    ("in_inventory", "In inventory", "W ewidencji"),
    ("yes", "yes", "tak"),
    ("no", "no", "nie"),
    (
        "audit_missing",
        "No audit results were given (--audit): only leak findings are shown.",
        "Nie podano wyników audytu (--audit): pokazano tylko wycieki.",
    ),
    ("page_footer", "ksef-audit report", "raport ksef-audit"),
];

/// The translation of `key`, if the table has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    TABLE
        .iter()
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

/// The whole table for one language, for the templates (`t.key`).
pub fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    TABLE
        .iter()
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
        assert_eq!(Lang::En.t("complete", "kompletny"), "complete");
    }

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, en, pl) in TABLE {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !en.is_empty() && !pl.is_empty(),
                "empty translation for {k}"
            );
        }
    }
}
