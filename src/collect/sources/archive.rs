//! Archives opened in memory: zip (and zip-based office files: xlsx, docx, ods, odt, jar…),
//! gzip and tar, nested to a bounded depth and a bounded expanded size. Entries are named
//! `outer.zip!inner/path`; a gzip layer keeps its file's name (`logs.txt.gz`,
//! `bundle.tar.gz!etc/app.env`).

use crate::rule::matcher::redact_text;
use std::io::{Cursor, Read};

pub use crate::model::Expansion;
use crate::model::ScanIssue;

/// Bounds on what an archive may expand to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Archive layers opened inside one file (a gzip layer counts).
    pub max_depth: u32,
    /// Bytes all members of one top-level file may expand to, together.
    pub max_total: u64,
    /// Bytes one member may expand to.
    pub max_entry: u64,
    /// Expansion ratio above which a member larger than 1 MiB is treated as a bomb.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 4,
            max_total: 512 * 1024 * 1024,
            max_entry: 64 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

const RATIO_FLOOR: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Gzip,
    Tar,
    Plain,
}

fn kind(data: &[u8]) -> Kind {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if data.len() >= 512 && &data[257..262] == b"ustar" {
        Kind::Tar
    } else {
        Kind::Plain
    }
}

/// Calls `visit(name, bytes)` for `data` itself when it is not an archive, or for every
/// (nested) member when it is.
pub fn expand(
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

fn issue(ex: &mut Expansion, path: &str, message: String) {
    ex.issues.push(ScanIssue {
        path: redact_text(path).into_owned(),
        message,
    });
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
        issue(
            ex,
            name,
            format!(
                "archive nested deeper than {} levels, not opened\nhelp: extract it and scan the result",
                limits.max_depth
            ),
        );
        return;
    }
    match k {
        Kind::Plain => {
            if depth > 0 {
                ex.members += 1;
            }
            ex.bytes += data.len() as u64;
            // A token in a file or member name: the name is shown redacted, and scanned
            // itself (as `NAME (name)`) so the token is reported even when only there.
            let shown = redact_text(name);
            if shown != name {
                visit(&format!("{shown} (name)"), name.as_bytes());
            }
            visit(&shown, data);
        }
        Kind::Zip => walk_zip(name, data, depth, limits, budget, visit, ex),
        Kind::Gzip => {
            let cap = limits.max_entry.min(*budget);
            let mut out = Vec::new();
            let read = flate2::read::MultiGzDecoder::new(data)
                .take(cap + 1)
                .read_to_end(&mut out);
            if let Err(e) = read {
                issue(ex, name, format!("corrupt gzip data, not scanned: {e}"));
                return;
            }
            let n = out.len() as u64;
            if n > cap || (n > RATIO_FLOOR && n / (data.len() as u64).max(1) > limits.max_ratio) {
                issue(ex, name, bomb_message(data.len() as u64, n, n > cap));
                return;
            }
            *budget -= n;
            walk(name, &out, depth + 1, limits, budget, visit, ex);
        }
        Kind::Tar => walk_tar(name, data, depth, limits, budget, visit, ex),
    }
}

fn bomb_message(compressed: u64, expanded: u64, over_limit: bool) -> String {
    if over_limit {
        format!(
            "archive bomb: expands beyond the size limit (from {compressed} bytes), skipped\nhelp: extract it with care and scan the result, or exclude it with --exclude"
        )
    } else {
        format!(
            "archive bomb: {compressed} bytes expand to {expanded} bytes, skipped\nhelp: extract it with care and scan the result, or exclude it with --exclude"
        )
    }
}

