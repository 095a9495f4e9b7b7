//! Stopping. Terraform's stop request (Ctrl-C, `StopProvider`) cancels every call at
//! once, except inside `despite_stop`: a short step that ends what the operation
//! began (deleting the old policy once the new one exists, rewriting a route's
//! destinations, confirming a route deletion the platform accepted) gets `STOP_GRACE`
//! after the stop to finish, so that the platform never holds what state does not
//! record. Knows nothing of requests or Terraform.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long a step run `despite_stop` may go on after Terraform asked to stop.
pub const STOP_GRACE: Duration = Duration::from_secs(20);

#[derive(Debug)]
struct Shield {
    grace: Duration,
    /// When this step first saw the stop: its grace counts from then.
    seen: OnceLock<Instant>,
}

tokio::task_local! {
    static SHIELD: Arc<Shield>;
}

/// Runs `f` so that a stop request gives its calls `STOP_GRACE` to finish instead of
/// cancelling them, and its policy writes go out at once rather than in a batch
/// (a batch is sent by another task, which the stop cancels).
pub async fn despite_stop<F: Future>(f: F) -> F::Output {
    let shield = Arc::new(Shield {
        grace: STOP_GRACE,
        seen: OnceLock::new(),
    });
    SHIELD.scope(shield, f).await
}

/// True inside `despite_stop`.
pub(crate) fn shielded() -> bool {
    SHIELD.try_with(|_| ()).is_ok()
}

/// Resolves when calls must stop: at once when `cancel` fires, or `STOP_GRACE` after
/// it inside `despite_stop`.
pub(crate) async fn stopped(cancel: &CancellationToken) {
    cancel.cancelled().await;
    if let Ok(deadline) = SHIELD.try_with(|s| *s.seen.get_or_init(|| Instant::now() + s.grace)) {
        tracing::debug!("stop requested: finishing the step in progress first");
        tokio::time::sleep_until(deadline).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shielded_step_outlives_the_stop_by_the_grace_only() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let at_once = tokio::time::timeout(Duration::from_millis(50), stopped(&cancel)).await;
        assert!(at_once.is_ok(), "outside the scope a stop is immediate");
        assert!(!shielded());
        let shielded_wait = despite_stop(async {
            assert!(shielded());
            tokio::time::timeout(Duration::from_millis(200), stopped(&cancel)).await
        })
        .await;
        assert!(
            shielded_wait.is_err(),
            "inside, the step goes on after the stop"
        );
    }
}
