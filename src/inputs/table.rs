//! Spreadsheet-style CSV plumbing shared by the inventory and staff loaders:
//! BOM, `,`/`;` detection, header aliases (case- and space-insensitive), dates,
//! and collecting every problem with its row and column.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use thiserror::Error;

/// One problem in an input file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// 1-based row in the file (the header is row 1); `None` for file-wide problems.
    pub row: Option<usize>,
    /// Spreadsheet column letter and header as written, e.g. `C ('Expiry date')`.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column {c}: {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Errors of the inventory and staff loaders: every problem of the file at once.
#[derive(Debug, Error)]
pub enum InventoryError {
    #[error("cannot read {kind} '{}'\nhelp: check the path given with --{kind} or in the config [audit] section", ksef_model::shown_path(.path))]
    Read {
        kind: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", format_problems(.kind, .path, .problems))]
    Invalid {
        kind: &'static str,
        path: PathBuf,
        problems: Vec<CellProblem>,
    },
}

impl InventoryError {
    pub fn problems(&self) -> &[CellProblem] {
        match self {
            InventoryError::Invalid { problems, .. } => problems,
            InventoryError::Read { .. } => &[],
        }
    }
}

fn format_problems(kind: &str, path: &Path, problems: &[CellProblem]) -> String {
    let mut out = format!(
        "{kind} '{}': {} problem{}",
        ksef_model::shown_path(path),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    // Echoed values are redacted, cut and escaped; at most 50 problems are listed.
    let prefix = format!("  {kind} '{}' ", ksef_model::shown_path(path));
    out.push('\n');
    out.push_str(&ksef_leaks::redact::problem_lines(problems, &prefix));
    out.push_str(&format!(
        "\nhelp: fix these cells and run again; `docs/inputs.md` describes the {kind} columns"
    ));
    out
}

/// Lowercases and drops spaces, `_`, `-` and `.` so `Expiry date`, `expiry_date` and
/// `EXPIRYDATE` compare equal.
pub fn normalize_header(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// `0` -> `A`, `26` -> `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A parsed CSV table: headers mapped to canonical column names, rows of cells.
pub struct Table {
    pub headers: Vec<String>,
    /// Canonical column -> index.
    pub columns: BTreeMap<&'static str, usize>,
    /// (1-based file row, cells)
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    pub fn column_label(&self, index: usize) -> String {
        format!(
            "{} ('{}')",
            column_letter(index),
            self.headers.get(index).map(String::as_str).unwrap_or("")
        )
    }

    /// The trimmed, non-empty cell of a canonical column in one row.
    pub fn cell<'a>(&self, cells: &'a [String], column: &str) -> Option<&'a str> {
        let i = *self.columns.get(column)?;
        cells.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub fn label_of(&self, column: &str) -> Option<String> {
        self.columns.get(column).map(|i| self.column_label(*i))
    }
}

/// Detects `,` or `;` from the header line (the more frequent outside quotes wins).
pub fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            _ => {}
        }
    }
    if semis > commas { b';' } else { b',' }
}

