//! The `cloudgov-sim` binary: prints its base URL on stdout once it listens, logs to
//! stderr, and stops cleanly on SIGINT or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use cloudgov_sim::{Config, Seed, Settings, Simulator, default_seed};

/// A local stand-in for the cloud.gov APIs (Cloud Controller v3, UAA, policy server).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// JSON seed file replacing the default org/space/app/user seed.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Serve HTTPS with a freshly generated CA.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) here, for SSL_CERT_FILE.
    #[arg(long, requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Keep state in this file across restarts.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 600.0)]
    token_ttl: f64,
    /// Seconds a route-deletion job stays PROCESSING.
    #[arg(long, default_value_t = 0.2)]
    job_delay: f64,
    /// Seconds between cleanups of policies whose apps were deleted.
    #[arg(long, default_value_t = 3600.0)]
    cleanup_interval: f64,
    /// Seed of the fault-injection dice.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Log every request (method, path, query and status; never bodies or headers)
    /// to stderr, to see what a client asks of the platform.
    #[arg(long, short)]
    verbose: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if args.verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::INFO
        })
        .init();
    let seed = match &args.seed {
        Some(path) => Seed::from_json(&std::fs::read_to_string(path)?)?,
        None => default_seed(),
    };
    let config = Config {
        listen: args.listen,
        seed,
        settings: Settings {
            token_ttl: args.token_ttl,
            job_delay: args.job_delay,
            cleanup_interval: args.cleanup_interval,
            ..Settings::default()
        },
        tls: args.tls,
        state_file: args.state_file,
        fault_seed: args.fault_seed,
    };
    // Signal handlers first, so that a stop request right after the URL line is
    // handled cleanly.
    let stopped = stop_requested()?;
    let sim = Simulator::start(config).await?;
    if let (Some(path), Some(pem)) = (&args.ca_out, &sim.ca_pem) {
        std::fs::write(path, pem)?;
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url)?;
        out.flush()?;
    }
    tracing::info!(url = %sim.url, "cloudgov-sim listening");
    stopped.await;
    tracing::info!("stopping");
    sim.stop().await;
    Ok(())
}

/// Resolves when the process is asked to stop: SIGINT or SIGTERM on Unix, Ctrl-C
/// (or Ctrl-Break, or the console closing) on Windows. Registered before it is
/// awaited, so no request is missed.
#[cfg(unix)]
fn stop_requested() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

/// Resolves when the process is asked to stop: SIGINT or SIGTERM on Unix, Ctrl-C
/// (or Ctrl-Break, or the console closing) on Windows. Registered before it is
/// awaited, so no request is missed.
#[cfg(not(unix))]
fn stop_requested() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
    let (mut c, mut b, mut close) = (ctrl_c()?, ctrl_break()?, ctrl_close()?);
    Ok(async move {
        tokio::select! {
            _ = c.recv() => {}
            _ = b.recv() => {}
            _ = close.recv() => {}
        }
    })
}
