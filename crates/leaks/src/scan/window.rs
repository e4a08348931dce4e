//! Files over `--max-file-size` scanned window by window ([`WindowPlan`]): the source reads
//! overlapping windows (`collect::sources::read_windows`), this module runs the matcher on
//! each and keeps a match only in the window whose middle part it starts in, with its line
//! and column counted from the start of the file. A token near a window edge is thus found
//! once and whole; context further back than half an overlap (a `package` line at the top of
//! a 100 MB file) is not seen by later windows.

use rayon::prelude::*;

use crate::findings::BlobScan;
use crate::findings::LeakScan;
use crate::matcher::Scanner;
use crate::matcher::to_utf8;
use crate::redact::redact_text;
use crate::scan::blob::Provenance;
use crate::scan::blob::candidate;
use ksef_model::PlaceholderDrop;
use ksef_model::ScanIssue;
use ksef_model::WindowPlan;

/// Where the scan of one windowed file stands.
struct Progress {
    /// Newlines before the current window.
    lines_before: u64,
    /// Characters between the last newline before the window and its start.
    carry_columns: u64,
}

/// Scans one large blob. `read(visit)` is the source's window reader: it calls
/// `visit(start, bytes, last)` for each window and returns the bytes read, or why it could
/// not read them.
pub(crate) fn scan_windowed(
    scanner: &Scanner,
    name: &str,
    plan: WindowPlan,
    provenance: Option<&Provenance>,
    read: impl FnOnce(&mut dyn FnMut(u64, &[u8], bool)) -> Result<u64, ScanIssue>,
) -> Result<BlobScan, ScanIssue> {
    let shown = redact_text(name).into_owned();
    let mut out = BlobScan::default();
    let mut at = Progress {
        lines_before: 0,
        carry_columns: 0,
    };
    let bytes = read(&mut |start, raw, last| {
        scan_window(
            scanner,
            &shown,
            plan,
            provenance,
            start == 0,
            raw,
            last,
            &mut at,
            &mut out,
        )
    })?;
    out.bytes = bytes;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn scan_window(
    scanner: &Scanner,
    name: &str,
    plan: WindowPlan,
    provenance: Option<&Provenance>,
    first: bool,
    raw: &[u8],
    last: bool,
    at: &mut Progress,
    out: &mut BlobScan,
) {
    let (text, _) = to_utf8(raw);
    let same = text.len() == raw.len();
    // Raw offsets (window-relative) as offsets into the decoded text.
    let decoded = |raw_offset: usize| -> usize {
        let raw_offset = raw_offset.min(raw.len());
        if same {
            raw_offset
        } else {
            to_utf8(&raw[..raw_offset]).0.len()
        }
    };
    let own_lo = if first { 0 } else { decoded(plan.overlap / 2) };
    let own_hi = if last {
        text.len()
    } else {
        decoded(plan.step() + plan.overlap / 2)
    };
    let line_of = |offset: usize| memchr::memchr_iter(b'\n', &text[..offset]).count() as u64 + 1;
    let (lo_line, hi_line) = (
        if first { 1 } else { line_of(own_lo) },
        if last { u64::MAX } else { line_of(own_hi) },
    );
    let found = scanner.scan(name, &text);
    for mut m in found.matches {
        let offset = offset_of(&text, m.line, m.column);
        if offset < own_lo || offset >= own_hi {
            continue;
        }
        if m.line == 1 {
            m.column += at.carry_columns;
        }
        m.line += at.lines_before;
        out.candidates.push(candidate(m, name, provenance));
    }
    for d in found.placeholders {
        if d.line < lo_line || d.line >= hi_line {
            continue;
        }
        out.placeholders.push(PlaceholderDrop {
            path: name.to_string(),
            line: d.line + at.lines_before,
            rule_id: d.rule_id,
            reason: d.reason.to_string(),
        });
    }
    if !last {
        let before_next = &text[..decoded(plan.step())];
        at.lines_before += memchr::memchr_iter(b'\n', before_next).count() as u64;
        at.carry_columns = match memchr::memrchr(b'\n', before_next) {
            Some(p) => characters(&before_next[p + 1..]),
            None => at.carry_columns + characters(before_next),
        };
    }
}

fn characters(text: &[u8]) -> u64 {
    text.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64
}

/// The byte offset of a 1-based line and column (in characters) of `text`.
fn offset_of(text: &[u8], line: u64, column: u64) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', text)
            .nth((line - 2) as usize)
            .map_or(text.len(), |p| p + 1)
    };
    let mut chars = 0u64;
    for (i, b) in text[line_start..].iter().enumerate() {
        if (b & 0xC0) != 0x80 {
            chars += 1;
            if chars == column {
                return line_start + i;
            }
        }
    }
    text.len()
}

