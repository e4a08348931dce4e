//! `--verify` for leak findings (`GET /tokens/{ref}` in the finding's own context)
//! and revocation of leaked tokens (`DELETE /tokens/{ref}`). The leaked secret is
//! never sent anywhere: only its reference number, with the firm's own credential.

use std::collections::BTreeMap;

use super::error::ApiError;
use super::fetch::{open_session, runtime};
use super::http::{Transport, http_client};
use super::progress::Progress;
use super::tokens::{get_token, revoke_token};
use crate::config::{CredentialSource, KsefSettings};
use crate::model::{LeakResults, LeakStatus, LeakVerdicts, TokenStatus};

/// What KSeF says of a token, as a leak status.
pub fn leak_status(status: Option<&TokenStatus>) -> LeakStatus {
    match status {
        // A Pending token becomes usable by itself: as dangerous as an active one.
        Some(TokenStatus::Active | TokenStatus::Pending) => LeakStatus::Active,
        Some(TokenStatus::Revoking | TokenStatus::Revoked | TokenStatus::Failed) => {
            LeakStatus::Revoked
        }
        Some(TokenStatus::Other(_)) | None => LeakStatus::Unknown,
    }
}

/// Looks up each finding's reference in its NIP's context (only NIPs the settings
/// can authenticate to) and returns what KSeF says of it. Findings of other NIPs get no
/// verdict and a warning says why. Nothing is changed here: evaluate applies the verdicts
/// (`evaluate::leaks::apply_leak_verdicts`).
pub fn verify_leaks(results: &LeakResults, settings: &KsefSettings) -> LeakVerdicts {
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in results.findings.iter().chain(&results.suppressed) {
        if let (Some(nip), Some(reference)) = (&f.nip, &f.reference_number) {
            let refs = wanted.entry(nip.clone()).or_default();
            if !refs.contains(reference) {
                refs.push(reference.clone());
            }
        }
    }
    let mut verdicts: BTreeMap<(String, String), LeakStatus> = BTreeMap::new();
    let mut warnings = Vec::new();
    let checkable: Vec<(String, Vec<String>)> = wanted
        .into_iter()
        .filter(|(nip, _)| {
            let ok = settings
                .context(nip)
                .is_some_and(|c| c.credential != CredentialSource::Missing);
            if !ok {
                warnings.push(format!(
                    "--verify: no KSeF credential for NIP {nip}, its findings stay unverified\nhelp: set KSEF_TOKEN_{nip} to a token with CredentialsRead"
                ));
            }
            ok
        })
        .collect();
    if !checkable.is_empty() {
        match runtime() {
            Ok(rt) => rt.block_on(async {
                for (nip, refs) in &checkable {
                    match lookup(settings, nip, refs).await {
                        Ok(found) => {
                            for (reference, status) in found {
                                verdicts.insert((nip.clone(), reference), status);
                            }
                        }
                        Err(e) => {
                            warnings.push(format!("--verify: {e}"));
                            for r in refs {
                                verdicts.insert((nip.clone(), r.clone()), LeakStatus::Unknown);
                            }
                        }
                    }
                }
            }),
            Err(e) => warnings.push(format!("--verify: cannot start the async runtime: {e}")),
        }
    }
    LeakVerdicts {
        statuses: verdicts,
        warnings,
    }
}

async fn lookup(
    settings: &KsefSettings,
    nip: &str,
    refs: &[String],
) -> Result<Vec<(String, LeakStatus)>, ApiError> {
    let spec = settings.context(nip).ok_or_else(|| ApiError::Credential {
        nip: nip.to_string(),
        message: "not an audited context".into(),
        help: None,
    })?;
    let http = http_client(settings).map_err(|e| ApiError::Credential {
        nip: nip.to_string(),
        message: format!("cannot build the HTTP client: {e}"),
        help: None,
    })?;
    let t = Transport::new(http, settings, nip, Progress::none());
    let mut session = open_session(&t, settings, spec).await?;
    let mut out = Vec::new();
    for reference in refs {
        let status = match get_token(&t, &mut session, reference).await {
            Ok(rec) => leak_status(rec.as_ref().map(|r| &r.status)),
            // Not visible or not found in this context.
            Err(e) if matches!(e.http_status(), Some(400 | 403)) => LeakStatus::Unknown,
            Err(e) => {
                let _ = session.close(&t).await;
                return Err(e);
            }
        };
        out.push((reference.clone(), status));
    }
    let _ = session.close(&t).await;
    Ok(out)
}

/// The result of revoking one token.
#[derive(Debug)]
pub struct RevokeOutcome {
    pub nip: String,
    pub reference: String,
    pub result: Result<(), String>,
}

/// Revokes `(nip, reference)` pairs, one session per NIP. Blocking.
pub fn revoke_tokens(settings: &KsefSettings, targets: &[(String, String)]) -> Vec<RevokeOutcome> {
    let mut by_nip: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (nip, reference) in targets {
        by_nip.entry(nip).or_default().push(reference);
    }
    let fail_all = |reason: &str| -> Vec<RevokeOutcome> {
        targets
            .iter()
            .map(|(nip, reference)| RevokeOutcome {
                nip: nip.clone(),
                reference: reference.clone(),
                result: Err(reason.to_string()),
            })
            .collect()
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail_all(&format!("cannot start the async runtime: {e}")),
    };
    let http = match http_client(settings) {
        Ok(h) => h,
        Err(e) => return fail_all(&format!("cannot build the HTTP client: {e}")),
    };
    rt.block_on(async {
        let mut out = Vec::new();
        for (nip, refs) in by_nip {
            let t = Transport::new(http.clone(), settings, nip, Progress::none());
            let session = match settings.context(nip) {
                Some(spec) => open_session(&t, settings, spec).await.map_err(|e| e.to_string()),
                None => Err(format!("context {nip}: no KSeF credential\nhelp: set KSEF_TOKEN_{nip} to a token with CredentialsManage")),
            };
            match session {
                Err(reason) => out.extend(refs.iter().map(|r| RevokeOutcome {
                    nip: nip.to_string(),
                    reference: r.to_string(),
                    result: Err(reason.clone()),
                })),
                Ok(mut session) => {
                    for r in refs {
                        let result = revoke_token(&t, &mut session, r).await.map_err(|e| e.to_string());
                        out.push(RevokeOutcome { nip: nip.to_string(), reference: r.to_string(), result });
                    }
                    let _ = session.close(&t).await;
                }
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_counts_as_active_and_unknown_values_as_unknown() {
        assert_eq!(leak_status(Some(&TokenStatus::Pending)), LeakStatus::Active);
        assert_eq!(
            leak_status(Some(&TokenStatus::Revoking)),
            LeakStatus::Revoked
        );
        assert_eq!(
            leak_status(Some(&TokenStatus::Other("Suspended".into()))),
            LeakStatus::Unknown
        );
        assert_eq!(leak_status(None), LeakStatus::Unknown);
    }
}
