//! Values from the RustCrypto X.509 crate (feature `x509-cert`).
//!
//! A caller that already holds `x509_cert::Certificate` or `x509_cert::name::Name` values can
//! hand them in here. Each conversion goes through the value's DER: x509-cert encodes it (one
//! allocation and one pass over the value, about the cost of decoding it) and this crate reads
//! those bytes as it reads any other. Certificates are verified over the encoded bytes: for a
//! value x509-cert decoded from DER, that encoding is the original one, so the signatures
//! still verify. When the original bytes are at hand, pass them instead
//! ([`CertificateDer`], [`TrustAnchors::from_ders`]): that costs nothing.

use rustls_pki_types::CertificateDer;
use x509_cert::der::Encode;

use crate::cert::Certificate;
use crate::dn::DistinguishedName;
use crate::error::{CertError, DnError, TrustError};
use crate::trust::TrustAnchors;

/// Why an x509-cert value could not be encoded (it was built by hand with invalid contents).
const NOT_ENCODABLE: &str = "the x509-cert value cannot be encoded as DER";

impl Certificate<'_> {
    /// The DER of an `x509_cert::Certificate`, ready for
    /// [`Verifier::verify_client`](crate::Verifier::verify_client): one DER encoding by
    /// x509-cert (module docs: cost).
    pub fn der_from_x509_cert(
        cert: &x509_cert::Certificate,
    ) -> Result<CertificateDer<'static>, CertError> {
        cert.to_der()
            .map(CertificateDer::from)
            .map_err(|e| CertError::Malformed {
                field: "certificate",
                reason: format!("{NOT_ENCODABLE}: {e}"),
            })
    }
}

impl TrustAnchors {
    /// Trust anchors from `x509_cert::Certificate` values, checked as
    /// [`TrustAnchors::from_ders`] checks DER certificates (each must be a CA certificate).
    pub fn from_x509_certs<'c, I>(certs: I) -> Result<TrustAnchors, TrustError>
    where
        I: IntoIterator<Item = &'c x509_cert::Certificate>,
    {
        let ders = certs
            .into_iter()
            .enumerate()
            .map(|(index, cert)| {
                Certificate::der_from_x509_cert(cert)
                    .map_err(|source| TrustError::Unparsable { index, source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        TrustAnchors::from_ders(ders)
    }
}

impl DistinguishedName {
    /// The distinguished name of an `x509_cert::name::Name`, read from its DER (one encoding
    /// by x509-cert, then the same reading as [`DistinguishedName::from_der`]).
    pub fn from_x509_name(name: &x509_cert::name::Name) -> Result<DistinguishedName, DnError> {
        let der = name.to_der().map_err(|_| DnError::Der {
            offset: 0,
            reason: NOT_ENCODABLE,
        })?;
        DistinguishedName::from_der(&der)
    }
}

impl TryFrom<&x509_cert::name::Name> for DistinguishedName {
    type Error = DnError;

    /// [`DistinguishedName::from_x509_name`].
    fn try_from(name: &x509_cert::name::Name) -> Result<DistinguishedName, DnError> {
        DistinguishedName::from_x509_name(name)
    }
}