/// Scans files over the size limit, in parallel, window by window. `read(file, visit)` is
/// the source's reader (`collect::sources::read_large_file`); `name(file)` the name findings
/// give it.
pub(crate) fn scan_large_files<F: Sync>(
    scanner: &Scanner,
    files: &[F],
    plan: WindowPlan,
    name: impl Fn(&F) -> &str + Sync,
    read: impl Fn(&F, &mut dyn FnMut(u64, &[u8], bool)) -> Result<u64, ScanIssue> + Sync,
    scan: &mut LeakScan,
) {
    let blobs: Vec<Result<BlobScan, ScanIssue>> = files
        .par_iter()
        .map(|f| scan_windowed(scanner, name(f), plan, None, |visit| read(f, visit)))
        .collect();
    for b in blobs {
        match b {
            Ok(b) => {
                scan.stats.files += 1;
                scan.absorb(b);
            }
            Err(issue) => {
                scan.stats.errors += 1;
                scan.stats.skipped += 1;
                scan.issues.push(issue);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::builtin_scanner;

    const V2: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

    /// Windows over an in-memory buffer, as the source reads them.
    fn windows(data: &[u8], plan: WindowPlan, visit: &mut dyn FnMut(u64, &[u8], bool)) -> u64 {
        let mut start = 0;
        loop {
            let end = (start + plan.size).min(data.len());
            let last = end == data.len();
            visit(start as u64, &data[start..end], last);
            if last {
                return data.len() as u64;
            }
            start += plan.step();
        }
    }

    fn scan_in_windows(data: &[u8], plan: WindowPlan) -> Vec<(u64, u64)> {
        let blob = scan_windowed(builtin_scanner(), "big.log", plan, None, |visit| {
            Ok(windows(data, plan, visit))
        })
        .expect("scan");
        blob.candidates
            .iter()
            .map(|c| (c.finding.line.unwrap_or(0), c.finding.column.unwrap_or(0)))
            .collect()
    }

    /// Issue 12: a token at every position around a window edge is found once, at the line
    /// and column a whole-file scan gives.
    #[test]
    fn a_token_near_a_window_edge_is_found_once_where_it_is() {
        let plan = WindowPlan {
            size: 4096,
            overlap: 1024,
        };
        let line = "2026-11-30 INFO request handled in 12 ms by worker 7\n";
        // 55 lines are 2970 bytes: the token starts from before the second window (3072)
        // across the edge of the first one's own part (3584) to past its end (4096).
        for shift in (0..1400).step_by(11) {
            let mut text = line.repeat(55);
            text.push_str(&"x".repeat(shift));
            text.push_str(&format!(" KSEF_TOKEN={V2}\n"));
            text.push_str(&line.repeat(200));
            let whole: Vec<(u64, u64)> = builtin_scanner()
                .scan_bytes(text.as_bytes())
                .iter()
                .map(|m| (m.line, m.column))
                .collect();
            assert_eq!(whole.len(), 1);
            assert_eq!(
                scan_in_windows(text.as_bytes(), plan),
                whole,
                "shift {shift}"
            );
        }
    }

    #[test]
    fn one_long_line_keeps_its_columns() {
        let plan = WindowPlan {
            size: 4096,
            overlap: 1024,
        };
        let mut text = "ab;".repeat(3000);
        text.push_str(&format!("var t=\"{V2}\";"));
        text.push_str(&"cd;".repeat(3000));
        text.push_str(&format!("\nKSEF_TOKEN={V2}\n"));
        let whole: Vec<(u64, u64)> = builtin_scanner()
            .scan_bytes(text.as_bytes())
            .iter()
            .map(|m| (m.line, m.column))
            .collect();
        assert_eq!(whole, vec![(1, 9008), (2, 12)]);
        assert_eq!(scan_in_windows(text.as_bytes(), plan), whole);
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        let text = "ab\nżółw x\n\nyz".as_bytes();
        for offset in [0, 1, 3, 5, 10, 12, 13] {
            let (line, column) = crate::position::line_col(text, offset);
            assert_eq!(offset_of(text, line, column), offset);
        }
    }
}
