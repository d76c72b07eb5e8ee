//! The rustls adapter: a [`ClientCertVerifier`] backed by this crate (feature `rustls`).
//!
//! # What it does in a handshake
//!
//! 1. **The chain** ([`ClientCertVerifier::verify_client_cert`]): phase 1 under the current
//!    settings snapshot of a [`LiveAuthenticator`] — managed and self-managed anchors, the
//!    configured intermediates and CRLs, the settings' limits and clock-skew leeway. A refusal
//!    becomes the TLS alert of [`AuthError::tls_alert`] (revoked → `certificate_revoked`,
//!    expired → `certificate_expired`, unknown issuer → `unknown_ca`, self-managed X.509 off →
//!    `access_denied`, a broken certificate → `bad_certificate`) and one audit event.
//! 2. **Proof of possession** (`verify_tls12_signature` / `verify_tls13_signature`): the
//!    client's CertificateVerify signature over the handshake transcript, checked by this
//!    adapter with the crate's own certificate reader and signature backend (the same policy as
//!    for certificates: no SHA-1, RSA of at least 2048 bits; TLS 1.3 further refuses PKCS #1
//!    v1.5 and binds each ECDSA scheme to its curve). Without this step anyone holding a copy of
//!    a public certificate could log in; the adapter never leaves it to glue code. A signature
//!    that does not verify, or whose scheme does not fit the certificate's key, is
//!    `decrypt_error`; a scheme the server did not offer (or PKCS #1 v1.5 in TLS 1.3) is
//!    `illegal_parameter`.
//!
//! # After the handshake: the hand-over
//!
//! rustls gives the application only the certificates the client presented
//! (`peer_certificates()`), not the verifier's result. [`ClientVerifier::verified_client`]
//! turns those into the [`VerifiedClient`] phase 2 needs by asking the same snapshot's
//! verifier again, which answers from its verified-chain cache: a digest of the presented
//! DER and a lookup, no signature. (With the cache turned off, or after a settings change
//! between the handshake and this call, the chain is verified again, under the snapshot
//! current then.) Either way the result is the crate's own, never the application's.
//!
//! # Session resumption
//!
//! A client that resumes a session (a TLS 1.2 session ID, a TLS 1.3 ticket) completes the
//! handshake without the verifier being asked: rustls restores the certificates of the
//! original handshake, whose proof of possession the resumption secret carries over. A
//! CRL, a CA removal or a switch made since does not stop that handshake. The hand-over does:
//! it verifies the restored certificates under the settings current then. Call
//! [`ClientVerifier::verified_client`] on every connection, resumed or not (or turn
//! resumption off in the `ServerConfig`: `session_storage` and `send_tls13_tickets`). With a
//! [`LiveServerConfig`] whose `make` builds a fresh session store each time, a configuration
//! taken after a settings change resumes no session from before it; one taken before still
//! does.
//!
//! # Following live settings
//!
//! Every verification reads the current snapshot of the [`LiveAuthenticator`]. The CA hints
//! a server sends in its CertificateRequest are fixed per verifier (rustls borrows them for
//! the verifier's lifetime); [`LiveServerConfig`] makes a new verifier and `ServerConfig`
//! whenever the settings change, so new connections see new hints.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, ServerConfig,
    SignatureScheme,
};
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::audit;
use crate::cert::Certificate;
use crate::classify::VerifiedClient;
use crate::crypto::{HashAlg, KeyKind, SignatureAlgorithm, SpkiRef};
use crate::error::{AuthError, ChainError, CryptoError, TlsAlert};
use crate::live::LiveAuthenticator;

/// Whether a client must present a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// A client without a certificate fails the handshake (`certificate_required`).
    #[default]
    Required,
    /// A client may connect without a certificate (MongoDB's
    /// `allowConnectionsWithoutCertificates`): the handshake completes, and
    /// [`ClientVerifier::verified_client`] then answers `NoCertificate`, so the server can
    /// offer another mechanism or refuse. A certificate that is presented is verified as
    /// strictly as when it is required.
    Optional,
}

/// Which certificate authorities the server names in its CertificateRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootHints {
    /// The subjects of every anchor of both CA sets (managed, and self-managed when enabled),
    /// unless they do not fit the message's 65 535 bytes: then none, with a warning event.
    #[default]
    AllAnchors,
    /// None (for very large bundles; clients then offer whichever certificate they have).
    None,
}

