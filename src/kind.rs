//! The seed's two kinds of client certificate: issued by a managed CA or by a self-managed CA.
//! Its own module so that the error types can name it without importing the verifier.

use core::fmt;

/// Who issued a client certificate: a managed CA (the platform's) or a self-managed CA (the
/// project's own PKI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CertificateKind {
    /// Issued by the platform's managed CA (Atlas `x509Type: MANAGED`).
    Managed,
    /// Issued by a self-managed CA, the project's own PKI (Atlas `x509Type: CUSTOMER`).
    SelfManaged,
}

impl CertificateKind {
    /// `"managed"` or `"self-managed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Managed => "managed",
            CertificateKind::SelfManaged => "self-managed",
        }
    }
}

impl fmt::Display for CertificateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
