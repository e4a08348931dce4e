//! The token inventory CSV: the firm's own list of which tokens should exist.
//!
//! Columns are matched by header name (case- and space-insensitive, English and
//! Polish aliases, any order; unknown columns are kept). Every problem is collected
//! with its row and column, then the load fails once. A cell holding a KSeF token
//! value is never kept: the cell is replaced by a redacted preview and reported as a
//! [`SecretCell`] (the `secret-in-inventory` rule turns it into a critical finding).

mod row;

use std::collections::BTreeSet;
use std::path::Path;

use crate::inputs::table::CellProblem;
use crate::inputs::table::InventoryError;
use crate::inputs::table::Table;
use crate::inputs::table::parse_table;
use ksef_leaks::matcher::find_tokens;
use ksef_model::Inventory;
use ksef_model::InventoryEntry;
use ksef_model::SecretCell;

/// Canonical inventory columns and the (normalised) headers accepted for each.
pub const INVENTORY_COLUMNS: &[(&str, &[&str])] = &[
    (
        "nip",
        &[
            "entity",
            "entitynip",
            "clientnip",
            "nipklienta",
            "context",
            "kontekst",
            "podmiot",
        ],
    ),
    (
        "reference_number",
        &[
            "reference",
            "ref",
            "referencenumber",
            "tokenreference",
            "tokenref",
            "numerreferencyjny",
            "numertokena",
            "sygnatura",
        ],
    ),
    ("name", &["tokenname", "nazwatokena", "nazwa", "label"]),
    (
        "system",
        &[
            "software",
            "application",
            "app",
            "aplikacja",
            "oprogramowanie",
        ],
    ),
    ("environment", &["env", "środowisko", "srodowisko"]),
    (
        "owner",
        &[
            "responsibleperson",
            "responsible",
            "właściciel",
            "wlasciciel",
            "odpowiedzialny",
            "osobaodpowiedzialna",
        ],
    ),
    (
        "permissions",
        &[
            "approvedpermissions",
            "scope",
            "uprawnienia",
            "zatwierdzoneuprawnienia",
        ],
    ),
    (
        "expires",
        &[
            "expirydate",
            "expiry",
            "expires_on",
            "expireson",
            "plannedexpiry",
            "rotationdate",
            "validuntil",
            "datawygaśnięcia",
            "datawygasniecia",
            "ważnydo",
            "waznydo",
        ],
    ),
    (
        "notes",
        &["note", "comments", "comment", "uwagi", "notatki"],
    ),
    (
        "certificate_serial",
        &[
            "certificateserial",
            "certificateserialnumber",
            "certserial",
            "serialnumber",
            "numerseryjny",
            "numerseryjnycertyfikatu",
            "numercertyfikatu",
        ],
    ),
];

const REQUIRED: &[&str] = &["nip", "reference_number"];
/// With a `certificate_serial` column a row names a token, a certificate or both, so the
/// reference column may be left out.
const REQUIRED_WITH_CERTIFICATES: &[&str] = &["nip"];

/// The header row names a `certificate_serial` column.
fn names_certificate_column(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text));
    let Some(first) = text.lines().next() else {
        return false;
    };
    let delimiter = char::from(crate::inputs::table::detect_delimiter(&text));
    let aliases = INVENTORY_COLUMNS
        .iter()
        .find(|(c, _)| *c == "certificate_serial")
        .map(|(_, a)| *a)
        .unwrap_or_default();
    first.split(delimiter).any(|h| {
        let norm = crate::inputs::table::normalize_header(h.trim().trim_matches('"'));
        norm == crate::inputs::table::normalize_header("certificate_serial")
            || aliases.contains(&norm.as_str())
    })
}

/// A KSeF certificate serial number as the inventory writes it: hex digits, any case,
/// spaces or colons allowed; kept uppercase without separators.
pub fn normalize_serial(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | '-'))
        .collect::<String>()
        .to_uppercase();
    (!s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_hexdigit())).then_some(s)
}

/// Loads the inventory (interface for other commands).
pub fn load_inventory(path: &Path) -> Result<Vec<InventoryEntry>, InventoryError> {
    read_inventory(path).map(|i| i.entries)
}

/// Loads the inventory with its secret cells, columns and digest.
pub fn read_inventory(path: &Path) -> Result<Inventory, InventoryError> {
    let bytes = ksef_model::input::read_limited(path, ksef_model::input::MAX_TABLE_BYTES).map_err(
        |source| InventoryError::Read {
            kind: "inventory",
            path: path.to_path_buf(),
            source,
        },
    )?;
    parse_inventory(path, &bytes)
}

