//! Issue 14, points 4 and 5: `--lang pl` on every command that writes CSV, and Polish
//! finding texts in the reports, on the demo firm's outputs (one demo run for all).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use crate::support;

/// Issue 20 point 4: no English words in the Polish outputs.
mod words;

/// Issue 20 point 4: `simulate` and `demo` in Polish.
mod commands;

use support::cli::{ksef_audit, text};

/// The demo's output directory, written once for every test of this file.
fn demo() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("demo");
        let run = ksef_audit(dir.path())
            .args(["demo", "-q", "--out"])
            .arg(&out)
            .output()
            .expect("demo runs");
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        (dir, out)
    });
    out
}

/// Runs in the demo directory; returns the output (any exit code).
fn run(args: &[&str]) -> Output {
    ksef_audit(demo()).args(args).output().expect("runs")
}

/// The header row and the rows of an Excel CSV (BOM, `;`).
fn excel_csv(out: &Output) -> (Vec<String>, Vec<csv::StringRecord>) {
    let body = out
        .stdout
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or_else(|| panic!("no BOM: {}", text(&out.stderr)));
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let headers = reader
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader.records().collect::<Result<_, _>>().expect("rows");
    (headers, rows)
}

fn column<'a>(headers: &[String], rows: &'a [csv::StringRecord], name: &str) -> Vec<&'a str> {
    let i = headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column '{name}' in {headers:?}"));
    rows.iter().map(|r| &r[i]).collect()
}

#[test]
fn permissions_excel_csv_in_polish() {
    let out = run(&[
        "permissions",
        "--from",
        "tokens.json",
        "--csv-excel",
        "--lang",
        "pl",
    ]);
    let (headers, rows) = excel_csv(&out);
    assert_eq!(
        headers[..6],
        [
            "Środowisko",
            "NIP",
            "Nazwa klienta",
            "Stan kontekstu",
            "Przyczyna niekompletności",
            "Id uprawnienia"
        ]
    );
    assert!(!rows.is_empty());
    for state in column(&headers, &rows, "Stan kontekstu") {
        assert!(["kompletny", "niekompletny"].contains(&state), "{state}");
    }
    for delegate in column(&headers, &rows, "Może przekazywać") {
        assert!(["tak", "nie", ""].contains(&delegate), "{delegate}");
    }
    // The label of the demo's KSeF is `simulator`, never `prod`.
    assert!(
        column(&headers, &rows, "Środowisko")
            .iter()
            .all(|e| *e == "simulator")
    );
}

#[test]
fn leaks_excel_csv_in_polish() {
    let out = run(&[
        "leaks",
        "--csv-excel",
        "--lang",
        "pl",
        "--exit-zero",
        "example-repo",
    ]);
    let (headers, rows) = excel_csv(&out);
    assert_eq!(
        headers[..4],
        ["Id reguły", "Reguła", "Istotność", "Ścieżka"]
    );
    assert!(!rows.is_empty(), "{}", text(&out.stderr));
    for sev in column(&headers, &rows, "Istotność") {
        assert!(
            ["krytyczna", "wysoka", "średnia", "niska", "informacyjna"].contains(&sev),
            "{sev}"
        );
    }
    for status in column(&headers, &rows, "Status") {
        assert_eq!(status, "niesprawdzony", "not verified without --verify");
    }
    // Plain CSV in English keeps the machine headers.
    let en = run(&["leaks", "--format", "csv", "--exit-zero", "example-repo"]);
    assert!(text(&en.stdout).starts_with("rule_id,rule,severity,path"));
}

#[test]
fn polish_review_and_report_csv_use_the_polish_finding_texts() {
    let html = run(&["report", "--audit", "audit.json", "--lang", "pl"]);
    let page = text(&html.stdout);
    assert!(
        page.contains("nie figuruje w ewidencji"),
        "a Polish message"
    );
    assert!(page.contains("dni temu"), "Polish evidence");
    assert!(
        !page.contains("is not in the inventory"),
        "no English message"
    );
    assert!(!page.contains(" days ago"), "no English evidence");
    // "N otwartych ustaleń": the noun form follows the count (1 / 2–4 / 5+).
    let (count, label) = page
        .split("<strong>")
        .filter_map(|part| part.split_once("</strong> "))
        .find(|(_, rest)| rest.starts_with("otwart"))
        .map(|(n, rest)| {
            (
                n.parse::<u64>().expect("count"),
                rest.split(" ·").next().unwrap_or(""),
            )
        })
        .expect("the open findings count");
    let expected = match (count % 10, count % 100) {
        _ if count == 1 => "otwarte ustalenie",
        (2..=4, t) if !(12..=14).contains(&t) => "otwarte ustalenia",
        _ => "otwartych ustaleń",
    };
    assert_eq!(label, expected, "{count} {label}");

    let csv = run(&[
        "report",
        "--audit",
        "audit.json",
        "--lang",
        "pl",
        "--csv-excel",
        "--table",
        "findings",
    ]);
    let (headers, rows) = excel_csv(&csv);
    assert_eq!(
        headers[..4],
        ["Identyfikator", "Reguła", "Id reguły", "Istotność"]
    );
    assert_eq!(
        headers[16..],
        ["Źródło", "Termin", "Status", "Miejsce", "Opis reguły"]
    );
    let messages = column(&headers, &rows, "Ustalenie");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("nie figuruje w ewidencji"))
    );
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("is not in the inventory"))
    );
}

