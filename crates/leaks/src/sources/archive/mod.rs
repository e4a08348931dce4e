//! Archives opened in memory: zip (and zip-based office files: xlsx, docx, ods, odt, jar…),
//! tar and the single-file compressors gzip, xz, bzip2 and zstd, nested to a bounded depth and
//! a bounded expanded size. Entries are named `outer.zip!inner/path`; a compressed layer keeps
//! its file's name (`logs.txt.gz`, `app.log.1.xz`, `bundle.tar.zst!etc/app.env`).

use crate::redact::redact_text;
use std::io::{Cursor, Read};

use ksef_model::Expansion;
use ksef_model::ScanIssue;

/// Bounds on what an archive may expand to. A bomb is decided by absolute sizes and nesting,
/// never by the expansion ratio alone: git's own `t5004/big-pack.zip` (6,806 bytes expanding
/// to 4 MB) is an ordinary archive and is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Archive layers opened inside one file (a gzip layer counts).
    pub max_depth: u32,
    /// Bytes all members of one top-level file may expand to, together.
    pub max_total: u64,
    /// Bytes one member may expand to.
    pub max_entry: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 4,
            max_total: 512 * 1024 * 1024,
            max_entry: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    SevenZ,
    Compressed(Codec),
    Tar,
    Plain,
}

/// A single-file compressor: one stream in, one buffer out (logrotate's `.gz`, `.xz`,
/// `.bz2`, `.zst`, and the outer layer of `.tar.gz` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Gzip,
    Xz,
    Bzip2,
    Zstd,
}

impl Codec {
    /// The codec whose magic bytes start `data`.
    pub(crate) fn sniff(data: &[u8]) -> Option<Codec> {
        if data.starts_with(&[0x1f, 0x8b]) {
            Some(Codec::Gzip)
        } else if data.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Codec::Xz)
        } else if data.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
            Some(Codec::Zstd)
        } else if data.len() >= 10
            && data.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&data[3])
            // a block (pi) or the end of an empty stream (sqrt pi): not a text saying "BZh9"
            && (data[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || data[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            Some(Codec::Bzip2)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Xz => "xz",
            Codec::Bzip2 => "bzip2",
            Codec::Zstd => "zstd",
        }
    }

    /// Decompresses `data`, stopping after `cap + 1` bytes (the caller treats more than `cap`
    /// as a bomb): nothing larger than that is ever held in memory.
    pub(crate) fn decompress(self, data: &[u8], cap: u64) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let limit = cap.saturating_add(1);
        match self {
            Codec::Gzip => {
                flate2::read::MultiGzDecoder::new(data)
                    .take(limit)
                    .read_to_end(&mut out)?;
            }
            Codec::Bzip2 => {
                bzip2::read::MultiBzDecoder::new(data)
                    .take(limit)
                    .read_to_end(&mut out)?;
            }
            Codec::Xz => {
                let mut sink = Capped { out, limit };
                xz_streams(data, &mut sink)?;
                out = sink.out;
            }
            Codec::Zstd => {
                // Frame after frame (`zstd` writes one; concatenated files have several).
                let mut rest = data;
                while rest.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) && (out.len() as u64) < limit {
                    let decoder = ruzstd::decoding::StreamingDecoder::new(&mut rest)
                        .map_err(std::io::Error::other)?;
                    decoder
                        .take(limit - out.len() as u64)
                        .read_to_end(&mut out)?;
                }
            }
        }
        Ok(out)
    }
}

