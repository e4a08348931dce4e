//! The files beside a key in the commit that added it (issue 22, point 2): a history scan
//! hands each blob over once, alone, so a key whose KSeF certificate is a sibling file of the
//! same commit is paired here, by reading that commit's tree again.

use std::path::Path;

use gix::ObjectId;

use crate::sources::{MAX_CERTIFICATE_FILE, directory, is_certificate_name};

/// At most this many certificate files of one directory are read.
const MAX_SIBLINGS: usize = 64;

/// The certificate files (`.crt`, `.cer`, `.pem`, `.der`, at most 1 MiB) in the directory of
/// `path` in the tree of `commit`, but `path` itself: (path, bytes). `path` may carry the
/// `(dangling):` prefix of an unreachable commit's blobs.
pub(crate) fn certificates_beside(
    repo: &Path,
    commit: &str,
    path: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let repo = gix::discover(repo).map_err(|e| e.to_string())?;
    let id = ObjectId::from_hex(commit.as_bytes()).map_err(|e| e.to_string())?;
    let commit = repo.find_commit(id).map_err(|e| e.to_string())?;
    let mut tree = commit.tree().map_err(|e| e.to_string())?;
    let (prefix, path) = match path.strip_prefix("(dangling):") {
        Some(rest) => ("(dangling):", rest),
        None => ("", path),
    };
    let dir = directory(path);
    if !dir.is_empty() {
        let Some(entry) = tree.peel_to_entry_by_path(dir).map_err(|e| e.to_string())? else {
            return Ok(Vec::new());
        };
        tree = entry
            .object()
            .map_err(|e| e.to_string())?
            .try_into_tree()
            .map_err(|e| e.to_string())?;
    }
    let mut out = Vec::new();
    for entry in tree.iter() {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.filename().to_string();
        let full = if dir.is_empty() {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        if !entry.mode().is_blob() || full == path || !is_certificate_name(&name) {
            continue;
        }
        let object = repo.find_object(entry.oid()).map_err(|e| e.to_string())?;
        if object.data.len() as u64 <= MAX_CERTIFICATE_FILE && out.len() < MAX_SIBLINGS {
            out.push((format!("{prefix}{full}"), object.data.clone()));
        }
    }
    Ok(out)
}
