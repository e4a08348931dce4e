//! The fixture tree `tests/fixtures/trees/mixed` (regenerate with
//! `tests/fixtures/trees/make-mixed.py`) covers every format and location the scanner reads,
//! with look-alike decoys. The findings must be exactly these: no more, no fewer.

use std::path::PathBuf;

use ksef_audit::collect::sources::{ArchiveLimits, WalkOptions, read_expanded, walk_files};
use ksef_audit::evaluate::leaks::LeakScan;
use ksef_audit::evaluate::scan::{Scanner, scan_files};
use ksef_audit::model::fingerprint_hex;
use ksef_audit::rule::leak::builtin_leak_rules;

fn scan_mixed() -> LeakScan {
    scan_tree("tests/fixtures/trees/mixed")
}

fn scan_tree(root: &str) -> LeakScan {
    let root = PathBuf::from(root);
    let walked = walk_files(&[root], &WalkOptions::default()).expect("walk");
    assert!(walked.issues.is_empty(), "{:?}", walked.issues);
    let scanner = Scanner::new(&builtin_leak_rules().expect("rules")).expect("scanner");
    let mut scan = LeakScan::default();
    scan_files(
        &scanner,
        &walked.files,
        |f, visit| read_expanded(f, &ArchiveLimits::default(), visit),
        &mut scan,
    );
    scan
}

#[test]
fn mixed_tree_gives_exactly_the_planted_findings() {
    let scan = scan_mixed();
    let mut got: Vec<(String, String, u64, u64, bool)> = scan
        .candidates
        .iter()
        .map(|c| {
            let f = &c.finding;
            (
                f.rule_id.clone(),
                f.path.clone(),
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                c.inline_allowed,
            )
        })
        .collect();
    got.sort();
    let expected: Vec<(&str, &str, u64, u64, bool)> = vec![
        ("LEAK001", ".env", 2, 12, false),
        ("LEAK001", "README-pl.md", 3, 5, false),
        (
            "LEAK001",
            "archives/backup.tar.gz!nested.zip!inner/token.txt",
            1,
            13,
            false,
        ),
        (
            "LEAK001",
            "archives/bundle.zip!config/prod.env",
            1,
            12,
            false,
        ),
        (
            "LEAK001",
            "archives/invoices.xlsx!xl/sharedStrings.xml",
            1,
            56,
            false,
        ),
        ("LEAK001", "archives/notes.txt.gz", 1, 12, false),
        ("LEAK001", "dist/app.min.js", 1, 40008, false),
        ("LEAK001", "k8s/secret.yaml", 6, 15, false),
        ("LEAK001", "logs/access.log", 1, 32, false),
        ("LEAK001", "scripts/export.ps1", 2, 20, false),
        ("LEAK001", "tests/sample.env", 1, 12, true),
        ("LEAK001", "windows/notes.txt", 3, 6, false),
        ("LEAK002", ".config/app.yml", 5, 10, false),
        (
            "LEAK002",
            "archives/backup.tar.gz!etc/ksef.properties",
            1,
            12,
            false,
        ),
        ("LEAK002", "config/appsettings.json", 5, 15, false),
        ("LEAK002", "config/web.config", 3, 34, false),
        ("LEAK002", "k8s/secret.yaml", 7, 19, false),
        ("LEAK003", "legacy/ksef1.txt", 1, 23, false),
    ];
    let expected: Vec<(String, String, u64, u64, bool)> = expected
        .into_iter()
        .map(|(r, p, l, c, a)| (r.to_string(), p.to_string(), l, c, a))
        .collect();
    assert_eq!(got, expected);

    // The zip bomb is reported (and nothing else is).
    let issues: Vec<&str> = scan.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(issues, vec!["archives/bomb.zip!zeros.bin"]);
    assert!(scan.issues[0].message.contains("archive bomb"));
}

