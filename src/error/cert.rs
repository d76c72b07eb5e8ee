//! Errors from reading a certificate or CRL (DER or PEM).

/// A certificate (or CRL) could not be read: the bytes are not the DER structure RFC 5280 defines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The input is larger than `Limits::max_certificate_bytes`.
    #[error("the certificate is {len} bytes, above the limit of {max} bytes")]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// A field is not valid DER or not the type RFC 5280 requires.
    #[error("the certificate's {field} is malformed: {reason}")]
    Malformed {
        /// Which field (e.g. "tbsCertificate", "validity").
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The version is not v1, v2 or v3 (RFC 5280 §4.1.2.1).
    #[error("the certificate has unsupported version {0}")]
    UnsupportedVersion(u32),
    /// Extensions or unique identifiers appear in a certificate whose version does not allow them
    /// (RFC 5280 §4.1.2.1: extensions require v3, unique identifiers v2 or v3).
    #[error(
        "the certificate is version {version} but carries {what}, which requires a later version"
    )]
    VersionMismatch {
        /// The certificate's version (1, 2 or 3).
        version: u8,
        /// What it carries.
        what: &'static str,
    },
    /// The outer signatureAlgorithm differs from the one inside tbsCertificate (RFC 5280 §4.1.1.2).
    #[error("the signature algorithm outside tbsCertificate differs from the one inside it")]
    SignatureAlgorithmMismatch,
    /// The same extension appears twice (RFC 5280 §4.2).
    #[error("the extension {oid} appears more than once")]
    DuplicateExtension {
        /// Dotted OID of the extension.
        oid: String,
    },
    /// A known extension's value does not decode.
    #[error("the {name} extension is malformed: {reason}")]
    BadExtension {
        /// Extension name, e.g. "basicConstraints".
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// PEM input could not be decoded.
    #[error("the PEM input is invalid: {0}")]
    Pem(String),
    /// PEM input held no CERTIFICATE (or X509 CRL) block.
    #[error("the input holds no {0} block")]
    NoPemBlock(&'static str),
}

impl CertError {
    /// A stable machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            CertError::TooLarge { .. } => "too_large",
            CertError::Malformed { .. } => "malformed",
            CertError::UnsupportedVersion(_) => "unsupported_version",
            CertError::VersionMismatch { .. } => "version_mismatch",
            CertError::SignatureAlgorithmMismatch => "signature_algorithm_mismatch",
            CertError::DuplicateExtension { .. } => "duplicate_extension",
            CertError::BadExtension { .. } => "bad_extension",
            CertError::Pem(_) => "pem",
            CertError::NoPemBlock(_) => "no_pem_block",
        }
    }
}
