//! Fewer calls for big plans: concurrent policy reads coalesce into batched
//! `GET /policies?id=a,b,...` requests (each URL kept short enough for any proxy),
//! and lookups (orgs, spaces, apps, domains) and policy answers are cached per
//! provider process until a write touches them. `CLOUDGOV_READ_BATCHING=off` turns
//! both off, for comparison. This module holds the batcher's and the cache's own
//! state; the client hands the batcher a fetch function, so neither knows the other.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::error::{Error, Result};
use super::models::Policy;

/// How long the first reader of a batch waits for others to join it.
const WINDOW: Duration = Duration::from_millis(5);
/// The longest id list one request carries (characters), well under common URL limits.
const MAX_IDS_LEN: usize = 4000;

type Waiter = (String, oneshot::Sender<Result<Vec<Policy>>>);

/// Lists every policy involving any app of a comma-joined id list, in one request.
pub type FetchPolicies =
    Arc<dyn Fn(String) -> BoxFuture<'static, Result<Vec<Policy>>> + Send + Sync>;

/// Coalesces concurrent policy reads.
#[derive(Debug, Default)]
pub struct PolicyBatcher {
    state: Mutex<(Vec<Waiter>, bool)>,
}

impl PolicyBatcher {
    /// Every policy involving `app`, from `cache` or the next batch, which `fetch`
    /// reads and `cancel` ends early.
    pub async fn get(
        self: &Arc<Self>,
        app: &str,
        cache: &Arc<Cache>,
        cancel: &CancellationToken,
        fetch: FetchPolicies,
    ) -> Result<Vec<Policy>> {
        if let Some(p) = cache.policies(app) {
            return Ok(p);
        }
        let (tx, rx) = oneshot::channel();
        let schedule = {
            let mut st = self.state.lock().expect("batcher");
            st.0.push((app.to_string(), tx));
            !std::mem::replace(&mut st.1, true)
        };
        if schedule {
            // A task of its own, so that a reader that gives up never strands the
            // others waiting on this batch.
            tokio::spawn(Arc::clone(self).flush(Arc::clone(cache), cancel.clone(), fetch));
        }
        rx.await.unwrap_or(Err(Error::Cancelled))
    }

    async fn flush(
        self: Arc<Self>,
        cache: Arc<Cache>,
        cancel: CancellationToken,
        fetch: FetchPolicies,
    ) {
        tokio::select! {
            () = cancel.cancelled() => {}
            () = tokio::time::sleep(WINDOW) => {}
        }
        let waiting = {
            let mut st = self.state.lock().expect("batcher");
            st.1 = false;
            std::mem::take(&mut st.0)
        };
        let ids: BTreeSet<String> = waiting.iter().map(|(a, _)| a.clone()).collect();
        let mut answers: BTreeMap<String, Result<Vec<Policy>>> = BTreeMap::new();
        let chunks = chunk_ids(&ids);
        tracing::debug!(
            readers = waiting.len(),
            apps = ids.len(),
            requests = chunks.len(),
            "batched policy read"
        );
        let results = futures::future::join_all(chunks.iter().map(|c| fetch(c.clone()))).await;
        for (chunk, result) in chunks.iter().zip(results) {
            for id in chunk.split(',') {
                let answer = match &result {
                    Ok(policies) => {
                        let mine: Vec<Policy> = policies
                            .iter()
                            .filter(|p| p.involves(id))
                            .cloned()
                            .collect();
                        cache.put_policies(id, mine.clone());
                        Ok(mine)
                    }
                    Err(e) => Err(e.clone()),
                };
                answers.insert(id.to_string(), answer);
            }
        }
        for (app, tx) in waiting {
            let answer = answers.get(&app).cloned().unwrap_or(Err(Error::Cancelled));
            let _ = tx.send(answer);
        }
    }
}

/// Splits ids into comma-joined lists of bounded length.
pub fn chunk_ids(ids: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        match out.last_mut() {
            Some(last) if last.len() + 1 + id.len() <= MAX_IDS_LEN => {
                last.push(',');
                last.push_str(id);
            }
            _ => out.push(id.clone()),
        }
    }
    out
}

/// Per-process caches.
#[derive(Default)]
pub struct Cache {
    lookups: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
    policies: Mutex<HashMap<String, Vec<Policy>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

impl Cache {
    fn policies(&self, app: &str) -> Option<Vec<Policy>> {
        self.policies.lock().expect("cache").get(app).cloned()
    }

    fn put_policies(&self, app: &str, p: Vec<Policy>) {
        self.policies
            .lock()
            .expect("cache")
            .insert(app.to_string(), p);
    }

    /// Forgets cached answers for every app these policies involve.
    pub fn forget_policies(&self, policies: &[Policy]) {
        let mut cache = self.policies.lock().expect("cache");
        for p in policies {
            cache.remove(&p.source.id);
            cache.remove(&p.destination.id);
        }
    }

    /// A cached lookup answer of type `T`, if any.
    pub fn lookup<T: Clone + Send + Sync + 'static>(&self, key: &str) -> Option<T> {
        self.lookups
            .lock()
            .expect("cache")
            .get(key)
            .and_then(|v| v.downcast_ref::<T>().cloned())
    }

    /// Remembers a lookup answer.
    pub fn store<T: Clone + Send + Sync + 'static>(&self, key: &str, v: T) {
        self.lookups
            .lock()
            .expect("cache")
            .insert(key.to_string(), Arc::new(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_under_the_limit_and_keep_every_id() {
        let ids: BTreeSet<String> = (0..300)
            .map(|i| format!("{i:08}-0000-4000-8000-000000000000"))
            .collect();
        let chunks = chunk_ids(&ids);
        assert!(chunks.iter().all(|c| c.len() <= MAX_IDS_LEN));
        assert_eq!(chunks.len(), 3);
        let back: BTreeSet<String> = chunks
            .iter()
            .flat_map(|c| c.split(',').map(str::to_string))
            .collect();
        assert_eq!(back, ids);
    }
}
