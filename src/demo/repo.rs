//! The demo's example git repository: a small invoicing project of the demo firm with KSeF
//! tokens leaked in its working tree and in its history, plus look-alike decoys.
//!
//! Written with gitoxide, so the demo needs no `git` binary. Everything is synthetic and
//! deterministic for a given fixture.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use gix::ObjectId;
use gix::objs::tree::EntryKind;
use thiserror::Error;

use crate::demo::AUDITOR_DESCRIPTION_PREFIX;
use crate::demo::demo_people;
use ksef_model::TokenStatus;
use ksef_model::fingerprint_hex;
use ksef_sim::Fixture;
use ksef_sim::FixtureContext;
use ksef_sim::FixtureToken;

/// Name of the example repository inside the demo output directory.
pub const DEMO_REPO_DIR: &str = "example-repo";

#[derive(Debug, Error)]
pub enum DemoRepoError {
    #[error("cannot write the demo repository '{path}'")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the demo repository '{path}': {message}")]
    Git { path: PathBuf, message: String },
    #[error(
        "the demo fixture has no {what} token to plant in the example repository\nhelp: use `demo_firm(now)` as the fixture"
    )]
    NoToken { what: &'static str },
}

/// A token the example repository leaks, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedToken {
    pub reference_number: String,
    pub nip: String,
    /// Lowercase hex SHA-256 of the token string (what findings carry).
    pub fingerprint: String,
    /// `working tree`, `history` or `commit message`.
    pub place: &'static str,
}

/// Creates `dir/example-repo` (replacing an earlier one) and returns its path.
pub fn write_demo_repo(dir: &Path, fixture: &Fixture) -> Result<PathBuf, DemoRepoError> {
    write_demo_repo_at(dir, fixture, Utc::now()).map(|(path, _)| path)
}

