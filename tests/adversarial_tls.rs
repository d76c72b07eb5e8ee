//! Adversarial review of the paths to an "allow" added with the rustls adapter, live settings,
//! audit events, the verified-chain and issuer caches and the clock-skew leeway: each test is
//! an attack by someone who controls a client's certificate bytes, its handshake messages or a
//! settings file, or who races an administrator's change, and asserts the exact outcome.
#![cfg(feature = "rustls")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::generate::{Alg, DAY, Key, Node, Spec, crl, dn, issue, root};
use common::tls::{Outcome, TLS12, TLS13, Version, handshake, key_der, now, provider};
use rcgen::{DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{AlertDescription, CertificateError, ClientConfig, ServerConfig, SignatureScheme};
use x509_dbauth::tls::{ClientAuth, ClientVerifier, LiveServerConfig, VerifierOptions};
use x509_dbauth::{
    AuthError, Authenticator, CertificateKind, LiveAuthenticator, Settings, TrustAnchors, UserSpec,
};

const JANE: &str = "CN=Jane Doe,O=MongoDB,C=US";

fn jane_dn() -> Vec<(DnType, &'static str)> {
    vec![
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, "Jane Doe"),
    ]
}

fn leaf_spec(parts: &[(DnType, &str)], alg: Alg, serial: u64) -> Spec {
    let mut spec = Spec::leaf("unused", alg);
    spec.dn = dn(parts);
    spec.serial = serial;
    spec.not_before = now() - DAY;
    spec.not_after = now() + 90 * DAY;
    spec
}

fn leaf(parts: &[(DnType, &str)], alg: Alg, serial: u64, by: &Node) -> Node {
    issue(&leaf_spec(parts, alg, serial), by)
}

struct Pki {
    project_ca: Node,
    server_ca: Node,
    server: Node,
    jane: Node,
    jane_rsa: Node,
    jane_ed: Node,
    jane_p384: Node,
    rsa_key: Node,
    ed_key: Node,
    p256_key: Node,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let ca = |cn: &str, alg| {
            let mut s = Spec::ca(cn, alg);
            s.not_before = now() - 10 * DAY;
            s.not_after = now() + 3650 * DAY;
            root(&s)
        };
        let project_ca = ca("Project CA", Alg::P384);
        let server_ca = ca("Server CA", Alg::P256);
        let other_ca = ca("Other CA", Alg::P256);
        let mut server_spec = Spec::leaf("localhost", Alg::P256);
        server_spec.ekus = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_spec.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_spec.sans = vec![SanType::DnsName("localhost".try_into().unwrap())];
        server_spec.not_before = now() - DAY;
        server_spec.not_after = now() + 90 * DAY;
        let server = issue(&server_spec, &server_ca);
        let holder = |alg, serial| {
            leaf(
                &[(DnType::CommonName, "key holder")],
                alg,
                serial,
                &other_ca,
            )
        };
        Pki {
            jane: leaf(&jane_dn(), Alg::P256, 101, &project_ca),
            jane_rsa: leaf(&jane_dn(), Alg::Rsa2048Sha256(1), 102, &project_ca),
            jane_ed: leaf(&jane_dn(), Alg::Ed25519, 103, &project_ca),
            jane_p384: leaf(&jane_dn(), Alg::P384, 104, &project_ca),
            rsa_key: holder(Alg::Rsa2048Sha256(2), 201),
            ed_key: holder(Alg::Ed25519, 202),
            p256_key: holder(Alg::P256, 203),
            project_ca,
            server_ca,
            server,
        }
    })
}

fn anchors(node: &Node) -> TrustAnchors {
    TrustAnchors::from_ders([node.der.as_slice()]).unwrap()
}

fn settings() -> x509_dbauth::SettingsBuilder {
    Settings::builder()
        .enable_self_managed(anchors(&pki().project_ca))
        .add_user(UserSpec {
            name: JANE.to_owned(),
            kind: CertificateKind::SelfManaged,
            roles: vec!["readWrite@sales".to_owned()],
        })
}

fn live() -> Arc<LiveAuthenticator> {
    Arc::new(LiveAuthenticator::new(Authenticator::new(Arc::new(
        settings().build().unwrap(),
    ))))
}

fn server_config(
    verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    version: Version,
) -> Result<ServerConfig, rustls::Error> {
    common::tls::server_config(verifier, version, &pki().server)
}

/// Signs CertificateVerify with `inner` under the scheme `sign_as`, and tells the server it
/// used `claim`: how a client lies about its signature, or pairs a key with a scheme.
#[derive(Debug)]
struct Claiming {
    inner: Arc<dyn SigningKey>,
    sign_as: SignatureScheme,
    claim: SignatureScheme,
}

impl SigningKey for Claiming {
    fn choose_scheme(&self, _: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let signer = self.inner.choose_scheme(&[self.sign_as])?;
        Some(Box::new(ClaimingSigner {
            inner: signer,
            claim: self.claim,
        }))
    }
    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.inner.algorithm()
    }
}

#[derive(Debug)]
struct ClaimingSigner {
    inner: Box<dyn Signer>,
    claim: SignatureScheme,
}

impl Signer for ClaimingSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        self.inner.sign(message)
    }
    fn scheme(&self) -> SignatureScheme {
        self.claim
    }
}

/// ECDSA over P-384 with SHA-256 (what TLS 1.2's `ecdsa_secp256r1_sha256` names for a P-384
/// key): ring cannot make it, RustCrypto can.
#[derive(Debug)]
struct P384Sha256(Vec<u8>);

impl SigningKey for P384Sha256 {
    fn choose_scheme(&self, _: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        Some(Box::new(P384Sha256Signer(self.0.clone())))
    }
    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::ECDSA
    }
}

#[derive(Debug)]
struct P384Sha256Signer(Vec<u8>);

impl Signer for P384Sha256Signer {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use p384::ecdsa::signature::hazmat::PrehashSigner;
        use sha2::Digest;
        // The private scalar of the PKCS #8 ECPrivateKey: version 1, then OCTET STRING (48).
        let at = self
            .0
            .windows(5)
            .position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x30])
            .unwrap();
        let key = p384::ecdsa::SigningKey::from_slice(&self.0[at + 5..at + 53]).unwrap();
        let digest = sha2::Sha256::digest(message);
        let sig: p384::ecdsa::Signature = key.sign_prehash(&digest).unwrap();
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP256_SHA256
    }
}

/// Presents `chain` with a signing key.
#[derive(Debug)]
struct Presenter(Option<Arc<CertifiedKey>>);

impl ResolvesClientCert for Presenter {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.0.clone()
    }
    fn has_certs(&self) -> bool {
        self.0.is_some()
    }
}

fn ring_key(node: &Node) -> Arc<dyn SigningKey> {
    provider()
        .key_provider
        .load_private_key(key_der(node))
        .unwrap()
}

fn presenting(chain: &[&Node], key: Arc<dyn SigningKey>) -> Arc<Presenter> {
    Arc::new(Presenter(Some(Arc::new(CertifiedKey::new(
        chain
            .iter()
            .map(|n| CertificateDer::from(n.der.clone()))
            .collect(),
        key,
    )))))
}

