//! Certificate path building and validation (RFC 5280 §6), for client certificates.
//!
//! [`ChainVerifier::builder`] takes the trust anchors and, optionally, configured intermediates and
//! CRLs; [`ChainVerifier::verify_chain`] builds a path from the presented leaf to an anchor
//! (backtracking over candidate issuers within the [`Limits`] budgets) and validates it.

mod budget;
mod build;
mod crl;
mod name_constraints;
pub(crate) mod names;
mod validate;

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::cert::{Certificate, certificates_from_pem_or_der, pem_blocks};
use crate::crypto::{RustCryptoVerifier, SignatureVerifier};
use crate::error::{CertError, CertPosition, ChainError, ConfigError};
use crate::limits::Limits;
use crate::trust::TrustAnchors;

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
            Eku::ClientAuth => Some((
                &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02],
                "clientAuth",
            )),
            Eku::ServerAuth => Some((
                &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01],
                "serverAuth",
            )),
            Eku::Any => None,
        }
    }
}

/// Verifies client certificate chains against a fixed configuration.
#[derive(Clone)]
pub struct ChainVerifier {
    anchors: TrustAnchors,
    intermediates: Vec<Vec<u8>>,
    /// DER of each CRL, with its issuer Name DER (to skip other issuers' CRLs without parsing).
    crls: Vec<(Vec<u8>, Vec<u8>)>,
    require_crl: bool,
    allow_sha1: bool,
    eku: Eku,
    limits: Limits,
    backend: Arc<dyn SignatureVerifier>,
}

impl std::fmt::Debug for ChainVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("require_crl", &self.require_crl)
            .field("allow_sha1", &self.allow_sha1)
            .field("eku", &self.eku)
            .field("limits", &self.limits)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ChainVerifier`]; every input is checked in [`ChainVerifierBuilder::build`] (fail closed).
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

    /// Checks every configured certificate and CRL and returns the verifier.
    pub fn build(self) -> Result<ChainVerifier, ConfigError> {
        let mut intermediates = Vec::new();
        let mut index = 0;
        for group in self.intermediates {
            let group = group.map_err(|source| ConfigError::Intermediate { index, source })?;
            for der in group {
                Certificate::from_der(&der, &self.limits)
                    .map_err(|source| ConfigError::Intermediate { index, source })?;
                intermediates.push(der);
                index += 1;
            }
        }
        let mut crls = Vec::new();
        let mut index = 0;
        for group in self.crls {
            let group = group.map_err(|source| ConfigError::Crl { index, source })?;
            for der in group {
                let issuer = crl::Crl::from_der(&der)
                    .map_err(|source| ConfigError::Crl { index, source })?
                    .issuer
                    .to_vec();
                crls.push((der, issuer));
                index += 1;
            }
        }
        Ok(ChainVerifier {
            anchors: self.anchors,
            intermediates,
            crls,
            require_crl: self.require_crl,
            allow_sha1: self.allow_sha1,
            eku: self.eku,
            limits: self.limits,
            backend: self.backend,
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
        }
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
        build::verify(self, presented, now)
    }
}

/// A chain that verified: leaf → … → anchor. Only this crate can construct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    path: Vec<Vec<u8>>,
    positions: Vec<CertPosition>,
    anchor_index: usize,
    leaf_subject_der: Vec<u8>,
    leaf_not_after: i64,
}

impl VerifiedChain {
    /// The DER certificates from the leaf to the anchor (the anchor is last).
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.path.iter().map(Vec::as_slice)
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
        self.path.first().map_or(&[], Vec::as_slice)
    }

    /// Index of the anchor the path ends at, in the verifier's `TrustAnchors`.
    pub fn anchor_index(&self) -> usize {
        self.anchor_index
    }

    /// The DER of the anchor the path ends at.
    pub fn anchor_der(&self) -> &[u8] {
        self.path.last().map_or(&[], Vec::as_slice)
    }

    /// DER of the leaf's subject Name.
    pub fn leaf_subject_der(&self) -> &[u8] {
        &self.leaf_subject_der
    }

    /// The leaf's notAfter.
    pub fn leaf_not_after(&self) -> crate::Timestamp {
        crate::Timestamp::from_unix_seconds(self.leaf_not_after)
    }
}
