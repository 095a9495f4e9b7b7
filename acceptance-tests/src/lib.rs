//! Support for the acceptance tests and benchmarks: finding the terraform / tofu CLIs
//! and the provider binary, laying the provider out as a filesystem mirror, and
//! running CLI commands in a per-test working directory with per-command environment.
//! Knows nothing of the provider's internals: it drives the binaries only.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

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
    /// HashiCorp Terraform (1.0.3 in CI).
    Terraform,
    /// OpenTofu.
    Tofu,
}

impl Cli {
    /// The executable's name.
    pub fn name(self) -> &'static str {
        match self {
            Cli::Terraform => "terraform",
            Cli::Tofu => "tofu",
        }
    }

    /// The registry host the CLI assumes for `cloud-gov/cloudgov`.
    pub fn registry_host(self) -> &'static str {
        match self {
            Cli::Terraform => "registry.terraform.io",
            Cli::Tofu => "registry.opentofu.org",
        }
    }

    /// The executable: `$TERRAFORM` / `$TOFU` if set, else the tools folder.
    pub fn path(self) -> Option<PathBuf> {
        let var = match self {
            Cli::Terraform => "TERRAFORM",
            Cli::Tofu => "TOFU",
        };
        let p = std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| tools_bin().join(self.name()));
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
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        target.join("debug").join("terraform-provider-cloudgov")
    })
    .clone()
}

/// Lays `binary` out as a filesystem mirror under `mirror`, for both registry hosts,
/// so that a plain `init` installs it as it would a published release.
pub fn write_mirror(mirror: &Path, binary: &Path) -> std::io::Result<()> {
    for cli in [Cli::Terraform, Cli::Tofu] {
        let dir = mirror
            .join(cli.registry_host())
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
}

impl Run {
    fn from(command: String, out: Output) -> Run {
        Run {
            command,
            success: out.status.success(),
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
        write_mirror(&mirror, &provider_binary()).expect("mirror");
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
        let path = self.cli.path().expect("cli");
        let mut cmd = Command::new(&path);
        cmd.args(args)
            .current_dir(self.work_dir())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run cli");
        Run::from(format!("{} {}", self.cli.name(), args.join(" ")), out)
    }

    /// `init` as a user runs it (lock file, mirror install).
    pub fn init(&self) -> Run {
        self.run(&["init", "-no-color", "-input=false"]).ok()
    }
}
