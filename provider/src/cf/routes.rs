//! Routes: reads (from the space's listing with batching on), creation that
//! survives lost answers without duplicates, destinations, and deletion. A deleted
//! route's job is confirmed by listing the routes still being deleted, many in one
//! request, rather than by polling each job; a job is polled only when its route
//! outlives `ASK_JOB_AFTER`, which is how a failed job is told apart.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::sync::oneshot;

use super::batch::{Pending, enqueue};
use super::client::{Client, cc_error, decode};
use super::error::{Error, Result};
use super::http::{Request, backoff};
use super::models::*;

/// How often the routes being deleted are listed.
const CONFIRM_EVERY: Duration = Duration::from_millis(250);
/// A route still listed this long after its delete was accepted has its job asked
/// directly: the job is slow, or failed.
const ASK_JOB_AFTER: Duration = Duration::from_secs(2);

/// The labels and annotations a new route carries.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewMetadata<'a> {
    /// Labels, as `(key, value)`.
    pub labels: &'a [(&'a str, &'a str)],
    /// Annotations, as `(key, value)`.
    pub annotations: &'a [(&'a str, &'a str)],
}

impl Client {
    /// A route by GUID (None when it does not exist).
    pub async fn route(&self, guid: &str) -> Result<Option<Route>> {
        self.get_opt(&format!("/v3/routes/{guid}")).await
    }

    /// A route expected in `space_guid`. With batching on, the space's routes are
    /// listed once per process and answer every route of the space; a route not in
    /// the listing is asked for by GUID, so that one deleted, moved or created since
    /// is told correctly.
    pub async fn route_in_space(&self, guid: &str, space_guid: &str) -> Result<Option<Route>> {
        if self.inner.batching {
            let routes = self
                .inner
                .space_routes
                .get(space_guid, self.routes_in_space(space_guid, None, None))
                .await?;
            if let Some(r) = routes.iter().find(|r| r.guid == guid) {
                return Ok(Some(r.clone()));
            }
        }
        self.route(guid).await
    }

