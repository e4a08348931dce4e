//! What changed since the last quarter.

use super::*;

/// New / resolved / persisting against the last previous quarter.
pub(super) fn changes(cx: &Ctx<'_>) -> Changes {
    let facts = cx.facts;
    let tr = |k: &str| cx.tr(k);
    match &facts.changes {
        Some(c) => {
            let new: Vec<FindingRow> = c.new.iter().map(|f| cx.finding_row(f)).collect();
            let resolved: Vec<FindingRow> = c
                .resolved
                .iter()
                .map(|f| {
                    let mut row = cx.finding_row(f);
                    row.due = String::new();
                    row
                })
                .collect();
            let summary = tr("changes_summary")
                .replace("{new}", &new.len().to_string())
                .replace("{resolved}", &resolved.len().to_string())
                .replace("{persisting}", &c.persisting.to_string())
                .replace("{first}", &c.first_audit.to_string())
                .replace("{unchecked}", &c.not_rechecked.to_string());
            Changes {
                compared_with: quarter_of(c.compared_with),
                new,
                resolved,
                persisting: c.persisting,
                first_audit: c.first_audit,
                not_rechecked: c.not_rechecked,
                summary,
            }
        }
        _ => Changes {
            compared_with: String::new(),
            new: Vec::new(),
            resolved: Vec::new(),
            persisting: 0,
            first_audit: 0,
            not_rechecked: 0,
            summary: tr("changes_no_previous"),
        },
    }
}
