//! The one CSV writer behind every CSV the tool writes (`tokens`, `audit`, `leaks` and
//! `report` tables).
//!
//! - Plain mode is RFC 4180: `,` between cells, CRLF after every record, quotes only
//!   where a cell needs them. It is the format for programs, so cells are written as
//!   they are (a leading `-` or `=` is data there, and changing it would change what a
//!   program reads).
//! - Excel mode (`--csv-excel`) is for people opening the file in Excel with Polish
//!   regional settings: `;` between cells, a UTF-8 BOM and CRLF. Because Excel runs a
//!   cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula —
//!   also after leading spaces — every such cell is prefixed with `'` (OWASP "CSV
//!   injection"): a hostile owner cell `=HYPERLINK(…)` reads as text, not a live link.

use std::borrow::Cow;
use std::io::{self, Write};

/// How a CSV file is laid out (the one options type for every CSV writer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Semicolons, a UTF-8 BOM and the formula-injection guard, for Excel.
    pub excel: bool,
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written: unchanged in plain mode; in Excel mode prefixed with `'` when
/// it would start a formula (after any leading spaces).
pub fn neutralise(cell: &str, opts: CsvOptions) -> Cow<'_, str> {
    if opts.excel && cell.trim_start_matches(' ').starts_with(FORMULA_STARTS) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Writes records in the layout `opts` asks for, guarding every cell.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    opts: CsvOptions,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a CSV file (writes the BOM in Excel mode).
    pub fn new(mut out: W, opts: CsvOptions) -> io::Result<Self> {
        if opts.excel {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let inner = csv::WriterBuilder::new()
            .delimiter(if opts.excel { b';' } else { b',' })
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        Ok(Self { inner, opts })
    }

    /// Writes one record (a header or a row); every cell passes [`neutralise`].
    pub fn row<I, S>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let opts = self.opts;
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(c.as_ref(), opts).into_owned())
            .collect();
        self.inner.write_record(&cells).map_err(io::Error::from)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(opts: CsvOptions, rows: &[&[&str]]) -> String {
        let mut w = CsvWriter::new(Vec::new(), opts).expect("new");
        for r in rows {
            w.row(r.iter()).expect("row");
        }
        String::from_utf8(w.finish().expect("finish")).expect("utf-8")
    }

    #[test]
    fn excel_cells_that_look_like_formulas_are_quoted() {
        let excel = CsvOptions { excel: true };
        assert_eq!(neutralise("=HYPERLINK(\"x\")", excel), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("-5", excel), "'-5");
        assert_eq!(neutralise("  @SUM(A1)", excel), "'  @SUM(A1)");
        assert_eq!(neutralise("\tx", excel), "'\tx");
        assert_eq!(neutralise("a=b", excel), "a=b");
        assert_eq!(neutralise("=1", CsvOptions::default()), "=1");
        assert_eq!(neutralise("−5", excel), "−5");
    }

    #[test]
    fn plain_is_rfc_4180_and_excel_has_bom_semicolons_and_crlf() {
        let rows: &[&[&str]] = &[&["a", "b"], &["x,y", "say \"hi\""]];
        assert_eq!(
            write(CsvOptions::default(), rows),
            "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            write(CsvOptions { excel: true }, &[&["a", "=1;2"]]),
            "\u{feff}a;\"'=1;2\"\r\n"
        );
    }
}
