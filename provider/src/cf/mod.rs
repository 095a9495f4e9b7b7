//! The Cloud Foundry API client: discovery, every cloud.gov login mode, trust in the
//! system certificate store, retries and lost-answer recovery, batched and cached
//! reads, typed calls and typed errors. Knows nothing of Terraform.

pub mod auth;
pub mod batch;
pub mod boundary;
mod circuit;
pub mod client;
mod diagnose;
pub mod error;
pub mod http;
mod lookups;
pub mod models;
mod policies;
mod routes;
pub use routes::NewMetadata;
mod snapshot;
pub mod stop;
pub mod tls;

pub use auth::{CfCliConfig, Credentials};

/// Locks `m`, even when a panic elsewhere poisoned it: the server's guard turns a
/// panic into a diagnostic and keeps serving, and the values these locks guard are
/// replaced whole, so they are never half-written.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
pub use boundary::{check_api_url, redact};
pub use client::{Client, ClientConfig, USER_AGENT, normalize_api_url};
pub use error::{AuthMode, Error, Result};
pub use http::RetryPolicy;
pub use stop::despite_stop;
pub use tls::Trust;
