//! AutoMTLS for go-plugin hosts: a fresh self-signed server certificate per process,
//! and a client-certificate verifier that accepts exactly the certificate the host
//! passed in `PLUGIN_CLIENT_CERT`.
//!
//! Two traps shape this file. The host's certificate is ECDSA P-521 and marked as a
//! CA, so (1) the crypto provider must verify P-521 signatures (aws-lc-rs does; ring
//! does not), and (2) rustls' standard verifier cannot be used, because it refuses a
//! CA certificate as an end entity. Pinning the exact DER is also the stronger check:
//! only the process that started us holds the matching key.

use std::sync::Arc;

use base64::Engine;
use rustls::DigitallySignedStruct;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DistinguishedName, SignatureScheme};

/// Setting up TLS failed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` did not hold a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate")]
    BadClientCert(#[source] rustls::pki_types::pem::Error),
    /// Generating the server certificate failed.
    #[error("generating the server certificate failed")]
    Generate(#[source] rcgen::Error),
    /// rustls refused the configuration.
    #[error("configuring TLS failed")]
    Config(#[source] rustls::Error),
}

/// The TLS side of the handshake: the server configuration, and the server
/// certificate as the handshake line carries it (standard base64 of the DER, no
/// padding).
#[derive(Debug)]
pub struct ServerTls {
    /// rustls configuration requiring the pinned client certificate and offering `h2`.
    pub config: Arc<rustls::ServerConfig>,
    /// The server certificate for the handshake line.
    pub cert_base64: String,
}

/// Builds the server TLS configuration for a host whose certificate is `client_pem`.
pub fn server_tls(client_pem: &str) -> Result<ServerTls, TlsError> {
    let pinned =
        CertificateDer::from_pem_slice(client_pem.as_bytes()).map_err(TlsError::BadClientCert)?;
    let (cert, key) = generate_server_cert()?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedClientCert {
        pinned,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![cert.clone()], key)
        .map_err(TlsError::Config)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerTls {
        config: Arc::new(config),
        cert_base64: base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert.as_ref()),
    })
}

/// PKCS#8 v1 around a 32-byte Ed25519 seed (RFC 8410): the fixed DER prefix.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A fresh Ed25519 key from the operating system's randomness. Generating an ECDSA
/// key through the TLS library first seeds its own generator from CPU jitter, which
/// took most of the provider's start-up (about 23 ms of 25); an Ed25519 key is 32
/// random bytes and signing with it needs no randomness, so nothing waits for that
/// seeding before the handshake line. Go's TLS, and so every go-plugin host, accepts
/// Ed25519 certificates.
fn server_key() -> Result<(rcgen::KeyPair, PrivatePkcs8KeyDer<'static>), TlsError> {
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    let pkcs8 = PrivatePkcs8KeyDer::from(der);
    let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_ED25519)
        .map_err(TlsError::Generate)?;
    Ok((key, pkcs8))
}

/// A self-signed Ed25519 certificate for `localhost` / `127.0.0.1`, the name go-plugin
/// hosts verify against.
fn generate_server_cert() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), TlsError> {
    let (key, pkcs8) = server_key()?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(TlsError::Generate)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        "terraform-provider-cloudgov",
    );
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::days(30);
    let cert = params.self_signed(&key).map_err(TlsError::Generate)?;
    Ok((cert.der().clone(), PrivateKeyDer::Pkcs8(pkcs8)))
}

/// Accepts exactly one client certificate, still checking that the client holds its
/// key (the handshake signature).
#[derive(Debug)]
struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p521_signatures_are_supported() {
        // go-plugin hosts sign with ECDSA P-521.
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        assert!(
            algs.supported_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn bad_pem_is_a_clear_error() {
        let err = server_tls("not a certificate").err().unwrap();
        assert_eq!(
            err.to_string(),
            "PLUGIN_CLIENT_CERT does not hold a PEM certificate"
        );
    }
}
