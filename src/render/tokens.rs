//! `ksef-audit tokens` output: a readable table, CSV (one row per token, plus one row
//! per incomplete context so it is never lost), or the versioned JSON snapshot.

use std::io::{self, Write};

use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use crate::render::csv::csv_time;
use crate::render::csv::value_word;
use crate::render::style::Style;
use crate::render::style::Tone;
use crate::render::table::Cell;
use crate::render::table::Layout;
use crate::render::table::cut_cell;
use crate::render::table::day;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;
use ksef_model::i18n::reason;
use ksef_model::mask_pesel;
use ksef_model::mask_pesels_in;

/// Longest description shown in the table (the JSON and CSV keep it whole).
const DESCRIPTION_WIDTH: usize = 48;

/// CSV columns, in order (part of the interface: add at the end only).
pub const CSV_COLUMNS: [&str; 16] = [
    "environment",
    "nip",
    "client_name",
    "context_status",
    "context_reason",
    "reference_number",
    "status",
    "permissions",
    "date_created",
    "last_use_date",
    "author_type",
    "author_value",
    "context_type",
    "context_value",
    "description",
    "status_details",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_COLUMNS_PL: [&str; 16] = [
    "Środowisko",
    "NIP",
    "Nazwa klienta",
    "Stan kontekstu",
    "Przyczyna niekompletności",
    "Numer referencyjny",
    "Status",
    "Uprawnienia",
    "Data utworzenia",
    "Ostatnie użycie",
    "Typ autora",
    "Autor",
    "Typ kontekstu",
    "Identyfikator kontekstu",
    "Opis",
    "Szczegóły statusu",
];

pub fn write_json(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, snapshot)?;
    writeln!(w)
}

/// The first five cells of every listing CSV row (tokens, grants): environment, NIP,
/// client name, context status and the reason it is incomplete.
pub(crate) fn context_csv_head(
    snapshot: &TokenSnapshot,
    ctx: &ContextSnapshot,
    opts: CsvOptions,
) -> [String; 5] {
    [
        snapshot.environment.label.clone(),
        ctx.nip.clone(),
        ctx.name.clone().unwrap_or_default(),
        opts.word(&status_word(ctx).to_ascii_lowercase())
            .into_owned(),
        reason::csv_cell(opts.lang, ctx.reason_code.as_ref(), ctx.reason.as_deref()),
    ]
}

/// The tokens as CSV through the one [`CsvWriter`] (plain RFC 4180).
pub fn write_csv(w: &mut dyn Write, snapshot: &TokenSnapshot, opts: CsvOptions) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    for ctx in &snapshot.contexts {
        let head = context_csv_head(snapshot, ctx, opts);
        if ctx.tokens.is_empty() {
            let mut row = head.to_vec();
            row.resize(CSV_COLUMNS.len(), String::new());
            out.row(&row)?;
        }
        for t in &ctx.tokens {
            let mut row = head.to_vec();
            row.extend([
                t.reference_number.clone(),
                opts.word(t.status.as_str()).into_owned(),
                permissions(t),
                csv_time(t.date_created, opts),
                t.last_use_date
                    .map(|d| csv_time(d, opts))
                    .unwrap_or_default(),
                t.author_identifier.kind.clone(),
                // Masked as in the table: a person reads this file, and Excel would turn
                // the digits into a number without their leading zeros.
                if t.author_identifier.kind == "Pesel" {
                    mask_pesel(&t.author_identifier.value)
                } else {
                    t.author_identifier.value.clone()
                },
                t.context_identifier.kind.clone(),
                t.context_identifier.value.clone(),
                mask_pesels_in(&t.description).into_owned(),
                t.status_details.clone().unwrap_or_default().join("; "),
            ]);
            out.row(&row)?;
        }
    }
    out.finish().map(|_| ())
}

/// `KSeF environment: LABEL (URL), fetched TIME`: the first line of every listing table.
fn write_environment_line(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
    lang: Lang,
) -> io::Result<()> {
    writeln!(
        w,
        "{} {} ({}), {} {}",
        lang.t("KSeF environment:", "Środowisko KSeF:"),
        lang.environment(&snapshot.environment.label),
        snapshot.environment.base_url,
        lang.t("fetched", "pobrano"),
        lang.time(snapshot.fetched_at)
    )
}

