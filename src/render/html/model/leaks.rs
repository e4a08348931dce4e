//! The leak scan section.

use crate::render::html::model::*;

/// The leak scan section.
pub(super) fn leaks(cx: &Ctx<'_>) -> Leaks {
    let tr = |k: &str| cx.tr(k);
    let leaks = cx.leaks;
    let mask = cx.mask;
    match leaks {
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
                .map(|e| {
                    let message = ksef_model::i18n::warning::lines(cx.lang, &e.message);
                    format!("{}: {}", mask.text(&e.path), mask.text(&message.join("\n")))
                })
                .chain(l.skipped.iter().map(|s| {
                    let message = ksef_model::i18n::errors::localised(cx.lang, &s.message);
                    format!(
                        "{} {}: {}",
                        tr("leaks_skipped"),
                        mask.text(&s.path),
                        mask.text(&ksef_model::i18n::stderr::prefixed(cx.lang, &message))
                    )
                }))
                .collect(),
        },
        None => Leaks {
            present: false,
            scanned: String::new(),
            rows: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
        },
    }
}

impl Ctx<'_> {
    /// The status of a leak for a person: "not verifiable" says why when the audit
    /// could not read the leak's context (its real reason, e.g. no read permission).
    fn leak_status_label(&self, f: &LeakFinding, status_key: &str) -> String {
        let context_reason = (f.status == LeakStatus::Unknown)
            .then(|| {
                let a = self.audit?;
                let nip = f.nip.as_deref()?;
                a.contexts
                    .iter()
                    .find(|c| c.nip == nip && c.status == ContextStatus::Incomplete)
                    .filter(|c| c.reason.is_some())
            })
            .flatten();
        match context_reason {
            Some(c) => self.tr("leak_status_unknown_ctx").replace(
                "{reason}",
                &crate::render::html::model::urgent::context_reason(
                    self,
                    c.reason_code.as_ref(),
                    c.reason.as_deref(),
                ),
            ),
            None => self.tr(&format!("leak_status_{status_key}")),
        }
    }

    fn leak_row(&self, group: &[&LeakFinding]) -> LeakRow {
        let f = group[0];
        let severity = group.iter().map(|f| f.severity).max().unwrap_or(f.severity);
        let status = f.status;
        let status_key = match status {
            LeakStatus::Active => "active",
            LeakStatus::Revoked => "revoked",
            LeakStatus::Unknown => "unknown",
            LeakStatus::Unverified => "unverified",
            LeakStatus::NotFound => "not-found",
        };
        let locations = group
            .iter()
            .map(|f| {
                let mut s = self.mask.text(&f.path);
                if let Some(l) = f.line {
                    s.push_str(&format!(":{l}"));
                }
                if let Some(c) = &f.commit {
                    s.push_str(&format!(" @ {}", c.chars().take(10).collect::<String>()));
                }
                s
            })
            .collect();
        let suppression = f
            .suppression
            .as_ref()
            .map(|s| {
                let kind = i18n::tr(
                    self.lang,
                    match s.kind {
                        ksef_model::SuppressionKind::Baseline => "supp_baseline",
                        ksef_model::SuppressionKind::Exception => "supp_exception",
                        ksef_model::SuppressionKind::Inline => "supp_inline",
                        ksef_model::SuppressionKind::ConfiguredTokenFile => "supp_token_file",
                    },
                );
                match s
                    .reason
                    .as_deref()
                    .or(s.exception.as_ref().map(|e| e.reason.as_str()))
                {
                    Some(r) => format!("{kind}: {}", self.mask.text(r)),
                    None => kind.to_string(),
                }
            })
            .unwrap_or_default();
        LeakRow {
            rule: f.rule.clone(),
            severity: sev_key(severity),
            sev_label: sev_label(self.lang, severity),
            redacted: self.mask.text(&self.lang.preview(&f.redacted)),
            nip: f
                .nip
                .as_deref()
                .map(|n| self.mask.nip(n))
                .unwrap_or_default(),
            reference: f.reference_number.clone().unwrap_or_default(),
            owner: self.mask.opt_text(f.owner.as_deref()),
            locations,
            status: status_key,
            status_label: self.leak_status_label(f, status_key),
            active: status == LeakStatus::Active,
            fingerprint: f.fingerprint.chars().take(12).collect(),
            suppression,
        }
    }
}

/// Leak findings grouped by fingerprint, worst first.
pub(super) fn group_leaks(findings: &[LeakFinding]) -> Vec<Vec<&LeakFinding>> {
    let mut by_fp: BTreeMap<&str, Vec<&LeakFinding>> = BTreeMap::new();
    for f in findings {
        by_fp.entry(&f.fingerprint).or_default().push(f);
    }
    let mut groups: Vec<_> = by_fp.into_values().collect();
    groups.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.iter().map(|f| f.severity).max()),
            g[0].status != LeakStatus::Active,
            g[0].path.clone(),
        )
    });
    groups
}
