//! Managed vs self-managed: the trust anchor a verified chain ends at decides the kind, by its
//! public key (an anchor is its subject and key, RFC 5280 §6.1.1 (d), never its certificate
//! bytes), and no key may be in both sets.
//!
//! Phase 1 (the handshake): [`Verifier::verify_client`] is synchronous,
//! does no I/O, and returns a [`VerifiedClient`], the proof type that phase 2
//! (`Authenticator::authenticate`) requires. Decision rules 1–3 are applied here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::chain::cache::{self, BoundedCache};
use crate::chain::{CacheBounds, CacheStats, ChainVerifier, VerifiedChain, Window};
use crate::crypto::SignatureVerifier;
use crate::display::Escaped;
use crate::dn::{CanonicalDn, DistinguishedName};
use crate::error::{AuthError, ChainError, SettingsError};
use crate::limits::Limits;
use crate::trace::{Outcome, Trace};
use crate::trust::TrustAnchors;

pub use crate::kind::CertificateKind;

/// A client whose chain verified, classified, with a non-empty subject. Only this crate can
/// create one ([`Verifier::verify_client`]), so phase 2 cannot be reached without phase 1.
/// Cloning it is cheap (one reference count): the verified-chain cache hands out clones.
#[derive(Debug, Clone)]
pub struct VerifiedClient {
    inner: Arc<ClientInner>,
}

#[derive(Debug)]
struct ClientInner {
    chain: VerifiedChain,
    kind: CertificateKind,
    subject: DistinguishedName,
    canonical: CanonicalDn,
    anchor_fingerprint: [u8; 32],
    anchor_subject: String,
    /// The anchor's public key identity (`trust::key_identity`): what classifies the client.
    anchor_key: Vec<u8>,
    /// The [`Verifier::id`] of the verifier that made it: phase 2 under settings with another
    /// verifier verifies the chain again under theirs.
    verifier_id: u64,
    /// The validation times over which the verification has the same outcome: phase 2 at a
    /// time outside it verifies the chain again, at that time.
    window: Window,
}

impl VerifiedClient {
    /// The verified path, leaf to anchor.
    pub fn chain(&self) -> &VerifiedChain {
        &self.inner.chain
    }

    /// The classification at verification time.
    pub fn kind(&self) -> CertificateKind {
        self.inner.kind
    }

    /// The leaf's subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.inner.subject
    }

    /// The leaf subject's canonical form (the user registry's key).
    pub fn canonical_subject(&self) -> &CanonicalDn {
        &self.inner.canonical
    }

    /// SHA-256 of the trust anchor the chain ends at.
    pub fn anchor_fingerprint(&self) -> &[u8; 32] {
        &self.inner.anchor_fingerprint
    }

    /// Subject of the trust anchor the chain ends at.
    pub fn anchor_subject(&self) -> &str {
        &self.inner.anchor_subject
    }

    /// The [`Verifier::id`] of the verifier that made it.
    pub(crate) fn verifier_id(&self) -> u64 {
        self.inner.verifier_id
    }

    /// Whether the verification's outcome holds at `now` (Unix seconds): every validity
    /// period it relied on (certificates, CRLs, widened by the leeway) still gives the same
    /// answer.
    pub(crate) fn still_valid_at(&self, now: i64) -> bool {
        self.inner.window.contains(now)
    }

    /// The presented certificates of the verified path: the path without its anchor.
    pub(crate) fn presented(&self) -> Vec<CertificateDer<'static>> {
        let chain = &self.inner.chain;
        let n = chain.len().saturating_sub(1);
        chain
            .certificates()
            .take(n)
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect()
    }

    /// The public key identity of the trust anchor the chain ends at.
    pub(crate) fn anchor_key(&self) -> &[u8] {
        &self.inner.anchor_key
    }

    /// The leaf's notAfter.
    pub fn not_after(&self) -> crate::Timestamp {
        self.inner.chain.leaf_not_after()
    }

    /// Memory this value owns, in bytes: what a verified-chain cache entry holding it costs
    /// besides its key.
    pub(crate) fn size_bytes(&self) -> usize {
        let c = &self.inner;
        std::mem::size_of::<ClientInner>()
            + 2 * std::mem::size_of::<usize>()
            + c.chain.heap_bytes()
            + c.subject.heap_bytes()
            + c.canonical.heap_bytes()
            + c.anchor_subject.capacity()
            + c.anchor_key.capacity()
    }
}

