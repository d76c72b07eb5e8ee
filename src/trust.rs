//! Trust anchors: the CA certificates a deployment trusts, loaded from PEM and checked on load.
//!
//! Each anchor must parse, be a CA (basicConstraints cA = TRUE; a v1 certificate, which cannot
//! carry extensions, is accepted only when self-issued, for legacy roots), may sign certificates
//! (keyCertSign when keyUsage is present), and not repeat an earlier anchor. An anchor is its
//! subject and public key (RFC 5280 §6.1.1 (d)), not its certificate bytes: two certificates
//! with the same subject and key are the same anchor however they are encoded (serial,
//! validity, signature, extensions, the encoding of the key). The bytes are owned,
//! so anchors outlive the requests that use them. Rotation: [`TrustAnchors::extend`] and
//! [`TrustAnchors::with_added`] keep old and new anchors trusted side by side.

use rustls_pki_types::UnixTime;
use sha2::Digest as _;

use crate::cert::{Certificate, key_usage, pem_blocks};
use crate::crypto::{KeyKind, SpkiRef};
use crate::display::Escaped;
use crate::dn::CanonicalDn;
use crate::error::{CertError, TrustError};
use crate::limits::Limits;
use crate::time::Timestamp;

/// How long before notAfter [`TrustAnchors::warnings`] starts warning.
const EXPIRY_WARNING_SECS: i64 = 30 * 86_400;

/// One trust anchor, owned.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    /// Shared with every verified path that ends at this anchor (no copy per verification).
    pub(crate) der: std::sync::Arc<[u8]>,
    pub(crate) subject_der: Vec<u8>,
    /// The subject's canonical form, when it reads as a DN.
    pub(crate) subject_canonical: Option<CanonicalDn>,
    /// The public key's identity ([`key_identity`]).
    pub(crate) key: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) fingerprint: [u8; 32],
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

/// A read-only view of one anchor, from [`TrustAnchors::iter`].
#[derive(Debug, Clone, Copy)]
pub struct AnchorInfo<'a> {
    /// Position in the anchor set.
    pub index: usize,
    /// Subject as text.
    pub subject: &'a str,
    /// SHA-256 of the certificate DER.
    pub fingerprint_sha256: &'a [u8; 32],
    /// notAfter.
    pub not_after: Timestamp,
    /// The certificate DER.
    pub der: &'a [u8],
    /// The subject's DER (the `Name`, with its SEQUENCE header): what a TLS server sends as a
    /// certificate-authority hint.
    pub subject_der: &'a [u8],
}

/// Something about an anchor the operator should know (it is still trusted).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnchorWarning {
    /// The anchor's notAfter has passed: chains ending at it will fail.
    Expired {
        /// Position in the anchor set.
        index: usize,
        /// Subject as text.
        subject: String,
        /// notAfter.
        not_after: Timestamp,
    },
    /// The anchor expires within 30 days.
    ExpiresSoon {
        /// Position in the anchor set.
        index: usize,
        /// Subject as text.
        subject: String,
        /// notAfter.
        not_after: Timestamp,
        /// Whole days left.
        days_left: i64,
    },
    /// The anchor's notBefore is in the future.
    NotYetValid {
        /// Position in the anchor set.
        index: usize,
        /// Subject as text.
        subject: String,
        /// notBefore.
        not_before: Timestamp,
    },
}

impl std::fmt::Display for AnchorWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorWarning::Expired {
                index,
                subject,
                not_after,
            } => write!(
                f,
                "trust anchor #{index} ({}) expired at {}",
                Escaped(subject),
                not_after
            ),
            AnchorWarning::ExpiresSoon {
                index,
                subject,
                days_left,
                ..
            } => write!(
                f,
                "trust anchor #{index} ({}) expires in {days_left} day(s)",
                Escaped(subject)
            ),
            AnchorWarning::NotYetValid {
                index,
                subject,
                not_before,
            } => write!(
                f,
                "trust anchor #{index} ({}) is not valid before {}",
                Escaped(subject),
                not_before
            ),
        }
    }
}

/// The set of trusted CA certificates.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    pub(crate) anchors: Vec<Anchor>,
}

