//! `Client`: discovery, authenticated calls (one retry after a 401), CF and policy
//! server error decoding, pagination, and the per-process state the typed calls
//! share. The typed calls live by topic: `lookups` (orgs, spaces, apps, domains),
//! `routes` (routes, destinations, deletion jobs) and `policies`. Reads go through
//! `snapshot` listings and `batch` batchers unless `CLOUDGOV_READ_BATCHING=off`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::auth::{Credentials, TokenSource};
use super::batch::{Batcher, Deletions, WriteBatcher};
use super::boundary::{Boundary, next_page};
use super::error::{Error, Result};
use super::http::{Http, Request, Response, RetryPolicy};
use super::models::*;
use super::snapshot::{Listings, SpacePolicies};
use super::tls::Trust;

/// How to reach and log in to a platform.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API root, such as `https://api.fr.cloud.gov`.
    pub api_url: String,
    /// How to log in.
    pub credentials: Credentials,
    /// Which certificates to trust.
    pub trust: Trust,
    /// Retries and time budgets.
    pub retry: RetryPolicy,
    /// Batch and share reads, batch policy writes (off: one request per call).
    pub batching: bool,
    /// Longest wait for an asynchronous job.
    pub job_timeout: Duration,
    /// Cancelled when Terraform stops the provider.
    pub cancel: CancellationToken,
    /// The `User-Agent` of every request (`USER_AGENT`, plus what
    /// `CF_APPEND_USER_AGENT` adds).
    pub user_agent: String,
}

impl ClientConfig {
    /// Defaults for everything but where and how to log in.
    pub fn new(api_url: &str, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            api_url: api_url.to_string(),
            credentials,
            trust: Trust::default(),
            retry: RetryPolicy::default(),
            batching: true,
            job_timeout: Duration::from_secs(300),
            cancel: CancellationToken::new(),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

/// Items per list page: the platform's default of 50 would cost a request per 50
/// items of a listing; 1000 keeps a page's body to a few megabytes.
const PER_PAGE: &str = "1000";

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("terraform-provider-cloudgov/", env!("CARGO_PKG_VERSION"));

/// Checks and normalises an API URL (see `boundary::check_api_url`): a scheme and a
/// host, no user name or password, https unless loopback; no trailing slash.
pub fn normalize_api_url(url: &str) -> Result<String> {
    super::boundary::check_api_url(url)
        .map_err(|bad| Error::Config(format!("api_url {}", bad.message)))
}

/// Most pages one listing may take: a million items at `PER_PAGE`. A platform that
/// keeps naming new pages past that is looping.
const MAX_PAGES: usize = 1000;

pub(super) struct Inner {
    pub(super) http: Http,
    pub(super) api: String,
    policy_base: String,
    tokens: TokenSource,
    pub(super) batching: bool,
    pub(super) job_timeout: Duration,
    /// Lookup answers, by request path, one cache per type of answer.
    pub(super) orgs: Listings<Option<Organization>>,
    pub(super) spaces: Listings<Option<Space>>,
    pub(super) apps: Listings<Option<App>>,
    pub(super) domains: Listings<Vec<Domain>>,
    claims: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Apps by GUID, batched.
    pub(super) app_reads: Arc<Batcher<App>>,
    /// Policies of apps outside any listed space, batched.
    pub(super) policy_reads: Arc<Batcher<Policy>>,
    /// Policy creates and deletes, batched.
    pub(super) policy_creates: Arc<WriteBatcher>,
    pub(super) policy_deletes: Arc<WriteBatcher>,
    /// Per space: its apps, its routes, and its apps' policies.
    pub(super) space_apps: Listings<Vec<App>>,
    pub(super) space_routes: Listings<Vec<Route>>,
    pub(super) space_policies: Listings<SpacePolicies>,
    /// Route deletions waiting to be confirmed.
    pub(super) deletions: Arc<Deletions>,
}

/// A logged-in client. Cheap to clone; clones share tokens, batches and caches.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.inner.api)
            .finish_non_exhaustive()
    }
}

pub(super) fn decode<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        url: url.to_string(),
        reason: e.to_string(),
    })
}

pub(super) fn cc_error(resp: &Response) -> Error {
    match serde_json::from_slice::<ApiErrors>(&resp.body)
        .ok()
        .and_then(|e| e.errors.into_iter().next())
    {
        Some(e) => Error::Api {
            status: resp.status,
            code: e.code,
            title: e.title,
            detail: e.detail,
        },
        None => Error::Api {
            status: resp.status,
            code: 0,
            title: format!("HTTP {}", resp.status),
            detail: String::from_utf8_lossy(&resp.body)
                .chars()
                .take(300)
                .collect(),
        },
    }
}

