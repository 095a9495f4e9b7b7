//! The transport under every call: one reqwest client with rustls over the system
//! certificate store (honouring `SSL_CERT_FILE` / `SSL_CERT_DIR`), retries with
//! exponential backoff and jitter inside a time budget, `Retry-After`, cancellation,
//! and a tracing event per request. It follows no redirect, and sends a request that
//! carries a credential only where the trust boundary (`boundary`) allows. Knows
//! nothing of tokens or API shapes.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::RngExt;
use reqwest::Method;
use tokio_util::sync::CancellationToken;

use super::boundary::{Boundary, redact};
use super::circuit::Circuit;
use super::diagnose::{describe, proxy_for, rustls_cause, unreachable_hint};
use super::error::{Error, Result};
use super::tls::{Trust, tls_config};

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// First backoff.
    pub initial: Duration,
    /// Longest single backoff.
    pub max_delay: Duration,
    /// Total time one call may spend, retries included.
    pub budget: Duration,
    /// Time limit of one attempt.
    pub attempt_timeout: Duration,
    /// How long the platform may go without answering any request before every call
    /// of the process fails at once (`circuit`).
    pub outage: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            budget: Duration::from_secs(120),
            attempt_timeout: Duration::from_secs(60),
            outage: Duration::from_secs(60),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// None.
    Empty,
    /// JSON bytes.
    Json(Vec<u8>),
    /// Form-encoded (UAA). Never logged.
    Form(String),
}

/// One request, retried as its idempotency allows.
#[derive(Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Full URL.
    pub url: String,
    /// Body.
    pub body: Body,
    /// Safe to send again after a lost answer or a 5xx.
    pub idempotent: bool,
    /// Bearer token.
    pub bearer: Option<String>,
    /// Basic credentials (UAA clients).
    pub basic: Option<(String, String)>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request without body or credentials.
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        let idempotent = method != Method::POST;
        Request {
            method,
            url: url.into(),
            body: Body::Empty,
            idempotent,
            bearer: None,
            basic: None,
        }
    }

    /// With a JSON body.
    pub fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Request> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Decode {
            url: redact(&self.url),
            reason: format!("the request body could not be written: {e}"),
        })?;
        self.body = Body::Json(bytes);
        Ok(self)
    }

    /// Marks the request safe (or not) to repeat.
    pub fn idempotent(mut self, yes: bool) -> Request {
        self.idempotent = yes;
        self
    }

    /// True when the request carries a credential: a token, a client secret, or a
    /// login form.
    pub fn carries_credentials(&self) -> bool {
        self.bearer.is_some() || self.basic.is_some() || matches!(self.body, Body::Form(_))
    }
}

/// An answer.
#[derive(Debug)]
pub struct Response {
    /// Status.
    pub status: u16,
    /// `Location` header, if any.
    pub location: Option<String>,
    /// `Retry-After` in seconds, if given.
    pub retry_after: Option<u64>,
    /// Body.
    pub body: Vec<u8>,
}

/// How long past an operation's configured deadline a call would keep trying; the
/// operation is stopped at the deadline, so this is never reached in practice.
const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// The largest answer read: the platform's largest pages (a thousand apps) are a few
/// megabytes; a larger answer is not the platform's, and reading it whole could
/// exhaust memory.
pub const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// How long calls keep trying a platform that has never answered. A setup mistake
/// (a refused connection, a host that does not resolve, `http://` spoken to an HTTPS
/// port) fails within this; the long budget is for a platform that answered once
/// and then flakes.
pub const FIRST_CONTACT_BUDGET: Duration = Duration::from_secs(6);

/// The wait before retry number `attempt` (from 1): exponential from `initial`,
/// capped at `max`, with jitter between half and all of it so that many waiting
/// callers do not come back at once. Every retry loop of the client uses it: requests
/// here, route creation after a lost answer, and job polling.
pub fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = initial.saturating_mul(1u32 << attempt.clamp(1, 17).saturating_sub(1));
    let cap = exp.min(max);
    let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(ms / 2..=ms.max(1)))
}

/// The transport.
#[derive(Debug)]
pub struct Http {
    client: reqwest::Client,
    retry: RetryPolicy,
    cancel: CancellationToken,
    /// Some answer (any status) has arrived: the platform is there.
    reached: AtomicBool,
    /// Whether the platform is still answering at all.
    circuit: Circuit,
    /// Where credentials may go, once discovery has named the foundation's servers;
    /// until then no credential is sent anywhere.
    boundary: OnceLock<Boundary>,
}