impl TrustAnchors {
    /// Loads a PEM bundle of one or more CERTIFICATE blocks, checking each with the default
    /// [`Limits`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, TrustError> {
        Self::from_pem_with_limits(pem, &Limits::default())
    }

    /// Loads a PEM bundle of one or more CERTIFICATE blocks, checking each with `limits`
    /// (certificate size, RDNs per name).
    pub fn from_pem_with_limits(pem: &[u8], limits: &Limits) -> Result<Self, TrustError> {
        let ders = pem_blocks(pem, "CERTIFICATE").map_err(|e| match e {
            CertError::NoPemBlock(_) => TrustError::Empty,
            CertError::Pem(what) => TrustError::Pem(what),
            other => TrustError::Pem(other.to_string()),
        })?;
        Self::from_ders_with_limits(ders, limits)
    }

    /// Loads anchors from DER certificates, checking each with the default [`Limits`].
    pub fn from_ders<I, D>(ders: I) -> Result<Self, TrustError>
    where
        I: IntoIterator<Item = D>,
        D: AsRef<[u8]>,
    {
        Self::from_ders_with_limits(ders, &Limits::default())
    }

    /// Loads anchors from DER certificates, checking each with `limits`.
    pub fn from_ders_with_limits<I, D>(ders: I, limits: &Limits) -> Result<Self, TrustError>
    where
        I: IntoIterator<Item = D>,
        D: AsRef<[u8]>,
    {
        let mut out = TrustAnchors::default();
        for (index, der) in ders.into_iter().enumerate() {
            let anchor = check_anchor(index, der.as_ref(), limits)?;
            if let Some(first) = out.anchors.iter().position(|a| a.same_anchor(&anchor)) {
                return Err(TrustError::Duplicate {
                    index,
                    first,
                    subject: anchor.subject,
                });
            }
            out.anchors.push(anchor);
        }
        if out.anchors.is_empty() {
            return Err(TrustError::Empty);
        }
        Ok(out)
    }

    /// Adds every anchor of `other` not already present (CA rotation: old and new both
    /// trusted). An anchor is present when one with the same subject and public key is.
    pub fn extend(&mut self, other: TrustAnchors) {
        for a in other.anchors {
            if !self.anchors.iter().any(|b| b.same_anchor(&a)) {
                self.anchors.push(a);
            }
        }
    }

    /// Returns this set plus the anchors of a PEM bundle (checked as by [`Self::from_pem`];
    /// indices in errors refer to the added bundle).
    pub fn with_added(mut self, pem: &[u8]) -> Result<Self, TrustError> {
        self.extend(Self::from_pem(pem)?);
        Ok(self)
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when there is no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Views each anchor.
    pub fn iter(&self) -> impl Iterator<Item = AnchorInfo<'_>> {
        self.anchors
            .iter()
            .enumerate()
            .map(|(index, a)| AnchorInfo {
                index,
                subject: &a.subject,
                fingerprint_sha256: &a.fingerprint,
                subject_der: &a.subject_der,
                not_after: Timestamp::from_unix_seconds(a.not_after),
                der: &a.der,
            })
    }

    /// Anchors that are expired, not yet valid, or expire within 30 days at `now`.
    pub fn warnings(&self, now: UnixTime) -> Vec<AnchorWarning> {
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for (index, a) in self.anchors.iter().enumerate() {
            let subject = a.subject.clone();
            if now > a.not_after {
                out.push(AnchorWarning::Expired {
                    index,
                    subject,
                    not_after: Timestamp::from_unix_seconds(a.not_after),
                });
            } else if now < a.not_before {
                out.push(AnchorWarning::NotYetValid {
                    index,
                    subject,
                    not_before: Timestamp::from_unix_seconds(a.not_before),
                });
            } else if a.not_after - now <= EXPIRY_WARNING_SECS {
                out.push(AnchorWarning::ExpiresSoon {
                    index,
                    subject,
                    not_after: Timestamp::from_unix_seconds(a.not_after),
                    days_left: (a.not_after - now) / 86_400,
                });
            }
        }
        out
    }
}

