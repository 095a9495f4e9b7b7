//! Lookups: organizations, spaces, apps and domains, by name or GUID. With batching
//! on, each answer is kept for the provider process; a space's apps come from one
//! listing of the space (`snapshot`), apps of unlisted spaces from batched
//! `GET /v3/apps?guids=…`, and domains from one listing of all of them.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::batch::FetchIds;
use super::client::{Client, query};
use super::error::Result;
use super::models::*;
use super::snapshot::Listings;

impl Client {
    /// The first item of a filtered list, cached per process in `cache`.
    async fn find_one<T>(
        &self,
        cache: &Listings<Option<T>>,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Option<T>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let key = format!("{path}?{}", query(pairs));
        self.cached(cache, &key, async {
            Ok(self.list_all::<T>(path, pairs).await?.into_iter().next())
        })
        .await
    }

    /// The organization named `name`, if visible.
    pub async fn org_by_name(&self, name: &str) -> Result<Option<Organization>> {
        let orgs = &self.inner.orgs;
        let org = self
            .find_one(orgs, "/v3/organizations", &[("names", name)])
            .await?;
        if let Some(o) = &org {
            self.remember(orgs, &format!("/v3/organizations/{}", o.guid), &org);
        }
        Ok(org)
    }

    /// An organization by GUID, cached per process.
    pub async fn org(&self, guid: &str) -> Result<Option<Organization>> {
        let path = format!("/v3/organizations/{guid}");
        self.cached(&self.inner.orgs, &path, self.get_opt(&path))
            .await
    }

    /// The space `name` in org `org_guid`, if visible.
    pub async fn space_by_name(&self, org_guid: &str, name: &str) -> Result<Option<Space>> {
        let spaces = &self.inner.spaces;
        let space = self
            .find_one(
                spaces,
                "/v3/spaces",
                &[("names", name), ("organization_guids", org_guid)],
            )
            .await?;
        if let Some(s) = &space {
            self.remember(spaces, &format!("/v3/spaces/{}", s.guid), &space);
        }
        Ok(space)
    }

    /// A space by GUID, cached per process.
    pub async fn space(&self, guid: &str) -> Result<Option<Space>> {
        let path = format!("/v3/spaces/{guid}");
        self.cached(&self.inner.spaces, &path, self.get_opt(&path))
            .await
    }

    /// Every app in a space, listed once per process (callers use it with batching
    /// on only).
    pub(super) async fn space_apps(&self, space_guid: &str) -> Result<Arc<Vec<App>>> {
        self.inner
            .space_apps
            .get(space_guid, self.apps_in_space(space_guid))
            .await
    }

    /// Every space of an organization that the account can see, in one paged list.
    pub async fn spaces_in_org(&self, org_guid: &str) -> Result<Vec<Space>> {
        self.list_all("/v3/spaces", &[("organization_guids", org_guid)])
            .await
    }

    /// Every app of a space: with batching on, the space's listing (once per process);
    /// else one paged list.
    pub async fn space_app_list(&self, space_guid: &str) -> Result<Vec<App>> {
        if !self.inner.batching {
            return self.apps_in_space(space_guid).await;
        }
        Ok(self.space_apps(space_guid).await?.as_ref().clone())
    }

    /// The app `name` in space `space_guid`, if visible.
    pub async fn app_by_name(&self, space_guid: &str, name: &str) -> Result<Option<App>> {
        if !self.inner.batching {
            let pairs = [("names", name), ("space_guids", space_guid)];
            return Ok(self
                .list_all::<App>("/v3/apps", &pairs)
                .await?
                .into_iter()
                .next());
        }
        Ok(self
            .space_apps(space_guid)
            .await?
            .iter()
            .find(|a| a.name == name)
            .cloned())
    }

    /// An app by GUID. With batching on: from a space already listed, else from the
    /// next batch of `GET /v3/apps?guids=…`, and kept for the process.
    pub async fn app(&self, guid: &str) -> Result<Option<App>> {
        let path = format!("/v3/apps/{guid}");
        if !self.inner.batching {
            return self.get_opt(&path).await;
        }
        if let Some(app) = self.listed_app(guid) {
            return Ok(Some(app));
        }
        let fetch: FetchIds<App> = self.bind(|c: Client, ids: String| async move {
            c.list_all::<App>("/v3/apps", &[("guids", &ids)]).await
        });
        let batch = self
            .inner
            .app_reads
            .get(guid, self.cancellation(), fetch, |a: &App, id| a.guid == id);
        self.cached(&self.inner.apps, &path, async {
            Ok(batch.await?.into_iter().next())
        })
        .await
    }

    /// An app of a space listed in this process, if any lists it.
    fn listed_app(&self, guid: &str) -> Option<App> {
        self.inner
            .space_apps
            .loaded()
            .iter()
            .find_map(|(_, apps)| apps.iter().find(|a| a.guid == guid).cloned())
    }

    /// An app expected in `space_guid`: from the space's listing, else looked up by
    /// GUID (it may be in another space, or invisible).
    pub async fn app_in_space(&self, guid: &str, space_guid: &str) -> Result<Option<App>> {
        if self.inner.batching
            && let Some(app) = self
                .space_apps(space_guid)
                .await?
                .iter()
                .find(|a| a.guid == guid)
        {
            return Ok(Some(app.clone()));
        }
        self.app(guid).await
    }

    /// Apps in a space, in one paged list.
    pub async fn apps_in_space(&self, space_guid: &str) -> Result<Vec<App>> {
        self.list_all("/v3/apps", &[("space_guids", space_guid)])
            .await
    }

    /// Apps by GUID, in as few requests as URL length allows; invisible ones are
    /// left out.
    pub async fn apps_by_guids(&self, guids: &BTreeSet<String>) -> Result<Vec<App>> {
        self.list_by_guids("/v3/apps", guids).await
    }

    /// Every domain visible, listed once per process with batching on.
    pub async fn domains(&self) -> Result<Vec<Domain>> {
        self.cached(
            &self.inner.domains,
            "/v3/domains",
            self.list_all("/v3/domains", &[]),
        )
        .await
    }

    /// Lists the domains into the process's cache, for a later lookup; nothing when
    /// batching is off (there is no cache then). Errors are left to that lookup.
    pub async fn warm_domains(&self) {
        if self.inner.batching {
            let _ = self.domains().await;
        }
    }

    /// The domain named `name`.
    pub async fn domain_by_name(&self, name: &str) -> Result<Option<Domain>> {
        if self.inner.batching {
            return Ok(self.domains().await?.into_iter().find(|d| d.name == name));
        }
        Ok(self
            .list_all::<Domain>("/v3/domains", &[("names", name)])
            .await?
            .into_iter()
            .next())
    }

    /// A domain by GUID.
    pub async fn domain(&self, guid: &str) -> Result<Option<Domain>> {
        if self.inner.batching {
            return Ok(self.domains().await?.into_iter().find(|d| d.guid == guid));
        }
        self.get_opt(&format!("/v3/domains/{guid}")).await
    }
}
