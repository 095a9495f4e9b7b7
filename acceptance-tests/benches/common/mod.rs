//! What the benchmarks share: the release provider binary and its start-up time.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `$PROVIDER_BIN`, else the release build (built here if needed).
pub(crate) fn release_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("PROVIDER_BIN") {
        return std::path::absolute(PathBuf::from(p)).expect("PROVIDER_BIN");
    }
    let root = acceptance_tests::workspace_root();
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "terraform-provider-cloudgov",
            "--bin",
            "terraform-provider-cloudgov",
        ])
        .current_dir(&root)
        .status()
        .expect("cargo build --release");
    assert!(status.success());
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target.join("release").join("terraform-provider-cloudgov")
}

/// A self-signed P-521 certificate, as Terraform hands its plugins in
/// `PLUGIN_CLIENT_CERT`.
fn host_cert_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.self_signed(&key).unwrap().pem()
}

/// Process start to handshake line, `runs` times, started as Terraform starts a
/// plugin (AutoMTLS with a client certificate); sorted.
pub(crate) fn handshake_times(bin: &std::path::Path, runs: usize) -> Vec<Duration> {
    let cert = host_cert_pem();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new(bin)
            .env_clear()
            .env(
                "TF_PLUGIN_MAGIC_COOKIE",
                "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
            )
            .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_CLIENT_CERT", &cert)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start provider");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        times.push(start.elapsed());
        assert!(
            line.starts_with("1|6|tcp|127.0.0.1:"),
            "unexpected handshake: {line}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }
    times.sort();
    times
}

/// Milliseconds, for printing.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
