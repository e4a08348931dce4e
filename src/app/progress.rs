//! Showing fetch progress on stderr: an indicatif bar when stderr is a terminal,
//! plain lines otherwise, nothing with `--quiet`.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

use crate::collect::ksef::{Progress, ProgressEvent};
use crate::model::ContextStatus;

/// A progress sink and the bar behind it (finish it when the fetch is done).
pub struct FetchProgress {
    pub progress: Progress,
    bar: Option<ProgressBar>,
}

impl FetchProgress {
    pub fn new(quiet: bool, verbose: u8, total: usize) -> FetchProgress {
        if quiet {
            return FetchProgress {
                progress: Progress::none(),
                bar: None,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} contexts {pos}/{len} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let b = bar.clone();
            let progress = Progress::new(move |e| match e {
                ProgressEvent::Page { nip, tokens, .. } => {
                    b.set_message(format!("{nip}: {tokens} tokens read"))
                }
                ProgressEvent::Waiting {
                    nip, millis, why, ..
                } if *millis >= 1000 => {
                    b.set_message(format!("{nip}: waiting {} s ({why})", millis / 1000))
                }
                ProgressEvent::Warning { nip, message } => {
                    b.println(format!("warning: {nip}: {message}"))
                }
                ProgressEvent::Request { .. } if verbose > 0 => {
                    if let Some(line) = request_line(e) {
                        b.println(line);
                    }
                }
                ProgressEvent::ContextDone { .. } => {
                    if let Some(line) = done_line(e) {
                        b.println(line);
                    }
                    b.inc(1);
                }
                _ => {}
            });
            FetchProgress {
                progress,
                bar: Some(bar),
            }
        } else {
            let progress = Progress::new(move |e| {
                let line = match e {
                    ProgressEvent::Request { .. } if verbose > 0 => request_line(e),
                    ProgressEvent::Waiting {
                        nip,
                        endpoint,
                        millis,
                        why,
                    } if *millis >= 1000 => Some(format!(
                        "{nip}: {endpoint}: waiting {} s ({why})",
                        millis / 1000
                    )),
                    ProgressEvent::Warning { nip, message } => {
                        Some(format!("warning: {nip}: {message}"))
                    }
                    ProgressEvent::ContextDone { .. } => done_line(e),
                    _ => None,
                };
                if let Some(line) = line {
                    let _ = writeln!(std::io::stderr().lock(), "{line}");
                }
            });
            FetchProgress {
                progress,
                bar: None,
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn request_line(e: &ProgressEvent) -> Option<String> {
    let ProgressEvent::Request {
        nip,
        endpoint,
        status,
        millis,
    } = e
    else {
        return None;
    };
    Some(format!("{nip}: {endpoint} -> {status} ({millis} ms)"))
}

fn done_line(e: &ProgressEvent) -> Option<String> {
    let ProgressEvent::ContextDone {
        nip,
        status,
        tokens,
        reason,
    } = e
    else {
        return None;
    };
    Some(match status {
        ContextStatus::Complete => format!("{nip}: complete, {tokens} tokens"),
        ContextStatus::Incomplete => format!(
            "{nip}: INCOMPLETE: {}",
            reason
                .as_deref()
                .and_then(|r| r.lines().next())
                .unwrap_or("unknown reason")
        ),
    })
}
