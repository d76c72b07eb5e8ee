//! Signature algorithms and their verification (RFC 5280 §4.1.1.2; RFC 4055, RFC 5758, RFC 8410).
//!
//! [`SignatureAlgorithm::from_der`] decides what an AlgorithmIdentifier means, [`check_policy`]
//! applies the crate's refusals (RSA under 2048 bits, SHA-1 unless allowed, a key
//! that does not pair with the algorithm), and only then a [`SignatureVerifier`] backend does
//! the arithmetic: the crate calls a backend through [`verify_signature`] alone, so a backend
//! cannot weaken the policy. [`RustCryptoVerifier`] is the default backend; a faster one (ring,
//! aws-lc-rs) can implement the same trait without touching `chain`.

use sha2::Digest;
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;

use crate::asn1::{self, DerError, tag};
use crate::error::CryptoError;
use crate::limits::MIN_RSA_BITS;
use crate::oid;

#[cfg(feature = "ring")]
mod ring_backend;
#[cfg(feature = "ring")]
pub use ring_backend::RingVerifier;

/// A hash function used by a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (legacy; refused unless `allow_sha1`).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A signature algorithm this crate can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) with the given hash.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS (RFC 4055 §3) with hash = MGF1 hash and salt length = hash length.
    RsaPss(HashAlg),
    /// ECDSA (RFC 5758 §3.2) with the given hash; the curve comes from the key.
    Ecdsa(HashAlg),
    /// Ed25519 (RFC 8410).
    Ed25519,
}

impl SignatureAlgorithm {
    /// Interprets the DER of an AlgorithmIdentifier.
    pub fn from_der(alg_id: &[u8]) -> Result<Self, CryptoError> {
        let malformed = |_: DerError| CryptoError::UnsupportedAlgorithm {
            oid: "(malformed AlgorithmIdentifier)".into(),
        };
        let mut r = asn1::single(alg_id, tag::SEQUENCE)
            .map_err(malformed)?
            .reader();
        let alg = r.read(tag::OID).map_err(malformed)?;
        let params = if r.is_empty() {
            None
        } else {
            Some(r.read_any().map_err(malformed)?)
        };
        r.finish().map_err(malformed)?;
        let null_or_absent = params.is_none_or(|p| p.tag == tag::NULL && p.value.is_empty());
        let unsupported = || CryptoError::UnsupportedAlgorithm {
            oid: oid::to_dotted(alg),
        };
        let rsa = |h| {
            // RFC 4055 §5: the parameters MUST be NULL (absent is tolerated, as many verifiers do).
            if null_or_absent {
                Ok(SignatureAlgorithm::RsaPkcs1(h))
            } else {
                Err(unsupported())
            }
        };
        let ecdsa = |h| {
            // RFC 5758 §3.2: the parameters MUST be absent.
            if params.is_none() {
                Ok(SignatureAlgorithm::Ecdsa(h))
            } else {
                Err(unsupported())
            }
        };
        match alg {
            oid::SHA1_RSA => rsa(HashAlg::Sha1),
            oid::SHA256_RSA => rsa(HashAlg::Sha256),
            oid::SHA384_RSA => rsa(HashAlg::Sha384),
            oid::SHA512_RSA => rsa(HashAlg::Sha512),
            oid::ECDSA_SHA1 => ecdsa(HashAlg::Sha1),
            oid::ECDSA_SHA256 => ecdsa(HashAlg::Sha256),
            oid::ECDSA_SHA384 => ecdsa(HashAlg::Sha384),
            oid::ECDSA_SHA512 => ecdsa(HashAlg::Sha512),
            // RFC 8410 §3: the parameters MUST be absent.
            oid::ED25519 if params.is_none() => Ok(SignatureAlgorithm::Ed25519),
            oid::RSA_PSS => {
                let p = params.ok_or(CryptoError::BadPssParameters("parameters are absent"))?;
                pss_params(p.full).map(SignatureAlgorithm::RsaPss)
            }
            _ => Err(unsupported()),
        }
    }

