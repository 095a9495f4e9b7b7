//! The performance table: the workload of `acceptance_tests::workload` at full size
//! (100 apps looked up by name, 100 internal routes, 200 network policies) with
//! 100 ms added to every platform request, run by the current Terraform against the
//! simulator. Prints requests and wall time of apply, a no-change plan and destroy,
//! with read batching on and off (`CLOUDGOV_READ_BATCHING=off`), Terraform's own
//! floor for as many resources measured in the same run, the provider's
//! start-to-handshake time, and its peak memory. Figures, not assertions: request
//! counts are asserted by the acceptance tests on a smaller workload.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use acceptance_tests::workload::Workload;
use acceptance_tests::{Cli, SimWorkspace, Workspace};
use common::{handshake_times, ms, release_binary};

const LATENCY_MS: u64 = 100;
const CLI: Cli = Cli::TerraformCurrent;

/// One command's cost.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    requests: u64,
    wall: Duration,
}

/// The three commands' costs.
#[derive(Debug, Default)]
struct Costs {
    apply: Cost,
    plan: Cost,
    /// The no-change plan without added latency.
    plan_unloaded: Cost,
    destroy: Cost,
    peak_kib: u64,
}

/// Samples the peak resident memory (VmHWM) of every running provider process
/// until stopped.
struct PeakMemory {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakMemory {
    fn start() -> PeakMemory {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&peak));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                for kib in provider_hwm_kib() {
                    p.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        PeakMemory {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// VmHWM of each process whose command line names the provider.
fn provider_hwm_kib() -> Vec<u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("terraform-provider-cloudgov"))
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .collect()
}

/// `LATENCY_MS` added to every platform request.
fn latency() -> cloudgov_sim::FaultRule {
    cloudgov_sim::FaultRule {
        path: "*".into(),
        method: None,
        kind: cloudgov_sim::FaultKind::Latency { ms: LATENCY_MS },
        probability: 1.0,
        times: None,
    }
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn measure_floor(w: Workload, bin: &std::path::Path) -> Option<Costs> {
    let ws = Workspace::with_provider(CLI, Some(bin.to_path_buf()))?;
    ws.write("main.tf", &w.floor_config());
    ws.init();
    let apply = timed(|| {
        ws.apply();
    });
    let plan = timed(|| ws.assert_no_changes());
    let destroy = timed(|| {
        ws.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .ok();
    });
    let cost = |wall| Cost { requests: 0, wall };
    Some(Costs {
        apply: cost(apply),
        plan: cost(plan),
        // Not measured for the floor (it makes no platform requests to slow down).
        plan_unloaded: Cost::default(),
        destroy: cost(destroy),
        peak_kib: 0,
    })
}

fn measure(w: Workload, bin: &std::path::Path, batching: bool) -> Option<Costs> {
    let mut env = SimWorkspace::with_seed(CLI, Some(bin.to_path_buf()), w.seed())?;
    env.ws.env(
        "CLOUDGOV_READ_BATCHING",
        if batching { "on" } else { "off" },
    );
    env.write("main.tf", &w.config());
    env.init();
    env.sim.handle.add_fault(latency());
    let memory = PeakMemory::start();
    let step = |f: &dyn Fn()| {
        env.sim.handle.reset_stats();
        let wall = timed(f);
        let stats = env.sim.handle.stats();
        if batching {
            let mut by_count: Vec<_> = stats.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1));
            let top: Vec<String> = by_count.iter().map(|(k, v)| format!("{v} {k}")).collect();
            println!("  requests: {}", top.join(", "));
        }
        let requests = stats.values().sum();
        Cost { requests, wall }
    };
    let apply = step(&|| {
        env.apply();
    });
    let plan = step(&|| env.assert_no_changes());
    env.sim.handle.clear_faults();
    let plan_unloaded = step(&|| env.assert_no_changes());
    env.sim.handle.add_fault(latency());
    let destroy = step(&|| {
        env.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
            .ok();
    });
    let peak_kib = memory.finish();
    let left = env.sim.handle.state();
    assert!(
        left.routes.is_empty() && left.policies.is_empty(),
        "destroy left objects behind"
    );
    Some(Costs {
        apply,
        plan,
        plan_unloaded,
        destroy,
        peak_kib,
    })
}

fn main() {
    let w = Workload::FULL;
    let bin = release_binary();
    println!("provider: {}", bin.display());
    println!("cli: {}", CLI.version());
    let Some(floor) = measure_floor(w, &bin) else {
        println!(
            "workload bench skipped: {} is not installed (make tools)",
            CLI.name()
        );
        return;
    };
    let on = measure(w, &bin, true).expect("cli");
    let off = measure(w, &bin, false).expect("cli");
    let startup = handshake_times(&bin, 40);
    println!();
    println!(
        "workload: {} apps looked up by name, {} internal routes, {} network policies; {LATENCY_MS} ms per API request",
        w.apps, w.routes, w.policies
    );
    println!(
        "floor: {} terraform_data resources, no provider",
        w.routes + w.policies
    );
    println!();
    println!(
        "| command        | requests | wall    | above floor | batching off: requests | wall    | floor wall | target           |"
    );
    println!(
        "|----------------|----------|---------|-------------|------------------------|---------|------------|------------------|"
    );
    let rows = [
        ("apply", on.apply, off.apply, floor.apply, "≤ 215 requests"),
        (
            "no-change plan",
            on.plan,
            off.plan,
            floor.plan,
            "≤ 10, ≤ 1.0 s above",
        ),
        (
            "destroy",
            on.destroy,
            off.destroy,
            floor.destroy,
            "≤ 250 requests",
        ),
    ];
    for (name, on, off, floor, target) in rows {
        println!(
            "| {name:<14} | {:>8} | {:>5.2} s | {:>9.2} s | {:>22} | {:>5.2} s | {:>8.2} s | {target:<16} |",
            on.requests,
            on.wall.as_secs_f64(),
            on.wall.as_secs_f64() - floor.wall.as_secs_f64(),
            off.requests,
            off.wall.as_secs_f64(),
            floor.wall.as_secs_f64(),
        );
    }
    println!();
    println!(
        "no-change plan without added latency: {:.2} s, {} requests ({:.2} s batching off)",
        on.plan_unloaded.wall.as_secs_f64(),
        on.plan_unloaded.requests,
        off.plan_unloaded.wall.as_secs_f64()
    );
    println!(
        "start-to-handshake (PLUGIN_CLIENT_CERT set), 40 runs: median {:.2} ms, p95 {:.2} ms (target ≤ 10 ms median)",
        ms(startup[20]),
        ms(startup[38])
    );
    println!(
        "provider peak memory (VmHWM) over apply, plan and destroy: {:.1} MB batching on, {:.1} MB off (target ≤ 15 MB)",
        on.peak_kib as f64 / 1024.0,
        off.peak_kib as f64 / 1024.0
    );
}
