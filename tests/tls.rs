//! The rustls adapter in real TLS handshakes (TLS 1.2 and 1.3, in memory), with certificates
//! generated for the run: chain verification, proof of possession, alerts, optional client
//! certificates, the hand-over of the verified client, live settings, and audit events.
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

use common::generate::{Alg, DAY, Key, Node, Spec, crl, dn, issue, root};
use rcgen::{DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, ClientConfig, RootCertStore, ServerConfig, SignatureScheme};
use x509_dbauth::errors::TlsAlert;
use x509_dbauth::tls::{ClientAuth, ClientVerifier, LiveServerConfig, RootHints, VerifierOptions};
use x509_dbauth::{AuthError, Authenticator, LiveAuthenticator, Settings, TrustAnchors, UserSpec};

fn now() -> i64 {
    i64::try_from(UnixTime::now().as_secs()).unwrap()
}

struct Pki {
    managed_ca: Node,
    project_ca: Node,
    project_crl: Vec<u8>,
    server_ca: Node,
    server: Node,
    jane: Node,
    jane_rsa: Node,
    jane_ed: Node,
    managed_user: Node,
    expired: Node,
    revoked: Node,
    stranger: Node,
    impostor_key: Node,
}

const JANE: &str = "CN=Jane Doe,O=MongoDB,C=US";

fn leaf(cn_parts: &[(DnType, &str)], alg: Alg, serial: u64, by: &Node) -> Node {
    let mut spec = Spec::leaf("unused", alg);
    spec.dn = dn(cn_parts);
    spec.serial = serial;
    spec.not_before = now() - DAY;
    spec.not_after = now() + 90 * DAY;
    issue(&spec, by)
}

fn jane_dn() -> Vec<(DnType, &'static str)> {
    vec![
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "MongoDB"),
        (DnType::CommonName, "Jane Doe"),
    ]
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
        let managed_ca = ca("Managed CA", Alg::P256);
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
        let jane = leaf(&jane_dn(), Alg::P256, 101, &project_ca);
        let jane_rsa = leaf(&jane_dn(), Alg::Rsa2048Sha256(1), 102, &project_ca);
        let jane_ed = leaf(&jane_dn(), Alg::Ed25519, 103, &project_ca);
        let managed_user = leaf(
            &[(DnType::CommonName, "myuser")],
            Alg::P256,
            104,
            &managed_ca,
        );
        let mut expired_spec = Spec::leaf("unused", Alg::P256);
        expired_spec.dn = dn(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "MongoDB"),
            (DnType::CommonName, "Expired User"),
        ]);
        expired_spec.serial = 105;
        expired_spec.not_before = now() - 30 * DAY;
        expired_spec.not_after = now() - DAY;
        let expired = issue(&expired_spec, &project_ca);
        let revoked = leaf(
            &[
                (DnType::CountryName, "US"),
                (DnType::OrganizationName, "MongoDB"),
                (DnType::CommonName, "Revoked User"),
            ],
            Alg::P256,
            106,
            &project_ca,
        );
        let project_crl = crl(&project_ca, &[106], now() - DAY, now() + 30 * DAY);
        let stranger = leaf(&jane_dn(), Alg::P256, 107, &other_ca);
        // A second P-256 key: signs handshakes "for" Jane's certificate without holding its key.
        let impostor_key = leaf(
            &[(DnType::CommonName, "key holder")],
            Alg::P256,
            108,
            &other_ca,
        );
        Pki {
            managed_ca,
            project_ca,
            project_crl,
            server_ca,
            server,
            jane,
            jane_rsa,
            jane_ed,
            managed_user,
            expired,
            revoked,
            stranger,
            impostor_key,
        }
    })
}

fn anchors(node: &Node) -> TrustAnchors {
    TrustAnchors::from_ders([node.der.as_slice()]).unwrap()
}

fn settings() -> x509_dbauth::SettingsBuilder {
    settings_with_crl(true)
}