fn client_config(presenter: Arc<Presenter>, version: Version) -> Arc<ClientConfig> {
    common::tls::client_config(presenter, version, &pki().server_ca)
}

fn connect_with(
    verifier: Arc<ClientVerifier>,
    version: Version,
    presenter: Arc<Presenter>,
) -> Outcome {
    handshake(
        Arc::new(server_config(verifier, version).unwrap()),
        client_config(presenter, version),
    )
}

fn connect(live: &Arc<LiveAuthenticator>, version: Version, presenter: Arc<Presenter>) -> Outcome {
    connect_with(
        ClientVerifier::new(Arc::clone(live), VerifierOptions::default()),
        version,
        presenter,
    )
}

/// The alert the client received, and the server's error.
fn refused(outcome: Outcome) -> (AlertDescription, rustls::Error) {
    let alert = match &outcome.client {
        Err(rustls::Error::AlertReceived(a)) => *a,
        other => panic!("expected an alert, the client saw {other:?}"),
    };
    (alert, outcome.server.expect_err("the server refused"))
}

fn bad_signature() -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::BadSignature)
}

fn unadvertised() -> rustls::Error {
    rustls::Error::PeerMisbehaved(rustls::PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)
}

/// The client completed the handshake and the hand-over names Jane.
fn allowed(live: &Arc<LiveAuthenticator>, outcome: Outcome) {
    assert_eq!(outcome.client, Ok(()));
    let conn = outcome.server.unwrap();
    let v = ClientVerifier::new(Arc::clone(live), VerifierOptions::default());
    let client = v.verified_client(conn.peer_certificates()).unwrap();
    assert_eq!(client.subject().to_string(), JANE);
}

// ---- 1. Proof of possession ----

#[test]
fn pop_a_key_of_another_type_is_decrypt_error_in_both_versions() {
    let p = pki();
    for version in [TLS12, TLS13] {
        // Jane's P-256 certificate; the handshake signed with an RSA key (RSA-PSS) and with
        // an Ed25519 key, each under its own honest scheme.
        for (key, scheme) in [
            (&p.rsa_key, SignatureScheme::RSA_PSS_SHA256),
            (&p.ed_key, SignatureScheme::ED25519),
        ] {
            let live = live();
            let signing = Arc::new(Claiming {
                inner: ring_key(key),
                sign_as: scheme,
                claim: scheme,
            });
            let outcome = connect(&live, version, presenting(&[&p.jane], signing));
            assert_eq!(
                refused(outcome),
                (AlertDescription::DecryptError, bad_signature()),
                "{version:?} {scheme:?}"
            );
            assert_eq!(
                live.counters().denied(),
                BTreeMap::from([("bad_handshake_signature", 1)])
            );
        }
    }
}

#[test]
fn pop_another_key_of_the_same_type_is_refused_for_every_key_type() {
    let p = pki();
    // RSA certificate, another RSA key; Ed25519 certificate, another Ed25519 key.
    for (cert, key, scheme) in [
        (&p.jane_rsa, &p.rsa_key, SignatureScheme::RSA_PSS_SHA256),
        (&p.jane_ed, &p.ed_key, SignatureScheme::ED25519),
        (&p.jane, &p.p256_key, SignatureScheme::ECDSA_NISTP256_SHA256),
    ] {
        for version in [TLS12, TLS13] {
            let live = live();
            let signing = Arc::new(Claiming {
                inner: ring_key(key),
                sign_as: scheme,
                claim: scheme,
            });
            let outcome = connect(&live, version, presenting(&[cert], signing));
            assert_eq!(
                refused(outcome),
                (AlertDescription::DecryptError, bad_signature()),
                "{version:?} {scheme:?}"
            );
        }
    }
}

#[test]
fn pop_the_right_key_of_each_type_is_allowed() {
    let p = pki();
    for (cert, scheme) in [
        (&p.jane_rsa, SignatureScheme::RSA_PSS_SHA256),
        (&p.jane_ed, SignatureScheme::ED25519),
        (&p.jane, SignatureScheme::ECDSA_NISTP256_SHA256),
        (&p.jane_p384, SignatureScheme::ECDSA_NISTP384_SHA384),
    ] {
        for version in [TLS12, TLS13] {
            let live = live();
            let signing = Arc::new(Claiming {
                inner: ring_key(cert),
                sign_as: scheme,
                claim: scheme,
            });
            allowed(&live, connect(&live, version, presenting(&[cert], signing)));
        }
    }
}

#[test]
fn pop_a_scheme_the_server_did_not_offer_is_illegal_parameter() {
    let p = pki();
    for version in [TLS12, TLS13] {
        let live = live();
        // A real P-256 signature by Jane's key, announced as ECDSA with SHA-1 (not offered).
        let signing = Arc::new(Claiming {
            inner: ring_key(&p.jane),
            sign_as: SignatureScheme::ECDSA_NISTP256_SHA256,
            claim: SignatureScheme::ECDSA_SHA1_Legacy,
        });
        let outcome = connect(&live, version, presenting(&[&p.jane], signing));
        assert_eq!(
            refused(outcome),
            (AlertDescription::IllegalParameter, unadvertised()),
            "{version:?}"
        );
    }
}

#[test]
fn pop_a_signature_announced_under_another_scheme_of_the_key_type_is_refused() {
    let p = pki();
    for version in [TLS12, TLS13] {
        let live = live();
        // An RSA-PSS SHA-256 signature announced as RSA-PSS SHA-384.
        let signing = Arc::new(Claiming {
            inner: ring_key(&p.jane_rsa),
            sign_as: SignatureScheme::RSA_PSS_SHA256,
            claim: SignatureScheme::RSA_PSS_SHA384,
        });
        let outcome = connect(&live, version, presenting(&[&p.jane_rsa], signing));
        assert_eq!(
            refused(outcome),
            (AlertDescription::DecryptError, bad_signature()),
            "{version:?}"
        );
    }
}

#[test]
fn pop_pkcs1_is_refused_in_tls13_and_allowed_in_tls12() {
    let p = pki();
    let signing = || {
        Arc::new(Claiming {
            inner: ring_key(&p.jane_rsa),
            sign_as: SignatureScheme::RSA_PKCS1_SHA256,
            claim: SignatureScheme::RSA_PKCS1_SHA256,
        })
    };
    let live = live();
    let outcome = connect(&live, TLS13, presenting(&[&p.jane_rsa], signing()));
    assert_eq!(
        refused(outcome),
        (AlertDescription::IllegalParameter, unadvertised())
    );
    allowed(
        &live,
        connect(&live, TLS12, presenting(&[&p.jane_rsa], signing())),
    );
}

fn p384_sha256(node: &Node) -> Arc<dyn SigningKey> {
    match node.issuer.key() {
        Key::Ring(k) => Arc::new(P384Sha256(k.serialize_der())),
        _ => panic!("test keys are ring keys"),
    }
}

