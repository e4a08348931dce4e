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

use ksef_model::i18n::Lang;

/// How a CSV file is laid out (the one options type for every CSV writer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Semicolons, a UTF-8 BOM and the formula-injection guard, for Excel.
    pub excel: bool,
    /// Language of the headers and of the value words (`--lang`): in Polish, every table
    /// keeps its columns in the same order, with the Polish headers of `docs/csv.md`;
    /// identifiers (ids, rule names, NIPs, reference numbers, fingerprints, KSeF
    /// permission names) stay as they are.
    pub lang: Lang,
    /// A file for people (audit findings, tokens, permissions, certificates, leaks, report
    /// tables): every cell passes the one outbound filter (`ksef_leaks::redact::outbound`:
    /// PESELs masked, tokens redacted, control and bidi characters escaped). Off for the
    /// files the tool reads back (the inventory), whose cells must stay as they are, and
    /// in the [`Default`].
    pub outbound: bool,
}

impl CsvOptions {
    /// Excel mode in `lang`, for people (through the outbound filter).
    pub fn excel(lang: Lang) -> CsvOptions {
        CsvOptions::new(true, lang)
    }

    /// Plain mode (or Excel mode when `excel`) in `lang`, for people (through the outbound
    /// filter).
    pub fn new(excel: bool, lang: Lang) -> CsvOptions {
        CsvOptions {
            excel,
            lang,
            outbound: true,
        }
    }

    /// A file the tool reads back (the inventory): cells written as they are.
    pub fn machine(excel: bool, lang: Lang) -> CsvOptions {
        CsvOptions {
            excel,
            lang,
            outbound: false,
        }
    }

    /// The header row: `pl` in Polish, else `en` (both of one table, same length).
    pub fn headers<'a, const N: usize>(
        &self,
        en: &'a [&'a str; N],
        pl: &'a [&'a str; N],
    ) -> &'a [&'a str; N] {
        match self.lang {
            Lang::Pl => pl,
            Lang::En => en,
        }
    }

    /// A value word (severity, status, yes/no, …) in the options' language; any other
    /// text comes back as it is.
    pub fn word<'a>(&self, word: &'a str) -> Cow<'a, str> {
        value_word(self.lang, word)
    }
}

/// A value word (severity, status, yes/no, …) in `lang`, as the CSV files and the terminal
/// tables write it; any other text comes back as it is.
pub fn value_word(lang: Lang, word: &str) -> Cow<'_, str> {
    match lang {
        Lang::Pl => polish_word(word).map_or(Cow::Borrowed(word), Cow::Borrowed),
        Lang::En => Cow::Borrowed(word),
    }
}

/// The Polish value words of every CSV table (`docs/csv.md`). Severities agree with
/// "istotność" (feminine), finding states with "ustalenie" (neuter), token and context
/// states with "token"/"kontekst" (masculine).
const POLISH_WORDS: &[(&str, &str)] = &[
    ("critical", "krytyczna"),
    ("high", "wysoka"),
    ("medium", "średnia"),
    ("low", "niska"),
    ("info", "informacyjna"),
    ("true", "tak"),
    ("false", "nie"),
    ("new", "nowe"),
    ("unchanged", "bez zmian"),
    ("fixed", "rozwiązane"),
    ("complete", "kompletny"),
    ("incomplete", "niekompletny"),
    ("Active", "aktywny"),
    ("active", "aktywny"),
    ("Pending", "oczekujący"),
    ("Revoking", "w trakcie unieważniania"),
    ("Revoked", "unieważniony"),
    ("revoked", "unieważniony"),
    ("Failed", "błędny"),
    ("Blocked", "zablokowany"),
    ("Expired", "wygasły"),
    ("yes", "tak"),
    ("no", "nie"),
    ("unknown", "nieznany"),
    ("unverified", "niesprawdzony"),
    ("not-found", "nieznany w KSeF"),
    ("baseline", "linia bazowa"),
    ("exception", "wyjątek"),
    ("inline", "znacznik w pliku"),
    ("configured-token-file", "plik tokena z konfiguracji"),
    ("audit", "audyt"),
    ("leaks", "wycieki"),
];

fn polish_word(word: &str) -> Option<&'static str> {
    POLISH_WORDS
        .iter()
        .find(|(en, _)| *en == word)
        .map(|(_, pl)| *pl)
}

/// A time as a CSV cell, in the firm's time zone (Europe/Warsaw): RFC 3339 with its offset
/// for programs (`2026-12-06T14:03:00+01:00`); `YYYY-MM-DD HH:MM:SS` (Warsaw time, no
/// fraction, no zone) in Excel mode, the form Excel parses as a date and time.
pub fn csv_time(t: chrono::DateTime<chrono::Utc>, opts: CsvOptions) -> String {
    let local = t.with_timezone(&chrono_tz::Europe::Warsaw);
    if opts.excel {
        local.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        local.to_rfc3339()
    }
}