/// Builds a [`Verifier`]; `build` refuses overlapping anchor sets (fail closed).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct VerifierBuilder {
    managed: Option<TrustAnchors>,
    self_managed: Option<TrustAnchors>,
    self_managed_enabled: bool,
    crls: Vec<Vec<u8>>,
    require_crl: bool,
    limits: Limits,
    /// None: each `ChainVerifier` keeps its own default (RustCrypto).
    backend: Option<Arc<dyn SignatureVerifier>>,
    clock_skew: Duration,
    /// None: [`CacheBounds::CHAINS`].
    chain_cache: Option<CacheBounds>,
    /// None: [`CacheBounds::ISSUERS`].
    issuer_cache: Option<CacheBounds>,
}

impl VerifierBuilder {
    /// The platform's managed CA set: chains ending at one of its anchors are managed.
    pub fn managed_ca(mut self, anchors: TrustAnchors) -> Self {
        self.managed = Some(anchors);
        self
    }

    /// The self-managed CA set (the project's own PKI), and whether self-managed X.509 is
    /// enabled. A disabled set is still used, to tell "disabled" apart from "untrusted".
    pub fn self_managed_ca(mut self, anchors: Option<TrustAnchors>, enabled: bool) -> Self {
        self.self_managed = anchors;
        self.self_managed_enabled = enabled;
        self
    }

    /// CRLs (PEM bundle or one DER CRL), applied to both sets.
    pub fn crls(mut self, pem_or_der: &[u8]) -> Self {
        self.crls.push(pem_or_der.to_vec());
        self
    }

    /// Require a CRL for every certificate below the anchor (default false).
    pub fn require_crl(mut self, require: bool) -> Self {
        self.require_crl = require;
        self
    }

    /// Resource limits (default [`Limits::DEFAULT`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The signature backend of both CA sets' chain verifiers (default: RustCrypto).
    pub fn signature_verifier(mut self, backend: Arc<dyn SignatureVerifier>) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Clock-skew leeway for every validity check (default zero): a certificate is accepted
    /// when the validation time is within [notBefore − leeway, notAfter + leeway], and a CRL
    /// is usable within [thisUpdate − leeway, nextUpdate + leeway]. For servers whose clients'
    /// CAs issue certificates that are used seconds later, from machines whose clocks differ.
    pub fn clock_skew(mut self, leeway: Duration) -> Self {
        self.clock_skew = leeway;
        self
    }

    /// Bounds of the verified-chain cache (default [`CacheBounds::CHAINS`]: 10 000 entries,
    /// 32 MiB; zero entries or bytes disable it).
    ///
    /// A chain that verified is kept, keyed by the SHA-256 of the presented certificates,
    /// with the span of validation times over which every validity check made (each
    /// certificate's notBefore and notAfter, each CRL's thisUpdate and nextUpdate, widened by
    /// the leeway) gives the same answer. Presenting the same chain again at a time inside
    /// that span costs that hash and a look-up, and gives the same [`VerifiedClient`] a
    /// verification would; outside it, the entry is dropped and the chain verified afresh.
    /// Denials are not kept. The cache belongs to the verifier: new settings build a new
    /// verifier, whose cache starts empty. This is also how a server obtains the
    /// `VerifiedClient` of a connection after the TLS handshake without verifying twice:
    /// the second `verify_client` on the same chain is a cache hit.
    pub fn chain_cache(mut self, bounds: CacheBounds) -> Self {
        self.chain_cache = Some(bounds);
        self
    }

    /// Bounds of the issuer cache of each CA set (default [`CacheBounds::ISSUERS`]; zero
    /// disables it): once an intermediate has been verified up to an anchor, a new leaf under
    /// it costs one signature and the leaf's own checks (the name constraints of the whole
    /// path and the leaf's revocation status included). See
    /// [`ChainVerifierBuilder::issuer_cache`](crate::x509::ChainVerifierBuilder::issuer_cache).
    pub fn issuer_cache(mut self, bounds: CacheBounds) -> Self {
        self.issuer_cache = Some(bounds);
        self
    }