#[test]
fn pop_a_p384_key_under_the_p256_scheme_is_allowed_in_tls12_only() {
    // TLS 1.2 signature_algorithms name a hash and a signature type, not a curve (RFC 5246
    // §7.4.1.4.1, RFC 8422 §5.1.1); TLS 1.3 binds ecdsa_secp256r1_sha256 to P-256 (RFC 8446
    // §4.2.3). rustls-webpki does the same.
    let p = pki();
    let live = live();
    allowed(
        &live,
        connect(
            &live,
            TLS12,
            presenting(&[&p.jane_p384], p384_sha256(&p.jane_p384)),
        ),
    );
    let outcome = connect(
        &live,
        TLS13,
        presenting(&[&p.jane_p384], p384_sha256(&p.jane_p384)),
    );
    assert_eq!(
        refused(outcome),
        (AlertDescription::DecryptError, bad_signature())
    );
    // A P-384 SHA-256 signature by another P-384 key: refused in TLS 1.2 as well.
    let other = leaf(&[(DnType::CommonName, "x")], Alg::P384, 301, &p.server_ca);
    let outcome = connect(
        &live,
        TLS12,
        presenting(&[&p.jane_p384], p384_sha256(&other)),
    );
    assert_eq!(
        refused(outcome),
        (AlertDescription::DecryptError, bad_signature())
    );
}

/// Jane's name on a certificate whose SubjectPublicKeyInfo is id-RSASSA-PSS (RFC 4055 §1.2)
/// over the modulus of RSA fixture key 3 (rcgen with ring cannot write one: the rsaEncryption
/// algorithm identifier is replaced and the certificate signed again by the project CA), and
/// that key as rsaEncryption PKCS #8, which ring signs with.
fn jane_pss_spki() -> (Vec<u8>, Arc<dyn SigningKey>) {
    let p = pki();
    let rsa = leaf(&jane_dn(), Alg::Rsa2048Sha256(3), 110, &p.project_ca);
    const RSA_ENCRYPTION: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    const RSASSA_PSS: [u8; 13] = [
        0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
    ];
    let der = common::generate::resign_edited(&rsa.der, &p.project_ca, |parts| {
        let spki = &parts[6];
        let at = spki
            .windows(RSA_ENCRYPTION.len())
            .position(|w| w == RSA_ENCRYPTION)
            .unwrap();
        let bits = spki[at + RSA_ENCRYPTION.len()..].to_vec();
        parts[6] = common::generate::tlv(0x30, &[RSASSA_PSS.to_vec(), bits].concat());
    });
    (der, ring_key(&rsa))
}

#[test]
fn pop_an_rsassa_pss_only_key_is_refused() {
    let (cert, key) = jane_pss_spki();
    let cert = Node {
        der: cert,
        ..leaf(&jane_dn(), Alg::P256, 112, &pki().project_ca)
    };
    for version in [TLS12, TLS13] {
        let live = live();
        let signing = Arc::new(Claiming {
            inner: Arc::clone(&key),
            sign_as: SignatureScheme::RSA_PSS_SHA256,
            claim: SignatureScheme::RSA_PSS_SHA256,
        });
        let outcome = connect(&live, version, presenting(&[&cert], signing));
        assert_eq!(
            refused(outcome),
            (
                AlertDescription::BadCertificate,
                rustls::Error::InvalidCertificate(CertificateError::BadEncoding)
            ),
            "{version:?}"
        );
    }
}

#[test]
fn pop_a_leaf_whose_key_the_reader_refuses_is_refused() {
    let p = pki();
    // An Ed25519 public key of 31 bytes, under Jane's name, issued by the project CA.
    let broken = issue(
        &leaf_spec(&jane_dn(), Alg::BrokenEd25519, 111),
        &p.project_ca,
    );
    for version in [TLS12, TLS13] {
        let live = live();
        let signing = Arc::new(Claiming {
            inner: ring_key(&p.ed_key),
            sign_as: SignatureScheme::ED25519,
            claim: SignatureScheme::ED25519,
        });
        let outcome = connect(&live, version, presenting(&[&broken], signing));
        assert_eq!(
            refused(outcome),
            (
                AlertDescription::BadCertificate,
                rustls::Error::InvalidCertificate(CertificateError::BadEncoding)
            ),
            "{version:?}"
        );
    }
}

// ---- 6. Optional client certificates ----

#[test]
fn optional_an_invalid_certificate_is_still_refused_and_no_certificate_has_no_client() {
    let p = pki();
    let stranger_ca = {
        let mut s = Spec::ca("Stranger CA", Alg::P256);
        s.not_before = now() - DAY;
        root(&s)
    };
    let stranger = leaf(&jane_dn(), Alg::P256, 120, &stranger_ca);
    let optional = VerifierOptions::default().client_auth(ClientAuth::Optional);
    for version in [TLS12, TLS13] {
        let live = live();
        let v = ClientVerifier::new(Arc::clone(&live), optional);
        let outcome = connect_with(
            Arc::clone(&v),
            version,
            presenting(&[&stranger], ring_key(&stranger)),
        );
        assert_eq!(
            refused(outcome),
            (
                AlertDescription::UnknownCA,
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
            )
        );
        // Without a certificate the handshake completes, and there is no client to log in.
        let outcome = connect_with(Arc::clone(&v), version, Arc::new(Presenter(None)));
        assert_eq!(outcome.client, Ok(()));
        let conn = outcome.server.unwrap();
        assert_eq!(conn.peer_certificates(), None);
        for presented in [conn.peer_certificates(), Some(&[][..])] {
            assert!(matches!(
                v.verified_client(presented),
                Err(AuthError::NoCertificate)
            ));
        }
        // A valid one is verified as when required.
        allowed(
            &live,
            connect_with(v, version, presenting(&[&p.jane], ring_key(&p.jane))),
        );
    }
}

// ---- 4. Live settings: changes around the handshake ----

#[test]
fn live_a_change_between_the_handshake_and_the_hand_over_applies_to_the_hand_over() {
    let p = pki();
    let jane_crl = crl(&p.project_ca, &[101], now() - DAY, now() + 30 * DAY);
    for (change, kind) in [
        (
            Box::new(|s: x509_dbauth::SettingsBuilder| s.crls(&jane_crl))
                as Box<dyn Fn(x509_dbauth::SettingsBuilder) -> x509_dbauth::SettingsBuilder>,
            "revoked",
        ),
        (
            Box::new(|s: x509_dbauth::SettingsBuilder| s.disable_self_managed()),
            "self_managed_disabled",
        ),
    ] {
        let live = live();
        let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
        let outcome = connect_with(
            Arc::clone(&v),
            TLS13,
            presenting(&[&p.jane], ring_key(&p.jane)),
        );
        let conn = outcome.server.unwrap();
        // The verified client from before the change is refused at login, too.
        let before = v.verified_client(conn.peer_certificates()).unwrap();
        live.update(change).unwrap();
        assert_eq!(
            v.verified_client(conn.peer_certificates())
                .unwrap_err()
                .kind(),
            kind
        );
        let login = x509_dbauth::testing::block_on(live.authenticate(&before, None));
        assert_eq!(login.unwrap_err().kind(), kind);
        // And the next handshake.
        let outcome = connect_with(v, TLS13, presenting(&[&p.jane], ring_key(&p.jane)));
        let (alert, _) = refused(outcome);
        assert_eq!(
            alert,
            if kind == "revoked" {
                AlertDescription::CertificateRevoked
            } else {
                AlertDescription::AccessDenied
            }
        );
    }
}

