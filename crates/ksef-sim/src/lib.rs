//! A KSeF API 2.0 simulator for the token endpoints, served on loopback.
//!
//! Real cryptography (RSA-OAEP with the simulator's own certificates), the auth flow
//! (challenge → `ksef-token` → status → redeem → refresh → close), `GET /tokens` with
//! opaque cursors and visibility rules, revocation, the contract's rate limits and
//! switchable [`Faults`]. Every route is served under `/v2` and at the root.
//! The fixture format and the faults are documented in `docs/simulator.md`.

mod auth;
pub mod ca;
mod certificates;
mod errors;
mod faults;
mod files;
mod fixture;
mod grants;
mod keys;
mod limits;
mod personal;
mod state;
mod time;
mod tokens;
pub mod xades;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::OriginalUri;
use axum::http::{Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use thiserror::Error;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use errors::ApiFailure;
pub use faults::Faults;
pub use files::create_private;
pub use fixture::{Fixture, FixtureContext, FixtureToken};
pub use keys::{SimCertificate, SimKeys, USAGE_SYMMETRIC, USAGE_TOKEN};

use state::Sim;

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Listen address; `127.0.0.1:0` picks a free port. Must be loopback.
    pub addr: SocketAddr,
    /// Faults for every context without its own.
    pub faults: Faults,
    /// Lifetime of access tokens (KSeF: about 15 minutes). Short values exercise refresh.
    pub access_token_ttl: Duration,
    /// How long a revoked token stays `Revoking` (it also turns `Revoked` on its second read).
    pub revoke_delay: Duration,
    /// Enforce the contract's rate limits (10/s, 30/min, 120/h per context and endpoint
    /// for the token endpoints; 60/s per IP for the public auth endpoints).
    pub rate_limits: bool,
    /// Key material; `None` = [`SimKeys::shared`].
    pub keys: Option<Arc<SimKeys>>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: Faults::default(),
            access_token_ttl: Duration::from_secs(15 * 60),
            revoke_delay: Duration::from_secs(2),
            rate_limits: true,
            keys: None,
        }
    }
}

#[derive(Debug, Error)]
pub enum SimError {
    #[error(
        "simulator address {0} is not a loopback address\nhelp: use 127.0.0.1:PORT or [::1]:PORT; the simulator never listens on a network"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}\nhelp: pick another port with --addr 127.0.0.1:PORT")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read fixture '{path}'")]
    FixtureRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid fixture: {0}\nhelp: see docs/simulator.md for the fixture format")]
    Fixture(String),
    #[error("simulator cryptography failed: {0}")]
    Crypto(String),
}

/// One request the simulator answered (for tests; never holds a token value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path as requested, with `/v2` when it was used.
    pub path: String,
    pub query: Option<String>,
    /// Selected request headers: `x-continuation-token`, `x-error-format`, and
    /// `authorization` as `Bearer [redacted]` when present.
    pub headers: BTreeMap<String, String>,
    pub status: u16,
    /// The `Retry-After` header of the response.
    pub retry_after: Option<String>,
    /// The context (NIP) the request was about, when known.
    pub nip: Option<String>,
}

/// Response extension naming the context a request was about (for the request log).
#[derive(Debug, Clone)]
pub(crate) struct LoggedContext(pub String);

pub(crate) fn tag(mut response: Response, nip: Option<String>) -> Response {
    if let Some(nip) = nip {
        response.extensions_mut().insert(LoggedContext(nip));
    }
    response
}

/// A running simulator.
pub struct SimHandle {
    /// `http://127.0.0.1:PORT/v2`
    pub base_url: String,
    /// `http://127.0.0.1:PORT` (routes are served here too, as Prism does).
    pub root_url: String,
    pub addr: SocketAddr,
    sim: Arc<Sim>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// Switches faults at run time: for one context (`Some(nip)`) or globally (`None`).
    /// Resets the fault counters concerned. An unknown NIP is ignored.
    pub fn set_faults(&self, nip: Option<&str>, faults: Faults) {
        let mut st = self.sim.lock();
        match nip {
            Some(nip) => {
                if let Some(ctx) = st.contexts.iter_mut().find(|c| c.nip == nip) {
                    ctx.faults = Some(faults);
                }
                st.counters.remove(nip);
            }
            None => {
                st.global_faults = faults;
                st.counters.clear();
            }
        }
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.sim.lock().requests.clone()
    }

    /// Trusts the CA (DER) for `POST /auth/xades-signature`: certificates it issued
    /// sign in; any other certificate ends with status 460.
    pub fn trust_ca(&self, ca_der: &[u8]) {
        self.sim.lock().trusted_ca = Some(ca_der.to_vec());
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.sim.lock().requests.clear();
    }