/// Parses CSV bytes into a [`Table`]. `aliases` maps canonical names to the normalised
/// headers that mean them. File-wide problems (encoding, duplicate or missing
/// required columns) are pushed to `problems`; `None` means the table is unusable.
pub fn parse_table(
    bytes: &[u8],
    aliases: &[(&'static str, &[&str])],
    required: &[&str],
    problems: &mut Vec<CellProblem>,
) -> Option<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let row = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            problems.push(CellProblem {
                row: Some(row),
                column: None,
                message: "not valid UTF-8 (help: save the file as \"CSV UTF-8\")".into(),
            });
            return None;
        }
    };
    if text.trim().is_empty() {
        problems.push(CellProblem {
            row: None,
            column: None,
            message: "the file is empty (a header row is required)".into(),
        });
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(e)) => {
            problems.push(CellProblem {
                row: Some(1),
                column: None,
                message: format!("cannot read the header row: {e}"),
            });
            return None;
        }
        None => return None,
    };
    let mut columns: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let norm = normalize_header(h);
        let Some((canon, _)) = aliases.iter().find(|(canon, names)| {
            normalize_header(canon) == norm || names.contains(&norm.as_str())
        }) else {
            continue;
        };
        if let Some(first) = columns.get(canon) {
            problems.push(CellProblem {
                row: Some(1),
                column: Some(format!("{} ('{h}')", column_letter(i))),
                message: format!(
                    "column '{canon}' appears twice (also column {})",
                    column_letter(*first)
                ),
            });
        } else {
            columns.insert(canon, i);
        }
    }
    let mut usable = true;
    for req in required {
        if !columns.contains_key(req) {
            let names = aliases
                .iter()
                .find(|(c, _)| c == req)
                .map(|(_, a)| a.join("', '"))
                .unwrap_or_default();
            problems.push(CellProblem {
                row: Some(1),
                column: None,
                message: format!(
                    "missing required column '{req}' (accepted headers: '{req}', '{names}')"
                ),
            });
            usable = false;
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in records.enumerate() {
        let row = i + 2;
        match rec {
            Ok(r) => {
                let cells: Vec<String> = r.iter().map(str::to_string).collect();
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                // Cells past the last heading belong to no column: a shifted or merged row
                // (a stray delimiter), reported rather than dropped (issue 21, point 19).
                // Empty trailing cells (a spreadsheet's extra delimiters) are fine.
                if cells.len() > headers.len()
                    && cells[headers.len()..].iter().any(|c| !c.trim().is_empty())
                {
                    problems.push(CellProblem {
                        row: Some(row),
                        column: Some(column_letter(headers.len())),
                        message: format!(
                            "{} cells, but the header row has {}: the cells from column {} on belong to no column\nhelp: check for a stray delimiter in this row",
                            cells.len(),
                            headers.len(),
                            column_letter(headers.len())
                        ),
                    });
                }
                rows.push((row, cells));
            }
            Err(e) => problems.push(CellProblem {
                row: Some(row),
                column: None,
                message: format!("cannot read the row: {e}"),
            }),
        }
    }
    // A truncated or ragged last row (the file cut off mid-row, or an unclosed quote that
    // swallowed the rest): reported with its row number, never accepted in silence.
    if let Some((row, cells)) = rows.last() {
        let unclosed_quote = text.bytes().filter(|&b| b == b'"').count() % 2 == 1;
        if cells.len() < headers.len() || unclosed_quote {
            problems.push(CellProblem {
                row: Some(*row),
                column: None,
                message: format!(
                    "the last row looks truncated: {} of {} cells{}\nhelp: check that the file was saved completely",
                    cells.len(),
                    headers.len(),
                    if unclosed_quote { ", a quote is not closed" } else { "" }
                ),
            });
        }
    }
    usable.then_some(Table {
        headers,
        columns,
        rows,
    })
}

/// ISO `YYYY-MM-DD` or `DD.MM.YYYY` (one-digit day and month allowed).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
        .filter(|_| {
            // chrono accepts 5-digit years and lone digits; keep to 4-digit years.
            s.len() >= 8 && (s.starts_with(|c: char| c.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21: a row (the last one too) with more cells than headings is reported with its
    /// row; empty trailing cells are not.
    #[test]
    fn issue_21_row_with_extra_cells_is_reported() {
        let mut problems = Vec::new();
        let text = b"nip,name\n1111111111,a\n1111111111,b,extra\n";
        parse_table(
            text,
            &[("nip", &[]), ("name", &[])],
            &["nip"],
            &mut problems,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, Some(3));
        assert!(problems[0].message.contains("3 cells"), "{problems:?}");
        let mut problems = Vec::new();
        let text = b"nip,name\n1111111111,a,,\n";
        parse_table(
            text,
            &[("nip", &[]), ("name", &[])],
            &["nip"],
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn headers_compare_without_case_and_spaces() {
        assert_eq!(normalize_header(" Expiry  Date "), "expirydate");
        assert_eq!(normalize_header("reference_number"), "referencenumber");
        assert_eq!(normalize_header("Data wygaśnięcia"), "datawygaśnięcia");
        assert_eq!(normalize_header("WŁAŚCICIEL"), "właściciel");
    }

    #[test]
    fn dates_iso_and_polish() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1);
        assert_eq!(parse_date("2026-03-01"), d);
        assert_eq!(parse_date("01.03.2026"), d);
        assert_eq!(parse_date("1.3.2026"), d);
        assert_eq!(parse_date("31.02.2026"), None);
        assert_eq!(parse_date("03/01/2026"), None);
    }

    #[test]
    fn delimiter_and_letters() {
        assert_eq!(detect_delimiter("a;b;\"c,d\"\n"), b';');
        assert_eq!(detect_delimiter("a,b;c,d\n"), b',');
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
