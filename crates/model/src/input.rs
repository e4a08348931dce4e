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

/// Reads at most `limit` bytes of `path`; a larger file is an `InvalidData` error that says
/// so (callers wrap it with the file's role: "cannot read inventory 'x': …").
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, the limit for this input; is it the right file?",
                limit / MIB
            ),
        ));
    }
    Ok(buf)
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
