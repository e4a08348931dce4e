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
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
