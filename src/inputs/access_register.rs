//! The approved access register CSV (`--access-register`, `[audit] access-register`):
//! who may hold which permission grants in which client context — the inventory's
//! counterpart for grants. Columns: `nip`, `holder` (a PESEL, NIP or certificate
//! fingerprint, or a staff id of the staff list), `permissions` (KSeF scopes, separated
//! by `,`, `;` or spaces).

use std::path::Path;

use crate::inputs::table::CellProblem;
use crate::inputs::table::InventoryError;
use crate::inputs::table::parse_table;
use ksef_model::AccessHolder;
use ksef_model::AccessRegister;
use ksef_model::AccessRegisterEntry;
use ksef_model::GrantScope;
use ksef_model::fingerprint_hex;
use ksef_model::parse_holder_identifier;
use ksef_model::validate_nip;

/// Canonical columns and the (normalised) headers accepted for each.
pub const REGISTER_COLUMNS: &[(&str, &[&str])] = &[
    ("nip", &["contextnip", "clientnip", "nipklienta"]),
    (
        "holder",
        &[
            "person",
            "identifier",
            "pesel",
            "staffid",
            "osoba",
            "uprawniony",
            "identyfikator",
        ],
    ),
    (
        "permissions",
        &[
            "approvedpermissions",
            "scope",
            "scopes",
            "uprawnienia",
            "zatwierdzoneuprawnienia",
        ],
    ),
];

/// Known grant scopes, for messages.
const SCOPES: &[&str] = &[
    "CredentialsManage",
    "CredentialsRead",
    "InvoiceWrite",
    "InvoiceRead",
    "Introspection",
    "SubunitManage",
    "EnforcementOperations",
    "CollectiveIdentifierManage",
    "VatUeManage",
    "SelfInvoicing",
    "RRInvoicing",
    "TaxRepresentative",
    "PefInvoicing",
];

/// Loads the register, checking every row; fails once with every problem.
pub fn load_access_register(path: &Path) -> Result<AccessRegister, InventoryError> {
    let bytes = ksef_model::input::read_limited(path, ksef_model::input::MAX_TABLE_BYTES).map_err(
        |source| InventoryError::Read {
            kind: "access-register",
            path: path.to_path_buf(),
            source,
        },
    )?;
    parse_access_register(path, &bytes)
}

pub fn parse_access_register(path: &Path, bytes: &[u8]) -> Result<AccessRegister, InventoryError> {
    let mut problems = Vec::new();
    let invalid = |problems| InventoryError::Invalid {
        kind: "access-register",
        path: path.to_path_buf(),
        problems,
    };
    let Some(table) = parse_table(
        bytes,
        REGISTER_COLUMNS,
        &["nip", "holder", "permissions"],
        &mut problems,
    ) else {
        return Err(invalid(problems));
    };
    let mut entries = Vec::new();
    for (row, cells) in &table.rows {
        let row = *row;
        let mut problem = |column: &str, message: String| {
            problems.push(CellProblem {
                row: Some(row),
                column: table.label_of(column),
                message,
            });
        };
        let raw_nip = table.cell(cells, "nip").unwrap_or_default();
        let nip = match validate_nip(raw_nip) {
            Ok(n) => n,
            Err(e) => {
                problem("nip", format!("bad NIP '{raw_nip}': {e}"));
                String::new()
            }
        };
        let raw_holder = table.cell(cells, "holder").unwrap_or_default().trim();
        let looks_like_identifier = raw_holder.contains(':')
            || raw_holder
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-' || c == ' ');
        let holder = if raw_holder.is_empty() {
            problem(
                "holder",
                "the holder is empty (a PESEL, NIP, certificate fingerprint or staff id)".into(),
            );
            None
        } else if looks_like_identifier {
            match parse_holder_identifier(raw_holder) {
                Ok(id) => Some(AccessHolder::Identifier(id)),
                Err(e) => {
                    problem("holder", e);
                    None
                }
            }
        } else {
            Some(AccessHolder::Staff(raw_holder.to_string()))
        };
        let mut permissions = Vec::new();
        for part in table
            .cell(cells, "permissions")
            .unwrap_or_default()
            .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            match SCOPES.iter().find(|s| s.eq_ignore_ascii_case(part)) {
                Some(s) => {
                    let scope = GrantScope::from(*s);
                    if !permissions.contains(&scope) {
                        permissions.push(scope);
                    }
                }
                None => problem(
                    "permissions",
                    format!(
                        "unknown permission '{part}' (expected any of: {})",
                        SCOPES.join(", ")
                    ),
                ),
            }
        }
        if let Some(holder) = holder {
            entries.push(AccessRegisterEntry {
                row,
                nip,
                holder,
                permissions,
            });
        }
    }
    if problems.is_empty() {
        Ok(AccessRegister {
            entries,
            digest: fingerprint_hex(bytes),
        })
    } else {
        Err(invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_by_identifier_and_staff_id_with_every_problem_named() {
        let ok = "NIP;Holder;Permissions\n\
                  5261048379;85010112345;InvoiceRead, InvoiceWrite\n\
                  5261048379;anna@biuro.pl;InvoiceRead\n";
        let reg = parse_access_register(Path::new("r.csv"), ok.as_bytes()).expect("valid");
        assert_eq!(reg.entries.len(), 2);
        assert!(
            matches!(reg.entries[1].holder, AccessHolder::Staff(ref s) if s == "anna@biuro.pl")
        );
        assert_eq!(reg.entries[0].permissions.len(), 2);

        let bad = "nip,holder,permissions\n1234567890,85010112344,InvoiceRaed\n";
        let err = parse_access_register(Path::new("r.csv"), bad.as_bytes()).expect_err("bad");
        let msg = err.to_string();
        assert!(msg.contains("row 2, column A ('nip')"), "{msg}");
        assert!(msg.contains("bad PESEL"), "{msg}");
        assert!(msg.contains("unknown permission 'InvoiceRaed'"), "{msg}");
        assert!(!msg.contains("85010112344"), "{msg}");
    }
}
