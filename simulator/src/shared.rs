//! What every handler shares: the platform's state (behind one lock, with due jobs
//! run on each lock), its seed and settings, the fault rules, the request counters,
//! the base URL clients reach it at, and the state file; and `Config`, what a
//! simulator is made from. Knows no handler.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

use crate::faults::{Faults, Stats};
use crate::model::{Settings, State};
use crate::seed::{Seed, default_seed};

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// What the platform holds at start and after a reset.
    pub seed: Seed,
    /// Tunables (token lifetime, job delay, cleanup interval, quotas).
    pub settings: Settings,
    /// Serve HTTPS with a freshly generated CA.
    pub tls: bool,
    /// Keep state in this file across restarts (written atomically after writes).
    pub state_file: Option<PathBuf>,
    /// Seed of the fault generator.
    pub fault_seed: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: default_seed(),
            settings: Settings::default(),
            tls: false,
            state_file: None,
            fault_seed: 0,
        }
    }
}

/// Everything the handlers share.
pub struct Shared {
    state: Mutex<State>,
    seed: Seed,
    settings: Settings,
    base_url: RwLock<String>,
    /// Fault rules.
    pub faults: Mutex<Faults>,
    stats: Mutex<Stats>,
    state_file: Option<PathBuf>,
    /// Killed: every request in flight loses its connection.
    down: AtomicBool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// A fresh platform from `config` (or from its state file when that exists).
    pub fn new(config: &Config) -> anyhow::Result<Shared> {
        let state = match &config.state_file {
            Some(path) if path.exists() => serde_json::from_slice(&std::fs::read(path)?)?,
            _ => config.seed.build(config.settings.clone())?,
        };
        Ok(Shared {
            state: Mutex::new(state),
            seed: config.seed.clone(),
            settings: config.settings.clone(),
            base_url: RwLock::new("http://127.0.0.1".into()),
            faults: Mutex::new(Faults::new(config.fault_seed)),
            stats: Mutex::new(Stats::new()),
            state_file: config.state_file.clone(),
            down: AtomicBool::new(false),
        })
    }

    /// The state, with due jobs and cleanups run first.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.tick();
        s
    }

    /// The URL clients reach this simulator at.
    pub fn base_url(&self) -> String {
        self.base_url.read().expect("base url").clone()
    }

    pub(crate) fn set_base_url(&self, url: String) {
        *self.base_url.write().expect("base url") = url;
    }

    /// Marks the platform dead: every request from now on loses its connection.
    pub(crate) fn kill(&self) {
        self.down.store(true, Ordering::Relaxed);
    }

    /// True once the simulator was killed (`Simulator::kill`).
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// Counts one request.
    pub fn count(&self, key: &str) {
        *self
            .stats
            .lock()
            .expect("stats")
            .entry(key.to_string())
            .or_default() += 1;
    }

    /// Request counts so far.
    pub fn stats(&self) -> Stats {
        self.stats.lock().expect("stats").clone()
    }

    /// Forgets request counts.
    pub fn reset_stats(&self) {
        self.stats.lock().expect("stats").clear();
    }

    /// Back to the seed: state, faults and counters.
    pub fn reset(&self) -> anyhow::Result<()> {
        let fresh = self.seed.build(self.settings.clone())?;
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = fresh;
        self.faults.lock().expect("faults").rules.clear();
        self.reset_stats();
        self.persist();
        Ok(())
    }

    /// Writes the state file, if there is one: to a temporary file, then renamed over
    /// the old one, so a crash never leaves half a file.
    pub fn persist(&self) {
        let Some(path) = &self.state_file else { return };
        let json = {
            let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            serde_json::to_vec_pretty(&*state)
        };
        let Ok(json) = json else { return };
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, path))
            .is_err()
        {
            tracing::error!(path = %path.display(), "could not write the state file");
        }
    }
}
