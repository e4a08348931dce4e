//! `ksef-audit certificates` output: the KSeF certificates of every context, with the
//! findings of the certificate rules, as a readable table (subject identifiers masked), CSV
//! (the one [`CsvWriter`], plain or Excel mode) or the versioned JSON snapshot with a
//! `findings` array added (the snapshot part still reads with `audit --from`).
//!
//! Nothing here sees key material: the snapshot holds certificate metadata only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::model::{
    AuditFinding, CertificateRecord, ContextSnapshot, ContextStatus, InventoryEntry, TokenSnapshot,
};
use crate::render::csv::{CsvOptions, CsvWriter, csv_time};
use crate::render::tokens::{
    context_csv_head, write_aligned, write_context_heading, write_environment_line,
};

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
fn not_read(ctx: &ContextSnapshot) -> Option<String> {
    let c = &ctx.certificates;
    if let Some(p) = &c.problem {
        return Some(format!("certificate list not read: {p}"));
    }
    if c.signed_in_with.is_none() {
        return Some(
            "signed in with a token: KSeF lists certificates only to a certificate sign-in".into(),
        );
    }
    None
}

fn status_word(status: ContextStatus) -> &'static str {
    match status {
        ContextStatus::Complete => "complete",
        ContextStatus::Incomplete => "incomplete",
    }
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
    out.row(CSV_COLUMNS)?;
    let days_col = CSV_COLUMNS
        .iter()
        .position(|c| *c == "days_left")
        .unwrap_or_default();
    for ctx in &listing.snapshot.contexts {
        let certs = &ctx.certificates;
        let mut head = context_csv_head(listing.snapshot, ctx, opts).to_vec();
        let not_read = not_read(ctx);
        if head[4].is_empty() {
            head[4] = not_read.clone().unwrap_or_default();
        }
        head.push(not_read.is_none().to_string());
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
                c.subject_identifier.kind.clone(),
                c.subject_identifier.masked(),
                c.status.to_string(),
                csv_time(c.valid_from, opts),
                csv_time(c.valid_to, opts),
                c.days_left(listing.now).to_string(),
                last_used(c).map(|d| csv_time(d, opts)).unwrap_or_default(),
                csv_time(c.request_date, opts),
                (certs.signed_in_with.as_deref() == Some(serial.as_str())).to_string(),
                listing.in_inventory(&ctx.nip, serial),
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
    let snapshot = listing.snapshot;
    write_environment_line(w, snapshot)?;
    let mut by_nip: BTreeMap<&str, Vec<&AuditFinding>> = BTreeMap::new();
    for f in listing.findings {
        by_nip.entry(f.nip.as_str()).or_default().push(f);
    }
    for ctx in &snapshot.contexts {
        let certs = &ctx.certificates;
        write_context_heading(
            w,
            ctx,
            status_word(ctx.status),
            certs.list.len(),
            "certificate",
        )?;
        // An incomplete context's reason is in the heading already.
        if let (None, Some(why)) = (&ctx.reason, not_read(ctx)) {
            writeln!(w, "  - {why}")?;
        }
        if let Some(serial) = &certs.signed_in_with {
            writeln!(w, "  signed in with certificate {serial}")?;
        }
        if let Some(l) = &certs.limits {
            writeln!(
                w,
                "  limits: {} of {} certificates and {} of {} enrolments left{}",
                l.certificate.remaining,
                l.certificate.limit,
                l.enrollment.remaining,
                l.enrollment.limit,
                if l.can_request {
                    ""
                } else {
                    "; no new certificate can be requested"
                }
            )?;
        }
        if !certs.list.is_empty() {
            let mut rows = vec![
                [
                    "SERIAL",
                    "NAME",
                    "SUBJECT",
                    "STATUS",
                    "VALID TO",
                    "DAYS LEFT",
                    "LAST USED",
                    "INVENTORY",
                    "FINDINGS",
                ]
                .map(str::to_string)
                .to_vec(),
            ];
            let mut sorted: Vec<&CertificateRecord> = certs.list.iter().collect();
            sorted.sort_by(|a, b| {
                a.valid_to.cmp(&b.valid_to).then(
                    a.certificate_serial_number
                        .cmp(&b.certificate_serial_number),
                )
            });
            for c in sorted {
                let serial = &c.certificate_serial_number;
                rows.push(vec![
                    serial.clone(),
                    c.name.clone(),
                    c.subject_identifier.masked(),
                    c.status.to_string(),
                    c.valid_to.format("%Y-%m-%d").to_string(),
                    c.days_left(listing.now).to_string(),
                    last_used(c)
                        .map_or_else(|| "never".to_string(), |d| d.format("%Y-%m-%d").to_string()),
                    match listing.row_of(&ctx.nip, serial) {
                        Some(e) => format!("row {}", e.row),
                        None if listing.inventory_given => "missing".into(),
                        None => String::new(),
                    },
                    listing.rules_of(&ctx.nip, serial).join(" "),
                ]);
            }
            write_aligned(w, &rows)?;
        }
        for f in by_nip.get(ctx.nip.as_str()).into_iter().flatten() {
            writeln!(
                w,
                "  {} {} {}: {}",
                f.severity, f.rule_id, f.rule, f.message
            )?;
        }
    }
    Ok(())
}
