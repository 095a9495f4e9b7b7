//! The go-plugin process contract: cookie, protocol negotiation, port range, the one
//! stdout line, and prompt exit on Shutdown.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cloudgov_proto::plugin::Empty;
use cloudgov_proto::tfplugin6::get_provider_schema;

use crate::support::*;

fn run_by_hand(cookie: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(binary());
    cmd.env_clear().stdin(Stdio::null());
    if let Some(c) = cookie {
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", c);
    }
    cmd.output().unwrap()
}

#[test]
fn handshake_without_cookie_explains_and_exits_1() {
    for cookie in [None, Some("not-the-cookie")] {
        let out = run_by_hand(cookie);
        assert_eq!(out.status.code(), Some(1), "cookie {cookie:?}");
        assert!(
            out.stdout.is_empty(),
            "stdout: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("This binary is a plugin"),
            "stderr: {stderr}"
        );
        assert!(
            stderr.contains("not meant to be executed directly"),
            "stderr: {stderr}"
        );
    }
}

#[test]
fn handshake_without_protocol_6_explains_and_exits_1() {
    let mut cmd = host_command(None);
    cmd.env("PLUGIN_PROTOCOL_VERSIONS", "5");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin protocol 6"), "stderr: {stderr}");
}

#[test]
fn handshake_line_names_a_port_in_range_and_the_server_certificate() {
    let cert = host_cert();
    let mut cmd = host_command(Some(&cert));
    cmd.env("PLUGIN_MIN_PORT", "21000")
        .env("PLUGIN_MAX_PORT", "21999");
    let plugin = start(cmd);
    let parts: Vec<&str> = plugin.handshake.split('|').collect();
    assert_eq!(parts.len(), 6, "{}", plugin.handshake);
    assert_eq!(&parts[..3], ["1", "6", "tcp"]);
    assert_eq!(parts[4], "grpc");
    let port: u16 = parts[3]
        .strip_prefix("127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert!((21000..=21999).contains(&port), "port {port}");
    assert!(
        !parts[5].is_empty() && !parts[5].ends_with('='),
        "certificate must be unpadded base64"
    );
    let (_, _, _) = plugin.finish(Duration::ZERO);
}

#[tokio::test]
async fn shutdown_exits_within_a_second_and_stdout_holds_only_the_handshake() {
    let cert = host_cert();
    let mut cmd = host_command(Some(&cert));
    cmd.env("TF_LOG_PROVIDER", "trace");
    let plugin = start(cmd);
    let mut provider = plugin.provider(&cert).await;
    provider
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap();
    let mut controller = plugin.controller(&cert).await;
    let asked = Instant::now();
    controller.shutdown(Empty {}).await.unwrap();
    let (in_time, rest, stderr) =
        tokio::task::spawn_blocking(move || plugin.finish(Duration::from_secs(1)))
            .await
            .unwrap();
    assert!(
        in_time,
        "still running {:?} after Shutdown; stderr:\n{stderr}",
        asked.elapsed()
    );
    assert_eq!(rest, "", "nothing may follow the handshake line on stdout");
    // With TRACE on, every stderr line is a JSON log entry.
    for line in stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(
            v["@level"].is_string() && v["@message"].is_string(),
            "{line}"
        );
    }
}

#[test]
fn version_flag_prints_the_version() {
    let out = Command::new(binary()).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("terraform-provider-cloudgov {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn debug_mode_prints_reattach_instructions_and_serves_plain_grpc() {
    let mut child = Command::new(binary())
        .arg("--debug")
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("TF_REATTACH_PROVIDERS=") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
            break;
        }
        text.push_str(&line);
    }
    let json = text.split('\'').nth(1).expect("quoted reattach value");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let entry = &v["registry.terraform.io/cloud-gov/cloudgov"];
    assert_eq!(entry["Pid"], child.id());
    let addr = entry["Addr"]["String"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut client = cloudgov_proto::tfplugin6::provider_client::ProviderClient::connect(
            format!("http://{addr}"),
        )
        .await
        .unwrap();
        let schema = client
            .get_provider_schema(get_provider_schema::Request {})
            .await
            .unwrap()
            .into_inner();
        assert!(schema.provider.is_some());
    });
    child.kill().unwrap();
    child.wait().unwrap();
}

/// True while `pid` is a live process (a zombie waiting to be reaped is not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next())
        })
        .is_some_and(|state| state != Some('Z'))
}

/// Terraform killed with SIGKILL never calls Shutdown: the provider notices its
/// parent is gone and exits within 3 seconds instead of running on as an orphan.
#[test]
fn provider_exits_when_its_host_is_killed() {
    let cert = host_cert();
    let host = host_command(Some(&cert));
    // A stand-in host: a shell that starts the provider, says its pid, and waits.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("\"$0\" & echo $! > \"$1\"; wait")
        .arg(binary())
        .env_clear();
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    cmd.arg(&pid_file);
    for (k, v) in host.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let plugin = start(cmd);
    assert!(
        plugin.handshake.starts_with("1|6|tcp|"),
        "{}",
        plugin.handshake
    );
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(alive(pid));
    let mut plugin = plugin;
    plugin.child.kill().unwrap(); // SIGKILL the host
    let killed = Instant::now();
    while alive(pid) && killed.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !alive(pid),
        "the provider (pid {pid}) is still running 3 s after its host was killed"
    );
    let _ = plugin.finish(Duration::ZERO);
}
