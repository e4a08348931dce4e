//! Size limits for the files the tool reads (issue 13, point 9): every input is read through
//! [`read_limited`], so a 5 GB file is refused with a clear message instead of exhausting
//! memory. The limits are documented in `docs/inputs.md`.

use std::io::Read;
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// `ksef-audit.toml`, exceptions file, rule files: hand-written TOML.
pub const MAX_TOML_BYTES: u64 = 16 * MIB;
/// Inventory and staff CSV, baseline files.
pub const MAX_TABLE_BYTES: u64 = 64 * MIB;
/// Results documents (`tokens`/`audit`/`leaks` JSON, snapshots, audit baselines).
pub const MAX_DOCUMENT_BYTES: u64 = 256 * MIB;

/// Certificate and private-key files (PEM, DER, PKCS#12), and a `--roots-from` list.
pub const MAX_KEY_BYTES: u64 = MIB;

/// `limit` for people: "64 KiB", "16 MiB".
pub fn shown_limit(limit: u64) -> String {
    if limit >= MIB && limit.is_multiple_of(MIB) {
        format!("{} MiB", limit / MIB)
    } else {
        format!("{} KiB", limit.div_ceil(1024))
    }
}

/// Reads at most `limit` bytes of `path`, which must be a regular file (a link to one is
/// followed). A directory, FIFO, socket or device (`/dev/zero`) is refused before it is
/// opened, so it can neither hang the run nor exhaust memory; a larger file is refused
/// too. Both are `InvalidData` errors that say so (callers wrap them with the file's role:
/// "cannot read inventory 'x': …").
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidData, message);
    let too_large = || {
        invalid(format!(
            "the file is larger than {}, the limit for this input; is it the right file?",
            shown_limit(limit)
        ))
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(invalid(format!(
            "not a regular file ({}); give a regular file",
            file_kind(&meta)
        )));
    }
    if meta.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path)?;
    // The path may have been replaced since `metadata`: check what was opened.
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(invalid(format!(
            "not a regular file ({}); give a regular file",
            file_kind(&opened)
        )));
    }
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(buf)
}

/// What a non-regular file is, for messages.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "an unusual kind of file"
    }
}

/// [`read_limited`] as UTF-8 text (like `std::fs::read_to_string`).
pub fn read_limited_text(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, limit)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}
