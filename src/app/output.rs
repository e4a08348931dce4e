use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Where a command writes its main output: a file (`--output`) or standard output.
pub struct Output {
    inner: Box<dyn Write>,
    path: Option<PathBuf>,
    is_terminal: bool,
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            Some(p) => {
                if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!(
                            "cannot create directory '{}' for the output",
                            crate::model::shown_path(parent)
                        )
                    })?;
                }
                let file = File::create(p).with_context(|| {
                    format!("cannot write output file '{}'", crate::model::shown_path(p))
                })?;
                Ok(Output {
                    inner: Box::new(BufWriter::new(file)),
                    path: Some(p.to_path_buf()),
                    is_terminal: false,
                })
            }
            None => Ok(Output {
                is_terminal: io::stdout().is_terminal(),
                inner: Box::new(BufWriter::new(io::stdout())),
                path: None,
            }),
        }
    }

    /// True when writing to an interactive terminal (tables, colour, grouping).
    pub fn is_terminal(&self) -> bool {
        self.is_terminal
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Write for Output {
    /// On a terminal, control characters other than newline and tab, and bidi controls, are
    /// written as `\u{…}` escapes (a description or file name cannot colour the terminal,
    /// move the cursor or reorder text); files and pipes get the bytes as they are.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.is_terminal {
            return self.inner.write(buf);
        }
        match std::str::from_utf8(buf) {
            Ok(text) => self
                .inner
                .write_all(crate::model::escape_terminal_text(text).as_bytes())?,
            Err(_) => {
                for &b in buf {
                    if b.is_ascii_control() && b != b'\n' && b != b'\t' {
                        write!(self.inner, "\\u{{{b:x}}}")?;
                    } else {
                        self.inner.write_all(&[b])?;
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A writer for people: every write has its token values redacted
/// ([`crate::rule::matcher::redact_text`]) and its control and bidi characters other than
/// newline and tab written as `\u{…}` escapes, terminal or not (a CI log is read in a
/// terminal later). Issue 13, point 14: an error echoing a file name, a cell or a server's
/// message cannot colour the terminal, fake a line or reorder text.
pub struct Safe<W: Write>(pub W);

/// Standard error, for people (all of the app's stderr lines).
pub type Stderr = Safe<io::StderrLock<'static>>;

/// [`Stderr`], locked for this writer.
pub fn stderr() -> Stderr {
    Safe(io::stderr().lock())
}

/// One piece of text made safe for stderr: tokens redacted, controls and bidi escaped.
pub fn safe_text(text: &str) -> String {
    crate::model::escape_terminal_text(&crate::rule::matcher::redact_text(text)).into_owned()
}

impl<W: Write> Write for Safe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(safe_text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// How `main` reports a failed run: `error: …` and each cause (`  caused by: …`), made safe
/// as [`Stderr`] does.
pub fn print_error(err: &anyhow::Error) {
    let mut out = stderr();
    let _ = writeln!(out, "error: {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(out, "  caused by: {cause}");
    }
}
