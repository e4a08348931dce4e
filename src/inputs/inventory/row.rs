//! One inventory row: its cells read and checked, a bad one reported and left empty.

use std::collections::{BTreeMap, BTreeSet};

use ksef_model::InventoryEntry;
use ksef_model::Permission;
use ksef_model::is_token_reference;
use ksef_model::validate_nip;

use super::normalize_serial;
use crate::inputs::table::Table;
use crate::inputs::table::parse_date;

/// Reports a problem with a cell: the canonical column and the message.
pub(super) type Problem<'p> = dyn FnMut(&str, String) + 'p;

/// The reference numbers and certificate serial numbers read so far, with their rows: one
/// listed twice is a problem.
#[derive(Default)]
pub(super) struct Seen {
    refs: BTreeMap<String, usize>,
    serials: BTreeMap<String, usize>,
}

/// One row (its secrets already redacted) as an entry, and whether it names a certificate
/// only (no token reference number). A bad cell is reported and left empty.
pub(super) fn parse_row(
    table: &Table,
    row: usize,
    cells: &[String],
    known: &BTreeSet<usize>,
    seen: &mut Seen,
    problem: &mut Problem<'_>,
) -> (InventoryEntry, bool) {
    let nip = nip_cell(table.cell(cells, "nip"), problem);
    let serial_cell = table.cell(cells, "certificate_serial");
    let serial = serial_cell.and_then(|raw| serial(raw, row, &mut seen.serials, problem));
    let certificate_only = table.cell(cells, "reference_number").is_none()
        && table.columns.contains_key("certificate_serial");
    let reference = match table.cell(cells, "reference_number") {
        None if certificate_only => {
            if serial.is_none() && serial_cell.is_none() {
                problem(
                    "reference_number",
                    "the row names neither a token reference number nor a certificate serial number".into(),
                );
            }
            String::new()
        }
        None => {
            problem("reference_number", "the reference number is empty".into());
            String::new()
        }
        Some(r) => reference(r, row, &mut seen.refs, problem),
    };
    let text = |c: &str| table.cell(cells, c).map(str::to_string);
    let entry = InventoryEntry {
        row,
        nip,
        reference_number: reference,
        name: text("name"),
        system: text("system"),
        environment: table
            .cell(cells, "environment")
            .and_then(|e| environment(e, problem)),
        owner: text("owner"),
        permissions: table
            .cell(cells, "permissions")
            .map(|p| permissions(p, problem))
            .unwrap_or_default(),
        expires: table
            .cell(cells, "expires")
            .and_then(|d| expires(d, problem)),
        notes: text("notes"),
        extra: extra_cells(table, cells, known),
        certificate_serial: serial,
    };
    (entry, certificate_only)
}

/// The `nip` cell, checked (empty when missing or bad).
fn nip_cell(raw: Option<&str>, problem: &mut Problem<'_>) -> String {
    let Some(raw) = raw else {
        problem("nip", "the NIP is empty".into());
        return String::new();
    };
    match validate_nip(raw) {
        Ok(n) => n,
        Err(e) => {
            problem("nip", format!("bad NIP '{raw}': {e}"));
            String::new()
        }
    }
}

/// A `certificate_serial` cell, normalised; one listed twice is a problem (and kept).
fn serial(
    raw: &str,
    row: usize,
    seen: &mut BTreeMap<String, usize>,
    problem: &mut Problem<'_>,
) -> Option<String> {
    let Some(s) = normalize_serial(raw) else {
        problem(
            "certificate_serial",
            format!(
                "'{raw}' is not a certificate serial number (expected hexadecimal digits, e.g. 018209160C631F1E)"
            ),
        );
        return None;
    };
    if let Some(first) = seen.get(&s) {
        problem(
            "certificate_serial",
            format!("certificate serial number '{raw}' is listed twice (first in row {first})"),
        );
    } else {
        seen.insert(s.clone(), row);
    }
    Some(s)
}

/// A `reference_number` cell, checked (empty when bad); one listed twice is a problem (and
/// kept).
fn reference(
    r: &str,
    row: usize,
    seen: &mut BTreeMap<String, usize>,
    problem: &mut Problem<'_>,
) -> String {
    if !is_token_reference(r) {
        problem(
            "reference_number",
            format!(
                "'{r}' is not a KSeF token reference number (expected YYYYMMDD-EC-XXXXXXXXXX-XXXXXXXXXX-XX)"
            ),
        );
        return String::new();
    }
    if let Some(first) = seen.get(r) {
        problem(
            "reference_number",
            format!("reference number '{r}' is listed twice (first in row {first})"),
        );
    } else {
        seen.insert(r.to_string(), row);
    }
    r.to_string()
}

/// An `environment` cell as its label (`prod`, `demo`, `test`, `simulator`).
fn environment(e: &str, problem: &mut Problem<'_>) -> Option<String> {
    match e.to_ascii_lowercase().as_str() {
        // `simulator`: the label of the demo's (and `simulate`'s) loopback KSeF.
        v @ ("prod" | "demo" | "test" | "simulator") => Some(v.to_string()),
        "production" | "produkcja" | "prd" => Some("prod".into()),
        "testowe" | "te" => Some("test".into()),
        "tr" => Some("demo".into()),
        _ => {
            problem(
                "environment",
                format!("unknown environment '{e}' (expected prod, demo or test)"),
            );
            None
        }
    }
}

/// A `permissions` cell: the known permissions it lists (`;`, `,` or spaces between), once
/// each; an unknown one is a problem.
fn permissions(cell: &str, problem: &mut Problem<'_>) -> Vec<Permission> {
    let mut permissions = Vec::new();
    for part in cell
        .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match Permission::parse_known(part) {
            Some(p) => {
                if !permissions.contains(&p) {
                    permissions.push(p);
                }
            }
            None => problem(
                "permissions",
                format!(
                    "unknown permission '{part}' (expected any of: {})",
                    Permission::KNOWN.join(", ")
                ),
            ),
        }
    }
    permissions
}

/// An `expires` cell as a date.
fn expires(d: &str, problem: &mut Problem<'_>) -> Option<chrono::NaiveDate> {
    let date = parse_date(d);
    if date.is_none() {
        problem(
            "expires",
            format!("bad date '{d}' (expected YYYY-MM-DD or DD.MM.YYYY)"),
        );
    }
    date
}

/// The row's cells in columns the inventory does not know, by header (empty ones left out).
fn extra_cells(
    table: &Table,
    cells: &[String],
    known: &BTreeSet<usize>,
) -> BTreeMap<String, String> {
    cells
        .iter()
        .enumerate()
        .filter(|(i, v)| !known.contains(i) && !v.trim().is_empty())
        .filter_map(|(i, v)| {
            let h = table.headers.get(i)?;
            (!h.is_empty()).then(|| (h.clone(), v.trim().to_string()))
        })
        .collect()
}