#[test]
fn live_a_server_config_made_before_a_ca_removal_verifies_with_the_current_cas() {
    let p = pki();
    let live = live();
    let config = LiveServerConfig::new(Arc::clone(&live), VerifierOptions::default(), |v| {
        server_config(v, TLS13)
    })
    .unwrap();
    let stale = config.current();
    // The project CA is replaced by another one: the old configuration's hints still name
    // the project CA, but its verification uses the current snapshot.
    let other = {
        let mut s = Spec::ca("Replacement CA", Alg::P256);
        s.not_before = now() - DAY;
        root(&s)
    };
    live.swap(
        Settings::builder()
            .enable_self_managed(anchors(&other))
            .build()
            .unwrap(),
    );
    let outcome = handshake(
        stale,
        client_config(presenting(&[&p.jane], ring_key(&p.jane)), TLS13),
    );
    assert_eq!(
        refused(outcome),
        (
            AlertDescription::UnknownCA,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        )
    );
}

#[test]
fn live_an_update_whose_closure_panics_publishes_nothing_and_the_next_change_applies() {
    let live = live();
    let before = live.snapshot();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        live.update(|s| {
            let _half = s.disable_self_managed();
            panic!("the administrator's edit fails half way");
        })
    }));
    assert!(panicked.is_err());
    assert_eq!(live.generation(), 0);
    assert!(Arc::ptr_eq(&before, &live.snapshot()));
    assert!(live.snapshot().settings().self_managed_enabled());
    let change = live.update(|s| s.disable_self_managed()).unwrap();
    assert_eq!(change.generation, 1);
    assert!(!live.snapshot().settings().self_managed_enabled());
}

#[cfg(unix)]
#[test]
fn live_reload_file_refuses_a_device_a_fifo_and_a_huge_sparse_file_and_keeps_the_snapshot() {
    let dir = std::env::temp_dir().join(format!("x509-dbauth-attack3-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let live = live();
    let path = dir.join("settings.toml");
    // A symbolic link to /dev/zero.
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    assert_eq!(
        live.reload_file(&path).unwrap_err().kind(),
        "not_regular_file"
    );
    std::fs::remove_file(&path).unwrap();
    // A FIFO nobody writes to.
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    assert_eq!(
        live.reload_file(&path).unwrap_err().kind(),
        "not_regular_file"
    );
    std::fs::remove_file(&path).unwrap();
    // A 2 GiB sparse file.
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    assert_eq!(
        live.reload_file(&path).unwrap_err().kind(),
        "file_too_large"
    );
    assert_eq!(live.generation(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 2. The verified-chain cache and the issuer cache ----

use x509_dbauth::x509::CacheBounds;
use x509_dbauth::{VerifiedClient, Verifier, VerifierBuilder};

/// An outcome to compare: the subject and kind of an allowed client, or the refusal's kind.
fn outcome(r: Result<VerifiedClient, AuthError>) -> String {
    match r {
        Ok(c) => format!("ok {} {}", c.subject(), c.kind()),
        Err(e) => e.kind().to_owned(),
    }
}

fn at(secs: i64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(secs).unwrap()))
}

fn ders(chain: &[&Node]) -> Vec<CertificateDer<'static>> {
    chain
        .iter()
        .map(|n| CertificateDer::from(n.der.clone()))
        .collect()
}

/// A managed root, an RSA intermediate under it that permits only `good.example` names, a
/// copy of that intermediate (same name and key) that has expired, an intermediate of the
/// same name with another key, and the intermediate's CRL revoking serial 666.
struct CachePki {
    root: Node,
    inter: Node,
    inter_expired: Node,
    inter_other_key: Node,
    inter_crl: Vec<u8>,
}

fn cache_pki() -> &'static CachePki {
    static PKI: OnceLock<CachePki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut r = Spec::ca("Cache Root", Alg::P256);
        r.not_before = now() - 100 * DAY;
        let root = root(&r);
        let mut i = Spec::ca("Cache Intermediate", Alg::Rsa2048Sha256(2));
        i.not_before = now() - 50 * DAY;
        i.serial = 2;
        i.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("good.example".into())],
            excluded_subtrees: vec![],
        });
        let inter = issue(&i, &root);
        let mut e = i.clone();
        e.not_after = now() - DAY;
        e.serial = 3;
        let inter_expired = issue(&e, &root);
        let mut o = Spec::ca("Cache Intermediate", Alg::Rsa2048Sha256(3));
        o.not_before = now() - 50 * DAY;
        o.serial = 4;
        let inter_other_key = issue(&o, &root);
        let inter_crl = crl(&inter, &[666], now() - DAY, now() + 30 * DAY);
        CachePki {
            root,
            inter,
            inter_expired,
            inter_other_key,
            inter_crl,
        }
    })
}

fn client_leaf(cn: &str, serial: u64, by: &Node, edit: impl FnOnce(&mut Spec)) -> Node {
    let mut s = leaf_spec(&[(DnType::CommonName, cn)], Alg::P256, serial);
    s.sans = vec![SanType::DnsName(
        format!("{cn}.good.example").try_into().unwrap(),
    )];
    edit(&mut s);
    issue(&s, by)
}

fn cache_verifier(caches: bool) -> Verifier {
    let c = cache_pki();
    let b: VerifierBuilder = Verifier::builder()
        .managed_ca(anchors(&c.root))
        .crls(&c.inter_crl);
    let b = if caches {
        b
    } else {
        b.chain_cache(CacheBounds::DISABLED)
            .issuer_cache(CacheBounds::DISABLED)
    };
    b.build().unwrap()
}

#[test]
fn cache_a_new_leaf_under_a_cached_intermediate_gets_the_decision_it_gets_without_caches() {
    let c = cache_pki();
    let good = client_leaf("good", 500, &c.inter, |_| {});
    let cases: Vec<(&str, Vec<Node>, &str)> = vec![
        (
            "outside the intermediate's name constraints",
            vec![client_leaf("evil", 501, &c.inter, |s| {
                s.sans = vec![SanType::DnsName("evil.example".try_into().unwrap())];
            })],
            "name_constraint_violation",
        ),
        (
            "revoked by the intermediate's CRL",
            vec![client_leaf("revoked", 666, &c.inter, |_| {})],
            "revoked",
        ),
        (
            "serverAuth only",
            vec![client_leaf("server", 502, &c.inter, |s| {
                s.ekus = vec![ExtendedKeyUsagePurpose::ServerAuth];
            })],
            "eku_mismatch",
        ),
        (
            "issuer name matches, signed by another key",
            vec![client_leaf("forged", 503, &c.inter_other_key, |_| {})],
            "bad_signature",
        ),
        (
            "expired",
            vec![client_leaf("old", 504, &c.inter, |s| {
                s.not_before = now() - 10 * DAY;
                s.not_after = now() - DAY;
            })],
            "expired",
        ),
        (
            "a new good leaf",
            vec![client_leaf("new", 505, &c.inter, |_| {})],
            "ok CN=new managed",
        ),
    ];
    let cached = cache_verifier(true);
    let t = at(now());
    assert_eq!(
        outcome(cached.verify_client(&ders(&[&good, &c.inter]), t)),
        "ok CN=good managed"
    );
    assert_eq!(cached.issuer_cache_stats().entries, 1);
    for (what, leaf, expected) in &cases {
        let chain = ders(&[&leaf[0], &c.inter]);
        let cold = cache_verifier(false).verify_client(&chain, t);
        let warm = cached.verify_client(&chain, t);
        assert_eq!(outcome(cold), *expected, "{what} (no cache)");
        assert_eq!(outcome(warm), *expected, "{what} (issuer cache)");
        // Twice: a refusal is not cached, an allow is served from the chain cache.
        assert_eq!(
            outcome(cached.verify_client(&chain, t)),
            *expected,
            "{what}"
        );
    }
}

