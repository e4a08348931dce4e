//! People who left (quarterly report): each person the audit gathered into one item, and
//! each person an offboarding record is kept for, with what they still hold and their
//! newest record. People are named by staff id or e-mail, never by PESEL.

use crate::render::html::LinkedRecord;
use crate::render::html::model::*;
use ksef_model::AuditItem;
use ksef_model::ItemKind;

/// How many people the section names; the rest are counted.
const MAX_ROWS: usize = 20;

pub(super) fn leavers(cx: &Ctx<'_>) -> Leavers {
    let items: Vec<&AuditItem> = cx
        .audit
        .map(|a| {
            a.items
                .iter()
                .filter(|i| i.kind == ItemKind::Person)
                .collect()
        })
        .unwrap_or_default();
    let records = cx.records.unwrap_or_default();
    let mut rows: Vec<LeaverRow> = items
        .iter()
        .filter_map(|i| {
            let person = i.person.as_deref()?;
            Some(row(cx, person, counts(cx, i), newest(records, person)))
        })
        .collect();
    // People with a record but nothing left in this audit, by staff id.
    let mut rest: Vec<&str> = records
        .iter()
        .map(|r| r.record.person.staff_id.as_str())
        .filter(|id| {
            !items
                .iter()
                .any(|i| i.person.as_deref().is_some_and(|p| same(p, id)))
        })
        .collect();
    rest.sort_unstable_by_key(|id| id.to_lowercase());
    rest.dedup_by(|a, b| same(a, b));
    rows.extend(
        rest.into_iter()
            .map(|id| row(cx, id, cx.tr("leavers_nothing_left"), newest(records, id))),
    );
    let more = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    Leavers {
        present: !rows.is_empty(),
        records_given: cx.records.is_some(),
        rows,
        more: if more > 0 {
            cx.tr("leavers_more").replace("{n}", &more.to_string())
        } else {
            String::new()
        },
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The person's newest record (by the time it was written).
fn newest<'a>(records: &'a [LinkedRecord], person: &str) -> Option<&'a LinkedRecord> {
    records
        .iter()
        .filter(|r| same(&r.record.person.staff_id, person))
        .max_by_key(|r| r.record.generated_at)
}

fn row(cx: &Ctx<'_>, person: &str, left: String, record: Option<&LinkedRecord>) -> LeaverRow {
    LeaverRow {
        person: cx.mask.text(person),
        left,
        record: record.map(|r| link(cx, r)),
    }
}

fn link(cx: &Ctx<'_>, r: &LinkedRecord) -> RecordLink {
    let rec = &r.record;
    RecordLink {
        href: r.href.clone(),
        date: cx.date(local_date(rec.generated_at)),
        mode: cx.tr(if rec.mode == "plan" {
            "leavers_mode_plan"
        } else {
            "leavers_mode_done"
        }),
        gone: rec
            .access_gone_on
            .map(|d| cx.tr("leavers_gone").replace("{date}", &cx.date(d)))
            .unwrap_or_default(),
    }
}

/// What a person item still holds: contexts, grants, tokens, certificates.
fn counts(cx: &Ctx<'_>, item: &AuditItem) -> String {
    let findings: Vec<&AuditFinding> = cx
        .audit
        .map(|a| {
            a.findings
                .iter()
                .filter(|f| item.finding_ids.contains(&f.id))
                .collect()
        })
        .unwrap_or_default();
    let count = |rules: &[&str]| {
        findings
            .iter()
            .filter(|f| rules.contains(&f.rule.as_str()))
            .count()
            .to_string()
    };
    cx.tr("leavers_counts")
        .replace("{contexts}", &item.nips.len().to_string())
        .replace(
            "{grants}",
            &count(&["grant-held-by-leaver", "read-grant-held-by-leaver"]),
        )
        .replace("{tokens}", &count(&["author-left", "owner-left"]))
        .replace("{certificates}", &count(&["certificate-of-leaver"]))
}