fn settings_with_crl(crl: bool) -> x509_dbauth::SettingsBuilder {
    let p = pki();
    let user = |name: &str, kind, roles: &[&str]| UserSpec {
        name: name.to_owned(),
        kind,
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    };
    let b = Settings::builder()
        .managed_ca(anchors(&p.managed_ca))
        .enable_self_managed(anchors(&p.project_ca));
    let b = if crl { b.crls(&p.project_crl) } else { b };
    b.add_user(user(
        JANE,
        x509_dbauth::CertificateKind::SelfManaged,
        &["readWrite@sales"],
    ))
    .add_user(user(
        "CN=myuser",
        x509_dbauth::CertificateKind::Managed,
        &["read@inventory"],
    ))
    .add_user(user(
        "CN=Expired User,O=MongoDB,C=US",
        x509_dbauth::CertificateKind::SelfManaged,
        &["read@sales"],
    ))
    .add_user(user(
        "CN=Revoked User,O=MongoDB,C=US",
        x509_dbauth::CertificateKind::SelfManaged,
        &["read@sales"],
    ))
}

fn live() -> Arc<LiveAuthenticator> {
    Arc::new(LiveAuthenticator::new(Authenticator::new(Arc::new(
        settings().build().unwrap(),
    ))))
}

fn key_der(node: &Node) -> PrivateKeyDer<'static> {
    match node.issuer.key() {
        Key::Ring(k) => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(k.serialize_der())),
        _ => panic!("test keys are ring keys"),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

type Version = &'static rustls::SupportedProtocolVersion;
const TLS12: Version = &rustls::version::TLS12;
const TLS13: Version = &rustls::version::TLS13;

fn server_config(verifier: Arc<ClientVerifier>, version: Version) -> Arc<ServerConfig> {
    let p = pki();
    Arc::new(
        ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(p.server.der.clone())],
                key_der(&p.server),
            )
            .unwrap(),
    )
}

/// Presents `chain` with the key of `key_of`, and records the CA hints it was sent.
#[derive(Debug)]
struct Presenter {
    certified: Option<Arc<CertifiedKey>>,
    hints: Mutex<Vec<Vec<u8>>>,
}

impl ResolvesClientCert for Presenter {
    fn resolve(&self, hints: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        *self.hints.lock().unwrap() = hints.iter().map(|h| h.to_vec()).collect();
        self.certified.clone()
    }
    fn has_certs(&self) -> bool {
        self.certified.is_some()
    }
}

fn presenter(chain: &[&Node], key_of: Option<&Node>) -> Arc<Presenter> {
    let certified = key_of.map(|k| {
        let signing = provider()
            .key_provider
            .load_private_key(key_der(k))
            .unwrap();
        Arc::new(CertifiedKey::new(
            chain
                .iter()
                .map(|n| CertificateDer::from(n.der.clone()))
                .collect(),
            signing,
        ))
    });
    Arc::new(Presenter {
        certified,
        hints: Mutex::new(Vec::new()),
    })
}

fn client_config(presenter: Arc<Presenter>, version: Version) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki().server_ca.der.clone()))
        .unwrap();
    Arc::new(
        ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_client_cert_resolver(presenter),
    )
}

/// What each side saw.
struct Outcome {
    server: Result<rustls::ServerConnection, rustls::Error>,
    client: Result<(), rustls::Error>,
}

/// Runs a handshake in memory until both sides are done or one fails; a failing side's
/// alert is delivered to the other.
fn handshake(server: Arc<ServerConfig>, client: Arc<ClientConfig>) -> Outcome {
    let mut s = rustls::ServerConnection::new(server).unwrap();
    let mut c = rustls::ClientConnection::new(client, "localhost".try_into().unwrap()).unwrap();
    let mut server_err = None;
    let mut client_err = None;
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
        if server_err.is_some() && client_err.is_some() {
            break;
        }
        if server_err.is_none()
            && client_err.is_none()
            && !s.is_handshaking()
            && !c.is_handshaking()
            && !s.wants_write()
            && !c.wants_write()
        {
            break;
        }
    }
    Outcome {
        server: match server_err {
            Some(e) => Err(e),
            None => Ok(s),
        },
        client: match client_err {
            Some(e) => Err(e),
            None => Ok(()),
        },
    }
}

fn connect(
    live: &Arc<LiveAuthenticator>,
    options: VerifierOptions,
    version: Version,
    presenter: Arc<Presenter>,
) -> Outcome {
    let verifier = ClientVerifier::new(Arc::clone(live), options);
    handshake(
        server_config(verifier, version),
        client_config(presenter, version),
    )
}

/// The alert the client received.
fn received_alert(outcome: &Outcome) -> AlertDescription {
    match &outcome.client {
        Err(rustls::Error::AlertReceived(a)) => *a,
        other => panic!("expected an alert, the client saw {other:?}"),
    }
}

