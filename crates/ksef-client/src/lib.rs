//! The KSeF API 2.0 client: token authentication, `GET/DELETE /tokens`, limits,
//! retries, and the per-context fetch that builds a [`TokenSnapshot`](ksef_model::TokenSnapshot).
//!
//! The only async code of the crate. `fetch_snapshot` and `verify_leaks` are
//! blocking wrappers that own a tokio runtime.

pub mod auditor;
pub mod auth;
pub mod certificates;
pub mod crypto;
pub mod error;
pub mod models;

pub mod http;
pub mod limiter;
mod listing;
pub mod progress;
pub mod tokens;

pub mod credentials;
pub mod fetch;
pub mod grants;
pub mod keys;
pub mod settings;
pub mod signin;
pub mod verify;
pub mod xades;
