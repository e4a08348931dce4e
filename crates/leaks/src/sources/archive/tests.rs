//! Archive expansion: layers, limits, refusals, streaming.

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

fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, name, data).expect("append");
    tar.into_inner().expect("tar")
}

fn collect(name: &str, data: &[u8], limits: &ArchiveLimits) -> (Vec<String>, Expansion) {
    let mut names = Vec::new();
    let ex = expand(name, data, limits, &mut |n, _| names.push(n.to_string()));
    (names, ex)
}

#[test]
fn nested_zip_in_tar_gz_names_every_layer() {
    let inner = zip_of(&[("xl/sharedStrings.xml", b"<sst>hello</sst>")]);
    let gz = compress(Codec::Gzip, &tar_of("docs/report.xlsx", &inner));
    let (names, ex) = collect("b.tar.gz", &gz, &ArchiveLimits::default());
    assert_eq!(
        names,
        vec!["b.tar.gz!docs/report.xlsx!xl/sharedStrings.xml"]
    );
    assert!(ex.issues.is_empty(), "{:?}", ex.issues);
}

/// Issue 22: shaped like git's `t5004/big-pack.zip` (a few KiB expanding to 4 MiB):
/// an ordinary archive within the absolute limits, scanned whatever its ratio.
#[test]
fn issue_22_a_small_zip_expanding_to_4_mib_is_scanned_not_a_bomb() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let pack = zip_of(&[("zeros.bin", &zeros), ("ok.txt", b"fine")]);
    assert!(pack.len() < 10_000, "{} bytes", pack.len());
    let (names, ex) = collect("big-pack.zip", &pack, &ArchiveLimits::default());
    assert_eq!(names, vec!["big-pack.zip!zeros.bin", "big-pack.zip!ok.txt"]);
    assert!(ex.issues.is_empty() && ex.skipped.is_empty(), "{ex:?}");
}

/// A member beyond the absolute entry limit is refused and listed as skipped (not an
/// error), and the other members are scanned.
#[test]
fn issue_22_a_member_beyond_the_limit_is_skipped_not_an_error() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let bomb = zip_of(&[("zeros.bin", &zeros), ("ok.txt", b"fine")]);
    let limits = ArchiveLimits {
        max_entry: 1024 * 1024,
        ..ArchiveLimits::default()
    };
    let (names, ex) = collect("bomb.zip", &bomb, &limits);
    assert_eq!(names, vec!["bomb.zip!ok.txt"]);
    assert!(ex.issues.is_empty(), "{:?}", ex.issues);
    assert_eq!(ex.skipped.len(), 1);
    assert_eq!(ex.skipped[0].path, "bomb.zip!zeros.bin");
    assert!(ex.skipped[0].message.contains("archive bomb"));
}

/// Issue 22: shaped like git's `t5000/huge-and-future.tar`: a header claiming a huge
/// size (GNU base-256) and a date far in the future, with little data behind it.
#[test]
fn issue_22_a_tar_claiming_a_huge_member_is_skipped_with_its_reason() {
    let mut h = tar::Header::new_gnu();
    h.set_path("huge").expect("path");
    h.set_size(1);
    h.set_mode(0o644);
    h.set_mtime(68_719_476_737);
    // 64 GiB in GNU base-256 (the first byte's high bit set).
    let size = &mut h.as_gnu_mut().expect("gnu").size;
    *size = [0x80, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0];
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(&[b'x'; 512]);
    tar.extend_from_slice(&[0; 1024]);
    let (names, ex) = collect("huge-and-future.tar", &tar, &ArchiveLimits::default());
    assert!(names.is_empty());
    assert!(ex.issues.is_empty(), "{:?}", ex.issues);
    assert_eq!(ex.skipped[0].path, "huge-and-future.tar!huge");
    assert!(
        ex.skipped[0].message.contains("68719476736 bytes"),
        "{}",
        ex.skipped[0].message
    );
}

