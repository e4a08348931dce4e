//! Files over `--max-file-size` read as a stream of overlapping windows
//! ([`ksef_model::WindowPlan`]), so memory stays bounded and nothing is skipped. Which match
//! belongs to which window is the scan's business (`evaluate::scan`); this only reads.

use std::io::{BufRead, BufReader, Read};

use ksef_model::Expansion;

use ksef_model::ScanIssue;
use ksef_model::WindowPlan;

use crate::sources::ArchiveLimits;
use crate::sources::SourceFile;

/// Calls `visit(start, bytes, last)` for each window of `r`: `start` is the window's offset in
/// the stream, `last` is true for the final one. Returns the bytes read.
pub(crate) fn read_windows(
    r: impl Read,
    plan: WindowPlan,
    visit: &mut dyn FnMut(u64, &[u8], bool),
) -> std::io::Result<u64> {
    let mut r = BufReader::with_capacity(64 * 1024, r);
    let mut buf: Vec<u8> = Vec::with_capacity(plan.size.min(64 << 20));
    let mut start = 0u64;
    loop {
        while buf.len() < plan.size {
            let chunk = r.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len().min(plan.size - buf.len());
            buf.extend_from_slice(&chunk[..n]);
            r.consume(n);
        }
        let last = buf.len() < plan.size || r.fill_buf()?.is_empty();
        visit(start, &buf, last);
        if last {
            return Ok(start + buf.len() as u64);
        }
        buf.drain(..plan.step());
        start += plan.step() as u64;
    }
}

/// Reads a file over the size limit in windows (archives go to [`read_large_archive`]).
pub(crate) fn read_large_file(
    file: &SourceFile,
    plan: WindowPlan,
    visit: &mut dyn FnMut(u64, &[u8], bool),
) -> Result<u64, ScanIssue> {
    let f = std::fs::File::open(&file.path).map_err(|e| cannot_read(file, &e))?;
    read_windows(f, plan, visit).map_err(|e| cannot_read(file, &e))
}

fn cannot_read(file: &SourceFile, e: &std::io::Error) -> ScanIssue {
    ScanIssue {
        path: crate::redact::redact_text(&file.display).into_owned(),
        message: format!("cannot read: {e}"),
    }
}

/// Whether a file over the size limit starts like an archive or compressed file.
pub(crate) fn is_large_archive(file: &SourceFile) -> bool {
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(&file.path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .is_ok()
        && crate::sources::archive_kind(&head).is_some()
}

/// Opens an archive over the size limit member by member
/// ([`crate::sources::archive::expand_stream`]): nothing larger than one member is held.
pub(crate) fn read_large_archive(
    file: &SourceFile,
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Result<Expansion, ScanIssue> {
    let f = std::fs::File::open(&file.path).map_err(|e| cannot_read(file, &e))?;
    crate::sources::archive::expand_stream(&file.display, BufReader::new(f), limits, visit)
        .map_err(|e| cannot_read(file, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_overlap_and_cover_the_stream() {
        let plan = WindowPlan {
            size: 10,
            overlap: 4,
        };
        for len in [0usize, 5, 10, 11, 16, 17, 40] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut seen = Vec::new();
            let n = read_windows(data.as_slice(), plan, &mut |start, bytes, last| {
                seen.push((start, bytes.to_vec(), last))
            })
            .expect("read");
            assert_eq!(n, len as u64);
            let (start, bytes, last) = seen.last().expect("a window");
            assert!(*last);
            assert_eq!(*start as usize + bytes.len(), len, "{len}");
            for (i, (start, bytes, last)) in seen.iter().enumerate() {
                assert_eq!(*start as usize, i * 6, "{len}");
                assert_eq!(bytes.as_slice(), &data[i * 6..i * 6 + bytes.len()]);
                assert_eq!(*last, i + 1 == seen.len());
            }
        }
    }
}
