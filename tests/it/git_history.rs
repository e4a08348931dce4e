//! Git history scanning (`leaks --git`): repositories built at test time with the git CLI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use ksef_leaks::sources::ScanError;
use ksef_leaks::sources::git::GitScanOptions;
use ksef_leaks::sources::git::GitSummary;
use ksef_leaks::sources::git::scan_history;
use ksef_model::crc8;
use ksef_model::fingerprint_hex;

/// A synthetic KSeF 2.0 token with a valid reference check (never a real one).
fn fake_token(n: u32) -> String {
    let head = format!(
        "20260115-EC-{:010X}-{:010X}",
        0xA0_0000_0000u64 + u64::from(n),
        0xFA4E_u64 * u64::from(n + 1)
    );
    let reference = format!("{head}-{:02X}", crc8(head.as_bytes()));
    let secret = fingerprint_hex(format!("fake-secret-{n}").as_bytes());
    format!("{reference}|nip-5265877635|{secret}")
}

fn label(token: &str) -> String {
    (0..10)
        .find(|n| fake_token(*n) == token)
        .map(|n| format!("T{n}"))
        .unwrap_or_else(|| "unknown".into())
}

fn git(dir: &Path, who: &str, args: &[&str]) -> String {
    let (name, email) = match who {
        "alice" => ("Alice Nowak", "alice@example.com"),
        "bob" => ("Bob Kowalski", "bob@example.com"),
        _ => ("Carol Wiśniewska", "carol@example.com"),
    };
    let date = "2026-01-15T10:00:00Z";
    crate::support::git::git(dir, &crate::support::git::Who::at(name, email, date), args)
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn commit(dir: &Path, who: &str, message: &str) -> String {
    git(dir, who, &["add", "-A"]);
    git(dir, who, &["commit", "-q", "-m", message]);
    git(dir, who, &["rev-parse", "HEAD"])
}

/// One sighting: (token label, commit, author, path or `<message>`).
type Sighting = (String, String, String, String);

fn scan(repo: &Path, opts: &GitScanOptions) -> Result<(Vec<Sighting>, GitSummary), ScanError> {
    let re = regex::bytes::Regex::new(
        r"\d{8}-EC-[0-9A-F]{10}-[0-9A-F]{10}-[0-9A-F]{2}\|nip-\d{10}\|[0-9a-f]{64}",
    )
    .expect("regex");
    let found = Mutex::new(Vec::new());
    let summary = scan_history(repo, opts, &|blob| {
        for m in re.find_iter(blob.data) {
            let token = String::from_utf8_lossy(m.as_bytes()).into_owned();
            let p = blob.provenance;
            let path = if p.commit_message {
                "<message>".to_string()
            } else {
                p.path.clone()
            };
            found.lock().expect("lock").push((
                label(&token),
                p.commit.clone(),
                p.author.clone(),
                path,
            ));
        }
    })?;
    let mut found = found.into_inner().expect("lock");
    found.sort();
    Ok((found, summary))
}

fn s(label: &str, commit: &str, author: &str, path: &str) -> Sighting {
    (label.into(), commit.into(), author.into(), path.into())
}

struct History {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
    c1: String,
    c3: String,
    c4: String,
    c5: String,
    stash: String,
}

const ALICE: &str = "Alice Nowak <alice@example.com>";
const BOB: &str = "Bob Kowalski <bob@example.com>";
const CAROL: &str = "Carol Wiśniewska <carol@example.com>";

/// c1 adds T1, c2 removes it, c3 names T2 in its message, c4 (branch `feature`, unmerged) adds T3,
/// c5 copies c1's `.env` blob under a new path, and a stash holds T4.
fn history() -> History {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let work = root.join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&work, "alice", &["init", "-q"]);
    write(&work, "README.md", "# demo\n");
    let env_with_token = format!(
        "KSEF_URL=https://ksef-test.mf.gov.pl\nKSEF_TOKEN={}\n",
        fake_token(1)
    );
    write(&work, "config/.env", &env_with_token);
    write(&work, "src/main.rs", "fn main() {}\n");
    let c1 = commit(&work, "alice", "initial import");
    write(
        &work,
        "config/.env",
        "KSEF_URL=https://ksef-test.mf.gov.pl\nKSEF_TOKEN=${KSEF_TOKEN}\n",
    );
    commit(&work, "bob", "remove the token from config");
    git(&work, "bob", &["tag", "-a", "v1", "-m", "release v1"]);
    write(&work, "README.md", "# demo\n\nRotated.\n");
    let c3 = commit(
        &work,
        "alice",
        &format!("rotate token\n\nold one was {}\n", fake_token(2)),
    );
    git(&work, "carol", &["checkout", "-q", "-b", "feature"]);
    write(
        &work,
        "notes/todo.txt",
        &format!("try with {}\n", fake_token(3)),
    );
    let c4 = commit(&work, "carol", "notes");
    git(&work, "carol", &["checkout", "-q", "main"]);
    write(&work, "docs/copy.env", &env_with_token);
    let c5 = commit(&work, "bob", "docs: sample env");
    write(
        &work,
        "src/main.rs",
        &format!("// {}\nfn main() {{}}\n", fake_token(4)),
    );
    git(&work, "bob", &["stash", "-q"]);
    let stash = git(&work, "bob", &["rev-parse", "refs/stash"]);
    History {
        _tmp: tmp,
        root,
        work,
        c1,
        c3,
        c4,
        c5,
        stash,
    }
}

