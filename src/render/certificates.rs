//! `ksef-audit certificates` output: the KSeF certificates of every context, with the
//! findings of the certificate rules, as a readable table (subject identifiers masked), CSV
//! (the one [`CsvWriter`], plain or Excel mode) or the versioned JSON snapshot with a
//! `findings` array added (the snapshot part still reads with `audit --from`).
//!
//! Nothing here sees key material: the snapshot holds certificate metadata only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::render::csv::CsvOptions;
use crate::render::csv::CsvWriter;
use crate::render::csv::csv_time;
use crate::render::csv::value_word;
use crate::render::style::Style;
use crate::render::style::Tone;
use crate::render::table::Cell;
use crate::render::table::Layout;
use crate::render::table::day;
use crate::render::tokens::Block;
use crate::render::tokens::Listing;
use crate::render::tokens::context_csv_head;
use ksef_model::AuditFinding;
use ksef_model::CertificateRecord;
use ksef_model::CertificateStatus;
use ksef_model::ContextSnapshot;
use ksef_model::InventoryEntry;
use ksef_model::TokenSnapshot;
use ksef_model::i18n;
use ksef_model::i18n::Lang;

/// Everything the certificate listing shows.
pub struct CertificateListing<'a> {
    pub snapshot: &'a TokenSnapshot,
    /// Findings of the certificate rules.
    pub findings: &'a [AuditFinding],
    /// Inventory rows naming a certificate (`certificate_serial`).
    pub inventory: &'a [InventoryEntry],
    /// An inventory was given (else "in inventory" is not known).
    pub inventory_given: bool,
    /// The moment days left are counted from (the snapshot's fetch time).
    pub now: DateTime<Utc>,
}

/// CSV columns, in order (part of the interface: add at the end only).
pub const CSV_COLUMNS: [&str; 21] = [
    "environment",
    "nip",
    "client_name",
    "context_status",
    "context_reason",
    "certificates_read",
    "certificate_serial",
    "name",
    "type",
    "subject_type",
    "subject",
    "status",
    "valid_from",
    "valid_to",
    "days_left",
    "last_used",
    "request_date",
    "signed_in_with",
    "in_inventory",
    "owner",
    "findings",
];

/// The same columns with Polish headers (`--lang pl`; docs/csv.md).
pub const CSV_COLUMNS_PL: [&str; 21] = [
    "Środowisko",
    "NIP",
    "Nazwa klienta",
    "Stan kontekstu",
    "Przyczyna niekompletności",
    "Lista certyfikatów odczytana",
    "Numer seryjny certyfikatu",
    "Nazwa",
    "Typ",
    "Typ podmiotu",
    "Podmiot",
    "Status",
    "Ważny od",
    "Ważny do",
    "Pozostało dni",
    "Ostatnie użycie",
    "Data wniosku",
    "Użyty do logowania",
    "W ewidencji",
    "Właściciel",
    "Ustalenia",
];

impl CertificateListing<'_> {
    fn row_of(&self, nip: &str, serial: &str) -> Option<&InventoryEntry> {
        self.inventory.iter().find(|e| {
            e.nip == nip && e.certificate_serial.as_deref() == Some(&serial.to_uppercase())
        })
    }

    /// Rule names of the findings about one certificate.
    fn rules_of(&self, nip: &str, serial: &str) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .findings
            .iter()
            .filter(|f| f.nip == nip && f.certificate_serial.as_deref() == Some(serial))
            .map(|f| f.rule.as_str())
            .collect();
        set.into_iter().collect()
    }

    fn in_inventory(&self, nip: &str, serial: &str) -> String {
        match (self.inventory_given, self.row_of(nip, serial)) {
            (false, _) => String::new(),
            (true, Some(_)) => "yes".into(),
            (true, None) => "no".into(),
        }
    }
}

/// Why a context shows no certificates, or `None` when its list was read.
fn not_read(ctx: &ContextSnapshot, lang: Lang) -> Option<String> {
    let c = &ctx.certificates;
    if let Some(p) = &c.problem {
        return Some(format!(
            "{}: {p}",
            lang.t(
                "certificate list not read",
                "nie odczytano listy certyfikatów"
            )
        ));
    }
    if c.signed_in_with.is_none() {
        return Some(
            lang.t(
                "signed in with a token: KSeF lists certificates only to a certificate sign-in",
                "zalogowano tokenem: KSeF pokazuje certyfikaty tylko po zalogowaniu certyfikatem",
            )
            .to_string(),
        );
    }
    None
}