const XZ_MAGIC: &[u8] = &[0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// Decodes every stream of an `.xz` file (`xz` concatenates them: `cat a.xz b.xz`, or
/// `xz -T` on some versions), with the stream padding (zero bytes) between them. lzma-rs
/// decodes one stream and refuses anything after it, so each stream is cut out first: it
/// ends with the footer magic `YZ`, followed by padding and the next stream's header or
/// the end of the file. A cut that does not decode is not a stream end: the next is tried
/// (a bounded number of times).
fn xz_streams(data: &[u8], sink: &mut Capped) -> std::io::Result<()> {
    const MAX_TRIES: usize = 64;
    let mut start = 0;
    let mut tries = 0;
    while start < data.len() {
        let rest = &data[start..];
        let mut last_error = None;
        let mut next = None;
        for end in (2..=rest.len()).filter(|&e| &rest[e - 2..e] == b"YZ") {
            let after = &rest[end..];
            let padding = after.iter().take_while(|&&b| b == 0).count();
            let padding = padding - padding % 4;
            let tail = &after[padding..];
            if !(tail.is_empty() || tail.starts_with(XZ_MAGIC)) {
                continue;
            }
            tries += 1;
            if tries > MAX_TRIES {
                break;
            }
            let kept = sink.out.len();
            match lzma_rs::xz_decompress(&mut &rest[..end], sink) {
                Ok(()) => {
                    next = Some(start + end + padding);
                    break;
                }
                // The cap was reached: what was read so far says "bomb".
                Err(_) if sink.out.len() as u64 >= sink.limit => return Ok(()),
                Err(e) => {
                    sink.out.truncate(kept);
                    last_error = Some(e.to_string());
                }
            }
        }
        match next {
            Some(n) => start = n,
            None => {
                return Err(std::io::Error::other(
                    last_error.unwrap_or_else(|| "no complete xz stream".into()),
                ));
            }
        }
    }
    Ok(())
}

/// A writer that keeps at most `limit` bytes and then fails (the xz decoder writes, it has
/// no reader to `take` from).
struct Capped {
    out: Vec<u8>,
    limit: u64,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.out.len() as u64) as usize;
        if room == 0 {
            return Err(std::io::Error::other("size limit reached"));
        }
        let n = buf.len().min(room);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What kind of archive `data` starts like (`zip archive`, `xz file`, …), if any.
pub(crate) fn archive_kind(data: &[u8]) -> Option<String> {
    match kind(data) {
        Kind::Plain => None,
        Kind::Zip => Some("zip archive".into()),
        Kind::SevenZ => Some("7z archive".into()),
        Kind::Tar => Some("tar archive".into()),
        Kind::Compressed(codec) => Some(format!("{} file", codec.name())),
    }
}

fn kind(data: &[u8]) -> Kind {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if data.starts_with(SEVENZ_MAGIC) {
        Kind::SevenZ
    } else if let Some(codec) = Codec::sniff(data) {
        Kind::Compressed(codec)
    } else if data.len() >= 512 && &data[257..262] == b"ustar" {
        Kind::Tar
    } else {
        Kind::Plain
    }
}

/// Calls `visit(name, bytes)` for `data` itself when it is not an archive, or for every
/// (nested) member when it is.
pub(crate) fn expand(
    name: &str,
    data: &[u8],
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Expansion {
    let mut ex = Expansion::default();
    let mut budget = limits.max_total;
    walk(name, data, 0, limits, &mut budget, visit, &mut ex);
    ex
}

/// Opens an archive too large to hold whole (over `--max-file-size`) member by member: a zip
/// through its central directory, a tar (also inside gzip, bzip2 or zstd) entry by entry.
/// Each member is held up to `limits.max_entry` bytes and opened like any other. A compressed
/// file that does not hold a tar is refused (listed as skipped).
pub(crate) fn expand_stream<R: Read + std::io::Seek>(
    name: &str,
    mut reader: R,
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> std::io::Result<Expansion> {
    let mut head = Vec::with_capacity(512);
    (&mut reader).take(512).read_to_end(&mut head)?;
    reader.seek(std::io::SeekFrom::Start(0))?;
    let mut ex = Expansion::default();
    let mut budget = limits.max_total;
    let mut at = Walk {
        depth: 0,
        limits,
        budget: &mut budget,
        visit,
        ex: &mut ex,
    };
    match kind(&head) {
        Kind::Zip => walk_zip(name, reader, &mut at),
        Kind::SevenZ => walk_7z(name, reader, &mut at),
        Kind::Tar => walk_tar(name, reader, &mut at),
        Kind::Compressed(codec) => {
            let decoded: Box<dyn Read> = match codec {
                Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
                Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
                Codec::Zstd => Box::new(
                    ruzstd::decoding::StreamingDecoder::new(reader)
                        .map_err(std::io::Error::other)?,
                ),
                Codec::Xz => return Ok(refused_stream(name, codec, ex)),
            };
            let mut decoded = std::io::BufReader::new(decoded);
            let inner = std::io::BufRead::fill_buf(&mut decoded)?;
            let mut head = inner.to_vec();
            while head.len() < 512 {
                let more = std::io::BufRead::fill_buf(&mut decoded)?;
                if more.is_empty() {
                    break;
                }
                head.extend_from_slice(more);
            }
            if kind(&head) == Kind::Tar {
                walk_tar(name, decoded, &mut at);
            } else {
                return Ok(refused_stream(name, codec, ex));
            }
        }
        // Callers pass archives only (`archive_kind`): anything else is not read in part.
        Kind::Plain => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not an archive",
            ));
        }
    }
    Ok(ex)
}