#[test]
fn a_self_managed_client_completes_the_handshake_and_is_handed_over_without_reverifying() {
    let p = pki();
    for version in [TLS12, TLS13] {
        for (leaf, name) in [
            (&p.jane, "P-256"),
            (&p.jane_rsa, "RSA"),
            (&p.jane_ed, "Ed25519"),
        ] {
            let live = live();
            let outcome = connect(
                &live,
                VerifierOptions::default(),
                version,
                presenter(&[leaf], Some(leaf)),
            );
            assert!(
                outcome.client.is_ok(),
                "{name} {version:?}: {:?}",
                outcome.client.err()
            );
            let conn = outcome.server.unwrap();
            let verifier = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
            let client = verifier.verified_client(conn.peer_certificates()).unwrap();
            assert_eq!(client.subject().to_string(), JANE);
            let principal =
                x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap();
            assert_eq!(principal.user(), JANE, "{name}");
            assert_eq!(principal.role_names(), ["readWrite@sales"]);
            assert_eq!(principal.kind(), x509_dbauth::CertificateKind::SelfManaged);
        }
    }
}

#[test]
fn a_managed_client_is_classified_managed() {
    let p = pki();
    let live = live();
    let outcome = connect(
        &live,
        VerifierOptions::default(),
        TLS13,
        presenter(&[&p.managed_user], Some(&p.managed_user)),
    );
    let conn = outcome.server.unwrap();
    let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
    let client = v.verified_client(conn.peer_certificates()).unwrap();
    assert_eq!(client.kind(), x509_dbauth::CertificateKind::Managed);
    let principal = x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap();
    assert_eq!(principal.role_names(), ["read@inventory"]);
}

#[test]
fn each_chain_refusal_is_its_own_alert_in_both_versions() {
    let p = pki();
    let cases: [(&str, &Node, AlertDescription, &str); 3] = [
        (
            "expired",
            &p.expired,
            AlertDescription::CertificateExpired,
            "expired",
        ),
        (
            "revoked",
            &p.revoked,
            AlertDescription::CertificateRevoked,
            "revoked",
        ),
        (
            "unknown CA",
            &p.stranger,
            AlertDescription::UnknownCA,
            "unknown_issuer",
        ),
    ];
    for version in [TLS12, TLS13] {
        for (name, leaf, alert, kind) in &cases {
            let live = live();
            let outcome = connect(
                &live,
                VerifierOptions::default(),
                version,
                presenter(&[leaf], Some(leaf)),
            );
            assert_eq!(received_alert(&outcome), *alert, "{name} {version:?}");
            assert!(outcome.server.is_err(), "{name}");
            assert_eq!(
                live.counters().denied(),
                BTreeMap::from([(*kind, 1)]),
                "{name} {version:?}"
            );
        }
    }
}

#[test]
fn self_managed_switched_off_is_access_denied() {
    let p = pki();
    let live = live();
    live.update(|s| s.disable_self_managed()).unwrap();
    let outcome = connect(
        &live,
        VerifierOptions::default(),
        TLS13,
        presenter(&[&p.jane], Some(&p.jane)),
    );
    assert_eq!(received_alert(&outcome), AlertDescription::AccessDenied);
    assert_eq!(
        live.counters().denied(),
        BTreeMap::from([("self_managed_disabled", 1)])
    );
}

#[test]
fn a_copy_of_a_public_certificate_without_its_key_is_refused_by_the_handshake_signature() {
    let p = pki();
    for version in [TLS12, TLS13] {
        let live = live();
        // Jane's certificate, but the handshake is signed with another P-256 key.
        let outcome = connect(
            &live,
            VerifierOptions::default(),
            version,
            presenter(&[&p.jane], Some(&p.impostor_key)),
        );
        assert_eq!(
            received_alert(&outcome),
            AlertDescription::DecryptError,
            "{version:?}"
        );
        assert_eq!(
            outcome.server.err(),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::BadSignature
            ))
        );
        assert_eq!(
            live.counters().denied(),
            BTreeMap::from([("bad_handshake_signature", 1)])
        );
    }
}

