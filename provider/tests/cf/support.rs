//! A simulator per test, clients logged in to it, and TRACE logs captured for the
//! whole test binary so that every test can check no secret reached them.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use cloudgov_sim::{Config, Simulator};
use terraform_provider_cloudgov::cf::{Client, ClientConfig, Credentials, RetryPolicy};
use terraform_provider_cloudgov::plugin::logging::HclogLayer;
use tracing_subscriber::prelude::*;

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs TRACE capture once for the binary.
pub(crate) fn capture_logs() {
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(buf.clone());
        let layer = HclogLayer::new(move || sink.clone())
            .with_filter(tracing::level_filters::LevelFilter::TRACE);
        tracing_subscriber::registry().with(layer).init();
        buf
    });
}

/// Everything logged so far.
pub(crate) fn logs() -> String {
    String::from_utf8_lossy(&LOGS.get().expect("capture_logs first").lock().unwrap()).into_owned()
}

/// Fails if any secret the simulator holds (passwords, client secrets, issued
/// tokens) appears in the captured logs.
pub(crate) fn assert_no_secrets_logged(sim: &Simulator) {
    let state = sim.handle.state();
    let mut secrets: Vec<String> = Vec::new();
    secrets.extend(
        state
            .users
            .values()
            .map(|u| u.password.clone())
            .filter(|p| p.len() >= 8),
    );
    secrets.extend(
        state
            .clients
            .values()
            .map(|c| c.secret.clone())
            .filter(|s| s.len() >= 8),
    );
    secrets.extend(state.access_tokens.keys().cloned());
    secrets.extend(state.refresh_tokens.keys().cloned());
    let logs = logs();
    for s in secrets {
        assert!(
            !logs.contains(&s),
            "a secret reached the logs: {}…",
            &s[..6.min(s.len())]
        );
    }
}

/// A simulator with a user whose password is long enough to spot in logs.
pub(crate) async fn sim() -> Simulator {
    sim_with(|_| {}).await
}

pub(crate) async fn sim_with(f: impl FnOnce(&mut Config)) -> Simulator {
    capture_logs();
    let mut config = Config::default();
    f(&mut config);
    let sim = Simulator::start(config).await.unwrap();
    sim.handle.with_state(|s| {
        let mut u = s.users["deployer"].clone();
        u.name = "ci-bot".into();
        u.password = "ci-bot-password-7f3a91".into();
        s.users.insert(u.name.clone(), u);
        let c = s.clients.get_mut("pipeline").unwrap();
        c.secret = "pipeline-secret-6b2c0d".into();
    });
    sim
}

pub(crate) fn password() -> Credentials {
    Credentials::Password {
        user: "ci-bot".into(),
        password: "ci-bot-password-7f3a91".into(),
        origin: None,
    }
}

/// Fast retries for tests.
pub(crate) fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial: std::time::Duration::from_millis(10),
        max_delay: std::time::Duration::from_millis(200),
        budget: std::time::Duration::from_secs(30),
        attempt_timeout: std::time::Duration::from_secs(10),
        outage: std::time::Duration::from_secs(30),
    }
}

pub(crate) fn config(sim: &Simulator, creds: Credentials) -> ClientConfig {
    let mut c = ClientConfig::new(&sim.url, creds);
    c.retry = fast_retry();
    c
}

pub(crate) async fn client(sim: &Simulator) -> Client {
    Client::connect(config(sim, password())).await.unwrap()
}
