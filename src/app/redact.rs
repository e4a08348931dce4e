//! Issue 13, points 4 and 5: every free-text field the tool writes passes the one redaction
//! ([`ksef_leaks::redact::redact_text`]): a token value pasted into a description, an owner,
//! an exception's target/reason/owner or a message leaves only its preview and fingerprint.
//! Applied after evaluation, so rules (POL017) still see the text as KSeF returned it.

use ksef_leaks::redact::redact_text;
use ksef_model::AuditResults;
use ksef_model::ExceptionState;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;

fn redact(s: &mut String) {
    if let std::borrow::Cow::Owned(r) = redact_text(s) {
        *s = r;
    }
}

fn redact_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        redact(s);
    }
}

fn redact_token(t: &mut TokenRecord) {
    redact(&mut t.description);
}

/// The free text of a snapshot (tokens and permissions JSON/CSV/table): token and grant
/// descriptions, certificate names, the context's name and reason.
pub fn redact_snapshot(snapshot: &mut TokenSnapshot) {
    for c in &mut snapshot.contexts {
        c.tokens.iter_mut().for_each(redact_token);
        for g in &mut c.grants {
            redact(&mut g.description);
        }
        for cert in &mut c.certificates.list {
            redact(&mut cert.name);
            redact(&mut cert.common_name);
        }
        redact_opt(&mut c.certificates.problem);
        redact_opt(&mut c.name);
        redact_opt(&mut c.reason);
    }
}

fn redact_exception_state(e: &mut ExceptionState) {
    redact(&mut e.target);
    redact(&mut e.reason);
    redact(&mut e.owner);
}

/// The free text of leak results: exception fields, warnings, errors, and each finding's
/// path, author, owner and system (already redacted by a scan; a results file read back may
/// come from elsewhere or be edited).
pub fn redact_leaks(results: &mut ksef_model::LeakResults) {
    results
        .exceptions
        .iter_mut()
        .for_each(redact_exception_state);
    results.warnings.iter_mut().for_each(redact);
    for e in &mut results.errors {
        redact(&mut e.path);
        redact(&mut e.message);
    }
    for f in results
        .findings
        .iter_mut()
        .chain(results.suppressed.iter_mut())
    {
        redact(&mut f.path);
        redact_opt(&mut f.author);
        redact_opt(&mut f.owner);
        redact_opt(&mut f.system);
        if let Some(s) = &mut f.suppression {
            redact_opt(&mut s.reason);
            if let Some(e) = &mut s.exception {
                redact(&mut e.reason);
                redact(&mut e.owner);
            }
        }
    }
}

/// Every free-text field of audit results (JSON, CSV, text, HTML).
pub fn redact_audit(results: &mut AuditResults) {
    for c in &mut results.contexts {
        for t in &mut c.tokens {
            // Issue 21, point 18: no PESEL in full; the join key is its hash.
            let author = &mut t.token.author_identifier;
            if author.kind == "Pesel" && !author.value.contains('*') {
                t.author_key = Some(ksef_model::pesel_key(&author.value));
                author.value = ksef_model::mask_pesel(&author.value);
            }
            redact_token(&mut t.token);
            redact_opt(&mut t.owner);
            redact_opt(&mut t.system);
            t.inventory_extra.values_mut().for_each(redact);
        }
        redact_opt(&mut c.reason);
    }
    for f in results.findings.iter_mut().chain(results.fixed.iter_mut()) {
        redact_opt(&mut f.owner);
        redact(&mut f.message);
        redact(&mut f.evidence);
        if let Some(pl) = &mut f.pl {
            redact(&mut pl.message);
            redact(&mut pl.evidence);
        }
        if let Some(e) = &mut f.exception {
            redact(&mut e.reason);
            redact(&mut e.owner);
        }
    }
    results
        .exceptions
        .iter_mut()
        .for_each(redact_exception_state);
    results.warnings.iter_mut().for_each(redact);
}
