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
    let root = PathBuf::from("tests/fixtures/trees/mixed");
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
