//! Signature algorithms and their verification (RFC 5280 §4.1.1.2; RFC 4055, RFC 5758, RFC 8410).
//!
//! [`SignatureAlgorithm::from_der`] decides what an AlgorithmIdentifier means, [`check_policy`]
//! applies the crate's refusals (RSA under 2048 bits, SHA-1 unless allowed), and a
//! [`SignatureVerifier`] backend does the arithmetic. [`RustCryptoVerifier`] is the default
//! backend; a faster one (ring, aws-lc-rs) can implement the same trait without touching `chain`.

use sha2::Digest;
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;

use crate::asn1::{self, DerError, Reader, tag};
use crate::cert::oid_to_string;
use crate::error::CryptoError;

#[cfg(feature = "ring")]
mod ring_backend;
#[cfg(feature = "ring")]
pub use ring_backend::RingVerifier;

/// OID content bytes (DER) of the algorithms and keys understood here.
mod oid {
    /// 1.2.840.113549.1.1.1
    pub(super) const RSA_ENCRYPTION: &[u8] =
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.5
    pub(super) const SHA1_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05];
    /// 1.2.840.113549.1.1.8
    pub(super) const MGF1: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08];
    /// 1.2.840.113549.1.1.10
    pub(super) const RSA_PSS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A];
    /// 1.2.840.113549.1.1.11
    pub(super) const SHA256_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
    /// 1.2.840.113549.1.1.12
    pub(super) const SHA384_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C];
    /// 1.2.840.113549.1.1.13
    pub(super) const SHA512_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D];
    /// 1.3.14.3.2.26
    pub(super) const SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
    /// 2.16.840.1.101.3.4.2.1
    pub(super) const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    /// 2.16.840.1.101.3.4.2.2
    pub(super) const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    /// 2.16.840.1.101.3.4.2.3
    pub(super) const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    /// 1.2.840.10045.2.1
    pub(super) const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7
    pub(super) const P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34
    pub(super) const P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
    /// 1.2.840.10045.4.1
    pub(super) const ECDSA_SHA1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01];
    /// 1.2.840.10045.4.3.2
    pub(super) const ECDSA_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    /// 1.2.840.10045.4.3.3
    pub(super) const ECDSA_SHA384: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
    /// 1.2.840.10045.4.3.4
    pub(super) const ECDSA_SHA512: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04];
    /// 1.3.101.112
    pub(super) const ED25519: &[u8] = &[0x2B, 0x65, 0x70];
}

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
        let mut r = Reader::new(asn1::single(alg_id, tag::SEQUENCE).map_err(malformed)?);
        let alg = r.read(tag::OID).map_err(malformed)?;
        let params = if r.is_empty() {
            None
        } else {
            Some(r.read_any().map_err(malformed)?)
        };
        r.finish().map_err(malformed)?;
        let null_or_absent = params.is_none_or(|p| p.tag == tag::NULL && p.value.is_empty());
        let unsupported = || CryptoError::UnsupportedAlgorithm {
            oid: oid_to_string(alg),
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
    let mut r = Reader::new(
        asn1::single(der, tag::SEQUENCE).map_err(|_| bad("the parameters are not a SEQUENCE"))?,
    );
    let hash_alg = |bytes: &[u8]| -> Result<HashAlg, CryptoError> {
        let mut a = Reader::new(
            asn1::single(bytes, tag::SEQUENCE)
                .map_err(|_| bad("a hash AlgorithmIdentifier is malformed"))?,
        );
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
            let mut m = Reader::new(asn1::single(t.value, tag::SEQUENCE).map_err(err)?);
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
        Some(t) => {
            asn1::small_uint(asn1::single(t.value, tag::INTEGER).map_err(err)?).map_err(err)?
        }
        None => 20,
    };
    if salt as usize != hash_len(hash) {
        return Err(bad("the salt length differs from the hash length"));
    }
    if let Some(t) = r.read_optional(tag::context_constructed(3)).map_err(err)?
        && asn1::small_uint(asn1::single(t.value, tag::INTEGER).map_err(err)?).map_err(err)? != 1
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
        let mut r = Reader::new(asn1::single(der, tag::SEQUENCE).map_err(malformed)?);
        let mut alg = r.nested(tag::SEQUENCE).map_err(malformed)?;
        let alg_oid = alg.read(tag::OID).map_err(malformed)?;
        let params = if alg.is_empty() {
            None
        } else {
            Some(alg.read_any().map_err(malformed)?)
        };
        alg.finish().map_err(malformed)?;
        let key = asn1::bit_string_octets(r.read(tag::BIT_STRING).map_err(malformed)?)
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
                        oid: format!("id-ecPublicKey on curve {}", oid_to_string(p.value)),
                    });
                }
                _ => return Err(CryptoError::MalformedKey),
            },
            // RFC 8410 §4: the key is the 32-octet public key, and the parameters are absent.
            oid::ED25519 if key.len() == 32 && params.is_none() => KeyKind::Ed25519,
            oid::ED25519 => return Err(CryptoError::MalformedKey),
            other => {
                return Err(CryptoError::UnsupportedKey {
                    oid: oid_to_string(other),
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

/// Modulus length in bits of an RSAPublicKey (RFC 8017 §A.1.1), `None` when the key is not
/// one: both INTEGERs in minimal DER, the modulus positive, and the public exponent odd with
/// 3 ≤ e < n (RFC 8017 §3.1). With e = 1 a "signature" is its own encoded message, so anyone
/// could sign; an even exponent is never invertible.
fn rsa_public_key_bits(key: &[u8]) -> Option<usize> {
    let mut r = Reader::new(asn1::single(key, tag::SEQUENCE).ok()?);
    let n = asn1::integer(r.read(tag::INTEGER).ok()?).ok()?;
    let e = asn1::integer(r.read(tag::INTEGER).ok()?).ok()?;
    r.finish().ok()?;
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

/// Applies the crate's algorithm policy before any arithmetic: RSA keys must have at least
/// 2048 bits, and SHA-1 is refused unless `allow_sha1` (legacy PKIs only).
pub fn check_policy(
    alg: SignatureAlgorithm,
    spki: &SpkiRef<'_>,
    allow_sha1: bool,
) -> Result<(), CryptoError> {
    if alg.hash() == Some(HashAlg::Sha1) && !allow_sha1 {
        return Err(CryptoError::Sha1Disallowed);
    }
    check_key(spki)
}

/// The crate's key policy, the same for an issuer's key and a client's: RSA keys of at least
/// 2048 bits, in whole octets. (Keys that do not decode were refused by [`SpkiRef::from_der`].)
pub(crate) fn check_key(spki: &SpkiRef<'_>) -> Result<(), CryptoError> {
    if let KeyKind::Rsa { bits } = spki.kind {
        if bits < 2048 {
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
pub trait SignatureVerifier: Send + Sync {
    /// Verifies `sig` over `msg` with `spki`, under `alg`. Policy (`check_policy`) is applied
    /// by the caller; this only does the cryptography.
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

fn mismatch(key: &'static str, alg: SignatureAlgorithm) -> CryptoError {
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
            (alg, KeyKind::Rsa { .. }) => Err(mismatch("RSA", alg)),
            (alg, KeyKind::P256) => Err(mismatch("P-256", alg)),
            (alg, KeyKind::P384) => Err(mismatch("P-384", alg)),
            (alg, KeyKind::Ed25519) => Err(mismatch("Ed25519", alg)),
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
        assert!(SignatureAlgorithm::from_der(&der).is_err());
    }
}
