//! The in-memory TLS harness shared by the rustls adapter tests: keys of generated
//! certificates, rustls configurations with the ring provider, and a handshake driver.

use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

use super::generate::{Key, Node};

/// The real time, in seconds (the rustls verifier is called with it).
pub fn now() -> i64 {
    i64::try_from(UnixTime::now().as_secs()).unwrap()
}

/// The PKCS #8 private key of a generated certificate.
pub fn key_der(node: &Node) -> PrivateKeyDer<'static> {
    match node.issuer.key() {
        Key::Ring(k) => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(k.serialize_der())),
        _ => panic!("test keys are ring keys"),
    }
}

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub type Version = &'static rustls::SupportedProtocolVersion;
pub const TLS12: Version = &rustls::version::TLS12;
pub const TLS13: Version = &rustls::version::TLS13;

/// A server of `version` with the certificate `server` and the client verifier `verifier`.
pub fn server_config(
    verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    version: Version,
    server: &Node,
) -> Result<ServerConfig, rustls::Error> {
    ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(server.der.clone())],
            key_der(server),
        )
}

/// A client of `version` trusting `server_ca`, presenting what `resolver` gives.
pub fn client_config(
    resolver: Arc<dyn ResolvesClientCert>,
    version: Version,
    server_ca: &Node,
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(server_ca.der.clone()))
        .unwrap();
    Arc::new(
        ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_client_cert_resolver(resolver),
    )
}

/// What each side saw.
pub struct Outcome {
    pub server: Result<rustls::ServerConnection, rustls::Error>,
    pub client: Result<(), rustls::Error>,
}

/// Runs a handshake in memory until both sides are done or one fails; a failing side's
/// alert is delivered to the other.
pub fn handshake(server: Arc<ServerConfig>, client: Arc<ClientConfig>) -> Outcome {
    let mut s = rustls::ServerConnection::new(server).unwrap();
    let mut c = rustls::ClientConnection::new(client, "localhost".try_into().unwrap()).unwrap();
    let (mut server_err, mut client_err) = (None, None);
    for _ in 0..20 {
        let mut buf = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() && server_err.is_none() {
            s.read_tls(&mut buf.as_slice()).unwrap();
            if let Err(e) = s.process_new_packets() {
                server_err = Some(e);
            }
        }
        let mut buf = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() && client_err.is_none() {
            c.read_tls(&mut buf.as_slice()).unwrap();
            if let Err(e) = c.process_new_packets() {
                client_err = Some(e);
            }
        }
        let done =
            !s.is_handshaking() && !c.is_handshaking() && !s.wants_write() && !c.wants_write();
        if (server_err.is_some() && client_err.is_some())
            || (server_err.is_none() && client_err.is_none() && done)
        {
            break;
        }
    }
    Outcome {
        server: server_err.map_or(Ok(s), Err),
        client: client_err.map_or(Ok(()), Err),
    }
}
