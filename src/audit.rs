//! Audit: one `tracing` event per decision, counters a metrics exporter reads, and the
//! certificate-expiry warning.
//!
//! # Events
//!
//! Every event has the target [`AUDIT_TARGET`] (`x509_dbauth::audit`); an allowed login is
//! logged at `INFO`, a denial at `WARN`, an undecided login (the directory is down) at `ERROR`.
//! Fields (absent when unknown):
//!
//! | field | value |
//! |---|---|
//! | `phase` | `handshake` (the chain, in [`Authenticator::verify_client`]) or `login` ([`Authenticator::authenticate`]) |
//! | `decision` | `allow`, `deny` or `undecided` |
//! | `kind` | `allowed`, or the refusal's [`AuthError::kind`] (`expired`, `revoked`, `unknown_user`, ...) |
//! | `alert` | the refusal's TLS alert name ([`AuthError::tls_alert`]) |
//! | `user` | the principal's user name (allowed logins) |
//! | `subject` | the client certificate's subject (RFC 4514, escaped) |
//! | `certificate_kind` | `managed` or `self-managed` |
//! | `anchor` | the subject of the trust anchor the chain ends at |
//! | `serial` | the client certificate's serial number, lowercase hex |
//! | `issuer` | the client certificate's issuer (RFC 4514, escaped) |
//! | `fingerprint_sha256` | SHA-256 of the client certificate's DER, lowercase hex |
//! | `peer` | the client's address, when the server passed it ([`Authenticator::authenticate_from`]) |
//! | `roles` | the granted roles, `role@db` separated by `,` |
//! | `expires_in_days` | whole days until the certificate's notAfter, when within the warning threshold |
//! | `duration_us` | how long the phase took, in microseconds |
//! | `reason` | the operator's text of a refusal (escaped; never sent to the client) |
//!
//! No event carries key material, a password or a bind credential. Handshake-phase events do
//! not know the peer address (a TLS verifier is not told it): a server that wants it on them
//! enters a span with the address around the handshake, and subscribers record the event
//! inside it. Spans `x509_dbauth.verify` and `x509_dbauth.authenticate` cover the two phases.
//!
//! [`Authenticator::verify_client`]: crate::Authenticator::verify_client
//! [`Authenticator::authenticate`]: crate::Authenticator::authenticate
//! [`Authenticator::authenticate_from`]: crate::Authenticator::authenticate_from
//! [`AuthError::kind`]: crate::AuthError::kind
//! [`AuthError::tls_alert`]: crate::AuthError::tls_alert

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::cert::Certificate;
use crate::classify::VerifiedClient;
use crate::dn::DistinguishedName;
use crate::error::AuthError;
use crate::limits::Limits;
use crate::policy::Principal;

/// The `tracing` target of every audit event.
pub const AUDIT_TARGET: &str = "x509_dbauth::audit";

/// Decision counts since the authenticator was made, shared by every authenticator derived
/// from it (settings reloads included): allowed logins, and refusals by kind.
///
/// ```
/// use x509_dbauth::audit::DecisionCounters;
/// let counters = DecisionCounters::default();
/// assert_eq!(counters.allowed(), 0);
/// assert!(counters.denied().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct DecisionCounters {
    allowed: AtomicU64,
    denied: Mutex<BTreeMap<&'static str, u64>>,
}

impl DecisionCounters {
    /// Logins allowed.
    pub fn allowed(&self) -> u64 {
        self.allowed.load(Ordering::Relaxed)
    }

