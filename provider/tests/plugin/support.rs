//! Starts the provider binary as a go-plugin host would and connects a gRPC client
//! to it over mutual TLS, with a host certificate shaped like go-plugin's (ECDSA
//! P-521, marked as a CA).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use cloudgov_proto::plugin::grpc_controller_client::GrpcControllerClient;
use cloudgov_proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

pub(crate) const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A certificate and key in PEM, as go-plugin generates for itself.
pub(crate) struct HostCert {
    pub cert_pem: String,
    pub key_pem: String,
}

pub(crate) fn host_cert() -> HostCert {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    HostCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A running provider process.
pub(crate) struct Plugin {
    pub child: Child,
    pub handshake: String,
    pub stderr: std::thread::JoinHandle<String>,
}

pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_terraform-provider-cloudgov")
}

/// The environment a go-plugin host sets, minus what a test overrides.
pub(crate) fn host_command(cert: Option<&HostCert>) -> Command {
    let mut cmd = Command::new(binary());
    cmd.env_clear()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(c) = cert {
        cmd.env("PLUGIN_CLIENT_CERT", &c.cert_pem);
    }
    cmd
}

/// Starts the command and reads the handshake line.
pub(crate) fn start(mut cmd: Command) -> Plugin {
    let mut child = cmd.spawn().expect("start provider");
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read handshake");
    Plugin {
        child,
        handshake: line.trim_end().to_string(),
        stderr,
    }
}

impl Plugin {
    pub(crate) fn addr(&self) -> String {
        self.handshake.split('|').nth(3).unwrap().to_string()
    }

    pub(crate) fn server_cert_pem(&self) -> String {
        let b64 = self.handshake.split('|').nth(5).unwrap();
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }

    /// A channel presenting `identity` (or no certificate at all).
    pub(crate) async fn channel(
        &self,
        identity: Option<&HostCert>,
    ) -> Result<Channel, tonic::transport::Error> {
        let mut tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(self.server_cert_pem()))
            .domain_name("localhost");
        if let Some(c) = identity {
            tls = tls.identity(Identity::from_pem(&c.cert_pem, &c.key_pem));
        }
        Endpoint::from_shared(format!("https://{}", self.addr()))?
            .tls_config(tls)?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .connect()
            .await
    }

    pub(crate) async fn provider(&self, identity: &HostCert) -> ProviderClient<Channel> {
        ProviderClient::new(self.channel(Some(identity)).await.expect("connect"))
    }

    pub(crate) async fn controller(&self, identity: &HostCert) -> GrpcControllerClient<Channel> {
        GrpcControllerClient::new(self.channel(Some(identity)).await.expect("connect"))
    }

    /// Waits for exit (killing after `limit`) and returns (exited in time, rest of
    /// stdout, stderr).
    pub(crate) fn finish(mut self, limit: Duration) -> (bool, String, String) {
        let start = std::time::Instant::now();
        let mut in_time = false;
        while start.elapsed() < limit {
            if self.child.try_wait().unwrap().is_some() {
                in_time = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !in_time {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        let mut rest = String::new();
        let _ = self.child.stdout.take().unwrap().read_to_string(&mut rest);
        (in_time, rest, self.stderr.join().unwrap())
    }
}
