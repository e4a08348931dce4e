//! Points 4, 5, 6, 7, 8, 14, 15: what the tool writes stays inert and free of secrets.

use std::path::Path;

use super::inputs::{cmd, run};

/// The basic audit fixture copied to a temporary directory, with `edit` applied to its inventory.
fn basic_audit_dir(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory/basic");
    let dir = tempfile::tempdir().expect("tmp");
    for name in ["snapshot.json", "inventory.csv", "staff.csv"] {
        let text = std::fs::read_to_string(src.join(name)).expect("fixture");
        let text = if name == "inventory.csv" {
            edit(text)
        } else {
            text
        };
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

#[test]
fn issue_13_audit_csv_excel_neutralises_formulas() {
    let dir = basic_audit_dir(|t| {
        t.replace("anna@firma.pl", "=HYPERLINK(\"http://evil\")")
            .replace("jan@firma.pl", "  +cmd|' /C calc'!A0")
    });
    let out = audit_cmd(
        dir.path(),
        &["--format", "csv", "--csv-excel", "--exit-zero"],
    )
    .assert()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("HYPERLINK") && text.contains("cmd|"),
        "{text}"
    );
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for row in rows.records() {
        for cell in row.expect("row").iter() {
            assert!(
                !cell
                    .trim_start_matches(' ')
                    .starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live formula cell {cell:?}"
            );
        }
    }
}

/// `audit --format json` of the basic fixture (inventory edited by `edit`), as a JSON value.
fn audit_json(dir: &Path) -> serde_json::Value {
    let out = audit_cmd(dir, &["--format", "json", "--exit-zero"])
        .assert()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("audit json")
}

#[test]
fn issue_13_report_links_only_https_and_forbids_scripts() {
    let dir = basic_audit_dir(|t| t);
    let mut audit = audit_json(dir.path());
    let hostile = [
        "  javascript:alert(document.domain)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "\tJaVaScRiPt:alert(1)",
        "http://plain.example/x",
    ];
    let findings = audit["findings"].as_array_mut().expect("findings");
    assert!(findings.len() >= hostile.len());
    for (f, uri) in findings.iter_mut().zip(hostile.iter().cycle()) {
        f["help_uri"] = serde_json::Value::String(uri.to_string());
    }
    findings[0]["help_uri"] = "https://example.com/rules#ok".into();
    std::fs::write(dir.path().join("audit.json"), audit.to_string()).expect("write");
    let out = cmd()
        .current_dir(dir.path())
        .args(["report", "--audit", "audit.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(out).expect("utf-8").to_lowercase();
    for bad in ["javascript:", "data:text", "http://plain"] {
        assert!(!html.contains(bad), "{bad} left in the report");
    }
    assert!(html.contains("href=\"https:") && html.contains("example.com"));
    assert!(html.contains("content-security-policy") && html.contains("script-src 'none'"));
}

#[cfg(unix)]
#[test]
fn issue_13_report_templates_stay_inside_their_directory() {
    let dir = basic_audit_dir(|t| t);
    let audit = audit_json(dir.path());
    std::fs::write(dir.path().join("audit.json"), audit.to_string()).expect("write");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "TOPSECRET-9f3a").expect("write");
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Make)> = vec![
        (
            "absolute include",
            Box::new(|t: &Path| {
                let s = t.parent().expect("parent").join("secret.txt");
                std::fs::write(
                    t.join("partials/style.css"),
                    format!("{{% include \"{}\" %}}", s.display()),
                )
                .expect("write")
            }),
        ),
        (
            "dot-dot include",
            Box::new(|t: &Path| {
                std::fs::write(
                    t.join("partials/style.css"),
                    "{% include \"../../secret.txt\" %}",
                )
                .expect("write")
            }),
        ),
        (
            "symlink out",
            Box::new(|t: &Path| {
                std::os::unix::fs::symlink(
                    t.parent().expect("parent").join("secret.txt"),
                    t.join("partials/style.css"),
                )
                .expect("symlink")
            }),
        ),
    ];
    for (what, make) in cases {
        let templates = dir.path().join("tpl");
        let _ = std::fs::remove_dir_all(&templates);
        std::fs::create_dir_all(templates.join("partials")).expect("mkdir");
        make(&templates);
        let all = run(
            cmd().current_dir(dir.path()).args([
                "report",
                "--audit",
                "audit.json",
                "--templates",
                "tpl",
            ]),
            2,
        );
        assert!(!all.contains("TOPSECRET"), "{what}: {all}");
        assert!(all.contains("refused"), "{what}: {all}");
    }
}

#[test]
fn issue_13_token_in_a_file_name_is_redacted_and_reported() {
    use super::inputs::{SECRET, TOKEN, tree};
    let name = format!("backup-{TOKEN}.txt");
    let dir = tree(&[(name.as_str(), "nothing secret inside\n")]);
    for format in ["json", "text"] {
        let all = run(cmd().args(["leaks", "--format", format]).arg(dir.path()), 1);
        assert!(
            !all.contains(SECRET),
            "{format}: the secret in the name leaked: {all}"
        );
        assert!(all.contains("(name)"), "{format}: {all}");
    }
}

#[test]
fn issue_13_token_in_a_description_is_redacted_in_every_output() {
    use super::inputs::{SECRET, TOKEN};
    let dir = basic_audit_dir(|t| t);
    let snap = dir.path().join("snapshot.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).expect("read")).expect("json");
    let token = &mut v["contexts"][0]["tokens"][0];
    token["description"] = format!("ERP prod, token {TOKEN} do not share").into();
    std::fs::write(&snap, v.to_string()).expect("write");
    for format in ["json", "csv", "text", "html"] {
        let out = audit_cmd(dir.path(), &["--exit-zero", "--format", format])
            .assert()
            .success()
            .get_output()
            .clone();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(SECRET), "{format}: token value in the output");
        if format == "json" {
            // The rule still sees the token (it runs before the redaction).
            assert!(all.contains("personal-data-in-description"), "{all}");
            assert!(all.contains("sha256:"), "{all}");
        }
    }
}

#[test]
fn issue_13_token_in_a_git_author_is_redacted_and_reported() {
    use super::inputs::{SECRET, TOKEN, tree};
    let dir = tree(&[("clean.txt", "nothing secret inside\n")]);
    let (name, email) = (format!("Jan {TOKEN}_old"), format!("{TOKEN}@example.com"));
    let who = crate::support::git::Who {
        author: (&name, &email),
        committer: ("Jan", "jan@example.com"),
        date: None,
    };
    let git = |args: &[&str]| {
        crate::support::git::git(dir.path(), &who, args);
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "clean"]);
    for format in ["json", "text", "csv", "sarif"] {
        let all = run(
            cmd()
                .args(["leaks", "--git", "--format", format])
                .arg(dir.path()),
            1,
        );
        assert!(
            !all.contains(SECRET),
            "{format}: the author's token leaked: {all}"
        );
        let place = if format == "sarif" {
            "README.md"
        } else {
            "<commit author>"
        };
        assert!(
            all.contains(place) && all.contains("20250101-EC-FA4EFA4E00-0000000001-49"),
            "{format}: not reported: {all}"
        );
    }
}

