//! Errors from signature verification.

/// A signature could not be verified, or its algorithm or key is refused by policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The signature algorithm is not one this crate verifies.
    #[error("signature algorithm {oid} is not supported")]
    UnsupportedAlgorithm {
        /// Dotted OID of the algorithm.
        oid: String,
    },
    /// The RSA-PSS parameters are not the ones accepted (RFC 4055 §3.1; RFC 8017 §9.1).
    #[error("RSA-PSS parameters refused: {0}")]
    BadPssParameters(&'static str),
    /// The public key's type is not one this crate supports.
    #[error("public key algorithm {oid} is not supported")]
    UnsupportedKey {
        /// Dotted OID of the key algorithm (and curve, when relevant).
        oid: String,
    },
    /// The key type does not fit the signature algorithm (e.g. an EC key with an RSA signature).
    #[error("the signer's {key} key cannot make a {algorithm} signature")]
    KeyAlgorithmMismatch {
        /// Key type.
        key: &'static str,
        /// Signature algorithm.
        algorithm: &'static str,
    },
    /// The RSA key is shorter than 2048 bits.
    #[error(
        "the RSA key has {bits} bits; at least {} are required",
        crate::limits::MIN_RSA_BITS
    )]
    RsaKeyTooSmall {
        /// Modulus length in bits.
        bits: usize,
    },
    /// SHA-1 signatures are refused unless `allow_sha1` is set.
    #[error("SHA-1 signatures are refused (enable allow_sha1 only for a legacy PKI)")]
    Sha1Disallowed,
    /// The public key bytes do not decode.
    #[error("the public key is malformed")]
    MalformedKey,
    /// The signature bytes do not decode.
    #[error("the signature value is malformed")]
    MalformedSignature,
    /// The signature does not verify with the key.
    #[error("the signature does not verify with the issuer's key")]
    BadSignature,
}

impl CryptoError {
    /// A stable machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            CryptoError::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            CryptoError::BadPssParameters(_) => "bad_pss_parameters",
            CryptoError::UnsupportedKey { .. } => "unsupported_key",
            CryptoError::KeyAlgorithmMismatch { .. } => "key_algorithm_mismatch",
            CryptoError::RsaKeyTooSmall { .. } => "rsa_key_too_small",
            CryptoError::Sha1Disallowed => "sha1_disallowed",
            CryptoError::MalformedKey => "malformed_key",
            CryptoError::MalformedSignature => "malformed_signature",
            CryptoError::BadSignature => "bad_signature",
        }
    }
}