    /// A short human name, e.g. "RSA PKCS#1 v1.5 SHA-256".
    pub fn name(&self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1) => "RSA PKCS#1 v1.5 SHA-1",
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256) => "RSA PKCS#1 v1.5 SHA-256",
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384) => "RSA PKCS#1 v1.5 SHA-384",
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512) => "RSA PKCS#1 v1.5 SHA-512",
            SignatureAlgorithm::RsaPss(HashAlg::Sha1) => "RSA-PSS SHA-1",
            SignatureAlgorithm::RsaPss(HashAlg::Sha256) => "RSA-PSS SHA-256",
            SignatureAlgorithm::RsaPss(HashAlg::Sha384) => "RSA-PSS SHA-384",
            SignatureAlgorithm::RsaPss(HashAlg::Sha512) => "RSA-PSS SHA-512",
            SignatureAlgorithm::Ecdsa(HashAlg::Sha1) => "ECDSA SHA-1",
            SignatureAlgorithm::Ecdsa(HashAlg::Sha256) => "ECDSA SHA-256",
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384) => "ECDSA SHA-384",
            SignatureAlgorithm::Ecdsa(HashAlg::Sha512) => "ECDSA SHA-512",
            SignatureAlgorithm::Ed25519 => "Ed25519",
        }
    }

    fn hash(&self) -> Option<HashAlg> {
        match self {
            SignatureAlgorithm::RsaPkcs1(h)
            | SignatureAlgorithm::RsaPss(h)
            | SignatureAlgorithm::Ecdsa(h) => Some(*h),
            SignatureAlgorithm::Ed25519 => None,
        }
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1). Only the profiles of RFC 4055 §3.3 / RFC 8017 §9.1 with
/// SHA-2 are accepted: hashAlgorithm = the MGF1 hash, saltLength = hash length, trailerField = 1.
fn pss_params(der: &[u8]) -> Result<HashAlg, CryptoError> {
    let bad = CryptoError::BadPssParameters;
    let mut r = asn1::single(der, tag::SEQUENCE)
        .map_err(|_| bad("the parameters are not a SEQUENCE"))?
        .reader();
    let hash_alg = |bytes: &[u8]| -> Result<HashAlg, CryptoError> {
        let mut a = asn1::single(bytes, tag::SEQUENCE)
            .map_err(|_| bad("a hash AlgorithmIdentifier is malformed"))?
            .reader();
        let o = a
            .read(tag::OID)
            .map_err(|_| bad("a hash AlgorithmIdentifier is malformed"))?;
        if !a.is_empty() {
            let p = a
                .read_any()
                .map_err(|_| bad("a hash AlgorithmIdentifier is malformed"))?;
            if p.tag != tag::NULL || !p.value.is_empty() {
                return Err(bad("hash parameters must be NULL or absent"));
            }
        }
        a.finish()
            .map_err(|_| bad("a hash AlgorithmIdentifier is malformed"))?;
        match o {
            oid::SHA256 => Ok(HashAlg::Sha256),
            oid::SHA384 => Ok(HashAlg::Sha384),
            oid::SHA512 => Ok(HashAlg::Sha512),
            oid::SHA1 => Err(bad("SHA-1 is not accepted with PSS")),
            _ => Err(bad("unknown hash algorithm")),
        }
    };
    let err = |_: DerError| bad("the parameters are malformed");
    // [0] hashAlgorithm: the DEFAULT is SHA-1, which is refused.
    let hash = match r.read_optional(tag::context_constructed(0)).map_err(err)? {
        Some(t) => hash_alg(t.value)?,
        None => return Err(bad("the default hash (SHA-1) is not accepted")),
    };
    let mgf_hash = match r.read_optional(tag::context_constructed(1)).map_err(err)? {
        Some(t) => {
            let mut m = t.single(tag::SEQUENCE).map_err(err)?.reader();
            if m.read(tag::OID).map_err(err)? != oid::MGF1 {
                return Err(bad("the mask generation function is not MGF1"));
            }
            let h = m.read_tlv(tag::SEQUENCE).map_err(err)?;
            m.finish().map_err(err)?;
            hash_alg(h.full)?
        }
        None => return Err(bad("the default MGF1 hash (SHA-1) is not accepted")),
    };
    if mgf_hash != hash {
        return Err(bad("the MGF1 hash differs from the message hash"));
    }
    let salt = match r.read_optional(tag::context_constructed(2)).map_err(err)? {
        Some(t) => t
            .single(tag::INTEGER)
            .and_then(|i| i.small_uint())
            .map_err(err)?,
        None => 20,
    };
    if salt as usize != hash_len(hash) {
        return Err(bad("the salt length differs from the hash length"));
    }
    if let Some(t) = r.read_optional(tag::context_constructed(3)).map_err(err)?
        && t.single(tag::INTEGER)
            .and_then(|i| i.small_uint())
            .map_err(err)?
            != 1
    {
        return Err(bad("trailerField is not 1"));
    }
    r.finish().map_err(err)?;
    Ok(hash)
}