    /// Every route of a space: with batching on, the listing `route_in_space` shares
    /// (once per process); else one paged list.
    pub async fn space_routes(&self, space_guid: &str) -> Result<Vec<Route>> {
        if !self.inner.batching {
            return self.routes_in_space(space_guid, None, None).await;
        }
        let routes = self
            .inner
            .space_routes
            .get(space_guid, self.routes_in_space(space_guid, None, None))
            .await?;
        Ok(routes.as_ref().clone())
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

    /// Routes by GUID, in as few requests as URL length allows; gone or invisible
    /// ones are left out.
    pub async fn routes_by_guids(&self, guids: &BTreeSet<String>) -> Result<Vec<Route>> {
        self.list_by_guids("/v3/routes", guids).await
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
        metadata: NewMetadata<'_>,
    ) -> Result<Route> {
        let result = self
            .create_route_once(space_guid, domain_guid, host, metadata)
            .await;
        self.inner.space_routes.forget(space_guid);
        result
    }

    async fn create_route_once(
        &self,
        space_guid: &str,
        domain_guid: &str,
        host: &str,
        NewMetadata {
            labels,
            annotations,
        }: NewMetadata<'_>,
    ) -> Result<Route> {
        let url = format!("{}/v3/routes", self.inner.api);
        let map = |pairs: &[(&str, &str)]| -> serde_json::Map<String, serde_json::Value> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), json!(v)))
                .collect()
        };
        let body = json!({
            "host": host,
            "relationships": {"space": {"data": {"guid": space_guid}}, "domain": {"data": {"guid": domain_guid}}},
            "metadata": {"labels": map(labels), "annotations": map(annotations)},
        });
        // After a lost answer, a route found under this name is the one an earlier
        // attempt created only if it carries this request's metadata.
        let ours = |r: &Route| {
            labels.iter().all(|(k, v)| r.metadata.label(k) == Some(*v))
                && annotations
                    .iter()
                    .all(|(k, v)| r.metadata.annotation(k) == Some(*v))
        };
        let start = Instant::now();
        let budget = self.inner.http.budget();
        let mut answer_lost = false;
        let mut attempt = 0u32;
        let req = Request::new(Method::POST, &url)
            .json(&body)?
            .idempotent(false);
        loop {
            attempt += 1;
            let outcome = self.call(req.clone()).await;
            let last = match outcome {
                Ok(resp) if resp.status == 201 => return decode(&url, &resp.body),
                Ok(resp) if matches!(resp.status, 500..=504) => cc_error(&resp),
                Ok(resp) => {
                    let err = cc_error(&resp);
                    if err.is_route_taken()
                        && answer_lost
                        && let Some(r) = self.find_route(host, domain_guid).await?
                        && ours(&r)
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
            if let Some(r) = self.find_route(host, domain_guid).await?
                && ours(&r)
            {
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

    /// Deletes a route and waits until the platform's job has deleted it; a route
    /// already gone is not an error. A failed job is an error carrying the
    /// platform's message.
    pub async fn delete_route(&self, guid: &str) -> Result<()> {
        let url = format!("{}/v3/routes/{guid}", self.inner.api);
        let resp = match self.cc(Request::new(Method::DELETE, &url)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        let result = match resp.location {
            // The confirming task is cancelled by a stop; a step that must finish
            // asks the job itself.
            Some(job) if self.inner.batching => {
                match self.confirm_deletion(guid, job.clone()).await {
                    Err(Error::Cancelled) if super::stop::shielded() => {
                        self.wait_for_job(&job).await
                    }
                    other => other,
                }
            }
            Some(job) => self.wait_for_job(&job).await,
            None => Ok(()),
        };
        if result.is_ok() {
            self.inner.space_routes.edit(|routes| {
                routes
                    .iter()
                    .any(|r| r.guid == guid)
                    .then(|| routes.iter().filter(|r| r.guid != guid).cloned().collect())
            });
        }
        result
    }

    /// Waits for the confirming task to see the route gone (or its job fail).
    async fn confirm_deletion(&self, route: &str, job: String) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        let pending = Pending {
            route: route.to_string(),
            job,
            since: Instant::now(),
            tx,
        };
        if enqueue(&self.inner.deletions.queue, pending) {
            tokio::spawn(self.clone().confirm_deletions());
        }
        rx.await.unwrap_or(Err(Error::Cancelled))
    }

    /// The confirming task: every `CONFIRM_EVERY`, one listing of the routes still
    /// being deleted; a route no longer listed is deleted. Runs while deletions wait.
    async fn confirm_deletions(self) {
        let mut pending: Vec<Pending> = Vec::new();
        loop {
            let slept = self.inner.http.sleep(CONFIRM_EVERY).await;
            {
                let mut q = super::lock(&self.inner.deletions.queue);
                pending.append(&mut q.0);
                if pending.is_empty() || slept.is_err() {
                    q.1 = false;
                }
            }
            if let Err(e) = slept {
                for p in pending {
                    let _ = p.tx.send(Err(e.clone()));
                }
                return;
            }
            if pending.is_empty() {
                return;
            }
            let guids: BTreeSet<String> = pending.iter().map(|p| p.route.clone()).collect();
            tracing::debug!(routes = guids.len(), "confirming route deletions");
            let listed: Option<HashSet<String>> = match self.routes_by_guids(&guids).await {
                Ok(routes) => Some(routes.into_iter().map(|r| r.guid).collect()),
                Err(e) => {
                    tracing::debug!(error = %e, "route listing failed; polling each job");
                    None
                }
            };
            let mut still = Vec::new();
            for p in pending {
                match &listed {
                    Some(listed) if !listed.contains(&p.route) => {
                        let _ = p.tx.send(Ok(()));
                    }
                    Some(_) if p.since.elapsed() < ASK_JOB_AFTER => still.push(p),
                    // Slow, failed, or not listable: the job itself answers.
                    _ => {
                        let client = self.clone();
                        tokio::spawn(async move {
                            let _ = p.tx.send(client.wait_for_job(&p.job).await);
                        });
                    }
                }
            }
            pending = still;
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
        let req = Request::new(method, url).json(&body)?.idempotent(true);
        let result = self
            .cc_json::<Destinations>(req)
            .await
            .map(|d| d.destinations);
        // A listing holding this route must not hide the write from later reads; a
        // failed write may have landed, so then the listings are dropped.
        match &result {
            Ok(dests) => self.inner.space_routes.edit(|routes| {
                routes.iter().any(|r| r.guid == route_guid).then(|| {
                    let mut routes = routes.clone();
                    for r in routes.iter_mut().filter(|r| r.guid == route_guid) {
                        r.destinations.clone_from(dests);
                    }
                    routes
                })
            }),
            Err(_) => self.inner.space_routes.clear(),
        }
        result
    }
}
