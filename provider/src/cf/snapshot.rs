//! Answers fetched once per provider process: a space's apps, its routes, the
//! policies of its apps, and lookups (orgs, spaces, domains). Terraform reads every resource of a plan in one process,
//! at most `-parallelism` (10) at a time, so batching only what arrives together
//! would still cost a request per ten resources; a space's listing answers all of
//! them. Concurrent callers wait on the one request in flight; a failed fetch is
//! not kept, so the next caller tries again. The client updates or forgets a listing
//! when this process writes what it lists, so a listing never hides this process's
//! own writes. See `design/performance.md`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::error::Result;
use super::models::Policy;

type Cell<V> = Arc<OnceCell<Arc<V>>>;

/// Listings of one kind, by key (a space GUID).
pub(super) struct Listings<V> {
    cells: Mutex<HashMap<String, Cell<V>>>,
}

impl<V> Default for Listings<V> {
    fn default() -> Self {
        Listings {
            cells: Mutex::default(),
        }
    }
}

impl<V> std::fmt::Debug for Listings<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listings").finish_non_exhaustive()
    }
}

impl<V: Send + Sync> Listings<V> {
    fn cell(&self, key: &str) -> Cell<V> {
        Arc::clone(super::lock(&self.cells).entry(key.to_string()).or_default())
    }

    /// The listing under `key`, fetched by `fetch` if no caller has fetched it yet.
    pub(super) async fn get(
        &self,
        key: &str,
        fetch: impl Future<Output = Result<V>>,
    ) -> Result<Arc<V>> {
        self.cell(key)
            .get_or_try_init(|| async { fetch.await.map(Arc::new) })
            .await
            .cloned()
    }

    /// Every listing fetched so far, with its key.
    pub(super) fn loaded(&self) -> Vec<(String, Arc<V>)> {
        super::lock(&self.cells)
            .iter()
            .filter_map(|(k, c)| c.get().map(|v| (k.clone(), Arc::clone(v))))
            .collect()
    }

    /// Forgets the listing under `key`: the next caller fetches it again.
    pub(super) fn forget(&self, key: &str) {
        super::lock(&self.cells).remove(key);
    }

    /// Keeps `v` under `key`, as if fetched.
    pub(super) fn put(&self, key: &str, v: V) {
        super::lock(&self.cells).insert(
            key.to_string(),
            Arc::new(OnceCell::new_with(Some(Arc::new(v)))),
        );
    }

    /// Forgets every listing.
    pub(super) fn clear(&self) {
        super::lock(&self.cells).clear();
    }

    /// Forgets each listing for which `stale` is true, and any still being fetched.
    pub(super) fn forget_where(&self, stale: impl Fn(&V) -> bool) {
        super::lock(&self.cells).retain(|_, c| c.get().is_some_and(|v| !stale(v)));
    }

    /// Replaces each fetched listing for which `edit` returns a new value; one still
    /// being fetched is forgotten, since it may predate the change `edit` applies.
    pub(super) fn edit(&self, edit: impl Fn(&V) -> Option<V>) {
        let mut cells = super::lock(&self.cells);
        let mut stale = Vec::new();
        for (key, cell) in cells.iter_mut() {
            match cell.get() {
                Some(v) => {
                    if let Some(new) = edit(v) {
                        *cell = Arc::new(OnceCell::new_with(Some(Arc::new(new))));
                    }
                }
                None => stale.push(key.clone()),
            }
        }
        for key in stale {
            cells.remove(&key);
        }
    }
}

/// Every policy involving an app of one space, with the apps the listing covers.
#[derive(Debug, Clone, Default)]
pub(super) struct SpacePolicies {
    pub(super) apps: BTreeSet<String>,
    pub(super) policies: Vec<Policy>,
}

impl SpacePolicies {
    /// The policies of `apps`.
    pub(super) fn new(apps: BTreeSet<String>, policies: Vec<Policy>) -> SpacePolicies {
        SpacePolicies { apps, policies }
    }

    pub(super) fn covers(&self, p: &Policy) -> bool {
        self.apps.contains(&p.source.id) || self.apps.contains(&p.destination.id)
    }

    pub(super) fn involving(&self, app: &str) -> Vec<Policy> {
        self.policies
            .iter()
            .filter(|p| p.involves(app))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_failures_are_not_kept() {
        let listings: Listings<Vec<u32>> = Listings::default();
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            Ok(vec![1, 2])
        };
        let (a, b) = tokio::join!(listings.get("s", fetch()), listings.get("s", fetch()));
        assert_eq!(*a.unwrap(), vec![1, 2]);
        assert_eq!(*b.unwrap(), vec![1, 2]);
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        let failed = listings
            .get("t", async { Err(crate::cf::Error::Cancelled) })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            *listings.get("t", async { Ok(vec![3]) }).await.unwrap(),
            vec![3]
        );

        listings.edit(|v| v.contains(&3).then(|| vec![3, 4]));
        assert_eq!(*listings.get("t", fetch()).await.unwrap(), vec![3, 4]);
        listings.forget("s");
        assert_eq!(
            *listings.get("s", async { Ok(vec![9]) }).await.unwrap(),
            vec![9]
        );
    }
}
