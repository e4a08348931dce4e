//! Issue 23: the leak scan's progress bar as a terminal shows it (run in a pseudo-terminal):
//! no total while the files are counted, no rate or ETA before any byte is done, and a large
//! file moves the bar while it is scanned instead of holding it at 0.

use std::io::Write;
use std::process::Command;

/// The bar's frames: the pseudo-terminal's output split at carriage returns and line feeds,
/// colour and cursor sequences removed, repeats dropped.
fn frames(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out: Vec<String> = Vec::new();
    for part in text.split(['\r', '\n']) {
        let mut plain = String::new();
        let mut chars = part.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                // CSI: ESC [ parameters final-letter
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                continue;
            }
            plain.push(c);
        }
        let plain = plain.trim().to_string();
        if !plain.is_empty() && out.last() != Some(&plain) {
            out.push(plain);
        }
    }
    out
}

/// The bytes done in a frame such as `files 0/3 12.00 MiB/40.00 MiB …` (None for others).
fn bytes_done(frame: &str) -> Option<f64> {
    let words: Vec<&str> = frame.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.contains('/') && w.ends_with("B") || w.contains("B/"))?;
    let (number, unit) = if words[at - 1].parse::<f64>().is_ok() {
        (words[at - 1], words[at])
    } else {
        return None;
    };
    let unit = unit.split('/').next()?;
    let scale = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(number.parse::<f64>().ok()? * scale)
}

/// Runs `leaks TREE` in a pseudo-terminal `columns` wide; the frames it drew.
fn scan_in_a_terminal(dir: &std::path::Path, tree: &std::path::Path, columns: u16) -> Vec<String> {
    let raw = dir.join("tty.out");
    let status = Command::new("python3")
        .args([
            "-c",
            "import fcntl, os, pty, struct, sys, termios\nout = open(sys.argv[1], 'wb')\ncols = int(sys.argv[2])\ndef read(fd):\n    data = os.read(fd, 65536)\n    out.write(data)\n    return data\npid, fd = pty.fork()\nif pid == 0:\n    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, cols, 0, 0))\n    os.execv(sys.argv[3], sys.argv[3:])\ntry:\n    while read(fd):\n        pass\nexcept OSError:\n    pass\nsys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))",
        ])
        .arg(&raw)
        .arg(columns.to_string())
        .arg(env!("CARGO_BIN_EXE_ksef-audit"))
        .args(["leaks", "--exit-zero", "--max-file-size", "1MB", "--format", "json"])
        .args(["-o", dir.join("out.json").to_str().expect("utf-8")])
        .arg(tree)
        .env("TERM", "xterm-256color")
        .env("COLUMNS", columns.to_string())
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 with the pty module (install python3)");
    assert!(status.success(), "{status:?}");
    frames(&std::fs::read(&raw).expect("tty output"))
}

/// At 80 columns, with archive members counted beside the files, the bar stays on one line
/// (a longer one wraps, and every redraw leaves a line behind).
#[test]
fn the_bar_fits_an_80_column_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).expect("mkdir");
    let archive = std::fs::File::create(tree.join("exports.tar.gz")).expect("create");
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        archive,
        flate2::Compression::fast(),
    ));
    // 300 members, under 1 MB unpacked (--max-file-size 1MB).
    for i in 0..300 {
        let body = format!("invoice export {i}: ksef session closed\n").repeat(40);
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("exports/{i}.txt"), body.as_bytes())
            .expect("append");
    }
    tar.into_inner().expect("tar").finish().expect("gzip");
    for i in 0..3000 {
        std::fs::write(tree.join(format!("f{i}.txt")), "ksef notes\n".repeat(400)).expect("write");
    }
    let columns = 80;
    let frames = scan_in_a_terminal(dir.path(), &tree, columns);
    let shown = frames.join("\n");
    assert!(
        frames.iter().any(|f| f.contains("+ 300 in archives ")),
        "no frame counted the archive members whole:\n{shown}"
    );
    for f in &frames {
        assert!(
            f.chars().count() <= usize::from(columns),
            "wider than the terminal: {f}\n{shown}"
        );
    }
}

#[test]
fn issue_23_progress_counts_first_and_moves_with_the_bytes_really_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).expect("mkdir");
    // One large, keyword-dense file read in windows, and small files around it.
    let line = "ksef token rotation notes: the token of client 5265877635 was replaced\n";
    let mut big = std::fs::File::create(tree.join("big.log")).expect("create");
    for _ in 0..(8 * 1024 * 1024 / line.len()) {
        big.write_all(line.as_bytes()).expect("write");
    }
    for i in 0..200 {
        std::fs::write(tree.join(format!("f{i}.txt")), "hello\n").expect("write");
    }
    let frames = scan_in_a_terminal(dir.path(), &tree, 120);
    let shown = frames.join("\n");
    let bars: Vec<&String> = frames.iter().filter(|f| f.contains("files ")).collect();
    assert!(
        !bars.is_empty(),
        "no progress bar on the terminal:\n{shown}"
    );
    for f in &frames {
        if f.contains("counting") {
            assert!(!f.contains('/'), "a total claimed while counting: {f}");
        }
        if f.contains("ETA") {
            assert!(
                bytes_done(f).is_some_and(|b| b > 0.0),
                "a rate and ETA before any byte was scanned: {f}\n{shown}"
            );
        }
    }
    // While the large file is the only one in progress (no file done yet), the bar moves.
    assert!(
        bars.iter()
            .any(|f| f.contains("files 0/") && bytes_done(f).is_some_and(|b| b > 0.0)),
        "the bar stood at 0 while the large file was scanned:\n{shown}"
    );
}