fn policy_error(resp: &Response) -> Error {
    let message = serde_json::from_slice::<PolicyErrorBody>(&resp.body).map_or_else(
        |_| {
            String::from_utf8_lossy(&resp.body)
                .chars()
                .take(300)
                .collect()
        },
        |b| b.error,
    );
    Error::Policy {
        status: resp.status,
        message,
    }
}

pub(super) fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl Client {
    /// Discovers the platform's endpoints from `GET /` and logs in.
    pub async fn connect(config: ClientConfig) -> Result<Client> {
        let api = normalize_api_url(&config.api_url)?;
        let http = Http::new(
            &config.trust,
            config.retry,
            &config.user_agent,
            config.cancel.clone(),
        )?;
        let root_url = format!("{api}/");
        let resp = http.send(&Request::new(Method::GET, &root_url)).await?;
        if resp.status == 404 {
            return Err(Error::Config(format!(
                "{api} is not a Cloud Foundry API: GET {root_url} answered 404. api_url is the API's root URL, \
                 without a path, such as https://api.fr.cloud.gov"
            )));
        }
        if resp.status != 200 {
            return Err(cc_error(&resp));
        }
        let root: Root = decode(&root_url, &resp.body)?;
        let mut boundary = Boundary::new(&api)?;
        let uaa = match (root.links.uaa, root.links.login) {
            (Some(l), _) => boundary.admit("links.uaa", "the UAA server", &l.href)?,
            (None, Some(l)) => boundary.admit("links.login", "the login server", &l.href)?,
            (None, None) => {
                return Err(Error::Config(format!(
                    "{api} does not name a UAA server in GET /"
                )));
            }
        };
        let policy_base = match root.links.network_policy_v1 {
            Some(l) => boundary.admit("links.network_policy_v1", "the policy server", &l.href)?,
            None => format!("{api}/networking/v1/external"),
        };
        http.set_boundary(boundary);
        let tokens = TokenSource::new(config.credentials, format!("{uaa}/oauth/token"));
        let client = Client {
            inner: Arc::new(Inner {
                http,
                api,
                policy_base,
                tokens,
                batching: config.batching,
                job_timeout: config.job_timeout,
                orgs: Listings::default(),
                spaces: Listings::default(),
                apps: Listings::default(),
                domains: Listings::default(),
                claims: std::sync::Mutex::default(),
                app_reads: Arc::new(Batcher::new("apps")),
                policy_reads: Arc::new(Batcher::new("policies")),
                policy_creates: Arc::new(WriteBatcher::new("policy creates")),
                policy_deletes: Arc::new(WriteBatcher::new("policy deletes")),
                space_apps: Listings::default(),
                space_routes: Listings::default(),
                space_policies: Listings::default(),
                deletions: Arc::default(),
            }),
        };
        // Log in now, so bad credentials surface at configuration time.
        client.inner.tokens.token(&client.inner.http).await?;
        Ok(client)
    }

    /// The API root.
    pub fn api_url(&self) -> &str {
        &self.inner.api
    }

    /// Sends with a token, logging in again and retrying once after a 401.
    pub(super) async fn call(&self, mut req: Request) -> Result<Response> {
        let i = &self.inner;
        let token = i.tokens.token(&i.http).await?;
        req.bearer = Some(token.clone());
        let resp = i.http.send(&req).await?;
        if resp.status != 401 {
            return Ok(resp);
        }
        tracing::debug!(url = %req.url, "token refused; refreshing once");
        i.tokens.invalidate(&token).await;
        req.bearer = Some(i.tokens.token(&i.http).await?);
        i.http.send(&req).await
    }

    pub(super) async fn cc(&self, req: Request) -> Result<Response> {
        let resp = self.call(req).await?;
        if (200..300).contains(&resp.status) {
            Ok(resp)
        } else {
            Err(cc_error(&resp))
        }
    }

    pub(super) async fn cc_json<T: DeserializeOwned>(&self, req: Request) -> Result<T> {
        let url = req.url.clone();
        let resp = self.cc(req).await?;
        decode(&url, &resp.body)
    }

    /// Every item of a list, following `next` links to the end; pages of
    /// `PER_PAGE` unless `pairs` say otherwise. A `next` link must stay on the
    /// origin of the page that names it (the request carries a token), must not
    /// name a page already read, and a listing takes at most `MAX_PAGES` pages.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Vec<T>> {
        let mut pairs = pairs.to_vec();
        if !pairs.iter().any(|(k, _)| *k == "per_page") {
            pairs.push(("per_page", PER_PAGE));
        }
        let mut url = format!("{}{path}?{}", self.inner.api, query(&pairs));
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let page: Page<T> = self.cc_json(Request::new(Method::GET, &url)).await?;
            out.extend(page.resources);
            seen.insert(url.clone());
            let next = match page.pagination.next {
                Some(next) if !next.href.is_empty() => next_page(&url, &next.href)?,
                _ => return Ok(out),
            };
            if seen.contains(&next) || seen.len() >= MAX_PAGES {
                return Err(Error::Decode {
                    url: super::boundary::redact(&url),
                    reason: format!(
                        "the listing's pages loop ({} after {} pages: {}); the listing was stopped. The platform \
                         or a proxy in between is answering wrongly: retry later",
                        if seen.contains(&next) {
                            "a page names one already read"
                        } else {
                            "no end"
                        },
                        seen.len(),
                        super::boundary::redact(&next)
                    ),
                });
            }
            url = next;
        }
    }

    /// Every item of `path` whose GUID is one of `guids`, in as few requests as URL
    /// length allows; gone or invisible ones are left out.
    pub(super) async fn list_by_guids<T: DeserializeOwned>(
        &self,
        path: &str,
        guids: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for chunk in super::batch::chunk_ids(guids) {
            out.extend(self.list_all::<T>(path, &[("guids", &chunk)]).await?);
        }
        Ok(out)
    }

    pub(super) async fn get_opt<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
        match self
            .cc_json(Request::new(
                Method::GET,
                format!("{}{path}", self.inner.api),
            ))
            .await
        {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `fetch`'s answer, cached in `cache` under `key` for this process when batching
    /// is on; concurrent callers wait on the one request in flight.
    pub(super) async fn cached<T: Clone + Send + Sync>(
        &self,
        cache: &Listings<T>,
        key: &str,
        fetch: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        if !self.inner.batching {
            return fetch.await;
        }
        Ok(T::clone(&*cache.get(key, fetch).await?))
    }

    /// Remembers `v` under `key` in `cache`, as `cached` would have (batching on only).
    pub(super) fn remember<T: Clone + Send + Sync>(&self, cache: &Listings<T>, key: &str, v: &T) {
        if self.inner.batching {
            cache.put(key, v.clone());
        }
    }

    /// Records that a resource in this process manages the object `key`: true the
    /// first time, false when another resource claimed it earlier in this process
    /// (one Terraform command), which means two resources write one object.
    pub fn claim(&self, key: &str) -> bool {
        self.inner
            .claims
            .lock()
            .is_ok_and(|mut set| set.insert(key.to_string()))
    }

    pub(super) fn policies_url(&self, pairs: &[(&str, &str)]) -> String {
        if pairs.is_empty() {
            format!("{}/policies", self.inner.policy_base)
        } else {
            format!("{}/policies?{}", self.inner.policy_base, query(pairs))
        }
    }

    pub(super) fn policy_delete_url(&self) -> String {
        format!("{}/policies/delete", self.inner.policy_base)
    }

    pub(super) async fn policy_call(&self, req: Request) -> Result<Response> {
        let resp = self.call(req).await?;
        if resp.status == 200 {
            Ok(resp)
        } else {
            Err(policy_error(&resp))
        }
    }

    /// `f` bound to a clone of this client, as the batchers take their fetch and
    /// write functions (they hold no client themselves).
    pub(super) fn bind<A, T, F, Fut>(
        &self,
        f: F,
    ) -> Arc<dyn Fn(A) -> futures::future::BoxFuture<'static, Result<T>> + Send + Sync>
    where
        F: Fn(Client, A) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let client = self.clone();
        Arc::new(move |a| Box::pin(f(client.clone(), a)))
    }

    /// True once Terraform has asked the provider to stop.
    pub fn stop_requested(&self) -> bool {
        self.inner.http.stop_requested()
    }

    /// The cancellation token of this client's calls.
    pub(super) fn cancellation(&self) -> &CancellationToken {
        self.inner.http.cancellation()
    }
}
