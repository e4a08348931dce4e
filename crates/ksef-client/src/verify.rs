//! `--verify` for leak findings (`GET /tokens/{ref}` in the finding's own context)
//! and revocation of leaked tokens (`DELETE /tokens/{ref}`). The leaked secret is
//! never sent anywhere: only its reference number, with the firm's own credential.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::ApiError;
use crate::fetch::open_session;
use crate::fetch::runtime;
use crate::grants::revoke_grant;
use crate::http::CertificateCache;
use crate::http::Transport;
use crate::http::http_client;
use crate::progress::Progress;
use crate::settings::CredentialSource;
use crate::settings::KsefSettings;
use crate::signin::load_signing_credential;
use crate::tokens::get_token;
use crate::tokens::revoke_token;
use ksef_model::ContextSnapshot;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::IdentifierType;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::LeakVerdicts;
use ksef_model::ScanIssue;
use ksef_model::TokenStatus;
use ksef_model::same_holder;

/// What KSeF says of a token, as a leak status.
pub(crate) fn leak_status(status: Option<&TokenStatus>) -> LeakStatus {
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
                    "verification failed for context {nip}: no KSeF credential for this NIP ({} finding(s) stay unverified)",
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
                    format!(
                        "verification failed for context {nip}: cannot start the async runtime: {e}"
                    ),
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
                        if let Err(e) = &status {
                            fail(
                                &mut out,
                                nip,
                                format!(
                                    "verification failed for context {nip}: KSeF rejected the lookup of {reference}: {e}"
                                ),
                            );
                        }
                        out.statuses.insert(
                            (nip.clone(), reference),
                            status.unwrap_or(LeakStatus::Unknown),
                        );
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
            "verification failed for context {nip}: KSeF refused the token lookup (HTTP 403): the credential lacks the CredentialsRead permission; the findings stay unverified\n{e}\nhelp: give the token in KSEF_TOKEN_{nip} the CredentialsRead (or CredentialsManage) permission"
        )
    } else {
        format!("verification failed for context {nip}: {e}")
    }
}

async fn lookup(
    settings: &KsefSettings,
    nip: &str,
    refs: &[String],
    certificates: &Arc<CertificateCache>,
) -> Result<Vec<(String, Result<LeakStatus, ApiError>)>, ApiError> {
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
            Ok(Some(rec)) => Ok(leak_status(Some(&rec.status))),
            // 404: KSeF does not know this reference in this context. The finding stays.
            Ok(None) => Ok(LeakStatus::NotFound),
            // 400: this lookup was rejected (an error, exit 2); the other references go on.
            Err(e) if e.http_status() == Some(400) => Err(e),
            // 5xx, 403, …: the NIP's verification failed (exit 2).
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
    let items: Vec<(String, &str)> = targets
        .iter()
        .map(|(nip, reference)| (nip.clone(), reference.as_str()))
        .collect();
    per_nip_session(settings, items, async |t, session, reference| {
        revoke_token(t, session, reference)
            .await
            .map(|()| String::new())
            .map_err(|e| e.to_string())
    })
    .into_iter()
    .map(|(nip, reference, result)| RevokeOutcome {
        nip,
        reference: reference.to_string(),
        result: result.map(drop),
    })
    .collect()
}

/// Runs `act` on every `(nip, item)`, grouped by NIP in one session each (opened with the
/// NIP's own credential, closed after). Blocking. A NIP whose session cannot be opened fails
/// all its items with the reason; results come back grouped by NIP, in item order.
fn per_nip_session<T: Clone>(
    settings: &KsefSettings,
    items: Vec<(String, T)>,
    act: impl AsyncFn(&Transport, &mut crate::auth::Session, &T) -> Result<String, String>,
) -> Vec<(String, T, Result<String, String>)> {
    let mut by_nip: BTreeMap<String, Vec<T>> = BTreeMap::new();
    for (nip, item) in &items {
        by_nip.entry(nip.clone()).or_default().push(item.clone());
    }
    let fail_all = |reason: &str| -> Vec<(String, T, Result<String, String>)> {
        items
            .iter()
            .map(|(nip, item)| (nip.clone(), item.clone(), Err(reason.to_string())))
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
        for (nip, group) in by_nip {
            let t = Transport::new(http.clone(), settings, &nip, Progress::none())
                .sharing(&certificates);
            let session = match settings.context(&nip) {
                Some(spec) => open_session(&t, settings, spec).await.map_err(|e| e.to_string()),
                None => Err(format!("context {nip}: no KSeF credential\nhelp: set KSEF_TOKEN_{nip} to a token with CredentialsManage")),
            };
            match session {
                Err(reason) => out.extend(
                    group
                        .into_iter()
                        .map(|item| (nip.clone(), item, Err(reason.clone()))),
                ),
                Ok(mut session) => {
                    for item in group {
                        let result = act(&t, &mut session, &item).await;
                        out.push((nip.clone(), item, result));
                    }
                    let _ = session.close(&t).await;
                }
            }
        }
        out
    })
}

/// Who the auditing credential of a context is, as grant holders are named: a grant
/// held by one of these identifiers may be what gives `ksef-audit` its own access.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditorIdentity {
    /// The auditing token's author, or the signing certificate (fingerprint and the
    /// PESEL/NIP in its subject).
    Known(Vec<GrantIdentifier>),
    /// Not established (an access token given directly), and why.
    Unknown(String),
}