#[test]
fn every_token_once_with_the_commit_that_introduced_it() {
    let h = history();
    let (found, summary) = scan(&h.work, &GitScanOptions::default()).expect("scan");
    assert_eq!(
        found,
        vec![
            s("T1", &h.c1, ALICE, "config/.env"),
            s("T2", &h.c3, ALICE, "<message>"),
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
            s("T4", &h.stash, BOB, "src/main.rs"),
        ]
    );
    assert!(!summary.shallow);
    // c1..c5, plus the stash's index and work-tree commits.
    assert_eq!(summary.commits, 7);
    assert!(summary.issues.is_empty(), "{:?}", summary.issues);
}

/// Packs every object into one pack with deep delta chains, as `git gc` leaves a
/// long-lived repository.
fn repack(work: &Path) {
    git(
        work,
        "alice",
        &["repack", "-adq", "--depth=50", "--window=250"],
    );
    git(work, "alice", &["prune-packed"]);
}

/// Packed into deep delta chains (as `git gc` leaves a long-lived repository), the history
/// gives the same findings, each with the commit that introduced it.
#[test]
fn a_packed_repository_gives_the_same_findings() {
    let h = history();
    let loose = scan(&h.work, &GitScanOptions::default()).expect("scan");
    repack(&h.work);
    let packed = scan(&h.work, &GitScanOptions::default()).expect("scan");
    assert_eq!(packed.0, loose.0);
    assert_eq!(packed.1.commits, loose.1.commits);
    assert!(packed.1.issues.is_empty(), "{:?}", packed.1.issues);

    // Sixty versions of one file, one line changed in each, the token written in version
    // 30 and kept: each version holding it is found with the commit that made it.
    let mut lines: Vec<String> = (0..120).map(|n| format!("setting_{n} = {n}")).collect();
    let mut expected = Vec::new();
    for version in 0..60 {
        lines[version * 7 % 119] = format!("setting_changed = {version}");
        if version == 30 {
            lines[119] = format!("KSEF_TOKEN={}", fake_token(5));
        }
        write(&h.work, "settings.env", &lines.join("\n"));
        let id = commit(&h.work, "carol", &format!("settings v{version}"));
        if version >= 30 {
            expected.push(s("T5", &id, CAROL, "settings.env"));
        }
    }
    repack(&h.work);
    let (found, summary) = scan(&h.work, &GitScanOptions::default()).expect("scan");
    let mut t5: Vec<_> = found.into_iter().filter(|s| s.0 == "T5").collect();
    t5.sort();
    expected.sort();
    assert_eq!(t5, expected);
    assert!(summary.issues.is_empty(), "{:?}", summary.issues);
}

#[test]
fn bare_clone_has_the_same_history_without_the_stash() {
    let h = history();
    let bare = h.root.join("bare.git");
    git(
        &h.root,
        "alice",
        &[
            "clone",
            "-q",
            "--bare",
            h.work.to_str().expect("utf-8"),
            bare.to_str().expect("utf-8"),
        ],
    );
    let (found, summary) = scan(&bare, &GitScanOptions::default()).expect("scan");
    assert_eq!(
        found,
        vec![
            s("T1", &h.c1, ALICE, "config/.env"),
            s("T2", &h.c3, ALICE, "<message>"),
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
        ]
    );
    assert!(!summary.shallow);
    assert_eq!(summary.commits, 5);
}