/// Replaces every token value in the row's cells by its redacted preview (a whole token pasted
/// as the reference keeps its reference part as the join key) and records each as a
/// [`SecretCell`].
fn redact_secret_cells(
    table: &Table,
    row: usize,
    cells: &mut [String],
    secrets: &mut Vec<SecretCell>,
) {
    let raw_nip = table.cell(cells, "nip").unwrap_or("").to_string();
    for (i, cell) in cells.iter_mut().enumerate() {
        let found = find_tokens(cell);
        if found.is_empty() {
            continue;
        }
        let mut redacted = cell.clone();
        for m in &found {
            let value = m.secret.expose();
            let encoded = value.replace('|', "%7C");
            if redacted.contains(value) {
                redacted = redacted.replace(value, &m.redacted);
            } else if redacted.contains(&encoded) {
                redacted = redacted.replace(&encoded, &m.redacted);
            } else {
                // Encoded some other way: keep nothing of the cell.
                redacted = m.redacted.clone();
            }
            secrets.push(SecretCell {
                row,
                column: table.column_label(i),
                nip: raw_nip.clone(),
                reference_number: m.reference_number.clone(),
                fingerprint: m.fingerprint.clone(),
                preview: m.redacted.clone(),
            });
        }
        // A whole token pasted as the reference: keep its reference part as the join key.
        if Some(i) == table.columns.get("reference_number").copied()
            && let [only] = found.as_slice()
            && let Some(reference) = &only.reference_number
        {
            redacted = reference.clone();
        }
        *cell = redacted;
    }
}

/// Parses inventory bytes. `path` is only used in messages.
pub fn parse_inventory(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let mut problems = Vec::new();
    let invalid = |problems| InventoryError::Invalid {
        kind: "inventory",
        path: path.to_path_buf(),
        problems,
    };
    let required = if names_certificate_column(bytes) {
        REQUIRED_WITH_CERTIFICATES
    } else {
        REQUIRED
    };
    let Some(table) = parse_table(bytes, INVENTORY_COLUMNS, required, &mut problems) else {
        return Err(invalid(problems));
    };
    let known: BTreeSet<usize> = table.columns.values().copied().collect();
    let mut entries = Vec::new();
    let mut secrets = Vec::new();
    let mut seen = row::Seen::default();
    let mut certificate_entries = Vec::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let mut cells = cells.clone();
        // Secrets first: redact the cell before anything else reads it.
        redact_secret_cells(&table, row, &mut cells, &mut secrets);
        let mut problem = |column: &str, message: String| {
            problems.push(CellProblem {
                row: Some(row),
                column: table.label_of(column),
                message,
            });
        };
        let (entry, certificate_only) =
            row::parse_row(&table, row, &cells, &known, &mut seen, &mut problem);
        if entry.certificate_serial.is_some() {
            certificate_entries.push(entry.clone());
        }
        if !certificate_only {
            entries.push(entry);
        }
    }
    check_extra_headers(&table, &mut problems);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(Inventory {
        entries,
        certificate_entries,
        secrets,
        columns: table.columns.keys().map(|c| (*c).to_string()).collect(),
        digest: ksef_model::fingerprint_hex(bytes),
    })
}

