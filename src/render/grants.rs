//! `ksef-audit permissions` output: every permission grant of every context as a
//! readable table (PESEL masked), CSV (the one [`CsvWriter`], plain or Excel mode; the
//! holder masked too, since people open it), or the versioned JSON snapshot (the same
//! document `tokens --format json` writes, so `audit --from` audits grants offline).

use std::io::{self, Write};

use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use crate::render::csv::value_word;
use crate::render::style::Style;
use crate::render::style::Tone;
use crate::render::table::Cell;
use crate::render::table::Layout;
use crate::render::table::day;
use crate::render::tokens::Listing;
use crate::render::tokens::context_csv_head;
use crate::render::tokens::id_type;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;

/// CSV columns, in order (part of the interface: add at the end only).
pub const CSV_COLUMNS: [&str; 14] = [
    "environment",
    "nip",
    "client_name",
    "context_status",
    "context_reason",
    "grant_id",
    "kind",
    "holder_type",
    "holder",
    "holder_name",
    "permission",
    "can_delegate",
    "target",
    "start_date",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_COLUMNS_PL: [&str; 14] = [
    "Środowisko",
    "NIP",
    "Nazwa klienta",
    "Stan kontekstu",
    "Przyczyna niekompletności",
    "Id uprawnienia",
    "Rodzaj",
    "Typ posiadacza",
    "Posiadacz",
    "Nazwa posiadacza",
    "Uprawnienie",
    "Może przekazywać",
    "Cel",
    "Data nadania",
];

fn target(g: &GrantRecord, lang: Lang) -> String {
    g.target
        .as_ref()
        .map(|t| {
            let kind = t.kind.label(lang == Lang::Pl);
            match t.value.as_deref() {
                Some(_) => format!("{kind} {}", t.masked()),
                None => kind.to_string(),
            }
        })
        .unwrap_or_default()
}

/// A grant's kind: the KSeF name in English, its Polish label in Polish.
fn kind(g: &GrantRecord, lang: Lang) -> String {
    match lang {
        Lang::En => g.kind.to_string(),
        Lang::Pl => g.kind.polish().to_string(),
    }
}

/// One row per grant, plus one row per context without grants (so an incomplete
/// context is never lost).
pub fn write_csv(w: &mut dyn Write, snapshot: &TokenSnapshot, opts: CsvOptions) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    for ctx in &snapshot.contexts {
        let head = context_csv_head(snapshot, ctx, opts);
        if ctx.grants.is_empty() {
            let mut row = head.to_vec();
            row.resize(CSV_COLUMNS.len(), String::new());
            out.row(&row)?;
        }
        for g in &ctx.grants {
            let mut row = head.to_vec();
            row.extend([
                g.id.clone(),
                kind(g, opts.lang),
                id_type(g.holder.kind.as_str(), opts.lang),
                g.holder.masked(),
                g.holder_name().unwrap_or_default(),
                g.scope.to_string(),
                opts.word(&g.can_delegate.to_string()).into_owned(),
                target(g, opts.lang),
                crate::render::csv::csv_time(g.start_date, opts),
            ]);
            out.row(&row)?;
        }
    }
    out.finish().map(|_| ())
}

/// One block per context: a header line (status, count, reason) and a table.
pub fn write_table(w: &mut dyn Write, snapshot: &TokenSnapshot) -> io::Result<()> {
    write_table_styled(w, snapshot, Style::default(), Lang::En)
}

const GRANT_ID: usize = 0;
const KIND: usize = 1;
const NAME: usize = 3;
const DELEGATE: usize = 5;
const TARGET: usize = 6;
const SINCE: usize = 7;

/// The grant table's columns: the holder's name and the target shrink first, then SINCE,
/// TARGET, KIND, GRANT ID (a cut id is of no use), DELEGATE and NAME are left out, in that
/// order. HOLDER and PERMISSION always stay.
fn layout(lang: Lang) -> Layout<'static> {
    Layout {
        header: match lang {
            Lang::En => &[
                "GRANT ID",
                "KIND",
                "HOLDER",
                "NAME",
                "PERMISSION",
                "DELEGATE",
                "TARGET",
                "SINCE",
            ],
            Lang::Pl => &[
                "ID UPRAWNIENIA",
                "RODZAJ",
                "POSIADACZ",
                "NAZWA",
                "UPRAWNIENIE",
                "PRZEKAZYWANIE",
                "CEL",
                "NADANO",
            ],
        },
        shrink: &[(NAME, 12), (TARGET, 12)],
        drop: &[SINCE, TARGET, KIND, GRANT_ID, DELEGATE, NAME],
        elsewhere: (
            "--format csv has every column",
            "--format csv zawiera wszystkie kolumny",
        ),
    }
}

/// The tone of a permission: the administrative ones (what `admin-permission` finds) red,
/// issuing invoices yellow.
fn scope_tone(scope: &GrantScope) -> Option<Tone> {
    match scope {
        GrantScope::CredentialsManage | GrantScope::SubunitManage => Some(Tone::Bad),
        GrantScope::InvoiceWrite => Some(Tone::Warn),
        _ => None,
    }
}

fn table_row(g: &GrantRecord, lang: Lang) -> Vec<Cell> {
    vec![
        g.id.clone().into(),
        kind(g, lang).into(),
        format!(
            "{} {}",
            id_type(g.holder.kind.as_str(), lang),
            lang.preview(&g.holder.masked())
        )
        .into(),
        g.holder_name().unwrap_or_default().into(),
        Cell::toned(g.scope.to_string(), scope_tone(&g.scope)),
        // A holder who may pass the permission on is what `delegable-grant` finds.
        Cell::toned(
            if g.can_delegate {
                value_word(lang, "yes").into_owned()
            } else {
                String::new()
            },
            Some(Tone::Warn),
        ),
        target(g, lang).into(),
        day(g.start_date, lang),
    ]
}

/// [`write_table`] for a terminal, in `lang`: statuses and risky permissions coloured, the
/// table fitted to `style.width` (with a note naming the columns left out).
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
        loud: false,
    };
    listing.write_items(
        w,
        |c| &c.grants,
        (
            ("grant", "grants"),
            ("uprawnienie", "uprawnienia", "uprawnień"),
        ),
        |g| table_row(g, lang),
    )
}
