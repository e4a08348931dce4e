//! The labels of the security review's items (one rule in one client, one person who left,
//! the starter inventory), `(key, English, Polish)`: part of the one label table
//! ([`super::entries`]).

/// `(key, English, Polish)`.
pub(super) const REVIEW_ITEMS: &[(&str, &str, &str)] = &[
    (
        "item_count",
        "findings in this client: {n}",
        "ustalenia u tego klienta: {n}",
    ),
    ("item_common", "All of them", "Wspólne dla wszystkich"),
    ("item_facts", "Facts", "Fakty"),
    (
        "item_earliest_due",
        "Earliest due",
        "Najwcześniejszy termin",
    ),
    (
        "tokens_listed",
        "Listed: every token with a finding and every token that is not Revoked or Failed.",
        "Wymienione: każdy token z ustaleniem i każdy token, który nie jest unieważniony ani błędny.",
    ),
    (
        "tokens_not_listed",
        "Revoked or Failed tokens without findings, not listed here (they are in the audit results): {n}.",
        "Tokeny unieważnione lub błędne bez ustaleń, niewymienione tutaj (są w wynikach audytu): {n}.",
    ),
];
