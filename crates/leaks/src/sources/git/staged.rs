//! `leaks --staged`: the blobs of the index whose path or content differs from `HEAD` (a
//! pre-commit hook), read in parallel.

use std::collections::HashMap;

use chrono::Utc;
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::objs::TreeRefIter;
use rayon::prelude::*;

use super::{Ctx, GitBlob, GitProvenance, join, read_object};
use crate::sources::ScanError;

/// `--staged`: blobs of the index whose path or content differs from `HEAD`.
pub(super) fn scan_staged(
    shared: &gix::ThreadSafeRepository,
    ctx: &Ctx,
    sink: &(dyn Fn(GitBlob<'_>) + Sync),
) -> Result<(), ScanError> {
    let repo = shared.to_thread_local();
    let index = repo.index_or_empty().map_err(|e| ScanError::GitIndex {
        path: ctx.path.clone(),
        message: e.to_string(),
    })?;
    let head = head_blobs(&repo, ctx)?;
    let now = Utc::now();
    let staged: Vec<(ObjectId, String)> = index
        .entries()
        .iter()
        .filter(|entry| !entry.mode.is_submodule() && !entry.mode.is_sparse())
        .filter_map(|entry| {
            let path = entry.path(&index);
            (head.get(path) != Some(&entry.id))
                .then(|| (entry.id, path.to_str_lossy().into_owned()))
        })
        .collect();
    let staged: Vec<(ObjectId, String)> =
        staged.into_iter().filter(|(id, _)| ctx.owns(id)).collect();
    staged.into_par_iter().for_each_init(
        || (shared.to_thread_local(), Vec::new()),
        |(repo, buf), (id, path)| {
            let provenance = GitProvenance {
                commit: String::new(),
                author: String::new(),
                date: now,
                path,
                commit_message: false,
            };
            match read_object(repo, &id, buf) {
                Ok(data) => ctx.deliver(data.data, &provenance, sink),
                Err(message) => {
                    ctx.issue(format!("staged {} (blob {id})", provenance.path), message)
                }
            }
        },
    );
    Ok(())
}

/// Every blob of `HEAD`'s tree by path (none without a `HEAD`).
fn head_blobs(repo: &gix::Repository, ctx: &Ctx) -> Result<HashMap<BString, ObjectId>, ScanError> {
    let mut head: HashMap<BString, ObjectId> = HashMap::new();
    let Ok(tree) = repo.head_tree_id() else {
        return Ok(head);
    };
    let mut stack = vec![(tree.detach(), BString::default())];
    let mut buf = Vec::new();
    while let Some((id, prefix)) = stack.pop() {
        let data = read_object(repo, &id, &mut buf).map_err(|message| ScanError::GitObject {
            id: id.to_string(),
            path: ctx.path.clone(),
            message,
        })?;
        for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()).flatten() {
            let path = join(&prefix, entry.filename);
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else {
                head.insert(path, entry.oid.to_owned());
            }
        }
    }
    Ok(head)
}