#[test]
fn without_a_certificate_required_fails_and_optional_completes_with_no_certificate() {
    let live = live();
    let none = presenter(&[], None);
    let required = connect(&live, VerifierOptions::default(), TLS13, Arc::clone(&none));
    assert_eq!(
        received_alert(&required),
        AlertDescription::CertificateRequired
    );
    assert_eq!(
        required.server.err(),
        Some(rustls::Error::NoCertificatesPresented)
    );

    let optional = VerifierOptions::default().client_auth(ClientAuth::Optional);
    for version in [TLS12, TLS13] {
        let outcome = connect(&live, optional, version, Arc::clone(&none));
        assert!(outcome.client.is_ok());
        let conn = outcome.server.unwrap();
        let v = ClientVerifier::new(Arc::clone(&live), optional);
        assert_eq!(
            v.verified_client(conn.peer_certificates()).unwrap_err(),
            AuthError::NoCertificate
        );
    }
    // Optional does not weaken a certificate that is presented.
    let p = pki();
    let outcome = connect(
        &live,
        optional,
        TLS13,
        presenter(&[&p.revoked], Some(&p.revoked)),
    );
    assert_eq!(
        received_alert(&outcome),
        AlertDescription::CertificateRevoked
    );
}

#[test]
fn root_hints_name_both_ca_sets_or_none() {
    let p = pki();
    let live = live();
    let subject = |n: &Node| {
        x509_dbauth::x509::Certificate::from_der(&n.der, &x509_dbauth::Limits::DEFAULT)
            .unwrap()
            .subject_der()
            .to_vec()
    };
    let who = presenter(&[&p.jane], Some(&p.jane));
    connect(&live, VerifierOptions::default(), TLS13, Arc::clone(&who));
    assert_eq!(
        *who.hints.lock().unwrap(),
        vec![subject(&p.managed_ca), subject(&p.project_ca)]
    );
    let who = presenter(&[&p.jane], Some(&p.jane));
    let none = VerifierOptions::default().root_hints(RootHints::None);
    let outcome = connect(&live, none, TLS13, Arc::clone(&who));
    assert!(outcome.server.is_ok());
    assert!(who.hints.lock().unwrap().is_empty());
}

#[test]
fn a_live_server_config_follows_settings_changes() {
    let p = pki();
    let live = live();
    let server = pki().server.der.clone();
    let key = key_der(&p.server);
    let config = LiveServerConfig::new(Arc::clone(&live), VerifierOptions::default(), move |v| {
        ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[TLS13])?
            .with_client_cert_verifier(v)
            .with_single_cert(vec![CertificateDer::from(server.clone())], key.clone_key())
    })
    .unwrap();
    let first = config.current();
    assert!(
        Arc::ptr_eq(&first, &config.current()),
        "no change, no rebuild"
    );
    let jane = || presenter(&[&p.jane], Some(&p.jane));
    let outcome = handshake(config.current(), client_config(jane(), TLS13));
    let conn = outcome.server.unwrap();

    // An admin switches self-managed X.509 off: new connections are refused, and the hints
    // no longer name the project CA.
    live.update(|s| s.disable_self_managed()).unwrap();
    let second = config.current();
    assert!(!Arc::ptr_eq(&first, &second));
    let who = jane();
    let refused = handshake(second, client_config(Arc::clone(&who), TLS13));
    assert_eq!(received_alert(&refused), AlertDescription::AccessDenied);
    assert_eq!(
        *who.hints.lock().unwrap(),
        vec![
            x509_dbauth::x509::Certificate::from_der(
                &p.managed_ca.der,
                &x509_dbauth::Limits::DEFAULT
            )
            .unwrap()
            .subject_der()
            .to_vec()
        ]
    );
    // The connection made before the change is refused at login under the current settings.
    let client = conn.peer_certificates().unwrap().to_vec();
    let verified = config.verified_client(Some(&client));
    assert!(matches!(
        verified,
        Err(AuthError::SelfManagedDisabled { .. })
    ));
}

#[test]
fn a_client_verified_before_a_crl_was_added_is_refused_at_login() {
    let p = pki();
    let live = live();
    let b = settings_with_crl(false);
    live.swap(b.build().unwrap());
    let outcome = connect(
        &live,
        VerifierOptions::default(),
        TLS13,
        presenter(&[&p.revoked], Some(&p.revoked)),
    );
    let conn = outcome.server.unwrap();
    let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
    let client = v.verified_client(conn.peer_certificates()).unwrap();
    live.update(|s| s.crls(&p.project_crl)).unwrap();
    let refused = x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap_err();
    assert_eq!(refused.kind(), "revoked");
    assert_eq!(refused.tls_alert(), TlsAlert::CertificateRevoked);
}

