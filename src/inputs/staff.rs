//! The staff list CSV: who works here, who has left, and their PESEL/NIP so a
//! token's `authorIdentifier` can be matched to a person.

use std::collections::BTreeMap;
use std::path::Path;

use crate::inputs::table::CellProblem;
use crate::inputs::table::InventoryError;
use crate::inputs::table::parse_date;
use crate::inputs::table::parse_table;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
/// `true` when an 11-digit PESEL has a valid check digit (lives in `model` now).
use ksef_model::pesel_ok;
use ksef_model::validate_nip;

/// Canonical staff columns and the (normalised) headers accepted for each.
pub const STAFF_COLUMNS: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "email",
            "staffid",
            "login",
            "employeeid",
            "identyfikator",
            "adresemail",
        ],
    ),
    (
        "name",
        &[
            "fullname",
            "imięinazwisko",
            "imieinazwisko",
            "nazwisko",
            "pracownik",
        ],
    ),
    ("pesel", &[]),
    ("nip", &[]),
    (
        "fingerprint",
        &[
            "certificatefingerprint",
            "certfingerprint",
            "odciskcertyfikatu",
            "skrótcertyfikatu",
            "skrotcertyfikatu",
        ],
    ),
    ("status", &["state", "stan"]),
    (
        "left_on",
        &[
            "leftdate",
            "leavingdate",
            "dateleft",
            "enddate",
            "dataodejścia",
            "dataodejscia",
            "datazwolnienia",
        ],
    ),
];

/// Loads the staff list, checking every row; fails once with every problem.
pub fn load_staff(path: &Path) -> Result<Vec<StaffMember>, InventoryError> {
    let bytes = ksef_model::input::read_limited(path, ksef_model::input::MAX_TABLE_BYTES).map_err(
        |source| InventoryError::Read {
            kind: "staff",
            path: path.to_path_buf(),
            source,
        },
    )?;
    parse_staff(path, &bytes)
}

pub fn parse_staff(path: &Path, bytes: &[u8]) -> Result<Vec<StaffMember>, InventoryError> {
    let mut problems = Vec::new();
    let invalid = |problems| InventoryError::Invalid {
        kind: "staff",
        path: path.to_path_buf(),
        problems,
    };
    let Some(table) = parse_table(bytes, STAFF_COLUMNS, &["id", "status"], &mut problems) else {
        return Err(invalid(problems));
    };
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let mut problem = |column: &str, message: String| {
            problems.push(CellProblem {
                row: Some(row),
                column: table.label_of(column),
                message,
            });
        };
        let id = table.cell(cells, "id").unwrap_or_default().to_string();
        if id.is_empty() {
            problem("id", "the id (e-mail or staff id) is empty".into());
        } else if let Some(first) = seen.insert(id.to_lowercase(), row) {
            problem(
                "id",
                format!("id '{id}' is listed twice (first in row {first})"),
            );
        }
        let pesel = table.cell(cells, "pesel").map(str::to_string);
        if let Some(p) = &pesel
            && !pesel_ok(p)
        {
            problem(
                "pesel",
                "bad PESEL (11 digits with a valid check digit expected; value not shown)".into(),
            );
        }
        let nip = match table.cell(cells, "nip") {
            Some(raw) => match validate_nip(raw) {
                Ok(n) => Some(n),
                Err(e) => {
                    problem("nip", format!("bad NIP '{raw}': {e}"));
                    None
                }
            },
            None => None,
        };
        let fingerprint = match table.cell(cells, "fingerprint") {
            Some(raw) => {
                let hex: String = raw.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
                if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    Some(hex.to_uppercase())
                } else {
                    problem(
                        "fingerprint",
                        format!(
                            "bad certificate fingerprint '{raw}' (64 hex digits of SHA-256 expected)"
                        ),
                    );
                    None
                }
            }
            None => None,
        };
        let status_cell = table.cell(cells, "status");
        let status = match status_cell.map(str::to_lowercase).as_deref() {
            Some("active" | "aktywny" | "aktywna" | "employed") => StaffStatus::Active,
            Some("left" | "leaver" | "odszedł" | "odeszła" | "zwolniony" | "zwolniona") => {
                StaffStatus::Left
            }
            Some(_) => {
                // The cell as written (a lower-cased token would escape its redaction).
                let other = status_cell.unwrap_or_default();
                problem(
                    "status",
                    format!("unknown status '{other}' (expected active or left)"),
                );
                StaffStatus::Active
            }
            None => {
                problem(
                    "status",
                    "the status is empty (expected active or left)".into(),
                );
                StaffStatus::Active
            }
        };
        let left_on = table
            .cell(cells, "left_on")
            .and_then(|d| match parse_date(d) {
                Some(date) => Some(date),
                None => {
                    problem(
                        "left_on",
                        format!("bad date '{d}' (expected YYYY-MM-DD or DD.MM.YYYY)"),
                    );
                    None
                }
            });
        out.push(StaffMember {
            row,
            id,
            name: table.cell(cells, "name").map(str::to_string),
            pesel,
            nip,
            fingerprint,
            status,
            left_on,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_with_aliases_and_problems() {
        let ok = "E-mail;Imię i nazwisko;PESEL;Status;Data odejścia\n\
                  jan@firma.pl;Jan Nowak;85010112345;left;31.08.2025\n\
                  anna@firma.pl;Anna;;active;\n";
        assert!(pesel_ok("85010112345"));
        let staff = parse_staff(Path::new("s.csv"), ok.as_bytes()).expect("valid");
        assert_eq!(staff[0].status, StaffStatus::Left);
        assert_eq!(
            staff[0].left_on,
            chrono::NaiveDate::from_ymd_opt(2025, 8, 31)
        );

        let bad = "id,status,pesel\nx@y.pl,gone,85010112344\n";
        let err = parse_staff(Path::new("s.csv"), bad.as_bytes()).expect_err("invalid");
        let msg = err.to_string();
        assert!(
            msg.contains("row 2, column B ('status'): unknown status 'gone'"),
            "{msg}"
        );
        assert!(
            msg.contains("row 2, column C ('pesel'): bad PESEL"),
            "{msg}"
        );
        assert!(!msg.contains("85010112344"), "{msg}");
    }
}
