//! The key pass of a scan (issue 12 point 7, issue 22 points 1 and 2): after the per-blob
//! scan, private keys whose KSeF certificate is a sibling file, and PKCS#12 bundles and
//! encrypted keys opened with the passwords LEAK005 found anywhere in the scan (the matcher
//! sees one buffer at a time; this joins them). Then each password is settled: one that opens
//! a key says which (by path and key fingerprint, never the password) and takes the key's
//! severity; a weak one that opens nothing is dropped (counted with the placeholders).

use std::collections::BTreeMap;

use crate::findings::LeakScan;
use crate::matcher::RawMatch;
use crate::matcher::Scanner;
use crate::scan::blob::{Provenance, candidate};
use crate::sources::KeyFileKind;
use crate::sources::MAX_CERTIFICATE_FILE;
use crate::sources::SourceFile;
use crate::sources::key_files;
use crate::sources::read_source;
use ksef_model::PlaceholderDrop;
use ksef_model::Severity;

/// At most this many distinct passwords are tried on each key.
const MAX_PASSWORDS: usize = 32;

/// A key a password opened: where, and the key finding's fingerprint and severity.
pub(super) struct OpenedKey {
    password: usize,
    path: String,
    fingerprint: String,
    severity: Severity,
}

/// Adds LEAK004 findings for key files whose certificate or password is in another file,
/// then settles the passwords ([`settle_passwords`]).
pub(super) fn scan_key_files(scanner: &Scanner, files: &[SourceFile], scan: &mut LeakScan) {
    let passwords = scan_passwords(scan);
    let tried: Vec<&str> = passwords.iter().map(|p| p.expose()).collect();
    let mut opened = Vec::new();
    for group in key_files(files) {
        let Ok(Some(data)) = read_source(group.file) else {
            // unreadable: already reported by the per-file scan; over the size limit:
            // scanned in windows, no key file
            continue;
        };
        let found = match group.kind {
            KeyFileKind::Pkcs12 => pkcs12_with_passwords(scanner, &data, &tried),
            KeyFileKind::Pem => {
                if memchr::memmem::find(&data, b"PRIVATE KEY-----").is_none() {
                    continue;
                }
                let certs: Vec<(String, Vec<u8>)> = group
                    .siblings
                    .iter()
                    .filter_map(|s| {
                        // Read as a certificate: a larger file is none.
                        let cert = SourceFile {
                            limit: s.limit.min(MAX_CERTIFICATE_FILE),
                            ..(*s).clone()
                        };
                        Some((s.display.clone(), read_source(&cert).ok()??))
                    })
                    .collect();
                sibling_keys(scanner, &group.file.display, &data, &certs, &tried)
            }
        };
        add_keys(found, &group.file.display, None, scan, &mut opened);
    }
    settle_passwords(scan, &passwords, &opened);
}

/// The key of a PKCS#12 bundle opened with one of `passwords` (one that opens without a
/// password was found by the per-file scan).
pub(super) fn pkcs12_with_passwords(
    scanner: &Scanner,
    data: &[u8],
    passwords: &[&str],
) -> Vec<RawMatch> {
    if passwords.is_empty() || !scanner.scan_pkcs12(data, &[]).is_empty() {
        return Vec::new();
    }
    scanner.scan_pkcs12(data, passwords)
}

/// LEAK004 findings of a PEM key file whose KSeF certificate is among `certs` (name, bytes).
pub(super) fn sibling_keys(
    scanner: &Scanner,
    key_name: &str,
    data: &[u8],
    certs: &[(String, Vec<u8>)],
    passwords: &[&str],
) -> Vec<RawMatch> {
    let certs: Vec<(&str, &[u8])> = certs
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    scanner.scan_sibling_keys(key_name, data, &certs, passwords)
}

/// Adds the key findings of `found` at `path`, noting which were opened with a password.
pub(super) fn add_keys(
    found: Vec<RawMatch>,
    path: &str,
    provenance: Option<&Provenance>,
    scan: &mut LeakScan,
    opened: &mut Vec<OpenedKey>,
) {
    for m in found {
        if let Some(password) = m.opened_with {
            opened.push(OpenedKey {
                password,
                path: path.to_string(),
                fingerprint: m.fingerprint.clone(),
                severity: m.severity,
            });
        }
        scan.candidates.push(candidate(m, path, provenance));
    }
}

/// The distinct passwords of this scan's LEAK005 candidates, strong ones first, then by
/// fingerprint (so the same scan tries the same ones), at most [`MAX_PASSWORDS`].
pub(super) fn scan_passwords(scan: &LeakScan) -> Vec<ksef_model::Secret> {
    let mut by_fp: BTreeMap<(bool, String), ksef_model::Secret> = BTreeMap::new();
    for c in &scan.candidates {
        if let Some(p) = &c.password {
            by_fp
                .entry((p.weak, c.finding.fingerprint.clone()))
                .or_insert_with(|| p.secret.clone());
        }
    }
    let mut out: Vec<ksef_model::Secret> = Vec::new();
    for (_, secret) in by_fp {
        if out.len() < MAX_PASSWORDS && !out.contains(&secret) {
            out.push(secret);
        }
    }
    out
}

/// Each password candidate that opened a key (`opened`, indexes into `passwords`) names the
/// key and takes its severity; a weak one that opened none is dropped as a placeholder would
/// be; every candidate forgets its password.
pub(super) fn settle_passwords(
    scan: &mut LeakScan,
    passwords: &[ksef_model::Secret],
    opened: &[OpenedKey],
) {
    let mut kept = Vec::with_capacity(scan.candidates.len());
    for mut c in std::mem::take(&mut scan.candidates) {
        let Some(password) = c.password.take() else {
            kept.push(c);
            continue;
        };
        let keys: Vec<&OpenedKey> = opened
            .iter()
            .filter(|k| passwords.get(k.password) == Some(&password.secret))
            .collect();
        if let Some(first) = keys.first() {
            let f = &mut c.finding;
            f.severity = keys.iter().map(|k| k.severity).max().unwrap_or(f.severity);
            let more = match keys.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            f.redacted = format!(
                "{}; it opens the key in {} (key fingerprint {}){more}",
                f.redacted,
                first.path,
                &first.fingerprint[..first.fingerprint.len().min(12)]
            );
        } else if password.weak {
            scan.stats.placeholders += 1;
            scan.placeholders.push(PlaceholderDrop {
                path: c.finding.path.clone(),
                line: c.finding.line.unwrap_or(0),
                rule_id: c.finding.rule_id.clone(),
                reason: "weak password that opens no key of this scan".into(),
            });
            continue;
        }
        kept.push(c);
    }
    scan.candidates = kept;
}
