//! Fewer calls for big plans: concurrent policy reads coalesce into batched
//! `GET /policies?id=a,b,...` requests (each URL kept short enough for any proxy),
//! and lookups (orgs, spaces, apps, domains) and policy answers are cached per
//! provider process until a write touches them. `CLOUDGOV_READ_BATCHING=off` turns
//! both off, for comparison.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::client::Client;
use super::error::{Error, Result};
use super::models::Policy;

/// How long the first reader of a batch waits for others to join it.
const WINDOW: Duration = Duration::from_millis(5);
/// The longest id list one request carries (characters), well under common URL limits.
const MAX_IDS_LEN: usize = 4000;

type Waiter = (String, oneshot::Sender<Result<Vec<Policy>>>);

/// Coalesces concurrent policy reads.
#[derive(Debug, Default)]
pub struct PolicyBatcher {
    state: Mutex<(Vec<Waiter>, bool)>,
}

impl PolicyBatcher {
    /// Every policy involving `app`, from the cache or the next batch.
    pub async fn get(client: &Client, app: &str) -> Result<Vec<Policy>> {
        if let Some(p) = client.inner.cache.policies(app) {
            return Ok(p);
        }
        let (tx, rx) = oneshot::channel();
        let schedule = {
            let mut st = client.inner.batcher.state.lock().expect("batcher");
            st.0.push((app.to_string(), tx));
            !std::mem::replace(&mut st.1, true)
        };
        if schedule {
            // A task of its own, so that a reader that gives up never strands the
            // others waiting on this batch.
            tokio::spawn(flush(client.clone()));
        }
        rx.await.unwrap_or(Err(Error::Cancelled))
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

async fn flush(client: Client) {
    let _ = client.inner.http.sleep(WINDOW).await;
    let waiting = {
        let mut st = client.inner.batcher.state.lock().expect("batcher");
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
    let results = futures::future::join_all(chunks.iter().map(|c| {
        let client = client.clone();
        async move { client.list_policies(&[("id", c.as_str())]).await }
    }))
    .await;
    for (chunk, result) in chunks.iter().zip(results) {
        for id in chunk.split(',') {
            let answer = match &result {
                Ok(policies) => {
                    let mine: Vec<Policy> = policies
                        .iter()
                        .filter(|p| p.involves(id))
                        .cloned()
                        .collect();
                    client.inner.cache.put_policies(id, mine.clone());
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
}

impl Client {
    /// `fetch`'s answer, cached under `key` for this process when batching is on.
    pub(super) async fn cached<T: Clone + Send + Sync + 'static>(
        &self,
        key: &str,
        fetch: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        if !self.inner.batching {
            return fetch.await;
        }
        let hit = self
            .inner
            .cache
            .lookups
            .lock()
            .expect("cache")
            .get(key)
            .and_then(|v| v.downcast_ref::<T>().cloned());
        if let Some(v) = hit {
            return Ok(v);
        }
        let v = fetch.await?;
        self.inner
            .cache
            .lookups
            .lock()
            .expect("cache")
            .insert(key.to_string(), Arc::new(v.clone()));
        Ok(v)
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