#[test]
fn shallow_clone_is_reported_as_shallow() {
    let h = history();
    let shallow = h.root.join("shallow");
    let url = format!("file://{}", h.work.display());
    git(
        &h.root,
        "alice",
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().expect("utf-8"),
        ],
    );
    let (found, summary) = scan(&shallow, &GitScanOptions::default()).expect("scan");
    assert!(summary.shallow);
    assert_eq!(summary.commits, 1);
    // Only the tip is there, so the copied blob is credited to it.
    assert_eq!(found, vec![s("T1", &h.c5, BOB, "docs/copy.env")]);
    assert!(summary.issues.is_empty(), "{:?}", summary.issues);
}

#[test]
fn since_scans_only_commits_not_reachable_from_the_revision() {
    let h = history();
    let opts = GitScanOptions {
        since: Some(h.c3.clone()),
        staged: false,
        ..GitScanOptions::default()
    };
    let (found, summary) = scan(&h.work, &opts).expect("scan");
    assert_eq!(
        found,
        vec![
            // The T1 blob is gone from c3's tree, so adding it again in c5 is new.
            s("T1", &h.c5, BOB, "docs/copy.env"),
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
            s("T4", &h.stash, BOB, "src/main.rs"),
        ]
    );
    assert_eq!(summary.commits, 4);
    let opts = GitScanOptions {
        since: Some("main".into()),
        staged: false,
        ..GitScanOptions::default()
    };
    let (found, _) = scan(&h.work, &opts).expect("scan");
    assert_eq!(
        found,
        vec![
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
            s("T4", &h.stash, BOB, "src/main.rs")
        ]
    );
}

#[test]
fn missing_since_revision_is_an_error_naming_it() {
    let h = history();
    let opts = GitScanOptions {
        since: Some("no-such-branch".into()),
        staged: false,
        ..GitScanOptions::default()
    };
    let err = scan(&h.work, &opts).expect_err("must fail");
    assert!(matches!(err, ScanError::GitRevision { .. }), "{err:?}");
    assert!(err.to_string().contains("'no-such-branch'"), "{err}");
}

#[test]
fn not_a_repository_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = scan(tmp.path(), &GitScanOptions::default()).expect_err("must fail");
    assert!(matches!(err, ScanError::GitOpen { .. }), "{err:?}");
}

#[test]
fn staged_scans_only_the_staged_change() {
    let h = history();
    git(&h.work, "bob", &["stash", "pop", "-q"]); // T4 back in the work tree, not staged
    write(
        &h.work,
        "deploy/secrets.env",
        &format!("KSEF_TOKEN={}\n", fake_token(5)),
    );
    git(&h.work, "bob", &["add", "deploy/secrets.env"]);
    let opts = GitScanOptions {
        since: None,
        staged: true,
        ..GitScanOptions::default()
    };
    let (found, summary) = scan(&h.work, &opts).expect("scan");
    assert_eq!(found, vec![s("T5", "", "", "deploy/secrets.env")]);
    assert_eq!(summary.blobs, 1);
}

#[test]
fn corrupt_object_is_reported_and_the_scan_goes_on() {
    let h = history();
    // Break the loose object of the blob that holds T3 (c4's notes/todo.txt).
    let blob = git(
        &h.work,
        "carol",
        &["rev-parse", &format!("{}:notes/todo.txt", h.c4)],
    );
    let object = h
        .work
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    let mut perms = std::fs::metadata(&object)
        .expect("loose object")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).expect("chmod");
    std::fs::write(&object, b"not zlib").expect("corrupt");
    let (found, summary) = scan(&h.work, &GitScanOptions::default()).expect("scan");
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(summary.issues.len(), 1, "{:?}", summary.issues);
    assert!(
        summary.issues[0].path.contains(&blob),
        "{:?}",
        summary.issues
    );
    assert!(
        summary.issues[0].path.contains("notes/todo.txt"),
        "{:?}",
        summary.issues
    );
}

