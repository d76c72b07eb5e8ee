//! The TLS alert each refusal corresponds to (RFC 8446 §6.2, RFC 5246 §7.2.2).
//!
//! Typed, so that a TLS layer maps refusals by variant and never by matching `kind()` text.
//! The rustls adapter sends these; a server with its own TLS stack can use the same table.

use core::fmt;

use super::{AuthError, ChainError, CryptoError};

/// A TLS alert description a server sends when it refuses a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsAlert {
    /// `bad_certificate` (42): the certificate is malformed, or breaks a rule of its profile
    /// (basic constraints, path length, name constraints, an unknown critical extension, a
    /// signature in the chain that does not verify, an unreadable or empty subject).
    BadCertificate,
    /// `unsupported_certificate` (43): a key or algorithm this crate does not accept, or a key
    /// usage / extended key usage that does not allow client authentication.
    UnsupportedCertificate,
    /// `certificate_revoked` (44).
    CertificateRevoked,
    /// `certificate_expired` (45): expired or not yet valid ("not currently valid").
    CertificateExpired,
    /// `unknown_ca` (48): no path to a configured trust anchor, or the revocation status
    /// cannot be determined (a required CRL is missing or unusable).
    UnknownCa,
    /// `access_denied` (49): the certificate is valid, but this server does not let it in
    /// (self-managed X.509 is off, the anchor is no longer trusted, or a login rule refused it).
    AccessDenied,
    /// `decrypt_error` (51): the handshake signature (CertificateVerify) does not verify with
    /// the certificate's key.
    DecryptError,
    /// `certificate_required` (116, TLS 1.3): no certificate was presented.
    CertificateRequired,
}

impl TlsAlert {
    /// The alert's number on the wire.
    pub fn code(self) -> u8 {
        match self {
            TlsAlert::BadCertificate => 42,
            TlsAlert::UnsupportedCertificate => 43,
            TlsAlert::CertificateRevoked => 44,
            TlsAlert::CertificateExpired => 45,
            TlsAlert::UnknownCa => 48,
            TlsAlert::AccessDenied => 49,
            TlsAlert::DecryptError => 51,
            TlsAlert::CertificateRequired => 116,
        }
    }

    /// The alert's name in the RFCs (`certificate_revoked`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TlsAlert::BadCertificate => "bad_certificate",
            TlsAlert::UnsupportedCertificate => "unsupported_certificate",
            TlsAlert::CertificateRevoked => "certificate_revoked",
            TlsAlert::CertificateExpired => "certificate_expired",
            TlsAlert::UnknownCa => "unknown_ca",
            TlsAlert::AccessDenied => "access_denied",
            TlsAlert::DecryptError => "decrypt_error",
            TlsAlert::CertificateRequired => "certificate_required",
        }
    }
}

impl fmt::Display for TlsAlert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ChainError {
    /// The TLS alert for this chain error.
    pub fn tls_alert(&self) -> TlsAlert {
        match self {
            ChainError::NoCertificate => TlsAlert::CertificateRequired,
            ChainError::Expired { .. } | ChainError::NotYetValid { .. } => {
                TlsAlert::CertificateExpired
            }
            ChainError::Revoked { .. } => TlsAlert::CertificateRevoked,
            ChainError::UnknownIssuer { .. }
            | ChainError::CrlMissing { .. }
            | ChainError::CrlInvalid { .. } => TlsAlert::UnknownCa,
            ChainError::KeyUsage { .. } | ChainError::EkuMismatch { .. } => {
                TlsAlert::UnsupportedCertificate
            }
            ChainError::Signature { source, .. } | ChainError::KeyRefused { source, .. } => {
                source.tls_alert_in_chain()
            }
            ChainError::TooManyCertificates { .. }
            | ChainError::Malformed { .. }
            | ChainError::CaRequired { .. }
            | ChainError::PathLenExceeded { .. }
            | ChainError::UnknownCriticalExtension { .. }
            | ChainError::NameConstraintViolation { .. }
            | ChainError::PathTooDeep { .. }
            | ChainError::ProfileViolation { .. }
            | ChainError::SignatureBudgetExceeded(_)
            | ChainError::BuildBudgetExceeded(_)
            | ChainError::NameConstraintBudgetExceeded(_) => TlsAlert::BadCertificate,
        }
    }
}

impl CryptoError {
    /// The alert for a signature or key of a certificate in the chain: an algorithm or key the
    /// crate does not take is an unsupported certificate; anything else is a bad one.
    fn tls_alert_in_chain(&self) -> TlsAlert {
        match self {
            CryptoError::UnsupportedAlgorithm { .. }
            | CryptoError::UnsupportedKey { .. }
            | CryptoError::RsaKeyTooSmall { .. }
            | CryptoError::Sha1Disallowed => TlsAlert::UnsupportedCertificate,
            _ => TlsAlert::BadCertificate,
        }
    }
}

impl AuthError {
    /// The TLS alert for this refusal.
    ///
    /// Refusals of the handshake phase (the chain, the subject, self-managed X.509 switched
    /// off) map to the certificate alerts; refusals of the login phase (claims, users, LDAP,
    /// roles) are `access_denied`, since the certificate itself is sound. A server that
    /// refuses after the handshake sends its protocol's own error instead (with
    /// [`AuthError::client_message`]).
    ///
    /// ```
    /// use x509_dbauth::AuthError;
    /// use x509_dbauth::errors::TlsAlert;
    /// assert_eq!(AuthError::NoCertificate.tls_alert(), TlsAlert::CertificateRequired);
    /// let off = AuthError::SelfManagedDisabled { anchor: "CN=Project CA".into() };
    /// assert_eq!(off.tls_alert(), TlsAlert::AccessDenied);
    /// assert_eq!(off.tls_alert().code(), 49);
    /// ```
    pub fn tls_alert(&self) -> TlsAlert {
        match self {
            AuthError::NoCertificate => TlsAlert::CertificateRequired,
            AuthError::Chain(e) => e.tls_alert(),
            AuthError::SubjectUnreadable(_)
            | AuthError::EmptySubject
            | AuthError::ControlCharacterInSubject { .. }
            | AuthError::NonStringValueInSubject { .. } => TlsAlert::BadCertificate,
            AuthError::SelfManagedDisabled { .. }
            | AuthError::AnchorNoLongerTrusted { .. }
            | AuthError::ClaimMismatch { .. }
            | AuthError::KindMismatch { .. }
            | AuthError::UnknownUser { .. }
            | AuthError::ManagedBlockedByLdap { .. }
            | AuthError::NoMapping { .. }
            | AuthError::NotAuthorizedByLdap { .. }
            | AuthError::LdapQueryFailed { .. }
            | AuthError::DirectoryUnavailable { .. }
            | AuthError::Roles(_) => TlsAlert::AccessDenied,
        }
    }
}