    /// The current state of the tokens (with changes made through the API).
    pub fn fixture(&self) -> Fixture {
        Fixture {
            contexts: self.sim.lock().contexts.clone(),
        }
    }

    /// An access token for a fixture token, as if it had authenticated in context `nip`
    /// and redeemed its tokens (for tests of `KSEF_ACCESS_TOKEN_<NIP>`). It carries no
    /// permission claims; the session holds the token's permissions. `None` when the
    /// token is not in that context.
    pub fn access_token(&self, nip: &str, reference: &str) -> Option<String> {
        let mut st = self.sim.lock();
        let &(ci, ti) = st.token_index.get(reference)?;
        if st.contexts[ci].nip != nip {
            return None;
        }
        let permissions = st.contexts[ci].tokens[ti]
            .record
            .requested_permissions
            .clone();
        let now = chrono::Utc::now();
        let operation = state::new_reference("AU", now);
        st.operations.insert(
            operation.clone(),
            state::AuthOperation {
                start: now,
                context: Some(ci),
                token_ref: Some(reference.to_string()),
                permissions,
                status: state::AuthStatus::success(),
                polls_left: 0,
                redeemed: true,
                closed: false,
                fault_revoked: false,
                revoke_after_redeem: false,
                refresh_valid_until: None,
                last_refresh: None,
                by_certificate: false,
            },
        );
        let ident = st.contexts[ci].identifier();
        let ttl = self.sim.options.access_token_ttl;
        let (token, _) = self.sim.issue(
            &mut st,
            state::BearerKind::Access,
            &operation,
            Some(&ident),
            ttl,
        );
        Some(token)
    }

    /// The certificates the simulator publishes.
    pub fn keys(&self) -> Arc<SimKeys> {
        self.sim.keys.clone()
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Resolves when the server stops on its own (it does not, unless it fails).
    pub async fn wait(&mut self) {
        if let Some(task) = self.task.as_mut() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a simulator serving `fixture` on `options.addr` (loopback only).
pub async fn start(fixture: Fixture, options: SimOptions) -> Result<SimHandle, SimError> {
    if !options.addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(options.addr));
    }
    fixture.validate()?;
    let keys = match &options.keys {
        Some(keys) => keys.clone(),
        None => tokio::task::spawn_blocking(SimKeys::shared)
            .await
            .map_err(|e| SimError::Crypto(e.to_string()))?,
    };
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| SimError::Bind {
            addr: options.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        addr: options.addr,
        source,
    })?;
    let sim = Arc::new(Sim::new(fixture, options, keys));
    let app = router(sim.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
    });
    let root_url = format!("http://{addr}");
    Ok(SimHandle {
        base_url: format!("{root_url}/v2"),
        root_url,
        addr,
        sim,
        stop: Some(stop),
        task: Some(task),
    })
}

fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/auth/challenge", post(auth::challenge))
        .route("/security/public-key-certificates", get(auth::public_keys))
        .route("/auth/ksef-token", post(auth::ksef_token))
        .route("/auth/token/redeem", post(auth::redeem))
        .route("/auth/token/refresh", post(auth::refresh))
        .route("/auth/sessions/current", delete(auth::close_session))
        .route("/auth/{referenceNumber}", get(auth::status))
        .route("/tokens", get(tokens::list))
        .route("/permissions/query/personal/grants", post(personal::query))
        .route(
            "/tokens/{referenceNumber}",
            get(tokens::get_one).delete(tokens::revoke),
        )
        .merge(grants::routes())
        .merge(certificates::routes())
}

fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .nest("/v2", routes())
        .merge(routes())
        .layer(middleware::from_fn(errors::render_failures))
        .layer(middleware::from_fn_with_state(sim.clone(), record))
        .with_state(sim)
}

/// Middleware: appends each answered request to the request log.
async fn record(
    axum::extract::State(sim): axum::extract::State<Arc<Sim>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.clone())
        .unwrap_or_else(|| request.uri().clone());
    let method = request.method().to_string();
    let mut headers = BTreeMap::new();
    for name in ["x-continuation-token", "x-error-format"] {
        if let Some(v) = request.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.insert(name.to_string(), v.to_string());
        }
    }
    if request.headers().contains_key(header::AUTHORIZATION) {
        headers.insert("authorization".into(), "Bearer [redacted]".into());
    }
    let response = next.run(request).await;
    let entry = RecordedRequest {
        method,
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        nip: response
            .extensions()
            .get::<LoggedContext>()
            .map(|c| c.0.clone()),
    };
    let mut st = sim.lock();
    if st.requests.len() >= state::REQUEST_LOG_MAX {
        st.requests.drain(..state::REQUEST_LOG_MAX / 2);
    }
    st.requests.push(entry);
    response
}
