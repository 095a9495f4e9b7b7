//! The platform's health as one provider process sees it. When every request has
//! failed without an answer (connection refused or reset, no answer in time, or a
//! 502/503/504 from the router in front of a dead platform) for `window` since the
//! platform last answered, the circuit opens: every pending and later call of the
//! process fails at once with `Error::Outage`, so a run whose platform is gone ends
//! within the window instead of every call spending its own retry budget. Any answer
//! before then closes it again. Once open it stays open for the process: one
//! Terraform command. Knows nothing of requests or tokens.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use tokio_util::sync::CancellationToken;

use super::error::Error;

/// How often a pending call looks whether the window has run out.
const TICK: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
struct Failing {
    since: Option<Instant>,
    last: String,
}

/// One per transport, shared by every call.
#[derive(Debug)]
pub(super) struct Circuit {
    window: Duration,
    failing: Mutex<Failing>,
    open: CancellationToken,
}

impl Circuit {
    /// A closed circuit that opens after `window` without an answer.
    pub(super) fn new(window: Duration) -> Circuit {
        Circuit {
            window,
            failing: Mutex::default(),
            open: CancellationToken::new(),
        }
    }

    /// The platform answered.
    pub(super) fn answered(&self) {
        if let Ok(mut f) = self.failing.lock() {
            f.since = None;
        }
    }

    /// A request got no answer; `what` says how, for the outage's message.
    pub(super) fn failed(&self, what: &str) {
        if let Ok(mut f) = self.failing.lock() {
            f.since.get_or_insert_with(Instant::now);
            f.last = what.to_string();
        }
        self.is_open();
    }

    /// True once the platform has been silent for the whole window.
    pub(super) fn is_open(&self) -> bool {
        if self.open.is_cancelled() {
            return true;
        }
        let due = self
            .failing
            .lock()
            .is_ok_and(|f| f.since.is_some_and(|t| t.elapsed() >= self.window));
        if due {
            tracing::warn!(
                window_s = self.window.as_secs(),
                "the platform stopped answering: every call now fails at once"
            );
            self.open.cancel();
        }
        due
    }

    /// Resolves when the circuit opens: a call waiting on an answer or a backoff
    /// selects on it.
    pub(super) async fn opened(&self) {
        while !self.is_open() {
            tokio::select! {
                () = self.open.cancelled() => return,
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// The error every call gets once the circuit is open.
    pub(super) fn error(&self) -> Error {
        let (down_for, last) = self.failing.lock().map_or_else(
            |_| (self.window, String::new()),
            |f| (f.since.map_or(self.window, |t| t.elapsed()), f.last.clone()),
        );
        Error::Outage { down_for, last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_after_a_silent_window_and_any_answer_resets_it() {
        let window = Duration::from_millis(300);
        let c = Circuit::new(window);
        c.failed("refused");
        tokio::time::sleep(window / 2).await;
        assert!(!c.is_open());
        c.answered();
        c.failed("refused");
        tokio::time::sleep(window / 2).await;
        assert!(!c.is_open(), "the answer started a new window");
        let start = Instant::now();
        c.opened().await;
        assert!(start.elapsed() < window + TICK, "{:?}", start.elapsed());
        assert!(c.is_open());
        c.answered();
        assert!(c.is_open(), "once open, it stays open for the process");
        let text = c.error().to_string();
        assert!(text.contains("has not answered for 0 s"), "{text}");
        assert!(text.contains("refused"), "{text}");
    }
}