/// Options of a [`ClientVerifier`].
#[derive(Debug, Clone, Copy, Default)]
#[must_use]
pub struct VerifierOptions {
    client_auth: ClientAuth,
    root_hints: RootHints,
}

impl VerifierOptions {
    /// Whether a certificate is required (default) or optional.
    pub fn client_auth(mut self, mode: ClientAuth) -> Self {
        self.client_auth = mode;
        self
    }

    /// Which CA hints to send (default: every anchor).
    pub fn root_hints(mut self, hints: RootHints) -> Self {
        self.root_hints = hints;
        self
    }
}

/// A rustls client-certificate verifier backed by a [`LiveAuthenticator`].
///
/// ```
/// use std::sync::Arc;
/// use x509_dbauth::LiveAuthenticator;
/// use x509_dbauth::tls::{ClientAuth, ClientVerifier, VerifierOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let live = Arc::new(LiveAuthenticator::from_file("examples/settings.toml")?);
/// let verifier = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
/// // Hand it to rustls:
/// // ServerConfig::builder().with_client_cert_verifier(verifier).with_single_cert(chain, key)
/// # let _ = verifier;
/// # Ok(()) }
/// ```
pub struct ClientVerifier {
    live: Arc<LiveAuthenticator>,
    options: VerifierOptions,
    hints: Vec<DistinguishedName>,
}

impl core::fmt::Debug for ClientVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientVerifier")
            .field("options", &self.options)
            .field("hints", &self.hints.len())
            .finish_non_exhaustive()
    }
}

/// The most the CertificateRequest's `certificate_authorities` list can hold.
const MAX_HINT_BYTES: usize = 65_535;

impl ClientVerifier {
    /// A verifier reading `live`'s current snapshot at every handshake. The CA hints are those
    /// of the snapshot current now (see [`LiveServerConfig`] to follow changes).
    pub fn new(live: Arc<LiveAuthenticator>, options: VerifierOptions) -> Arc<ClientVerifier> {
        let hints = match options.root_hints {
            RootHints::None => Vec::new(),
            RootHints::AllAnchors => hints_of(&live),
        };
        Arc::new(ClientVerifier {
            live,
            options,
            hints,
        })
    }

    /// The live settings this verifier follows.
    pub fn live(&self) -> &Arc<LiveAuthenticator> {
        &self.live
    }

    /// The hand-over: the [`VerifiedClient`] for a connection whose handshake this verifier
    /// accepted, from the certificates rustls reports (`conn.peer_certificates()`), at the
    /// current time. Answered from the snapshot's verified-chain cache when the handshake's
    /// result is there; verified again otherwise (see the module documentation). `None` (no
    /// certificate, possible under [`ClientAuth::Optional`]) is `NoCertificate`.
    pub fn verified_client(
        &self,
        peer_certificates: Option<&[CertificateDer<'_>]>,
    ) -> Result<VerifiedClient, AuthError> {
        hand_over(&self.live, peer_certificates)
    }

    fn check_handshake_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
        tls13: bool,
    ) -> Result<HandshakeSignatureValid, Error> {
        let started = Instant::now();
        let snapshot = self.live.snapshot();
        let settings = snapshot.settings();
        let result = handshake_signature(
            settings.verifier().backend(),
            settings.limits(),
            message,
            cert,
            dss,
            tls13,
        );
        match result {
            Ok(()) => Ok(HandshakeSignatureValid::assertion()),
            Err(refusal) => {
                audit::handshake_signature_refused(
                    snapshot.counters(),
                    cert.as_ref(),
                    &refusal,
                    started.elapsed(),
                    settings.limits(),
                );
                Err(refusal.into_rustls())
            }
        }
    }
}

