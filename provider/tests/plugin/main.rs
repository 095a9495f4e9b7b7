//! The provider binary as a process, driven the way a go-plugin host drives it: the
//! handshake, AutoMTLS, shutdown, stdout discipline and what reaches the logs.

mod support;

mod handshake;
mod identity;
mod logging;
mod mtls;