fn cli_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = assert_cmd::Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["leaks", "--format", "json"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

/// (fingerprint label, commit, author, path) of every active finding.
fn cli_findings(json: &serde_json::Value) -> Vec<Sighting> {
    let labels: Vec<(String, String)> = (0..10)
        .map(|n| (fingerprint_hex(fake_token(n).as_bytes()), format!("T{n}")))
        .collect();
    let mut found: Vec<Sighting> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let fp = f["fingerprint"].as_str().expect("fingerprint");
            let label = labels
                .iter()
                .find(|(l, _)| l == fp)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (label, text("commit"), text("author"), text("path"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn leaks_git_reports_commit_author_and_path() {
    let h = history();
    let (code, json) = cli_json(&["--git", h.work.to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    assert_eq!(json["target"]["mode"], "git");
    assert_eq!(json["target"]["shallow"], false);
    assert_eq!(
        cli_findings(&json),
        vec![
            s("T1", &h.c1, ALICE, "config/.env"),
            s("T2", &h.c3, ALICE, "<commit message>"),
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
            s("T4", &h.stash, BOB, "src/main.rs"),
        ]
    );
    let text = serde_json::to_string(&json).expect("json");
    for n in 1..5 {
        assert!(
            !text.contains(&fake_token(n)),
            "full token T{n} in the output"
        );
    }
}

#[test]
fn leaks_git_states_a_shallow_clone() {
    let h = history();
    let shallow = h.root.join("shallow");
    let url = format!("file://{}", h.work.display());
    git(
        &h.root,
        "alice",
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().expect("utf-8"),
        ],
    );
    let out = assert_cmd::Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["leaks", "--git", shallow.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("shallow clone"),
        "{stdout}{stderr}"
    );
    let (_, json) = cli_json(&["--git", shallow.to_str().expect("utf-8")]);
    assert_eq!(json["target"]["shallow"], true);
    assert_eq!(
        cli_findings(&json),
        vec![s("T1", &h.c5, BOB, "docs/copy.env")]
    );
}

#[test]
fn leaks_git_since_and_staged_scan_only_what_is_new() {
    let h = history();
    let work = h.work.to_str().expect("utf-8");
    let (code, json) = cli_json(&["--git", work, "--since", "main"]);
    assert_eq!(code, 1);
    assert_eq!(json["target"]["since"], "main");
    assert_eq!(
        cli_findings(&json),
        vec![
            s("T3", &h.c4, CAROL, "notes/todo.txt"),
            s("T4", &h.stash, BOB, "src/main.rs")
        ]
    );
    let (code, json) = cli_json(&["--git", work, "--staged"]);
    assert_eq!(code, 0, "{json}");
    write(
        &h.work,
        "deploy/secrets.env",
        &format!("KSEF_TOKEN={}\n", fake_token(5)),
    );
    git(&h.work, "bob", &["add", "deploy/secrets.env"]);
    let (code, json) = cli_json(&["--git", work, "--staged"]);
    assert_eq!(code, 1);
    assert_eq!(json["target"]["staged"], true);
    assert_eq!(
        cli_findings(&json),
        vec![s("T5", "", "", "deploy/secrets.env")]
    );
    let out = assert_cmd::Command::cargo_bin("ksef-audit")
        .expect("binary")
        .args(["leaks", "--git", work, "--since", "no-such-rev"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'no-such-rev' not found"));
}

/// Issue 12, point 5: an annotated tag's message, every stash entry (not only the top), a
/// commit only the reflog still names, a dangling commit and a dangling blob are scanned, and
/// the summary says how many of each were covered.
#[test]
fn tags_every_stash_reflog_only_and_dangling_objects_are_scanned() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&work, "alice", &["init", "-q"]);
    write(&work, "README.md", "# demo\n");
    commit(&work, "alice", "initial import");
    // a dangling commit: committed, reset away, reflogs expired (not yet pruned by gc)
    write(&work, "old/token.txt", &format!("{}\n", fake_token(0)));
    let dangling = commit(&work, "carol", "oops");
    git(&work, "carol", &["reset", "-q", "--hard", "HEAD~1"]);
    git(
        &work,
        "carol",
        &["reflog", "expire", "--expire=now", "--all"],
    );
    // an annotated tag whose message holds a token
    git(
        &work,
        "alice",
        &[
            "tag",
            "-a",
            "v2",
            "-m",
            &format!("release\n\ntoken {}", fake_token(5)),
        ],
    );
    // two stash entries: the older one is only in the refs/stash reflog
    write(&work, "src/a.txt", &format!("{}\n", fake_token(6)));
    git(&work, "bob", &["add", "src/a.txt"]);
    git(&work, "bob", &["stash", "-q"]);
    // the blob first appears in the stash's index commit
    let stash1 = git(&work, "bob", &["rev-parse", "refs/stash^2"]);
    write(&work, "src/b.txt", &format!("{}\n", fake_token(7)));
    git(&work, "bob", &["add", "src/b.txt"]);
    git(&work, "bob", &["stash", "-q"]);
    let stash0 = git(&work, "bob", &["rev-parse", "refs/stash^2"]);
    // a commit reset away: only HEAD's and main's reflogs name it
    write(
        &work,
        "conf/.env",
        &format!("KSEF_TOKEN={}\n", fake_token(8)),
    );
    let reflog_only = commit(&work, "alice", "add env");
    git(&work, "alice", &["reset", "-q", "--hard", "HEAD~1"]);
    // a dangling blob: written to the object database, never committed
    write(&work, "loose.txt", &format!("{}\n", fake_token(9)));
    git(&work, "alice", &["hash-object", "-w", "loose.txt"]);
    std::fs::remove_file(work.join("loose.txt")).expect("rm");

    // without --unreachable the dangling objects are left out, and the summary says so
    let (found, summary) = scan(&work, &GitScanOptions::default()).expect("scan");
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(!summary.coverage.dangling_searched);
    assert!(summary.coverage.describe().contains("not searched"));
    let opts = GitScanOptions {
        unreachable: true,
        ..GitScanOptions::default()
    };
    let (found, summary) = scan(&work, &opts).expect("scan");
    assert_eq!(
        found,
        vec![
            s("T0", &dangling, CAROL, "(dangling):old/token.txt"),
            s("T5", "", "", "refs/tags/v2 (annotated tag message)"),
            s("T6", &stash1, BOB, "src/a.txt"),
            s("T7", &stash0, BOB, "src/b.txt"),
            s("T8", &reflog_only, ALICE, "conf/.env"),
            s("T9", "", "", "(dangling blob)"),
        ]
    );
    let c = &summary.coverage;
    assert_eq!(
        (
            c.tag_messages,
            c.stash_entries,
            c.dangling_commits,
            c.dangling_blobs
        ),
        (1, 2, 1, 1),
        "{c:?}"
    );
    // the reset commit, plus the older stash entry's commits (work tree and index)
    assert!(c.reflog_only_commits >= 3, "{c:?}");
    assert!(c.dangling_searched);
    assert!(
        c.describe().contains("stash entries (2)"),
        "{}",
        c.describe()
    );
    assert!(summary.issues.is_empty(), "{:?}", summary.issues);
}

/// `--since DATE` (as `git log --since`): commits older than the date are not scanned.
/// Every commit of the fixture is committed on 2026-01-15.
#[test]
fn since_time_hides_commits_older_than_the_date() {
    let h = history();
    let at = |s: &str| {
        Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("time")
                .to_utc(),
        )
    };
    let all = GitScanOptions::default();
    let (everything, _) = scan(&h.work, &all).expect("scan");
    let before = GitScanOptions {
        since_time: at("2026-01-14T00:00:00Z"),
        ..GitScanOptions::default()
    };
    let (found, _) = scan(&h.work, &before).expect("scan");
    assert_eq!(
        found, everything,
        "a date before every commit scans them all"
    );
    let after = GitScanOptions {
        since_time: at("2026-01-16T00:00:00Z"),
        ..GitScanOptions::default()
    };
    let (found, summary) = scan(&h.work, &after).expect("scan");
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(summary.commits, 0);
}

/// Issue 12: a blob over --max-file-size is scanned in windows (it used to be skipped with a
/// warning). Issue 22: a zip blob that large is opened member by member; a compressed blob
/// without a tar inside is refused and listed as skipped, which alone does not exit 2.
#[test]
fn issue_12_large_blobs_are_scanned_in_windows() {
    let dir = tempfile::tempdir().expect("tmp");
    let work = dir.path();
    git(work, "alice", &["init", "-q"]);
    let filler = "2026-01-15 INFO nothing to report today, all invoices sent\n".repeat(40_000);
    write(
        work,
        "logs/big.log",
        &format!("{filler}KSEF_TOKEN={}\n{filler}", fake_token(2)),
    );
    let c1 = commit(work, "alice", "logs");
    let path = work.to_str().expect("utf-8");
    let (code, json) = cli_json(&["--git", path, "--max-file-size", "1M"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        cli_findings(&json),
        vec![s("T2", &c1, ALICE, "logs/big.log")]
    );
    assert_eq!(json["findings"][0]["line"], 40_001);
    assert!(json["errors"].as_array().expect("errors").is_empty());

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, filler.as_bytes()).expect("gz");
    std::fs::write(work.join("logs/old.log.gz"), gz.finish().expect("gz")).expect("write");
    commit(work, "alice", "old log");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("filler.log", stored).expect("zip");
    std::io::Write::write_all(&mut zip, filler.as_bytes()).expect("zip");
    zip.start_file("conf/app.env", stored).expect("zip");
    std::io::Write::write_all(
        &mut zip,
        format!("KSEF_TOKEN={}\n", fake_token(3)).as_bytes(),
    )
    .expect("zip");
    let zip = zip.finish().expect("zip").into_inner();
    std::fs::write(work.join("vendor.jar"), zip).expect("write");
    let c3 = commit(work, "alice", "vendored jar");
    let (code, json) = cli_json(&["--git", path, "--max-file-size", "1M"]);
    assert_eq!(code, 1, "{json}");
    assert!(json["errors"].as_array().expect("errors").is_empty());
    let skipped = json["skipped"].to_string();
    assert!(
        skipped.contains("logs/old.log.gz") && skipped.contains("gzip file"),
        "{skipped}"
    );
    assert!(
        cli_findings(&json).contains(&s("T3", &c3, ALICE, "vendor.jar!conf/app.env")),
        "{json}"
    );
}

/// Issue 21, point 8: a repository with one commit, for hostile changes to its `.git`.
#[cfg(unix)]
fn small_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), "alice", &["init", "-q"]);
    write(dir.path(), "a.txt", "nothing\n");
    commit(dir.path(), "alice", "first");
    dir
}

/// Runs `leaks --git` (plus `extra`) on `repo` with a time limit; returns (code, stdout and
/// stderr).
#[cfg(unix)]
fn hostile_git(repo: &Path, extra: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("ksef-audit")
        .expect("binary")
        .env_clear()
        .args(["leaks", "--git"])
        .args(extra)
        .arg(repo)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo");
}

/// Metadata files gix reads whole, each made a link to `/dev/zero` or a FIFO: refused with
/// the file named, exit 2 (a hang, memory exhaustion or a silent exit 1 before).
#[cfg(unix)]
#[test]
fn issue_21_git_metadata_links_and_fifos_are_refused() {
    for name in [
        "HEAD",
        "config",
        "packed-refs",
        "shallow",
        "objects/info/alternates",
    ] {
        for fifo in [false, true] {
            let repo = small_repo();
            let path = repo.path().join(".git").join(name);
            let _ = std::fs::remove_file(&path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            if fifo {
                mkfifo(&path);
            } else {
                std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
            }
            let (code, err) = hostile_git(repo.path(), &[]);
            assert_eq!(code, 2, "{name} (fifo {fifo}): {err}");
            assert!(err.contains(name), "{name} (fifo {fifo}): {err}");
        }
    }
}

/// `--staged` with a FIFO as the index: refused, not waited on.
#[cfg(unix)]
#[test]
fn issue_21_git_staged_fifo_index_is_refused() {
    let repo = small_repo();
    let index = repo.path().join(".git/index");
    std::fs::remove_file(&index).expect("rm index");
    mkfifo(&index);
    let (code, err) = hostile_git(repo.path(), &["--staged"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("index"), "{err}");
}

/// Reflogs: a FIFO, a link to `/dev/zero`, a self-linked directory and a reflog over the limit
/// under `.git/logs` are
/// reported by name (exit 2) and the scan ends; a directory link is never followed.
#[cfg(unix)]
#[test]
fn issue_21_git_hostile_reflogs_are_reported_not_followed() {
    let repo = small_repo();
    let logs = repo.path().join(".git/logs");
    std::fs::create_dir_all(&logs).expect("logs");
    mkfifo(&logs.join("fifo"));
    std::os::unix::fs::symlink("/dev/zero", logs.join("zero")).expect("symlink");
    std::os::unix::fs::symlink(".", logs.join("a")).expect("symlink");
    // A huge reflog (sparse: no disk used) is refused by its size, never read whole.
    let big = std::fs::File::create(logs.join("big")).expect("big");
    big.set_len(64 * 1024 * 1024 + 1).expect("set_len");
    let (code, err) = hostile_git(repo.path(), &[]);
    assert_eq!(code, 2, "{err}");
    for name in ["logs/fifo", "logs/zero", "logs/a", "logs/big"] {
        assert!(err.contains(name), "{name}: {err}");
    }
}

/// Issue 21, point 4: `revoke` re-finds a leaked secret in the blob at the finding's commit
/// (and only there, with the finding's fingerprint, reference and NIP).
#[test]
fn issue_21_refind_reads_the_blob_at_the_findings_commit() {
    let dir = tempfile::tempdir().expect("tmp");
    let repo = dir.path();
    git(repo, "alice", &["init", "-q"]);
    let text = format!("KSEF_TOKEN={}\n", fake_token(3));
    write(repo, "app/.env", &text);
    let added = commit(repo, "alice", "add config");
    std::fs::remove_file(repo.join("app/.env")).expect("rm");
    write(repo, "app/README", "nothing here\n");
    let removed = commit(repo, "alice", "remove config");
    let m = ksef_leaks::matcher::find_tokens(&text)
        .into_iter()
        .next()
        .expect("a match");
    let mut f = crate::support::fixture::finding(
        m.nip.as_deref().expect("nip"),
        m.reference_number.as_deref().expect("reference"),
    );
    f.path = "app/.env".into();
    f.fingerprint = m.fingerprint.clone();
    f.commit = Some(added);
    assert_eq!(ksef_leaks::refind::refind(repo, &f), Ok(()));
    // Not in the working tree any more, nor at the later commit.
    let mut gone = f.clone();
    gone.commit = Some(removed);
    assert!(ksef_leaks::refind::refind(repo, &gone).is_err());
    let mut file = f.clone();
    file.commit = None;
    assert!(ksef_leaks::refind::refind(repo, &file).is_err());
    // Another fingerprint or reference is not the secret that is there.
    let mut forged = f.clone();
    forged.fingerprint = fingerprint_hex(b"other");
    let err = ksef_leaks::refind::refind(repo, &forged).expect_err("refused");
    assert!(err.contains("no secret with this fingerprint"), "{err}");
}

/// A repository in `work` whose second commit (token `n` in `conf/.env`) was reset away and
/// its reflogs expired: a dangling commit, whose id is returned.
fn repo_with_a_dangling_commit(work: &Path, n: u32) -> String {
    git(work, "alice", &["init", "-q"]);
    write(work, "README.md", "nothing here\n");
    commit(work, "alice", "readme");
    write(
        work,
        "conf/.env",
        &format!("KSEF_TOKEN={}\n", fake_token(n)),
    );
    let lost = commit(work, "alice", "add env");
    git(work, "alice", &["reset", "-q", "--hard", "HEAD~1"]);
    git(
        work,
        "alice",
        &["reflog", "expire", "--expire=now", "--all"],
    );
    lost
}

/// Issue 22, point 4: `leaks --git` searches dangling commits by default (measured: no cost
/// beyond the noise of a run, docs/git-history.md), says so in the SARIF notifications, and
/// `--no-unreachable` leaves them out.
#[test]
fn dangling_commits_are_searched_by_default() {
    let dir = tempfile::tempdir().expect("tmp");
    let work = dir.path();
    let lost = repo_with_a_dangling_commit(work, 3);
    let run = |extra: &[&str]| {
        let out = crate::support::cli::ksef_audit(work)
            .args(["leaks", "--git", "--format", "sarif"])
            .args(extra)
            .arg(".")
            .output()
            .expect("runs");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
        (out.status.code(), doc)
    };
    let (code, doc) = run(&[]);
    assert_eq!(code, Some(1));
    let run0 = &doc["runs"][0];
    let results = run0["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{results:?}");
    let text = results[0]["message"]["text"].as_str().unwrap_or("");
    assert!(text.contains(&format!("in commit {lost}")), "{text}");
    let notes = run0["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("dangling commits (1)") && !notes.contains("not searched"),
        "{notes}"
    );
    let (code, doc) = run(&["--no-unreachable"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(notes.contains("dangling objects not searched"), "{notes}");
}

/// A `--since` range is about recent commits: the dangling ones are not searched there.
#[test]
fn a_since_range_leaves_dangling_commits_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let work = dir.path();
    repo_with_a_dangling_commit(work, 4);
    let out = crate::support::cli::ksef_audit(work)
        .args(["leaks", "--since", "2000-01-01", "--format", "json", "."])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let coverage = doc["target"]["coverage"].as_str().unwrap_or("");
    assert!(
        coverage.contains("dangling objects not searched"),
        "{coverage}"
    );
}