/// The hand-over after a handshake: phase 1 again on what rustls reports, which the
/// snapshot's verified-chain cache answers. No certificate is phase 1's own `NoCertificate`
/// (counted and logged like any refusal).
fn hand_over(
    live: &LiveAuthenticator,
    peer_certificates: Option<&[CertificateDer<'_>]>,
) -> Result<VerifiedClient, AuthError> {
    live.verify_client(peer_certificates.unwrap_or_default(), UnixTime::now())
}

fn hints_of(live: &LiveAuthenticator) -> Vec<DistinguishedName> {
    let snapshot = live.snapshot();
    let settings = snapshot.settings();
    let mut sets = vec![settings.managed_anchors()];
    if settings.self_managed_enabled() {
        sets.push(settings.self_managed_anchors());
    }
    let mut seen = std::collections::HashSet::new();
    let mut hints = Vec::new();
    let mut bytes = 0usize;
    for anchor in sets.into_iter().flat_map(|s| s.iter()) {
        if !seen.insert(anchor.subject_der) {
            continue;
        }
        bytes = bytes.saturating_add(anchor.subject_der.len().saturating_add(2));
        hints.push(DistinguishedName::from(anchor.subject_der.to_vec()));
    }
    if bytes > MAX_HINT_BYTES {
        tracing::warn!(
            target: crate::live::SETTINGS_TARGET,
            anchors = hints.len(),
            bytes,
            "the CA hints do not fit a CertificateRequest (65 535 bytes); sending none"
        );
        return Vec::new();
    }
    hints
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.options.client_auth == ClientAuth::Required
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let mut presented = Vec::with_capacity(intermediates.len().saturating_add(1));
        presented.push(CertificateDer::from(end_entity.as_ref()));
        presented.extend(
            intermediates
                .iter()
                .map(|c| CertificateDer::from(c.as_ref())),
        );
        match self.live.verify_client(&presented, now) {
            Ok(_) => Ok(ClientCertVerified::assertion()),
            Err(e) => Err(rustls_error(&e)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.check_handshake_signature(message, cert, dss, false)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.check_handshake_signature(message, cert, dss, true)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        SUPPORTED_SCHEMES.to_vec()
    }
}

/// The handshake signature schemes the adapter verifies, strongest first.
const SUPPORTED_SCHEMES: [SignatureScheme; 9] = [
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA256,
];

/// Why a CertificateVerify signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandshakeSignatureRefusal {
    /// The certificate could not be read (it passed chain verification, so this is not
    /// expected; refused all the same).
    Certificate(String),
    /// The scheme is not one the adapter offered, or not allowed in this TLS version
    /// (`illegal_parameter`, as rustls answers a scheme it did not advertise).
    Scheme(String),
    /// The scheme is one the adapter offered, but not for the certificate's key type (or, in
    /// TLS 1.3, its curve): the signature cannot be the key holder's (`decrypt_error`, as for
    /// a signature that does not verify, and as rustls-webpki answers).
    KeyMismatch(String),
    /// The signature does not verify.
    Signature(CryptoError),
}

impl HandshakeSignatureRefusal {
    /// The operator's text.
    pub(crate) fn reason(&self) -> String {
        match self {
            HandshakeSignatureRefusal::Certificate(why) => {
                format!("the client certificate cannot be read for the handshake signature: {why}")
            }
            HandshakeSignatureRefusal::Scheme(why)
            | HandshakeSignatureRefusal::KeyMismatch(why) => {
                format!("the handshake signature scheme is refused: {why}")
            }
            HandshakeSignatureRefusal::Signature(e) => format!(
                "the handshake signature (CertificateVerify) does not verify with the certificate's key: {e}"
            ),
        }
    }

    /// The name of the TLS alert rustls sends for this refusal (see `into_rustls`).
    pub(crate) fn alert_name(&self) -> &'static str {
        match self {
            HandshakeSignatureRefusal::Certificate(_) => TlsAlert::BadCertificate.name(),
            HandshakeSignatureRefusal::Scheme(_) => "illegal_parameter",
            HandshakeSignatureRefusal::KeyMismatch(_) | HandshakeSignatureRefusal::Signature(_) => {
                TlsAlert::DecryptError.name()
            }
        }
    }

    fn into_rustls(self) -> Error {
        match self {
            HandshakeSignatureRefusal::Certificate(_) => {
                Error::InvalidCertificate(CertificateError::BadEncoding)
            }
            HandshakeSignatureRefusal::Scheme(_) => Error::PeerMisbehaved(
                rustls::PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme,
            ),
            HandshakeSignatureRefusal::KeyMismatch(_) | HandshakeSignatureRefusal::Signature(_) => {
                Error::InvalidCertificate(CertificateError::BadSignature)
            }
        }
    }
}

