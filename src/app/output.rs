use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ksef_model::i18n::Lang;
use ksef_model::i18n::errors;
use ksef_model::i18n::stderr;
use ksef_model::i18n::stderr::Kind;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where a command writes its main output: a file (`--output`) or standard output.
pub struct Output {
    inner: Box<dyn Write>,
    path: Option<PathBuf>,
    is_terminal: bool,
    /// Escape control characters on the way out (a terminal, unless the caller escaped the
    /// data itself to add colour: [`Output::keep_escapes`]).
    escape: bool,
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            Some(p) => {
                if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!(
                            "cannot create directory '{}' for the output",
                            ksef_model::shown_path(parent)
                        )
                    })?;
                }
                let file = File::create(p).with_context(|| {
                    format!("cannot write output file '{}'", ksef_model::shown_path(p))
                })?;
                Ok(Output {
                    inner: Box::new(BufWriter::new(file)),
                    path: Some(p.to_path_buf()),
                    is_terminal: false,
                    escape: false,
                })
            }
            None => Ok(Output {
                is_terminal: io::stdout().is_terminal(),
                escape: io::stdout().is_terminal(),
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

    /// Write bytes as they are: the caller escaped every data string ([`escaped`]) and adds
    /// its own colour codes, which escaping here would break.
    pub fn keep_escapes(&mut self) {
        self.escape = false;
    }
}

/// A copy of `value` with every string (and map key) escaped for a terminal
/// ([`escape_terminal_text`](ksef_model::escape_terminal_text)): a description or file
/// name cannot colour the terminal, move the cursor or reorder text, even when the output
/// itself is coloured.
pub fn escaped<T: Serialize + DeserializeOwned>(value: &T) -> Result<T> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(e) = ksef_leaks::redact::outbound(s) {
                    *s = e;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut item) in old {
                    walk(&mut item);
                    map.insert(ksef_leaks::redact::outbound(&k).into_owned(), item);
                }
            }
            _ => {}
        }
    }
    let mut v = serde_json::to_value(value).context("cannot prepare the output")?;
    walk(&mut v);
    serde_json::from_value(v).context("cannot prepare the output")
}

impl Write for Output {
    /// On a terminal, control characters other than newline and tab, and bidi controls, are
    /// written as `\u{…}` escapes (a description or file name cannot colour the terminal,
    /// move the cursor or reorder text); files and pipes get the bytes as they are.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.inner.write(buf);
        }
        match std::str::from_utf8(buf) {
            Ok(text) => self
                .inner
                .write_all(ksef_model::escape_terminal_text(text).as_bytes())?,
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
/// ([`ksef_leaks::redact::redact_text`]) and its control and bidi characters other than
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
    ksef_leaks::redact::outbound(text).into_owned()
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

/// How `main` reports a failed run: `error: …` and each cause (`  caused by: …`), the
/// prefixes (also of the error's own `help:` lines) in `lang`, made safe as [`Stderr`] does.
pub fn print_error(err: &anyhow::Error, lang: Lang) {
    let mut out = stderr();
    let _ = writeln!(out, "{}", error_text(err, lang));
}

/// The lines of [`print_error`].
pub fn error_text(err: &anyhow::Error, lang: Lang) -> String {
    let text = |e: &dyn std::fmt::Display| errors::localised(lang, &e.to_string());
    let mut lines = vec![stderr::line(lang, Kind::Error, &text(err))];
    for cause in err.chain().skip(1) {
        lines.push(format!(
            "  {}",
            stderr::line(lang, Kind::CausedBy, &text(cause))
        ));
    }
    stderr::prefixed(lang, &lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_copy_neutralises_control_characters_in_every_string_and_key() {
        let mut value = std::collections::BTreeMap::new();
        value.insert(
            "key\u{1b}[2J".to_string(),
            vec![
                "plain".to_string(),
                "red\u{1b}[31m text\u{202e}".to_string(),
            ],
        );
        let out = escaped(&value).expect("escapes");
        let (k, v) = out.iter().next().expect("one entry");
        assert_eq!(k, "key\\u{1b}[2J");
        assert_eq!(v[0], "plain");
        assert!(
            !v[1].contains('\u{1b}') && !v[1].contains('\u{202e}'),
            "{v:?}"
        );
    }
}
