//! The go-plugin process contract: magic-cookie check, protocol negotiation, a port in
//! the host's range, the one handshake line on stdout, AutoMTLS, the side services,
//! prompt shutdown, and `--debug` (reattach) mode. Depends on the framework for the
//! provider service; knows nothing of Cloud Foundry.

pub mod logging;
pub mod services;
pub mod tls;

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use cloudgov_proto::health::health_server::HealthServer;
use cloudgov_proto::plugin::grpc_controller_server::GrpcControllerServer;
use cloudgov_proto::plugin::grpc_stdio_server::GrpcStdioServer;
use cloudgov_proto::tfplugin6::provider_server::ProviderServer as ProviderService;
use futures::StreamExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::framework::{Provider, ProviderServer};

/// The cookie go-plugin hosts (Terraform, OpenTofu) set in the environment.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol version this provider serves.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own (core) protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The provider's source address, used in the `--debug` reattach line.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/cloud-gov/cloudgov";

/// Why the process cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Started by hand rather than by Terraform.
    #[error(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         Please execute the program that consumes these plugins, which will load any plugins automatically."
    )]
    NotAPluginHost,
    /// The host does not speak protocol 6.
    #[error(
        "This provider speaks plugin protocol 6, which needs Terraform 1.0 or later (or OpenTofu 1.6 or later); \
         the program that started it offered protocol versions {0:?}."
    )]
    UnsupportedProtocol(String),
    /// No port in the allowed range could be bound.
    #[error("could not listen on 127.0.0.1 in the port range {0}..={1}")]
    NoPort(u16, u16, #[source] std::io::Error),
    /// The listener failed.
    #[error("could not listen on 127.0.0.1")]
    Listen(#[source] std::io::Error),
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The gRPC server failed.
    #[error("the gRPC server failed")]
    Transport(#[source] tonic::transport::Error),
}

/// What the host's environment asked for.
#[derive(Debug, Clone, Default)]
pub struct HostEnv {
    /// `TF_PLUGIN_MAGIC_COOKIE`.
    pub cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`.
    pub protocol_versions: Option<String>,
    /// `PLUGIN_MIN_PORT`.
    pub min_port: Option<u16>,
    /// `PLUGIN_MAX_PORT`.
    pub max_port: Option<u16>,
    /// `PLUGIN_CLIENT_CERT`.
    pub client_cert: Option<String>,
}

impl HostEnv {
    /// Reads the process environment.
    pub fn from_env() -> HostEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        HostEnv {
            cookie: var(MAGIC_COOKIE_KEY),
            protocol_versions: var("PLUGIN_PROTOCOL_VERSIONS"),
            min_port: var("PLUGIN_MIN_PORT").and_then(|v| v.parse().ok()),
            max_port: var("PLUGIN_MAX_PORT").and_then(|v| v.parse().ok()),
            client_cert: var("PLUGIN_CLIENT_CERT"),
        }
    }

    /// Checks the cookie and that protocol 6 is offered (an absent list means the
    /// host predates negotiation, and we serve 6).
    pub fn check(&self) -> Result<(), ServeError> {
        if self.cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(ServeError::NotAPluginHost);
        }
        if let Some(list) = &self.protocol_versions {
            let offered = list
                .split(',')
                .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
            if !offered {
                return Err(ServeError::UnsupportedProtocol(list.clone()));
            }
        }
        Ok(())
    }
}

/// The single line go-plugin reads from stdout.
pub fn handshake_line(addr: SocketAddr, cert_base64: &str) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert_base64}")
}

/// Binds 127.0.0.1 on the first free port of the host's range (any port without one).
async fn listen(env: &HostEnv) -> Result<TcpListener, ServeError> {
    match (env.min_port, env.max_port) {
        (Some(min), Some(max)) if min <= max => {
            let mut last = None;
            for port in min..=max {
                match TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(l) => return Ok(l),
                    Err(e) => last = Some(e),
                }
            }
            Err(ServeError::NoPort(
                min,
                max,
                last.unwrap_or_else(|| std::io::Error::other("empty range")),
            ))
        }
        _ => TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(ServeError::Listen),
    }
}

/// Accepted sockets get `TCP_NODELAY`: without it every RPC waits on delayed ACKs
/// (a 300-resource plan measured 10x slower).
fn nodelay(stream: TcpStream) -> TcpStream {
    let _ = stream.set_nodelay(true);
    stream
}

/// Every service a go-plugin host talks to: the provider (its own stop token, for
/// `StopProvider`), the controller whose Shutdown cancels `shutdown`, stdio and
/// health. Built here once for both ways of serving.
fn services_router<P: Provider>(
    provider: P,
    shutdown: &CancellationToken,
) -> tonic::transport::server::Router {
    tonic::transport::Server::builder()
        .add_service(ProviderService::new(ProviderServer::new(
            provider,
            CancellationToken::new(),
        )))
        .add_service(GrpcControllerServer::new(services::Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(services::Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(HealthServer::new(services::Health {
            shutdown: shutdown.clone(),
        }))
}

/// Serves `provider` to the go-plugin host that started this process, until the host
/// calls Shutdown.
pub async fn serve<P: Provider>(provider: P) -> Result<(), ServeError> {
    let env = HostEnv::from_env();
    env.check()?;
    let listener = listen(&env).await?;
    let addr = listener.local_addr().map_err(ServeError::Listen)?;
    let shutdown = CancellationToken::new();
    let router = services_router(provider, &shutdown);

    ignore_interrupts(shutdown.clone());
    exit_with_host(shutdown.clone());

    let (cert_base64, server) = match &env.client_cert {
        Some(pem) => {
            let tls = tls::server_tls(pem)?;
            let incoming = tls_incoming(listener, tokio_rustls::TlsAcceptor::from(tls.config));
            (
                tls.cert_base64,
                tokio::spawn(
                    router
                        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
                ),
            )
        }
        None => {
            let incoming =
                tokio_stream::wrappers::TcpListenerStream::new(listener).map(|s| s.map(nodelay));
            (
                String::new(),
                tokio::spawn(
                    router
                        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
                ),
            )
        }
    };
    announce(&handshake_line(addr, &cert_base64));
    tracing::debug!(%addr, tls = env.client_cert.is_some(), "serving plugin protocol 6");
    wait(shutdown, server).await
}

/// Serves on loopback without TLS and prints the `TF_REATTACH_PROVIDERS` value for a
/// developer to export; runs until Ctrl-C.
pub async fn serve_debug<P: Provider>(provider: P) -> Result<(), ServeError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(ServeError::Listen)?;
    let addr = listener.local_addr().map_err(ServeError::Listen)?;
    let shutdown = CancellationToken::new();
    let router = services_router(provider, &shutdown);
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener).map(|s| s.map(nodelay));
    let server = tokio::spawn(
        router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
    );
    announce(&debug_instructions(addr, std::process::id()));
    let ctrl_c = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        ctrl_c.cancel();
    });
    wait(shutdown, server).await
}

/// The text `--debug` prints.
pub fn debug_instructions(addr: SocketAddr, pid: u32) -> String {
    let reattach = serde_json::json!({
        PROVIDER_ADDRESS: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": "tcp", "String": addr.to_string()},
        }
    });
    format!(
        "Provider started. To attach Terraform or OpenTofu, export this in another shell, then run \
         terraform there (Ctrl-C here stops the provider):\n\n\tTF_REATTACH_PROVIDERS='{reattach}'"
    )
}

fn announce(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Waits for Shutdown (or the server ending), then gives in-flight responses a moment
/// to leave before returning: go-plugin hosts kill a plugin that lingers 2 s.
async fn wait(
    shutdown: CancellationToken,
    mut server: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
) -> Result<(), ServeError> {
    tokio::select! {
        res = &mut server => {
            return match res {
                Ok(r) => r.map_err(ServeError::Transport),
                Err(_) => Ok(()),
            };
        }
        () = shutdown.cancelled() => {}
    }
    let _ = tokio::time::timeout(Duration::from_millis(250), server).await;
    Ok(())
}

/// Terraform handles Ctrl-C itself (with StopProvider) and the terminal sends SIGINT
/// to the whole process group: like Go providers, ignore SIGINT and leave the exit
/// to Shutdown. SIGTERM still ends the process.
#[cfg(unix)]
fn ignore_interrupts(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered before the handshake line is printed, so no signal can arrive while
    // the default action (exit) still applies.
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = int.recv() => tracing::debug!("interrupt received; waiting for the host to stop the provider"),
                _ = term.recv() => { shutdown.cancel(); return; }
            }
        }
    });
}

/// On Windows the console's Ctrl-C reaches every process attached to it: ignore it
/// there too, and leave the exit to Shutdown.
#[cfg(not(unix))]
fn ignore_interrupts(_shutdown: CancellationToken) {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("interrupt received; waiting for the host to stop the provider");
        }
    });
}

/// How often the provider checks that the process that started it is still there.
#[cfg(unix)]
const HOST_CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// A provider must not outlive the Terraform that started it: a CI runner's timeout
/// or the OOM killer ends Terraform with SIGKILL, which never reaches the provider,
/// and an orphan would keep running (adopted by PID 1). When the parent process
/// changes, the host is gone: shut down as Shutdown would. Polling the parent id is
/// portable across Unix systems and needs no unsafe code (unlike a parent-death
/// signal, which is Linux-only).
#[cfg(unix)]
fn exit_with_host(shutdown: CancellationToken) {
    let host = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HOST_CHECK_INTERVAL);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let now = std::os::unix::process::parent_id();
            if now != host {
                tracing::warn!(
                    host,
                    now,
                    "the process that started the provider is gone; exiting"
                );
                shutdown.cancel();
                return;
            }
        }
    });
}

/// Elsewhere the host's end closes the plugin connection; nothing to watch.
#[cfg(not(unix))]
fn exit_with_host(_shutdown: CancellationToken) {}

/// TLS handshakes run in their own tasks so one slow or hostile client never blocks
/// accepting the next; failed handshakes are logged and dropped.
fn tls_incoming(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
) -> impl futures::Stream<Item = Result<tokio_rustls::server::TlsStream<TcpStream>, std::io::Error>>
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(nodelay(stream)).await {
                    Ok(tls) => {
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Err(e) => tracing::debug!(%peer, error = %e, "TLS handshake refused"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(cookie: Option<&str>, versions: Option<&str>) -> HostEnv {
        HostEnv {
            cookie: cookie.map(String::from),
            protocol_versions: versions.map(String::from),
            ..HostEnv::default()
        }
    }

    #[test]
    fn cookie_and_protocol_are_checked() {
        assert!(matches!(
            env(None, None).check(),
            Err(ServeError::NotAPluginHost)
        ));
        assert!(matches!(
            env(Some("wrong"), None).check(),
            Err(ServeError::NotAPluginHost)
        ));
        assert!(env(Some(MAGIC_COOKIE_VALUE), Some("6,5")).check().is_ok());
        assert!(env(Some(MAGIC_COOKIE_VALUE), None).check().is_ok());
        let err = env(Some(MAGIC_COOKIE_VALUE), Some("5"))
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("protocol 6"), "{err}");
    }

    #[test]
    fn handshake_line_has_go_plugin_shape() {
        let addr: SocketAddr = "127.0.0.1:10001".parse().unwrap();
        assert_eq!(
            handshake_line(addr, "QUJD"),
            "1|6|tcp|127.0.0.1:10001|grpc|QUJD"
        );
    }

    #[test]
    fn reattach_value_is_valid_json() {
        let text = debug_instructions("127.0.0.1:4000".parse().unwrap(), 42);
        let json = text.split('\'').nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v[PROVIDER_ADDRESS]["Addr"]["String"], "127.0.0.1:4000");
        assert_eq!(v[PROVIDER_ADDRESS]["ProtocolVersion"], 6);
    }
}
