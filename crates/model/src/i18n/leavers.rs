//! The labels of the quarterly report's "People who left" section, `(key, English, Polish)`:
//! part of the one label table ([`super::entries`]).

/// `(key, English, Polish)`.
pub(super) const LEAVERS: &[(&str, &str, &str)] = &[
    ("leavers_title", "People who left", "Osoby, które odeszły"),
    (
        "leavers_intro",
        "Each person who left and still has access in this audit, or whose offboarding record is kept, with their newest record: what was found and done, and when access is certainly gone.",
        "Każda osoba, która odeszła i nadal ma dostęp w tym audycie albo ma zachowany zapis odebrania dostępu, z najnowszym zapisem: co znaleziono i zrobiono oraz kiedy dostęp na pewno wygasa.",
    ),
    (
        "leavers_no_records_given",
        "No offboarding records were given to this report, so none are linked.",
        "Do raportu nie dołączono zapisów odebrania dostępu, więc nie są podlinkowane.",
    ),
    ("leavers_person", "Person", "Osoba"),
    ("leavers_left", "What is left", "Co pozostało"),
    (
        "leavers_record",
        "Offboarding record",
        "Zapis odebrania dostępu",
    ),
    (
        "leavers_no_record",
        "no offboarding record",
        "brak zapisu odebrania dostępu",
    ),
    (
        "leavers_nothing_left",
        "nothing in this audit",
        "nic w tym audycie",
    ),
    (
        "leavers_counts",
        "client contexts: {contexts}; permission grants: {grants}, tokens: {tokens}, KSeF certificates: {certificates}",
        "konteksty klientów: {contexts}; uprawnienia: {grants}, tokeny: {tokens}, certyfikaty KSeF: {certificates}",
    ),
    ("leavers_mode_plan", "dry run", "próba (bez zmian)"),
    (
        "leavers_mode_done",
        "carried out (--yes)",
        "wykonano (--yes)",
    ),
    (
        "leavers_gone",
        "access certainly gone on {date}",
        "dostęp na pewno wygasa {date}",
    ),
    (
        "leavers_more",
        "and {n} more people",
        "oraz kolejne osoby: {n}",
    ),
];
