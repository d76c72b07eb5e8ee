//! The seed's two kinds of client certificate: issued by a managed CA or by a self-managed CA.
//! Its own module so that the error types can name it without importing the verifier.

use core::fmt;

/// Who issued a client certificate: a managed CA (the platform's) or a self-managed CA (the
/// project's own PKI).
///
/// The anchor a chain verifies to decides the kind, and a user of one kind is never logged in
/// by a certificate of the other:
///
/// ```
/// use x509_dbauth::{CertificateKind, Settings, TrustAnchors, UnixTime, x509::Certificate};
///
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let settings = Settings::builder()
///     .managed_ca(TrustAnchors::from_pem(&pki("managed-ca.pem")?)?)
///     .enable_self_managed(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?)
///     .build()?;
/// let auth = x509_dbauth::Authenticator::new(settings.into_arc());
/// let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600));
/// let kind = |f: &str| -> Result<CertificateKind, Box<dyn std::error::Error>> {
///     Ok(auth.verify_client(&Certificate::ders_from_pem_or_der(&pki(f)?)?, at)?.kind())
/// };
/// assert_eq!(kind("myuser-chain.pem")?, CertificateKind::Managed);
/// assert_eq!(kind("impostor-chain.pem")?, CertificateKind::SelfManaged); // also "CN=myuser"
/// assert_eq!(CertificateKind::SelfManaged.as_str(), "self-managed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
