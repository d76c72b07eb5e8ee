//! Every object identifier the crate matches, in one table, as DER content bytes taken from
//! `const-oid`'s database (so no OID is spelled out as bytes by hand). Byte slices, because
//! fields are compared against the certificate's bytes without decoding them.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc2985, rfc5280, rfc5753, rfc5912, rfc8410};

/// The DER content bytes of `oid`.
const fn bytes(oid: &'static ObjectIdentifier) -> &'static [u8] {
    oid.as_bytes()
}

// ---- certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3) ----

/// basicConstraints, 2.5.29.19.
pub(crate) const BASIC_CONSTRAINTS: &[u8] = bytes(&rfc5280::ID_CE_BASIC_CONSTRAINTS);
/// keyUsage, 2.5.29.15.
pub(crate) const KEY_USAGE: &[u8] = bytes(&rfc5280::ID_CE_KEY_USAGE);
/// extKeyUsage, 2.5.29.37.
pub(crate) const EXT_KEY_USAGE: &[u8] = bytes(&rfc5280::ID_CE_EXT_KEY_USAGE);
/// subjectAltName, 2.5.29.17.
pub(crate) const SUBJECT_ALT_NAME: &[u8] = bytes(&rfc5280::ID_CE_SUBJECT_ALT_NAME);
/// issuerAltName, 2.5.29.18.
pub(crate) const ISSUER_ALT_NAME: &[u8] = bytes(&rfc5280::ID_CE_ISSUER_ALT_NAME);
/// nameConstraints, 2.5.29.30.
pub(crate) const NAME_CONSTRAINTS: &[u8] = bytes(&rfc5280::ID_CE_NAME_CONSTRAINTS);
/// authorityKeyIdentifier, 2.5.29.35.
pub(crate) const AUTHORITY_KEY_ID: &[u8] = bytes(&rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER);
/// subjectKeyIdentifier, 2.5.29.14.
pub(crate) const SUBJECT_KEY_ID: &[u8] = bytes(&rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER);
/// cRLDistributionPoints, 2.5.29.31.
pub(crate) const CRL_DISTRIBUTION_POINTS: &[u8] = bytes(&rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS);
/// authorityInfoAccess, 1.3.6.1.5.5.7.1.1.
pub(crate) const AUTHORITY_INFO_ACCESS: &[u8] = bytes(&rfc5280::ID_PE_AUTHORITY_INFO_ACCESS);
/// certificatePolicies, 2.5.29.32.
pub(crate) const CERTIFICATE_POLICIES: &[u8] = bytes(&rfc5280::ID_CE_CERTIFICATE_POLICIES);
/// cRLNumber, 2.5.29.20.
pub(crate) const CRL_NUMBER: &[u8] = bytes(&rfc5280::ID_CE_CRL_NUMBER);
/// deltaCRLIndicator, 2.5.29.27.
pub(crate) const DELTA_CRL_INDICATOR: &[u8] = bytes(&rfc5280::ID_CE_DELTA_CRL_INDICATOR);
/// issuingDistributionPoint, 2.5.29.28.
pub(crate) const ISSUING_DISTRIBUTION_POINT: &[u8] =
    bytes(&rfc5280::ID_CE_ISSUING_DISTRIBUTION_POINT);
/// freshestCRL, 2.5.29.46.
pub(crate) const FRESHEST_CRL: &[u8] = bytes(&rfc5280::ID_CE_FRESHEST_CRL);
/// reasonCode, 2.5.29.21.
pub(crate) const REASON_CODE: &[u8] = bytes(&rfc5280::ID_CE_CRL_REASONS);
/// invalidityDate, 2.5.29.24.
pub(crate) const INVALIDITY_DATE: &[u8] = bytes(&rfc5280::ID_CE_INVALIDITY_DATE);
/// certificateIssuer, 2.5.29.29.
pub(crate) const CERTIFICATE_ISSUER: &[u8] = bytes(&rfc5280::ID_CE_CERTIFICATE_ISSUER);
/// holdInstructionCode, 2.5.29.23.
pub(crate) const HOLD_INSTRUCTION: &[u8] = bytes(&rfc5280::ID_CE_HOLD_INSTRUCTION_CODE);

// ---- extended key usages (RFC 5280 §4.2.1.12) ----

/// id-kp-serverAuth, 1.3.6.1.5.5.7.3.1.
pub(crate) const KP_SERVER_AUTH: &[u8] = bytes(&rfc5280::ID_KP_SERVER_AUTH);
/// id-kp-clientAuth, 1.3.6.1.5.5.7.3.2.
pub(crate) const KP_CLIENT_AUTH: &[u8] = bytes(&rfc5280::ID_KP_CLIENT_AUTH);
/// id-kp-codeSigning, 1.3.6.1.5.5.7.3.3.
pub(crate) const KP_CODE_SIGNING: &[u8] = bytes(&rfc5280::ID_KP_CODE_SIGNING);
/// id-kp-emailProtection, 1.3.6.1.5.5.7.3.4.
pub(crate) const KP_EMAIL_PROTECTION: &[u8] = bytes(&rfc5280::ID_KP_EMAIL_PROTECTION);
/// id-kp-timeStamping, 1.3.6.1.5.5.7.3.8.
pub(crate) const KP_TIME_STAMPING: &[u8] = bytes(&rfc5280::ID_KP_TIME_STAMPING);
/// anyExtendedKeyUsage, 2.5.29.37.0.
pub(crate) const ANY_EXTENDED_KEY_USAGE: &[u8] = bytes(&rfc5280::ANY_EXTENDED_KEY_USAGE);

// ---- keys and signature algorithms (RFC 4055, RFC 5480, RFC 5758, RFC 8410) ----

/// rsaEncryption, 1.2.840.113549.1.1.1.
pub(crate) const RSA_ENCRYPTION: &[u8] = bytes(&rfc5912::RSA_ENCRYPTION);
/// sha1WithRSAEncryption, 1.2.840.113549.1.1.5.
pub(crate) const SHA1_RSA: &[u8] = bytes(&rfc5912::SHA_1_WITH_RSA_ENCRYPTION);
/// id-mgf1, 1.2.840.113549.1.1.8.
pub(crate) const MGF1: &[u8] = bytes(&rfc5912::ID_MGF_1);
/// id-RSASSA-PSS, 1.2.840.113549.1.1.10.
pub(crate) const RSA_PSS: &[u8] = bytes(&rfc5912::ID_RSASSA_PSS);
/// sha256WithRSAEncryption, 1.2.840.113549.1.1.11.
pub(crate) const SHA256_RSA: &[u8] = bytes(&rfc5912::SHA_256_WITH_RSA_ENCRYPTION);
/// sha384WithRSAEncryption, 1.2.840.113549.1.1.12.
pub(crate) const SHA384_RSA: &[u8] = bytes(&rfc5912::SHA_384_WITH_RSA_ENCRYPTION);
/// sha512WithRSAEncryption, 1.2.840.113549.1.1.13.
pub(crate) const SHA512_RSA: &[u8] = bytes(&rfc5912::SHA_512_WITH_RSA_ENCRYPTION);
/// id-sha1, 1.3.14.3.2.26.
pub(crate) const SHA1: &[u8] = bytes(&rfc5912::ID_SHA_1);
/// id-sha256, 2.16.840.1.101.3.4.2.1.
pub(crate) const SHA256: &[u8] = bytes(&rfc5912::ID_SHA_256);
/// id-sha384, 2.16.840.1.101.3.4.2.2.
pub(crate) const SHA384: &[u8] = bytes(&rfc5912::ID_SHA_384);
/// id-sha512, 2.16.840.1.101.3.4.2.3.
pub(crate) const SHA512: &[u8] = bytes(&rfc5912::ID_SHA_512);
/// id-ecPublicKey, 1.2.840.10045.2.1.
pub(crate) const EC_PUBLIC_KEY: &[u8] = bytes(&rfc5753::ID_EC_PUBLIC_KEY);
/// secp256r1, 1.2.840.10045.3.1.7.
pub(crate) const P256: &[u8] = bytes(&rfc5912::SECP_256_R_1);
/// secp384r1, 1.3.132.0.34.
pub(crate) const P384: &[u8] = bytes(&rfc5912::SECP_384_R_1);
/// ecdsa-with-SHA1, 1.2.840.10045.4.1 (RFC 3279 §2.2.3; not in `const-oid`'s database).
pub(crate) const ECDSA_SHA1: &[u8] = bytes(&ECDSA_WITH_SHA1);
const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
/// ecdsa-with-SHA256, 1.2.840.10045.4.3.2.
pub(crate) const ECDSA_SHA256: &[u8] = bytes(&rfc5912::ECDSA_WITH_SHA_256);
/// ecdsa-with-SHA384, 1.2.840.10045.4.3.3.
pub(crate) const ECDSA_SHA384: &[u8] = bytes(&rfc5912::ECDSA_WITH_SHA_384);
/// ecdsa-with-SHA512, 1.2.840.10045.4.3.4.
pub(crate) const ECDSA_SHA512: &[u8] = bytes(&rfc5912::ECDSA_WITH_SHA_512);
/// id-Ed25519, 1.3.101.112.
pub(crate) const ED25519: &[u8] = bytes(&rfc8410::ID_ED_25519);

// ---- name attributes ----

/// emailAddress (PKCS #9), 1.2.840.113549.1.9.1.
pub(crate) const EMAIL_ADDRESS: &[u8] = bytes(&rfc2985::PKCS_9_AT_EMAIL_ADDRESS);

/// Dotted-decimal text of an OID's DER content bytes, for messages.
pub(crate) fn to_dotted(oid: &[u8]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut acc: u128 = 0;
    let mut first = true;
    for &b in oid {
        acc = (acc << 7) | u128::from(b & 0x7F);
        if acc > u128::from(u64::MAX) {
            return "(oversized OID)".into();
        }
        if b & 0x80 == 0 {
            if first {
                let (a, b) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                parts.push(a.to_string());
                parts.push(b.to_string());
                first = false;
            } else {
                parts.push(acc.to_string());
            }
            acc = 0;
        }
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is what the RFCs say, byte for byte (a few spot checks against the encodings
    /// written out in RFC 5280 Appendix A and RFC 8410).
    #[test]
    fn bytes_match_the_rfcs() {
        assert_eq!(BASIC_CONSTRAINTS, [0x55, 0x1D, 0x13]);
        assert_eq!(
            KP_CLIENT_AUTH,
            [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02]
        );
        assert_eq!(ANY_EXTENDED_KEY_USAGE, [0x55, 0x1D, 0x25, 0x00]);
        assert_eq!(ECDSA_SHA1, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01]);
        assert_eq!(ED25519, [0x2B, 0x65, 0x70]);
        assert_eq!(P384, [0x2B, 0x81, 0x04, 0x00, 0x22]);
        assert_eq!(
            EMAIL_ADDRESS,
            [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01]
        );
    }
}
