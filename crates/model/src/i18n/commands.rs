//! What `revoke`, `init`, `simulate` and `demo` say to a person, in English and Polish: one
//! entry per message, `{name}` holes for what the command fills in (paths, counts, NIPs, rule
//! names), never translated. `help:` lines come out with the prefix of the language
//! (`wskazówka:`). Counts are written `noun: N` in Polish, so no plural form is needed.

use crate::i18n::Lang;

/// `(key, English, Polish)`.
const MESSAGES: &[(&str, &str, &str)] = &[
    // revoke: the plan, the dry run, the results
    (
        "revoke_would_tokens",
        "would revoke {n} token(s):",
        "tokeny do unieważnienia ({n}):",
    ),
    (
        "revoke_found_in",
        "(found in {place})",
        "(znaleziony w: {place})",
    ),
    (
        "revoke_dry_run_tokens",
        "dry run: nothing was revoked; run again with --yes to revoke them",
        "próba bez zmian: niczego nie unieważniono; uruchom ponownie z --yes, aby je unieważnić",
    ),
    (
        "revoke_nothing_tokens",
        "nothing to revoke: no finding in '{file}' has status active\nhelp: statuses come from `ksef-audit leaks --verify`",
        "nie ma czego unieważnić: żadne ustalenie w '{file}' nie jest aktywnym tokenem\nhelp: stan tokenów sprawdza `ksef-audit leaks --verify`",
    ),
    (
        "revoke_outside_tokens",
        "{n} token(s) outside --nip {nips} left alone",
        "pominięte tokeny spoza --nip {nips}: {n}",
    ),
    (
        "revoke_outside_grants",
        "{n} grant(s) outside --nip {nips} left alone",
        "pominięte uprawnienia spoza --nip {nips}: {n}",
    ),
    (
        "revoke_nothing_grants",
        "nothing to revoke: no open finding of {rules} in '{file}' is about a permission grant\nhelp: grant findings come from `ksef-audit audit --format json` with a credential that may read grants; --rule RULE picks other grant rules",
        "nie ma czego odebrać: żadne otwarte ustalenie reguł {rules} w '{file}' nie dotyczy uprawnienia\nhelp: ustalenia o uprawnieniach daje `ksef-audit audit --format json` z danymi logowania, które mogą odczytać uprawnienia; --rule REGUŁA wybiera inne reguły",
    ),
    (
        "revoke_would_grants",
        "would revoke {n} grant(s) found by {rules}:",
        "uprawnienia do odebrania według reguł {rules} ({n}):",
    ),
    (
        "revoke_dry_run_grants",
        "dry run: nothing was revoked; run again with --yes to revoke them (each grant is re-read in KSeF and its rule evaluated again first; holder names come from KSeF then)",
        "próba bez zmian: niczego nie odebrano; uruchom ponownie z --yes, aby je odebrać (każde uprawnienie zostanie najpierw odczytane ponownie w KSeF, a jego reguła oceniona jeszcze raz; nazwy posiadaczy poda wtedy KSeF)",
    ),
    (
        "revoke_will",
        "will revoke {plan}:",
        "do odebrania: {plan}:",
    ),
    (
        "revoke_refused",
        "REFUSED  {nip}  {key}: {reason}",
        "ODMOWA  {nip}  {key}: {reason}",
    ),
    (
        "revoke_done_tokens",
        "revoked  {nip}  {key}{more}",
        "unieważniono  {nip}  {key}{more}",
    ),
    (
        "revoke_done_grants",
        "revoked  {nip}  {key}{more}",
        "odebrano  {nip}  {key}{more}",
    ),
    (
        "revoke_failed",
        "FAILED   {nip}  {key}: {reason}",
        "NIEUDANE  {nip}  {key}: {reason}",
    ),
    (
        "revoke_operation",
        "  (KSeF operation {op})",
        "  (operacja KSeF {op})",
    ),
    (
        "revoke_totals_tokens",
        "{done} revoked, {failed} failed ({note})",
        "unieważnione: {done}, nieudane: {failed} ({note})",
    ),
    (
        "revoke_totals_grants",
        "{done} revoked, {failed} failed ({note})",
        "odebrane: {done}, nieudane: {failed} ({note})",
    ),
    (
        "revoke_refused_total",
        "{n} refused (listed above as REFUSED)",
        "odmowy: {n} (wymienione wyżej jako ODMOWA)",
    ),
    (
        "revoke_note_tokens",
        "KSeF moves them Active -> Revoking -> Revoked; live access tokens last until they expire",
        "KSeF unieważnia je w kilku krokach; wydane już tokeny dostępu działają do swojego wygaśnięcia",
    ),
    (
        "revoke_note_grants",
        "KSeF removes a grant asynchronously; `ksef-audit permissions` shows what is left",
        "KSeF odbiera uprawnienia z opóźnieniem; `ksef-audit permissions` pokaże, co zostało",
    ),
    (
        "revoke_checking",
        "checking and revoking {n} token(s) in KSeF",
        "sprawdzanie i unieważnianie tokenów w KSeF ({n})",
    ),
    // the plan and its confirmation
    (
        "plan_grants",
        "{n} grant(s) in {c} context(s)",
        "uprawnienia: {n}, kontekstów: {c}",
    ),
    (
        "plan_tokens",
        "{n} token(s) in {c} context(s)",
        "tokeny: {n}, kontekstów: {c}",
    ),
    ("plan_and", " and ", "; "),
    (
        "plan_revoke",
        "revoke {summary}",
        "odebrać dostęp ({summary})",
    ),
    (
        "plan_person",
        "revoke {t} token(s) and remove {g} grant(s) in {c} context(s) of {person}",
        "odebrać dostęp osobie {person} (tokeny: {t}, uprawnienia: {g}, kontekstów: {c})",
    ),
    (
        "confirm_question",
        "{phrase}? type yes to go on: ",
        "{phrase}? wpisz tak, aby kontynuować: ",
    ),
    (
        "confirm_no_terminal",
        "refusing to {phrase} without a terminal to confirm on: standard input is not a terminal\nhelp: add --max-actions N (the most removals this run may make) to use --yes in scripts and CI",
        "odmowa: {phrase} wymaga potwierdzenia w terminalu, a wejście standardowe nie jest terminalem\nhelp: dodaj --max-actions N (najwięcej zmian w tym uruchomieniu), aby używać --yes w skryptach i CI",
    ),
    (
        "confirm_over_max",
        "refusing to {phrase}: that is {n} action(s), more than --max-actions {max}; nothing was revoked",
        "odmowa: {phrase} to zmian: {n}, więcej niż --max-actions {max}; niczego nie odebrano",
    ),
    (
        "confirm_over_max_help",
        "help: check the plan with a dry run (without --yes), narrow it with --nip, or raise --max-actions",
        "help: sprawdź plan bez --yes, zawęź go opcją --nip albo zwiększ --max-actions",
    ),
    (
        "confirm_not_confirmed",
        "not confirmed: nothing was revoked",
        "nie potwierdzono: niczego nie odebrano",
    ),
    (
        "offboard_about",
        "offboard: about to {phrase}:",
        "offboard: zamierzam {phrase}:",
    ),
    (
        "offboard_plan_token",
        "  token  {nip}  {key}",
        "  token  {nip}  {key}",
    ),
    (
        "offboard_plan_grant",
        "  grant  {nip}  {key}  {permission}",
        "  uprawnienie  {nip}  {key}  {permission}",
    ),
    // init
    ("init_wrote", "wrote {path}", "zapisano {path}"),
    (
        "init_wrote_inventory",
        "wrote {path} ({tokens}; fill in the owner, system and planned expiry of each)",
        "zapisano {path} ({tokens}; uzupełnij dla każdego właściciela, system i planowaną datę wygaśnięcia)",
    ),
    (
        "init_no_inventory",
        "no inventory written: `ksef-audit init --from tokens.json` (a saved `tokens --format json`) or `--live` starts one",
        "nie zapisano ewidencji: zacznie ją `ksef-audit init --from tokens.json` (zapisany wynik `tokens --format json`) albo `--live`",
    ),
    (
        "init_next",
        "next: edit {path}, run `ksef-audit doctor`, then `ksef-audit audit`",
        "dalej: uzupełnij {path}, uruchom `ksef-audit doctor`, potem `ksef-audit audit`",
    ),
    (
        "init_exists",
        "'{path}' already exists; nothing was written\nhelp: run with --force to overwrite it, or --dir DIR to start elsewhere",
        "'{path}' już istnieje; niczego nie zapisano\nhelp: uruchom z --force, aby go nadpisać, albo z --dir KATALOG, aby zacząć gdzie indziej",
    ),
    // simulate
    (
        "sim_listening",
        "KSeF simulator listening on {url}",
        "symulator KSeF działa pod adresem {url}",
    ),
    (
        "sim_root",
        "  (also served at the root: {url})",
        "  (także pod adresem głównym: {url})",
    ),
    (
        "sim_fixture",
        "fixture: {source}, {n} contexts, {t} tokens",
        "dane: {source}, kontekstów: {n}, tokenów: {t}",
    ),
    (
        "sim_written",
        "auditor tokens of {n} contexts written to {dir}/<nip>.token (mode 0600)",
        "tokeny audytowe kontekstów ({n}) zapisano w {dir}/<nip>.token (tryb 0600)",
    ),
    (
        "sim_point",
        "point the tool at it:",
        "jak wskazać go narzędziu:",
    ),
    (
        "sim_token_in",
        "   (token in KSEF_TOKEN_{nip})",
        "   (token w KSEF_TOKEN_{nip})",
    ),
    (
        "sim_write_tokens",
        "  (use --write-tokens DIR to get the auditor tokens of the fixture as files)",
        "  (--write-tokens KATALOG zapisze tokeny audytowe do plików)",
    ),
    (
        "sim_stop",
        "press Ctrl-C to stop",
        "Ctrl-C zatrzymuje symulator",
    ),
    // demo
    (
        "demo_started",
        "demo: KSeF simulator with the example firm ({n} client NIPs) at {url}",
        "demo: symulator KSeF z przykładową firmą (klientów: {n}) pod adresem {url}",
    ),
    (
        "demo_title",
        "ksef-audit demo: example firm, {n} client contexts",
        "ksef-audit demo: przykładowa firma, kontekstów klientów: {n}",
    ),
    ("demo_act_now", "act now:", "do zrobienia od razu:"),
    (
        "demo_incomplete",
        "(the example firm has an incomplete context on purpose: a real run would exit 2 here)",
        "(przykładowa firma celowo ma niekompletny kontekst: prawdziwe uruchomienie zakończyłoby się tu kodem 2)",
    ),
    (
        "demo_audit",
        "audit: {n} findings ({by}), {excepted} excepted, {rules} of the policy rules found something",
        "audyt: ustalenia: {n} ({by}), objęte wyjątkami: {excepted}, reguły z ustaleniami: {rules}",
    ),
    (
        "demo_leaks",
        "leaks: {n} findings of {t} distinct tokens in the example repository's history ({active} still active in KSeF), {suppressed} suppressed",
        "wycieki: ustalenia: {n}, różnych tokenów: {t} w historii przykładowego repozytorium (nadal aktywne w KSeF: {active}), wyciszone: {suppressed}",
    ),
    (
        "demo_outputs",
        "outputs in {dir}:",
        "wyniki w katalogu {dir}:",
    ),
    ("demo_next", "\nnext, try:", "\nco dalej:"),
    // the demo's outputs, as listed at its end
    (
        "demo_out_snapshot",
        "token snapshot (JSON)",
        "lista tokenów (JSON)",
    ),
    ("demo_out_tokens", "token table", "tabela tokenów"),
    (
        "demo_out_inventory",
        "token inventory (CSV)",
        "ewidencja tokenów (CSV)",
    ),
    (
        "demo_out_staff",
        "staff list (CSV)",
        "lista pracowników (CSV)",
    ),
    ("demo_out_exceptions", "exceptions", "wyjątki"),
    (
        "demo_out_audit_json",
        "audit results (JSON)",
        "wyniki audytu (JSON)",
    ),
    (
        "demo_out_audit_text",
        "audit results (text)",
        "wyniki audytu (tekst)",
    ),
    (
        "demo_out_config",
        "config naming the inventory, staff list, exceptions and each context's credential (found from that directory)",
        "konfiguracja wskazująca ewidencję, listę pracowników, wyjątki i dane logowania każdego kontekstu (znajdowana z tego katalogu)",
    ),
    (
        "demo_out_doctor",
        "`ksef-audit doctor` on that config",
        "wynik `ksef-audit doctor` dla tej konfiguracji",
    ),
    (
        "demo_out_certificates",
        "KSeF certificates with findings (table)",
        "certyfikaty KSeF z ustaleniami (tabela)",
    ),
    (
        "demo_out_offboard_text",
        "offboarding plan for a leaver (text)",
        "plan odebrania dostępu osobie, która odeszła (tekst)",
    ),
    (
        "demo_out_offboard_json",
        "offboarding record (JSON)",
        "zapis odebrania dostępu (JSON)",
    ),
    (
        "demo_out_offboard_html",
        "offboarding record (HTML, for the compliance file)",
        "zapis odebrania dostępu (HTML, do dokumentacji zgodności)",
    ),
    (
        "demo_out_repo",
        "example git repository with leaked tokens (scan it: `ksef-audit leaks --git DIR`)",
        "przykładowe repozytorium git z wyciekłymi tokenami (do przeskanowania: `ksef-audit leaks --git KATALOG`)",
    ),
    (
        "demo_out_leaks_worktree",
        "leaks in the example working tree (text)",
        "wycieki w katalogu roboczym przykładu (tekst)",
    ),
    (
        "demo_out_leaks_text",
        "leaks in the example history (text)",
        "wycieki w historii przykładu (tekst)",
    ),
    (
        "demo_out_leaks_json",
        "leaks in the example history (JSON)",
        "wycieki w historii przykładu (JSON)",
    ),
    (
        "demo_out_leaks_sarif",
        "leaks in the example history (SARIF)",
        "wycieki w historii przykładu (SARIF)",
    ),
    (
        "demo_out_quarter",
        "an earlier quarter's audit results (JSON, for `report --previous`)",
        "wyniki audytu z wcześniejszego kwartału (JSON, dla `report --previous`)",
    ),
    (
        "demo_out_review",
        "security review (HTML)",
        "przegląd bezpieczeństwa (HTML)",
    ),
    (
        "demo_out_quarterly",
        "quarterly report (HTML)",
        "raport kwartalny (HTML)",
    ),
    (
        "demo_out_quarterly_pl",
        "quarterly report, Polish (HTML)",
        "raport kwartalny po polsku (HTML)",
    ),
    // the demo's next steps: what each command does
    (
        "demo_next_audit",
        "reads the ksef-audit.toml the demo wrote",
        "czyta ksef-audit.toml zapisany przez demo",
    ),
    (
        "demo_next_doctor",
        "checks that config: each context's token file or certificate",
        "sprawdza tę konfigurację: plik tokena albo certyfikat każdego kontekstu",
    ),
    (
        "demo_next_baseline",
        "an annotated, reviewable baseline",
        "linia bazowa z opisami, do przejrzenia",
    ),
    (
        "demo_next_excel",
        "for Excel, in Polish",
        "dla Excela, po polsku",
    ),
];