    /// Checks the configuration and returns the verifier.
    pub fn build(self) -> Result<Verifier, SettingsError> {
        let managed = self.managed.unwrap_or_default();
        if self.self_managed_enabled
            && self
                .self_managed
                .as_ref()
                .is_none_or(TrustAnchors::is_empty)
        {
            return Err(SettingsError::SelfManagedWithoutBundle);
        }
        let self_managed = self.self_managed.unwrap_or_default();
        // An anchor is its subject and public key: a copy of a managed CA re-encoded with
        // another serial, validity or signature (or another encoding of the same key) in the
        // self-managed set is the same key in both sets, and is refused.
        for m in &managed.anchors {
            if let Some(p) = self_managed.anchors.iter().find(|p| p.key == m.key) {
                return Err(SettingsError::AnchorInBothSets {
                    subject: p.subject.clone(),
                    fingerprint: hex(&p.fingerprint),
                });
            }
        }
        let chain_verifier = |anchors: TrustAnchors| {
            let mut b = ChainVerifier::builder(anchors)
                .require_crl(self.require_crl)
                .limits(self.limits.clone())
                .clock_skew(self.clock_skew)
                .issuer_cache(self.issuer_cache.unwrap_or(CacheBounds::ISSUERS));
            for crl in &self.crls {
                b = b.crls(crl);
            }
            if let Some(backend) = &self.backend {
                b = b.signature_verifier(Arc::clone(backend));
            }
            b.build().map_err(SettingsError::Crl)
        };
        // The two sets share no key (checked above): one map classifies every anchor.
        let anchor_kinds = managed
            .anchors
            .iter()
            .map(|a| (a.key.clone(), CertificateKind::Managed))
            .chain(
                self_managed
                    .anchors
                    .iter()
                    .map(|a| (a.key.clone(), CertificateKind::SelfManaged)),
            )
            .collect();
        Ok(Verifier {
            managed: chain_verifier(managed)?,
            self_managed: chain_verifier(self_managed)?,
            anchor_kinds,
            self_managed_enabled: self.self_managed_enabled,
            limits: self.limits,
            id: NEXT_VERIFIER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            chains: Arc::new(BoundedCache::new(
                self.chain_cache.unwrap_or(CacheBounds::CHAINS),
            )),
        })
    }
}

/// Phase 1: verifies a client's chain against the managed and the self-managed CA sets and
/// classifies it (decision rules 1–3).
///
/// ```
/// use x509_dbauth::{CertificateKind, TrustAnchors, UnixTime, Verifier};
/// use x509_dbauth::x509::Certificate;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let verifier = Verifier::builder()
///     .managed_ca(TrustAnchors::from_pem(&pki("managed-ca.pem")?)?)
///     .self_managed_ca(Some(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?), true)
///     .build()?;
/// let chain = Certificate::ders_from_pem_or_der(&pki("jane-chain.pem")?)?;
/// let client = verifier.verify_client(&chain, UnixTime::now())?;
/// assert_eq!(client.kind(), CertificateKind::SelfManaged);
/// assert_eq!(client.subject().to_string(), "CN=Jane Doe,O=MongoDB,C=US");
/// // The same chain again is a verified-chain cache hit.
/// verifier.verify_client(&chain, UnixTime::now())?;
/// assert_eq!(verifier.chain_cache_stats().entries, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    managed: ChainVerifier,
    self_managed: ChainVerifier,
    /// The kind of each anchor, by its public key identity (the two sets are disjoint).
    anchor_kinds: HashMap<Vec<u8>, CertificateKind>,
    self_managed_enabled: bool,
    limits: Limits,
    /// Unique per build: tells a client verified by this configuration from one verified by
    /// another (a settings reload between phase 1 and phase 2).
    id: u64,
    /// The verified-chain cache (shared by clones, as the id is).
    chains: Arc<BoundedCache<VerifiedClient>>,
}