fn last_used(c: &CertificateRecord) -> Option<DateTime<Utc>> {
    c.last_use_date.filter(|_| !c.never_used())
}

/// The snapshot as JSON with the certificate findings added as `findings`.
pub fn write_json(w: &mut dyn Write, listing: &CertificateListing<'_>) -> io::Result<()> {
    let mut doc = serde_json::to_value(listing.snapshot)?;
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert("findings".into(), serde_json::to_value(listing.findings)?);
    }
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// One row per certificate, plus one row per context without any (so a context whose list
/// was not read is never lost).
pub fn write_csv(
    w: &mut dyn Write,
    listing: &CertificateListing<'_>,
    opts: CsvOptions,
) -> io::Result<()> {
    let mut out = CsvWriter::new(w, opts)?;
    out.row(opts.headers(&CSV_COLUMNS, &CSV_COLUMNS_PL))?;
    let days_col = CSV_COLUMNS
        .iter()
        .position(|c| *c == "days_left")
        .unwrap_or_default();
    for ctx in &listing.snapshot.contexts {
        let certs = &ctx.certificates;
        let mut head = context_csv_head(listing.snapshot, ctx, opts).to_vec();
        let not_read = not_read(ctx, opts.lang);
        if head[4].is_empty() {
            head[4] = not_read.clone().unwrap_or_default();
        }
        head.push(opts.word(&not_read.is_none().to_string()).into_owned());
        if certs.list.is_empty() {
            let mut row = head.clone();
            row.resize(CSV_COLUMNS.len(), String::new());
            out.row(&row)?;
        }
        for c in &certs.list {
            let serial = &c.certificate_serial_number;
            let mut row = head.to_vec();
            row.extend([
                serial.clone(),
                c.name.clone(),
                c.kind.to_string(),
                crate::render::tokens::id_type(&c.subject_identifier.kind, opts.lang),
                c.subject_identifier.masked(),
                opts.word(c.status.as_str()).into_owned(),
                csv_time(c.valid_from, opts),
                csv_time(c.valid_to, opts),
                c.days_left(listing.now).to_string(),
                last_used(c).map(|d| csv_time(d, opts)).unwrap_or_default(),
                csv_time(c.request_date, opts),
                opts.word(&(certs.signed_in_with.as_deref() == Some(serial.as_str())).to_string())
                    .into_owned(),
                opts.word(&listing.in_inventory(&ctx.nip, serial))
                    .into_owned(),
                listing
                    .row_of(&ctx.nip, serial)
                    .and_then(|e| e.owner.clone())
                    .unwrap_or_default(),
                listing.rules_of(&ctx.nip, serial).join(" "),
            ]);
            out.row_numeric(&row, &[days_col])?;
        }
    }
    out.finish().map(|_| ())
}

/// One block per context: a header line, the limits, a table, then the findings.
pub fn write_table(w: &mut dyn Write, listing: &CertificateListing<'_>) -> io::Result<()> {
    write_table_styled(w, listing, Style::default(), Lang::En)
}

const NAME: usize = 1;
const SUBJECT: usize = 2;
const LAST_USED: usize = 6;
const INVENTORY: usize = 7;
const FINDINGS: usize = 8;

/// The certificate table's columns: the name and the findings shrink first, then LAST USED,
/// INVENTORY, SUBJECT, NAME and FINDINGS are left out, in that order. SERIAL, STATUS,
/// VALID TO and DAYS LEFT always stay.
fn layout(lang: Lang) -> Layout<'static> {
    Layout {
        header: match lang {
            Lang::En => &[
                "SERIAL",
                "NAME",
                "SUBJECT",
                "STATUS",
                "VALID TO",
                "DAYS LEFT",
                "LAST USED",
                "INVENTORY",
                "FINDINGS",
            ],
            Lang::Pl => &[
                "NUMER SERYJNY",
                "NAZWA",
                "PODMIOT",
                "STATUS",
                "WAŻNY DO",
                "POZOSTAŁO DNI",
                "OSTATNIE UŻYCIE",
                "EWIDENCJA",
                "USTALENIA",
            ],
        },
        shrink: &[(NAME, 12), (FINDINGS, 16)],
        drop: &[LAST_USED, INVENTORY, SUBJECT, NAME, FINDINGS],
        elsewhere: (
            "--format csv has every column",
            "--format csv zawiera wszystkie kolumny",
        ),
    }
}

