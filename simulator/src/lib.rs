//! cloudgov-sim: a faithful, fault-injecting local stand-in for the cloud.gov APIs
//! the provider uses: Cloud Controller v3 (orgs, spaces, apps, domains, routes,
//! destinations, jobs), UAA's token endpoint, and the policy server.
//!
//! `model` holds the platform's state and rules; `cc`, `policy` and `uaa` are the
//! wire; `faults` misbehaves on demand and counts requests; `admin` is the `/_sim/`
//! control API; `server` wires it together (`router`, `Simulator::start`, `Handle`).

pub(crate) mod admin;
pub(crate) mod bodies;
pub(crate) mod caller;
pub(crate) mod cc;
pub(crate) mod cli;
pub mod faults;
pub(crate) mod json;
pub(crate) mod lifecycle;
pub(crate) mod middleware;
pub mod model;
pub(crate) mod orgs;
pub(crate) mod policy;
pub(crate) mod push;
pub mod scenarios;
pub mod seed;
pub mod server;
pub(crate) mod shared;
pub(crate) mod tls;
pub(crate) mod uaa;

pub use faults::{FaultKind, FaultRule};
pub use model::{Policy, Settings};
pub use seed::{Seed, default_seed};
pub use server::{Config, Handle, Simulator, router};
