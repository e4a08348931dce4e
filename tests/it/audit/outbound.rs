//! Issue 20.3: no personal data where people read. A token description carrying a PESEL
//! and a token value goes through every human-readable output; neither appears in clear.

use std::path::Path;

use super::items::demo;
use crate::support::cli::{ksef_audit, text};

const PESEL: &str = "96050930871";

/// A synthetic token value (never a real one).
fn secret() -> String {
    format!(
        "20261106-EC-1A2B3C4D5E-6F7A8B9C0D-1E|nip-5261048379|{}",
        "5eed0fab".repeat(8)
    )
}

/// Runs `ksef-audit args` in `dir`, its stdout and any file it wrote under `files`.
fn run(dir: &Path, args: &[&str]) -> String {
    let out = ksef_audit(dir).args(args).output().expect("runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{args:?}: {}",
        text(&out.stderr)
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn assert_clean(name: &str, output: &str) {
    assert!(!output.contains(PESEL), "{name}: PESEL in clear");
    assert!(
        !output.contains(&"5eed0fab".repeat(8)),
        "{name}: token in clear"
    );
}

#[test]
fn every_human_output_masks_the_pesel_and_redacts_the_token_of_a_description() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo(dir.path());
    let path = demo.join("tokens.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("tokens.json")).expect("json");
    let description = format!("token Tomka {PESEL} {}", secret());
    snapshot["contexts"][0]["tokens"][0]["description"] = description.clone().into();
    std::fs::write(demo.join("pii.json"), snapshot.to_string()).expect("write");
    let audit = ["audit", "--from", "pii.json"];
    for lang in ["en", "pl"] {
        let l = ["--lang", lang];
        assert_clean("audit text", &run(&demo, &[&audit[..], &l].concat()));
        assert_clean(
            "audit text --expand",
            &run(&demo, &[&audit[..], &l, &["--expand"]].concat()),
        );
        for (format, file) in [
            ("csv", "pii.csv"),
            ("html", "pii.html"),
            ("json", "pii-audit.json"),
        ] {
            run(
                &demo,
                &[&audit[..], &l, &["--format", format, "-o", file, "-q"]].concat(),
            );
            let written = std::fs::read_to_string(demo.join(file)).expect(file);
            if format != "json" {
                assert_clean(format, &written);
            }
        }
        let ics = run(
            &demo,
            &[
                "calendar",
                "--audit",
                "pii-audit.json",
                "--lang",
                lang,
                "-q",
            ],
        );
        // Calendars fold long lines: join them before looking.
        assert_clean("calendar", &ics.replace("\r\n ", ""));
        assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    }
    // The description really reached the outputs (masked), so the test sees it.
    let html = std::fs::read_to_string(demo.join("pii.html")).expect("html");
    assert!(
        html.contains("96*******71") || html.contains("Tomka"),
        "description not shown"
    );
    // A leak scan's SARIF messages and text.
    let scan = demo.join("scan");
    std::fs::create_dir_all(&scan).expect("dir");
    std::fs::write(scan.join("notes.txt"), format!("{description}\n")).expect("write");
    for format in ["sarif", "text"] {
        let out = run(&demo, &["leaks", "scan", "--format", format]);
        assert_clean(format, &out);
    }
}

/// A 64-hex value that is not patterned (so the scanner reports it), made at run time so the
/// source holds no token.
fn scattered_hex() -> String {
    let mut x: u64 = 12345;
    (0..64)
        .map(|_| {
            x = (x * 1_103_515_245 + 12_345) % (1 << 31);
            char::from_digit(((x >> 16) % 16) as u32, 16).expect("hex digit")
        })
        .collect()
}

#[test]
fn csv_files_for_people_mask_the_pesel_and_redact_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo(dir.path());
    let hex = scattered_hex();
    let token = format!("20261106-EC-1A2B3C4D5E-6F7A8B9C0D-1E|nip-5261048379|{hex}");
    let path = demo.join("tokens.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("tokens.json")).expect("json");
    snapshot["contexts"][0]["tokens"][0]["description"] =
        format!("token Tomka {PESEL} {token}").into();
    std::fs::write(demo.join("pii.json"), snapshot.to_string()).expect("write");
    // A file whose name carries the PESEL and whose text the token: the leaks CSV names it.
    let scan = demo.join("scan");
    std::fs::create_dir_all(&scan).expect("dir");
    std::fs::write(
        scan.join(format!("notes-{PESEL}.txt")),
        format!("{token}\n"),
    )
    .expect("write");
    let clean = |name: &str, out: &str| {
        assert!(!out.contains(PESEL), "{name}: PESEL in clear:\n{out}");
        assert!(!out.contains(&hex), "{name}: token in clear:\n{out}");
    };
    for lang in ["en", "pl"] {
        for excel in [&[][..], &["--csv-excel"][..]] {
            let l = [&["--lang", lang][..], excel].concat();
            let tokens = run(
                &demo,
                &[&["tokens", "--from", "pii.json", "--format", "csv"][..], &l].concat(),
            );
            clean("tokens csv", &tokens);
            run(
                &demo,
                &[
                    &["audit", "--from", "pii.json", "-q", "-o", "pii.csv"][..],
                    &l,
                ]
                .concat(),
            );
            clean(
                "audit csv",
                &std::fs::read_to_string(demo.join("pii.csv")).expect("csv"),
            );
            let leaks = run(
                &demo,
                &[&["leaks", "scan", "--format", "csv"][..], &l].concat(),
            );
            clean("leaks csv", &leaks);
            // The finding is there, its file named with the PESEL masked.
            assert!(leaks.contains("notes-96*******71.txt"), "{leaks}");
        }
    }
}