/// Checks a CertificateVerify signature with the crate's reader and backend.
pub(crate) fn handshake_signature(
    backend: &dyn crate::crypto::SignatureVerifier,
    limits: &crate::Limits,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    tls13: bool,
) -> Result<(), HandshakeSignatureRefusal> {
    let leaf = Certificate::from_der(cert.as_ref(), limits)
        .map_err(|e| HandshakeSignatureRefusal::Certificate(e.to_string()))?;
    let spki = SpkiRef::from_der(leaf.spki_der())
        .map_err(|e| HandshakeSignatureRefusal::Certificate(e.to_string()))?;
    let alg = scheme_algorithm(dss.scheme, spki.kind, tls13)?;
    crate::crypto::verify_signature(backend, alg, &spki, message, dss.signature(), false)
        .map_err(HandshakeSignatureRefusal::Signature)
}

/// The algorithm a signature scheme names, for a key of `kind` (RFC 8446 §4.2.3; RFC 5246
/// §7.4.1.4.1 with RFC 8422 and RFC 8446 §4.2.3 for TLS 1.2).
fn scheme_algorithm(
    scheme: SignatureScheme,
    kind: KeyKind,
    tls13: bool,
) -> Result<SignatureAlgorithm, HandshakeSignatureRefusal> {
    let refuse = |why: &str| HandshakeSignatureRefusal::Scheme(format!("{scheme:?}: {why}"));
    let rsa = matches!(kind, KeyKind::Rsa { .. });
    let alg = match scheme {
        SignatureScheme::RSA_PKCS1_SHA256 if rsa => SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
        SignatureScheme::RSA_PKCS1_SHA384 if rsa => SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384),
        SignatureScheme::RSA_PKCS1_SHA512 if rsa => SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512),
        SignatureScheme::RSA_PSS_SHA256 if rsa => SignatureAlgorithm::RsaPss(HashAlg::Sha256),
        SignatureScheme::RSA_PSS_SHA384 if rsa => SignatureAlgorithm::RsaPss(HashAlg::Sha384),
        SignatureScheme::RSA_PSS_SHA512 if rsa => SignatureAlgorithm::RsaPss(HashAlg::Sha512),
        // TLS 1.3 binds the curve to the scheme; TLS 1.2 names only the hash.
        SignatureScheme::ECDSA_NISTP256_SHA256
            if kind == KeyKind::P256 || (!tls13 && kind == KeyKind::P384) =>
        {
            SignatureAlgorithm::Ecdsa(HashAlg::Sha256)
        }
        SignatureScheme::ECDSA_NISTP384_SHA384
            if kind == KeyKind::P384 || (!tls13 && kind == KeyKind::P256) =>
        {
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384)
        }
        SignatureScheme::ED25519 if kind == KeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
        s if SUPPORTED_SCHEMES.contains(&s) => {
            return Err(HandshakeSignatureRefusal::KeyMismatch(format!(
                "{scheme:?}: does not fit the certificate's key"
            )));
        }
        _ => return Err(refuse("not offered by this server")),
    };
    if tls13 && matches!(alg, SignatureAlgorithm::RsaPkcs1(_)) {
        return Err(refuse(
            "RSASSA-PKCS1-v1_5 is not allowed for CertificateVerify in TLS 1.3",
        ));
    }
    Ok(alg)
}

/// The rustls error (and so the alert) for a refusal: by [`AuthError::tls_alert`].
pub(crate) fn rustls_error(e: &AuthError) -> Error {
    let chain = e.chain_error();
    let certificate_error = match e.tls_alert() {
        TlsAlert::CertificateRevoked => CertificateError::Revoked,
        TlsAlert::CertificateExpired => match chain {
            Some(ChainError::NotYetValid { .. }) => CertificateError::NotValidYet,
            _ => CertificateError::Expired,
        },
        TlsAlert::UnknownCa => match chain {
            Some(ChainError::CrlMissing { .. } | ChainError::CrlInvalid { .. }) => {
                CertificateError::UnknownRevocationStatus
            }
            _ => CertificateError::UnknownIssuer,
        },
        TlsAlert::AccessDenied => CertificateError::ApplicationVerificationFailure,
        TlsAlert::UnsupportedCertificate => CertificateError::InvalidPurpose,
        TlsAlert::DecryptError => CertificateError::BadSignature,
        TlsAlert::CertificateRequired => return Error::NoCertificatesPresented,
        TlsAlert::BadCertificate => match chain {
            Some(ChainError::UnknownCriticalExtension { .. }) => {
                CertificateError::UnhandledCriticalExtension
            }
            Some(ChainError::NameConstraintViolation { .. }) => CertificateError::NotValidForName,
            _ => CertificateError::BadEncoding,
        },
    };
    Error::InvalidCertificate(certificate_error)
}