fn walk_zip(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    visit: &mut dyn FnMut(&str, &[u8]),
    ex: &mut Expansion,
) {
    let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => {
            issue(ex, name, format!("corrupt zip archive, not scanned: {e}"));
            return;
        }
    };
    for i in 0..zip.len() {
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                issue(ex, name, format!("zip member {i} cannot be read: {e}"));
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
        let (declared, compressed) = (file.size(), file.compressed_size().max(1));
        let cap = limits.max_entry.min(*budget);
        if declared > cap || (declared > RATIO_FLOOR && declared / compressed > limits.max_ratio) {
            issue(
                ex,
                &member,
                bomb_message(compressed, declared, declared > cap),
            );
            continue;
        }
        let mut buf = Vec::with_capacity(declared as usize);
        if let Err(e) = (&mut file).take(cap + 1).read_to_end(&mut buf) {
            issue(ex, &member, format!("zip member cannot be read: {e}"));
            continue;
        }
        let n = buf.len() as u64;
        if n > cap || (n > RATIO_FLOOR && n / compressed > limits.max_ratio) {
            issue(ex, &member, bomb_message(compressed, n, n > cap));
            continue;
        }
        *budget -= n;
        walk(&member, &buf, depth + 1, limits, budget, visit, ex);
    }
}

fn walk_tar(
    name: &str,
    data: &[u8],
    depth: u32,
    limits: &ArchiveLimits,
    budget: &mut u64,
    visit: &mut dyn FnMut(&str, &[u8]),
    ex: &mut Expansion,
) {
    let mut archive = tar::Archive::new(Cursor::new(data));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            issue(ex, name, format!("corrupt tar archive, not scanned: {e}"));
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                issue(ex, name, format!("tar entry cannot be read: {e}"));
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
        let cap = limits.max_entry.min(*budget);
        if entry.size() > cap {
            issue(ex, &member, bomb_message(entry.size(), entry.size(), true));
            continue;
        }
        let mut buf = Vec::with_capacity(entry.size() as usize);
        if let Err(e) = entry.read_to_end(&mut buf) {
            issue(ex, &member, format!("tar entry cannot be read: {e}"));
            continue;
        }
        *budget -= buf.len() as u64;
        walk(&member, &buf, depth + 1, limits, budget, visit, ex);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, d) in entries {
            w.start_file(*n, opts).expect("start");
            w.write_all(d).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    fn collect(name: &str, data: &[u8], limits: &ArchiveLimits) -> (Vec<String>, Expansion) {
        let mut names = Vec::new();
        let ex = expand(name, data, limits, &mut |n, _| names.push(n.to_string()));
        (names, ex)
    }

    #[test]
    fn nested_zip_in_tar_gz_names_every_layer() {
        let inner = zip_of(&[("xl/sharedStrings.xml", b"<sst>hello</sst>")]);
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(inner.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, "docs/report.xlsx", inner.as_slice())
            .expect("append");
        let tar = tar.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("gz");
        let gz = gz.finish().expect("gz");
        let (names, ex) = collect("b.tar.gz", &gz, &ArchiveLimits::default());
        assert_eq!(
            names,
            vec!["b.tar.gz!docs/report.xlsx!xl/sharedStrings.xml"]
        );
        assert!(ex.issues.is_empty(), "{:?}", ex.issues);
    }

    #[test]
    fn zip_bomb_is_reported_and_skipped() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bomb = zip_of(&[("zeros.bin", &zeros), ("ok.txt", b"fine")]);
        let (names, ex) = collect("bomb.zip", &bomb, &ArchiveLimits::default());
        assert_eq!(names, vec!["bomb.zip!ok.txt"]);
        assert_eq!(ex.issues.len(), 1);
        assert_eq!(ex.issues[0].path, "bomb.zip!zeros.bin");
        assert!(ex.issues[0].message.contains("archive bomb"));
    }

    #[test]
    fn depth_limit_stops_nesting() {
        let mut data = zip_of(&[("a.txt", b"x")]);
        for i in 0..3 {
            data = zip_of(&[(&format!("l{i}.zip"), &data)]);
        }
        let limits = ArchiveLimits {
            max_depth: 2,
            ..ArchiveLimits::default()
        };
        let (names, ex) = collect("deep.zip", &data, &limits);
        assert!(names.is_empty());
        assert!(
            ex.issues[0].message.contains("nested deeper"),
            "{:?}",
            ex.issues
        );
    }
}
