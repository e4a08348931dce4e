//! Issue 14, point 6: the listing tables as a user sees them on a terminal: `permissions`
//! fitted to 80 columns, `rules list` in aligned columns whatever the names and titles, with
//! colour on or off, in English and Polish.

use std::path::{Path, PathBuf};

use crate::support;

use ksef_audit::render::style::Style;
use ksef_model::TokenSnapshot;
use ksef_model::i18n::Lang;
use support::cli::{ksef_audit, text};

fn listings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/listings")
}

fn snapshot() -> TokenSnapshot {
    let bytes = std::fs::read(listings().join("snapshot.json")).expect("fixture");
    serde_json::from_slice(&bytes).expect("a snapshot")
}

/// `text` without SGR colour codes.
fn strip_colour(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('m').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn permissions_fit_an_80_column_terminal_and_say_which_columns_are_left_out() {
    for lang in [Lang::En, Lang::Pl] {
        let mut out = Vec::new();
        let style = Style {
            color: false,
            width: Some(80),
        };
        ksef_audit::render::grants::write_table_styled(&mut out, &snapshot(), style, lang)
            .expect("renders");
        let page = text(&out);
        // Every table line fits (the reason lines of an incomplete context are prose and
        // wrap as the terminal wraps them).
        for line in page
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("  !"))
        {
            assert!(line.chars().count() <= 80, "{lang:?}: too wide: {line:?}");
        }
        let (note, holder, permission) = match lang {
            Lang::En => (
                "(not shown, the terminal is too narrow: GRANT ID, KIND, TARGET, SINCE; --format csv has every column)",
                "HOLDER",
                "PERMISSION",
            ),
            Lang::Pl => (
                "(nie pokazano, bo terminal jest za wąski: ID UPRAWNIENIA, RODZAJ, CEL, NADANO; --format csv zawiera wszystkie kolumny)",
                "POSIADACZ",
                "UPRAWNIENIE",
            ),
        };
        assert!(
            page.contains(note),
            "{lang:?}: no note naming the columns:\n{page}"
        );
        assert!(page.contains(holder) && page.contains(permission), "{page}");
        // The long holder name is cut with an ellipsis, not wrapped.
        assert!(
            page.lines()
                .any(|l| l.contains("Biuro Rachunkowe") && l.contains('…') && !l.contains("o.o.")),
            "{lang:?}: name not cut:\n{page}"
        );
        assert!(page.contains("CredentialsManage"), "{page}");
        // Without a width limit, every column is there and nothing is cut.
        let mut full = Vec::new();
        ksef_audit::render::grants::write_table_styled(
            &mut full,
            &snapshot(),
            Style::default(),
            lang,
        )
        .expect("renders");
        let full = text(&full);
        assert!(
            full.contains("Biuro Rachunkowe Bilans sp. z o.o."),
            "{full}"
        );
        assert!(!full.contains('…'), "{full}");
    }
}

/// The character offset at which each row's severity cell starts (header included).
fn severity_offsets(listing: &str, words: &[&str]) -> Vec<(usize, String)> {
    listing
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|line| {
            let cells: Vec<&str> = line.split("  ").filter(|c| !c.trim().is_empty()).collect();
            let cell = cells
                .iter()
                .map(|c| c.trim())
                .find(|c| words.contains(c))
                .unwrap_or_else(|| panic!("no severity in {line:?}"));
            let byte = line.find(&format!("  {cell} ")).expect("cell") + 2;
            (line[..byte].chars().count(), line.to_string())
        })
        .collect()
}

#[test]
fn rules_list_columns_line_up_whatever_the_names_colour_or_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = [
        "SEVERITY", "critical", "high", "medium", "low", "info", "disabled",
    ];
    let pl = [
        "ISTOTNOŚĆ",
        "krytyczna",
        "wysoka",
        "średnia",
        "niska",
        "informacyjna",
        "wyłączona",
    ];
    for (args, words) in [
        (vec!["rules", "list"], &en),
        (vec!["rules", "list", "--color", "always"], &en),
        (vec!["rules", "list", "--lang", "pl"], &pl),
        (
            vec!["rules", "list", "--lang", "pl", "--color", "always"],
            &pl,
        ),
    ] {
        let out = ksef_audit(dir.path()).args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let raw = text(&out.stdout);
        if args.contains(&"always") {
            assert!(
                raw.contains("\x1b[1;31m"),
                "{args:?}: critical not coloured"
            );
        } else {
            assert!(!raw.contains('\x1b'), "{args:?}: colour on a pipe");
        }
        let listing = strip_colour(&raw);
        let offsets = severity_offsets(&listing, words);
        assert!(offsets.len() > 40, "{args:?}: {listing}");
        let first = offsets[0].0;
        for (at, line) in &offsets {
            assert_eq!(*at, first, "{args:?}: severity out of line in {line:?}");
        }
        // The last column (description or title) starts at one offset too, however long
        // the kind or status before it.
        let last_cell = |line: &str| {
            let byte = line.rfind("  ").expect("columns") + 2;
            line[..byte].chars().count()
        };
        let rows: Vec<&str> = listing.lines().filter(|l| l.starts_with("  ")).collect();
        for line in &rows {
            assert_eq!(
                last_cell(line),
                last_cell(rows[0]),
                "{args:?}: last column out of line in {line:?}"
            );
        }
    }
}