/// Source of [`Verifier`] ids.
static NEXT_VERIFIER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Verifier {
    /// Unique to this build of the verifier (clones share it).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// A builder with no anchors, self-managed X.509 disabled, and default limits.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Entries and bytes held by the verified-chain cache.
    pub fn chain_cache_stats(&self) -> CacheStats {
        self.chains.stats()
    }

    /// Entries and bytes held by the issuer caches of both CA sets.
    pub fn issuer_cache_stats(&self) -> CacheStats {
        let (m, s) = (
            self.managed.issuer_cache_stats(),
            self.self_managed.issuer_cache_stats(),
        );
        CacheStats {
            entries: m.entries + s.entries,
            bytes: m.bytes + s.bytes,
        }
    }

    /// Whether self-managed X.509 is enabled.
    pub fn self_managed_enabled(&self) -> bool {
        self.self_managed_enabled
    }

    /// The managed CA set.
    pub fn managed_anchors(&self) -> &TrustAnchors {
        self.managed.anchors()
    }

    /// The self-managed CA set (kept while self-managed X.509 is disabled).
    pub fn self_managed_anchors(&self) -> &TrustAnchors {
        self.self_managed.anchors()
    }

    /// Verifies `presented` (leaf first, then any intermediates) at `now` and classifies it.
    ///
    /// Rule 1: no certificate → `NoCertificate`. Rule 2: a chain to the managed set is
    /// `Managed`; to the self-managed set `SelfManaged` when enabled, else `SelfManagedDisabled`;
    /// to neither, the more specific of the two chain errors. Rule 3: empty subject →
    /// `EmptySubject`.
    ///
    /// A chain that verified before under this verifier, presented again at a time for which
    /// every validity check it relied on still holds, is served from the verified-chain cache
    /// (a SHA-256 of the presented bytes and a look-up; see
    /// [`VerifierBuilder::chain_cache`]): calling this again after a TLS handshake, to obtain
    /// the connection's `VerifiedClient`, does not verify the chain a second time.
    pub fn verify_client(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<VerifiedClient, AuthError> {
        self.verify_traced(presented, now, &mut Trace::off())
    }

    /// The signature backend both CA sets verify with.
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    pub(crate) fn backend(&self) -> &dyn crate::crypto::SignatureVerifier {
        self.managed.backend()
    }

    /// Which set an anchor's public key (`trust::key_identity`) belongs to under this
    /// configuration; the sets share no key (refused at build).
    pub(crate) fn kind_of_anchor(&self, key: &[u8]) -> Option<CertificateKind> {
        self.anchor_kinds.get(key).copied()
    }

    /// [`Self::verify_client`], recording each rule into `trace`.
    pub(crate) fn verify_traced(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        trace: &mut Trace,
    ) -> Result<VerifiedClient, AuthError> {
        if presented.is_empty() {
            trace.record("certificate", Outcome::Fail, || {
                "the client presented no certificate".to_owned()
            });
            return Err(AuthError::NoCertificate);
        }
        trace.record("certificate", Outcome::Pass, || {
            format!("{} certificate(s) presented", presented.len())
        });
        let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let key = self
            .chains
            .enabled()
            .then(|| cache::digest(presented.iter().map(|c| c.as_ref())));
        if let Some((client, _)) = key.as_ref().and_then(|k| self.chains.get(k, secs)) {
            trace.record("chain", Outcome::Pass, || {
                format!(
                    "{} (served from the verified-chain cache)",
                    chain_sentence(client.chain().len(), client.anchor_subject(), client.kind())
                )
            });
            trace.record("subject", Outcome::Pass, || {
                format!("\"{}\"", Escaped(client.subject()))
            });
            return Ok(client);
        }
        let (result, window) = self.verify_uncached(presented, now, trace);
        if let (Some(key), Ok(client)) = (key, &result) {
            self.chains
                .insert(key, client.clone(), window, client.size_bytes());
        }
        result
    }

    /// [`Self::verify_traced`] without the verified-chain cache, with the span of validation
    /// times over which the result stays the same.
    fn verify_uncached(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        trace: &mut Trace,
    ) -> (Result<VerifiedClient, AuthError>, Window) {
        let (managed, mut window) = self.managed.verify_windowed(presented, now);
        let chosen = match managed {
            Ok(chain) => Ok((chain, CertificateKind::Managed)),
            Err(managed_err) => {
                let (self_managed, w) = self.self_managed.verify_windowed(presented, now);
                window.intersect(w);
                self.self_managed_chain(self_managed, managed_err, trace)
            }
        };
        let result = chosen.and_then(|(chain, kind)| self.classified(chain, kind, window, trace));
        (result, window)
    }

    /// Decision rule 2 when the managed set refused the chain.
    fn self_managed_chain(
        &self,
        self_managed: Result<VerifiedChain, ChainError>,
        managed_err: ChainError,
        trace: &mut Trace,
    ) -> Result<(VerifiedChain, CertificateKind), AuthError> {
        match self_managed {
            Ok(chain) if self.self_managed_enabled => Ok((chain, CertificateKind::SelfManaged)),
            Ok(chain) => {
                let anchor = anchor_subject(&self.self_managed, &chain);
                trace.record("chain", Outcome::Fail, || {
                        format!(
                            "verifies to the self-managed CA \"{}\" only, and self-managed X.509 is disabled (managed CA set: {managed_err})",
                            Escaped(&anchor)
                        )
                    });
                Err(AuthError::SelfManagedDisabled { anchor })
            }
            Err(self_managed_err) => {
                let err = self.most_specific(managed_err, self_managed_err);
                trace.record("chain", Outcome::Fail, || {
                        format!("does not verify against the managed CA set or the self-managed CA set: {err}")
                    });
                Err(AuthError::Chain(err))
            }
        }
    }

    /// Rules 2 (the kind, by the anchor's key) and 3 for a chain that verified.
    fn classified(
        &self,
        chain: VerifiedChain,
        kind: CertificateKind,
        window: Window,
        trace: &mut Trace,
    ) -> Result<VerifiedClient, AuthError> {
        let verifier = match kind {
            CertificateKind::Managed => &self.managed,
            CertificateKind::SelfManaged => &self.self_managed,
        };
        let anchor = verifier.anchors().anchors.get(chain.anchor_index());
        let anchor_fingerprint = anchor.map_or([0; 32], |a| a.fingerprint);
        let anchor_subject = anchor.map_or_else(String::new, |a| a.subject.clone());
        let anchor_key = anchor.map_or_else(Vec::new, |a| a.key.clone());
        // The anchor's key decides the kind; the set whose verifier found the path holds that
        // key, and no key is in both sets.
        let kind = self.kind_of_anchor(&anchor_key).unwrap_or(kind);
        trace.record("chain", Outcome::Pass, || {
            chain_sentence(chain.len(), &anchor_subject, kind)
        });
        let subject =
            DistinguishedName::from_der_with_limits(chain.leaf_subject_der(), &self.limits)
                .map_err(|e| {
                    trace.record("subject", Outcome::Fail, || e.to_string());
                    AuthError::SubjectUnreadable(e)
                })?;
        let client = VerifiedClient {
            inner: Arc::new(ClientInner {
                canonical: subject.canonical(),
                chain,
                kind,
                subject,
                anchor_fingerprint,
                anchor_subject,
                anchor_key,
                verifier_id: self.id,
                window,
            }),
        };
        let subject = client.subject();
        if subject.is_empty() {
            trace.record("subject", Outcome::Fail, || {
                "the subject is the empty name".to_owned()
            });
            return Err(AuthError::EmptySubject);
        }
        trace.record("subject", Outcome::Pass, || {
            format!("\"{}\"", Escaped(subject))
        });
        Ok(client)
    }

    /// The error of the set where path building got further; on a tie, the set the client
    /// most plausibly belongs to (the self-managed one when self-managed X.509 is enabled).
    fn most_specific(&self, managed: ChainError, self_managed: ChainError) -> ChainError {
        let (m, s) = (managed.rank(), self_managed.rank());
        if s > m || (s == m && self.self_managed_enabled) {
            self_managed
        } else {
            managed
        }
    }
}

/// The trace's sentence for a chain that verified.
fn chain_sentence(len: usize, anchor_subject: &str, kind: CertificateKind) -> String {
    format!(
        "a path of {len} certificate(s) ends at \"{}\" in the {}, so the certificate is {kind}",
        Escaped(anchor_subject),
        match kind {
            CertificateKind::Managed => "managed CA set",
            CertificateKind::SelfManaged => "self-managed CA set",
        }
    )
}

fn anchor_subject(verifier: &ChainVerifier, chain: &VerifiedChain) -> String {
    verifier
        .anchors()
        .iter()
        .nth(chain.anchor_index())
        .map_or_else(String::new, |a| a.subject.to_owned())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    crate::hex::lower(bytes)
}