impl AuditorIdentity {
    /// Whether `grant` is held by the auditing credential (or may be, when unknown:
    /// then every grant to manage or read credentials counts).
    pub fn may_hold(&self, grant: &GrantRecord) -> bool {
        match self {
            AuditorIdentity::Known(ids) => grant
                .holder_keys()
                .iter()
                .any(|k| ids.iter().any(|id| same_holder(id, k))),
            AuditorIdentity::Unknown(_) => matches!(
                grant.scope,
                GrantScope::CredentialsManage | GrantScope::CredentialsRead
            ),
        }
    }
}

/// The identity of the credential a freshly fetched context was read with.
pub fn auditor_identity(settings: &KsefSettings, snap: &ContextSnapshot) -> AuditorIdentity {
    if let Some(CredentialSource::Certificate(files)) =
        settings.context(&snap.nip).map(|c| &c.credential)
    {
        return match load_signing_credential(&snap.nip, files) {
            Ok(c) => {
                let subject = c.certificate().tbs_certificate.subject.to_string();
                let mut ids = vec![GrantIdentifier::new(
                    IdentifierType::Fingerprint,
                    c.fingerprint_sha256(),
                )];
                ids.extend(subject_identifiers(&subject));
                AuditorIdentity::Known(ids)
            }
            Err(e) => AuditorIdentity::Unknown(e.to_string()),
        };
    }
    let own = snap
        .auditor_reference
        .as_deref()
        .and_then(|r| snap.tokens.iter().find(|t| t.reference_number == r));
    match own {
        Some(t) => AuditorIdentity::Known(vec![GrantIdentifier::new(
            IdentifierType::from(t.author_identifier.kind.as_str()),
            t.author_identifier.value.clone(),
        )]),
        None => AuditorIdentity::Unknown(
            "the auditing credential is not a KSeF token listed in the context".into(),
        ),
    }
}

/// The PESEL and NIP a certificate subject names (`serialNumber=PNOPL-…`/`TINPL-…`,
/// `organizationIdentifier=VATPL-…`), as KSeF reads them.
fn subject_identifiers(subject: &str) -> Vec<GrantIdentifier> {
    let upper = subject.to_ascii_uppercase();
    let digits_after = |prefixes: &[&str], n: usize| {
        prefixes.iter().find_map(|p| {
            let at = upper.find(p)? + p.len();
            let rest: String = upper[at..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            (rest.len() == n).then_some(rest)
        })
    };
    let mut out = Vec::new();
    if let Some(p) = digits_after(&["PNOPL", "PESEL"], 11) {
        out.push(GrantIdentifier::pesel(p));
    }
    if let Some(n) = digits_after(&["TINPL", "VATPL", "NIP"], 10) {
        out.push(GrantIdentifier::nip(n));
    }
    out
}

/// The result of removing one grant: the operation's reference number, or why not.
#[derive(Debug)]
pub struct GrantRevokeOutcome {
    pub nip: String,
    pub grant_id: String,
    pub result: Result<String, String>,
}

/// How often, and how far apart, a grant removal's operation status is asked for before
/// the removal is reported as not confirmed.
const OPERATION_POLLS: u32 = 10;
const OPERATION_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// Removes `(nip, grant)` pairs with the call each grant's kind needs, one session per
/// NIP, and follows each removal's operation status (`GET /permissions/operations/{ref}`)
/// until KSeF says it is done (200) or failed (400 and up). Blocking. The caller has
/// re-checked each grant against a fresh listing.
pub fn revoke_grants(
    settings: &KsefSettings,
    targets: &[(String, GrantRecord)],
) -> Vec<GrantRevokeOutcome> {
    per_nip_session(settings, targets.to_vec(), async |t, session, grant| {
        let reference = revoke_grant(t, session, grant)
            .await
            .map_err(|e| e.to_string())?;
        follow_operation(t, session, &reference).await
    })
    .into_iter()
    .map(|(nip, grant, result)| GrantRevokeOutcome {
        nip,
        grant_id: grant.id,
        result,
    })
    .collect()
}

/// Asks for the status of removal `reference` until it ends: `Ok(reference)` when done, the
/// status's description when it failed or did not end in time.
async fn follow_operation(
    t: &Transport,
    session: &mut crate::auth::Session,
    reference: &str,
) -> Result<String, String> {
    for poll in 0..OPERATION_POLLS {
        if poll > 0 {
            tokio::time::sleep(OPERATION_POLL_INTERVAL).await;
        }
        let status = crate::grants::operation_status(t, session, reference)
            .await
            .map_err(|e| format!("removal requested (KSeF operation {reference}), but its status cannot be read: {e}"))?;
        match status.code {
            100..=199 => continue,
            200..=299 => return Ok(reference.to_string()),
            code => {
                return Err(format!(
                    "KSeF operation {reference} failed (status {code}): {}",
                    status.description
                ));
            }
        }
    }
    Err(format!(
        "removal requested (KSeF operation {reference}), but KSeF had not finished it after {OPERATION_POLLS} checks; `ksef-audit permissions` shows whether the grant is gone"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_subjects_name_their_pesel_or_nip() {
        assert_eq!(
            subject_identifiers("CN=Jan Nowak,SERIALNUMBER=PNOPL-85010112345,C=PL"),
            vec![GrantIdentifier::pesel("85010112345")]
        );
        assert_eq!(
            subject_identifiers("CN=Firma,2.5.4.97=VATPL-5265877635"),
            vec![GrantIdentifier::nip("5265877635")]
        );
        assert!(subject_identifiers("CN=nobody").is_empty());
    }

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