fn hash_len(h: HashAlg) -> usize {
    match h {
        HashAlg::Sha1 => 20,
        HashAlg::Sha256 => 32,
        HashAlg::Sha384 => 48,
        HashAlg::Sha512 => 64,
    }
}

/// The kinds of public key understood here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// rsaEncryption, with the modulus length in bits.
    Rsa {
        /// Modulus bits.
        bits: usize,
    },
    /// id-ecPublicKey on secp256r1.
    P256,
    /// id-ecPublicKey on secp384r1.
    P384,
    /// Ed25519.
    Ed25519,
}

/// A borrowed SubjectPublicKeyInfo, split into its parts.
#[derive(Debug, Clone, Copy)]
pub struct SpkiRef<'a> {
    /// The full DER of the SubjectPublicKeyInfo.
    pub der: &'a [u8],
    /// The key type.
    pub kind: KeyKind,
    /// The subjectPublicKey bytes (BIT STRING contents after the unused-bits octet).
    pub key: &'a [u8],
}

impl<'a> SpkiRef<'a> {
    /// Splits a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and identifies its key type.
    pub fn from_der(der: &'a [u8]) -> Result<Self, CryptoError> {
        let malformed = |_: DerError| CryptoError::MalformedKey;
        let mut r = asn1::single(der, tag::SEQUENCE)
            .map_err(malformed)?
            .reader();
        let mut alg = r.nested(tag::SEQUENCE).map_err(malformed)?;
        let alg_oid = alg.read(tag::OID).map_err(malformed)?;
        let params = if alg.is_empty() {
            None
        } else {
            Some(alg.read_any().map_err(malformed)?)
        };
        alg.finish().map_err(malformed)?;
        let key = r
            .read_tlv(tag::BIT_STRING)
            .and_then(|b| b.bit_string_octets())
            .map_err(malformed)?;
        r.finish().map_err(malformed)?;
        let kind = match alg_oid {
            oid::RSA_ENCRYPTION => KeyKind::Rsa {
                bits: rsa_public_key_bits(key).ok_or(CryptoError::MalformedKey)?,
            },
            oid::EC_PUBLIC_KEY => match params {
                Some(p) if p.tag == tag::OID && p.value == oid::P256 => {
                    ec_point_shape(key, 32)?;
                    KeyKind::P256
                }
                Some(p) if p.tag == tag::OID && p.value == oid::P384 => {
                    ec_point_shape(key, 48)?;
                    KeyKind::P384
                }
                Some(p) if p.tag == tag::OID => {
                    return Err(CryptoError::UnsupportedKey {
                        oid: format!("id-ecPublicKey on curve {}", oid::to_dotted(p.value)),
                    });
                }
                _ => return Err(CryptoError::MalformedKey),
            },
            // RFC 8410 §4: the key is the 32-octet public key, and the parameters are absent.
            oid::ED25519 if key.len() == 32 && params.is_none() => KeyKind::Ed25519,
            oid::ED25519 => return Err(CryptoError::MalformedKey),
            other => {
                return Err(CryptoError::UnsupportedKey {
                    oid: oid::to_dotted(other),
                });
            }
        };
        Ok(SpkiRef { der, kind, key })
    }
}