fn check_anchor(index: usize, der: &[u8], limits: &Limits) -> Result<Anchor, TrustError> {
    let cert = Certificate::from_der(der, limits)
        .map_err(|source| TrustError::Unparsable { index, source })?;
    let subject = cert.subject_name().text();
    let bc_critical = cert
        .extensions()
        .iter()
        .any(|e| e.oid == crate::oid::BASIC_CONSTRAINTS && e.critical);
    match cert.basic_constraints() {
        // §4.2.1.9: MUST be critical in CA certificates whose keys verify certificates.
        Some(bc) if bc.ca && !bc_critical => {
            return Err(TrustError::NotCa {
                index,
                subject,
                reason: "basicConstraints is not marked critical (RFC 5280 §4.2.1.9)",
            });
        }
        Some(bc) if bc.ca => {}
        Some(_) => {
            return Err(TrustError::NotCa {
                index,
                subject,
                reason: "basicConstraints has cA FALSE",
            });
        }
        // A v1 certificate cannot say it is a CA; old self-signed roots are v1.
        None if cert.version() == 1 && cert.is_self_issued() => {}
        None => {
            return Err(TrustError::NotCa {
                index,
                subject,
                reason: "basicConstraints is absent",
            });
        }
    }
    if !cert.key_usage_allows(key_usage::KEY_CERT_SIGN) {
        return Err(TrustError::NoKeyCertSign { index, subject });
    }
    Ok(Anchor {
        der: der.into(),
        subject_der: cert.subject_der().to_vec(),
        subject_canonical: cert.subject_name().dn().map(|dn| dn.canonical()),
        key: key_identity(cert.spki_der()),
        subject,
        fingerprint: sha2::Sha256::digest(der).into(),
        not_before: cert.not_before().unix_seconds(),
        not_after: cert.not_after().unix_seconds(),
    })
}

impl Anchor {
    /// Same subject (same DER, or the same canonical name) and same public key.
    fn same_anchor(&self, other: &Anchor) -> bool {
        self.key == other.key
            && (self.subject_der == other.subject_der
                || self
                    .subject_canonical
                    .as_ref()
                    .is_some_and(|c| other.subject_canonical.as_ref() == Some(c)))
    }
}

/// The identity of a public key, whatever the SubjectPublicKeyInfo encoding: the same key
/// written with or without RSA's NULL parameters, or as a compressed or uncompressed EC point,
/// has one identity. RSA: modulus and exponent; EC: the curve, the x coordinate and the parity
/// of y; Ed25519: the 32 key bytes. A key this crate cannot use is identified by its whole
/// SubjectPublicKeyInfo (it verifies nothing, so a re-encoding of it gains nothing).
pub(crate) fn key_identity(spki_der: &[u8]) -> Vec<u8> {
    let fallback = || [b"spki:".as_slice(), spki_der].concat();
    let Ok(spki) = SpkiRef::from_der(spki_der) else {
        return fallback();
    };
    let ec = |name: &[u8], coordinate: usize| -> Option<Vec<u8>> {
        let (&first, rest) = spki.key.split_first()?;
        let (x, y_odd) = match first {
            0x02 | 0x03 if rest.len() == coordinate => (rest, first & 1 == 1),
            // Uncompressed (0x04) and hybrid (0x06 / 0x07) points carry y.
            0x04 | 0x06 | 0x07 if rest.len() == 2 * coordinate => {
                let (x, y) = rest.split_at(coordinate);
                (x, y.last().is_some_and(|b| b & 1 == 1))
            }
            _ => return None,
        };
        Some([name, &[u8::from(y_odd)], x].concat())
    };
    let identity = match spki.kind {
        KeyKind::Rsa { .. } => rsa_identity(spki.key),
        KeyKind::P256 => ec(b"p256:", 32),
        KeyKind::P384 => ec(b"p384:", 48),
        KeyKind::Ed25519 => Some([b"ed25519:".as_slice(), spki.key].concat()),
    };
    identity.unwrap_or_else(fallback)
}

/// `rsa:` + modulus length + modulus + exponent, from a DER RSAPublicKey (leading zero octets
/// of the unsigned integers dropped).
fn rsa_identity(key: &[u8]) -> Option<Vec<u8>> {
    let (n, e) = crate::crypto::rsa_public_key(key)?;
    let unsigned =
        |v: &'_ [u8]| -> Vec<u8> { v.iter().skip_while(|&&b| b == 0).copied().collect() };
    let (n, e) = (unsigned(n), unsigned(e));
    let len = u32::try_from(n.len()).ok()?.to_be_bytes();
    Some([b"rsa:".as_slice(), &len, &n, &e].concat())
}
