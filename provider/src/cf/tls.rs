//! Which servers the client trusts: the system certificate store, with the
//! certificates of `SSL_CERT_FILE` / `SSL_CERT_DIR` added to it (not replacing it) on
//! every platform, or, with the explicit `skip_ssl_validation` opt-in, any
//! certificate. Knows nothing of requests.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::error::{Error, Result};

/// Which certificates to trust.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// A PEM bundle added to the system store (`SSL_CERT_FILE`).
    pub cert_file: Option<PathBuf>,
    /// A directory of PEM files added to the system store (`SSL_CERT_DIR`).
    pub cert_dir: Option<PathBuf>,
    /// Trust any certificate (`skip_ssl_validation`).
    pub skip_verification: bool,
}

impl Trust {
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` from `env`, plus the skip switch.
    pub fn from_env(env: impl Fn(&str) -> Option<String>, skip_verification: bool) -> Trust {
        let path = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        Trust {
            cert_file: path("SSL_CERT_FILE"),
            cert_dir: path("SSL_CERT_DIR"),
            skip_verification,
        }
    }
}

/// Accepts any server certificate (but still checks handshake signatures): the
/// explicit `skip_ssl_validation` opt-in.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The system store with the certificates of `SSL_CERT_FILE` and `SSL_CERT_DIR`
/// added: a private CA is trusted next to the public ones, as most tools do, on every
/// platform.
fn trusted_certificates(trust: &Trust) -> rustls_native_certs::CertificateResult {
    let mut found = system_store(trust);
    if trust.cert_file.is_some() || trust.cert_dir.is_some() {
        let extra = rustls_native_certs::load_certs_from_paths(
            trust.cert_file.as_deref(),
            trust.cert_dir.as_deref(),
        );
        found.certs.extend(extra.certs);
        found.errors.extend(extra.errors);
    }
    found
}

/// The platform's own store. rustls-native-certs replaces it with `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` when they are set, so on Linux and the BSDs it is read from the
/// locations openssl-probe knows, which no variable changes: every file in the
/// system certificate directories (`/etc/ssl/certs`, `/etc/pki/tls/certs`, ...), and
/// the system bundle when `SSL_CERT_FILE` is not set.
#[cfg(all(unix, not(target_os = "macos")))]
fn system_store(trust: &Trust) -> rustls_native_certs::CertificateResult {
    let mut found = rustls_native_certs::CertificateResult::default();
    if trust.cert_file.is_none() && trust.cert_dir.is_none() {
        return rustls_native_certs::load_native_certs();
    }
    let bundle = if trust.cert_file.is_none() {
        openssl_probe::probe().cert_file
    } else {
        None
    };
    let mut first = true;
    for dir in openssl_probe::candidate_cert_dirs() {
        let part = rustls_native_certs::load_certs_from_paths(
            if first { bundle.as_deref() } else { None },
            Some(dir),
        );
        first = false;
        found.certs.extend(part.certs);
        found.errors.extend(part.errors);
    }
    found
}

/// The platform's own store on Windows: the trusted roots of the current user's
/// `ROOT` store (which shows the machine's too) that may authenticate servers and are
/// within their validity, read from the operating system. rustls-native-certs would
/// return only the certificates of `SSL_CERT_FILE` / `SSL_CERT_DIR` while either is
/// set, so the store is read here, whatever the variables say.
#[cfg(windows)]
fn system_store(_: &Trust) -> rustls_native_certs::CertificateResult {
    use schannel::cert_context::ValidUses;
    /// Extended key usage "TLS server authentication".
    const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
    let mut found = rustls_native_certs::CertificateResult::default();
    let store = match schannel::cert_store::CertStore::open_current_user("ROOT") {
        Ok(store) => store,
        Err(e) => {
            tracing::debug!(error = %e, "the Windows certificate store could not be opened");
            return found;
        }
    };
    for cert in store.certs() {
        let for_servers = match cert.valid_uses() {
            Ok(ValidUses::All) => true,
            Ok(ValidUses::Oids(oids)) => oids.iter().any(|o| o == SERVER_AUTH),
            Err(_) => false,
        };
        if for_servers && cert.is_time_valid().unwrap_or(false) {
            found
                .certs
                .push(CertificateDer::from(cert.to_der().to_vec()));
        }
    }
    found
}

/// The platform's own store on macOS: the certificates the user, admin and system
/// trust-settings domains mark as trusted roots for TLS (a certificate without
/// settings is a trusted root; the user's settings win over the admin's, the admin's
/// over the system's), read from the operating system whatever `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` say.
#[cfg(target_os = "macos")]
fn system_store(_: &Trust) -> rustls_native_certs::CertificateResult {
    use security_framework::trust_settings::{Domain, TrustSettings, TrustSettingsForCertificate};
    let mut verdicts: std::collections::HashMap<Vec<u8>, TrustSettingsForCertificate> =
        std::collections::HashMap::new();
    for domain in [Domain::User, Domain::Admin, Domain::System] {
        let settings = TrustSettings::new(domain);
        let Ok(certs) = settings.iter() else {
            tracing::debug!(?domain, "a trust-settings domain could not be read");
            continue;
        };
        for cert in certs {
            let Ok(verdict) = settings.tls_trust_settings_for_certificate(&cert) else {
                continue;
            };
            verdicts
                .entry(cert.to_der())
                .or_insert(verdict.unwrap_or(TrustSettingsForCertificate::TrustRoot));
        }
    }
    let mut found = rustls_native_certs::CertificateResult::default();
    found.certs.extend(
        verdicts
            .into_iter()
            .filter(|(_, v)| {
                matches!(
                    v,
                    TrustSettingsForCertificate::TrustRoot
                        | TrustSettingsForCertificate::TrustAsRoot
                )
            })
            .map(|(der, _)| CertificateDer::from(der)),
    );
    found
}

pub(super) fn tls_config(trust: &Trust) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup failed: {e}")))?;
    let mut config = if trust.skip_verification {
        tracing::warn!(
            "skip_ssl_validation is set: TLS certificates are NOT verified. Use this only with test foundations; \
             prefer SSL_CERT_FILE for a private CA"
        );
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        for (var, path) in [
            ("SSL_CERT_FILE", &trust.cert_file),
            ("SSL_CERT_DIR", &trust.cert_dir),
        ] {
            if let Some(p) = path
                && !p.exists()
            {
                return Err(Error::Config(format!(
                    "{var} names {}, which does not exist. Point it at a PEM bundle (SSL_CERT_FILE) or a \
                     directory of PEM files (SSL_CERT_DIR), or unset it to use the system certificate store",
                    p.display()
                )));
            }
        }
        let found = trusted_certificates(trust);
        for e in &found.errors {
            tracing::debug!(error = %e, "could not read some trusted certificates");
        }
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(Error::Config(format!(
                "no trusted certificates were found ({}). Install the system CA bundle, or set SSL_CERT_FILE to a PEM bundle",
                match (&trust.cert_file, &trust.cert_dir) {
                    (Some(f), _) => format!("SSL_CERT_FILE={}", f.display()),
                    (None, Some(d)) => format!("SSL_CERT_DIR={}", d.display()),
                    _ => "system certificate store".into(),
                }
            )));
        }
        tracing::debug!(certificates = added, "trusted certificates loaded");
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_ca(dir: &std::path::Path) -> (PathBuf, CertificateDer<'static>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).expect("certificate");
        let path = dir.join("private-ca.pem");
        std::fs::write(&path, cert.pem()).expect("write");
        (path, cert.der().clone())
    }

    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` each add to the system store.
    #[test]
    fn cert_file_and_dir_add_to_the_system_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ca, private) = private_ca(dir.path());
        let system = trusted_certificates(&Trust::default()).certs.len();
        let with_file = trusted_certificates(&Trust {
            cert_file: Some(ca),
            ..Trust::default()
        })
        .certs;
        let with_dir = trusted_certificates(&Trust {
            cert_dir: Some(dir.path().to_path_buf()),
            ..Trust::default()
        })
        .certs;
        for (how, certs) in [("SSL_CERT_FILE", &with_file), ("SSL_CERT_DIR", &with_dir)] {
            assert!(certs.contains(&private), "{how}: the private CA is trusted");
            if system == 0 {
                eprintln!(
                    "{how}: this machine has no system certificate store; only the addition is checked"
                );
                continue;
            }
            assert!(
                certs.len() > system,
                "{how}: {} certificates, the system store alone has {system}",
                certs.len()
            );
        }
    }
}
