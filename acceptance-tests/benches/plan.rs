//! Prints what a plan of many policies costs with the real Terraform CLI against the
//! simulator: wall time of `terraform plan` and the requests it made, with read
//! batching and caching on and off (`CLOUDGOV_READ_BATCHING=off`), on loopback and
//! with 100 ms added to every call (real calls cost hundreds of milliseconds).
//! Needs `.tools/bin/terraform` (`make tools`); uses the release provider.

use std::time::Instant;

use acceptance_tests::{Cli, SimWorkspace};

const POLICIES: usize = 300;

fn config() -> String {
    let mut hcl = String::from(
        r#"data "cloudgov_org" "sandbox" {
  name = "sandbox"
}

data "cloudgov_space" "dev" {
  name   = "dev"
  org_id = data.cloudgov_org.sandbox.id
}

data "cloudgov_app" "frontend" {
  name     = "frontend"
  space_id = data.cloudgov_space.dev.id
}

data "cloudgov_app" "backend" {
  name     = "backend"
  space_id = data.cloudgov_space.dev.id
}
"#,
    );
    hcl.push_str(&format!(
        r#"
resource "cloudgov_network_policy" "p" {{
  count              = {POLICIES}
  source_app_id      = data.cloudgov_app.frontend.id
  destination_app_id = data.cloudgov_app.backend.id
  port               = tostring(20000 + count.index)
}}
"#
    ));
    hcl
}

fn main() {
    let given = std::env::var_os("PROVIDER_BIN").map(std::path::PathBuf::from);
    if given.is_none() {
        let root = acceptance_tests::workspace_root();
        let status =
            std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
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
        let bin = root.join("target/release/terraform-provider-cloudgov");
        println!("provider: {}", bin.display());
        run(Some(bin));
    } else {
        run(given);
    }
}

fn run(bin: Option<std::path::PathBuf>) {
    let Some(mut env) = SimWorkspace::new_with_provider(Cli::Terraform, bin) else {
        println!("plan bench skipped: terraform is not installed (make tools)");
        return;
    };
    // The admin is exempt from the 150-policies-per-source quota.
    env.ws.env("CF_USER", "admin");
    env.ws.env("CF_PASSWORD", "admin");
    env.write("main.tf", &config());
    env.init();
    let start = Instant::now();
    env.apply();
    println!(
        "apply of {POLICIES} policies: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let latency = cloudgov_sim::FaultRule {
        path: "*".into(),
        method: None,
        kind: cloudgov_sim::FaultKind::Latency { ms: 100 },
        probability: 1.0,
        times: None,
    };
    for (batching, slow) in [("on", false), ("off", false), ("on", true), ("off", true)] {
        if slow {
            env.sim.handle.add_fault(latency.clone());
        }
        env.ws.env("CLOUDGOV_READ_BATCHING", batching);
        env.sim.handle.reset_stats();
        let start = Instant::now();
        env.assert_no_changes();
        let secs = start.elapsed().as_secs_f64();
        let stats = env.sim.handle.stats();
        let policy_reads = env.sim.handle.count("GET /networking");
        let total: u64 = stats.values().sum();
        println!(
            "plan of {POLICIES} unchanged policies, read batching {batching:>3}, {:>15}: {secs:5.2} s, {total} \
             requests ({policy_reads} policy reads)",
            if slow {
                "100 ms per call"
            } else {
                "no added latency"
            }
        );
    }
}