    /// Refusals (handshake and login phases) by [`AuthError::kind`], undecided logins included
    /// (kind `directory_unavailable`).
    pub fn denied(&self) -> BTreeMap<&'static str, u64> {
        match self.denied.lock() {
            Ok(map) => map.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// All refusals.
    pub fn denied_total(&self) -> u64 {
        self.denied().values().sum()
    }

    pub(crate) fn record_allowed(&self) {
        self.allowed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_denied(&self, kind: &'static str) {
        let mut map = match self.denied.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        *map.entry(kind).or_insert(0) += 1;
    }
}

/// What the event says about the client certificate.
struct Leaf {
    subject: Option<String>,
    serial: String,
    issuer: Option<String>,
    fingerprint: String,
}

impl Leaf {
    fn read(der: &[u8], limits: &Limits) -> Option<Leaf> {
        let cert = Certificate::from_der(der, limits).ok()?;
        let name = |der: &[u8]| {
            DistinguishedName::from_der_with_limits(der, limits)
                .ok()
                .map(|n| crate::display::Escaped(n).to_string())
        };
        Some(Leaf {
            subject: name(cert.subject_der()),
            serial: crate::hex::lower(cert.serial()),
            issuer: name(cert.issuer_der()),
            fingerprint: crate::hex::lower(&cert.sha256_fingerprint()),
        })
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A refusal of the handshake phase: the chain (or its subject) did not pass.
pub(crate) fn handshake_denied(
    counters: &DecisionCounters,
    leaf_der: Option<&[u8]>,
    error: &AuthError,
    took: Duration,
    limits: &Limits,
) {
    counters.record_denied(error.kind());
    if !tracing::enabled!(target: AUDIT_TARGET, tracing::Level::WARN) {
        return;
    }
    let leaf = leaf_der.and_then(|d| Leaf::read(d, limits));
    let leaf = leaf.as_ref();
    tracing::warn!(
        target: AUDIT_TARGET,
        phase = "handshake",
        decision = "deny",
        kind = error.kind(),
        alert = error.tls_alert().name(),
        subject = leaf.and_then(|l| l.subject.as_deref()),
        serial = leaf.map(|l| l.serial.as_str()),
        issuer = leaf.and_then(|l| l.issuer.as_deref()),
        fingerprint_sha256 = leaf.map(|l| l.fingerprint.as_str()),
        duration_us = micros(took),
        reason = %error,
        "x509 client certificate refused",
    );
}

/// The outcome of the login phase.
pub(crate) fn login(
    counters: &DecisionCounters,
    client: &VerifiedClient,
    peer: Option<SocketAddr>,
    outcome: &Result<Principal, AuthError>,
    took: Duration,
    limits: &Limits,
) {
    match outcome {
        Ok(_) => counters.record_allowed(),
        Err(e) => counters.record_denied(e.kind()),
    }
    let level_on = match outcome {
        Ok(_) => tracing::enabled!(target: AUDIT_TARGET, tracing::Level::INFO),
        Err(e) if e.is_undecided() => {
            tracing::enabled!(target: AUDIT_TARGET, tracing::Level::ERROR)
        }
        Err(_) => tracing::enabled!(target: AUDIT_TARGET, tracing::Level::WARN),
    };
    if !level_on {
        return;
    }
    let leaf = Leaf::read(client.chain().leaf_der(), limits);
    let leaf = leaf.as_ref();
    let subject = crate::display::Escaped(client.subject()).to_string();
    let anchor = crate::display::Escaped(client.anchor_subject()).to_string();
    let certificate_kind = client.kind().as_str();
    let serial = leaf.map(|l| l.serial.as_str());
    let issuer = leaf.and_then(|l| l.issuer.as_deref());
    let fingerprint = leaf.map(|l| l.fingerprint.as_str());
    let peer = peer.map(tracing::field::display);
    let duration_us = micros(took);
    match outcome {
        Ok(p) => {
            let roles = p.role_names().join(",");
            let user = crate::display::Escaped(p.user()).to_string();
            tracing::info!(
                target: AUDIT_TARGET,
                phase = "login",
                decision = "allow",
                kind = "allowed",
                user = user.as_str(),
                subject = subject.as_str(),
                certificate_kind = p.kind().as_str(),
                anchor = anchor.as_str(),
                serial,
                issuer,
                fingerprint_sha256 = fingerprint,
                peer,
                roles = roles.as_str(),
                expires_in_days = p.expiry_warning().map(|d| d.as_secs() / 86_400),
                duration_us,
                "x509 client allowed",
            );
        }
        Err(e) if e.is_undecided() => tracing::error!(
            target: AUDIT_TARGET,
            phase = "login",
            decision = "undecided",
            kind = e.kind(),
            alert = e.tls_alert().name(),
            subject = subject.as_str(),
            certificate_kind,
            anchor = anchor.as_str(),
            serial,
            issuer,
            fingerprint_sha256 = fingerprint,
            peer,
            duration_us,
            reason = %e,
            "x509 client login could not be decided",
        ),
        Err(e) => tracing::warn!(
            target: AUDIT_TARGET,
            phase = "login",
            decision = "deny",
            kind = e.kind(),
            alert = e.tls_alert().name(),
            subject = subject.as_str(),
            certificate_kind,
            anchor = anchor.as_str(),
            serial,
            issuer,
            fingerprint_sha256 = fingerprint,
            peer,
            duration_us,
            reason = %e,
            "x509 client refused",
        ),
    }
}

/// A refused handshake signature (CertificateVerify): the client does not hold the key of the
/// certificate it presented, or signed with a scheme the server does not take.
#[cfg(feature = "rustls")]
pub(crate) fn handshake_signature_refused(
    counters: &DecisionCounters,
    leaf_der: &[u8],
    refusal: &crate::tls::HandshakeSignatureRefusal,
    took: Duration,
    limits: &Limits,
) {
    const KIND: &str = "bad_handshake_signature";
    counters.record_denied(KIND);
    if !tracing::enabled!(target: AUDIT_TARGET, tracing::Level::WARN) {
        return;
    }
    let leaf = Leaf::read(leaf_der, limits);
    let leaf = leaf.as_ref();
    tracing::warn!(
        target: AUDIT_TARGET,
        phase = "handshake",
        decision = "deny",
        kind = KIND,
        alert = refusal.alert_name(),
        subject = leaf.and_then(|l| l.subject.as_deref()),
        serial = leaf.map(|l| l.serial.as_str()),
        issuer = leaf.and_then(|l| l.issuer.as_deref()),
        fingerprint_sha256 = leaf.map(|l| l.fingerprint.as_str()),
        duration_us = micros(took),
        reason = refusal.reason().as_str(),
        "x509 client handshake signature refused",
    );
}
