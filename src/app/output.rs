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
                            parent.display()
                        )
                    })?;
                }
                let file = File::create(p)
                    .with_context(|| format!("cannot write output file '{}'", p.display()))?;
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
