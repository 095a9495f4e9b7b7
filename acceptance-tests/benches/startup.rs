//! Prints how long the provider takes from process start to its handshake line (as
//! Terraform starts it, with AutoMTLS, so certificate generation is included), and
//! the binary's size. Terraform starts a provider several times per command, so this
//! is paid on every plan. Uses the release binary (`make bench` builds it).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 40;

fn release_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("PROVIDER_BIN") {
        return PathBuf::from(p);
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

fn host_cert_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.self_signed(&key).unwrap().pem()
}

fn main() {
    let bin = release_binary();
    let cert = host_cert_pem();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let mut child = Command::new(&bin)
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
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let size = std::fs::metadata(&bin).map_or(0, |m| m.len());
    println!("provider startup (process start -> handshake line, AutoMTLS), {RUNS} runs");
    println!("  min    {:7.2} ms", ms(times[0]));
    println!("  median {:7.2} ms", ms(times[RUNS / 2]));
    println!("  p95    {:7.2} ms", ms(times[RUNS * 95 / 100]));
    println!("  max    {:7.2} ms", ms(times[RUNS - 1]));
    println!(
        "binary {}: {:.1} MiB ({size} bytes)",
        bin.display(),
        size as f64 / (1024.0 * 1024.0)
    );
}
