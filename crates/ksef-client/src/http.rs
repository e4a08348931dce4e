//! One context's HTTP transport: base URL joining, bearer auth, the token-endpoint
//! limiter, 429 waits that honour `Retry-After`, retries of 5xx / timeouts /
//! connection resets with bounded exponential backoff and jitter, and error bodies
//! turned into [`ApiError`]s.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::error::help_for;
use crate::error::parse_error_body;
use crate::limiter::Limiter;
use crate::models::PublicKeyCertificate;
use crate::progress::Progress;
use crate::progress::ProgressEvent;
use crate::settings::KsefSettings;
use ksef_model::Secret;

/// Header carrying the `GET /tokens` cursor.
pub(crate) const CONTINUATION_HEADER: &str = "x-continuation-token";
/// Most 429 answers honoured for one request before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 8;
/// Upper bound of one backoff delay.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Largest response body read from KSeF (16 MiB). A full `GET /tokens` page of 100
/// records is about 60 KiB; anything near this size is not a KSeF answer. The body is
/// read in chunks and reading stops at the cap, so a hostile server cannot make the
/// tool hold more than this.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One request, described before it is sent (so it can be re-sent).
#[derive(Debug)]
pub struct Call<'a> {
    pub method: Method,
    /// Path under the base URL, starting with `/`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub bearer: Option<&'a Secret>,
    pub continuation: Option<&'a str>,
    pub json: Option<serde_json::Value>,
    /// An XML body sent as `application/xml` (the signed XAdES document).
    pub xml: Option<String>,
    /// Counted by the token-endpoint limiter.
    pub limited: bool,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, path: impl Into<String>) -> Call<'a> {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            bearer: None,
            continuation: None,
            json: None,
            xml: None,
            limited: false,
        }
    }

    pub fn bearer(mut self, token: &'a Secret) -> Self {
        self.bearer = Some(token);
        self
    }

    pub fn limited(mut self) -> Self {
        self.limited = true;
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.json = Some(body);
        self
    }

    /// Sends `body` as `application/xml`.
    pub fn xml(mut self, body: String) -> Self {
        self.xml = Some(body);
        self
    }

    /// `GET /tokens` style name for messages.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The Ministry of Finance's public-key certificates, fetched once and shared by every
/// context of a run (`GET /security/public-key-certificates` is limited per client IP;
/// 150 contexts must not ask 150 times). Fetched again only when KSeF withdrew the key
/// used (21470) or no certificate in the list is valid any more.
#[derive(Debug, Default)]
pub struct CertificateCache(pub(crate) tokio::sync::Mutex<Option<Arc<Vec<PublicKeyCertificate>>>>);

/// The transport of one context.
#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
    base: String,
    pub nip: String,
    limiter: Arc<Limiter>,
    max_retries: u32,
    retry_base: Duration,
    max_retry_after: Duration,
    pub progress: Progress,
    /// The MF certificates, shared by every context of a run (see `Transport::sharing`).
    pub certificates: Arc<CertificateCache>,
    /// Bytes this context's answers brought so far, and how many they may bring.
    received: Arc<AtomicUsize>,
    budget: usize,
}