fn table_row(
    listing: &CertificateListing<'_>,
    nip: &str,
    c: &CertificateRecord,
    lang: Lang,
) -> Vec<Cell> {
    let serial = &c.certificate_serial_number;
    let days = c.days_left(listing.now);
    let active = c.status == CertificateStatus::Active;
    let rules = listing.rules_of(nip, serial).join(" ");
    vec![
        serial.clone().into(),
        c.name.clone().into(),
        c.subject_identifier.masked().into(),
        Cell::toned(
            value_word(lang, c.status.as_str()),
            (!active).then_some(Tone::Dim),
        ),
        day(c.valid_to, lang),
        // Days left of a certificate in use: red within a month, yellow within two.
        Cell::toned(
            days.to_string(),
            match days {
                _ if !active => None,
                ..=30 => Some(Tone::Bad),
                31..=60 => Some(Tone::Warn),
                _ => None,
            },
        ),
        last_used(c).map_or_else(|| lang.t("never", "nigdy").into(), |d| day(d, lang)),
        match listing.row_of(nip, serial) {
            Some(e) => Cell::from(format!("{} {}", lang.t("row", "wiersz"), e.row)),
            None if listing.inventory_given => {
                Cell::toned(lang.t("missing", "brak"), Some(Tone::Warn))
            }
            None => Cell::default(),
        },
        Cell::toned(rules, Some(Tone::Warn)),
    ]
}

/// [`write_table`] for a terminal, in `lang`: statuses, days left and findings coloured,
/// the table fitted to `style.width` (with a note naming the columns left out).
pub fn write_table_styled(
    w: &mut dyn Write,
    listing: &CertificateListing<'_>,
    style: Style,
    lang: Lang,
) -> io::Result<()> {
    let snapshot = listing.snapshot;
    let mut by_nip: BTreeMap<&str, Vec<&AuditFinding>> = BTreeMap::new();
    for f in listing.findings {
        by_nip.entry(f.nip.as_str()).or_default().push(f);
    }
    let blocks: Vec<Block> = snapshot
        .contexts
        .iter()
        .map(|ctx| {
            let mut sorted: Vec<&CertificateRecord> = ctx.certificates.list.iter().collect();
            sorted.sort_by(|a, b| {
                a.valid_to.cmp(&b.valid_to).then(
                    a.certificate_serial_number
                        .cmp(&b.certificate_serial_number),
                )
            });
            Block {
                counted: lang.count(
                    sorted.len() as u64,
                    ("certificate", "certificates"),
                    ("certyfikat", "certyfikaty", "certyfikatów"),
                ),
                rows: sorted
                    .into_iter()
                    .map(|c| table_row(listing, &ctx.nip, c, lang))
                    .collect(),
            }
        })
        .collect();
    let table = Listing {
        snapshot,
        layout: layout(lang),
        style,
        lang,
        loud: false,
    };
    // Before a context's table: why it lists nothing, the sign-in and the limits; after it,
    // the findings.
    table.write(w, &blocks, &mut |w, ctx, after| {
        if after {
            for f in by_nip.get(ctx.nip.as_str()).into_iter().flatten() {
                let severity = match lang {
                    Lang::En => f.severity.as_str(),
                    Lang::Pl => i18n::tr(lang, &format!("sev_{}", f.severity.as_str())),
                };
                writeln!(
                    w,
                    "  {} {} {}: {}",
                    style.paint(Tone::of(f.severity), severity),
                    f.rule_id,
                    f.rule,
                    f.words(lang == Lang::Pl).0
                )?;
            }
            return Ok(());
        }
        let certs = &ctx.certificates;
        // An incomplete context's reason is in the heading already.
        if let (None, Some(why)) = (&ctx.reason, not_read(ctx, lang)) {
            writeln!(w, "  - {why}")?;
        }
        if let Some(serial) = &certs.signed_in_with {
            writeln!(
                w,
                "  {} {serial}",
                lang.t("signed in with certificate", "zalogowano certyfikatem")
            )?;
        }
        if let Some(l) = &certs.limits {
            let (c, e) = (&l.certificate, &l.enrollment);
            let limits = match lang {
                Lang::En => format!(
                    "limits: {} of {} certificates and {} of {} enrolments left",
                    c.remaining, c.limit, e.remaining, e.limit
                ),
                Lang::Pl => format!(
                    "limity: pozostało certyfikatów {} z {}, wniosków o certyfikat {} z {}",
                    c.remaining, c.limit, e.remaining, e.limit
                ),
            };
            let closed = lang.t(
                "; no new certificate can be requested",
                "; nie można złożyć wniosku o nowy certyfikat",
            );
            writeln!(w, "  {limits}{}", if l.can_request { "" } else { closed })?;
        }
        Ok(())
    })
}