/// `audit` over the basic fixture in `dir` (`--from snapshot.json`, its inventory and staff
/// list), then `extra`.
fn audit_cmd(dir: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut c = cmd();
    c.current_dir(dir).args([
        "audit",
        "--from",
        "snapshot.json",
        "--inventory",
        "inventory.csv",
        "--staff",
        "staff.csv",
    ]);
    c.args(extra);
    c
}

/// Token shapes glued to word characters, digits and hex (each hides the same secrets).
fn glued_tokens() -> Vec<String> {
    use super::inputs::TOKEN;
    let v1 = "FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD";
    vec![
        format!("{TOKEN}_old"),
        format!("x{TOKEN}abc"),
        format!("1{TOKEN}"),
        TOKEN.replace("nip-1111111111", "internalId-1111111111-00007") + "_v2",
        format!("old_{v1}_old"),
        "KSEF_TOKEN_FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2_x".to_string(),
    ]
}

fn assert_no_secret(what: &str, all: &str) {
    use super::inputs::SECRET;
    for secret in [
        SECRET,
        "FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD",
        "FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2",
    ] {
        assert!(!all.contains(secret), "{what}: a token echoed: {all}");
    }
}

#[test]
fn issue_13_glued_tokens_are_redacted_in_every_echoed_message() {
    use super::inputs::tree;
    for (i, token) in glued_tokens().iter().enumerate() {
        // exceptions file: a bad `expires` echoes the value
        let exceptions = format!(
            "[[exception]]\nrule = \"*\"\ntarget = \"x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"{token}\"\n"
        );
        // config: `[ksef] environment` echoes the value
        let config = format!("[ksef]\nenvironment = \"{token}\"\n");
        // inventory: a bad date cell echoes the value
        let inventory = format!("nip,reference_number,owner,expires\n1111111111,x,a,{token}\n");
        let dir = tree(&[
            ("a.txt", "nothing\n"),
            ("exc.toml", exceptions.as_str()),
            ("inv.csv", inventory.as_str()),
            ("cfg/ksef-audit.toml", config.as_str()),
        ]);
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "exceptions",
                vec!["leaks", "--exceptions", "exc.toml", "a.txt"],
            ),
            (
                "inventory",
                vec!["leaks", "--inventory", "inv.csv", "a.txt"],
            ),
            ("config", vec!["--config", "cfg/ksef-audit.toml", "tokens"]),
        ];
        for (what, args) in cases {
            let all = run(cmd().current_dir(dir.path()).args(&args), 2);
            assert_no_secret(&format!("case {i} {what}"), &all);
        }
        // staff list: a bad `status` and `left_on` echo the value
        let audit = basic_audit_dir(|t| t);
        let staff =
            format!("id,name,pesel,nip,status,left_on\nanna@firma.pl,Anna,,,{token},{token}\n");
        std::fs::write(audit.path().join("staff.csv"), staff).expect("write");
        let all = run(&mut audit_cmd(audit.path(), &[]), 2);
        assert_no_secret(&format!("case {i} staff"), &all);
    }
}

