//! Prints how long the provider takes from process start to its handshake line (as
//! Terraform starts it, with AutoMTLS, so certificate generation is included), and
//! the binary's size. Terraform starts a provider several times per command, so this
//! is paid on every plan. Uses the release binary (`make bench` builds it).

mod common;

use common::{handshake_times, ms, release_binary};

const RUNS: usize = 40;

fn main() {
    let bin = release_binary();
    let times = handshake_times(&bin, RUNS);
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