/// Like [`write_demo_repo`], with the commit dates relative to `now`, also listing what was planted.
pub fn write_demo_repo_at(
    dir: &Path,
    fixture: &Fixture,
    now: DateTime<Utc>,
) -> Result<(PathBuf, Vec<PlantedToken>), DemoRepoError> {
    let path = dir.join(DEMO_REPO_DIR);
    let io = |source| DemoRepoError::Io {
        path: path.clone(),
        source,
    };
    let git = |e: gix::Error| DemoRepoError::Git {
        path: path.clone(),
        message: e.to_string(),
    };
    if path.exists() {
        std::fs::remove_dir_all(&path).map_err(io)?;
    }
    std::fs::create_dir_all(&path).map_err(io)?;

    let picks = pick_tokens(fixture)?;
    let [(live_ctx, live), (old_ctx, old), (revoked_ctx, revoked)] = &picks;
    let in_tree = token_string(live_ctx, live);
    let in_history = token_string(old_ctx, old);
    let in_message = token_string(revoked_ctx, revoked);
    let planted = vec![
        planted(live_ctx, live, &in_tree, "working tree"),
        planted(old_ctx, old, &in_history, "history"),
        planted(revoked_ctx, revoked, &in_message, "commit message"),
    ];

    let people = demo_people();
    let person = |i: usize| {
        let p = &people[i % people.len()];
        (p.name.to_string(), p.email.to_string())
    };
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    let mut commits: Vec<(usize, i64, String, BTreeMap<&str, String>)> = Vec::new();

    // 1. The project starts, with decoys that are not tokens.
    files.insert("README.md", README.into());
    files.insert("Cargo.lock", CARGO_LOCK.into());
    files.insert("SHA256SUMS", SHA256SUMS.into());
    files.insert("src/main.rs", MAIN_RS.into());
    files.insert(
        ".env.example",
        "KSEF_URL=https://ksef-test.mf.gov.pl/api/v2\nKSEF_TOKEN=<your-token>\n".into(),
    );
    commits.push((
        0,
        400,
        "Invoice exporter: first version".into(),
        files.clone(),
    ));
    // 2. Someone commits a real token in `.env` ...
    files.insert(
        ".env",
        format!("KSEF_URL=https://ksef.mf.gov.pl/api/v2\nKSEF_TOKEN={in_history}\n"),
    );
    commits.push((
        1,
        220,
        "Configure production KSeF access".into(),
        files.clone(),
    ));
    // 3. ... and deletes it again, but it stays in history.
    files.remove(".env");
    files.insert(".gitignore", "/target\n.env\n".into());
    commits.push((
        1,
        219,
        "Remove .env from the repository".into(),
        files.clone(),
    ));
    // 4. A token pasted into a commit message.
    files.insert("CHANGELOG.md", changelog(&revoked.record.reference_number));
    commits.push((
        2,
        120,
        format!("Rotate the KSeF token\n\nThe old one ({in_message}) is revoked.\n"),
        files.clone(),
    ));
    // 5. Today's working tree leaks a live token in a settings file.
    files.insert(
        "config/appsettings.Production.json",
        format!(
            "{{\n  \"KSeF\": {{\n    \"BaseUrl\": \"https://ksef.mf.gov.pl/api/v2\",\n    \"Token\": \"{in_tree}\"\n  }}\n}}\n"
        ),
    );
    files.insert(
        "tests/fixtures/sample.env",
        "KSEF_TOKEN=${KSEF_TOKEN}\n".into(),
    );
    commits.push((
        0,
        3,
        "Production settings for the exporter".into(),
        files.clone(),
    ));

    let repo = gix::init(&path).map_err(git)?;
    let mut parent: Option<ObjectId> = None;
    let mut tree = ObjectId::empty_tree(repo.object_hash());
    for (who, days_ago, message, snapshot) in &commits {
        let mut editor = repo
            .edit_tree(ObjectId::empty_tree(repo.object_hash()))
            .map_err(git)?;
        for (file, text) in snapshot {
            let blob = repo.write_blob(text.as_bytes()).map_err(git)?;
            editor.upsert(*file, EntryKind::Blob, blob).map_err(git)?;
        }
        tree = editor.write().map_err(git)?.detach();
        let (name, email) = person(*who);
        let time = format!("{} +0100", (now - Duration::days(*days_ago)).timestamp());
        let signature = gix::actor::SignatureRef {
            name: name.as_str().into(),
            email: email.as_str().into(),
            time: &time,
        };
        let id = repo
            .commit_as(signature, signature, "HEAD", message, tree, parent)
            .map_err(git)?;
        parent = Some(id.detach());
    }

    // The work tree and index match the last commit.
    for (file, text) in &files {
        let target = path.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&target, text).map_err(io)?;
    }
    let mut index = repo.index_from_tree(&tree).map_err(git)?;
    index
        .write(gix::index::write::Options::default())
        .map_err(|e| DemoRepoError::Git {
            path: path.clone(),
            message: e.to_string(),
        })?;
    Ok((path, planted))
}

/// Two active tokens of different clients (work tree, history) and a revoked one (message).
fn pick_tokens(fixture: &Fixture) -> Result<[(&FixtureContext, &FixtureToken); 3], DemoRepoError> {
    let candidates = |status: TokenStatus| -> Vec<(&FixtureContext, &FixtureToken)> {
        fixture
            .contexts
            .iter()
            .flat_map(|ctx| ctx.tokens.iter().map(move |t| (ctx, t)))
            .filter(|(_, t)| {
                t.record.status == status
                    && !t.record.description.starts_with(AUDITOR_DESCRIPTION_PREFIX)
            })
            .collect()
    };
    let active = candidates(TokenStatus::Active);
    let live = *active
        .first()
        .ok_or(DemoRepoError::NoToken { what: "active" })?;
    let old =
        *active
            .iter()
            .find(|(ctx, _)| ctx.nip != live.0.nip)
            .ok_or(DemoRepoError::NoToken {
                what: "second client's active",
            })?;
    let revoked = *candidates(TokenStatus::Revoked)
        .first()
        .ok_or(DemoRepoError::NoToken { what: "revoked" })?;
    Ok([live, old, revoked])
}

/// The full token string; tokens without a known secret get a synthetic one (the scanner and
/// `--verify` need only the reference number and NIP).
fn token_string(ctx: &FixtureContext, token: &FixtureToken) -> String {
    ctx.token_string(token).unwrap_or_else(|| {
        let secret =
            fingerprint_hex(format!("demo-leak-{}", token.record.reference_number).as_bytes());
        format!(
            "{}|{}|{secret}",
            token.record.reference_number,
            ctx.token_segment()
        )
    })
}