#[test]
fn tokens_csv_keeps_english_machine_headers_without_lang() {
    let out = run(&["tokens", "--from", "tokens.json", "--format", "csv"]);
    assert!(text(&out.stdout).starts_with("environment,nip,client_name,context_status"));
    let pl = run(&[
        "tokens",
        "--from",
        "tokens.json",
        "--csv-excel",
        "--lang",
        "pl",
    ]);
    let (headers, rows) = excel_csv(&pl);
    assert_eq!(headers[5], "Numer referencyjny");
    let statuses = column(&headers, &rows, "Status");
    assert!(statuses.contains(&"aktywny"), "{statuses:?}");
    assert!(!statuses.contains(&"Active"));
}

/// docs/csv.md documents every column of the public layouts in both languages, in order.
#[test]
fn csv_doc_lists_every_column_in_both_languages() {
    use ksef_audit::render::audit::CSV_HEADERS;
    use ksef_audit::render::audit::CSV_HEADERS_PL;
    use ksef_audit::render::audit::CSV_SUBJECT_COLUMNS;
    use ksef_audit::render::audit::CSV_SUBJECT_COLUMNS_PL;
    use ksef_audit::render::certificates;
    use ksef_audit::render::grants;
    use ksef_audit::render::tokens;
    let audit_en: Vec<&str> = CSV_HEADERS
        .iter()
        .chain(CSV_SUBJECT_COLUMNS)
        .copied()
        .collect();
    let audit_pl: Vec<&str> = CSV_HEADERS_PL
        .iter()
        .chain(CSV_SUBJECT_COLUMNS_PL)
        .copied()
        .collect();
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/csv.md"))
        .expect("docs/csv.md");
    let tables: [(&str, &[&str], &[&str]); 4] = [
        ("tokens", &tokens::CSV_COLUMNS, &tokens::CSV_COLUMNS_PL),
        ("permissions", &grants::CSV_COLUMNS, &grants::CSV_COLUMNS_PL),
        (
            "certificates",
            &certificates::CSV_COLUMNS,
            &certificates::CSV_COLUMNS_PL,
        ),
        ("audit", &audit_en, &audit_pl),
    ];
    for (name, en, pl) in tables {
        let section = doc
            .split(&format!("## `{name}`"))
            .nth(1)
            .unwrap_or_else(|| panic!("docs/csv.md has no section for {name}"));
        for (i, (e, p)) in en.iter().zip(pl).enumerate() {
            let row = format!("| {} | `{e}` | {p} |", i + 1);
            assert!(
                section.contains(&row),
                "docs/csv.md, {name}: missing `{row}`"
            );
        }
    }
}

/// Due days in Polish take the noun form of their number: `1 dzień`, `7 dni`.
#[test]
fn polish_due_days_take_the_right_noun_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("ksef-audit.toml");
    std::fs::write(&config, "[report.due-days]\ncritical = 1\n").expect("config");
    let audit = demo().join("audit.json");
    let out = ksef_audit(dir.path())
        .args(["report", "--kind", "quarterly", "--lang", "pl", "--audit"])
        .arg(&audit)
        .output()
        .expect("runs");
    let page = text(&out.stdout);
    assert!(page.contains("krytyczne 1 dzień,"), "plan intro");
    // „w ciągu” takes the genitive: „w ciągu 1 dnia” (docs/polish.md).
    assert!(page.contains("w ciągu 1 dnia "), "decision");
    assert!(
        !page.contains("w ciągu 1 dzień"),
        "no nominative after „w ciągu”"
    );
    let one_dni = regex::Regex::new(r"\b1 dni\b").expect("regex");
    assert!(!one_dni.is_match(&page), "no \"1 dni\"");
}