#[test]
fn cache_the_same_leaf_with_other_intermediates_orders_and_extras() {
    let c = cache_pki();
    let leaf = client_leaf("jane", 510, &c.inter, |_| {});
    let cached = cache_verifier(true);
    let t = at(now());
    let cases: Vec<(Vec<&Node>, &str)> = vec![
        (vec![&leaf, &c.inter], "ok CN=jane managed"),
        // The same intermediate (name and key) but expired: nothing else to build with.
        (vec![&leaf, &c.inter_expired], "expired"),
        // Leaf only: the intermediate is not configured.
        (vec![&leaf], "unknown_issuer"),
        // The intermediate first: it is the client, and a CA certificate as the leaf is
        // accepted (RFC 5280 and PKITS; a listed divergence from rustls-webpki). Its key
        // holder must still sign the handshake.
        (
            vec![&c.inter, &leaf],
            "ok CN=Cache Intermediate,O=x509-dbauth tests managed",
        ),
        (
            vec![&leaf, &c.inter_expired, &c.inter],
            "ok CN=jane managed",
        ),
        (
            vec![&leaf, &c.inter, &c.inter_expired],
            "ok CN=jane managed",
        ),
        (vec![&leaf, &c.inter_other_key], "bad_signature"),
        (vec![&leaf, &c.inter, &c.root], "ok CN=jane managed"),
    ];
    for round in 0..2 {
        for (chain, expected) in &cases {
            let chain = ders(chain);
            assert_eq!(
                outcome(cache_verifier(false).verify_client(&chain, t)),
                *expected,
                "round {round} without caches"
            );
            assert_eq!(
                outcome(cached.verify_client(&chain, t)),
                *expected,
                "round {round} with caches"
            );
        }
    }
}

#[test]
fn cache_a_crl_added_after_a_chain_was_cached_refuses_it_at_once() {
    let c = cache_pki();
    let leaf = client_leaf("later", 520, &c.inter, |_| {});
    let chain = ders(&[&leaf, &c.inter]);
    let settings = || {
        Settings::builder()
            .managed_ca(anchors(&c.root))
            .add_user(UserSpec {
                name: "CN=later".to_owned(),
                kind: CertificateKind::Managed,
                roles: vec!["read@x".to_owned()],
            })
    };
    let live = LiveAuthenticator::new(Authenticator::new(Arc::new(settings().build().unwrap())));
    let client = live.verify_client(&chain, UnixTime::now()).unwrap();
    // Cached: the same chain again is a hit.
    let again = live.verify_client(&chain, UnixTime::now()).unwrap();
    assert_eq!(again.subject(), client.subject());
    assert_eq!(
        live.snapshot()
            .settings()
            .verifier()
            .chain_cache_stats()
            .entries,
        1
    );
    let revoking = crl(&c.inter, &[520], now() - DAY, now() + 30 * DAY);
    live.update(|s| s.crls(&revoking)).unwrap();
    assert_eq!(
        outcome(live.verify_client(&chain, UnixTime::now())),
        "revoked"
    );
    let login = x509_dbauth::testing::block_on(live.authenticate(&client, None));
    assert_eq!(login.unwrap_err().kind(), "revoked");
    // The verified client carried across a swap back to settings without the CRL is allowed
    // again: the current snapshot decides.
    live.swap(settings().build().unwrap());
    let login = x509_dbauth::testing::block_on(live.authenticate(&client, None));
    assert_eq!(login.unwrap().user(), "CN=later");
}

// ---- 3. The clock-skew leeway ----

#[test]
fn leeway_bounds_are_inclusive_and_a_cached_chain_is_not_served_one_second_past_them() {
    let c = cache_pki();
    let (nb, na) = (now() - 5 * DAY, now() + 5 * DAY);
    let leaf = client_leaf("edge", 530, &c.inter, |s| {
        s.not_before = nb;
        s.not_after = na;
    });
    let chain = ders(&[&leaf, &c.inter]);
    let verifier = |caches: bool| {
        let b = Verifier::builder()
            .managed_ca(anchors(&c.root))
            .clock_skew(Duration::from_secs(60));
        let b = if caches {
            b
        } else {
            b.chain_cache(CacheBounds::DISABLED)
                .issuer_cache(CacheBounds::DISABLED)
        };
        b.build().unwrap()
    };
    let cached = verifier(true);
    // Warm the cache inside the period.
    assert_eq!(
        outcome(cached.verify_client(&chain, at(now()))),
        "ok CN=edge managed"
    );
    for (t, expected) in [
        (na + 60, "ok CN=edge managed"),
        (na + 61, "expired"),
        (na + 60, "ok CN=edge managed"),
        (nb - 60, "ok CN=edge managed"),
        (nb - 61, "not_yet_valid"),
        (nb - 60, "ok CN=edge managed"),
    ] {
        assert_eq!(
            outcome(verifier(false).verify_client(&chain, at(t))),
            expected,
            "{t} cold"
        );
        assert_eq!(
            outcome(cached.verify_client(&chain, at(t))),
            expected,
            "{t} cached"
        );
    }
}

#[test]
fn leeway_extremes_and_extreme_times_do_not_panic_or_wrap() {
    let c = cache_pki();
    let year_1 = -62_135_596_800; // 0001-01-01T00:00:00Z
    let year_9999 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let forever = client_leaf("forever", 540, &c.root, |s| {
        s.not_before = year_1;
        s.not_after = year_9999;
    });
    let expired = client_leaf("expired", 541, &c.root, |s| {
        s.not_before = now() - 10 * DAY;
        s.not_after = now() - DAY;
    });
    let times = [
        UnixTime::since_unix_epoch(Duration::ZERO),
        at(now()),
        UnixTime::since_unix_epoch(Duration::from_secs(u64::MAX)),
    ];
    for (skew, expect_forever, expect_expired) in [
        // At second 0 the root (valid from 100 days ago) is not yet valid; at u64::MAX
        // seconds (read as i64::MAX) everything has expired.
        (
            Duration::ZERO,
            ["not_yet_valid", "ok CN=forever managed", "expired"],
            ["not_yet_valid", "expired", "expired"],
        ),
        // A leeway as large as time itself accepts everything: it is what was asked for (a
        // settings file cannot ask for more than a day).
        (
            Duration::MAX,
            ["ok CN=forever managed"; 3],
            ["ok CN=expired managed"; 3],
        ),
    ] {
        let v = Verifier::builder()
            .managed_ca(anchors(&c.root))
            .clock_skew(skew)
            .build()
            .unwrap();
        for (i, t) in times.iter().enumerate() {
            assert_eq!(
                outcome(v.verify_client(&ders(&[&forever]), *t)),
                expect_forever[i],
                "{skew:?} {i}"
            );
            assert_eq!(
                outcome(v.verify_client(&ders(&[&expired]), *t)),
                expect_expired[i],
                "{skew:?} {i}"
            );
        }
    }
}