#[test]
fn rules_list_in_polish_shows_the_polish_titles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = ksef_audit(dir.path())
        .args(["rules", "list", "--lang", "pl"])
        .output()
        .expect("runs");
    let page = text(&out.stdout);
    assert!(page.contains("TYTUŁ"), "{page}");
    assert!(
        page.contains("Tokeny z uprawnieniami administracyjnymi"),
        "{page}"
    );
    assert!(page.contains("krytyczna"), "{page}");
    assert!(
        page.contains(" reguł polityki, 5 reguł wycieków. `ksef-audit rules explain NAZWA`"),
        "{page}"
    );
}

/// Issue 21, point 19: control and bidi characters of a KSeF description are escaped in the
/// table written to a file or pipe (not only on a terminal), and a newline cannot start a
/// fake row.
#[test]
fn issue_21_table_escapes_controls_off_a_terminal() {
    let mut snap: serde_json::Value =
        serde_json::from_slice(&std::fs::read(listings().join("snapshot.json")).expect("fixture"))
            .expect("json");
    snap["contexts"][0]["tokens"][0]["description"] =
        "ok\u{1b}[31mred\u{7}\r\u{202e}txt\n  9999999999  FAKE-ROW".into();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, serde_json::to_vec(&snap).expect("json")).expect("write");
    for command in ["tokens", "permissions"] {
        let out = ksef_audit(dir.path())
            .args([command, "--from"])
            .arg(&path)
            .args(["--format", "table"])
            .output()
            .expect("runs");
        let page = text(&out.stdout);
        for bad in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
            assert!(!page.contains(bad), "{command}: raw {bad:?} in:\n{page}");
        }
        assert!(
            !page
                .lines()
                .any(|l| l.trim_start().starts_with("9999999999")),
            "{command}: a newline made a fake row:\n{page}"
        );
        if command == "tokens" {
            assert!(page.contains("\\u{1b}[31mred"), "{page}");
        }
    }
}

/// Issue 21, point 19: the `audit` text and the `leaks` text escape control and bidi characters
/// from KSeF descriptions and file names when written to a pipe, as the tables do.
#[test]
fn issue_21_audit_and_leaks_text_escape_controls_off_a_terminal() {
    let bad = ['\u{1b}', '\u{7}', '\r', '\u{202e}'];
    let hostile = "ok\u{1b}[31mred\u{7}\r\u{202e}txt";
    let mut snap: serde_json::Value =
        serde_json::from_slice(&std::fs::read(listings().join("snapshot.json")).expect("fixture"))
            .expect("json");
    for token in snap["contexts"][0]["tokens"]
        .as_array_mut()
        .expect("tokens")
    {
        token["description"] = format!("{hostile} 85010112345").into();
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, serde_json::to_vec(&snap).expect("json")).expect("write");
    let out = ksef_audit(dir.path())
        .args(["audit", "--from"])
        .arg(&path)
        .args(["--format", "text"])
        .output()
        .expect("runs");
    let page = text(&out.stdout);
    assert!(page.contains("red"), "the description is shown:\n{page}");
    for c in bad {
        assert!(!page.contains(c), "audit: raw {c:?} in:\n{page}");
    }

    // A file whose name carries the same characters, holding a token.
    let tree = tempfile::tempdir().expect("tempdir");
    let name = format!("cfg{hostile}.env");
    let head = "20260115-EC-A000000001-00000FA4E0";
    let reference = format!("{head}-{:02X}", ksef_model::crc8(head.as_bytes()));
    let secret = ksef_model::fingerprint_hex(b"fake-secret-escape");
    std::fs::write(
        tree.path().join(&name),
        format!("KSEF_TOKEN={reference}|nip-5265877635|{secret}\n"),
    )
    .expect("write");
    let out = ksef_audit(tree.path())
        .args(["leaks", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains("cfg"), "the file is named:\n{page}");
    for c in bad {
        assert!(!page.contains(c), "leaks: raw {c:?} in:\n{page}");
    }
}
