//! What a history scan needs of each commit (parents, times, tree, author), read once for
//! every commit in the packs, on every thread, before the graph is built. The graph and the
//! walk then never decode a commit again; the readers decode the messages they scan.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::commit::ref_iter::Token;
use gix::objs::{CommitRefIter, Kind};
use rayon::prelude::*;

use super::packs::{PackReader, Packs};
use super::read_object;

/// Decoded-object cache of each thread reading commits (most are whole objects).
const COMMIT_CACHE: usize = 4 << 20;

/// A commit's parents, committer time, tree and author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CommitMeta {
    pub(super) parents: Vec<ObjectId>,
    /// Committer time (seconds), for the walk's order and `--since DATE`.
    pub(super) time: i64,
    pub(super) tree: ObjectId,
    /// `Name <email>`, empty when the author line cannot be read.
    pub(super) author: String,
    /// Author date (the epoch when the author line cannot be read).
    pub(super) date: DateTime<Utc>,
}

impl CommitMeta {
    /// The commit `id`: from `known` (the packed commits read ahead), else read and parsed.
    pub(super) fn of<'k>(
        known: &'k HashMap<ObjectId, CommitMeta>,
        repo: &gix::Repository,
        id: &ObjectId,
        buf: &mut Vec<u8>,
    ) -> Result<Cow<'k, CommitMeta>, String> {
        if let Some(meta) = known.get(id) {
            return Ok(Cow::Borrowed(meta));
        }
        let data = read_object(repo, id, buf)?;
        if data.kind != Kind::Commit {
            return Err(format!("expected a commit, found a {}", data.kind));
        }
        CommitMeta::parse(data.data, repo.object_hash()).map(Cow::Owned)
    }

    /// Parses a commit object's headers (one pass, up to the committer).
    pub(super) fn parse(data: &[u8], hash: gix::hash::Kind) -> Result<CommitMeta, String> {
        let mut tree = None;
        let mut meta = CommitMeta {
            parents: Vec::new(),
            time: 0,
            tree: ObjectId::null(hash),
            author: String::new(),
            date: DateTime::<Utc>::UNIX_EPOCH,
        };
        for token in CommitRefIter::from_bytes(data, hash) {
            let token = match token {
                Ok(token) => token,
                Err(e) if tree.is_none() => return Err(e.to_string()),
                Err(_) => break,
            };
            match token {
                Token::Tree { id } => tree = Some(id),
                Token::Parent { id } => meta.parents.push(id),
                Token::Author { signature } => {
                    meta.date =
                        DateTime::from_timestamp(signature.seconds(), 0).unwrap_or_default();
                    let name = signature.name.trim().to_str_lossy();
                    let email = signature.email.trim().to_str_lossy();
                    meta.author = format!("{name} <{email}>");
                }
                Token::Committer { signature } => {
                    meta.time = signature.seconds();
                    break;
                }
                _ => {}
            }
        }
        meta.tree = tree.ok_or("the commit names no tree")?;
        Ok(meta)
    }
}

/// Every commit stored whole in the packs, by id. Commits stored as deltas, loose or
/// unreadable are left out: those are read one by one when asked for.
pub(super) fn packed_commits(
    packs: &Packs,
    hash: gix::hash::Kind,
) -> HashMap<ObjectId, CommitMeta> {
    packs
        .whole_commits()
        .par_chunks(1024)
        .map_init(
            || (PackReader::new(packs, COMMIT_CACHE), Vec::new()),
            |(reader, buf), chunk| {
                chunk
                    .iter()
                    .filter_map(|(id, pack, offset)| {
                        reader.decode_at(*pack, *offset, buf).ok()?;
                        CommitMeta::parse(buf, hash).ok().map(|meta| (*id, meta))
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten_iter()
        .collect()
}
