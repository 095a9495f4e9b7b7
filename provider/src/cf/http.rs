//! The transport under every call: one reqwest client with rustls over the system
//! certificate store (honouring `SSL_CERT_FILE` / `SSL_CERT_DIR`), retries with
//! exponential backoff and jitter inside a time budget, `Retry-After`, cancellation,
//! and a tracing event per request. It follows no redirect, and sends a request that
//! carries a credential only where the trust boundary (`boundary`) allows. Knows
//! nothing of tokens or API shapes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rand::RngExt;
use reqwest::Method;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_util::sync::CancellationToken;

use super::boundary::{Boundary, redact};
use super::circuit::Circuit;
use super::error::{Error, Result};

/// Which certificates to trust.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// A PEM bundle added to the system store (`SSL_CERT_FILE`).
    pub cert_file: Option<PathBuf>,
    /// A directory of PEM files added to the system store (`SSL_CERT_DIR`).
    pub cert_dir: Option<PathBuf>,
    /// Trust any certificate (`skip_ssl_validation`).
    pub skip_verification: bool,
}

impl Trust {
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` from `env`, plus the skip switch.
    pub fn from_env(env: impl Fn(&str) -> Option<String>, skip_verification: bool) -> Trust {
        let path = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        Trust {
            cert_file: path("SSL_CERT_FILE"),
            cert_dir: path("SSL_CERT_DIR"),
            skip_verification,
        }
    }
}

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
    pub fn json<T: serde::Serialize>(mut self, body: &T) -> Request {
        self.body = Body::Json(serde_json::to_vec(body).expect("serializable body"));
        self
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

/// Accepts any server certificate (but still checks handshake signatures): the
/// explicit `skip_ssl_validation` opt-in.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The system store with the certificates of `SSL_CERT_FILE` and `SSL_CERT_DIR`
/// added: a private CA is trusted next to the public ones, as most tools do.
fn trusted_certificates(trust: &Trust) -> rustls_native_certs::CertificateResult {
    let mut found = system_store(trust);
    if trust.cert_file.is_some() || trust.cert_dir.is_some() {
        let extra = rustls_native_certs::load_certs_from_paths(
            trust.cert_file.as_deref(),
            trust.cert_dir.as_deref(),
        );
        found.certs.extend(extra.certs);
        found.errors.extend(extra.errors);
    }
    found
}

/// The platform's own store. rustls-native-certs replaces it with `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` when they are set, so on Linux and the BSDs it is read from the
/// locations openssl-probe knows, which no variable changes: every file in the
/// system certificate directories (`/etc/ssl/certs`, `/etc/pki/tls/certs`, ...), and
/// the system bundle when `SSL_CERT_FILE` is not set.
#[cfg(all(unix, not(target_os = "macos")))]
fn system_store(trust: &Trust) -> rustls_native_certs::CertificateResult {
    let mut found = rustls_native_certs::CertificateResult::default();
    if trust.cert_file.is_none() && trust.cert_dir.is_none() {
        return rustls_native_certs::load_native_certs();
    }
    let bundle = if trust.cert_file.is_none() {
        openssl_probe::probe().cert_file
    } else {
        None
    };
    let mut first = true;
    for dir in openssl_probe::candidate_cert_dirs() {
        let part = rustls_native_certs::load_certs_from_paths(
            if first { bundle.as_deref() } else { None },
            Some(dir),
        );
        first = false;
        found.certs.extend(part.certs);
        found.errors.extend(part.errors);
    }
    found
}

/// The platform's own store. On macOS and Windows it comes from the operating system,
/// which rustls-native-certs consults only while `SSL_CERT_FILE` / `SSL_CERT_DIR` are
/// unset; with either set, the certificates they name are all there is (documented).
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn system_store(trust: &Trust) -> rustls_native_certs::CertificateResult {
    if trust.cert_file.is_some() || trust.cert_dir.is_some() {
        return rustls_native_certs::CertificateResult::default();
    }
    rustls_native_certs::load_native_certs()
}

fn tls_config(trust: &Trust) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup failed: {e}")))?;
    let mut config = if trust.skip_verification {
        tracing::warn!(
            "skip_ssl_validation is set: TLS certificates are NOT verified. Use this only with test foundations; \
             prefer SSL_CERT_FILE for a private CA"
        );
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        for (var, path) in [
            ("SSL_CERT_FILE", &trust.cert_file),
            ("SSL_CERT_DIR", &trust.cert_dir),
        ] {
            if let Some(p) = path
                && !p.exists()
            {
                return Err(Error::Config(format!(
                    "{var} names {}, which does not exist. Point it at a PEM bundle (SSL_CERT_FILE) or a \
                     directory of PEM files (SSL_CERT_DIR), or unset it to use the system certificate store",
                    p.display()
                )));
            }
        }
        let found = trusted_certificates(trust);
        for e in &found.errors {
            tracing::debug!(error = %e, "could not read some trusted certificates");
        }
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(Error::Config(format!(
                "no trusted certificates were found ({}). Install the system CA bundle, or set SSL_CERT_FILE to a PEM bundle",
                match (&trust.cert_file, &trust.cert_dir) {
                    (Some(f), _) => format!("SSL_CERT_FILE={}", f.display()),
                    (None, Some(d)) => format!("SSL_CERT_DIR={}", d.display()),
                    _ => "system certificate store".into(),
                }
            )));
        }
        tracing::debug!(certificates = added, "trusted certificates loaded");
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The rustls error behind a reqwest error, if any.
fn rustls_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(r.to_string());
        }
        cur = e.source();
    }
    None
}

/// Whether a transport failure on first contact is final, and what probably went
/// wrong, in words that say what to change.
fn unreachable_hint(url: &str, reason: &str) -> (bool, String) {
    let r = reason.to_ascii_lowercase();
    let https = url.starts_with("https://");
    if r.contains("dns error")
        || r.contains("failed to lookup address")
        || r.contains("name or service not known")
    {
        (
            true,
            "The host name does not resolve: check api_url for a typo (cloud.gov's API is https://api.fr.cloud.gov)"
                .into(),
        )
    } else if r.contains("connection refused") {
        (
            false,
            "Nothing accepts connections there: check the host and port in api_url, and that the platform is up"
                .into(),
        )
    } else if !https && (r.contains("invalid http version") || r.contains("invalid status line")) {
        (
            true,
            "It did not answer plain HTTP: if it serves HTTPS, write https:// in api_url".into(),
        )
    } else if !https
        && (r.contains("connection closed before message completed")
            || r.contains("connection reset"))
    {
        // Also what an HTTPS server does to plain HTTP, but a flaky network too.
        (
            false,
            "The connection was closed without an answer: if the platform serves HTTPS, write https:// in api_url"
                .into(),
        )
    } else if https
        && (r.contains("invalidcontenttype")
            || r.contains("corrupt message")
            || r.contains("wrong version"))
    {
        (
            true,
            "It did not answer TLS: if it serves plain HTTP (a local simulator), write http:// in api_url".into(),
        )
    } else {
        (
            false,
            "Check api_url, and any proxy or firewall between here and the platform".into(),
        )
    }
}

fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut cur = std::error::Error::source(err);
    while let Some(e) = cur {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cur = e.source();
    }
    text
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
                    !unreachable_hint(&req.url, reason).0
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
                    hint: unreachable_hint(&req.url, reason).1,
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

    fn private_ca(dir: &std::path::Path) -> (PathBuf, CertificateDer<'static>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).expect("certificate");
        let path = dir.join("private-ca.pem");
        std::fs::write(&path, cert.pem()).expect("write");
        (path, cert.der().clone())
    }

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

    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` each add to the system store.
    #[test]
    fn cert_file_and_dir_add_to_the_system_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ca, private) = private_ca(dir.path());
        let system = trusted_certificates(&Trust::default()).certs.len();
        let with_file = trusted_certificates(&Trust {
            cert_file: Some(ca),
            ..Trust::default()
        })
        .certs;
        let with_dir = trusted_certificates(&Trust {
            cert_dir: Some(dir.path().to_path_buf()),
            ..Trust::default()
        })
        .certs;
        for (how, certs) in [("SSL_CERT_FILE", &with_file), ("SSL_CERT_DIR", &with_dir)] {
            assert!(certs.contains(&private), "{how}: the private CA is trusted");
            if system == 0 {
                eprintln!(
                    "{how}: this machine has no system certificate store; only the addition is checked"
                );
                continue;
            }
            assert!(
                certs.len() > system,
                "{how}: {} certificates, the system store alone has {system}",
                certs.len()
            );
        }
    }
}
