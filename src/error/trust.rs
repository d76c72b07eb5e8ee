//! Errors from loading a trust-anchor bundle.

use super::CertError;
use crate::display::Escaped;

/// A trust-anchor bundle was refused; the message names the certificate (0-based index in the
/// bundle) and the reason.
///
/// ```
/// use x509_dbauth::TrustAnchors;
///
/// let leaf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/jane.pem"))?;
/// // A client certificate is not a CA: it cannot be a trust anchor.
/// assert_eq!(TrustAnchors::from_pem(&leaf).unwrap_err().kind(), "not_ca");
/// assert_eq!(TrustAnchors::from_pem(b"no PEM here").unwrap_err().kind(), "empty");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The bundle holds no certificate.
    #[error("the trust bundle holds no CERTIFICATE block")]
    Empty,
    /// The PEM text itself is invalid.
    #[error("the trust bundle is not valid PEM: {0}")]
    Pem(String),
    /// A certificate in the bundle does not parse.
    #[error("trust anchor #{index} (0-based) does not parse: {source}")]
    Unparsable {
        /// 0-based position in the bundle.
        index: usize,
        /// Why.
        source: CertError,
    },
    /// A certificate is not a CA (RFC 5280 §4.2.1.9: basicConstraints cA must be TRUE).
    #[error(
        "trust anchor #{index} (0-based, {subject}) is not a CA certificate: {reason}",
        subject = Escaped(subject)
    )]
    NotCa {
        /// 0-based position in the bundle.
        index: usize,
        /// Subject of the certificate.
        subject: String,
        /// Why.
        reason: &'static str,
    },
    /// keyUsage is present without keyCertSign (RFC 5280 §4.2.1.3).
    #[error(
        "trust anchor #{index} (0-based, {subject}) may not sign certificates: keyUsage lacks keyCertSign",
        subject = Escaped(subject)
    )]
    NoKeyCertSign {
        /// 0-based position in the bundle.
        index: usize,
        /// Subject of the certificate.
        subject: String,
    },
    /// The same certificate appears twice.
    #[error(
        "trust anchor #{index} (0-based, {subject}) duplicates anchor #{first}",
        subject = Escaped(subject)
    )]
    Duplicate {
        /// 0-based position of the repeat.
        index: usize,
        /// 0-based position of the first occurrence.
        first: usize,
        /// Subject of the certificate.
        subject: String,
    },
}

impl TrustError {
    /// A stable machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            TrustError::Empty => "empty",
            TrustError::Pem(_) => "pem",
            TrustError::Unparsable { .. } => "unparsable",
            TrustError::NotCa { .. } => "not_ca",
            TrustError::NoKeyCertSign { .. } => "no_key_cert_sign",
            TrustError::Duplicate { .. } => "duplicate",
        }
    }

    /// The 0-based index of the offending certificate in the bundle, if any.
    pub fn certificate_index(&self) -> Option<usize> {
        match self {
            TrustError::Empty | TrustError::Pem(_) => None,
            TrustError::Unparsable { index, .. }
            | TrustError::NotCa { index, .. }
            | TrustError::NoKeyCertSign { index, .. }
            | TrustError::Duplicate { index, .. } => Some(*index),
        }
    }
}
