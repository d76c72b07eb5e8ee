//! Certificate path building and validation (RFC 5280 §6), for client certificates.
//!
//! [`ChainVerifier::builder`] takes the trust anchors and, optionally, configured intermediates and
//! CRLs; [`ChainVerifier::verify_chain`] builds a path from the presented leaf to an anchor
//! (backtracking over candidate issuers within the [`Limits`] budgets) and validates it.

mod budget;
mod build;
pub(crate) mod cache;
mod crl;
mod name_constraints;
mod revocation;
mod validate;

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::cert::{Certificate, OwnedCertificate, certificates_from_pem_or_der, pem_blocks};
use crate::crypto::{
    RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef, verify_signature,
};
use crate::error::{CertError, CertPosition, CertRef, ChainError, ConfigError, CryptoError};
use crate::limits::Limits;
use crate::name::{Name, NameIndex};
use crate::trust::TrustAnchors;
use budget::Budget;
use cache::BoundedCache;
use crl::Crl;

/// The purpose the leaf certificate must be valid for (RFC 5280 §4.2.1.12).
///
/// The requirement applies only when the leaf has an extendedKeyUsage extension (RFC 5280: its
/// absence means no restriction). anyExtendedKeyUsage in the leaf does **not** satisfy
/// `ClientAuth` or `ServerAuth`: a certificate for "any purpose" is not evidence that its CA meant
/// it for authentication (the choice of rustls-webpki and of CA/Browser Forum profiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Eku {
    /// id-kp-clientAuth (1.3.6.1.5.5.7.3.2), the default.
    #[default]
    ClientAuth,
    /// id-kp-serverAuth (1.3.6.1.5.5.7.3.1).
    ServerAuth,
    /// No purpose is required; the leaf's EKU extension is not checked.
    Any,
}

impl Eku {
    /// The OID content bytes and name of the purpose, when one is required.
    pub(crate) fn oid(&self) -> Option<(&'static [u8], &'static str)> {
        match self {
            Eku::ClientAuth => Some((crate::oid::KP_CLIENT_AUTH, "clientAuth")),
            Eku::ServerAuth => Some((crate::oid::KP_SERVER_AUTH, "serverAuth")),
            Eku::Any => None,
        }
    }
}

/// Verifies client certificate chains against a fixed configuration.
///
/// ```
/// use x509_dbauth::{TrustAnchors, UnixTime};
/// use x509_dbauth::x509::{Certificate, ChainVerifier};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let verifier = ChainVerifier::builder(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?)
///     .crls(&pki("project-issuing-ca.crl")?)
///     .build()?;
/// let jane = Certificate::ders_from_pem_or_der(&pki("jane-chain.pem")?)?;
/// let path = verifier.verify_chain(&jane, UnixTime::now())?;
/// assert_eq!(path.len(), 3); // leaf, issuing CA, root
/// let revoked = Certificate::ders_from_pem_or_der(&pki("revoked-chain.pem")?)?;
/// let e = verifier.verify_chain(&revoked, UnixTime::now()).unwrap_err();
/// assert_eq!(e.kind(), "revoked");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ChainVerifier {
    anchors: TrustAnchors,
    configured: Arc<Configured>,
    require_crl: bool,
    allow_sha1: bool,
    eku: Eku,
    limits: Limits,
    backend: Arc<dyn SignatureVerifier>,
    /// Clock-skew leeway in seconds, applied to every validity bound.
    leeway: i64,
    /// Paths above issuers already verified to an anchor (shared by clones).
    issuers: Arc<BoundedCache<build::IssuerPath>>,
}

