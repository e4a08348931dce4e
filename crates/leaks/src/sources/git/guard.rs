//! A hostile repository must not hang or exhaust a history scan (issue 21, point 8): the
//! metadata files git (and gix) read whole are checked before the repository is opened, and
//! reflogs are read with a limit.

use std::path::{Path, PathBuf};

const MIB: u64 = 1024 * 1024;

/// `HEAD`, `config`, `packed-refs`, `shallow`, `objects/info/alternates`, a reflog.
pub(super) const MAX_METADATA_BYTES: u64 = 64 * MIB;
/// The index (`--staged`): large work trees have large indexes.
const MAX_INDEX_BYTES: u64 = 512 * MIB;

/// The metadata files read whole when the repository opens (and the index for `--staged`).
const METADATA: &[&str] = &[
    "HEAD",
    "config",
    "commondir",
    "packed-refs",
    "shallow",
    "objects/info/alternates",
    "index",
];

/// The git directory of `repo` when it can be told without opening it: `repo/.git` (a
/// directory), or `repo` itself when it looks like a bare repository.
fn git_dir(repo: &Path) -> Option<PathBuf> {
    let dot = repo.join(".git");
    if std::fs::symlink_metadata(&dot).is_ok_and(|m| m.is_dir()) {
        return Some(dot);
    }
    repo.join("objects").is_dir().then(|| repo.to_path_buf())
}

/// Refuses a repository whose metadata files are not regular files inside the git directory
/// (a FIFO hangs the open, a link to `/dev/zero` never ends) or exceed their limit. The
/// message names the file.
pub(super) fn check_metadata(repo: &Path) -> Result<(), String> {
    let Some(dir) = git_dir(repo) else {
        return Ok(());
    };
    for name in METADATA {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let limit = if *name == "index" {
            MAX_INDEX_BYTES
        } else {
            MAX_METADATA_BYTES
        };
        check_file(&dir, &path, limit)?;
    }
    Ok(())
}

/// `path` must be a regular file (a link only when it stays inside `dir`) of at most `limit`
/// bytes.
pub(super) fn check_file(dir: &Path, path: &Path, limit: u64) -> Result<(), String> {
    let shown = path.display();
    let link = std::fs::symlink_metadata(path)
        .map_err(|e| format!("'{shown}' cannot be read: {e}"))?
        .file_type()
        .is_symlink();
    if link {
        let target = std::fs::canonicalize(path)
            .map_err(|e| format!("'{shown}' is a link that cannot be followed: {e}"))?;
        let inside = std::fs::canonicalize(dir).is_ok_and(|d| target.starts_with(d));
        if !inside {
            return Err(format!(
                "'{shown}' is a link leaving the git directory (to '{}'); refused",
                target.display()
            ));
        }
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("'{shown}' cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "'{shown}' is not a regular file (a FIFO, socket, device or directory); refused"
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "'{shown}' is larger than {} MiB, the limit for git metadata; refused",
            limit / MIB
        ));
    }
    Ok(())
}