fn planted(
    ctx: &FixtureContext,
    token: &FixtureToken,
    string: &str,
    place: &'static str,
) -> PlantedToken {
    PlantedToken {
        reference_number: token.record.reference_number.clone(),
        nip: ctx.nip.clone(),
        fingerprint: fingerprint_hex(string.as_bytes()),
        place,
    }
}

fn changelog(revoked_reference: &str) -> String {
    // A reference number on its own is not a token.
    format!(
        "# Changelog\n\n## 1.1.0\n- Rotated the KSeF token; the old one ({revoked_reference}) was revoked.\n- Invoice 5261048379-20260112-0A1B2C3D4E5F-7C exported again.\n"
    )
}

const README: &str = "# invoice-exporter\n\nExports invoices from our ERP to KSeF.\n\n\
Set `KSEF_TOKEN` in the environment (never in a file):\n\n    export KSEF_TOKEN=YOUR_TOKEN_HERE\n\n\
Token format: `<reference>|nip-<NIP>|<secret>`, e.g. `20260101-EC-XXXXXXXXXX-XXXXXXXXXX-XX|nip-0000000000|xxxx...`.\n";

const CARGO_LOCK: &str = "# This file is automatically @generated by Cargo.\nversion = 4\n\n\
[[package]]\nname = \"ksef-client\"\nversion = \"0.3.1\"\n\
source = \"git+https://example.com/ksef-client#4b825dc642cb6eb9a060e54bf8d69288fbee4904\"\n";

const SHA256SUMS: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  invoice-exporter-1.0.tar.gz\n\
E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855  invoice-exporter-1.0.zip\n";

const MAIN_RS: &str = "fn main() {\n    let token = std::env::var(\"KSEF_TOKEN\").expect(\"set KSEF_TOKEN\");\n    println!(\"token loaded ({} chars)\", token.len());\n}\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_firm;
    use ksef_leaks::sources::git::GitScanOptions;
    use ksef_leaks::sources::git::scan_history;
    use std::sync::Mutex;

    #[test]
    fn demo_repo_leaks_in_tree_history_and_message() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc);
        let fixture = demo_firm(now);
        let tmp = tempfile::tempdir().expect("tempdir");
        let (path, planted) = write_demo_repo_at(tmp.path(), &fixture, now).expect("written");
        assert_eq!(planted.len(), 3);
        let live = std::fs::read_to_string(path.join("config/appsettings.Production.json"))
            .expect("work tree");
        assert!(live.contains(&planted[0].reference_number));
        assert!(!path.join(".env").exists());

        let seen = Mutex::new(Vec::new());
        let summary = scan_history(&path, &GitScanOptions::default(), &|blob| {
            for p in &planted {
                if memchr::memmem::find(blob.data, p.reference_number.as_bytes()).is_some() {
                    let what = if blob.provenance.commit_message {
                        "<message>".to_string()
                    } else {
                        blob.provenance.path.clone()
                    };
                    seen.lock().expect("lock").push((p.place, what));
                }
            }
        })
        .expect("scan");
        assert_eq!(summary.commits, 5);
        let mut seen = seen.into_inner().expect("lock");
        seen.sort();
        assert_eq!(
            seen,
            vec![
                ("commit message", "<message>".to_string()),
                // the changelog names the revoked reference alone (a decoy, not a token)
                ("commit message", "CHANGELOG.md".to_string()),
                ("history", ".env".to_string()),
                (
                    "working tree",
                    "config/appsettings.Production.json".to_string()
                ),
            ]
        );

        // The real scanner finds the three tokens, and nothing among the decoys.
        let rules = ksef_rules::leak::load_leak_rules(None).expect("rules");
        let scanner = ksef_leaks::matcher::Scanner::new(&rules).expect("scanner");
        let found = Mutex::new(Vec::new());
        scan_history(&path, &GitScanOptions::default(), &|blob| {
            for m in scanner.scan_bytes(blob.data) {
                found.lock().expect("lock").push(m.fingerprint);
            }
        })
        .expect("scan");
        let mut found = found.into_inner().expect("lock");
        found.sort();
        let mut expected: Vec<String> = planted.iter().map(|p| p.fingerprint.clone()).collect();
        expected.sort();
        assert_eq!(found, expected);
    }
}