/// Issue 22: an archive over `--max-file-size` is read member by member from a reader.
#[test]
fn issue_22_large_archives_stream_member_by_member() {
    let text = b"KSEF_TOKEN=value\n".repeat(10);
    let zip = zip_of(&[("a/one.env", &text), ("b.txt", b"two")]);
    let mut names = Vec::new();
    let ex = expand_stream(
        "big.jar",
        Cursor::new(&zip),
        &ArchiveLimits::default(),
        &mut |n, _| names.push(n.to_string()),
    )
    .expect("read");
    assert_eq!(names, vec!["big.jar!a/one.env", "big.jar!b.txt"]);
    assert_eq!(ex.members, 2);
    for codec in [Codec::Gzip, Codec::Bzip2, Codec::Zstd] {
        let packed = compress(codec, &tar_of("etc/app.env", &text));
        let mut names = Vec::new();
        let ex = expand_stream(
            "dump.tar.x",
            Cursor::new(&packed),
            &ArchiveLimits::default(),
            &mut |n, b| names.push((n.to_string(), b.len())),
        )
        .expect("read");
        assert_eq!(names, vec![("dump.tar.x!etc/app.env".into(), text.len())]);
        assert!(ex.skipped.is_empty(), "{codec:?}: {:?}", ex.skipped);
    }
    // A compressed file without a tar inside is refused (listed), not an error.
    let log = compress(Codec::Gzip, &text);
    let ex = expand_stream(
        "app.log.gz",
        Cursor::new(&log),
        &ArchiveLimits::default(),
        &mut |_, _| {},
    )
    .expect("read");
    assert_eq!(ex.skipped.len(), 1);
    assert!(ex.skipped[0].message.contains("gzip file larger than"));
}

fn sevenz_of(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter, EncoderMethod};
    let mut w = ArchiveWriter::new(Cursor::new(Vec::new())).expect("7z");
    let method = if stored {
        EncoderMethod::COPY
    } else {
        EncoderMethod::LZMA2
    };
    w.set_content_methods(vec![method.into()]);
    for (name, data) in entries {
        w.push_archive_entry(ArchiveEntry::new_file(name), Some(*data))
            .expect("7z entry");
    }
    w.finish().expect("7z").into_inner()
}

/// Issue 22: 7z archives, LZMA2 and stored, alone and over `--max-file-size` (streamed);
/// a corrupt one is refused and listed.
#[test]
fn issue_22_7z_archives_are_opened() {
    let env = b"KSEF_TOKEN=value\n".repeat(40);
    for stored in [false, true] {
        let packed = sevenz_of(&[("conf/app.env", &env), ("b.txt", b"two")], stored);
        assert!(packed.starts_with(SEVENZ_MAGIC));
        let mut got = Vec::new();
        let ex = expand(
            "dump.7z",
            &packed,
            &ArchiveLimits::default(),
            &mut |n, b| got.push((n.to_string(), b.to_vec())),
        );
        assert!(ex.skipped.is_empty(), "{:?}", ex.skipped);
        assert_eq!(
            got[0],
            ("dump.7z!conf/app.env".to_string(), env.clone()),
            "stored {stored}"
        );
        assert_eq!(got.len(), 2);
        let mut names = Vec::new();
        expand_stream(
            "dump.7z",
            Cursor::new(&packed),
            &ArchiveLimits::default(),
            &mut |n, _| names.push(n.to_string()),
        )
        .expect("read");
        assert_eq!(names, vec!["dump.7z!conf/app.env", "dump.7z!b.txt"]);
    }
    let mut broken = sevenz_of(&[("a.txt", b"abc")], false);
    broken.truncate(broken.len() - 10);
    let (names, ex) = collect("broken.7z", &broken, &ArchiveLimits::default());
    assert!(names.is_empty());
    assert!(
        ex.skipped[0].message.contains("7z archive, not scanned"),
        "{:?}",
        ex.skipped
    );
}

fn compress(codec: Codec, data: &[u8]) -> Vec<u8> {
    match codec {
        Codec::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(data).expect("gz");
            gz.finish().expect("gz")
        }
        Codec::Xz => {
            let mut out = Vec::new();
            lzma_rs::xz_compress(&mut std::io::BufReader::new(data), &mut out).expect("xz");
            out
        }
        Codec::Bzip2 => {
            let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            bz.write_all(data).expect("bz2");
            bz.finish().expect("bz2")
        }
        Codec::Zstd => {
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
        }
    }
}

const CODECS: [Codec; 4] = [Codec::Gzip, Codec::Xz, Codec::Bzip2, Codec::Zstd];

