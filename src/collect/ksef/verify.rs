//! `--verify` for leak findings (`GET /tokens/{ref}` in the finding's own context)
//! and revocation of leaked tokens (`DELETE /tokens/{ref}`). The leaked secret is
//! never sent anywhere: only its reference number, with the firm's own credential.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::auth::CertificateCache;
use super::error::ApiError;
use super::fetch::{open_session, runtime};
use super::http::{Transport, http_client};
use super::progress::Progress;
use super::tokens::{get_token, revoke_token};
use crate::config::{CredentialSource, KsefSettings};
use crate::model::{LeakResults, LeakStatus, LeakVerdicts, ScanIssue, TokenStatus};

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

/// Looks up each finding's reference in its NIP's context and returns what KSeF says of
/// it. Fails closed: a NIP without a credential, KSeF unreachable, authentication failing
/// or a 403 gives an error per NIP (the run is incomplete, exit 2) that says why; a 403 names
/// the missing permission. Nothing is changed here: evaluate applies the verdicts
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
    let mut out = LeakVerdicts::default();
    let fail = |out: &mut LeakVerdicts, nip: &str, message: String| {
        out.errors.push(ScanIssue {
            path: format!("--verify {nip}"),
            message,
        });
    };
    let mut checkable: Vec<(String, Vec<String>)> = Vec::new();
    for (nip, refs) in wanted {
        let ok = settings
            .context(&nip)
            .is_some_and(|c| c.credential != CredentialSource::Missing);
        if ok {
            checkable.push((nip, refs));
        } else {
            out.warnings.push(format!(
                "--verify: no KSeF credential for NIP {nip}, its findings stay unverified\nhelp: set KSEF_TOKEN_{nip} to a token with CredentialsRead"
            ));
            fail(
                &mut out,
                &nip,
                format!(
                    "{} finding(s) could not be verified: no KSeF credential for this NIP",
                    refs.len()
                ),
            );
        }
    }
    if checkable.is_empty() {
        return out;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            for (nip, _) in &checkable {
                fail(
                    &mut out,
                    nip,
                    format!("cannot start the async runtime: {e}"),
                );
            }
            return out;
        }
    };
    // One list of MF certificates for the whole run, as the audit fetch does (issue 13, 19).
    let certificates = Arc::new(CertificateCache::default());
    rt.block_on(async {
        for (nip, refs) in &checkable {
            match lookup(settings, nip, refs, &certificates).await {
                Ok(found) => {
                    for (reference, status) in found {
                        out.statuses.insert((nip.clone(), reference), status);
                    }
                }
                Err(e) => {
                    for r in refs {
                        out.statuses
                            .insert((nip.clone(), r.clone()), LeakStatus::Unknown);
                    }
                    fail(&mut out, nip, verify_failure(nip, &e));
                }
            }
        }
    });
    out
}

/// Why a NIP's findings could not be verified; a 403 names the permission the credential lacks.
fn verify_failure(nip: &str, e: &ApiError) -> String {
    if e.http_status() == Some(403) {
        format!(
            "KSeF refused the token lookup (HTTP 403): the credential for NIP {nip} lacks the CredentialsRead permission; the findings stay unverified\n{e}\nhelp: give the token in KSEF_TOKEN_{nip} the CredentialsRead (or CredentialsManage) permission"
        )
    } else {
        format!("the findings could not be verified: {e}")
    }
}

async fn lookup(
    settings: &KsefSettings,
    nip: &str,
    refs: &[String],
    certificates: &Arc<CertificateCache>,
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
    let t = Transport::new(http, settings, nip, Progress::none()).sharing(certificates);
    let mut session = open_session(&t, settings, spec).await?;
    let mut out = Vec::new();
    for reference in refs {
        let status = match get_token(&t, &mut session, reference).await {
            Ok(rec) => leak_status(rec.as_ref().map(|r| &r.status)),
            // Not found in this context (a malformed or foreign reference).
            Err(e) if e.http_status() == Some(400) => LeakStatus::Unknown,
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
    // One list of MF certificates for the whole run (issue 13, 19).
    let certificates = Arc::new(CertificateCache::default());
    rt.block_on(async {
        let mut out = Vec::new();
        for (nip, refs) in by_nip {
            let t = Transport::new(http.clone(), settings, nip, Progress::none())
                .sharing(&certificates);
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
