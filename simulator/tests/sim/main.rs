//! cloudgov-sim over HTTP, as clients see it: conformance with recorded real
//! exchanges, every validation, auth, permission and quota answer, faults, jobs,
//! tokens, concurrency, and the binary's command line; and the handlers without a
//! socket, through the router itself.

mod support;

mod binary;
mod cc;
mod cli;
mod concurrency;
mod conformance;
mod faults;
mod fuzz;
mod handlers;
mod platform;
mod policies;
mod tokens;