/// A context's status as the listing tables write it: `complete` in green, the incomplete
/// word in red (`INCOMPLETE` when `loud`, else `incomplete`; Polish `kompletny`,
/// `NIEKOMPLETNY`).
fn context_status(status: ContextStatus, loud: bool, style: Style, lang: Lang) -> String {
    match (status, loud) {
        (ContextStatus::Complete, _) => style.paint(Tone::Good, lang.t("complete", "kompletny")),
        (ContextStatus::Incomplete, true) => {
            style.paint(Tone::Alarm, lang.t("INCOMPLETE", "NIEKOMPLETNY"))
        }
        (ContextStatus::Incomplete, false) => {
            style.paint(Tone::Alarm, lang.t("incomplete", "niekompletny"))
        }
    }
}

/// The heading of one context's block: a blank line, `NIP name: status, N nouns` (`counted`,
/// e.g. `6 tokens`), and each line of the reason it is incomplete (`render::reason`, in
/// `lang`) as `  ! …`.
fn write_context_heading(
    w: &mut dyn Write,
    ctx: &ContextSnapshot,
    status: &str,
    counted: &str,
    lang: Lang,
) -> io::Result<()> {
    writeln!(w)?;
    let name = ctx
        .name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    writeln!(w, "{}{name}: {status}, {counted}", ctx.nip)?;
    if ctx.reason.is_some() {
        let why = reason::lines(lang, ctx.reason_code.as_ref(), ctx.reason.as_deref());
        for line in why {
            writeln!(w, "  ! {line}")?;
        }
    }
    Ok(())
}

/// One block per context: a header line (status, counts, reason) and a table.
pub fn write_table(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    write_table_styled(w, snapshot, Style::default(), Lang::En)
}

const PERMISSIONS: usize = 2;
const CREATED: usize = 3;
const AUTHOR: usize = 5;
const DESCRIPTION: usize = 6;

/// The token table's columns: the description and the permissions shrink first (to 16 and
/// 20 characters), then CREATED, AUTHOR, PERMISSIONS and DESCRIPTION are left out, in that
/// order. REFERENCE, STATUS and LAST USED always stay.
fn layout(lang: Lang) -> Layout<'static> {
    Layout {
        header: match lang {
            Lang::En => &[
                "REFERENCE",
                "STATUS",
                "PERMISSIONS",
                "CREATED",
                "LAST USED",
                "AUTHOR",
                "DESCRIPTION",
            ],
            Lang::Pl => &[
                "NUMER REFERENCYJNY",
                "STATUS",
                "UPRAWNIENIA",
                "UTWORZONY",
                "OSTATNIE UŻYCIE",
                "AUTOR",
                "OPIS",
            ],
        },
        shrink: &[(DESCRIPTION, 16), (PERMISSIONS, 20)],
        drop: &[CREATED, AUTHOR, PERMISSIONS, DESCRIPTION],
        elsewhere: (
            "--format csv has every column",
            "--format csv zawiera wszystkie kolumny",
        ),
    }
}

/// One context's block in a listing table: the count in its heading (`6 tokens`) and its rows.
pub(crate) struct Block {
    pub counted: String,
    pub rows: Vec<Vec<Cell>>,
}

/// A listing table (`tokens`, `permissions`, `certificates`): the environment line, the note on
/// columns left out, then per context its heading and its rows, the same columns throughout.
pub(crate) struct Listing<'a> {
    pub snapshot: &'a TokenSnapshot,
    pub layout: Layout<'a>,
    pub style: Style,
    pub lang: Lang,
    /// `INCOMPLETE` in capitals (tokens) rather than `incomplete`.
    pub loud: bool,
}