#[test]
fn issue_13_glued_token_in_a_description_is_redacted_in_every_output() {
    let dir = basic_audit_dir(|t| t);
    let snap = dir.path().join("snapshot.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).expect("read")).expect("json");
    let description = glued_tokens().join(" ");
    v["contexts"][0]["tokens"][0]["description"] = description.into();
    std::fs::write(&snap, v.to_string()).expect("write");
    for format in ["json", "csv", "text", "html"] {
        let all = run(
            &mut audit_cmd(dir.path(), &["--exit-zero", "--format", format]),
            0,
        );
        assert_no_secret(format, &all);
    }
    let all = run(
        cmd().current_dir(dir.path()).args([
            "tokens",
            "--from",
            "snapshot.json",
            "--format",
            "csv",
        ]),
        0,
    );
    assert_no_secret("tokens csv", &all);
}

#[test]
fn issue_13_glued_tokens_in_exceptions_are_redacted_in_every_output() {
    use super::inputs::{TOKEN, tree};
    let tokens = glued_tokens();
    // One exception that applies (to the leaked token) and one that matches nothing, each
    // with token values glued into its target, reason and owner.
    let exceptions = format!(
        "[[exception]]\nrule = \"*\"\ntarget = \"*.env\"\nreason = \"r {0}\"\nowner = \"{1}\"\nexpires = \"2099-01-01\"\n\n[[exception]]\nrule = \"*\"\ntarget = \"{2}\"\nreason = \"{3}\"\nowner = \"{4}\"\nexpires = \"2099-01-01\"\n",
        tokens[0], tokens[1], tokens[2], tokens[4], tokens[5]
    );
    let dir = tree(&[
        ("a.env", &format!("KSEF_TOKEN={TOKEN}\n")),
        ("exc.toml", exceptions.as_str()),
    ]);
    for format in ["json", "text", "csv", "sarif", "html"] {
        let out = cmd()
            .current_dir(dir.path())
            .args([
                "leaks",
                "--exceptions",
                "exc.toml",
                "--format",
                format,
                "a.env",
            ])
            .output()
            .expect("runs");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The leaked token itself is the finding (shown as its preview); none of the values
        // in the exceptions file may appear.
        assert_no_secret(format, &all.replace(TOKEN, ""));
    }
}

#[test]
fn issue_13_report_redacts_a_results_file_from_elsewhere() {
    use super::inputs::TOKEN;
    // An audit JSON written by an older build (or edited) with a raw token in a description.
    let dir = basic_audit_dir(|t| t);
    let mut v = audit_json(dir.path());
    let glued = glued_tokens().join(" ");
    v["contexts"][0]["tokens"][0]["token"]["description"] = glued.clone().into();
    v["contexts"][0]["tokens"][0]["owner"] = format!("{TOKEN}_old").into();
    std::fs::write(dir.path().join("audit.json"), v.to_string()).expect("write");
    let all = run(
        cmd().current_dir(dir.path()).args([
            "report",
            "--audit",
            "audit.json",
            "--output",
            "r.html",
        ]),
        0,
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("report");
    assert_no_secret("report", &format!("{all}{html}"));
}

#[test]
fn issue_13_token_in_an_archive_member_name_is_redacted_and_reported() {
    use super::inputs::{SECRET, TOKEN};
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(format!("keys/{TOKEN}_old.txt"), opts)
        .expect("start");
    w.write_all(b"nothing secret inside\n").expect("write");
    let bytes = w.finish().expect("finish").into_inner();
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("backup.zip"), bytes).expect("write");
    for format in ["json", "text", "csv"] {
        let all = run(cmd().args(["leaks", "--format", format]).arg(dir.path()), 1);
        assert!(
            !all.contains(SECRET),
            "{format}: the member name leaked: {all}"
        );
        assert!(
            all.contains("backup.zip!") && all.contains("(name)"),
            "{format}: {all}"
        );
    }
}

#[test]
fn issue_13_token_in_a_grant_description_is_redacted_in_every_output() {
    let dir = basic_audit_dir(|t| t);
    let snap = dir.path().join("snapshot.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).expect("read")).expect("json");
    v["contexts"][0]["grants"] = serde_json::json!([{
        "id": "0c9a72e8-f344-457f-9c16-7c640eb60242",
        "kind": "Person",
        "holder": {"type": "Nip", "value": "7762811692"},
        "scope": "InvoiceRead",
        "description": glued_tokens().join(" "),
        "startDate": "2025-06-22T10:41:11+00:00"
    }]);
    std::fs::write(&snap, v.to_string()).expect("write");
    for command in ["permissions", "tokens"] {
        for format in ["json", "csv", "table"] {
            let all = run(
                cmd().current_dir(dir.path()).args([
                    command,
                    "--from",
                    "snapshot.json",
                    "--format",
                    format,
                ]),
                0,
            );
            assert_no_secret(&format!("{command} {format}"), &all);
        }
    }
}

/// Issue 21, point 18: audit.json keeps no PESEL in full in token authors, only the masked
/// PESEL and its join key; `report --staff` still names the authors through the key.
#[test]
fn issue_21_audit_json_keeps_token_authors_masked_and_report_joins_on_the_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("demo");
    run(
        cmd()
            .current_dir(dir.path())
            .args(["demo", "--out"])
            .arg(&out_dir),
        0,
    );
    let audit: ksef_model::AuditResults =
        serde_json::from_slice(&std::fs::read(out_dir.join("audit.json")).expect("read"))
            .expect("audit json");
    let staff = std::fs::read_to_string(out_dir.join("staff.csv")).expect("staff");
    let members: Vec<(String, String)> = staff
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells.len() > 2 && cells[2].len() == 11)
                .then(|| (cells[1].to_string(), cells[2].to_string()))
        })
        .collect();
    let mut joined = None;
    let mut pesel_authors = 0;
    for t in audit.contexts.iter().flat_map(|c| &c.tokens) {
        let a = &t.token.author_identifier;
        if a.kind != "Pesel" {
            continue;
        }
        pesel_authors += 1;
        assert!(
            a.value.contains('*') && a.value.len() == 11,
            "author kept in full: {}",
            a.value
        );
        let key = t.author_key.as_deref().expect("a join key");
        assert!(key.starts_with("sha256:"), "{key}");
        if let Some((name, _)) = members
            .iter()
            .find(|(_, p)| ksef_model::pesel_key(p) == key)
        {
            joined = Some(name.clone());
        }
    }
    assert!(pesel_authors > 0, "the demo has tokens made by persons");
    let name = joined.expect("a PESEL author is on the demo's staff list");
    let html = out_dir.join("review.html");
    run(
        cmd()
            .current_dir(&out_dir)
            .args(["report", "--audit", "audit.json", "--staff", "staff.csv"])
            .args(["--kind", "review", "-o"])
            .arg(&html),
        2, // the demo has an incomplete context
    );
    let text = std::fs::read_to_string(&html).expect("html");
    assert!(text.contains(&name), "the author named through the key");
    for (_, pesel) in &members {
        assert!(!text.contains(pesel.as_str()), "raw PESEL in the report");
    }
}