fn check_extra_headers(table: &Table, problems: &mut Vec<CellProblem>) {
    let mut seen = BTreeSet::new();
    for (i, h) in table.headers.iter().enumerate() {
        if table.columns.values().any(|c| *c == i) || h.is_empty() {
            continue;
        }
        if !seen.insert(h.to_lowercase()) {
            problems.push(CellProblem {
                row: Some(1),
                column: Some(table.column_label(i)),
                message: format!("column '{h}' appears twice"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::Permission;

    fn parse(text: &str) -> Result<Inventory, InventoryError> {
        parse_inventory(Path::new("inv.csv"), text.as_bytes())
    }

    const REF1: &str = "20251010-EC-1DCE3E3000-12ECB5B36E-45";
    const REF2: &str = "20250301-EC-0A0B0C0D0E-0102030405-77";

    #[test]
    fn polish_headers_semicolons_bom_and_dates() {
        let text = format!(
            "\u{feff}NIP;Numer referencyjny;Nazwa tokena;Właściciel;Data wygaśnięcia;Uprawnienia;Środowisko;Dział\n\
             526-587-76-35;{REF1};Faktury;jan@firma.pl;31.12.2026;InvoiceRead, invoicewrite;PROD;Księgowość\n"
        );
        let inv = parse(&text).expect("valid");
        let e = &inv.entries[0];
        assert_eq!(e.row, 2);
        assert_eq!(e.nip, "5265877635");
        assert_eq!(e.owner.as_deref(), Some("jan@firma.pl"));
        assert_eq!(e.expires, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(
            e.permissions,
            vec![Permission::InvoiceRead, Permission::InvoiceWrite]
        );
        assert_eq!(e.environment.as_deref(), Some("prod"));
        assert_eq!(e.extra.get("Dział").map(String::as_str), Some("Księgowość"));
    }

    #[test]
    fn english_spreadsheet_headers_in_any_order() {
        let text = format!(
            "Expiry date,Responsible person,Token name,Entity,Reference\n2026-01-31,Anna,ERP,5265877635,{REF1}\n"
        );
        let inv = parse(&text).expect("valid");
        assert_eq!(inv.entries[0].owner.as_deref(), Some("Anna"));
        assert_eq!(inv.entries[0].name.as_deref(), Some("ERP"));
    }

    #[test]
    fn every_problem_is_reported_with_row_and_column() {
        let text = format!(
            "nip,reference_number,permissions,expires\n\
             5265877635,{REF1},InvoiceRead,2026-02-30\n\
             1234567890,{REF2},InvoiceRaed,2026-01-01\n\
             5265877635,{REF1},,\n"
        );
        let err = parse(&text).expect_err("invalid");
        let msg = err.to_string();
        assert_eq!(err.problems().len(), 4, "{msg}");
        assert!(
            msg.contains("row 2, column D ('expires'): bad date '2026-02-30'"),
            "{msg}"
        );
        assert!(
            msg.contains("row 3, column A ('nip'): bad NIP '1234567890'"),
            "{msg}"
        );
        assert!(
            msg.contains("row 3, column C ('permissions'): unknown permission 'InvoiceRaed'"),
            "{msg}"
        );
        assert!(
            msg.contains("row 4, column B ('reference_number'): reference number")
                && msg.contains("listed twice (first in row 2)"),
            "{msg}"
        );
        assert!(msg.contains("inventory 'inv.csv'"), "{msg}");
    }

    #[test]
    fn missing_required_column_is_named() {
        let err = parse("nip,owner\n5265877635,x\n").expect_err("no reference column");
        let msg = err.to_string();
        assert!(
            msg.contains("row 1: missing required column 'reference_number'"),
            "{msg}"
        );
    }

    #[test]
    fn certificate_rows_need_no_reference_and_join_by_serial() {
        let text = format!(
            "nip,reference_number,certificate_serial,owner\n\
             5265877635,{REF1},,anna@x.pl\n\
             5265877635,,01:82:09:16:0c:63:1f:1e,jan@x.pl\n\
             5265877635,{REF2},0AB1,ola@x.pl\n"
        );
        let inv = parse(&text).expect("valid");
        assert_eq!(inv.entries.len(), 2, "token rows: the first and the third");
        assert_eq!(inv.certificate_entries.len(), 2);
        assert_eq!(
            inv.certificate_entries[0].certificate_serial.as_deref(),
            Some("018209160C631F1E")
        );
        assert_eq!(inv.certificate_entries[0].row, 3);
        assert_eq!(inv.entries[1].certificate_serial.as_deref(), Some("0AB1"));
        // Without a reference column, a certificate inventory is complete.
        let only = parse("NIP;Numer seryjny certyfikatu;Właściciel\n5265877635;0AB1;jan\n")
            .expect("valid");
        assert!(only.entries.is_empty());
        assert_eq!(only.certificate_entries.len(), 1);
    }

    #[test]
    fn bad_or_repeated_serials_and_empty_rows_are_named() {
        let text = "nip,reference_number,certificate_serial\n\
                    5265877635,,XYZ\n\
                    5265877635,,0AB1\n\
                    5265877635,,0ab1\n\
                    5265877635,,\n";
        let msg = parse(text).expect_err("invalid").to_string();
        assert!(
            msg.contains(
                "row 2, column C ('certificate_serial'): 'XYZ' is not a certificate serial number"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("row 4") && msg.contains("listed twice (first in row 3)"),
            "{msg}"
        );
        assert!(
            msg.contains("row 5, column B ('reference_number'): the row names neither"),
            "{msg}"
        );
    }

    #[test]
    fn pasted_token_is_reported_without_its_value() {
        let secret = "40824da31c455915d590314383bf31a5dac1f34b85b3471d78a1a93cf8f414ce";
        let token = format!("{REF1}|nip-5265877635|{secret}");
        let text = format!("nip,reference_number,notes\n5265877635,{token},token: {token}\n");
        let inv = parse(&text).expect("valid");
        assert_eq!(inv.secrets.len(), 2);
        assert_eq!(inv.entries[0].reference_number, REF1);
        let notes = inv.entries[0].notes.clone().unwrap_or_default();
        assert!(!notes.contains(secret), "{notes}");
        assert!(notes.contains(REF1), "{notes}");
        assert_eq!(inv.secrets[1].column, "C ('notes')");
        assert!(!format!("{:?}", inv.secrets).contains(secret));
        assert_eq!(
            inv.secrets[0].fingerprint,
            ksef_model::fingerprint_hex(token.as_bytes())
        );
    }
}