impl std::fmt::Debug for ChainVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.configured.intermediates.len())
            .field("crls", &self.configured.crls.len())
            .field("require_crl", &self.require_crl)
            .field("allow_sha1", &self.allow_sha1)
            .field("eku", &self.eku)
            .field("limits", &self.limits)
            .field("backend", &self.backend)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ChainVerifier`]; every input is checked in [`ChainVerifierBuilder::build`] (fail closed).
#[derive(Clone)]
#[must_use]
pub struct ChainVerifierBuilder {
    anchors: TrustAnchors,
    intermediates: Vec<Result<Vec<Vec<u8>>, CertError>>,
    crls: Vec<Result<Vec<Vec<u8>>, CertError>>,
    require_crl: bool,
    allow_sha1: bool,
    eku: Eku,
    limits: Limits,
    backend: Arc<dyn SignatureVerifier>,
    clock_skew: Duration,
    issuer_cache: CacheBounds,
}

impl ChainVerifierBuilder {
    /// Adds intermediates that may complete clients' paths: one DER certificate or a PEM bundle.
    pub fn intermediates(mut self, pem_or_der: &[u8]) -> Self {
        self.intermediates
            .push(certificates_from_pem_or_der(pem_or_der));
        self
    }

    /// Adds intermediates given as DER certificates.
    pub fn intermediate_ders<I, D>(mut self, ders: I) -> Self
    where
        I: IntoIterator<Item = D>,
        D: AsRef<[u8]>,
    {
        self.intermediates
            .push(Ok(ders.into_iter().map(|d| d.as_ref().to_vec()).collect()));
        self
    }

    /// Adds CRLs: one DER CRL or a PEM bundle of `X509 CRL` blocks.
    pub fn crls(mut self, pem_or_der: &[u8]) -> Self {
        let parsed = if pem_or_der.first() == Some(&0x30) {
            Ok(vec![pem_or_der.to_vec()])
        } else {
            pem_blocks(pem_or_der, "X509 CRL")
        };
        self.crls.push(parsed);
        self
    }

    /// When true, every certificate in the path below the anchor must be covered by valid CRLs
    /// from its issuer for every revocation reason (one complete CRL, or CRLs partitioned by
    /// onlySomeReasons that together cover keyCompromise … aACompromise, RFC 5280 §6.3.3), as
    /// PKITS assumes. Default false: CRLs are applied when present, and a listing on any of
    /// them revokes.
    pub fn require_crl(mut self, require: bool) -> Self {
        self.require_crl = require;
        self
    }

    /// Accepts SHA-1 signatures (RSA and ECDSA). Default false; only for legacy PKIs that
    /// cannot reissue, as SHA-1 collisions are practical (SHAttered, 2017).
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }

    /// The purpose the leaf must allow when it has an EKU extension. Default `Eku::ClientAuth`.
    pub fn required_eku(mut self, eku: Eku) -> Self {
        self.eku = eku;
        self
    }

    /// Resource limits. Default `Limits::DEFAULT`.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the signature backend (default: RustCrypto).
    pub fn signature_verifier(mut self, backend: Arc<dyn SignatureVerifier>) -> Self {
        self.backend = backend;
        self
    }

    /// Clock-skew leeway for every validity check (default zero). A certificate is accepted
    /// when the validation time is within [notBefore − leeway, notAfter + leeway], and a CRL is
    /// usable when it is within [thisUpdate − leeway, nextUpdate + leeway]: a client whose
    /// clock, or whose CA's clock, runs slightly ahead is not refused for a certificate issued
    /// seconds ago. Whole seconds count (certificate times have a resolution of one second).
    pub fn clock_skew(mut self, leeway: Duration) -> Self {
        self.clock_skew = leeway;
        self
    }

    /// Bounds of the issuer cache (default [`CacheBounds::ISSUERS`]; zero entries or zero
    /// bytes disable it). Once an intermediate has been verified up to an anchor, a new leaf
    /// under it costs the leaf's own checks and one signature: the path above the
    /// intermediate is reused while every validity bound it relied on still holds at the
    /// validation time. The cache belongs to the built verifier (clones share it); a
    /// verifier built from other material starts empty. The answer is the one a search
    /// without the cache gives (the same path, or the same error): a hit is charged, against
    /// the work budgets of [`Limits`], what the search it skips spent when the entry was
    /// made, so a budget runs out on a hit exactly when it would without the cache. It serves clients that present their leaf and at most one
    /// other certificate (the usual leaf + issuing CA, or a leaf whose issuer is configured):
    /// then the search above the issuer draws only on configured material, the same for every
    /// leaf.
    pub fn issuer_cache(mut self, bounds: CacheBounds) -> Self {
        self.issuer_cache = bounds;
        self
    }

    /// Checks every configured certificate and CRL and returns the verifier. Anchors,
    /// intermediates and CRLs are parsed here, with the verifier's limits, and kept parsed and
    /// indexed by name: a verification reads only what the client presents.
    pub fn build(self) -> Result<ChainVerifier, ConfigError> {
        let mut c = Configured::default();
        let mut index = 0;
        for group in self.intermediates {
            let group = group.map_err(|source| ConfigError::Intermediate { index, source })?;
            for der in group {
                let cert = OwnedCertificate::parse(der, &self.limits)
                    .map_err(|source| ConfigError::Intermediate { index, source })?;
                c.intermediates_by_subject.insert(&cert.subject(), index);
                c.intermediates.push(cert);
                index += 1;
            }
        }
        let mut index = 0;
        for group in self.crls {
            let group = group.map_err(|source| ConfigError::Crl { index, source })?;
            for der in group {
                let crl = Crl::from_der(der, &self.limits)
                    .map_err(|source| ConfigError::Crl { index, source })?;
                c.crls_by_issuer.insert(&crl.issuer(), index);
                c.crls.push(crl);
                index += 1;
            }
        }
        // An anchor that does not parse under the verifier's limits (it was loaded with larger
        // ones) can never be reached: it is kept out of the index.
        for (i, anchor) in self.anchors.anchors.iter().enumerate() {
            let cert = OwnedCertificate::parse(anchor.der.to_vec(), &self.limits).ok();
            if let Some(cert) = &cert {
                c.anchors_by_subject.insert(&cert.subject(), i);
            }
            c.anchors.push(cert);
        }
        Ok(ChainVerifier {
            anchors: self.anchors,
            configured: Arc::new(c),
            require_crl: self.require_crl,
            allow_sha1: self.allow_sha1,
            eku: self.eku,
            limits: self.limits,
            backend: self.backend,
            leeway: i64::try_from(self.clock_skew.as_secs()).unwrap_or(i64::MAX),
            issuers: Arc::new(BoundedCache::new(self.issuer_cache)),
        })
    }
}

impl ChainVerifier {
    /// Starts a builder with safe defaults: clientAuth required, SHA-1 refused, CRLs applied
    /// when present but not required, `Limits::DEFAULT`.
    pub fn builder(anchors: TrustAnchors) -> ChainVerifierBuilder {
        ChainVerifierBuilder {
            anchors,
            intermediates: Vec::new(),
            crls: Vec::new(),
            require_crl: false,
            allow_sha1: false,
            eku: Eku::ClientAuth,
            limits: Limits::DEFAULT,
            backend: Arc::new(RustCryptoVerifier),
            clock_skew: Duration::ZERO,
            issuer_cache: CacheBounds::ISSUERS,
        }
    }

    /// The signature backend (also for signatures outside certificates, such as a TLS
    /// handshake's).
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    pub(crate) fn backend(&self) -> &dyn SignatureVerifier {
        &*self.backend
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// Verifies a client's chain: `presented[0]` is the leaf, the rest a pool in any order
    /// (extras are ignored). `now` is the validation time.
    pub fn verify_chain(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<VerifiedChain, ChainError> {
        self.verify_windowed(presented, now).0
    }

    /// [`Self::verify_chain`], with the span of validation times over which every time
    /// comparison it made gives the same answer (so the same result, path included).
    pub(crate) fn verify_windowed(
        &self,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> (Result<VerifiedChain, ChainError>, Window) {
        let mut window = Window::ALWAYS;
        let result = build::verify(self, presented, now, &mut window);
        (result, window)
    }

    /// Entries and bytes held by the issuer cache.
    pub fn issuer_cache_stats(&self) -> CacheStats {
        self.issuers.stats()
    }
}

pub use cache::{CacheBounds, CacheStats};

/// The span of validation times (Unix seconds, both ends included) over which every time
/// comparison a verification made (validity of each certificate considered, thisUpdate and
/// nextUpdate of each CRL considered, all widened by the leeway) has the same outcome as at
/// the time it ran. Inside it, the same input gives the same result; a cached result is
/// served only inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) from: i64,
    pub(crate) until: i64,
}

/// Where a validation time falls relative to a validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    Before,
    Inside,
    After,
}

impl Window {
    /// No comparison made yet.
    pub(crate) const ALWAYS: Window = Window {
        from: i64::MIN,
        until: i64::MAX,
    };

    /// Compares `now` with the period [`lo` − `leeway`, `hi` + `leeway`] and narrows the window
    /// to the times for which the comparison has the same outcome.
    pub(crate) fn observe(&mut self, now: i64, lo: i64, hi: Option<i64>, leeway: i64) -> Within {
        let lo = lo.saturating_sub(leeway);
        let hi = hi.map_or(i64::MAX, |h| h.saturating_add(leeway));
        if now < lo {
            self.until = self.until.min(lo.saturating_sub(1));
            Within::Before
        } else if now > hi {
            self.from = self.from.max(hi.saturating_add(1));
            Within::After
        } else {
            self.from = self.from.max(lo);
            self.until = self.until.min(hi);
            Within::Inside
        }
    }

    /// Narrows this window to the times also in `other`.
    pub(crate) fn intersect(&mut self, other: Window) {
        self.from = self.from.max(other.from);
        self.until = self.until.min(other.until);
    }

    /// `now` is inside the window.
    pub(crate) fn contains(&self, now: i64) -> bool {
        self.from <= now && now <= self.until
    }
}

/// The configured material, parsed once by [`ChainVerifierBuilder::build`] with the verifier's
/// limits and indexed by name.
#[derive(Debug, Default)]
struct Configured {
    /// The trust anchors, in `TrustAnchors` order; `None` for one that does not parse under the
    /// verifier's limits.
    anchors: Vec<Option<OwnedCertificate>>,
    anchors_by_subject: NameIndex,
    intermediates: Vec<OwnedCertificate>,
    intermediates_by_subject: NameIndex,
    crls: Vec<Crl>,
    crls_by_issuer: NameIndex,
}

/// A certificate taking part in path building, with its origin.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub(crate) cert: Certificate<'a>,
    pub(crate) pos: CertPosition,
    /// Subject and issuer are the same name (RFC 5280 §6.1), decided on first use: a leaf's
    /// is never asked, and comparing names that differ in DER needs their canonical forms.
    self_issued: OnceCell<bool>,
    /// The subject as text, made on the first error that names the certificate.
    text: OnceCell<String>,
}

impl<'a> Node<'a> {
    pub(crate) fn new(cert: Certificate<'a>, pos: CertPosition) -> Self {
        Node {
            self_issued: OnceCell::new(),
            cert,
            pos,
            text: OnceCell::new(),
        }
    }

    /// Subject and issuer are the same name (RFC 5280 §6.1).
    pub(crate) fn self_issued(&self) -> bool {
        *self.self_issued.get_or_init(|| self.cert.is_self_issued())
    }

    pub(crate) fn subject(&self) -> &Name<'a> {
        self.cert.subject_name()
    }

    pub(crate) fn issuer(&self) -> &Name<'a> {
        self.cert.issuer_name()
    }

    pub(crate) fn subject_text(&self) -> String {
        self.text
            .get_or_init(|| self.cert.subject_name().text())
            .clone()
    }

    pub(crate) fn cref(&self) -> CertRef {
        CertRef {
            position: self.pos,
            subject: self.subject_text(),
        }
    }
}

/// The certificates a path may use below the anchor: the presented ones (the leaf first), then
/// the configured intermediates that can take part.
pub(crate) struct Pool<'p, 'a> {
    pub(crate) nodes: &'p [Node<'a>],
    /// `nodes[..presented]` were presented by the client.
    pub(crate) presented: usize,
    /// For each configured intermediate, its place in `nodes` when it takes part.
    pub(crate) configured: &'p [Option<usize>],
}

impl<'p, 'a> Pool<'p, 'a> {
    /// The presented certificates, the leaf first.
    pub(crate) fn presented(&self) -> &'p [Node<'a>] {
        self.nodes.get(..self.presented).unwrap_or(&[])
    }
}

/// Per-call state shared by path building, validation and revocation.
pub(crate) struct Ctx<'v> {
    pub(crate) v: &'v ChainVerifier,
    pub(crate) now: i64,
    pub(crate) budget: Budget,
    /// The times over which every time comparison made so far has the same outcome.
    pub(crate) window: Window,
    /// Candidate failures recorded so far (a path found without any is the first one tried).
    pub(crate) failures: usize,
    /// What the checks involving the leaf spent when an anchor was last reached (the name
    /// constraints of the path and the leaf's revocation status): an issuer-cache hit runs
    /// them again, so the cost it charges for the search it skips leaves them out.
    pub(crate) leaf_checks: budget::Spent,
    /// What the revocation checks of the path's other certificates spent then (they run
    /// after the leaf's checks).
    pub(crate) upper_revocation: budget::Spent,
}

impl<'v> Ctx<'v> {
    /// Where the validation time falls in [`lo`, `hi`] (widened by the leeway), recorded in
    /// the window.
    pub(crate) fn within(&mut self, lo: i64, hi: Option<i64>) -> Within {
        self.window.observe(self.now, lo, hi, self.v.leeway)
    }

    /// The configured material.
    fn configured(&self) -> &'v Configured {
        &self.v.configured
    }

    /// Verifies a signature made by `issuer_spki` over `tbs`. The outer `Err` is budget
    /// exhaustion (fatal); the inner one is the verdict.
    pub(crate) fn verify_signature(
        &mut self,
        alg_der: &[u8],
        tbs: &[u8],
        sig: &[u8],
        issuer_spki: &[u8],
    ) -> Result<Result<(), CryptoError>, ChainError> {
        self.budget.signature()?;
        Ok((|| {
            let alg = SignatureAlgorithm::from_der(alg_der)?;
            let spki = SpkiRef::from_der(issuer_spki)?;
            verify_signature(&*self.v.backend, alg, &spki, tbs, sig, self.v.allow_sha1)
        })())
    }

    /// Checks `child`'s signature with `issuer`'s key.
    pub(crate) fn check_link(
        &mut self,
        child: &Node<'_>,
        issuer: &Node<'_>,
    ) -> Result<(), ChainError> {
        let c = &child.cert;
        self.verify_signature(c.signature_algorithm, c.tbs, c.signature, issuer.cert.spki)?
            .map_err(|source| ChainError::Signature {
                cert: child.cref(),
                issuer: issuer.subject_text(),
                source,
            })
    }

    /// Compares two names already read, spending one name comparison.
    pub(crate) fn same(&mut self, a: &Name<'_>, b: &Name<'_>) -> Result<bool, ChainError> {
        self.budget.name_comparison()?;
        Ok(a.same(b))
    }

    /// Looks `name` up in an index of configured material, spending one name comparison when
    /// the index has entries (the look-up stands for comparing against each of them).
    pub(crate) fn find(
        &mut self,
        index: &NameIndex,
        len: usize,
        name: &Name<'_>,
    ) -> Result<Vec<usize>, ChainError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        self.budget.name_comparison()?;
        Ok(index.find(name))
    }
}

/// A chain that verified: leaf → … → anchor. Only this crate can construct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The anchor's bytes are shared with the verifier's trust anchors.
    path: Vec<Arc<[u8]>>,
    positions: Vec<CertPosition>,
    anchor_index: usize,
    leaf_subject_der: Vec<u8>,
    leaf_not_after: i64,
}

impl VerifiedChain {
    /// The DER certificates from the leaf to the anchor (the anchor is last).
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.path.iter().map(|c| &**c)
    }

    /// Where each certificate of [`Self::certificates`] came from.
    pub fn positions(&self) -> &[CertPosition] {
        &self.positions
    }

    /// Number of certificates in the path, anchor included.
    pub fn len(&self) -> usize {
        self.path.len()
    }

    /// Always false: a verified path has at least a leaf and an anchor.
    pub fn is_empty(&self) -> bool {
        self.path.is_empty()
    }

    /// The leaf certificate DER.
    pub fn leaf_der(&self) -> &[u8] {
        self.path.first().map_or(&[], |c| &**c)
    }

    /// Index of the anchor the path ends at, in the verifier's `TrustAnchors`.
    pub fn anchor_index(&self) -> usize {
        self.anchor_index
    }

    /// The DER of the anchor the path ends at.
    pub fn anchor_der(&self) -> &[u8] {
        self.path.last().map_or(&[], |c| &**c)
    }

    /// DER of the leaf's subject Name.
    pub fn leaf_subject_der(&self) -> &[u8] {
        &self.leaf_subject_der
    }

    /// The leaf's notAfter.
    pub fn leaf_not_after(&self) -> crate::Timestamp {
        crate::Timestamp::from_unix_seconds(self.leaf_not_after)
    }

    /// Heap memory this value owns, in bytes (for cache accounting): the anchor's bytes are
    /// the verifier's, and not counted.
    pub(crate) fn heap_bytes(&self) -> usize {
        let own = self.path.len().saturating_sub(1);
        self.path.capacity() * std::mem::size_of::<Arc<[u8]>>()
            + self
                .path
                .iter()
                .take(own)
                .map(|c| c.len() + 2 * std::mem::size_of::<usize>())
                .sum::<usize>()
            + self.positions.capacity() * std::mem::size_of::<CertPosition>()
            + self.leaf_subject_der.capacity()
    }
}
