//! Re-finding a leaked secret where a finding says it is: the file under the scanned root, or
//! the blob at the finding's commit. What acts on a finding (`revoke`) needs the secret itself
//! as evidence: a preview and a fingerprint in a results file can be written by anyone.

use std::io::Read;
use std::path::{Path, PathBuf};

use ksef_model::LeakFinding;

use crate::matcher::builtin_scanner;
use crate::sources::DEFAULT_MAX_FILE_SIZE;

/// Reads the finding's location under `root` (the scanned root as recorded in the results)
/// and looks for a secret with the finding's fingerprint, reference and NIP. `Err` says why
/// the secret could not be re-found.
pub fn refind(root: &Path, finding: &LeakFinding) -> Result<(), String> {
    if finding.path.contains('!') {
        return Err(format!(
            "the secret is inside an archive ('{}'): revoke re-reads plain files and git blobs only; revoke it by hand after checking",
            finding.path
        ));
    }
    let data = match &finding.commit {
        Some(commit) => read_blob(root, commit, &finding.path)?,
        None => read_file(&file_path(root, &finding.path))?,
    };
    let found = builtin_scanner().scan_bytes(&data).into_iter().any(|m| {
        m.fingerprint == finding.fingerprint
            && m.reference_number == finding.reference_number
            && m.nip == finding.nip
    });
    match found {
        true => Ok(()),
        false => Err(format!(
            "no secret with this fingerprint, reference and NIP is at {} (the results file is not evidence)",
            location(finding)
        )),
    }
}

fn location(f: &LeakFinding) -> String {
    match &f.commit {
        Some(c) => format!(
            "'{}' in commit {}",
            f.path,
            c.chars().take(12).collect::<String>()
        ),
        None => format!("'{}'", f.path),
    }
}

/// The file a finding names: `root/path`, or the root itself when a single file was scanned.
fn file_path(root: &Path, path: &str) -> PathBuf {
    if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(path)
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta =
        std::fs::symlink_metadata(path).map_err(|e| format!("cannot re-read '{shown}': {e}"))?;
    if !meta.is_file() {
        return Err(format!("cannot re-read '{shown}': not a regular file"));
    }
    if meta.len() > DEFAULT_MAX_FILE_SIZE {
        return Err(format!(
            "cannot re-read '{shown}': larger than {DEFAULT_MAX_FILE_SIZE} bytes"
        ));
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(DEFAULT_MAX_FILE_SIZE).read_to_end(&mut data))
        .map_err(|e| format!("cannot re-read '{shown}': {e}"))?;
    Ok(data)
}

fn read_blob(root: &Path, commit: &str, path: &str) -> Result<Vec<u8>, String> {
    let why =
        |e: &dyn std::fmt::Display| format!("cannot re-read '{path}' at commit {commit}: {e}");
    let repo = gix::discover(root).map_err(|e| why(&e))?;
    let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(|e| why(&e))?;
    let commit_obj = repo
        .find_object(id)
        .map_err(|e| why(&e))?
        .try_into_commit()
        .map_err(|e| why(&e))?;
    let tree = commit_obj.tree().map_err(|e| why(&e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| why(&e))?
        .ok_or_else(|| why(&"no such path in that commit"))?;
    let header = repo.find_header(entry.oid()).map_err(|e| why(&e))?;
    if header.kind() != gix::object::Kind::Blob {
        return Err(why(&"not a file"));
    }
    if header.size() > DEFAULT_MAX_FILE_SIZE {
        return Err(why(&format!("larger than {DEFAULT_MAX_FILE_SIZE} bytes")));
    }
    let blob = repo.find_object(entry.oid()).map_err(|e| why(&e))?;
    Ok(blob.data.clone())
}
