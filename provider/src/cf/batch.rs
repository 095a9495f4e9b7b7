//! Fewer calls for big configurations, each coalescing what arrives within a short
//! window from concurrent resources into one request:
//! - `Batcher`: reads by id (`GET …?guids=a,b,…`, `GET /policies?id=a,b,…`), each
//!   URL kept short enough for any proxy;
//! - `WriteBatcher`: policy creates and deletes (the policy server takes lists),
//!   retried member by member when the batch fails, so that every resource gets its
//!   own answer;
//!
//! This module holds only the batchers' state; the client hands a batcher its fetch
//! or write function, so neither knows the other.
//! `CLOUDGOV_READ_BATCHING=off` bypasses all of it (see `Client`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::error::{Error, Result};
use super::models::Policy;

/// How long the first member of a batch waits for others to join it.
const WINDOW: Duration = Duration::from_millis(5);
/// How long a write batch collects before it is sent (after the one in flight, if
/// any, has returned). Longer batches fewer requests but holds each resource's
/// apply longer: at 40 ms the bench's 200 creates take 41 requests (53 at 15 ms)
/// for about a second more of apply.
const WRITE_WINDOW: Duration = Duration::from_millis(40);
/// The longest id list one request carries (characters), well under common URL limits.
const MAX_IDS_LEN: usize = 4000;

/// Lists every item matching any id of a comma-joined list, in one request.
pub type FetchIds<T> = Arc<dyn Fn(String) -> BoxFuture<'static, Result<Vec<T>>> + Send + Sync>;

type Waiter<T> = (String, oneshot::Sender<Result<Vec<T>>>);

/// Waiting members and whether a flush is scheduled.
pub(super) type Queue<M> = Mutex<(Vec<M>, bool)>;

/// Pushes a member; true when the caller must schedule the flush.
pub(super) fn enqueue<M>(queue: &Queue<M>, member: M) -> bool {
    let mut st = super::lock(queue);
    st.0.push(member);
    !std::mem::replace(&mut st.1, true)
}

/// Waits out the window (or the cancellation), then takes the members.
async fn take_after<M>(queue: &Queue<M>, window: Duration, cancel: &CancellationToken) -> Vec<M> {
    tokio::select! {
        () = cancel.cancelled() => {}
        () = tokio::time::sleep(window) => {}
    }
    let mut st = super::lock(queue);
    st.1 = false;
    std::mem::take(&mut st.0)
}

/// Coalesces concurrent reads by id. The fetch function comes with each read (the
/// first of a batch is used), so that the batcher holds no client.
pub struct Batcher<T> {
    what: &'static str,
    queue: Queue<Waiter<T>>,
}

impl<T> std::fmt::Debug for Batcher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + 'static> Batcher<T> {
    /// A batcher reading `what`.
    pub fn new(what: &'static str) -> Self {
        Batcher {
            what,
            queue: Mutex::default(),
        }
    }

    /// The items matching `id` (as `matches(item, id)` says), from the next batch,
    /// which `fetch` reads; `cancel` ends the wait early.
    pub async fn get(
        self: &Arc<Self>,
        id: &str,
        cancel: &CancellationToken,
        fetch: FetchIds<T>,
        matches: fn(&T, &str) -> bool,
    ) -> Result<Vec<T>> {
        let (tx, rx) = oneshot::channel();
        if enqueue(&self.queue, (id.to_string(), tx)) {
            // A task of its own, so that a reader that gives up never strands the
            // others waiting on this batch.
            tokio::spawn(Arc::clone(self).flush(cancel.clone(), fetch, matches));
        }
        rx.await.unwrap_or(Err(Error::Cancelled))
    }

    async fn flush(
        self: Arc<Self>,
        cancel: CancellationToken,
        fetch: FetchIds<T>,
        matches: fn(&T, &str) -> bool,
    ) {
        let waiting = take_after(&self.queue, WINDOW, &cancel).await;
        let ids: BTreeSet<String> = waiting.iter().map(|(a, _)| a.clone()).collect();
        let chunks = chunk_ids(&ids);
        tracing::debug!(
            what = self.what,
            readers = waiting.len(),
            ids = ids.len(),
            requests = chunks.len(),
            "batched read"
        );
        let results = futures::future::join_all(chunks.iter().map(|c| fetch(c.clone()))).await;
        let mut answers: BTreeMap<&str, Result<Vec<T>>> = BTreeMap::new();
        for (chunk, result) in chunks.iter().zip(results) {
            for id in chunk.split(',') {
                let answer = match &result {
                    Ok(items) => Ok(items.iter().filter(|t| matches(t, id)).cloned().collect()),
                    Err(e) => Err(e.clone()),
                };
                answers.insert(id, answer);
            }
        }
        for (id, tx) in waiting {
            let answer = answers
                .get(id.as_str())
                .cloned()
                .unwrap_or(Err(Error::Cancelled));
            let _ = tx.send(answer);
        }
    }
}

/// Sends one write carrying these policies.
pub type WritePolicies = Arc<dyn Fn(Vec<Policy>) -> BoxFuture<'static, Result<()>> + Send + Sync>;

type Writer = (Policy, oneshot::Sender<Result<()>>);

/// Coalesces concurrent policy writes of one kind (creates, or deletes). Like
/// `Batcher`, it takes the write function with each write.
pub struct WriteBatcher {
    what: &'static str,
    queue: Queue<Writer>,
}

impl std::fmt::Debug for WriteBatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBatcher")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

impl WriteBatcher {
    /// A batcher sending `what`.
    pub fn new(what: &'static str) -> Self {
        WriteBatcher {
            what,
            queue: Mutex::default(),
        }
    }