impl Http {
    /// A transport trusting `trust`, retrying by `retry`, stopping on `cancel`.
    pub fn new(
        trust: &Trust,
        retry: RetryPolicy,
        user_agent: &str,
        cancel: CancellationToken,
    ) -> Result<Http> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(trust)?)
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(15))
            .timeout(retry.attempt_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client setup failed: {e}")))?;
        Ok(Http {
            client,
            retry,
            cancel,
            reached: AtomicBool::new(false),
            circuit: Circuit::new(retry.outage),
            boundary: OnceLock::new(),
        })
    }

    /// Sets where credentials may go (once; later calls change nothing).
    pub fn set_boundary(&self, boundary: Boundary) {
        let _ = self.boundary.set(boundary);
    }

    /// Refuses a request that would carry a credential outside the boundary.
    fn check_boundary(&self, req: &Request) -> Result<()> {
        if !req.carries_credentials() || self.boundary.get().is_some_and(|b| b.allows(&req.url)) {
            return Ok(());
        }
        Err(Error::Untrusted(format!(
            "refused to send credentials to {}: it is not one of the foundation's own servers (the API and the \
             UAA and policy server that its discovery document names, over https). Nothing was sent",
            redact(&req.url)
        )))
    }

    /// A redirect answer as the error it is: redirects are never followed.
    fn redirect_error(req: &Request, r: &Response) -> Error {
        let location = r.location.as_deref().map_or_else(
            || "an unnamed location".to_string(),
            |l| {
                reqwest::Url::parse(&req.url)
                    .and_then(|base| base.join(l))
                    .map_or_else(|_| redact(l), |u| redact(u.as_str()))
            },
        );
        Error::Redirect {
            method: req.method.to_string(),
            url: redact(&req.url),
            status: r.status,
            location,
        }
    }

    /// The total time one call may spend: the retry budget, or, when the operation's
    /// configuration sets a time limit (`timeouts`), what is left of it plus a margin.
    /// The margin leaves the last word to the operation's guard, which stops the
    /// call at the limit with a message that names the setting.
    pub fn budget(&self) -> Duration {
        crate::deadline::remaining().map_or(self.retry.budget, |left| left + DEADLINE_MARGIN)
    }

    /// The cancellation token calls observe.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// True once Terraform has asked the provider to stop.
    pub fn stop_requested(&self) -> bool {
        self.cancel.is_cancelled()
    }

    async fn once(&self, req: &Request) -> Result<Response> {
        let mut b = self.client.request(req.method.clone(), &req.url);
        if let Some(t) = &req.bearer {
            b = b.bearer_auth(t);
        }
        if let Some((id, secret)) = &req.basic {
            b = b.basic_auth(id, Some(secret));
        }
        b = match &req.body {
            Body::Empty => b,
            Body::Json(bytes) => b
                .header("content-type", "application/json")
                .body(bytes.clone()),
            Body::Form(text) => b
                .header("content-type", "application/x-www-form-urlencoded")
                .body(text.clone()),
        };
        let fail = |e: reqwest::Error| {
            let text = describe(&e);
            // The rustls error may sit behind boxed errors that do not expose it to
            // downcasting; its text is stable ("invalid peer certificate: ...").
            let cert = rustls_cause(&e)
                .filter(|r| r.contains("certificate"))
                .or_else(|| {
                    text.find("invalid peer certificate")
                        .map(|i| text[i..].to_string())
                });
            match cert {
                Some(reason) => Error::Certificate {
                    url: req.url.clone(),
                    reason,
                },
                None => Error::Transport {
                    method: req.method.to_string(),
                    url: req.url.clone(),
                    reason: text,
                },
            }
        };
        let resp = b.send().await.map_err(fail)?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let too_large = || Error::TooLarge {
            method: req.method.to_string(),
            url: redact(&req.url),
            limit: MAX_ANSWER_BYTES,
        };
        if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES) {
            return Err(too_large());
        }
        let mut resp = resp;
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(fail)? {
            if (body.len() + chunk.len()) as u64 > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let r = Response {
            status,
            location,
            retry_after,
            body,
        };
        Ok(r)
    }

    /// Sends `req`, retrying transport failures and 5xx answers (500, 502, 503, 504)
    /// when idempotent, and 429 always (the server refused it unprocessed), with
    /// exponential backoff and full jitter, within the time budget. Until the
    /// platform has answered once, transport failures get only
    /// `FIRST_CONTACT_BUDGET` and end in `Error::Unreachable`. Returns the last
    /// answer, whatever its status; the caller interprets it.
    pub async fn send(&self, req: &Request) -> Result<Response> {
        self.check_boundary(req)?;
        let start = Instant::now();
        let budget = self.budget();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if self.circuit.is_open() {
                return Err(self.circuit.error());
            }
            let t0 = Instant::now();
            let first_contact = !self.reached.load(Ordering::Relaxed);
            let limit = if first_contact {
                FIRST_CONTACT_BUDGET.saturating_sub(start.elapsed())
            } else {
                budget
                    .saturating_sub(start.elapsed())
                    .max(Duration::from_millis(1))
            };
            let outcome = tokio::select! {
                () = super::stop::stopped(&self.cancel) => return Err(Error::Cancelled),
                () = self.circuit.opened() => return Err(self.circuit.error()),
                r = tokio::time::timeout(limit, self.once(req)) => r.unwrap_or_else(|_| Err(Error::Transport {
                    method: req.method.to_string(),
                    url: req.url.clone(),
                    reason: format!("no answer within {} s", limit.as_secs()),
                })),
            };
            match &outcome {
                Ok(r) if matches!(r.status, 502..=504) => {
                    self.circuit.failed(&format!(
                        "{} {} answered {}",
                        req.method,
                        redact(&req.url),
                        r.status
                    ));
                }
                Ok(_) => self.circuit.answered(),
                Err(e @ Error::Transport { .. }) => self.circuit.failed(&e.to_string()),
                Err(_) => {}
            }
            if outcome.is_ok() {
                self.reached.store(true, Ordering::Relaxed);
            }
            let retry_after = outcome.as_ref().ok().and_then(|r| r.retry_after);
            let elapsed_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &outcome {
                Ok(r) => {
                    tracing::debug!(method = %req.method, url = %req.url, status = r.status, elapsed_ms, attempt, "platform request")
                }
                Err(e) => {
                    tracing::debug!(method = %req.method, url = %req.url, error = %e, elapsed_ms, attempt, "platform request failed")
                }
            }
            if let Ok(r) = &outcome
                && (300..400).contains(&r.status)
            {
                return Err(Self::redirect_error(req, r));
            }
            let retryable = match &outcome {
                Ok(r) if r.status == 429 => true,
                Ok(r) => req.idempotent && matches!(r.status, 500 | 502..=504),
                Err(Error::Transport { reason, .. }) if first_contact => {
                    // A name that does not resolve will not start resolving.
                    !unreachable_hint(&req.url, reason, None).0
                }
                Err(Error::Transport { .. }) => req.idempotent,
                Err(_) => false,
            };
            let backoff = self.backoff(attempt);
            let delay = retry_after.map_or(backoff, |s| Duration::from_secs(s).max(backoff));
            if first_contact
                && let Err(Error::Transport { reason, .. }) = &outcome
                && (!retryable || start.elapsed() + delay > FIRST_CONTACT_BUDGET)
            {
                return Err(Error::Unreachable {
                    url: req.url.clone(),
                    reason: reason.clone(),
                    hint: unreachable_hint(
                        &req.url,
                        reason,
                        proxy_for(&req.url, |k| std::env::var(k).ok()).as_ref(),
                    )
                    .1,
                });
            }
            if !retryable {
                return outcome;
            }
            if start.elapsed() + delay > budget {
                tracing::warn!(method = %req.method, url = %req.url, attempt, "giving up: the retry budget is spent");
                return match outcome {
                    Ok(r) => Ok(r),
                    Err(e) => Err(Error::Timeout {
                        what: format!("{} {}", req.method, req.url),
                        after: start.elapsed(),
                        last: Some(e.to_string()),
                    }),
                };
            }
            tracing::debug!(method = %req.method, url = %req.url, attempt, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "retrying");
            tokio::select! {
                () = super::stop::stopped(&self.cancel) => return Err(Error::Cancelled),
                () = self.circuit.opened() => return Err(self.circuit.error()),
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// True once the platform has answered a request (any status).
    pub fn reached(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff(self.retry.initial, self.retry.max_delay, attempt)
    }

    /// Sleeps, unless cancelled or the platform found gone first.
    pub async fn sleep(&self, d: Duration) -> Result<()> {
        tokio::select! {
            () = super::stop::stopped(&self.cancel) => Err(Error::Cancelled),
            () = self.circuit.opened() => Err(self.circuit.error()),
            () = tokio::time::sleep(d) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_with_jitter() {
        let (initial, max) = (Duration::from_millis(100), Duration::from_secs(5));
        for attempt in 1..=20 {
            let d = backoff(initial, max, attempt);
            let full = initial
                .saturating_mul(1u32 << (attempt.min(17) - 1))
                .min(max);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} of {full:?}"
            );
        }
    }
}