/// SEC 1 §2.3.3 point shapes: uncompressed (04 ‖ X ‖ Y) or compressed (02/03 ‖ X). Whether
/// the point is on the curve is left to the backend; a key of another shape is malformed.
fn ec_point_shape(key: &[u8], field_len: usize) -> Result<(), CryptoError> {
    match key.split_first() {
        Some((0x04, xy)) if xy.len() == 2 * field_len => Ok(()),
        Some((0x02 | 0x03, x)) if x.len() == field_len => Ok(()),
        _ => Err(CryptoError::MalformedKey),
    }
}

/// A non-negative INTEGER's magnitude without its leading sign octet.
fn strip_sign_octet(v: &[u8]) -> &[u8] {
    match v {
        [0, rest @ ..] => rest,
        other => other,
    }
}

/// The modulus and public exponent of a DER RSAPublicKey (RFC 8017 §A.1.1), as minimal
/// INTEGER contents (two's complement); `None` when the structure does not read.
pub(crate) fn rsa_public_key(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut r = asn1::single(key, tag::SEQUENCE).ok()?.reader();
    let n = r.read_tlv(tag::INTEGER).ok()?.integer().ok()?;
    let e = r.read_tlv(tag::INTEGER).ok()?.integer().ok()?;
    r.finish().ok()?;
    Some((n, e))
}

/// Modulus length in bits of an RSAPublicKey (RFC 8017 §A.1.1), `None` when the key is not
/// one: both INTEGERs in minimal DER, the modulus positive, and the public exponent odd with
/// 3 ≤ e < n (RFC 8017 §3.1). With e = 1 a "signature" is its own encoded message, so anyone
/// could sign; an even exponent is never invertible.
fn rsa_public_key_bits(key: &[u8]) -> Option<usize> {
    let (n, e) = rsa_public_key(key)?;
    let positive = |v: &[u8]| v.first().is_some_and(|b| b & 0x80 == 0);
    if !positive(n) || !positive(e) {
        return None;
    }
    let (n, e) = (strip_sign_octet(n), strip_sign_octet(e));
    let first = *n.first()?;
    let odd = e.last().is_some_and(|b| b & 1 == 1);
    if !odd || e == [1] || e.len() > n.len() || (e.len() == n.len() && e >= n) {
        return None;
    }
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

/// Applies the crate's algorithm policy before any arithmetic, in this order: SHA-1 is refused
/// unless `allow_sha1` (legacy PKIs only); RSA keys must have at least 2048 bits in whole
/// octets; the key must pair with the algorithm (RSA PKCS #1 v1.5 and PSS with an RSA
/// key, ECDSA with a P-256 or P-384 key, Ed25519 with an Ed25519 key); PSS never uses SHA-1.
pub fn check_policy(
    alg: SignatureAlgorithm,
    spki: &SpkiRef<'_>,
    allow_sha1: bool,
) -> Result<(), CryptoError> {
    if alg.hash() == Some(HashAlg::Sha1) && !allow_sha1 {
        return Err(CryptoError::Sha1Disallowed);
    }
    check_key(spki)?;
    check_pair(alg, spki.kind)?;
    if alg == SignatureAlgorithm::RsaPss(HashAlg::Sha1) {
        return Err(CryptoError::BadPssParameters("SHA-1"));
    }
    Ok(())
}

/// Verifies `sig` over `msg` with `spki` under `alg`: the crate's policy ([`check_policy`])
/// first, then `backend`. The only way the crate calls a backend.
pub(crate) fn verify_signature(
    backend: &dyn SignatureVerifier,
    alg: SignatureAlgorithm,
    spki: &SpkiRef<'_>,
    msg: &[u8],
    sig: &[u8],
    allow_sha1: bool,
) -> Result<(), CryptoError> {
    check_policy(alg, spki, allow_sha1)?;
    backend.verify(alg, spki, msg, sig)
}

/// The key types each algorithm verifies with (RFC 4055, RFC 5758 §3.2, RFC 8410).
fn check_pair(alg: SignatureAlgorithm, kind: KeyKind) -> Result<(), CryptoError> {
    match (alg, kind) {
        (SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_), KeyKind::Rsa { .. })
        | (SignatureAlgorithm::Ecdsa(_), KeyKind::P256 | KeyKind::P384)
        | (SignatureAlgorithm::Ed25519, KeyKind::Ed25519) => Ok(()),
        (alg, kind) => Err(mismatch(alg, kind)),
    }
}