/// Issue 21: `cat a.xz b.xz` (with stream padding or not) is one valid `.xz` file.
#[test]
fn issue_21_multi_stream_xz_is_read_whole() {
    let mut two = compress(Codec::Xz, b"first stream\n");
    let one = two.len();
    two.extend_from_slice(&compress(Codec::Xz, b"second stream\n"));
    let out = Codec::Xz.decompress(&two, 1 << 20).expect("two streams");
    assert_eq!(out, b"first stream\nsecond stream\n");
    // Stream padding (a multiple of four zero bytes) between and after the streams.
    let mut padded = two[..one].to_vec();
    padded.extend_from_slice(&[0; 8]);
    padded.extend_from_slice(&two[one..]);
    padded.extend_from_slice(&[0; 4]);
    let out = Codec::Xz.decompress(&padded, 1 << 20).expect("padded");
    assert_eq!(out, b"first stream\nsecond stream\n");
    // Garbage after a stream is still corrupt.
    let mut bad = two[..one].to_vec();
    bad.extend_from_slice(b"garbage");
    assert!(Codec::Xz.decompress(&bad, 1 << 20).is_err());
}

/// Issue 12: logrotate's `.xz`, `.bz2` and `.zst` are opened like `.gz`, alone and as the
/// outer layer of a tar; the name of the compressed file is kept.
#[test]
fn xz_bzip2_and_zstd_are_opened_like_gzip() {
    let text = b"KSEF_TOKEN=placeholder-free text\n".repeat(50);
    for codec in CODECS {
        let data = compress(codec, &text);
        assert_eq!(Codec::sniff(&data), Some(codec));
        let mut got = Vec::new();
        let ex = expand(
            "app.log.1",
            &data,
            &ArchiveLimits::default(),
            &mut |n, b| got.push((n.to_string(), b.to_vec())),
        );
        assert!(ex.issues.is_empty(), "{codec:?}: {:?}", ex.issues);
        assert_eq!(
            got,
            vec![("app.log.1".to_string(), text.clone())],
            "{codec:?}"
        );

        let packed = compress(codec, &tar_of("etc/app.env", &text));
        let (names, ex) = collect("bundle.tar.x", &packed, &ArchiveLimits::default());
        assert_eq!(names, vec!["bundle.tar.x!etc/app.env"], "{codec:?}");
        assert!(ex.issues.is_empty(), "{codec:?}: {:?}", ex.issues);
    }
}

/// The same bomb limits as gzip: beyond the entry size, or a ratio above the limit.
#[test]
fn compressed_bombs_and_corrupt_streams_are_reported() {
    let text = b"a line of a log file that repeats itself\n".repeat(200);
    let small = ArchiveLimits {
        max_entry: 1000,
        ..ArchiveLimits::default()
    };
    for codec in CODECS {
        let (names, ex) = collect("big.log", &compress(codec, &text), &small);
        assert!(names.is_empty(), "{codec:?}");
        assert_eq!(ex.skipped.len(), 1, "{codec:?}");
        assert!(
            ex.skipped[0].message.contains("beyond the size limit"),
            "{codec:?}: {}",
            ex.skipped[0].message
        );

        let mut broken = compress(codec, &text);
        let cut = broken.len() / 2;
        broken.truncate(cut.max(12));
        let (_, ex) = collect("cut.log", &broken, &ArchiveLimits::default());
        assert_eq!(ex.skipped.len(), 1, "{codec:?}");
        assert!(
            ex.skipped[0]
                .message
                .contains(&format!("corrupt {} data", codec.name())),
            "{codec:?}: {}",
            ex.skipped[0].message
        );
    }
    // No ratio rule: 4 MiB of zeros (the encoders that really compress) is scanned.
    let zeros = vec![0u8; 4 * 1024 * 1024];
    for codec in [Codec::Bzip2, Codec::Zstd] {
        let (names, ex) = collect("zeros", &compress(codec, &zeros), &ArchiveLimits::default());
        assert_eq!(names, vec!["zeros"], "{codec:?}");
        assert!(ex.skipped.is_empty(), "{codec:?}");
    }
}

#[test]
fn text_starting_like_a_magic_number_is_plain() {
    for text in [&b"BZh9 notes"[..], b"BZh91AY", b"(\xb5/ no"] {
        assert_eq!(Codec::sniff(text), None);
        let (names, ex) = collect("notes.txt", text, &ArchiveLimits::default());
        assert_eq!(names, vec!["notes.txt"]);
        assert!(ex.issues.is_empty());
    }
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
        ex.skipped[0].message.contains("nested deeper"),
        "{:?}",
        ex.skipped
    );
}
