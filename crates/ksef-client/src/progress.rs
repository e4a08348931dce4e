//! Progress events of a fetch. The client never prints: the caller decides
//! (progress bar on a terminal, plain lines otherwise, nothing with `--quiet`).

use std::fmt;
use std::sync::Arc;

use ksef_model::ContextStatus;
use ksef_model::ReasonCode;

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// The fetch begins with this many contexts.
    Started {
        contexts: usize,
    },
    Authenticated {
        nip: String,
    },
    /// One more page of `GET /tokens` was read.
    Page {
        nip: String,
        page: u32,
        tokens: usize,
    },
    /// Waiting before a request: KSeF asked (`Retry-After`), a retry backoff, or the
    /// client-side limiter.
    Waiting {
        nip: String,
        endpoint: String,
        millis: u64,
        why: String,
    },
    /// One HTTP answer (for `-v`): never carries headers or bodies.
    Request {
        nip: String,
        endpoint: String,
        status: u16,
        millis: u64,
    },
    /// Worth telling the user, not a failure (e.g. `X-System-Warning`).
    Warning {
        nip: String,
        message: String,
    },
    ContextDone {
        nip: String,
        status: ContextStatus,
        tokens: usize,
        reason: Option<String>,
        reason_code: Option<ReasonCode>,
    },
}

/// A sink for [`ProgressEvent`]s; cheap to clone, `Progress::none()` drops them.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Sink>>);

type Sink = dyn Fn(&ProgressEvent) + Send + Sync;

impl Progress {
    pub fn none() -> Progress {
        Progress(None)
    }

    pub fn new(f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(f)))
    }

    pub fn emit(&self, event: ProgressEvent) {
        if let Some(f) = &self.0 {
            f(&event);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(sink)"
        } else {
            "Progress(none)"
        })
    }
}