/// The crate's key policy, the same for an issuer's key and a client's: RSA keys of at least
/// [`MIN_RSA_BITS`] bits, in whole octets. (Keys that do not decode were refused by
/// [`SpkiRef::from_der`].)
pub(crate) fn check_key(spki: &SpkiRef<'_>) -> Result<(), CryptoError> {
    if let KeyKind::Rsa { bits } = spki.kind {
        if bits < MIN_RSA_BITS {
            return Err(CryptoError::RsaKeyTooSmall { bits });
        }
        // Real RSA keys are whole octets; an odd size signals a broken or crafted key.
        if bits % 8 != 0 {
            return Err(CryptoError::UnsupportedKey {
                oid: format!("RSA with a {bits}-bit modulus (not a whole number of octets)"),
            });
        }
    }
    Ok(())
}

/// A signature-verification backend.
///
/// The crate's policy runs before any backend is asked (see the method), so a backend only
/// does arithmetic. A backend that counts what it is asked:
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use x509_dbauth::errors::CryptoError;
/// use x509_dbauth::signature::{RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef};
///
/// struct Counting(AtomicUsize);
///
/// impl SignatureVerifier for Counting {
///     fn verify(&self, alg: SignatureAlgorithm, spki: &SpkiRef<'_>, msg: &[u8], sig: &[u8])
///         -> Result<(), CryptoError> {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         RustCryptoVerifier.verify(alg, spki, msg, sig)
///     }
///     fn name(&self) -> &'static str {
///         "counting"
///     }
/// }
/// // Select it with `signature_verifier(Arc::new(Counting(AtomicUsize::new(0))))` on a builder.
/// ```
pub trait SignatureVerifier: Send + Sync {
    /// Verifies `sig` over `msg` with `spki`, under `alg`: the cryptography only.
    ///
    /// The crate applies its policy (`check_policy`) before it calls a backend, so a backend
    /// is never asked about SHA-1 unless the caller allowed it, never about an RSA key under
    /// 2048 bits, and never about a key that does not pair with the algorithm. It
    /// answers whether the signature verifies (`BadSignature`, `MalformedKey`,
    /// `MalformedSignature`), or that it cannot verify this algorithm (`UnsupportedAlgorithm`);
    /// it cannot make the crate accept what the policy refuses.
    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki: &SpkiRef<'_>,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), CryptoError>;

    /// A short name of the backend, shown when a configuration holding it is printed with
    /// `{:?}`. Provided (as `"custom"`) so that existing implementations keep compiling.
    fn name(&self) -> &'static str {
        "custom"
    }
}

// Builders that derive `Debug` hold `Arc<dyn SignatureVerifier>`; the trait does not require
// `Debug` (that would break existing implementations), so the trait object prints its name.
impl core::fmt::Debug for dyn SignatureVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SignatureVerifier({})", self.name())
    }
}

/// The default backend: RustCrypto (`rsa`, `p256`, `p384`, `ed25519-dalek`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCryptoVerifier;

/// The error for a key that does not pair with the algorithm.
fn mismatch(alg: SignatureAlgorithm, kind: KeyKind) -> CryptoError {
    let key = match kind {
        KeyKind::Rsa { .. } => "RSA",
        KeyKind::P256 => "P-256",
        KeyKind::P384 => "P-384",
        KeyKind::Ed25519 => "Ed25519",
    };
    CryptoError::KeyAlgorithmMismatch {
        key,
        algorithm: alg.name(),
    }
}

