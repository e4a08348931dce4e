//! The cover page.

use crate::render::html::model::*;

/// The label of an input's digest: `audit: inventory`; in Polish `audyt: ewidencja`.
fn digest_name(lang: Lang, run: &str, input: &str) -> String {
    if lang == Lang::En {
        return format!("{run}: {input}");
    }
    let run = match run {
        "audit" => "audyt",
        "leaks" => "wycieki",
        other => other,
    };
    let input = match input {
        "inventory" => "ewidencja",
        "snapshot" => "lista tokenów",
        "staff" => "lista pracowników",
        "exceptions" => "wyjątki",
        "access-register" => "rejestr dostępów",
        "config" => "konfiguracja",
        "baseline" => "linia bazowa",
        other => other,
    };
    format!("{run}: {input}")
}

/// The cover: firm, quarter, environment, coverage and input digests.
pub(super) fn cover(cx: &Ctx<'_>) -> Cover {
    let now = cx.now;
    let tr = |k: &str| cx.tr(k);
    let audit = cx.audit;
    let leaks = cx.leaks;
    let as_of_time = cx.as_of_time;
    let opts = cx.opts;
    let firm = opts
        .firm
        .clone()
        .or_else(|| audit.and_then(|a| a.firm.clone()))
        .unwrap_or_default();
    let quarter = cx.quarter.clone();
    let coverage = match audit {
        Some(a) => {
            let total = a.contexts.len();
            let incomplete = a
                .contexts
                .iter()
                .filter(|c| c.status == ContextStatus::Incomplete)
                .count();
            tr("coverage_line")
                .replace("{audited}", &(total - incomplete).to_string())
                .replace("{total}", &total.to_string())
                .replace("{incomplete}", &incomplete.to_string())
        }
        None => tr("coverage_none"),
    };
    let mut digests = Vec::new();
    for (name, value) in &opts.input_digests {
        digests.push(Digest {
            name: name.clone(),
            value: value.clone(),
        });
    }
    if let Some(a) = audit {
        for (name, value) in &a.digests.inputs {
            digests.push(Digest {
                name: digest_name(cx.lang, "audit", name),
                value: value.clone(),
            });
        }
    }
    if let Some(l) = leaks {
        for (name, value) in &l.digests.inputs {
            digests.push(Digest {
                name: digest_name(cx.lang, "leaks", name),
                value: value.clone(),
            });
        }
    }
    let rules_digest = [
        audit.map(|a| a.digests.rules.clone()),
        leaks.map(|l| l.digests.rules.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|d| !d.is_empty())
    .collect::<Vec<_>>()
    .join(" / ");
    Cover {
        firm,
        quarter: quarter.clone(),
        generated_local: show_time(cx.lang, now),
        as_of_local: show_time(cx.lang, as_of_time),
        tool_version: TOOL_VERSION.to_string(),
        environment: audit
            .map(|a| {
                let label = cx.lang.environment(&a.environment.label);
                format!("{label} ({})", a.environment.base_url)
            })
            .unwrap_or_else(|| "–".into()),
        coverage,
        rules_digest,
        digests,
    }
}

/// The NIP masker: every NIP of the inputs, or the listed ones, or none.
pub(super) fn masker(input: &ReportInput, opts: &ReportOptions) -> Masker {
    let audit = input.audit.as_ref();
    let leaks = input.leaks.as_ref();
    let mut all_nips = BTreeSet::new();
    if let Some(a) = audit {
        all_nips.extend(a.contexts.iter().map(|c| c.nip.clone()));
        all_nips.extend(a.findings.iter().map(|f| f.nip.clone()));
    }
    for p in &input.previous {
        all_nips.extend(p.contexts.iter().map(|c| c.nip.clone()));
    }
    if let Some(l) = leaks {
        all_nips.extend(
            l.findings
                .iter()
                .chain(&l.suppressed)
                .filter_map(|f| f.nip.clone()),
        );
    }
    let masked: BTreeSet<String> = match &opts.mask_nip {
        crate::render::html::NipMasking::None => BTreeSet::new(),
        crate::render::html::NipMasking::All => all_nips,
        crate::render::html::NipMasking::Only(set) => set.clone(),
    };
    Masker::new(&input.staff, masked)
}
