//! The leak scan section.

use super::*;

/// The leak scan section.
pub(super) fn leaks(cx: &Ctx<'_>) -> Leaks {
    let tr = |k: &str| cx.tr(k);
    let leaks = cx.leaks;
    let mask = cx.mask;
    let leaks_view = match leaks {
        Some(l) => Leaks {
            present: true,
            scanned: tr("leaks_scanned")
                .replace("{root}", &mask.text(&l.target.root))
                .replace("{mode}", &l.target.mode)
                .replace("{files}", &l.stats.files.to_string())
                .replace("{blobs}", &l.stats.blobs.to_string()),
            rows: group_leaks(&l.findings)
                .iter()
                .map(|g| cx.leak_row(g))
                .collect(),
            suppressed: group_leaks(&l.suppressed)
                .iter()
                .map(|g| cx.leak_row(g))
                .collect(),
            errors: l
                .errors
                .iter()
                .map(|e| format!("{}: {}", mask.text(&e.path), mask.text(&e.message)))
                .collect(),
        },
        None => Leaks {
            present: false,
            scanned: String::new(),
            rows: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
        },
    };

    leaks_view
}