fn digest(h: HashAlg, msg: &[u8]) -> Vec<u8> {
    match h {
        HashAlg::Sha1 => sha1::Sha1::digest(msg).to_vec(),
        HashAlg::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        HashAlg::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        HashAlg::Sha512 => sha2::Sha512::digest(msg).to_vec(),
    }
}

impl SignatureVerifier for RustCryptoVerifier {
    fn name(&self) -> &'static str {
        "RustCrypto"
    }

    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki: &SpkiRef<'_>,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), CryptoError> {
        let bad = |_| CryptoError::BadSignature;
        match (alg, spki.kind) {
            (SignatureAlgorithm::RsaPkcs1(h), KeyKind::Rsa { .. }) => {
                let key = rsa_key(spki)?;
                let s = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                match h {
                    HashAlg::Sha1 => {
                        rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha256 => {
                        rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha384 => {
                        rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha512 => {
                        rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(key).verify(msg, &s)
                    }
                }
                .map_err(bad)
            }
            (SignatureAlgorithm::RsaPss(h), KeyKind::Rsa { .. }) => {
                let key = rsa_key(spki)?;
                let s = rsa::pss::Signature::try_from(sig)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                match h {
                    HashAlg::Sha256 => {
                        rsa::pss::VerifyingKey::<sha2::Sha256>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha384 => {
                        rsa::pss::VerifyingKey::<sha2::Sha384>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha512 => {
                        rsa::pss::VerifyingKey::<sha2::Sha512>::new(key).verify(msg, &s)
                    }
                    HashAlg::Sha1 => return Err(CryptoError::BadPssParameters("SHA-1")),
                }
                .map_err(bad)
            }
            (SignatureAlgorithm::Ecdsa(h), KeyKind::P256) => {
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.key)
                    .map_err(|_| CryptoError::MalformedKey)?;
                let s = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                // The prehash form lets any hash pair with the curve (RFC 5758 §3.2; FIPS 186-5
                // truncates a longer digest to the field size).
                vk.verify_prehash(&digest(h, msg), &s).map_err(bad)
            }
            (SignatureAlgorithm::Ecdsa(h), KeyKind::P384) => {
                let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(spki.key)
                    .map_err(|_| CryptoError::MalformedKey)?;
                let s = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                vk.verify_prehash(&digest(h, msg), &s).map_err(bad)
            }
            (SignatureAlgorithm::Ed25519, KeyKind::Ed25519) => {
                let bytes: &[u8; 32] =
                    spki.key.try_into().map_err(|_| CryptoError::MalformedKey)?;
                let vk = ed25519_dalek::VerifyingKey::from_bytes(bytes)
                    .map_err(|_| CryptoError::MalformedKey)?;
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| CryptoError::MalformedSignature)?;
                vk.verify_strict(msg, &s).map_err(bad)
            }
            // Refused by `check_pair` before the crate calls a backend; answered the same way
            // for a direct caller.
            (alg, kind) => Err(mismatch(alg, kind)),
        }
    }
}

fn rsa_key(spki: &SpkiRef<'_>) -> Result<rsa::PublicKey, CryptoError> {
    let info = <spki::SubjectPublicKeyInfoRef<'_> as der::Decode>::from_der(spki.der)
        .map_err(|_| CryptoError::MalformedKey)?;
    rsa::PublicKey::try_from(info).map_err(|_| CryptoError::MalformedKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag, content.len() as u8];
        v.extend_from_slice(content);
        v
    }

    fn hash_id(oid: &[u8]) -> Vec<u8> {
        tlv(0x30, &[tlv(0x06, oid), vec![0x05, 0x00]].concat())
    }

    /// RSASSA-PSS-params with the given parts (None: field absent, i.e. its DEFAULT).
    fn pss(
        hash: Option<&[u8]>,
        mgf: Option<&[u8]>,
        salt: Option<u8>,
        trailer: Option<u8>,
    ) -> Vec<u8> {
        let mut p = vec![];
        if let Some(h) = hash {
            p.extend(tlv(0xA0, &hash_id(h)));
        }
        if let Some(m) = mgf {
            p.extend(tlv(
                0xA1,
                &tlv(0x30, &[tlv(0x06, oid::MGF1), hash_id(m)].concat()),
            ));
        }
        if let Some(s) = salt {
            p.extend(tlv(0xA2, &tlv(0x02, &[s])));
        }
        if let Some(t) = trailer {
            p.extend(tlv(0xA3, &tlv(0x02, &[t])));
        }
        tlv(0x30, &[tlv(0x06, oid::RSA_PSS), tlv(0x30, &p)].concat())
    }

    #[test]
    fn pss_parameter_table() {
        use HashAlg::*;
        // (case, AlgorithmIdentifier, expected) — RFC 4055 §3.1 and the profile in crypto.rs.
        let table: Vec<(&str, Vec<u8>, Result<SignatureAlgorithm, CryptoError>)> = vec![
            (
                "SHA-256 profile",
                pss(Some(oid::SHA256), Some(oid::SHA256), Some(32), None),
                Ok(SignatureAlgorithm::RsaPss(Sha256)),
            ),
            (
                "SHA-384 profile",
                pss(Some(oid::SHA384), Some(oid::SHA384), Some(48), Some(1)),
                Ok(SignatureAlgorithm::RsaPss(Sha384)),
            ),
            (
                "SHA-512 profile",
                pss(Some(oid::SHA512), Some(oid::SHA512), Some(64), None),
                Ok(SignatureAlgorithm::RsaPss(Sha512)),
            ),
            (
                "default hash is SHA-1",
                pss(None, None, None, None),
                Err(CryptoError::BadPssParameters(
                    "the default hash (SHA-1) is not accepted",
                )),
            ),
            (
                "MGF1 hash differs",
                pss(Some(oid::SHA256), Some(oid::SHA384), Some(32), None),
                Err(CryptoError::BadPssParameters(
                    "the MGF1 hash differs from the message hash",
                )),
            ),
            (
                "salt differs",
                pss(Some(oid::SHA256), Some(oid::SHA256), Some(20), None),
                Err(CryptoError::BadPssParameters(
                    "the salt length differs from the hash length",
                )),
            ),
            (
                "trailerField 2",
                pss(Some(oid::SHA256), Some(oid::SHA256), Some(32), Some(2)),
                Err(CryptoError::BadPssParameters("trailerField is not 1")),
            ),
        ];
        for (case, der, expected) in table {
            assert_eq!(SignatureAlgorithm::from_der(&der), expected, "{case}");
        }
    }

    #[test]
    fn policy_table() {
        let key = |kind| SpkiRef {
            der: &[],
            kind,
            key: &[],
        };
        let rsa = |bits| key(KeyKind::Rsa { bits });
        let table = [
            (
                "RSA-2048 SHA-256",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                rsa(2048),
                false,
                Ok(()),
            ),
            (
                "RSA-1024 refused",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                rsa(1024),
                false,
                Err(CryptoError::RsaKeyTooSmall { bits: 1024 }),
            ),
            (
                "SHA-1 refused",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1),
                rsa(2048),
                false,
                Err(CryptoError::Sha1Disallowed),
            ),
            (
                "SHA-1 allowed",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1),
                rsa(2048),
                true,
                Ok(()),
            ),
            (
                "ECDSA SHA-1 refused",
                SignatureAlgorithm::Ecdsa(HashAlg::Sha1),
                key(KeyKind::P256),
                false,
                Err(CryptoError::Sha1Disallowed),
            ),
            (
                "Ed25519",
                SignatureAlgorithm::Ed25519,
                key(KeyKind::Ed25519),
                false,
                Ok(()),
            ),
        ];
        for (case, alg, spki, allow_sha1, expected) in table {
            assert_eq!(check_policy(alg, &spki, allow_sha1), expected, "{case}");
        }
        assert!(matches!(
            check_policy(
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                &rsa(2047),
                false
            ),
            Err(CryptoError::RsaKeyTooSmall { .. })
        ));
        assert!(matches!(
            check_policy(
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                &rsa(2049),
                false
            ),
            Err(CryptoError::UnsupportedKey { .. })
        ));
    }

    /// A backend that accepts every signature.
    struct AcceptsAll;

    impl SignatureVerifier for AcceptsAll {
        fn verify(
            &self,
            _: SignatureAlgorithm,
            _: &SpkiRef<'_>,
            _: &[u8],
            _: &[u8],
        ) -> Result<(), CryptoError> {
            Ok(())
        }
    }

    /// Issue 8 item 5: the policy (SHA-1 opt-in, the RSA minimum, key/algorithm pairs, PSS
    /// without SHA-1) is the crate's, applied before any backend: a backend that accepts every
    /// signature still cannot make the crate accept what the policy refuses.
    #[test]
    fn a_backend_cannot_weaken_the_policy() {
        let key = |kind| SpkiRef {
            der: &[],
            kind,
            key: &[],
        };
        let rsa = key(KeyKind::Rsa { bits: 2048 });
        let table = [
            (
                "SHA-1 not allowed",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1),
                rsa,
                Err(CryptoError::Sha1Disallowed),
            ),
            (
                "RSA under the minimum",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
                key(KeyKind::Rsa { bits: 1024 }),
                Err(CryptoError::RsaKeyTooSmall { bits: 1024 }),
            ),
            (
                "ECDSA with an RSA key",
                SignatureAlgorithm::Ecdsa(HashAlg::Sha256),
                rsa,
                Err(CryptoError::KeyAlgorithmMismatch {
                    key: "RSA",
                    algorithm: "ECDSA SHA-256",
                }),
            ),
            (
                "RSA with a P-384 key",
                SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384),
                key(KeyKind::P384),
                Err(CryptoError::KeyAlgorithmMismatch {
                    key: "P-384",
                    algorithm: SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384).name(),
                }),
            ),
            (
                "Ed25519 with a P-256 key",
                SignatureAlgorithm::Ed25519,
                key(KeyKind::P256),
                Err(CryptoError::KeyAlgorithmMismatch {
                    key: "P-256",
                    algorithm: "Ed25519",
                }),
            ),
            (
                "ECDSA with an Ed25519 key",
                SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
                key(KeyKind::Ed25519),
                Err(CryptoError::KeyAlgorithmMismatch {
                    key: "Ed25519",
                    algorithm: "ECDSA SHA-384",
                }),
            ),
            (
                "PSS with SHA-1, even when SHA-1 is allowed",
                SignatureAlgorithm::RsaPss(HashAlg::Sha1),
                rsa,
                Err(CryptoError::BadPssParameters("SHA-1")),
            ),
            (
                "a pair the policy accepts reaches the backend",
                SignatureAlgorithm::Ecdsa(HashAlg::Sha512),
                key(KeyKind::P256),
                Ok(()),
            ),
        ];
        for (case, alg, spki, expected) in table {
            let allow_sha1 = alg == SignatureAlgorithm::RsaPss(HashAlg::Sha1);
            assert_eq!(
                verify_signature(&AcceptsAll, alg, &spki, b"msg", b"sig", allow_sha1),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn algorithm_ids() {
        // sha256WithRSAEncryption, NULL parameters.
        let der = [
            0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05,
            0x00,
        ];
        assert_eq!(
            SignatureAlgorithm::from_der(&der).unwrap(),
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256)
        );
        // ecdsa-with-SHA256 with NULL parameters is refused (RFC 5758 §3.2).
        let der = [
            0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02, 0x05, 0x00,
        ];
        assert_eq!(
            SignatureAlgorithm::from_der(&der).unwrap_err(),
            CryptoError::UnsupportedAlgorithm {
                oid: "1.2.840.10045.4.3.2".to_owned()
            }
        );
    }
}