/// Records every audit event's fields, with the thread that emitted it. Installed once as the
/// global subscriber of this test binary (a per-thread subscriber misses events when another
/// test thread registers the same callsite first); each test reads its own thread's events.
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
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
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
        if event.metadata().target() != x509_dbauth::audit::AUDIT_TARGET {
            return;
        }
        let mut fields = BTreeMap::new();
        fields.insert("level".to_owned(), event.metadata().level().to_string());
        event.record(&mut Fields(&mut fields));
        self.0
            .lock()
            .unwrap()
            .push((std::thread::current().id(), fields));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn audit_events_name_the_certificate_the_decision_and_the_peer() {
    use sha2::Digest;
    let p = pki();
    let events = recorded_events();
    {
        let live = live();
        // A refused handshake.
        connect(
            &live,
            VerifierOptions::default(),
            TLS13,
            presenter(&[&p.revoked], Some(&p.revoked)),
        );
        // An allowed login, with the peer address.
        let outcome = connect(
            &live,
            VerifierOptions::default(),
            TLS13,
            presenter(&[&p.jane], Some(&p.jane)),
        );
        let conn = outcome.server.unwrap();
        let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
        let client = v.verified_client(conn.peer_certificates()).unwrap();
        let peer = "192.0.2.7:50123".parse().unwrap();
        x509_dbauth::testing::block_on(live.authenticate_from(&client, None, Some(peer))).unwrap();
        // A refused login: a claim of another user.
        x509_dbauth::testing::block_on(live.authenticate(&client, Some("CN=myuser"))).unwrap_err();
        assert_eq!(live.counters().allowed(), 1);
        assert_eq!(
            live.counters().denied(),
            BTreeMap::from([("claim_mismatch", 1), ("revoked", 1)])
        );
    }
    let events = events();
    assert_eq!(events.len(), 3, "{events:#?}");
    let e = &events[0];
    assert_eq!(e["level"], "WARN");
    assert_eq!(e["phase"], "handshake");
    assert_eq!(e["decision"], "deny");
    assert_eq!(e["kind"], "revoked");
    assert_eq!(e["alert"], "certificate_revoked");
    assert_eq!(e["subject"], "CN=Revoked User,O=MongoDB,C=US");
    assert_eq!(e["serial"], "6a");
    assert_eq!(e["issuer"], "CN=Project CA,O=x509-dbauth tests");
    assert_eq!(
        e["fingerprint_sha256"],
        hex(&sha2::Sha256::digest(&p.revoked.der))
    );
    assert!(e["reason"].contains("revoked"), "{}", e["reason"]);

    let e = &events[1];
    assert_eq!(e["level"], "INFO");
    assert_eq!(e["phase"], "login");
    assert_eq!(e["decision"], "allow");
    assert_eq!(e["kind"], "allowed");
    assert_eq!(e["user"], JANE);
    assert_eq!(e["certificate_kind"], "self-managed");
    assert_eq!(e["anchor"], "CN=Project CA,O=x509-dbauth tests");
    assert_eq!(e["serial"], "65");
    assert_eq!(e["peer"], "192.0.2.7:50123");
    assert_eq!(e["roles"], "readWrite@sales");
    assert!(
        !e.contains_key("expires_in_days"),
        "90 days left, threshold 30"
    );
    assert!(e.contains_key("duration_us"));
    for key in ["reason", "alert"] {
        assert!(!e.contains_key(key), "{key} on an allowed login");
    }

    let e = &events[2];
    assert_eq!(e["level"], "WARN");
    assert_eq!(e["kind"], "claim_mismatch");
    assert_eq!(e["alert"], "access_denied");
    assert!(!e.contains_key("peer"));
}

#[test]
fn a_certificate_near_its_expiry_is_flagged_on_the_principal() {
    let p = pki();
    // 90 days left: flagged under a 100-day threshold, not under the default 30.
    let live = live();
    let client = live
        .verify_client(&[CertificateDer::from(p.jane.der.clone())], UnixTime::now())
        .unwrap();
    let principal = x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap();
    assert_eq!(principal.expiry_warning(), None);
    live.update(|s| s.expiration_warning_threshold(std::time::Duration::from_secs(100 * 86_400)))
        .unwrap();
    let principal = x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap();
    let left = principal.expiry_warning().unwrap().as_secs();
    assert!((89 * 86_400..=90 * 86_400).contains(&left), "{left}");
}
