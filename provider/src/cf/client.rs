//! `Client`: discovery, authenticated calls (one retry after a 401), CF and policy
//! server error decoding, pagination, and the typed calls the resources use. Route
//! creation survives lost answers without duplicates; job polling backs off up to a
//! deadline; policy reads are batched and lookups cached (see `batch`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::auth::{Credentials, TokenSource};
use super::batch::{Cache, FetchPolicies, PolicyBatcher};
use super::error::{Error, Result};
use super::http::{Http, Request, Response, RetryPolicy, Trust, backoff};
use super::models::*;

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
    /// Batch policy reads and cache lookups (off: one request per read).
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

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("terraform-provider-cloudgov/", env!("CARGO_PKG_VERSION"));

/// Normalises an API URL: a scheme is required, a trailing slash is dropped.
pub fn normalize_api_url(url: &str) -> Result<String> {
    let url = url.trim();
    if !url.contains("://") {
        return Err(Error::Config(format!(
            "the API URL \"{url}\" has no scheme; write the full URL, for example \"https://{}\"",
            url.trim_start_matches('/')
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

pub(super) struct Inner {
    pub(super) http: Http,
    api: String,
    policy_base: String,
    tokens: TokenSource,
    pub(super) batching: bool,
    job_timeout: Duration,
    batcher: Arc<PolicyBatcher>,
    cache: Arc<Cache>,
    claims: std::sync::Mutex<std::collections::HashSet<String>>,
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

fn decode<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        url: url.to_string(),
        reason: e.to_string(),
    })
}

fn cc_error(resp: &Response) -> Error {
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

fn query(pairs: &[(&str, &str)]) -> String {
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
        let uaa = root
            .links
            .uaa
            .or(root.links.login)
            .map(|l| l.href.trim_end_matches('/').to_string())
            .ok_or_else(|| Error::Config(format!("{api} does not name a UAA server in GET /")))?;
        let policy_base = root.links.network_policy_v1.map_or_else(
            || format!("{api}/networking/v1/external"),
            |l| l.href.trim_end_matches('/').to_string(),
        );
        let tokens = TokenSource::new(config.credentials, format!("{uaa}/oauth/token"));
        let client = Client {
            inner: Arc::new(Inner {
                http,
                api,
                policy_base,
                tokens,
                batching: config.batching,
                job_timeout: config.job_timeout,
                batcher: Arc::default(),
                cache: Arc::default(),
                claims: std::sync::Mutex::default(),
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
    async fn call(&self, mut req: Request) -> Result<Response> {
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

    async fn cc(&self, req: Request) -> Result<Response> {
        let resp = self.call(req).await?;
        if (200..300).contains(&resp.status) {
            Ok(resp)
        } else {
            Err(cc_error(&resp))
        }
    }

    async fn cc_json<T: DeserializeOwned>(&self, req: Request) -> Result<T> {
        let url = req.url.clone();
        let resp = self.cc(req).await?;
        decode(&url, &resp.body)
    }

    /// Every item of a list, following `next` links to the end.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Vec<T>> {
        let mut url = format!("{}{path}?{}", self.inner.api, query(pairs));
        let mut out = Vec::new();
        loop {
            let page: Page<T> = self.cc_json(Request::new(Method::GET, &url)).await?;
            out.extend(page.resources);
            match page.pagination.next {
                Some(next) if !next.href.is_empty() => url = next.href,
                _ => return Ok(out),
            }
        }
    }

    async fn get_opt<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>> {
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

    // ----- lookups ----------------------------------------------------------------

    /// The first item of a filtered list, cached per process.
    async fn find_one<T>(&self, path: &str, pairs: &[(&str, &str)]) -> Result<Option<T>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let key = format!("{path}?{}", query(pairs));
        self.cached(&key, async {
            Ok(self.list_all::<T>(path, pairs).await?.into_iter().next())
        })
        .await
    }

    /// The organization named `name`, if visible.
    pub async fn org_by_name(&self, name: &str) -> Result<Option<Organization>> {
        self.find_one("/v3/organizations", &[("names", name)]).await
    }

    /// An organization by GUID, cached per process.
    pub async fn org(&self, guid: &str) -> Result<Option<Organization>> {
        let path = format!("/v3/organizations/{guid}");
        self.cached(&path, self.get_opt(&path)).await
    }

    /// The space `name` in org `org_guid`, if visible.
    pub async fn space_by_name(&self, org_guid: &str, name: &str) -> Result<Option<Space>> {
        self.find_one(
            "/v3/spaces",
            &[("names", name), ("organization_guids", org_guid)],
        )
        .await
    }

    /// A space by GUID, cached per process.
    pub async fn space(&self, guid: &str) -> Result<Option<Space>> {
        let path = format!("/v3/spaces/{guid}");
        self.cached(&path, self.get_opt(&path)).await
    }

    /// The app `name` in space `space_guid`, if visible.
    pub async fn app_by_name(&self, space_guid: &str, name: &str) -> Result<Option<App>> {
        self.find_one("/v3/apps", &[("names", name), ("space_guids", space_guid)])
            .await
    }

    /// An app by GUID, cached per process.
    pub async fn app(&self, guid: &str) -> Result<Option<App>> {
        // Cached: every plan of a route checks its destination apps, and many routes
        // share apps.
        let path = format!("/v3/apps/{guid}");
        self.cached(&path, self.get_opt(&path)).await
    }

    /// The domain named `name`.
    pub async fn domain_by_name(&self, name: &str) -> Result<Option<Domain>> {
        self.find_one("/v3/domains", &[("names", name)]).await
    }

    /// A domain by GUID, cached per process.
    pub async fn domain(&self, guid: &str) -> Result<Option<Domain>> {
        let path = format!("/v3/domains/{guid}");
        self.cached(&path, self.get_opt(&path)).await
    }

    // ----- routes -----------------------------------------------------------------

    /// `fetch`'s answer, cached under `key` for this process when batching is on.
    async fn cached<T: Clone + Send + Sync + 'static>(
        &self,
        key: &str,
        fetch: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        if !self.inner.batching {
            return fetch.await;
        }
        if let Some(v) = self.inner.cache.lookup::<T>(key) {
            return Ok(v);
        }
        let v = fetch.await?;
        self.inner.cache.store(key, v.clone());
        Ok(v)
    }

    /// A route by GUID (None when it does not exist).
    pub async fn route(&self, guid: &str) -> Result<Option<Route>> {
        self.get_opt(&format!("/v3/routes/{guid}")).await
    }

    /// The route with this host on this domain, if any.
    pub async fn find_route(&self, host: &str, domain_guid: &str) -> Result<Option<Route>> {
        let pairs = [("hosts", host), ("domain_guids", domain_guid)];
        Ok(self
            .list_all::<Route>("/v3/routes", &pairs)
            .await?
            .into_iter()
            .find(|r| r.path.is_empty()))
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

    /// Creates a route carrying `labels`. Route creation is not idempotent, so when
    /// an answer is lost the route is looked up by host and domain before trying
    /// again: a retry never creates a second route or reports a false "already
    /// exists".
    pub async fn create_route(
        &self,
        space_guid: &str,
        domain_guid: &str,
        host: &str,
        labels: &[(&str, &str)],
    ) -> Result<Route> {
        self.create_route_once(space_guid, domain_guid, host, labels)
            .await
    }

    async fn create_route_once(
        &self,
        space_guid: &str,
        domain_guid: &str,
        host: &str,
        labels: &[(&str, &str)],
    ) -> Result<Route> {
        let url = format!("{}/v3/routes", self.inner.api);
        let labels: serde_json::Map<String, serde_json::Value> = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), json!(v)))
            .collect();
        let body = json!({
            "host": host,
            "relationships": {"space": {"data": {"guid": space_guid}}, "domain": {"data": {"guid": domain_guid}}},
            "metadata": {"labels": labels},
        });
        let start = Instant::now();
        let budget = self.inner.http_budget();
        let mut answer_lost = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let outcome = self
                .call(
                    Request::new(Method::POST, &url)
                        .json(&body)
                        .idempotent(false),
                )
                .await;
            let last = match outcome {
                Ok(resp) if resp.status == 201 => return decode(&url, &resp.body),
                Ok(resp) if matches!(resp.status, 500..=504) => cc_error(&resp),
                Ok(resp) => {
                    let err = cc_error(&resp);
                    if err.is_route_taken()
                        && answer_lost
                        && let Some(r) = self.find_route(host, domain_guid).await?
                    {
                        tracing::debug!(route = %r.guid, "an earlier attempt created the route");
                        return Ok(r);
                    }
                    return Err(err);
                }
                Err(e @ Error::Transport { .. }) => e,
                Err(e) => return Err(e),
            };
            answer_lost = true;
            tracing::debug!(host, attempt, error = %last, "route create answer lost; looking the route up");
            if let Some(r) = self.find_route(host, domain_guid).await? {
                return Ok(r);
            }
            let delay = backoff(Duration::from_millis(100), Duration::from_secs(6), attempt);
            if start.elapsed() + delay > budget {
                return Err(Error::Timeout {
                    what: format!("creating route {host}"),
                    after: start.elapsed(),
                    last: Some(last.to_string()),
                });
            }
            self.inner.http.sleep(delay).await?;
        }
    }

    /// Deletes a route and waits for the platform's job; a route already gone is not
    /// an error. A failed job is an error carrying the platform's message.
    pub async fn delete_route(&self, guid: &str) -> Result<()> {
        let url = format!("{}/v3/routes/{guid}", self.inner.api);
        let resp = match self.cc(Request::new(Method::DELETE, &url)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        match resp.location {
            Some(job) => self.wait_for_job(&job).await,
            None => Ok(()),
        }
    }

    /// Polls a job with backoff until it completes, fails, or the job timeout passes.
    pub async fn wait_for_job(&self, job_url: &str) -> Result<()> {
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let job: Job = self.cc_json(Request::new(Method::GET, job_url)).await?;
            match job.state.as_str() {
                "COMPLETE" => return Ok(()),
                "FAILED" => {
                    let detail = job
                        .errors
                        .iter()
                        .map(|e| e.detail.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    return Err(Error::JobFailed {
                        operation: job.operation,
                        detail,
                    });
                }
                _ => {}
            }
            let delay = backoff(Duration::from_millis(100), Duration::from_secs(5), attempt);
            if start.elapsed() + delay > self.inner.job_timeout {
                return Err(Error::Timeout {
                    what: format!("the platform's {} job", job.operation),
                    after: start.elapsed(),
                    last: Some(format!("still {}", job.state)),
                });
            }
            self.inner.http.sleep(delay).await?;
        }
    }

    /// A route's destinations.
    pub async fn destinations(&self, route_guid: &str) -> Result<Vec<Destination>> {
        let url = format!("{}/v3/routes/{route_guid}/destinations", self.inner.api);
        Ok(self
            .cc_json::<Destinations>(Request::new(Method::GET, url))
            .await?
            .destinations)
    }

    /// Adds destinations (the platform keeps ones already present).
    pub async fn insert_destinations(
        &self,
        route_guid: &str,
        dests: &[Destination],
    ) -> Result<Vec<Destination>> {
        self.send_destinations(Method::POST, route_guid, dests)
            .await
    }

    /// Replaces all destinations.
    pub async fn replace_destinations(
        &self,
        route_guid: &str,
        dests: &[Destination],
    ) -> Result<Vec<Destination>> {
        self.send_destinations(Method::PATCH, route_guid, dests)
            .await
    }

    /// Both destination writes are safe to repeat: inserting is idempotent on the
    /// platform, and replacing sets the same list again.
    async fn send_destinations(
        &self,
        method: Method,
        route_guid: &str,
        dests: &[Destination],
    ) -> Result<Vec<Destination>> {
        let url = format!("{}/v3/routes/{route_guid}/destinations", self.inner.api);
        let body = Destinations {
            destinations: dests.to_vec(),
        };
        let req = Request::new(method, url).json(&body).idempotent(true);
        Ok(self.cc_json::<Destinations>(req).await?.destinations)
    }

    // ----- listing (terraform query) ---------------------------------------------------

    /// Routes in a space, optionally only those with this host or mapped to this app,
    /// in one paged list.
    pub async fn routes_in_space(
        &self,
        space_guid: &str,
        host: Option<&str>,
        app_guid: Option<&str>,
    ) -> Result<Vec<Route>> {
        let mut pairs = vec![("space_guids", space_guid)];
        pairs.extend(host.map(|h| ("hosts", h)));
        pairs.extend(app_guid.map(|a| ("app_guids", a)));
        self.list_all("/v3/routes", &pairs).await
    }

    /// Every domain visible, cached per process.
    pub async fn domains(&self) -> Result<Vec<Domain>> {
        self.cached("/v3/domains", self.list_all("/v3/domains", &[]))
            .await
    }

    /// Apps in a space.
    pub async fn apps_in_space(&self, space_guid: &str) -> Result<Vec<App>> {
        self.list_all("/v3/apps", &[("space_guids", space_guid)])
            .await
    }

    /// Apps by GUID, in as few requests as URL length allows; invisible ones are
    /// left out.
    pub async fn apps_by_guids(
        &self,
        guids: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<App>> {
        let mut out = Vec::new();
        for chunk in super::batch::chunk_ids(guids) {
            out.extend(
                self.list_all::<App>("/v3/apps", &[("guids", &chunk)])
                    .await?,
            );
        }
        Ok(out)
    }

    /// Every policy involving any of these apps, in as few requests as URL length
    /// allows (no cache: a listing wants what is there now).
    pub async fn policies_for_apps(
        &self,
        apps: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<Policy>> {
        let mut out: Vec<Policy> = Vec::new();
        for chunk in super::batch::chunk_ids(apps) {
            for p in self.list_policies(&[("id", &chunk)]).await? {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    // ----- policies -----------------------------------------------------------------

    pub(super) fn policies_url(&self, pairs: &[(&str, &str)]) -> String {
        if pairs.is_empty() {
            format!("{}/policies", self.inner.policy_base)
        } else {
            format!("{}/policies?{}", self.inner.policy_base, query(pairs))
        }
    }

    async fn policy_call(&self, req: Request) -> Result<Response> {
        let resp = self.call(req).await?;
        if resp.status == 200 {
            Ok(resp)
        } else {
            Err(policy_error(&resp))
        }
    }

    /// Policies matching the filters, in one request (no batching, no cache).
    pub async fn list_policies(&self, pairs: &[(&str, &str)]) -> Result<Vec<Policy>> {
        let url = self.policies_url(pairs);
        let resp = self.policy_call(Request::new(Method::GET, &url)).await?;
        Ok(decode::<Policies>(&url, &resp.body)?.policies)
    }

    /// Every policy where `app` is the source or the destination. Concurrent calls
    /// are coalesced into batched requests and answers cached until a write touches
    /// the app, unless batching is switched off.
    pub async fn policies_for_app(&self, app: &str) -> Result<Vec<Policy>> {
        if !self.inner.batching {
            return self.list_policies(&[("id", app)]).await;
        }
        let client = self.clone();
        let fetch: FetchPolicies = Arc::new(move |ids: String| {
            let client = client.clone();
            Box::pin(async move { client.list_policies(&[("id", ids.as_str())]).await })
        });
        self.inner
            .batcher
            .get(
                app,
                &self.inner.cache,
                self.inner.http.cancellation(),
                fetch,
            )
            .await
    }

    /// Creates policies (the platform ignores ones that exist).
    pub async fn create_policies(&self, policies: &[Policy]) -> Result<()> {
        self.inner.cache.forget_policies(policies);
        let req = Request::new(Method::POST, self.policies_url(&[]))
            .json(&Policies {
                policies: policies.to_vec(),
            })
            .idempotent(true);
        let result = self.policy_call(req).await.map(|_| ());
        self.inner.cache.forget_policies(policies);
        result
    }

    /// Deletes policies (ones already gone are skipped by the platform).
    pub async fn delete_policies(&self, policies: &[Policy]) -> Result<()> {
        self.inner.cache.forget_policies(policies);
        let url = format!("{}/policies/delete", self.inner.policy_base);
        let req = Request::new(Method::POST, url)
            .json(&Policies {
                policies: policies.to_vec(),
            })
            .idempotent(true);
        let result = self.policy_call(req).await.map(|_| ());
        self.inner.cache.forget_policies(policies);
        result
    }
}

impl Inner {
    fn http_budget(&self) -> Duration {
        self.http.budget()
    }
}
