//! Network policies. With batching on, reading an app's policies reads those of
//! every app in its space at once (`GET /policies?id=…` for the space's apps, once
//! per process), apps outside any visible space go in batched reads, and creates and
//! deletes arriving together go out as one request each (`batch::WriteBatcher`).
//! This process's writes update the listings, so later reads see them.

use std::collections::BTreeSet;

use reqwest::Method;

use super::batch::{FetchIds, WritePolicies, chunk_ids};
use super::client::{Client, decode};
use super::error::Result;
use super::http::Request;
use super::models::*;
use super::snapshot::SpacePolicies;

/// Which write a batch carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Create,
    Delete,
}

impl Client {
    /// Policies matching the filters, in one request (no batching, no cache).
    pub async fn list_policies(&self, pairs: &[(&str, &str)]) -> Result<Vec<Policy>> {
        let url = self.policies_url(pairs);
        let resp = self.policy_call(Request::new(Method::GET, &url)).await?;
        Ok(decode::<Policies>(&url, &resp.body)?.policies)
    }

    /// Every policy involving any of these apps, in as few requests as URL length
    /// allows (no cache: a listing wants what is there now).
    pub async fn policies_for_apps(&self, apps: &BTreeSet<String>) -> Result<Vec<Policy>> {
        let mut out: Vec<Policy> = Vec::new();
        for chunk in chunk_ids(apps) {
            for p in self.list_policies(&[("id", &chunk)]).await? {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// Every policy where `app` is the source or the destination.
    pub async fn policies_for_app(&self, app: &str) -> Result<Vec<Policy>> {
        if !self.inner.batching {
            return self.list_policies(&[("id", app)]).await;
        }
        for (_, listing) in self.inner.space_policies.loaded() {
            if listing.apps.contains(app) {
                return Ok(listing.involving(app));
            }
        }
        if let Some(found) = self.app(app).await? {
            let space = found.relationships.space.guid().to_string();
            let apps = self.space_apps(&space).await?;
            if apps.iter().any(|a| a.guid == app) {
                return Ok(self.space_listing(&space, &apps).await?.involving(app));
            }
        }
        // An app this account cannot list: its own batched read.
        let fetch: FetchIds<Policy> = self.bind(|c: Client, ids: String| async move {
            c.list_policies(&[("id", ids.as_str())]).await
        });
        self.inner
            .policy_reads
            .get(app, self.cancellation(), fetch, |p: &Policy, id| {
                p.involves(id)
            })
            .await
    }

    /// Every policy whose source or destination app is in space `space_guid`: one
    /// listing per space and process with batching on.
    pub async fn policies_in_space(&self, space_guid: &str) -> Result<Vec<Policy>> {
        if !self.inner.batching {
            let apps = self.apps_in_space(space_guid).await?;
            let guids: BTreeSet<String> = apps.iter().map(|a| a.guid.clone()).collect();
            return self.policies_for_apps(&guids).await;
        }
        let apps = self.space_apps(space_guid).await?;
        Ok(self
            .space_listing(space_guid, &apps)
            .await?
            .policies
            .clone())
    }

    /// The policies of a space's apps, listed once per process.
    async fn space_listing(
        &self,
        space_guid: &str,
        apps: &[App],
    ) -> Result<std::sync::Arc<SpacePolicies>> {
        let fetch = async {
            let apps: BTreeSet<String> = apps.iter().map(|a| a.guid.clone()).collect();
            let policies = self.policies_for_apps(&apps).await?;
            Ok(SpacePolicies::new(apps, policies))
        };
        self.inner.space_policies.get(space_guid, fetch).await
    }

    /// Creates policies in one request (the platform ignores ones that exist).
    pub async fn create_policies(&self, policies: &[Policy]) -> Result<()> {
        self.write_policies(Write::Create, policies.to_vec()).await
    }

    /// Deletes policies in one request (ones already gone are skipped by the
    /// platform).
    pub async fn delete_policies(&self, policies: &[Policy]) -> Result<()> {
        self.write_policies(Write::Delete, policies.to_vec()).await
    }

    /// Creates one policy, in a batch with others created at the same time when
    /// batching is on; the answer is this policy's own.
    pub async fn create_policy(&self, policy: &Policy) -> Result<()> {
        self.batched_write(Write::Create, policy).await
    }

    /// Deletes one policy, batched like `create_policy`.
    pub async fn delete_policy(&self, policy: &Policy) -> Result<()> {
        self.batched_write(Write::Delete, policy).await
    }

    async fn batched_write(&self, kind: Write, policy: &Policy) -> Result<()> {
        if !self.inner.batching || super::stop::shielded() {
            return self.write_policies(kind, vec![policy.clone()]).await;
        }
        let write: WritePolicies = self.bind(move |c: Client, policies: Vec<Policy>| async move {
            c.write_policies(kind, policies).await
        });
        let batcher = match kind {
            Write::Create => &self.inner.policy_creates,
            Write::Delete => &self.inner.policy_deletes,
        };
        batcher
            .write(policy.clone(), self.cancellation(), write)
            .await
    }

    /// One create or delete request; the listings follow what it did.
    async fn write_policies(&self, kind: Write, policies: Vec<Policy>) -> Result<()> {
        let url = match kind {
            Write::Create => self.policies_url(&[]),
            Write::Delete => self.policy_delete_url(),
        };
        let req = Request::new(Method::POST, url)
            .json(&Policies {
                policies: policies.clone(),
            })?
            .idempotent(true);
        let result = self.policy_call(req).await.map(|_| ());
        let touched = |l: &SpacePolicies| policies.iter().any(|p| l.covers(p));
        match (&result, kind) {
            (Ok(()), Write::Create) => self.inner.space_policies.edit(|l| {
                touched(l).then(|| {
                    let mut new = l.clone();
                    for p in policies.iter().filter(|p| l.covers(p)) {
                        if !new.policies.contains(p) {
                            new.policies.push(p.clone());
                        }
                    }
                    new
                })
            }),
            (Ok(()), Write::Delete) => self.inner.space_policies.edit(|l| {
                touched(l).then(|| {
                    let mut l = l.clone();
                    l.policies.retain(|p| !policies.contains(p));
                    l
                })
            }),
            // A failed write may have landed in part: listings it touches are dropped.
            (Err(_), _) => self.inner.space_policies.forget_where(touched),
        }
        result
    }
}