/// A displayed number as a CSV number: `−5` (U+2212) -> `-5`, `+5` -> `5`, `±0` -> `0`, and
/// `–`, `—` or nothing (not applicable) -> empty. `None` when the text is not a number.
pub fn number_cell(text: &str) -> Option<String> {
    let t = text.trim();
    if matches!(t, "" | "–" | "—" | "-" | "n/a") {
        return Some(String::new());
    }
    let t = t.replace('\u{2212}', "-").replace('±', "");
    let t = t.strip_prefix('+').unwrap_or(&t);
    (t.parse::<f64>().is_ok()).then(|| t.to_string())
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
        self.row_numeric(cells, &[])
    }

    /// Writes one record whose cells at `numeric` positions are numbers: they pass
    /// [`number_cell`] (ASCII minus, no `+`, empty when not applicable) and, being plain
    /// numbers, are written without the formula guard so that Excel reads them as numbers.
    /// Every other cell passes the outbound filter (a file for people) and [`neutralise`].
    pub fn row_numeric<I, S>(&mut self, cells: I, numeric: &[usize]) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let opts = self.opts;
        let cells: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(
                |(i, c)| match numeric.contains(&i).then(|| number_cell(c.as_ref())) {
                    Some(Some(n)) => n,
                    _ if opts.outbound => {
                        neutralise(&ksef_leaks::redact::outbound(c.as_ref()), opts).into_owned()
                    }
                    _ => neutralise(c.as_ref(), opts).into_owned(),
                },
            )
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
        let excel = CsvOptions::excel(Lang::En);
        assert_eq!(neutralise("=HYPERLINK(\"x\")", excel), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("-5", excel), "'-5");
        assert_eq!(neutralise("  @SUM(A1)", excel), "'  @SUM(A1)");
        assert_eq!(neutralise("\tx", excel), "'\tx");
        assert_eq!(neutralise("a=b", excel), "a=b");
        assert_eq!(neutralise("=1", CsvOptions::default()), "=1");
        assert_eq!(neutralise("−5", excel), "−5");
    }

    #[test]
    fn numbers_are_plain_numbers_with_an_ascii_minus() {
        assert_eq!(number_cell("\u{2212}5").as_deref(), Some("-5"));
        assert_eq!(number_cell("+12").as_deref(), Some("12"));
        assert_eq!(number_cell("±0").as_deref(), Some("0"));
        assert_eq!(number_cell("–").as_deref(), Some(""));
        assert_eq!(number_cell("=1+1"), None);
        let mut w = CsvWriter::new(Vec::new(), CsvOptions::excel(Lang::En)).expect("new");
        w.row_numeric(["\u{2212}5", "-5", "=1"], &[0, 2])
            .expect("row");
        let text = String::from_utf8(w.finish().expect("finish")).expect("utf-8");
        assert_eq!(text, "\u{feff}-5;'-5;'=1\r\n");
    }

    #[test]
    fn excel_times_are_warsaw_times_without_fraction_or_zone() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:15:30.123456Z")
            .expect("time")
            .to_utc();
        assert_eq!(
            csv_time(t, CsvOptions::excel(Lang::En)),
            "2026-11-20 11:15:30"
        );
        // Programs get the same moment with Warsaw's offset.
        assert_eq!(
            csv_time(t, CsvOptions::default()),
            "2026-11-20T11:15:30.123456+01:00"
        );
    }

    #[test]
    fn plain_is_rfc_4180_and_excel_has_bom_semicolons_and_crlf() {
        let rows: &[&[&str]] = &[&["a", "b"], &["x,y", "say \"hi\""]];
        assert_eq!(
            write(CsvOptions::default(), rows),
            "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            write(CsvOptions::excel(Lang::En), &[&["a", "=1;2"]]),
            "\u{feff}a;\"'=1;2\"\r\n"
        );
    }

    #[test]
    fn files_for_people_pass_the_outbound_filter_and_machine_files_stay_as_they_are() {
        let token = format!(
            "20261106-EC-1A2B3C4D5E-6F7A8B9C0D-1E|nip-5261048379|{}",
            "5eed0fab".repeat(8)
        );
        let cell = format!("Tomka 96050930871 {token} \u{202e}x");
        let rows: &[&[&str]] = &[&[&cell, "-5"]];
        for opts in [
            CsvOptions::new(false, Lang::En),
            CsvOptions::excel(Lang::Pl),
        ] {
            let people = write(opts, rows);
            assert!(!people.contains("96050930871"), "{people}");
            assert!(!people.contains(&"5eed0fab".repeat(8)), "{people}");
            assert!(!people.contains('\u{202e}'), "{people}");
            assert!(people.contains("96*******71"), "{people}");
        }
        let machine = write(CsvOptions::machine(true, Lang::Pl), rows);
        assert!(machine.contains(&cell), "{machine}");
        assert!(machine.contains("'-5"), "{machine}");
    }
}
