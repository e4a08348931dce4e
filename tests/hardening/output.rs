//! Points 4, 5, 6, 7, 8, 14, 15: what the tool writes stays inert and free of secrets.

use std::path::Path;

use crate::inputs::cmd;

/// The basic audit fixture copied to a temporary directory, with `edit` applied to its inventory.
fn basic_audit_dir(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory/basic");
    let dir = tempfile::tempdir().expect("tmp");
    for name in ["snapshot.json", "inventory.csv", "staff.csv"] {
        let text = std::fs::read_to_string(src.join(name)).expect("fixture");
        let text = if name == "inventory.csv" { edit(text) } else { text };
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

#[test]
fn issue_13_audit_csv_excel_neutralises_formulas() {
    let dir = basic_audit_dir(|t| {
        t.replace("anna@firma.pl", "=HYPERLINK(\"http://evil\")")
            .replace("jan@firma.pl", "  +cmd|' /C calc'!A0")
    });
    let out = cmd()
        .current_dir(dir.path())
        .args([
            "audit",
            "--from",
            "snapshot.json",
            "--inventory",
            "inventory.csv",
            "--staff",
            "staff.csv",
            "--format",
            "csv",
            "--csv-excel",
            "--exit-zero",
        ])
        .assert()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("HYPERLINK") && text.contains("cmd|"), "{text}");
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for row in rows.records() {
        for cell in row.expect("row").iter() {
            assert!(
                !cell
                    .trim_start_matches(' ')
                    .starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live formula cell {cell:?}"
            );
        }
    }
}