#[test]
fn fingerprints_are_of_the_decoded_token_and_group_repeats() {
    let scan = scan_mixed();
    let fp = |path: &str| {
        scan.candidates
            .iter()
            .find(|c| c.finding.path == path)
            .map(|c| c.finding.fingerprint.clone())
            .expect(path)
    };
    let env = std::fs::read_to_string("tests/fixtures/trees/mixed/.env").expect("read");
    let token = env
        .lines()
        .find_map(|l| l.strip_prefix("KSEF_TOKEN="))
        .expect("token line");
    assert_eq!(fp(".env"), fingerprint_hex(token.as_bytes()));
    assert_eq!(fp(".env"), fp("README-pl.md"));
    // URL-encoded and base64 tokens are fingerprinted decoded: each looks like a plain token.
    for path in ["logs/access.log", "k8s/secret.yaml", "scripts/export.ps1"] {
        let f = scan
            .candidates
            .iter()
            .find(|c| c.finding.path == path)
            .expect(path);
        let r = f.finding.redacted.as_str();
        assert!(r.contains("|nip-") || r.contains("|internalId-"), "{r}");
    }
    let v2: std::collections::BTreeSet<String> = scan
        .candidates
        .iter()
        .filter(|c| c.finding.rule_id == "LEAK001")
        .map(|c| c.finding.fingerprint.clone())
        .collect();
    assert_eq!(
        v2.len(),
        11,
        "12 v2 findings, .env and README share one token"
    );
}

/// (rule, path, line, encoding-free) of every candidate, sorted.
fn found(scan: &LeakScan) -> Vec<(String, String, u64)> {
    let mut got: Vec<(String, String, u64)> = scan
        .candidates
        .iter()
        .map(|c| {
            let f = &c.finding;
            (f.rule_id.clone(), f.path.clone(), f.line.unwrap_or(0))
        })
        .collect();
    got.sort();
    got
}

/// Issue 12: KSeF context beyond the line, glued tokens, escaped separators, quoted-printable,
/// wrapped base64 and nested 40-character keys, each next to look-alike decoys
/// (`tests/fixtures/trees/make-issue12.py`). Exactly these findings.
#[test]
fn issue12_tree_gives_exactly_the_planted_findings() {
    let scan = scan_tree("tests/fixtures/trees/issue12");
    assert!(scan.issues.is_empty(), "{:?}", scan.issues);
    let got = found(&scan);
    let expected: Vec<(&str, &str, u64)> = vec![
        // 2. glued to a SQLite record and to `prefix_…_old` (decoys: digit before, 65th hex)
        ("LEAK001", "data/cache.sqlite", 1),
        ("LEAK001", "data/cache.sqlite", 1),
        // 3. \u007c, %257C, \x7c; quoted-printable; base64 wrapped at 76; &#124; &vert; &#x7c;
        ("LEAK001", "logs/app.log", 1),
        ("LEAK001", "logs/app.log", 2),
        ("LEAK001", "logs/app.log", 3),
        ("LEAK001", "mail/invoice.eml", 6),
        ("LEAK001", "mail/wrapped.txt", 3),
        ("LEAK001", "web/page.html", 1),
        ("LEAK001", "web/page.html", 2),
        ("LEAK001", "web/page.html", 3),
        // 1. a namespace 40 lines up; 4. flattened, nested, XML, escaped, Postman; 1. nearby
        ("LEAK002", "app/Program.cs", 44),
        ("LEAK002", "config/app.env", 1),
        ("LEAK002", "config/appsettings.json", 6),
        ("LEAK002", "config/client.xml", 3),
        ("LEAK002", "config/escaped.json", 1),
        ("LEAK002", "config/secrets.json", 2),
        ("LEAK002", "postman/collection.json", 4),
        ("LEAK002", "scripts/settings.py", 5),
        // 1. package names KSeF; the TOKEN constant and the commented-out second token
        ("LEAK003", "src/test/java/com/acme/SessionTest.java", 4),
        ("LEAK003", "src/test/java/pl/firma/ksef/AuthTest.java", 6),
        ("LEAK003", "src/test/java/pl/firma/ksef/AuthTest.java", 7),
    ];
    let got_ref: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|(r, p, l)| (r.as_str(), p.as_str(), *l))
        .collect();
    assert_eq!(got_ref, expected, "{got_ref:#?}");
    let redacted: Vec<&str> = scan
        .candidates
        .iter()
        .map(|c| c.finding.redacted.as_str())
        .collect();
    assert!(
        redacted.iter().all(|r| !r.contains("fa4efa4e0") && r.contains('…')),
        "{redacted:?}"
    );
    // the decoded views keep the fingerprint of the plain token
    let log: Vec<&str> = scan
        .candidates
        .iter()
        .filter(|c| c.finding.path == "logs/app.log")
        .map(|c| c.finding.fingerprint.as_str())
        .collect();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|fp| fp.len() == 64));
}