fn refused_stream(name: &str, codec: Codec, mut ex: Expansion) -> Expansion {
    refuse(
        &mut ex,
        name,
        format!(
            "{} file larger than --max-file-size, not opened (only a tar inside is read member by member)\nhelp: raise --max-file-size to open it, or decompress it and scan the result",
            codec.name()
        ),
    );
    ex
}

/// Lists a refused archive or member with its reason (counted as skipped).
fn refuse(ex: &mut Expansion, path: &str, message: String) {
    ex.skipped.push(ScanIssue {
        path: redact_text(path).into_owned(),
        message,
    });
}

/// Where one expansion stands: depth, limits, what is left of the size budget.
struct Walk<'a> {
    depth: u32,
    limits: &'a ArchiveLimits,
    budget: &'a mut u64,
    visit: &'a mut dyn FnMut(&str, &[u8]),
    ex: &'a mut Expansion,
}

impl Walk<'_> {
    /// Hands a member read whole on to [`walk`], one level deeper.
    fn member(&mut self, member: &str, buf: &[u8]) {
        *self.budget -= buf.len() as u64;
        walk(
            member,
            buf,
            self.depth + 1,
            self.limits,
            self.budget,
            self.visit,
            self.ex,
        );
    }

    /// What one member may expand to: the entry limit, within what is left of the total.
    fn cap(&self) -> u64 {
        self.limits.max_entry.min(*self.budget)
    }
}

fn walk(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    visit: &mut dyn FnMut(&str, &[u8]),
    ex: &mut Expansion,
) {
    let k = kind(data);
    if k != Kind::Plain && depth >= limits.max_depth {
        refuse(
            ex,
            name,
            format!(
                "archive nested deeper than {} levels, not opened\nhelp: extract it and scan the result",
                limits.max_depth
            ),
        );
        return;
    }
    let mut at = Walk {
        depth,
        limits,
        budget,
        visit,
        ex,
    };
    match k {
        Kind::Plain => {
            if depth > 0 {
                at.ex.members += 1;
            }
            at.ex.bytes += data.len() as u64;
            // A token in a file or member name: the name is shown redacted, and scanned
            // itself (as `NAME (name)`) so the token is reported even when only there.
            let shown = redact_text(name);
            if shown != name {
                (at.visit)(&format!("{shown} (name)"), name.as_bytes());
            }
            (at.visit)(&shown, data);
        }
        Kind::Zip => walk_zip(name, Cursor::new(data), &mut at),
        Kind::SevenZ => walk_7z(name, Cursor::new(data), &mut at),
        Kind::Compressed(codec) => {
            let cap = at.cap();
            let out = match codec.decompress(data, cap) {
                Ok(out) => out,
                Err(e) => {
                    let codec = codec.name();
                    refuse(
                        at.ex,
                        name,
                        format!("corrupt {codec} data, not scanned: {e}"),
                    );
                    return;
                }
            };
            if out.len() as u64 > cap {
                refuse(at.ex, name, bomb_message(data.len() as u64, cap));
                return;
            }
            // The decompressed stream keeps the file's name (`logs.txt.gz`).
            *at.budget -= out.len() as u64;
            walk(name, &out, depth + 1, limits, at.budget, at.visit, at.ex);
        }
        Kind::Tar => walk_tar(name, Cursor::new(data), &mut at),
    }
}

fn bomb_message(compressed: u64, cap: u64) -> String {
    format!(
        "archive bomb: expands beyond the size limit ({cap} bytes, from {compressed} bytes), skipped\nhelp: extract it with care and scan the result, or exclude it with --exclude"
    )
}

