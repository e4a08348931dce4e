//! Git repositories built at test time with the git CLI, apart from the user's and the
//! system's configuration.

use std::path::Path;
use std::process::Command;

/// Who runs a git command, and when (`None`: now).
pub struct Who<'a> {
    pub author: (&'a str, &'a str),
    pub committer: (&'a str, &'a str),
    pub date: Option<&'a str>,
}

impl<'a> Who<'a> {
    /// One person (name, e-mail) authoring and committing at `date`.
    pub fn at(name: &'a str, email: &'a str, date: &'a str) -> Who<'a> {
        Who {
            author: (name, email),
            committer: (name, email),
            date: Some(date),
        }
    }
}

/// Runs `git args` in `dir` as `who`; panics with git's message when it fails. Returns the
/// trimmed standard output.
pub fn git(dir: &Path, who: &Who<'_>, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who.author.0)
        .env("GIT_AUTHOR_EMAIL", who.author.1)
        .env("GIT_COMMITTER_NAME", who.committer.0)
        .env("GIT_COMMITTER_EMAIL", who.committer.1);
    if let Some(date) = who.date {
        cmd.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
