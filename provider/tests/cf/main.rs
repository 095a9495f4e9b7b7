//! The Cloud Foundry client against cloudgov-sim: every login mode, certificate
//! trust, lost answers and flaky networks, batching, jobs, decoding of recorded real
//! answers, and the logs it writes along the way (captured at TRACE for the whole
//! binary and checked for secrets).

mod support;

mod auth;
mod decode;
mod reads;
mod resilience;
mod setup;
mod tls;
mod trust_boundaries;