    /// Writes `policy` with the next batch, which `write` sends; the answer is this
    /// policy's own.
    pub async fn write(
        self: &Arc<Self>,
        policy: Policy,
        cancel: &CancellationToken,
        write: WritePolicies,
    ) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        if enqueue(&self.queue, (policy, tx)) {
            tokio::spawn(Arc::clone(self).flush(cancel.clone(), write));
        }
        rx.await.unwrap_or(Err(Error::Cancelled))
    }

    /// Group commit: one write of this kind in flight at a time. Policies that
    /// arrive while it is in flight, or within `WRITE_WINDOW` after, go in the next
    /// one, so a batch grows with the number of resources Terraform works on at once.
    async fn flush(self: Arc<Self>, cancel: CancellationToken, write: WritePolicies) {
        loop {
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep(WRITE_WINDOW) => {}
            }
            let members = {
                let mut st = super::lock(&self.queue);
                if st.0.is_empty() {
                    st.1 = false;
                    return;
                }
                std::mem::take(&mut st.0)
            };
            self.send(members, &write).await;
        }
    }

    async fn send(&self, members: Vec<Writer>, write: &WritePolicies) {
        let mut policies: Vec<Policy> = members.iter().map(|(p, _)| p.clone()).collect();
        policies.sort();
        policies.dedup();
        tracing::debug!(
            what = self.what,
            policies = policies.len(),
            "batched policy write"
        );
        let batch = write(policies.clone()).await;
        // Only a refusal by the platform (a 4xx: one bad policy fails the list) is
        // worth splitting; a transport failure, a 5xx or a timeout would meet every
        // policy alone too, each with a full retry budget.
        let refused = matches!(&batch, Err(e) if e.status().is_some_and(|s| (400..500).contains(&s) && !matches!(s, 401 | 429)));
        if !refused || policies.len() == 1 {
            for (_, tx) in members {
                let _ = tx.send(batch.clone());
            }
            return;
        }
        // The platform refused the whole list for one policy: write each alone, so that every
        // resource gets its own answer and none is refused for another's fault.
        // Both writes are idempotent, so members the batch did write are safe to send
        // again.
        tracing::debug!(what = self.what, error = ?batch, "batched policy write failed; writing each policy alone");
        let results =
            futures::future::join_all(policies.iter().map(|p| write(vec![p.clone()]))).await;
        let answers: BTreeMap<&Policy, Result<()>> = policies.iter().zip(results).collect();
        for (policy, tx) in members {
            let _ = tx.send(
                answers
                    .get(&policy)
                    .cloned()
                    .unwrap_or(Err(Error::Cancelled)),
            );
        }
    }
}

/// Splits ids into comma-joined lists of bounded length.
pub fn chunk_ids<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<String> {
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

/// A route deletion waiting to be confirmed.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) route: String,
    pub(super) job: String,
    pub(super) since: Instant,
    pub(super) tx: oneshot::Sender<Result<()>>,
}

/// Route deletions waiting to be confirmed, and whether the confirming task runs.
#[derive(Debug, Default)]
pub(super) struct Deletions {
    pub(super) queue: Queue<Pending>,
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

    fn policy(source: &str) -> Policy {
        Policy::new(source, "d", "tcp", 8080, 8080)
    }

    #[tokio::test]
    async fn a_failed_batch_is_written_member_by_member() {
        let sent: Arc<Mutex<Vec<usize>>> = Arc::default();
        let log = Arc::clone(&sent);
        let write: WritePolicies = Arc::new(move |ps: Vec<Policy>| {
            log.lock().unwrap().push(ps.len());
            let bad = ps.iter().any(|p| p.source.id == "bad");
            Box::pin(async move {
                if bad {
                    Err(Error::Policy {
                        status: 422,
                        message: "refused".into(),
                    })
                } else {
                    Ok(())
                }
            })
        });
        let b = Arc::new(WriteBatcher::new("creates"));
        let cancel = CancellationToken::new();
        let (good, bad, good2) = tokio::join!(
            b.write(policy("a"), &cancel, write.clone()),
            b.write(policy("bad"), &cancel, write.clone()),
            b.write(policy("c"), &cancel, write.clone()),
        );
        assert!(good.is_ok() && good2.is_ok());
        assert!(bad.unwrap_err().to_string().contains("refused"));
        assert_eq!(*sent.lock().unwrap(), vec![3, 1, 1, 1]);
    }

    #[tokio::test]
    async fn a_batch_that_succeeds_is_one_write() {
        let sent: Arc<Mutex<Vec<usize>>> = Arc::default();
        let log = Arc::clone(&sent);
        let write: WritePolicies = Arc::new(move |ps: Vec<Policy>| {
            log.lock().unwrap().push(ps.len());
            Box::pin(async { Ok(()) })
        });
        let b = Arc::new(WriteBatcher::new("creates"));
        let cancel = CancellationToken::new();
        let results = futures::future::join_all(
            (0..10).map(|i| b.write(policy(&format!("s{i}")), &cancel, write.clone())),
        )
        .await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(*sent.lock().unwrap(), vec![10]);
    }

    #[tokio::test]
    async fn stopping_ends_a_waiting_batch_promptly() {
        let write: WritePolicies = Arc::new(|_| Box::pin(async { Err(Error::Cancelled) }));
        let b = Arc::new(WriteBatcher::new("creates"));
        let cancel = CancellationToken::new();
        cancel.cancel();
        let started = std::time::Instant::now();
        let r = b.write(policy("a"), &cancel, write).await;
        assert!(matches!(r, Err(Error::Cancelled)));
        assert!(started.elapsed() < WRITE_WINDOW);
    }
}