/// `3 active tokens` / `3 aktywne tokeny`, for `init_wrote_inventory`.
pub fn active_tokens(lang: Lang, n: u64) -> String {
    lang.count(
        n,
        ("active token", "active tokens"),
        ("aktywny token", "aktywne tokeny", "aktywnych tokenów"),
    )
}

/// The message `key` in `lang` with its `{name}` holes filled from `args` and its `help:`
/// prefixes in `lang`.
pub fn text(lang: Lang, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let Some((_, en, pl)) = MESSAGES.iter().find(|(k, _, _)| *k == key) else {
        debug_assert!(false, "missing command message '{key}'");
        return String::from("?");
    };
    let filled = args
        .iter()
        .fold(lang.t(en, pl).to_string(), |s, (name, value)| {
            s.replace(&format!("{{{name}}}"), &value.to_string())
        });
    crate::i18n::stderr::prefixed(lang, &filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_unique_and_have_the_same_holes_in_both_languages() {
        let holes = |s: &str| -> std::collections::BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string()))
                .collect()
        };
        let mut seen = std::collections::BTreeSet::new();
        for (k, en, pl) in MESSAGES {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert_eq!(holes(en), holes(pl), "{k}");
        }
    }

    #[test]
    fn values_are_filled_in_and_help_lines_follow_the_language() {
        let file = "leaks.json";
        assert_eq!(
            text(Lang::Pl, "revoke_nothing_tokens", &[("file", &file)]),
            "nie ma czego unieważnić: żadne ustalenie w 'leaks.json' nie jest aktywnym tokenem\nwskazówka: stan tokenów sprawdza `ksef-audit leaks --verify`"
        );
        assert_eq!(
            text(Lang::En, "revoke_would_tokens", &[("n", &3)]),
            "would revoke 3 token(s):"
        );
    }
}
