//! Issue 22, point 5: archives scan, they do not fail. A bomb is decided by absolute size and
//! nesting, never by ratio; an archive over `--max-file-size` is read member by member; what
//! is truly refused is listed as skipped (every format) and exits 2 only with
//! `--fail-on-skipped`; an unreadable file still makes the scan partial.

use std::io::Write;

use super::{TOKEN, leaks, results_of, sarif_errors, tree};
use predicates::prelude::*;

fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("zip");
        w.write_all(data).expect("zip");
    }
    w.finish().expect("zip").into_inner()
}

/// Shaped like git's `t5000/huge-and-future.tar`: a header claiming 64 GiB (GNU base-256)
/// and a date far in the future, with one block of data behind it.
fn huge_and_future_tar() -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_path("huge").expect("path");
    h.set_size(1);
    h.set_mode(0o644);
    h.set_mtime(68_719_476_737);
    h.as_gnu_mut().expect("gnu").size = [0x80, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0];
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(&[b'x'; 512]);
    tar.extend_from_slice(&[0; 1024]);
    tar
}

/// A tree with two archives every scan refuses: a tar entry claiming 64 GiB and a zip that
/// is not one.
fn refused_archives() -> tempfile::TempDir {
    let dir = tree(&[("notes.txt", "nothing here\n")]);
    std::fs::write(
        dir.path().join("huge-and-future.tar"),
        huge_and_future_tar(),
    )
    .expect("tar");
    std::fs::write(
        dir.path().join("broken.zip"),
        b"PK\x03\x04 not really a zip",
    )
    .expect("zip");
    dir
}

/// Shaped like git's `t5004/big-pack.zip`: a few KiB expanding to 4 MiB.
#[test]
fn issue_22_a_small_zip_expanding_to_4_mib_is_scanned_and_its_token_found() {
    let mut pack = vec![0u8; 4 * 1024 * 1024];
    pack.extend_from_slice(format!("\nKSEF_TOKEN={TOKEN}\n").as_bytes());
    let zip = zip_of(&[("pack.bin", &pack)], zip::CompressionMethod::Deflated);
    assert!(zip.len() < 10_000, "{} bytes", zip.len());
    let dir = tree(&[("notes.txt", "nothing here\n")]);
    std::fs::write(dir.path().join("big-pack.zip"), zip).expect("write");
    let r = results_of(leaks().arg(dir.path()).args(["--format", "json"]), 1);
    assert!(r.errors.is_empty() && r.skipped.is_empty(), "{r:?}");
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].path, "big-pack.zip!pack.bin");
}

/// A vendored jar over `--max-file-size` is opened member by member, not refused.
#[test]
fn issue_22_an_archive_over_max_file_size_is_streamed_member_by_member() {
    let filler = "x".repeat(4000);
    let env = format!("KSEF_TOKEN={TOKEN}\n");
    let zip = zip_of(
        &[
            ("a.txt", filler.as_bytes()),
            ("conf/app.env", env.as_bytes()),
        ],
        zip::CompressionMethod::Stored,
    );
    let dir = tree(&[("notes.txt", "nothing here\n")]);
    std::fs::write(dir.path().join("vendor.jar"), zip).expect("write");
    let r = results_of(
        leaks()
            .arg(dir.path())
            .args(["--max-file-size", "1K", "--format", "json"]),
        1,
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let paths: Vec<&str> = r.findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["vendor.jar!conf/app.env"]);
}

/// A refused archive is listed with its reason and counted as skipped in every format; it
/// does not change the exit code by itself; `--fail-on-skipped` makes it exit 2.
#[test]
fn issue_22_a_refused_archive_is_listed_as_skipped_and_exits_0() {
    let dir = refused_archives();
    let r = results_of(leaks().arg(dir.path()).args(["--format", "json"]), 0);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let skipped: Vec<&str> = r.skipped.iter().map(|s| s.path.as_str()).collect();
    assert!(skipped.contains(&"broken.zip"), "{skipped:?}");
    assert!(skipped.contains(&"huge-and-future.tar!huge"), "{skipped:?}");
    assert_eq!(r.stats.skipped, r.skipped.len() as u64);
    leaks()
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "skipped: broken.zip: corrupt zip archive",
        ))
        .stdout(predicate::str::contains(
            "skipped: huge-and-future.tar!huge: tar entry declares 68719476736 bytes",
        ));
    let sarif = leaks()
        .arg(dir.path())
        .args(["--format", "sarif"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&sarif).expect("sarif");
    assert!(sarif_errors(&doc).is_empty());
    let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "warning", "{notes}");
    for (format, needle) in [
        ("junit", "<skipped message="),
        ("gitlab", "skipped: broken.zip"),
    ] {
        leaks()
            .arg(dir.path())
            .args(["--format", format])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(needle));
    }
    leaks()
        .arg(dir.path())
        .arg("--fail-on-skipped")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fail-on-skipped: exit code 2"));
}

/// Issue 20 point 4: under `--lang pl` the reason an archive was skipped and its `help:` line
/// are Polish (a library's own words after the colon stay as they came).
#[test]
fn issue_20_skip_reasons_are_polish() {
    let dir = refused_archives();
    let out = leaks()
        .arg(dir.path())
        .args(["--lang", "pl"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8_lossy(&out);
    for polish in [
        "pominięto: huge-and-future.tar!huge: element archiwum tar deklaruje 68719476736 B, ponad limit rozmiaru (",
        "\nwskazówka: rozpakuj je i przeskanuj wynik albo wyłącz je opcją --exclude",
        "pominięto: broken.zip: uszkodzone archiwum zip, nie przeskanowano: ",
    ] {
        assert!(out.contains(polish), "no '{polish}' in:\n{out}");
    }
    assert!(!out.contains("help:") && !out.contains("skipped"), "{out}");
}

/// A regular file that cannot be read at all still makes the scan partial (exit 2).
#[cfg(unix)]
#[test]
fn issue_22_an_unreadable_file_still_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("secret.env", "x\n"), ("ok.txt", "fine\n")]);
    let locked = dir.path().join("secret.env");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        return; // running as root: permissions do not stop reading
    }
    leaks()
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secret.env"));
}
