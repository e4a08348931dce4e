//! `ksef-audit init`'s starter inventory: one row per Active token of a token snapshot, with
//! the Polish column headers `audit --inventory` reads (see `collect::inventory`), in the
//! Excel layout (`;`, a UTF-8 BOM) a Polish office opens it in. What KSeF knows is filled in
//! (NIP, reference number, name, environment, permissions); what only the firm knows
//! (owner, system, planned expiry) is left blank for people to fill in.

use std::io::{self, Write};

use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use ksef_model::Permission;
use ksef_model::TokenSnapshot;
use ksef_model::TokenStatus;
use ksef_policy::rule::builtins::personal_data;

/// Column headers of the starter inventory, in order (each one is an alias the inventory
/// reader accepts: `nip`, `reference_number`, `name`, `system`, `environment`, `owner`,
/// `permissions`, `expires`, `notes`).
pub const STARTER_HEADERS: [&str; 9] = [
    "NIP",
    "Numer referencyjny",
    "Nazwa tokena",
    "Aplikacja",
    "Środowisko",
    "Właściciel",
    "Uprawnienia",
    "Data wygaśnięcia",
    "Uwagi",
];

/// Writes the starter inventory of `snapshot`; returns the number of token rows.
pub fn write_starter_inventory(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<usize> {
    let mut out = CsvWriter::new(w, CsvOptions::machine(true, ksef_model::i18n::Lang::Pl))?;
    out.row(STARTER_HEADERS)?;
    let listed = snapshot.fetched_at.format("%Y-%m-%d");
    let mut rows = 0;
    for ctx in &snapshot.contexts {
        // The inventory records KSeF's own environments (and the demo's `simulator`); another
        // label (a proxy, a custom URL) stays blank.
        let label = ctx.environment.to_ascii_lowercase();
        let environment = if matches!(label.as_str(), "prod" | "demo" | "test" | "simulator") {
            label
        } else {
            String::new()
        };
        for t in ctx
            .tokens
            .iter()
            .filter(|t| t.status == TokenStatus::Active)
        {
            let (known, unknown): (Vec<&Permission>, Vec<&Permission>) = t
                .requested_permissions
                .iter()
                .partition(|p| Permission::parse_known(p.as_str()).is_some());
            // A description holding personal data is not copied into a file people share.
            let name = if personal_data(&t.description, true, true, true).is_empty() {
                t.description.clone()
            } else {
                String::new()
            };
            let mut notes = format!("z listy KSeF z {listed}");
            if !unknown.is_empty() {
                let names: Vec<&str> = unknown.iter().map(|p| p.as_str()).collect();
                notes.push_str(&format!("; nieznane uprawnienia: {}", names.join(", ")));
            }
            let permissions: Vec<&str> = known.iter().map(|p| p.as_str()).collect();
            out.row([
                ctx.nip.as_str(),
                t.reference_number.as_str(),
                name.as_str(),
                "",
                environment.as_str(),
                "",
                permissions.join(", ").as_str(),
                "",
                notes.as_str(),
            ])?;
            rows += 1;
        }
    }
    out.finish()?;
    Ok(rows)
}