/// Builds the shared HTTP client with connect and request timeouts.
pub fn http_client(settings: &KsefSettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        .user_agent(concat!("ksef-audit/", env!("CARGO_PKG_VERSION")))
        // KSeF never redirects: a 3xx is an answer to refuse, never a place to re-send a
        // signed request or a bearer token to.
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

impl Transport {
    pub fn new(
        http: reqwest::Client,
        settings: &KsefSettings,
        nip: &str,
        progress: Progress,
    ) -> Transport {
        Transport {
            http,
            base: settings
                .environment
                .base_url
                .trim_end_matches('/')
                .to_string(),
            nip: nip.to_string(),
            limiter: Arc::new(Limiter::new(settings.rate_limits)),
            max_retries: settings.max_retries,
            retry_base: settings.retry_base,
            max_retry_after: settings.max_retry_after,
            progress,
            certificates: Arc::default(),
            received: Arc::default(),
            budget: settings.context_budget,
        }
    }

    /// Uses `certificates` (shared with other contexts) instead of its own list.
    pub(crate) fn sharing(mut self, certificates: &Arc<CertificateCache>) -> Transport {
        self.certificates = Arc::clone(certificates);
        self
    }

    /// Sends a call, retrying as described in the module docs; returns the headers and
    /// body of a 2xx answer.
    pub async fn send(
        &self,
        call: &Call<'_>,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), ApiError> {
        let endpoint = call.endpoint();
        let mut failures = 0u32;
        let mut rate_limited = 0u32;
        loop {
            if call.limited {
                let waited = self.limiter.acquire().await;
                if waited >= Duration::from_secs(1) {
                    self.wait_event(&endpoint, waited, "client-side rate limit");
                }
            }
            let mut req = self
                .http
                .request(call.method.clone(), format!("{}{}", self.base, call.path))
                .header("accept", "application/json");
            if !call.query.is_empty() {
                req = req.query(&call.query);
            }
            if let Some(token) = call.bearer {
                req = req.bearer_auth(token.expose());
            }
            if let Some(cursor) = call.continuation {
                // Byte for byte: no unescaping, no re-encoding.
                let value =
                    HeaderValue::from_bytes(cursor.as_bytes()).map_err(|_| ApiError::Decode {
                        nip: self.nip.clone(),
                        endpoint: endpoint.clone(),
                        message:
                            "the continuation token holds characters that cannot go in a header"
                                .into(),
                    })?;
                req = req.header(CONTINUATION_HEADER, value);
            }
            if let Some(body) = &call.json {
                req = req.json(body);
            }
            if let Some(body) = &call.xml {
                req = req
                    .header("content-type", "application/xml")
                    .body(body.clone());
            }
            let sent_at = std::time::Instant::now();
            let response = match req.send().await {
                Ok(r) => r,
                Err(e) if is_transient(&e) && failures < self.max_retries => {
                    failures += 1;
                    let delay = backoff(self.retry_base, failures, rand::thread_rng().r#gen());
                    self.wait_event(&endpoint, delay, &format!("retry after {}", describe(&e)));
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Err(e) => return Err(self.transport_error(&endpoint, e)),
            };
            let status = response.status();
            let headers = response.headers().clone();
            self.progress.emit(ProgressEvent::Request {
                nip: self.nip.clone(),
                endpoint: endpoint.clone(),
                status: status.as_u16(),
                millis: u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
            if let Some(w) = headers
                .get("x-system-warning")
                .and_then(|v| v.to_str().ok())
            {
                self.progress.emit(ProgressEvent::Warning {
                    nip: self.nip.clone(),
                    message: format!("{endpoint}: KSeF warning: {w}"),
                });
            }
            let remaining = self
                .budget
                .saturating_sub(self.received.load(Ordering::Relaxed));
            let body = match read_capped(response, MAX_BODY_BYTES.min(remaining)).await {
                Ok(Some(b)) => {
                    self.received.fetch_add(b.len(), Ordering::Relaxed);
                    b
                }
                Ok(None) if remaining < MAX_BODY_BYTES => {
                    return Err(ApiError::OverBudget {
                        nip: self.nip.clone(),
                        endpoint,
                        budget_mib: self.budget / (1024 * 1024),
                    });
                }
                Ok(None) => return Err(self.too_large(&endpoint)),
                Err(e) if is_transient(&e) && failures < self.max_retries => {
                    failures += 1;
                    let delay = backoff(self.retry_base, failures, rand::thread_rng().r#gen());
                    self.wait_event(&endpoint, delay, &format!("retry after {}", describe(&e)));
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Err(e) => return Err(self.transport_error(&endpoint, e)),
            };
            if status.is_success() {
                return Ok((status, headers, body));
            }
            if status.is_redirection() {
                return Err(self.redirect_error(&endpoint, status, &headers));
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let retry_after = headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                match retry_after {
                    Some(secs) if secs > self.max_retry_after.as_secs() => {
                        return Err(ApiError::RateLimited {
                            nip: self.nip.clone(),
                            endpoint,
                            retry_after: secs,
                            cap: self.max_retry_after.as_secs(),
                        });
                    }
                    _ if rate_limited >= MAX_RATE_LIMIT_WAITS => {}
                    Some(secs) => {
                        rate_limited += 1;
                        let delay = Duration::from_secs(secs);
                        self.wait_event(&endpoint, delay, "KSeF rate limit (Retry-After)");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    None => {
                        rate_limited += 1;
                        let delay =
                            backoff(self.retry_base, rate_limited, rand::thread_rng().r#gen());
                        self.wait_event(&endpoint, delay, "KSeF rate limit (no Retry-After)");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                }
            }
            if status.is_server_error() && failures < self.max_retries {
                failures += 1;
                let delay = backoff(self.retry_base, failures, rand::thread_rng().r#gen());
                self.wait_event(
                    &endpoint,
                    delay,
                    &format!("retry after HTTP {}", status.as_u16()),
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(self.status_error(&endpoint, status, &body, failures));
        }
    }

    /// [`Transport::send`] and decode the JSON body.
    pub async fn json<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<(HeaderMap, T), ApiError> {
        let (_, headers, body) = self.send(call).await?;
        let value = serde_json::from_slice(&body).map_err(|e| ApiError::Decode {
            nip: self.nip.clone(),
            endpoint: call.endpoint(),
            message: format!("the response does not match the KSeF contract: {e}"),
        })?;
        Ok((headers, value))
    }

    fn redirect_error(&self, endpoint: &str, status: StatusCode, headers: &HeaderMap) -> ApiError {
        let location = headers.get(reqwest::header::LOCATION).map(|v| {
            shown(
                &ksef_model::without_userinfo(&String::from_utf8_lossy(v.as_bytes())),
                120,
            )
        });
        ApiError::Redirect {
            nip: self.nip.clone(),
            endpoint: endpoint.to_string(),
            status: status.as_u16(),
            location,
        }
    }

    /// `prefix/ID` when `id` is a KSeF reference number or permission id (36 letters,
    /// digits and '-', the contract's `ReferenceNumber`), percent-encoded as one path
    /// segment; a value from a file or an answer never steers the URL path.
    pub fn id_path(&self, prefix: &str, id: &str, method: &Method) -> Result<String, ApiError> {
        if is_ksef_id(id) {
            let segment = percent_encoding::utf8_percent_encode(id, PATH_SEGMENT);
            Ok(format!("{prefix}/{segment}"))
        } else {
            Err(ApiError::BadReference {
                nip: self.nip.clone(),
                endpoint: format!("{method} {prefix}/{{referenceNumber}}"),
                shown: shown(id, 40),
            })
        }
    }

    fn too_large(&self, endpoint: &str) -> ApiError {
        ApiError::BodyTooLarge {
            nip: self.nip.clone(),
            endpoint: endpoint.to_string(),
            limit_mib: MAX_BODY_BYTES / (1024 * 1024),
        }
    }

    fn wait_event(&self, endpoint: &str, delay: Duration, why: &str) {
        self.progress.emit(ProgressEvent::Waiting {
            nip: self.nip.clone(),
            endpoint: endpoint.to_string(),
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            why: why.to_string(),
        });
    }

    fn transport_error(&self, endpoint: &str, e: reqwest::Error) -> ApiError {
        ApiError::Transport {
            nip: self.nip.clone(),
            endpoint: endpoint.to_string(),
            what: describe(&e),
            source: e.without_url(),
        }
    }

    fn status_error(
        &self,
        endpoint: &str,
        status: StatusCode,
        body: &[u8],
        retries: u32,
    ) -> ApiError {
        let parsed = parse_error_body(&String::from_utf8_lossy(body));
        let mut message = parsed.message.clone();
        if retries > 0 {
            message.push_str(&format!(" (after {retries} retries)"));
        }
        ApiError::Status {
            nip: self.nip.clone(),
            endpoint: endpoint.to_string(),
            status: status.as_u16(),
            code: parsed.code.filter(|c| i64::from(status.as_u16()) != *c),
            help: help_for(status.as_u16(), &parsed),
            message,
        }
    }
}

/// Reads a body chunk by chunk; `Ok(None)` as soon as it would exceed `limit` bytes
/// (a declared `Content-Length` over the limit is refused before reading).
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn is_transient(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body()
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        "the connection failed".into()
    }
}

/// `Retry-After` as seconds: an integer (what KSeF sends) or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (date.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs).unwrap_or(0))
}

/// Exponential backoff (`base * 2^(attempt-1)`, capped) with "equal jitter": half the
/// delay fixed, half random (`jitter` in `[0, 1)`).
pub(crate) fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(MAX_BACKOFF);
    capped / 2 + capped.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

/// Everything but unreserved characters is encoded in a path segment.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A KSeF reference number or permission id: 36 letters, digits and '-'.
pub fn is_ksef_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Text from the other side for a message: control and bidi characters escaped, cut to
/// `max` characters (the helpers every message uses).
fn shown(text: &str, max: usize) -> String {
    ksef_model::escape_terminal(&ksef_model::cut(text, max)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_integer_seconds_or_a_date() {
        assert_eq!(parse_retry_after("30"), Some(30));
        assert_eq!(parse_retry_after(" 0 "), Some(0));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(base, 1, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(base, 1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(base, 3, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(base, 40, 1.0), MAX_BACKOFF);
        assert!(backoff(base, 40, 0.0) >= MAX_BACKOFF / 2);
    }

    /// A stand-in for KSeF that answers every request with `answer`, and one that counts
    /// the connections it gets.
    async fn redirecting_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let other = elsewhere.local_addr().expect("addr");
        let hits = std::sync::Arc::new(AtomicUsize::new(0));
        let counted = std::sync::Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((_conn, _)) = elsewhere.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        let ksef = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = ksef.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = ksef.accept().await {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://user:pw@{other}/v2/auth/xades-signature\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = conn.write_all(answer.as_bytes()).await;
            }
        });
        (format!("http://{addr}/v2"), hits)
    }

    fn transport(base_url: String) -> Transport {
        let environment = ksef_model::EnvironmentRef {
            label: "test".into(),
            base_url,
        };
        let settings = KsefSettings::new(environment, Vec::new());
        let http = http_client(&settings).expect("client");
        Transport::new(http, &settings, "5265877635", Progress::default())
    }

    #[tokio::test]
    async fn issue_21_a_redirect_is_refused_and_never_followed() {
        let (base, hits) = redirecting_server().await;
        let t = transport(base);
        let call = Call::new(Method::POST, "/auth/xades-signature").xml("<signed/>".into());
        let err = t.send(&call).await.expect_err("a redirect is an error");
        let message = err.to_string();
        assert!(
            matches!(err, ApiError::Redirect { status: 307, .. }),
            "{message}"
        );
        assert!(
            message.contains("redirect (HTTP 307 to http://127.0.0.1:"),
            "{message}"
        );
        assert!(!message.contains("user:pw"), "{message}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[test]
    fn issue_21_a_hostile_reference_never_steers_the_path() {
        let t = transport("http://127.0.0.1:9/v2".into());
        let good = "20251010-AU-1A2B3C4D5E-6F7A8B9C0D-AB";
        assert_eq!(
            t.id_path("/tokens", good, &Method::GET).expect("valid"),
            format!("/tokens/{good}")
        );
        for hostile in [
            "../../tokens",
            "20251010-AU-1A2B3C4D5E-6F7A8B9C0/../x",
            "20251010-AU-1A2B3C4D5E-6F7A8B9C0D-A?",
            "20251010-AU-1A2B3C4D5E-6F7A8B9C0D-A\n",
            "",
        ] {
            let err = t
                .id_path("/auth", hostile, &Method::GET)
                .expect_err(hostile);
            let first_line = err
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            assert!(
                first_line.contains("is not a KSeF reference number; not sent")
                    || first_line.contains("is not a KSeF reference number (36"),
                "{first_line}"
            );
        }
    }
}
