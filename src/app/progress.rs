//! Showing fetch progress on stderr: an indicatif bar when stderr is a terminal,
//! plain lines otherwise, nothing with `--quiet`.

use ksef_model::i18n::errors;
use ksef_model::i18n::stderr;
use std::io::{IsTerminal, Write};

use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use ksef_client::progress::Progress;
use ksef_client::progress::ProgressEvent;
use ksef_model::ContextStatus;
use ksef_model::i18n::Lang;

/// A progress sink and the bar behind it (finish it when the fetch is done).
pub struct FetchProgress {
    pub progress: Progress,
    bar: Option<ProgressBar>,
}

impl FetchProgress {
    pub fn new(quiet: bool, verbose: u8, total: usize, lang: Lang) -> FetchProgress {
        if quiet {
            return FetchProgress {
                progress: Progress::none(),
                bar: None,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(lang.t(
                "{spinner} contexts {pos}/{len} {wide_msg}",
                "{spinner} konteksty {pos}/{len} {wide_msg}",
            )) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let b = bar.clone();
            let progress = Progress::new(move |e| match e {
                ProgressEvent::Page { nip, tokens, .. } => b.set_message(match lang {
                    Lang::En => format!("{nip}: {tokens} tokens read"),
                    Lang::Pl => format!("{nip}: odczytane tokeny: {tokens}"),
                }),
                ProgressEvent::Waiting {
                    nip, millis, why, ..
                } if *millis >= 1000 => b.set_message(crate::app::output::safe_text(&format!(
                    "{nip}: {} {} s ({})",
                    lang.t("waiting", "czekam"),
                    millis / 1000,
                    errors::localised(lang, why)
                ))),
                ProgressEvent::Warning { nip, message } => {
                    b.println(crate::app::output::safe_text(&stderr::warning(
                        lang,
                        &format!("{nip}: {message}"),
                    )))
                }
                ProgressEvent::Request { .. } if verbose > 0 => {
                    if let Some(line) = request_line(e) {
                        b.println(crate::app::output::safe_text(&line));
                    }
                }
                ProgressEvent::ContextDone { .. } => {
                    if let Some(line) = done_line(e, lang) {
                        b.println(crate::app::output::safe_text(&line));
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
                        "{nip}: {}{} {} s ({})",
                        errors::localised(lang, &format!("{endpoint}: ")),
                        lang.t("waiting", "czekam"),
                        millis / 1000,
                        errors::localised(lang, why)
                    )),
                    ProgressEvent::Warning { nip, message } => {
                        Some(stderr::warning(lang, &format!("{nip}: {message}")))
                    }
                    ProgressEvent::ContextDone { .. } => done_line(e, lang),
                    _ => None,
                };
                if let Some(line) = line {
                    let _ = writeln!(crate::app::output::stderr(), "{line}");
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

fn done_line(e: &ProgressEvent, lang: Lang) -> Option<String> {
    let ProgressEvent::ContextDone {
        nip,
        status,
        tokens,
        reason,
        reason_code,
    } = e
    else {
        return None;
    };
    Some(match status {
        ContextStatus::Complete => format!(
            "{nip}: {}, {}",
            lang.t("complete", "kompletny"),
            lang.count(
                *tokens as u64,
                ("token", "tokens"),
                ("token", "tokeny", "tokenów")
            )
        ),
        ContextStatus::Incomplete => format!(
            "{nip}: {}: {}",
            lang.t("INCOMPLETE", "NIEKOMPLETNY"),
            ksef_model::i18n::reason::headline(lang, reason_code.as_ref(), reason.as_deref())
        ),
    })
}

/// Progress of a leak scan on stderr: files (or blobs), bytes, rate and, when the total is
/// known, ETA. Only on a terminal and without `--quiet`; otherwise every call is a no-op.
/// The bar counts bytes as they are scanned (a large file window by window), so the rate and
/// ETA are those of real work; the ETA appears once some bytes are done; archive members are
/// counted beside the files, and their unpacked bytes added to the bytes done and to the
/// total as they are scanned (the total could not know them).
pub struct ScanProgress {
    bar: Option<ProgressBar>,
    unit: &'static str,
    items: AtomicU64,
    total_items: Option<u64>,
    members: AtomicU64,
    eta_shown: std::sync::atomic::AtomicBool,
}

// `wide_msg`: the counts take the width the figures leave, cut short on a narrow terminal,
// so the bar stays on one line.
const WITH_TOTAL: &str =
    "{spinner} {wide_msg} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}";
const BEFORE_RATE: &str = "{spinner} {wide_msg} {bytes}/{total_bytes} (estimating) {elapsed}";
const WITHOUT_TOTAL: &str = "{spinner} {wide_msg} {bytes} {binary_bytes_per_sec} {elapsed}";

impl ScanProgress {
    /// Whether a bar asked to `show` is drawn: only on a terminal.
    pub fn shown(show: bool) -> bool {
        show && std::io::stderr().is_terminal()
    }

    /// `unit`: what an item is (`files`, `blobs`). With `total_bytes`, the bar shows an ETA.
    pub fn new(
        show: bool,
        unit: &'static str,
        total_items: Option<u64>,
        total_bytes: Option<u64>,
    ) -> ScanProgress {
        let bar = Self::shown(show).then(|| {
            let (bar, template) = match total_bytes {
                Some(total) => (ProgressBar::new(total), BEFORE_RATE),
                None => (ProgressBar::no_length(), WITHOUT_TOTAL),
            };
            set_template(&bar, template);
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        let progress = ScanProgress {
            bar,
            unit,
            items: AtomicU64::new(0),
            total_items,
            members: AtomicU64::new(0),
            eta_shown: std::sync::atomic::AtomicBool::new(total_bytes.is_none()),
        };
        progress.show_items(0);
        progress
    }

    /// One item (file or blob) done, `bytes` of it not yet counted by [`ScanProgress::read`].
    pub fn item(&self, bytes: u64) {
        self.read(bytes);
        let done = self.items.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(64) || Some(done) == self.total_items {
            self.show_items(done);
        }
    }

    /// `bytes` scanned of an item still in progress.
    pub fn read(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(bytes);
        if bytes > 0 && !self.eta_shown.swap(true, Ordering::Relaxed) {
            set_template(bar, WITH_TOTAL);
        }
    }

    /// An archive member of `bytes` (decompressed) scanned: more to read than the total said.
    pub fn member(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc_length(bytes);
        }
        self.read(bytes);
        let members = self.members.fetch_add(1, Ordering::Relaxed) + 1;
        if members.is_multiple_of(64) {
            self.show_items(self.items.load(Ordering::Relaxed));
        }
    }

    fn show_items(&self, done: u64) {
        let Some(bar) = &self.bar else { return };
        let mut message = match self.total_items {
            Some(total) => format!("{} {done}/{total}", self.unit),
            None => format!("{} {done}", self.unit),
        };
        let members = self.members.load(Ordering::Relaxed);
        if members > 0 {
            message.push_str(&format!(" + {members} in archives"));
        }
        bar.set_message(message);
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn set_template(bar: &ProgressBar, template: &str) {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
}

/// A spinner on stderr for a step without finer progress (`leaks --verify`, `revoke --yes`):
/// shown only on a terminal and without `--quiet`; cleared by [`Spinner::finish`] (or drop).
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(quiet: bool, message: String) -> Spinner {
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {wide_msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(Some(bar))
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.finish();
    }
}