// ---- 5. Audit events ----

/// Records every event's fields (all targets) with the thread that emitted it; installed once
/// as this binary's global subscriber, each test reads its own thread's events.
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

type Recorded = (std::thread::ThreadId, BTreeMap<String, String>);

fn recorded_events() -> impl Fn() -> Vec<BTreeMap<String, String>> {
    static RECORDER: OnceLock<Recorder> = OnceLock::new();
    let recorder = RECORDER.get_or_init(|| {
        let r = Recorder::default();
        tracing::subscriber::set_global_default(r.clone()).unwrap();
        r
    });
    let me = std::thread::current().id();
    let events = Arc::clone(&recorder.0);
    move || {
        events
            .lock()
            .unwrap()
            .iter()
            .filter(|(thread, _)| *thread == me)
            .map(|(_, fields)| fields.clone())
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        fields.insert("target".to_owned(), event.metadata().target().to_owned());
        event.record(&mut Fields(&mut fields));
        self.0
            .lock()
            .unwrap()
            .push((std::thread::current().id(), fields));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Characters that would let a value forge a log line or hide text: controls (C0, DEL, C1) and
/// the Unicode line and paragraph separators.
fn forging(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}

fn audit_events(events: &[BTreeMap<String, String>]) -> Vec<BTreeMap<String, String>> {
    events
        .iter()
        .filter(|e| e["target"] == x509_dbauth::audit::AUDIT_TARGET)
        .cloned()
        .collect()
}

const EVIL: &str = "Eve\n2026-12-03T00:00:00Z INFO x509_dbauth::audit: decision=\"allow\" user=\"admin\"\r\u{1b}[2K\u{2028}\u{85}";

#[test]
fn audit_fields_cannot_forge_a_line_from_the_subject_issuer_or_claimed_user() {
    let events = recorded_events();
    let p = pki();
    // An issuer whose name carries the same payload, in neither CA set.
    let evil_ca = {
        let mut s = Spec::ca("unused", Alg::P256);
        s.dn = dn(&[(DnType::CommonName, EVIL)]);
        s.not_before = now() - DAY;
        root(&s)
    };
    let evil_dn = [
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, EVIL),
    ];
    let unknown = leaf(&evil_dn, Alg::P256, 130, &evil_ca);
    let known = leaf(&evil_dn, Alg::P256, 131, &p.project_ca);
    let live = live();
    // Handshake phase: unknown CA.
    assert_eq!(
        outcome(live.verify_client(&ders(&[&unknown]), UnixTime::now())),
        "unknown_issuer"
    );
    // Login phase: a subject with control characters is refused; Jane claiming an injected
    // user name is refused.
    let client = live
        .verify_client(&ders(&[&known]), UnixTime::now())
        .unwrap();
    let login = x509_dbauth::testing::block_on(live.authenticate(&client, None));
    assert_eq!(login.unwrap_err().kind(), "control_character_in_subject");
    let jane = live
        .verify_client(&ders(&[&p.jane]), UnixTime::now())
        .unwrap();
    let login = x509_dbauth::testing::block_on(live.authenticate(&jane, Some(EVIL)));
    assert_eq!(login.unwrap_err().kind(), "claim_mismatch");
    // The handshake signature of the injected name, signed by another key.
    let outcome = connect(&live, TLS13, presenting(&[&known], ring_key(&p.p256_key)));
    assert_eq!(refused(outcome).0, AlertDescription::DecryptError);

    let all = events();
    let audit = audit_events(&all);
    assert_eq!(
        audit
            .iter()
            .map(|e| e["decision"].as_str())
            .collect::<Vec<_>>(),
        ["deny"; 4]
    );
    for e in &all {
        for (k, v) in e {
            assert!(!forging(v), "field {k} of {e:?}");
        }
    }
    // The payload is there, where it belongs, as text: the RFC 4514 escape of the line feed
    // (`\0A`) with its backslash escaped once more by the log escaping.
    let forged = r#"CN=Eve\\0A2026-12-03T00:00:00Z INFO x509_dbauth::audit: decision=\\"allow\\" user=\\"admin\\"\\0D\\1B[2K\u{2028}\\C2\\85"#;
    assert_eq!(audit[0]["issuer"], forged);
    assert_eq!(audit[0]["subject"], format!("{forged},O=MongoDB"));
    assert_eq!(audit[1]["subject"], format!("{forged},O=MongoDB"));
    assert!(audit[2]["reason"].contains(r"Eve\0A2026"), "{:?}", audit[2]);
}

#[test]
fn audit_a_refused_handshake_signature_names_the_alert_sent() {
    let events = recorded_events();
    let p = pki();
    let live = live();
    let cases = [
        // Another key type: decrypt_error.
        (
            Claiming {
                inner: ring_key(&p.rsa_key),
                sign_as: SignatureScheme::RSA_PSS_SHA256,
                claim: SignatureScheme::RSA_PSS_SHA256,
            },
            AlertDescription::DecryptError,
            "decrypt_error",
        ),
        // A scheme not offered: illegal_parameter.
        (
            Claiming {
                inner: ring_key(&p.jane),
                sign_as: SignatureScheme::ECDSA_NISTP256_SHA256,
                claim: SignatureScheme::ECDSA_SHA1_Legacy,
            },
            AlertDescription::IllegalParameter,
            "illegal_parameter",
        ),
    ];
    for (signing, sent, named) in cases {
        let before = audit_events(&events()).len();
        let outcome = connect(&live, TLS13, presenting(&[&p.jane], Arc::new(signing)));
        assert_eq!(refused(outcome).0, sent);
        let audit = audit_events(&events());
        assert_eq!(audit.len(), before + 1);
        let e = audit.last().unwrap();
        assert_eq!(e["kind"], "bad_handshake_signature");
        assert_eq!(e["alert"], named);
    }
}

#[test]
fn audit_a_reload_does_not_log_the_ldap_bind_password() {
    let events = recorded_events();
    let dir = std::env::temp_dir().join(format!("x509-dbauth-attack3-pw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    const SECRET: &str = "s3cr3t-Bind-Passw0rd";
    std::fs::write(dir.join("pw"), SECRET).unwrap();
    std::fs::write(dir.join("ca.pem"), pki().project_ca.pem()).unwrap();
    let file = dir.join("settings.toml");
    std::fs::write(
        &file,
        format!(
            "[self_managed_x509]\nenabled = true\nca_file = \"ca.pem\"\n[ldap]\nauthorization = true\ndirectory = \"ldap://127.0.0.1:9\"\nbind_dn = \"cn=reader\"\nbind_password_file = \"{}\"\nquery_template = \"{{USER}}?memberOf?base\"\n",
            dir.join("pw").display()
        ),
    )
    .unwrap();
    let live = live();
    let change = live.reload_file(&file).unwrap();
    assert_eq!(
        change.directory,
        x509_dbauth::settings::DirectoryChange::Replaced
    );
    // A login that reaches the directory (which is not there) is undecided.
    let jane = live
        .verify_client(&ders(&[&pki().jane]), UnixTime::now())
        .unwrap();
    let login = x509_dbauth::testing::block_on(live.authenticate(&jane, None));
    let err = login.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(SECRET));
    let all = events();
    assert!(!all.is_empty());
    for e in &all {
        for v in e.values() {
            assert!(!v.contains(SECRET), "{e:?}");
        }
    }
    assert!(!format!("{live:?}").contains(SECRET));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cache_an_issuer_cache_hit_runs_out_of_a_budget_exactly_when_the_search_would() {
    // The issuer cache skips the search above the intermediate. Before the fix it also
    // skipped what that search spends, so a valid leaf whose own name-constraint checks fit
    // the budget only without the search (3 names, 8 comparisons) was refused cold and allowed
    // on a hit. A hit now charges the skipped search's cost: every budget gives the decision
    // it gives without caches.
    let c = cache_pki();
    let sans = |n: usize| {
        (0..n)
            .map(|i| SanType::DnsName(format!("h{i}.good.example").try_into().unwrap()))
            .collect::<Vec<_>>()
    };
    let first = client_leaf("one", 600, &c.inter, |_| {});
    let t = at(now());
    let verifier = |caches: bool, limits: x509_dbauth::Limits| {
        let b = Verifier::builder()
            .managed_ca(anchors(&c.root))
            .crls(&c.inter_crl)
            .limits(limits);
        let b = if caches {
            b
        } else {
            b.chain_cache(CacheBounds::DISABLED)
                .issuer_cache(CacheBounds::DISABLED)
        };
        b.build().unwrap()
    };
    let mut seen = BTreeMap::new();
    let mut leaves: Vec<Node> = (0..8)
        .map(|n| client_leaf("two", 601, &c.inter, |s| s.sans = sans(n)))
        .collect();
    // Leaves a hit refuses (outside the name constraints, revoked): the search without the
    // cache runs then, and must not pay twice for the checks the hit made.
    leaves.push(client_leaf("two", 602, &c.inter, |s| {
        s.sans = vec![SanType::DnsName("evil.example".try_into().unwrap())];
    }));
    leaves.push(client_leaf("two", 666, &c.inter, |_| {}));
    for budget in 1..14 {
        let variants = [
            ("names", {
                let mut l = x509_dbauth::Limits::default();
                l.max_name_constraint_comparisons = budget;
                l
            }),
            ("signatures", {
                let mut l = x509_dbauth::Limits::default();
                l.max_signature_checks = budget;
                l
            }),
            ("steps", {
                let mut l = x509_dbauth::Limits::default();
                l.max_path_build_steps = budget;
                l
            }),
        ];
        for (which, limits) in variants {
            let warm = verifier(true, limits.clone());
            let warmed = outcome(warm.verify_client(&ders(&[&first, &c.inter]), t));
            for (n, second) in leaves.iter().enumerate() {
                let chain = ders(&[second, &c.inter]);
                let cold = outcome(verifier(false, limits.clone()).verify_client(&chain, t));
                let hit = outcome(warm.verify_client(&chain, t));
                assert_eq!(
                    hit, cold,
                    "{which} budget {budget}, {n} SANs (warm-up: {warmed})"
                );
                *seen.entry(cold).or_insert(0) += 1;
            }
        }
    }
    // Both sides of each bound were reached.
    assert_eq!(
        seen.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "build_budget_exceeded",
            "name_constraint_budget_exceeded",
            "name_constraint_violation",
            "ok CN=two managed",
            "revoked",
            "signature_budget_exceeded"
        ]
    );
    // The case that differed before the fix.
    let mut limits = x509_dbauth::Limits::default();
    limits.max_name_constraint_comparisons = 8;
    let warm = verifier(true, limits);
    assert_eq!(
        outcome(warm.verify_client(&ders(&[&first, &c.inter]), t)),
        "ok CN=one managed"
    );
    assert_eq!(warm.issuer_cache_stats().entries, 1);
    assert_eq!(
        outcome(warm.verify_client(&ders(&[&leaves[3], &c.inter]), t)),
        "name_constraint_budget_exceeded"
    );
}

#[test]
fn live_a_resumed_session_skips_the_verifier_and_the_hand_over_refuses_a_client_revoked_since() {
    let p = pki();
    let jane_crl = crl(&p.project_ca, &[101], now() - DAY, now() + 30 * DAY);
    for version in [TLS12, TLS13] {
        let live = live();
        let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
        let server = Arc::new(server_config(Arc::clone(&v) as _, version).unwrap());
        let client = client_config(presenting(&[&p.jane], ring_key(&p.jane)), version);
        let mut first = handshake(Arc::clone(&server), Arc::clone(&client));
        assert_eq!(first.client, Ok(()));
        let conn = first.server.as_mut().unwrap();
        assert_eq!(conn.handshake_kind(), Some(rustls::HandshakeKind::Full));
        // TLS 1.3 sends its tickets after the handshake: let the client read them.
        assert!(v.verified_client(conn.peer_certificates()).is_ok());
        live.update(|s| s.crls(&jane_crl)).unwrap();
        let second = handshake(Arc::clone(&server), Arc::clone(&client));
        assert_eq!(second.client, Ok(()), "{version:?}");
        let conn = second.server.unwrap();
        // The session was resumed: rustls did not ask the verifier, and the certificates it
        // reports are the stored ones. The hand-over verifies them under the current settings.
        assert_eq!(
            conn.handshake_kind(),
            Some(rustls::HandshakeKind::Resumed),
            "{version:?}"
        );
        assert_eq!(
            v.verified_client(conn.peer_certificates())
                .unwrap_err()
                .kind(),
            "revoked"
        );
    }
}

#[test]
fn cache_an_intermediate_cached_under_the_managed_set_does_not_serve_its_cross_certificate() {
    // One intermediate key and name, certified by the managed root and by the self-managed
    // root: a leaf presented with the managed certificate is managed, with the self-managed
    // one self-managed (or refused while self-managed X.509 is off), caches or not.
    let ca = |cn: &str| {
        let mut s = Spec::ca(cn, Alg::P256);
        s.not_before = now() - 100 * DAY;
        root(&s)
    };
    let (managed_root, project_root) = (ca("Managed Root"), ca("Project Root"));
    let mut i = Spec::ca("Shared Intermediate", Alg::Rsa2048Sha256(1));
    i.not_before = now() - 50 * DAY;
    let via_managed = issue(&i, &managed_root);
    let via_project = issue(&i, &project_root);
    let first = leaf(
        &[(DnType::CommonName, "first")],
        Alg::P256,
        700,
        &via_managed,
    );
    let second = leaf(
        &[(DnType::CommonName, "second")],
        Alg::P256,
        701,
        &via_managed,
    );
    let t = at(now());
    for enabled in [true, false] {
        let verifier = |caches: bool| {
            let b = Verifier::builder()
                .managed_ca(anchors(&managed_root))
                .self_managed_ca(Some(anchors(&project_root)), enabled);
            let b = if caches {
                b
            } else {
                b.chain_cache(CacheBounds::DISABLED)
                    .issuer_cache(CacheBounds::DISABLED)
            };
            b.build().unwrap()
        };
        let warm = verifier(true);
        assert_eq!(
            outcome(warm.verify_client(&ders(&[&first, &via_managed]), t)),
            "ok CN=first managed"
        );
        let expected = if enabled {
            "ok CN=second self-managed"
        } else {
            "self_managed_disabled"
        };
        for (v, what) in [(&warm, "warm"), (&verifier(false), "cold")] {
            assert_eq!(
                outcome(v.verify_client(&ders(&[&second, &via_project]), t)),
                expected,
                "{what}, self-managed enabled: {enabled}"
            );
            assert_eq!(
                outcome(v.verify_client(&ders(&[&second, &via_managed]), t)),
                "ok CN=second managed",
                "{what}"
            );
        }
    }
}

#[test]
fn audit_an_expiry_warning_threshold_as_large_as_time_does_not_panic() {
    let p = pki();
    let live = LiveAuthenticator::new(Authenticator::new(Arc::new(
        settings()
            .expiration_warning_threshold(Duration::MAX)
            .clock_skew(Duration::MAX)
            .build()
            .unwrap(),
    )));
    let jane = live
        .verify_client(&ders(&[&p.jane]), UnixTime::now())
        .unwrap();
    let principal = x509_dbauth::testing::block_on(live.authenticate(&jane, None)).unwrap();
    // Jane's certificate ends in 90 days (less the seconds this test took).
    let left = principal.expiry_warning().unwrap().as_secs();
    assert!((89 * 86_400..=90 * 86_400).contains(&left), "{left}");
    // Verified at second 0 (inside the leeway), logged in now: the warning is still the
    // time left from now.
    let early = live
        .verify_client(
            &ders(&[&p.jane]),
            UnixTime::since_unix_epoch(Duration::ZERO),
        )
        .unwrap();
    let principal = x509_dbauth::testing::block_on(live.authenticate(&early, None)).unwrap();
    assert!(principal.expiry_warning().is_some());
}

#[test]
fn live_after_a_swap_returns_every_handshake_verifies_with_the_new_cas_while_configs_rebuild() {
    let p = pki();
    let live = live();
    let config = Arc::new(
        LiveServerConfig::new(Arc::clone(&live), VerifierOptions::default(), |v| {
            server_config(v, TLS13)
        })
        .unwrap(),
    );
    let with = settings().build().unwrap();
    let other = {
        let mut s = Spec::ca("Other Project CA", Alg::P256);
        s.not_before = now() - DAY;
        root(&s)
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Another thread keeps taking (and rebuilding) the current configuration.
    let rebuilder = {
        let (config, stop) = (Arc::clone(&config), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut taken = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = config.current();
                taken += 1;
                std::thread::yield_now();
            }
            taken
        })
    };
    // A new client each time: a client that resumes a session is not verified again in the
    // handshake (see the resumption test), and this test is about verification.
    let client = || client_config(presenting(&[&p.jane], ring_key(&p.jane)), TLS13);
    for round in 0..10 {
        // A configuration taken before the swap, and one after.
        let before = config.current();
        live.swap(
            Settings::builder()
                .enable_self_managed(anchors(&other))
                .build()
                .unwrap(),
        );
        for server in [before, config.current()] {
            let outcome = handshake(server, client());
            assert_eq!(
                refused(outcome).0,
                AlertDescription::UnknownCA,
                "round {round}"
            );
        }
        let before = config.current();
        live.swap(with.to_builder().build().unwrap());
        for server in [before, config.current()] {
            let outcome = handshake(server, client());
            assert_eq!(outcome.client, Ok(()), "round {round}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(rebuilder.join().unwrap() > 0);
    assert_eq!(live.generation(), 20);
}

#[test]
fn live_two_reloads_racing_publish_the_file_read_last() {
    // An administrator edits the settings file while an earlier reload is still waiting for
    // its turn (another change holds the change lock): the reload must install what the file
    // says when it installs, not what it said before its turn came.
    let dir = std::env::temp_dir().join(format!("x509-dbauth-attack3-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.pem"), pki().project_ca.pem()).unwrap();
    let file = dir.join("settings.toml");
    let write = |enabled: bool| {
        let tmp = dir.join("settings.tmp");
        std::fs::write(
            &tmp,
            format!("[self_managed_x509]\nenabled = {enabled}\nca_file = \"ca.pem\"\n"),
        )
        .unwrap();
        std::fs::rename(&tmp, &file).unwrap();
    };
    write(true);
    let live = live();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        // A change that holds the lock until told to finish.
        let live = &live;
        let holder = scope.spawn(move || {
            live.update(|b| {
                locked_tx.send(()).unwrap();
                go_rx.recv().unwrap();
                b
            })
            .unwrap()
        });
        locked_rx.recv().unwrap();
        let file = &file;
        let reload = scope.spawn(move || live.reload_file(file).unwrap());
        // Give the reload time to reach the lock (with the fix, how long does not matter: it
        // reads the file once it holds the lock).
        std::thread::sleep(Duration::from_millis(50));
        write(false);
        go_tx.send(()).unwrap();
        assert_eq!(holder.join().unwrap().generation, 1);
        assert_eq!(reload.join().unwrap().generation, 2);
    });
    assert!(!live.snapshot().settings().self_managed_enabled());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn login_a_client_verified_before_its_certificate_expired_is_refused_under_the_same_settings() {
    // Phase 1 at the handshake; phase 2 (a login on the same connection) after the
    // certificate's notAfter, the settings unchanged: the login re-checks what the
    // verification relied on, as it does when the settings changed.
    let p = pki();
    let short = {
        let mut s = leaf_spec(&jane_dn(), Alg::P256, 150);
        s.not_before = now() - DAY;
        s.not_after = now() + DAY;
        issue(&s, &p.project_ca)
    };
    let clock = Arc::new(x509_dbauth::testing::ManualClock::new(UnixTime::now()));
    let auth = Authenticator::new(Arc::new(settings().build().unwrap()))
        .with_clock(Arc::clone(&clock) as _);
    let client = auth
        .verify_client(&ders(&[&short]), UnixTime::now())
        .unwrap();
    let login = x509_dbauth::testing::block_on(auth.authenticate(&client, None));
    assert_eq!(login.unwrap().user(), JANE);
    clock.advance(Duration::from_secs(2 * 86_400));
    let login = x509_dbauth::testing::block_on(auth.authenticate(&client, None));
    assert_eq!(login.unwrap_err().kind(), "expired");
    // Verified (at the caller's time) two days from now: not valid at login time now.
    clock.set(UnixTime::now());
    let future = auth
        .verify_client(
            &ders(&[&short]),
            UnixTime::since_unix_epoch(Duration::from_secs(
                u64::try_from(now() - 2 * DAY).unwrap(),
            )),
        )
        .map(|_| ());
    assert_eq!(future.unwrap_err().kind(), "not_yet_valid");
}