/// Patterns a native speaker rejects, with what docs/polish.md asks for instead.
const BAD_POLISH: &[(&str, &str)] = &[
    (
        r"\btokenu\b",
        "„tokena” (the genitive of the MF docs), not „tokenu”",
    ),
    (r"\brotacj", "„wymiana”, not „rotacja”"),
    (r"\bPesel\b", "PESEL in capitals"),
    (r"\(\d+ chars\)", "„znaki/znaków”, not „chars”"),
    (r"w ciągu 1 dzień", "„w ciągu 1 dnia”"),
    (
        r"\bzostało 1 dzień|\b1 dni\b|\bza 1 dni\b",
        "the verb and noun agree with 1",
    ),
    (
        r"\b(Pending|Revoking|Revoked|Failed|Blocked)\b",
        "a KSeF status in Polish (oczekujący, unieważniony…)",
    ),
    (r"\b[Uu]suń (to )?uprawnienie", "„odbierz uprawnienie”"),
];

/// Patterns for the texts the tool itself writes (not user data): also English words and
/// ASCII quotes.
const BAD_POLISH_OWN: &[(&str, &str)] = &[
    (r"'[^'\s][^']*'", "Polish quotation marks „…”, not '…'"),
    (r"\b(days|unknown|none|the|and|of)\b", "an English word"),
];

fn bad_polish(text: &str, own: bool) -> Vec<String> {
    // Placeholders (`{days}`) and code (`DELETE /…`) are not prose.
    let code = regex::Regex::new(r"\{[^}]*\}|`[^`]*`").expect("regex");
    let text = &*code.replace_all(text, "");
    let patterns = BAD_POLISH
        .iter()
        .chain(if own { BAD_POLISH_OWN } else { &[] });
    patterns
        .filter_map(|(pattern, want)| {
            let re = regex::Regex::new(pattern).expect("pattern");
            re.find(text)
                .map(|m| format!("„{}” in „{text}”: {want}", m.as_str()))
        })
        .collect()
}

/// The Polish report labels and the rules' Polish texts follow docs/polish.md.
#[test]
fn polish_labels_and_rule_texts_avoid_known_mistakes() {
    use ksef_model::i18n::Lang;
    use ksef_model::i18n::table;
    let mut problems = Vec::new();
    for (key, text) in table(Lang::Pl) {
        problems.extend(
            bad_polish(text, true)
                .into_iter()
                .map(|p| format!("i18n {key}: {p}")),
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/policy");
    for entry in std::fs::read_dir(&dir).expect("rules/policy") {
        let path = entry.expect("entry").path();
        let doc: toml::Table = std::fs::read_to_string(&path)
            .expect("read")
            .parse()
            .expect("toml");
        for rule in doc.values().filter_map(|v| v.as_array()).flatten() {
            let Some(rule) = rule.as_table() else {
                continue;
            };
            for (field, value) in rule.iter().filter(|(k, _)| k.ends_with("-pl")) {
                let text = value.as_str().unwrap_or_default();
                problems.extend(
                    bad_polish(text, true)
                        .into_iter()
                        .map(|p| format!("{} {field}: {p}", path.display())),
                );
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The Polish review of the demo firm (messages, evidence, remediation) follows
/// docs/polish.md, and shows dates as Polish readers write them.
#[test]
fn polish_review_text_avoids_known_mistakes() {
    let html = run(&["report", "--audit", "audit.json", "--lang", "pl"]);
    let page = text(&html.stdout);
    let tags = regex::Regex::new(r"<[^>]+>").expect("regex");
    let words = tags.replace_all(&page, "\n");
    let problems: Vec<String> = words
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .flat_map(|l| bad_polish(l, false))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let iso = regex::Regex::new(r"\b20\d\d-\d\d-\d\d\b").expect("regex");
    let polish = regex::Regex::new(r"\b\d\d\.\d\d\.20\d\d\b").expect("regex");
    assert!(polish.is_match(&words), "dates as 30.11.2026");
    // The warnings (last section) still come in English from the audit; see docs/polish.md.
    let before_warnings = words.split("Ostrzeżenia").next().unwrap_or_default();
    let iso_dates: Vec<&str> = iso
        .find_iter(before_warnings)
        .map(|m| m.as_str())
        .take(5)
        .collect();
    assert!(
        iso_dates.is_empty(),
        "ISO dates in the Polish review: {iso_dates:?}"
    );
}