impl Listing<'_> {
    /// Writes the listing, one block per context in order; `around` adds a context's own lines
    /// after its heading (`false`) and after its rows (`true`).
    pub fn write(
        &self,
        w: &mut dyn Write,
        blocks: &[Block],
        around: &mut dyn FnMut(&mut dyn Write, &ContextSnapshot, bool) -> io::Result<()>,
    ) -> io::Result<()> {
        let (style, lang) = (self.style, self.lang);
        write_environment_line(w, self.snapshot, lang)?;
        let all_rows = blocks.iter().flat_map(|b| &b.rows).map(Vec::as_slice);
        let shown = self.layout.columns(w, all_rows, style, lang)?;
        for (ctx, block) in self.snapshot.contexts.iter().zip(blocks) {
            let status = context_status(ctx.status, self.loud, style, lang);
            write_context_heading(w, ctx, &status, &block.counted, lang)?;
            around(w, ctx, false)?;
            if !block.rows.is_empty() {
                self.layout.write_block(w, &block.rows, &shown, style)?;
            }
            around(w, ctx, true)?;
        }
        Ok(())
    }

    /// [`Listing::write`] for a listing of one kind of item per context (tokens, grants),
    /// counted with `nouns` (English, Polish) and nothing around the tables.
    pub fn write_items<T>(
        &self,
        w: &mut dyn Write,
        items: impl Fn(&ContextSnapshot) -> &[T],
        nouns: ((&str, &str), (&str, &str, &str)),
        row: impl Fn(&T) -> Vec<Cell>,
    ) -> io::Result<()> {
        let blocks: Vec<Block> = self
            .snapshot
            .contexts
            .iter()
            .map(|c| Block {
                counted: self.lang.count(items(c).len() as u64, nouns.0, nouns.1),
                rows: items(c).iter().map(&row).collect(),
            })
            .collect();
        self.write(w, &blocks, &mut |_, _, _| Ok(()))
    }
}

/// [`write_table`] for a terminal, in `lang`: statuses coloured, the table fitted to
/// `style.width` (with a note naming the columns left out; CSV and JSON always have every
/// column).
pub fn write_table_styled(
    w: &mut dyn Write,
    snapshot: &TokenSnapshot,
    style: Style,
    lang: Lang,
) -> io::Result<()> {
    let listing = Listing {
        snapshot,
        layout: layout(lang),
        style,
        lang,
        loud: true,
    };
    listing.write_items(
        w,
        |c| &c.tokens,
        (("token", "tokens"), ("token", "tokeny", "tokenów")),
        |t| table_row(t, lang),
    )
}

/// An identifier type as a table shows it: KSeF's name (`Pesel`, `Nip`) in English, `PESEL`,
/// `NIP` in Polish, as the words are written (docs/polish.md).
pub(crate) fn id_type(kind: &str, lang: Lang) -> String {
    ksef_model::IdentifierType::from(kind)
        .label(lang == Lang::Pl)
        .to_string()
}

fn table_row(t: &TokenRecord, lang: Lang) -> Vec<Cell> {
    let kind = id_type(&t.author_identifier.kind, lang);
    let author = match t.author_identifier.kind.as_str() {
        "Pesel" => format!("{kind} {}", mask_pesel(&t.author_identifier.value)),
        _ => format!("{kind} {}", t.author_identifier.value),
    };
    let shown = mask_pesels_in(&t.description);
    let description = cut_cell(&shown, DESCRIPTION_WIDTH);
    vec![
        t.reference_number.clone().into(),
        value_word(lang, t.status.as_str()).into_owned().into(),
        permissions(t).into(),
        day(t.date_created, lang),
        t.last_use_date
            .map_or_else(|| lang.t("never", "nigdy").into(), |d| day(d, lang)),
        author.into(),
        description.into(),
    ]
}

