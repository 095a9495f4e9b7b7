//! The time limit of the operation in progress, when its configuration sets one (a
//! resource's `timeouts` block). The framework runs the operation `within` the
//! limit; the platform client's retry budget follows `remaining`, so a longer limit
//! lets it keep retrying and a shorter one stops it sooner. A leaf module: it knows
//! neither Terraform nor the platform, so every layer may use it.

use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `f` with a deadline `limit` from now.
pub(crate) async fn within<F: Future>(limit: Duration, f: F) -> F::Output {
    DEADLINE.scope(Instant::now() + limit, f).await
}

/// Time left before the deadline of the operation in progress, if it has one.
pub(crate) fn remaining() -> Option<Duration> {
    DEADLINE
        .try_with(|d| d.saturating_duration_since(Instant::now()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_deadline_holds_inside_the_scope_only() {
        assert_eq!(remaining(), None);
        let left = within(Duration::from_secs(60), async { remaining() }).await;
        assert!(left.is_some_and(|d| d > Duration::from_secs(59) && d <= Duration::from_secs(60)));
        assert_eq!(remaining(), None);
    }
}