fn walk_zip<R: Read + std::io::Seek>(name: &str, reader: R, at: &mut Walk<'_>) {
    let mut zip = match zip::ZipArchive::new(reader) {
        Ok(z) => z,
        Err(e) => {
            refuse(
                at.ex,
                name,
                format!("corrupt zip archive, not scanned: {e}"),
            );
            return;
        }
    };
    for i in 0..zip.len() {
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                refuse(at.ex, name, format!("zip member {i} cannot be read: {e}"));
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let member = format!(
            "{name}!{}",
            file.name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("#{i}"))
        );
        let (declared, compressed) = (file.size(), file.compressed_size());
        let cap = at.cap();
        if declared > cap {
            refuse(at.ex, &member, bomb_message(compressed, cap));
            continue;
        }
        let mut buf = Vec::with_capacity(declared as usize);
        if let Err(e) = (&mut file).take(cap + 1).read_to_end(&mut buf) {
            refuse(at.ex, &member, format!("zip member cannot be read: {e}"));
            continue;
        }
        if buf.len() as u64 > cap {
            refuse(at.ex, &member, bomb_message(compressed, cap));
            continue;
        }
        at.member(&member, &buf);
    }
}

const SEVENZ_MAGIC: &[u8] = &[b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C];

/// Memory the 7z decoder may take for its headers and dictionaries (KiB).
const SEVENZ_MEMORY_KB: usize = 256 * 1024;

/// A 7z archive (LZMA, LZMA2, stored), member by member. An encrypted one (or one whose
/// method is not supported) is refused with its reason.
fn walk_7z<R: Read + std::io::Seek>(name: &str, reader: R, at: &mut Walk<'_>) {
    use sevenz_rust2::{ArchiveReader, Password};
    let mut archive =
        match ArchiveReader::new_with_memory_limit(reader, Password::empty(), SEVENZ_MEMORY_KB) {
            Ok(a) => a,
            Err(e) => {
                refuse(at.ex, name, sevenz_refusal(&e));
                return;
            }
        };
    archive.set_thread_count(1);
    let read = archive.for_each_entries(|entry, data| {
        if entry.is_directory || !entry.has_stream {
            return Ok(true);
        }
        let member = format!("{name}!{}", entry.name);
        let cap = at.cap();
        if entry.size > cap {
            refuse(at.ex, &member, bomb_message(entry.compressed_size, cap));
            return Ok(true);
        }
        let mut buf = Vec::with_capacity(entry.size as usize);
        data.take(cap + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > cap {
            refuse(at.ex, &member, bomb_message(entry.compressed_size, cap));
        } else {
            at.member(&member, &buf);
        }
        Ok(true)
    });
    if let Err(e) = read {
        refuse(at.ex, name, sevenz_refusal(&e));
    }
}

fn sevenz_refusal(e: &sevenz_rust2::Error) -> String {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("password") || text.contains("AES") {
        format!(
            "encrypted 7z archive, not scanned: {text}\nhelp: extract it with its password and scan the result"
        )
    } else {
        format!(
            "corrupt or unsupported 7z archive, not scanned: {text}\nhelp: extract it and scan the result"
        )
    }
}

fn walk_tar<R: Read>(name: &str, reader: R, at: &mut Walk<'_>) {
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            refuse(
                at.ex,
                name,
                format!("corrupt tar archive, not scanned: {e}"),
            );
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                refuse(at.ex, name, format!("tar entry cannot be read: {e}"));
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let member = format!(
            "{name}!{}",
            entry
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "?".into())
        );
        let cap = at.cap();
        if entry.size() > cap {
            refuse(
                at.ex,
                &member,
                format!(
                    "tar entry declares {} bytes, beyond the size limit ({cap} bytes), skipped\nhelp: extract it and scan the result, or exclude it with --exclude",
                    entry.size()
                ),
            );
            continue;
        }
        let mut buf = Vec::with_capacity(entry.size() as usize);
        if let Err(e) = entry.read_to_end(&mut buf) {
            refuse(at.ex, &member, format!("tar entry cannot be read: {e}"));
            break;
        }
        at.member(&member, &buf);
    }
}

#[cfg(test)]
mod tests;