fn permissions(t: &TokenRecord) -> String {
    t.requested_permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn status_word(ctx: &ContextSnapshot) -> &'static str {
    match ctx.status {
        ContextStatus::Complete => "complete",
        ContextStatus::Incomplete => "INCOMPLETE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use ksef_model::EnvironmentRef;

    fn snapshot() -> TokenSnapshot {
        let token: TokenRecord = serde_json::from_value(serde_json::json!({
            "referenceNumber": "20251001-EC-2DD3AFF000-A6B7F19A95-11",
            "authorIdentifier": {"type": "Pesel", "value": "85010112345"},
            "contextIdentifier": {"type": "Nip", "value": "5265877635"},
            "description": "Wystawianie i przeglądanie faktur, bardzo długi opis tokena w systemie ERP",
            "requestedPermissions": ["InvoiceRead", "InvoiceWrite"],
            "dateCreated": "2025-10-01T13:20:52.9919681+00:00",
            "status": "Active",
            "statusDetails": []
        }))
        .expect("token");
        let ctx =
            |nip: &str, status, reason: Option<&str>, tokens: Vec<TokenRecord>| ContextSnapshot {
                nip: nip.into(),
                name: Some("Alfa sp. z o.o.".into()),
                environment: "test".into(),
                status,
                reason: reason.map(str::to_string),
                reason_code: None,
                fetched_at: "2026-01-01T00:00:00Z".parse().expect("date"),
                duration_ms: 5,
                auditor_reference: None,
                auditor_permissions: None,
                tokens,
                grants: Vec::new(),
                certificates: Default::default(),
            };
        TokenSnapshot {
            schema_version: 1,
            kind: ksef_model::SNAPSHOT_KIND.into(),
            tool_version: "0.1.0".into(),
            environment: EnvironmentRef {
                label: "test".into(),
                base_url: "https://api-test.ksef.mf.gov.pl/v2".into(),
            },
            fetched_at: "2026-01-01T00:00:00Z".parse().expect("date"),
            contexts: vec![
                ctx("5265877635", ContextStatus::Complete, None, vec![token]),
                ctx(
                    "7762811692",
                    ContextStatus::Incomplete,
                    Some("HTTP 503"),
                    vec![],
                ),
            ],
        }
    }

    #[test]
    fn table_shows_status_reason_and_masks_pesel() {
        let mut out = Vec::new();
        write_table(&mut out, &snapshot()).expect("renders");
        let text = String::from_utf8(out).expect("utf8");
        assert!(
            text.contains("5265877635 Alfa sp. z o.o.: complete, 1 token"),
            "{text}"
        );
        assert!(
            text.contains("7762811692 Alfa sp. z o.o.: INCOMPLETE, 0 tokens"),
            "{text}"
        );
        assert!(text.contains("! HTTP 503"), "{text}");
        assert!(text.contains("Pesel 85*******45"), "{text}");
        assert!(!text.contains("85010112345"), "{text}");
        assert!(text.contains("InvoiceRead,InvoiceWrite"), "{text}");
        assert!(text.contains('…'), "{text}");
    }

    #[test]
    fn a_pesel_in_a_description_is_masked_in_table_and_csv() {
        let mut snap = snapshot();
        snap.contexts[0].tokens[0].description = "token Tomka 96050930871".into();
        for csv in [false, true] {
            let mut out = Vec::new();
            if csv {
                write_csv(&mut out, &snap, CsvOptions::default()).expect("renders");
            } else {
                write_table(&mut out, &snap).expect("renders");
            }
            let text = String::from_utf8(out).expect("utf8");
            assert!(text.contains("token Tomka 96*******71"), "{text}");
            assert!(!text.contains("96050930871"), "{text}");
        }
    }

    #[test]
    fn csv_has_a_row_per_token_and_per_incomplete_context() {
        let mut out = Vec::new();
        write_csv(&mut out, &snapshot(), CsvOptions::default()).expect("renders");
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][5], "20251001-EC-2DD3AFF000-A6B7F19A95-11");
        assert_eq!(&rows[1][3], "incomplete");
        assert_eq!(&rows[1][4], "HTTP 503");
        assert_eq!(reader.headers().expect("header").len(), CSV_COLUMNS.len());
        // The PESEL is masked as in the table (a person reads the file; Excel would
        // otherwise turn it into a number).
        assert_eq!(&rows[0][11], "85*******45");
    }

    #[test]
    fn excel_csv_has_semicolons_and_times_excel_parses() {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &snapshot(),
            CsvOptions::excel(ksef_model::i18n::Lang::En),
        )
        .expect("renders");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with('\u{feff}'), "BOM");
        let row = text.lines().nth(1).expect("a row");
        assert!(row.contains(";85*******45;"), "{row}");
        assert!(!row.contains("+00:00"), "{row}");
    }

    #[test]
    fn json_round_trips() {
        let mut out = Vec::new();
        write_json(&mut out, &snapshot()).expect("renders");
        let back: TokenSnapshot = serde_json::from_slice(&out).expect("parses");
        assert_eq!(back, snapshot());
    }
}
