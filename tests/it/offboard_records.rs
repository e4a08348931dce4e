//! `report --offboard-records DIR`: the quarterly report's "People who left" links each
//! person to their newest offboarding record, says when none is kept, names people by
//! staff id (never PESEL) and refuses a malformed record by name.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const KEPT: &str = "piotr.zielinski@biuro.pl";
const NOT_KEPT: &str = "ewa.lis@biuro.pl";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/results")
        .join(name)
}

/// The fixture audit with two person items: one whose record is kept, one without.
fn audit_with_people(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("audit-2026q4.json")).expect("fixture");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let item = |person: &str, finding: &str| {
        serde_json::json!({
            "kind": "person", "severity": "high", "rules": ["owner-left"],
            "rule_ids": ["POL003"], "nips": ["9512345675"], "person": person,
            "title": format!("{person} left"), "title_pl": format!("{person} odszedł"),
            "action": "offboard", "action_pl": "odbierz",
            "credentials": [], "finding_ids": [finding],
        })
    };
    doc["items"] = serde_json::json!([item(KEPT, "f-c-owner-left"), item(NOT_KEPT, "none")]);
    let path = dir.join("audit.json");
    std::fs::write(&path, doc.to_string()).expect("write");
    path
}

/// A records directory: an older and a newer record of the same person (with its page).
fn records(dir: &Path) -> PathBuf {
    let records = dir.join("records");
    std::fs::create_dir_all(&records).expect("mkdir");
    let newest = "offboard-piotr.zielinski-at-biuro.pl-2026-12-01";
    std::fs::copy(
        fixture(&format!("offboard/{newest}.json")),
        records.join(format!("{newest}.json")),
    )
    .expect("copy");
    std::fs::write(records.join(format!("{newest}.html")), "<p>record</p>").expect("page");
    let text =
        std::fs::read_to_string(fixture(&format!("offboard/{newest}.json"))).expect("fixture");
    let older = text
        .replace("2026-12-01T09:30:00Z", "2026-10-01T09:30:00Z")
        .replace("carried-out", "plan");
    std::fs::write(
        records.join("offboard-piotr.zielinski-at-biuro.pl-2026-10-01.json"),
        older,
    )
    .expect("older");
    std::fs::write(records.join("notes.txt"), "not a record").expect("other file");
    records
}

/// `report --kind quarterly --audit AUDIT -o OUT ARGS…`.
fn quarterly(audit: &Path, out: &Path, args: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ksef-audit")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "--kind", "quarterly", "--quiet", "--audit"])
        .arg(audit)
        .arg("-o")
        .arg(out)
        .args(args)
        .assert()
}

fn report(audit: &Path, records: &Path, out: &Path, lang: &str) -> assert_cmd::assert::Assert {
    let flag = std::ffi::OsStr::new("--offboard-records");
    quarterly(
        audit,
        out,
        &["--lang".as_ref(), lang.as_ref(), flag, records.as_os_str()],
    )
}

/// The "People who left" section, `/` unescaped.
fn section(html: &str) -> String {
    let start = html.find("id=\"leavers\"").expect("section present");
    let end = start + html[start..].find("</section>").expect("section end");
    html[start..end].replace("&#x2f;", "/")
}

/// A temporary directory with the audit and the records directory.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = audit_with_people(dir.path());
    let records = records(dir.path());
    (dir, audit, records)
}

#[test]
fn a_quarterly_report_links_each_leaver_to_the_newest_record_and_says_when_none_is_kept() {
    let (dir, audit, records) = setup();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = out_dir.join("q.html");
    // The fixture has an incomplete context: exit 2 is its, not the records'.
    report(&audit, &records, &out, "en").code(2);
    let html = std::fs::read_to_string(&out).expect("report");
    let s = section(&html);
    assert!(
        s.contains(
            "href=\"../records/offboard-piotr.zielinski-at-biuro.pl-2026-12-01.html\">2026-12-01</a>"
        ),
        "newest record, relative link to its page: {s}"
    );
    assert!(!s.contains("2026-10-01"), "the older record is not linked");
    assert!(s.contains("carried out (--yes) · access certainly gone on 2026-12-08"));
    let row = |who: &str| {
        let at = s.find(who).unwrap_or_else(|| panic!("{who} listed: {s}"));
        s[at..s[at..].find("</tr>").map_or(s.len(), |e| at + e)].to_string()
    };
    assert!(row(KEPT).contains("permission grants: 0, tokens: 1"));
    assert!(row(NOT_KEPT).contains("no offboarding record"), "{s}");
    assert!(html.contains("href=\"#leavers\""), "in the contents");
    assert!(
        html.contains("--offboard-records records"),
        "the cover lists the records' digest"
    );
    // Never a PESEL: no run of 11 digits in the section.
    let digits = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 11)
        .count();
    assert_eq!(digits, 0, "{s}");

    report(&audit, &records, &out, "pl").code(2);
    let s = section(&std::fs::read_to_string(&out).expect("raport"));
    assert!(s.contains("Osoby, które odeszły"));
    assert!(s.contains("wykonano (--yes) · dostęp na pewno wygasa 08.12.2026"));
    assert!(s.contains("brak zapisu odebrania dostępu"), "{s}");
}

#[test]
fn a_malformed_record_is_an_error_naming_the_file() {
    let (dir, audit, records) = setup();
    let out = dir.path().join("q.html");
    let bad = records.join("offboard-broken-2026-12-02.json");
    std::fs::write(&bad, "{\"kind\": \"ksef-audit/offboard\", ").expect("write");
    let failure = |records: &Path| {
        let out = report(&audit, records, &out, "en").code(2);
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    let err = failure(&records);
    assert!(
        err.contains("offboard-broken-2026-12-02.json") && err.contains("is not valid JSON"),
        "{err}"
    );
    assert!(!out.exists(), "no report from a bad record");
    // Another document in its place: the kind found and expected.
    std::fs::copy(fixture("audit-2026q4.json"), &bad).expect("copy");
    let err = failure(&records);
    assert!(
        err.contains("offboard-broken-2026-12-02.json")
            && err.contains("not an offboarding record ('ksef-audit/offboard')"),
        "{err}"
    );
    // A directory that is not there.
    assert!(failure(&dir.path().join("nowhere")).contains("cannot read the directory"));
}

#[test]
fn without_records_the_section_says_how_to_link_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = audit_with_people(dir.path());
    let out = dir.path().join("q.html");
    quarterly(&audit, &out, &[]).code(2);
    let s = section(&std::fs::read_to_string(&out).expect("report"));
    assert!(s.contains("No offboarding records were given"), "{s}");
    assert!(!s.contains("no offboarding record"), "{s}");
}

#[test]
fn the_config_names_the_records_directory_relative_to_itself() {
    let (dir, audit, _records) = setup();
    let config = dir.path().join("ksef-audit.toml");
    std::fs::write(&config, "[report]\noffboard-records = \"records\"\n").expect("config");
    let out = dir.path().join("q.html");
    quarterly(&audit, &out, &["--config".as_ref(), config.as_os_str()]).code(2);
    let s = section(&std::fs::read_to_string(&out).expect("report"));
    assert!(
        s.contains("href=\"records/offboard-piotr.zielinski-at-biuro.pl-2026-12-01.html\""),
        "{s}"
    );
}