/// A rustls `ServerConfig` that follows a [`LiveAuthenticator`]: rebuilt (with a new
/// [`ClientVerifier`] and its CA hints) on the first [`LiveServerConfig::current`] after a
/// settings change. Hand `current()` to each new connection's acceptor
/// (`tokio_rustls::TlsAcceptor::from(config.current())`); connections already open keep
/// theirs.
pub struct LiveServerConfig {
    live: Arc<LiveAuthenticator>,
    options: VerifierOptions,
    make: MakeConfig,
    current: ArcSwap<(u64, Arc<ServerConfig>)>,
    rebuild: Mutex<()>,
}

type MakeConfig =
    Box<dyn Fn(Arc<dyn ClientCertVerifier>) -> Result<ServerConfig, Error> + Send + Sync>;

impl core::fmt::Debug for LiveServerConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LiveServerConfig")
            .field("options", &self.options)
            .field("generation", &self.current.load().0)
            .finish_non_exhaustive()
    }
}

impl LiveServerConfig {
    /// `make` builds the server's `ServerConfig` around the verifier it is given (the
    /// server's own certificate, ALPN, versions); it is called now and after each settings
    /// change.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use rustls::ServerConfig;
    /// use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
    /// use x509_dbauth::LiveAuthenticator;
    /// use x509_dbauth::tls::{LiveServerConfig, VerifierOptions};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let live = Arc::new(LiveAuthenticator::from_file("examples/settings.toml")?);
    /// let chain: Vec<CertificateDer<'static>> =
    ///     CertificateDer::pem_file_iter("examples/pki/server-chain.pem")?.collect::<Result<_, _>>()?;
    /// let key = PrivateKeyDer::from_pem_file("examples/pki/server.key")?;
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let config = LiveServerConfig::new(Arc::clone(&live), VerifierOptions::default(), move |verifier| {
    ///     ServerConfig::builder_with_provider(Arc::clone(&provider))
    ///         .with_safe_default_protocol_versions()?
    ///         .with_client_cert_verifier(verifier)
    ///         .with_single_cert(chain.clone(), key.clone_key())
    /// })?;
    /// let acceptor_config: Arc<ServerConfig> = config.current(); // per accepted connection
    /// # let _ = acceptor_config;
    /// # Ok(()) }
    /// ```
    pub fn new(
        live: Arc<LiveAuthenticator>,
        options: VerifierOptions,
        make: impl Fn(Arc<dyn ClientCertVerifier>) -> Result<ServerConfig, Error>
        + Send
        + Sync
        + 'static,
    ) -> Result<LiveServerConfig, Error> {
        let generation = live.generation();
        let first = make(ClientVerifier::new(Arc::clone(&live), options))?;
        Ok(LiveServerConfig {
            live,
            options,
            make: Box::new(make),
            current: ArcSwap::from_pointee((generation, Arc::new(first))),
            rebuild: Mutex::new(()),
        })
    }

    /// The configuration for a new connection: the current one, rebuilt first if the settings
    /// changed since it was made. If the rebuild fails (an error event says why), the previous
    /// configuration is returned; its verifier still follows the settings, only its CA hints
    /// are older.
    pub fn current(&self) -> Arc<ServerConfig> {
        let generation = self.live.generation();
        let loaded = self.current.load();
        if loaded.0 == generation {
            return Arc::clone(&loaded.1);
        }
        let _one_rebuild = match self.rebuild.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let loaded = self.current.load();
        if loaded.0 == generation {
            return Arc::clone(&loaded.1);
        }
        match (self.make)(ClientVerifier::new(Arc::clone(&self.live), self.options)) {
            Ok(config) => {
                let config = Arc::new(config);
                self.current
                    .store(Arc::new((generation, Arc::clone(&config))));
                config
            }
            Err(e) => {
                tracing::error!(
                    target: crate::live::SETTINGS_TARGET,
                    generation,
                    error = %e,
                    "the TLS server configuration cannot be rebuilt; keeping the previous one"
                );
                self.current
                    .store(Arc::new((generation, Arc::clone(&loaded.1))));
                Arc::clone(&loaded.1)
            }
        }
    }

    /// The verifier's live settings.
    pub fn live(&self) -> &Arc<LiveAuthenticator> {
        &self.live
    }

    /// The hand-over after a handshake: see [`ClientVerifier::verified_client`].
    pub fn verified_client(
        &self,
        peer_certificates: Option<&[CertificateDer<'_>]>,
    ) -> Result<VerifiedClient, AuthError> {
        hand_over(&self.live, peer_certificates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(
        s: SignatureScheme,
        kind: KeyKind,
        tls13: bool,
    ) -> Result<SignatureAlgorithm, String> {
        scheme_algorithm(s, kind, tls13).map_err(|e| e.reason())
    }

    #[test]
    fn tls13_binds_ecdsa_schemes_to_their_curve_and_tls12_does_not() {
        use SignatureScheme as S;
        let ecdsa256 = Ok(SignatureAlgorithm::Ecdsa(HashAlg::Sha256));
        let ecdsa384 = Ok(SignatureAlgorithm::Ecdsa(HashAlg::Sha384));
        assert_eq!(
            scheme(S::ECDSA_NISTP256_SHA256, KeyKind::P256, true),
            ecdsa256
        );
        assert_eq!(
            scheme(S::ECDSA_NISTP384_SHA384, KeyKind::P384, true),
            ecdsa384
        );
        assert_eq!(
            scheme(S::ECDSA_NISTP256_SHA256, KeyKind::P384, true),
            Err("the handshake signature scheme is refused: ECDSA_NISTP256_SHA256: does not fit the certificate's key".to_owned())
        );
        assert_eq!(
            scheme(S::ECDSA_NISTP256_SHA256, KeyKind::P384, false),
            ecdsa256
        );
        assert_eq!(
            scheme(S::ECDSA_NISTP384_SHA384, KeyKind::P256, false),
            ecdsa384
        );
    }

    #[test]
    fn tls13_refuses_pkcs1_and_every_version_refuses_what_was_not_offered() {
        use SignatureScheme as S;
        let rsa = KeyKind::Rsa { bits: 2048 };
        assert_eq!(
            scheme(S::RSA_PKCS1_SHA256, rsa, true),
            Err("the handshake signature scheme is refused: RSA_PKCS1_SHA256: RSASSA-PKCS1-v1_5 is not allowed for CertificateVerify in TLS 1.3".to_owned())
        );
        assert_eq!(
            scheme(S::RSA_PKCS1_SHA256, rsa, false),
            Ok(SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256))
        );
        assert_eq!(
            scheme(S::RSA_PSS_SHA384, rsa, true),
            Ok(SignatureAlgorithm::RsaPss(HashAlg::Sha384))
        );
        for (s, kind) in [
            (S::RSA_PKCS1_SHA1, rsa),
            (S::ECDSA_SHA1_Legacy, KeyKind::P256),
            (S::ECDSA_NISTP521_SHA512, KeyKind::P256),
            (S::RSA_PSS_SHA256, KeyKind::P256),
            (S::ED25519, rsa),
        ] {
            for tls13 in [false, true] {
                assert!(
                    scheme(s, kind, tls13).is_err(),
                    "{s:?} with {kind:?} (TLS 1.3: {tls13})"
                );
            }
        }
        assert_eq!(
            scheme(S::RSA_PKCS1_SHA1, rsa, false),
            Err("the handshake signature scheme is refused: RSA_PKCS1_SHA1: not offered by this server".to_owned())
        );
    }

    #[test]
    fn every_refusal_maps_to_its_rustls_error() {
        use crate::error::{CertPosition, CertRef};
        let cert = CertRef {
            position: CertPosition::Presented(0),
            subject: "CN=x".into(),
        };
        let chain = |e: ChainError| rustls_error(&AuthError::Chain(e));
        assert_eq!(
            chain(ChainError::Revoked {
                cert: cert.clone(),
                revoked_at: crate::Timestamp::from_unix_seconds(0),
                reason: None,
            }),
            Error::InvalidCertificate(CertificateError::Revoked)
        );
        assert_eq!(
            rustls_error(&AuthError::SelfManagedDisabled {
                anchor: "CN=a".into()
            }),
            Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
        );
        assert_eq!(
            rustls_error(&AuthError::EmptySubject),
            Error::InvalidCertificate(CertificateError::BadEncoding)
        );
        assert_eq!(
            rustls_error(&AuthError::NoCertificate),
            Error::NoCertificatesPresented
        );
    }
}
