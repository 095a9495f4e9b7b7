//! cloudgov-sim: a faithful, fault-injecting local stand-in for the cloud.gov APIs
//! the provider uses: Cloud Controller v3 (orgs, spaces, apps, domains, routes,
//! destinations, jobs), UAA's token endpoint, and the policy server.
//!
//! `model` holds the platform's state and rules; `cc`, `policy` and `uaa` are the
//! wire; `faults` misbehaves on demand and counts requests; `admin` is the `/_sim/`
//! control API; `server` wires it together (`router`, `Simulator::start`, `Handle`).

pub mod admin;
pub mod bodies;
pub mod cc;
pub mod cli;
pub mod faults;
pub mod json;
pub mod model;
pub mod policy;
pub mod policy_set;
pub mod seed;
pub mod server;
pub mod tls;
pub mod uaa;

pub use faults::{FaultKind, FaultRule};
pub use model::{Policy, Settings};
pub use seed::{Seed, default_seed};
pub use server::{Config, Handle, Simulator, router};
