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
use common::tls::{Outcome, TLS12, TLS13, Version, handshake, key_der, now, provider};
use rcgen::{DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};
use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, ClientConfig, RootCertStore, ServerConfig, SignatureScheme};
use x509_dbauth::errors::TlsAlert;
use x509_dbauth::tls::{ClientAuth, ClientVerifier, LiveServerConfig, RootHints, VerifierOptions};
use x509_dbauth::{AuthError, Authenticator, LiveAuthenticator, Settings, TrustAnchors, UserSpec};

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

fn server_config(verifier: Arc<ClientVerifier>, version: Version) -> Arc<ServerConfig> {
    Arc::new(common::tls::server_config(verifier, version, &pki().server).unwrap())
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
    common::tls::client_config(presenter, version, &pki().server_ca)
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
fn a_self_managed_client_completes_the_handshake_and_is_handed_over() {
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

/// A signature backend that counts what it is asked.
struct Counting(std::sync::atomic::AtomicUsize);

impl x509_dbauth::signature::SignatureVerifier for Counting {
    fn verify(
        &self,
        alg: x509_dbauth::signature::SignatureAlgorithm,
        spki: &x509_dbauth::signature::SpkiRef<'_>,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), x509_dbauth::errors::CryptoError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        x509_dbauth::signature::RustCryptoVerifier.verify(alg, spki, msg, sig)
    }
}

#[test]
fn the_hand_over_costs_no_signature_and_the_handshake_costs_chain_plus_possession() {
    let p = pki();
    let counting = Arc::new(Counting(std::sync::atomic::AtomicUsize::new(0)));
    let count = || counting.0.swap(0, std::sync::atomic::Ordering::SeqCst);
    let settings = settings()
        .signature_verifier(
            Arc::clone(&counting) as Arc<dyn x509_dbauth::signature::SignatureVerifier>
        )
        .build()
        .unwrap();
    let live = Arc::new(LiveAuthenticator::new(Authenticator::new(Arc::new(
        settings,
    ))));
    let outcome = connect(
        &live,
        VerifierOptions::default(),
        TLS13,
        presenter(&[&p.jane], Some(&p.jane)),
    );
    let conn = outcome.server.unwrap();
    // The leaf's signature by the project CA, the signature of the project CA's CRL that
    // covers it, and the client's CertificateVerify.
    assert_eq!(count(), 3);
    let v = ClientVerifier::new(Arc::clone(&live), VerifierOptions::default());
    let client = v.verified_client(conn.peer_certificates()).unwrap();
    assert_eq!(count(), 0, "the hand-over is a verified-chain cache hit");
    assert_eq!(
        live.snapshot()
            .settings()
            .verifier()
            .chain_cache_stats()
            .entries,
        1
    );
    let principal = x509_dbauth::testing::block_on(live.authenticate(&client, None)).unwrap();
    assert_eq!(principal.user(), JANE);
    assert_eq!(
        count(),
        0,
        "phase 2 verifies nothing again under the same snapshot"
    );
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
    assert_eq!(
        verified.unwrap_err(),
        AuthError::SelfManagedDisabled {
            anchor: "CN=Project CA,O=x509-dbauth tests".to_owned()
        }
    );
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

/// `examples/mtls_server.rs` as a process, with real rustls clients over loopback TCP and the
/// example PKI: every decision the example PKI can produce, and a CA rotation while a client
/// stays connected.
mod example_server {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    fn example(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(rel)
    }

    fn binary() -> PathBuf {
        // target/<profile>/deps/tls-<hash> → target/<profile>/examples/mtls_server
        let exe = std::env::current_exe().unwrap();
        let path = exe
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("examples/mtls_server");
        assert!(
            path.exists(),
            "{} is missing: `cargo test --all-features` builds it (or `cargo build --examples --all-features`)",
            path.display()
        );
        path
    }

    struct Server {
        child: Child,
        addr: String,
        log: mpsc::Receiver<String>,
        /// Kept open so that the server can still write to it.
        _stdout: BufReader<std::process::ChildStdout>,
    }

    impl Server {
        fn start(config: &Path, extra: &[&str]) -> Server {
            let mut child = Command::new(binary())
                .arg("--config")
                .arg(config)
                .args(["--listen", "127.0.0.1:0", "--tls-cert"])
                .arg(example("pki/server-chain.pem"))
                .arg("--tls-key")
                .arg(example("pki/server.key"))
                .args(extra)
                .env("RUST_LOG", "info")
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdout = BufReader::new(child.stdout.take().unwrap());
            let mut first = String::new();
            stdout.read_line(&mut first).unwrap();
            let addr = first
                .trim()
                .strip_prefix("listening on ")
                .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
                .to_owned();
            let (tx, log) = mpsc::channel();
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            Server {
                child,
                addr,
                log,
                _stdout: stdout,
            }
        }

        /// Sends SIGHUP and waits for the server to say it reloaded (or refused to).
        fn reload(&self) -> String {
            let status = Command::new("kill")
                .args(["-HUP", &self.child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            loop {
                let line = self.log.recv_timeout(Duration::from_secs(30)).unwrap();
                if line.contains("settings reloaded") || line.contains("settings not reloaded") {
                    return line;
                }
            }
        }

        fn stop(mut self) {
            let status = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let exit = self.child.wait().unwrap();
            assert!(exit.success(), "{exit:?}");
        }
    }

    fn pem_chain(path: &Path) -> Vec<CertificateDer<'static>> {
        use rustls::pki_types::pem::PemObject;
        CertificateDer::pem_file_iter(path)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn client_tls(chain: Option<(&Path, &Path)>) -> Arc<ClientConfig> {
        use rustls::pki_types::pem::PemObject;
        let mut roots = RootCertStore::empty();
        for c in pem_chain(&example("pki/project-root-ca.pem")) {
            roots.add(c).unwrap();
        }
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        Arc::new(match chain {
            Some((certs, key)) => builder
                .with_client_auth_cert(pem_chain(certs), PrivateKeyDer::from_pem_file(key).unwrap())
                .unwrap(),
            None => builder.with_no_client_auth(),
        })
    }

    type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

    /// Connects; the server's first line, or the TLS error.
    fn connect(
        addr: &str,
        config: Arc<ClientConfig>,
    ) -> Result<(Tls, serde_json::Value), rustls::Error> {
        let tcp = TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let conn = rustls::ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let line = read_line(&mut tls)?;
        Ok((tls, line))
    }

    fn read_line(tls: &mut Tls) -> Result<serde_json::Value, rustls::Error> {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match tls.read(&mut byte) {
                Ok(0) => panic!("closed before a line: {:?}", String::from_utf8_lossy(&line)),
                Ok(_) if byte[0] == b'\n' => break,
                Ok(_) => line.push(byte[0]),
                Err(e) => {
                    let inner = e.into_inner().unwrap();
                    return Err(*inner.downcast::<rustls::Error>().unwrap());
                }
            }
        }
        Ok(serde_json::from_slice(&line).unwrap())
    }

    fn ask_again(tls: &mut Tls) -> serde_json::Value {
        tls.write_all(b"again\n").unwrap();
        tls.flush().unwrap();
        read_line(tls).unwrap()
    }

    fn client(name: &str) -> Arc<ClientConfig> {
        client_tls(Some((
            &example(&format!("pki/{name}-chain.pem")),
            &example(&format!("pki/{name}.key")),
        )))
    }

    fn alert(r: Result<(Tls, serde_json::Value), rustls::Error>) -> AlertDescription {
        match r {
            Err(rustls::Error::AlertReceived(a)) => a,
            Err(other) => panic!("expected an alert, got the error {other:?}"),
            Ok((_, line)) => panic!("expected an alert, got {line}"),
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("x509-dbauth-mtls-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn every_example_client_gets_its_decision() {
        let server = Server::start(&example("settings.toml"), &[]);
        let (_, jane) = connect(&server.addr, client("jane")).unwrap();
        assert_eq!(
            jane,
            serde_json::json!({
                "decision": "allow",
                "user": "CN=Jane Doe,O=MongoDB,C=US",
                "kind": "self-managed",
                "roles": ["readWrite@sales", "read@reporting.orders"],
            })
        );
        let (_, myuser) = connect(&server.addr, client("myuser")).unwrap();
        assert_eq!(myuser["decision"], "allow");
        assert_eq!(myuser["kind"], "managed");
        assert_eq!(
            myuser["roles"],
            serde_json::json!(["read@inventory", "ordersReader@admin"])
        );
        assert_eq!(
            alert(connect(&server.addr, client("unknown-ca-client"))),
            AlertDescription::UnknownCA
        );
        assert_eq!(
            alert(connect(&server.addr, client("expired"))),
            AlertDescription::CertificateExpired
        );
        assert_eq!(
            alert(connect(&server.addr, client("revoked"))),
            AlertDescription::CertificateRevoked
        );
        assert_eq!(
            alert(connect(&server.addr, client_tls(None))),
            AlertDescription::CertificateRequired
        );
        let (_, impostor) = connect(&server.addr, client("impostor")).unwrap();
        assert_eq!(
            impostor,
            serde_json::json!({
                "decision": "deny",
                "kind": "kind_mismatch",
                "message": "kind_mismatch: the client certificate is not accepted for this user",
            })
        );
        let (_, john) = connect(&server.addr, client("john")).unwrap();
        assert_eq!(john["decision"], "deny");
        assert_eq!(john["kind"], "unknown_user");
        assert_eq!(
            john["message"],
            "unknown_user: the client certificate does not identify a database user"
        );
        server.stop();
    }

    #[test]
    fn ldap_authorization_blocks_the_managed_client_and_optional_certificates_reach_phase_two() {
        let server = Server::start(&example("settings-ldap.toml"), &["--optional-client-cert"]);
        let (_, myuser) = connect(&server.addr, client("myuser")).unwrap();
        assert_eq!(myuser["decision"], "deny");
        assert_eq!(myuser["kind"], "managed_blocked_by_ldap");
        let (_, nobody) = connect(&server.addr, client_tls(None)).unwrap();
        assert_eq!(nobody["kind"], "no_certificate");
        let (_, jane) = connect(&server.addr, client("jane")).unwrap();
        assert_eq!(jane["decision"], "allow");
        assert_eq!(jane["user"], "cn=Jane Doe,ou=users,dc=example,dc=com");
        server.stop();
    }

    fn rotation_settings(dir: &Path, bundle: &str, self_managed: bool) -> PathBuf {
        let pki = example("pki");
        let text = format!(
            r#"
[managed_x509]
ca_file = "{pki}/managed-ca.pem"
[self_managed_x509]
enabled = {self_managed}
ca_file = "{bundle}"
crl_files = ["{pki}/project-root-ca.crl", "{pki}/project-issuing-ca.crl"]
[[users]]
name = "CN=Jane Doe,O=MongoDB,C=US"
x509 = "self-managed"
roles = ["readWrite@sales"]
[[users]]
name = "CN=New Hire,O=MongoDB,C=US"
x509 = "self-managed"
roles = ["read@sales"]
"#,
            pki = pki.display(),
        );
        let path = dir.join("settings.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_ca_rotation_while_a_client_stays_connected() {
        let dir = temp_dir("rotation");
        // The new project CA and a client it issues, made for this run.
        let mut spec = Spec::ca("New Project Root", Alg::P256);
        spec.not_before = now() - DAY;
        spec.not_after = now() + 3650 * DAY;
        let new_ca = root(&spec);
        let hire = leaf(
            &[
                (DnType::CountryName, "US"),
                (DnType::OrganizationName, "MongoDB"),
                (DnType::CommonName, "New Hire"),
            ],
            Alg::P256,
            500,
            &new_ca,
        );
        let write = |name: &str, text: String| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let old_pem = std::fs::read_to_string(example("pki/project-root-ca.pem")).unwrap();
        let old = write("old.pem", old_pem.clone());
        let both = write("both.pem", format!("{old_pem}{}", new_ca.pem()));
        let new = write("new.pem", new_ca.pem());
        let hire_chain = write("hire-chain.pem", super_pem(&hire));
        let hire_key = write("hire.key", super_key_pem(&hire));
        let hire_tls = client_tls(Some((&hire_chain, &hire_key)));

        let config = rotation_settings(&dir, &old.display().to_string(), true);
        let server = Server::start(&config, &[]);
        let (mut jane, first) = connect(&server.addr, client("jane")).unwrap();
        let mut connections = 1;
        let mut decisions = vec![("jane, old CA", first["decision"].clone(), "allow")];
        assert_eq!(
            alert(connect(&server.addr, Arc::clone(&hire_tls))),
            AlertDescription::UnknownCA
        );
        connections += 1;
        // Step 1: old + new. Jane stays connected and is still let in; the new hire gets in.
        rotation_settings(&dir, &both.display().to_string(), true);
        assert!(server.reload().contains("settings reloaded"));
        decisions.push((
            "jane, old + new",
            ask_again(&mut jane)["decision"].clone(),
            "allow",
        ));
        let (_, hired) = connect(&server.addr, Arc::clone(&hire_tls)).unwrap();
        connections += 1;
        decisions.push(("new hire, old + new", hired["decision"].clone(), "allow"));
        // Step 2: new only. Jane's open connection is not dropped; its next request is refused.
        rotation_settings(&dir, &new.display().to_string(), true);
        assert!(server.reload().contains("settings reloaded"));
        let again = ask_again(&mut jane);
        assert_eq!(again["kind"], "anchor_no_longer_trusted");
        decisions.push(("jane, new only", again["decision"].clone(), "deny"));
        assert_eq!(
            alert(connect(&server.addr, client("jane"))),
            AlertDescription::UnknownCA
        );
        connections += 1;
        let (_, hired) = connect(&server.addr, Arc::clone(&hire_tls)).unwrap();
        connections += 1;
        decisions.push(("new hire, new only", hired["decision"].clone(), "allow"));
        // A broken file: the server keeps the last good settings.
        std::fs::write(&config, "[self_managed_x509\n").unwrap();
        assert!(server.reload().contains("settings not reloaded"));
        let (_, hired) = connect(&server.addr, Arc::clone(&hire_tls)).unwrap();
        connections += 1;
        decisions.push((
            "new hire, after a broken file",
            hired["decision"].clone(),
            "allow",
        ));
        // Self-managed X.509 switched off: access denied in the handshake.
        rotation_settings(&dir, &new.display().to_string(), false);
        assert!(server.reload().contains("settings reloaded"));
        assert_eq!(
            alert(connect(&server.addr, Arc::clone(&hire_tls))),
            AlertDescription::AccessDenied
        );
        connections += 1;
        let wrong: Vec<_> = decisions
            .iter()
            .filter(|(_, got, want)| got != want)
            .collect();
        println!(
            "rotation: {connections} connections, 4 reloads (1 refused), {} decisions on open connections and new ones, {} wrong",
            decisions.len(),
            wrong.len()
        );
        assert!(wrong.is_empty(), "{wrong:?}");
        server.stop();
        std::fs::remove_dir_all(dir).unwrap();
    }
}

fn super_pem(node: &Node) -> String {
    node.pem()
}

fn super_key_pem(node: &Node) -> String {
    match node.issuer.key() {
        Key::Ring(k) => k.serialize_pem(),
        _ => panic!("test keys are ring keys"),
    }
}
