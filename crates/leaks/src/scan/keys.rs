//! The key-file pass of a files scan (issue 12 point 7): after the per-file scan,
//! private keys whose KSeF certificate is a sibling file, and PKCS#12 bundles opened with the
//! passwords LEAK005 found (the matcher sees one buffer at a time; this joins the files).

use std::collections::BTreeMap;

use crate::findings::LeakScan;
use crate::matcher::Scanner;
use crate::matcher::password_literal;
use crate::scan::blob::candidate;
use crate::sources::KeyFileKind;
use crate::sources::SourceFile;
use crate::sources::key_files;
use crate::sources::read_source;

/// At most this many distinct passwords are tried on each PKCS#12 file.
const MAX_PASSWORDS: usize = 32;

/// Adds LEAK004 findings for key files whose certificate or password is in another file.
pub(super) fn scan_key_files(scanner: &Scanner, files: &[SourceFile], scan: &mut LeakScan) {
    let groups = key_files(files);
    if groups.is_empty() {
        return;
    }
    let passwords = found_passwords(files, scan);
    let passwords: Vec<&str> = passwords.iter().map(String::as_str).collect();
    for group in groups {
        let data = match read_source(group.file) {
            Ok(data) => data,
            // already reported by the per-file scan
            Err(_) => continue,
        };
        let found = match group.kind {
            KeyFileKind::Pkcs12 if passwords.is_empty() => continue,
            KeyFileKind::Pkcs12 => {
                // opened without a password: already found by the per-file scan
                if !scanner.scan_pkcs12(&data, &[]).is_empty() {
                    continue;
                }
                scanner.scan_pkcs12(&data, &passwords)
            }
            KeyFileKind::Pem => {
                if memchr::memmem::find(&data, b"PRIVATE KEY-----").is_none() {
                    continue;
                }
                let certs: Vec<(String, Vec<u8>)> = group
                    .siblings
                    .iter()
                    .filter_map(|s| Some((s.display.clone(), read_source(s).ok()?)))
                    .collect();
                let certs: Vec<(&str, &[u8])> = certs
                    .iter()
                    .map(|(n, d)| (n.as_str(), d.as_slice()))
                    .collect();
                scanner.scan_sibling_keys(&group.file.display, &data, &certs, &passwords)
            }
        };
        for m in found {
            scan.candidates
                .push(candidate(m, &group.file.display, None));
        }
    }
}

/// The password literals behind this scan's LEAK005 findings (read again from their files).
fn found_passwords(files: &[SourceFile], scan: &LeakScan) -> Vec<String> {
    let by_name: BTreeMap<&str, &SourceFile> =
        files.iter().map(|f| (f.display.as_str(), f)).collect();
    let mut lines: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for c in &scan.candidates {
        if let (true, Some(line)) = (c.finding.rule_id == "LEAK005", c.finding.line) {
            lines.entry(c.finding.path.as_str()).or_default().push(line);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (path, wanted) in lines {
        let Some(file) = by_name.get(path) else {
            continue;
        };
        let Ok(data) = read_source(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&data);
        for (no, line) in text.lines().enumerate() {
            if !wanted.contains(&(no as u64 + 1)) {
                continue;
            }
            match password_literal(line) {
                Some(p) if !out.iter().any(|o| o == p) && out.len() < MAX_PASSWORDS => {
                    out.push(p.to_string());
                }
                _ => {}
            }
        }
    }
    out
}
