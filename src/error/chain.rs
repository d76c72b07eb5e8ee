//! Errors from certificate path building and validation (RFC 5280 §6).

use std::fmt;

use super::{CertError, CryptoError};
use crate::display::Escaped;
use crate::time::Timestamp;

#[cfg(test)]
mod tests {
    use super::{CertPosition, CertRef, ChainError};
    use crate::error::CryptoError;
    use crate::time::Timestamp;

    fn leaf() -> CertRef {
        CertRef {
            position: CertPosition::Presented(0),
            subject: "CN=leaf".into(),
        }
    }

    /// Every signature reason has its own kind (a malformed key is `malformed_key`, not
    /// `unsupported_algorithm`), and the client's text starts with that same kind.
    #[test]
    fn signature_kinds_are_exact() {
        let cases = [
            (
                CryptoError::UnsupportedAlgorithm {
                    oid: "1.2.3".into(),
                },
                "unsupported_algorithm",
            ),
            (CryptoError::BadPssParameters("x"), "bad_pss_parameters"),
            (
                CryptoError::UnsupportedKey {
                    oid: "1.2.3".into(),
                },
                "unsupported_key",
            ),
            (
                CryptoError::KeyAlgorithmMismatch {
                    key: "EC",
                    algorithm: "RSA",
                },
                "key_algorithm_mismatch",
            ),
            (
                CryptoError::RsaKeyTooSmall { bits: 1024 },
                "rsa_key_too_small",
            ),
            (CryptoError::Sha1Disallowed, "sha1_disallowed"),
            (CryptoError::MalformedKey, "malformed_key"),
            (CryptoError::MalformedSignature, "malformed_signature"),
            (CryptoError::BadSignature, "bad_signature"),
        ];
        for (source, kind) in cases {
            let signature = ChainError::Signature {
                cert: leaf(),
                issuer: "CN=ca".into(),
                source: source.clone(),
            };
            let key = ChainError::KeyRefused {
                cert: leaf(),
                source,
            };
            for e in [signature, key] {
                assert_eq!(e.kind(), kind);
                assert_eq!(
                    e.client_message(),
                    format!("{kind}: the client certificate chain is not trusted")
                );
            }
        }
    }

    /// The ranking orders how far a path got: no issuer < too deep < a refused signature <
    /// a per-certificate rule < a whole-path finding.
    #[test]
    fn rank_orders_how_far_a_path_got() {
        let ranked = [
            (
                ChainError::UnknownIssuer {
                    cert: leaf(),
                    issuer: "CN=x".into(),
                    unreadable: None,
                },
                0,
            ),
            (
                ChainError::PathTooDeep {
                    cert: leaf(),
                    max: 6,
                },
                1,
            ),
            (
                ChainError::Signature {
                    cert: leaf(),
                    issuer: "CN=x".into(),
                    source: CryptoError::BadSignature,
                },
                2,
            ),
            (
                ChainError::Expired {
                    cert: leaf(),
                    not_after: Timestamp::from_unix_seconds(0),
                    now: Timestamp::from_unix_seconds(1),
                },
                3,
            ),
            (ChainError::BuildBudgetExceeded(10), 3),
            (
                ChainError::Revoked {
                    cert: leaf(),
                    revoked_at: Timestamp::from_unix_seconds(0),
                    reason: None,
                },
                4,
            ),
            (
                ChainError::CrlMissing {
                    cert: leaf(),
                    issuer: "CN=x".into(),
                    uncovered: vec![],
                },
                4,
            ),
        ];
        for (e, rank) in ranked {
            assert_eq!(e.rank(), rank, "{}", e.kind());
            assert_eq!(
                e.client_message(),
                format!("{}: the client certificate chain is not trusted", e.kind())
            );
        }
    }
}

/// The tail of the `UnknownIssuer` sentence.
fn unreadable_text(unreadable: Option<&(usize, Box<CertError>)>) -> String {
    unreadable.map_or_else(String::new, |(i, e)| {
        format!(" (presented certificate #{i} could not be read: {e})")
    })
}

/// The tail of the `Revoked` sentence.
fn reason_text(reason: Option<&str>) -> String {
    reason.map_or_else(String::new, |r| format!(", reason {r}"))
}

/// The `CrlMissing` sentence: which reasons are left uncovered, unless all are.
fn missing_text(issuer: &str, uncovered: &[&str]) -> String {
    // The eight ReasonFlags reasons keyCompromise … aACompromise (RFC 5280 §6.3.3 all-reasons).
    if uncovered.len() >= 8 {
        format!(
            "no valid CRL from its issuer \"{}\" is available, and CRLs are required",
            Escaped(issuer)
        )
    } else {
        format!(
            "the valid CRLs from its issuer \"{issuer}\" do not cover the revocation reason(s) {}, \
             and CRLs are required",
            uncovered.join(", "),
            issuer = Escaped(issuer)
        )
    }
}

/// Where a certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertPosition {
    /// Index in the list the client presented (0 is the leaf).
    Presented(usize),
    /// Index in the verifier's configured intermediates.
    ConfiguredIntermediate(usize),
    /// Index in the trust anchors.
    Anchor(usize),
}

impl fmt::Display for CertPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertPosition::Presented(0) => f.write_str("the client certificate (#0)"),
            CertPosition::Presented(i) => write!(f, "presented certificate #{i}"),
            CertPosition::ConfiguredIntermediate(i) => write!(f, "configured intermediate #{i}"),
            CertPosition::Anchor(i) => write!(f, "trust anchor #{i}"),
        }
    }
}

/// The certificate an error is about: where it came from and its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRef {
    /// Where the certificate came from.
    pub position: CertPosition,
    /// Its subject, as text.
    pub subject: String,
}

impl fmt::Display for CertRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\"", self.position, Escaped(&self.subject))
    }
}

/// Why a client certificate chain was refused.
///
/// Every variant names the certificate concerned and the rule it broke; `Display` is a sentence
/// meant for logs and operators, `kind()` a stable machine-readable name.
///
/// ```
/// use x509_dbauth::x509::{Certificate, ChainVerifier};
/// use x509_dbauth::{TrustAnchors, UnixTime};
///
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let verifier = ChainVerifier::builder(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?).build()?;
/// let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600));
/// let chain = Certificate::ders_from_pem_or_der(&pki("expired-chain.pem")?)?;
/// let e = verifier.verify_chain(&chain, at).unwrap_err();
/// assert_eq!(e.kind(), "expired");
/// assert!(e.to_string().starts_with(
///     "the client certificate (#0) \"CN=Expired User,O=MongoDB,C=US\" expired at 2026-01-01T00:00:00Z"
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The client presented no certificate.
    #[error("the client presented no certificate")]
    NoCertificate,
    /// More certificates were presented than `Limits::max_presented_certificates`.
    #[error("the client presented {count} certificates, above the limit of {max}")]
    TooManyCertificates {
        /// Number presented.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The client certificate does not parse. (Other presented certificates that do not parse
    /// are left out of path building; `UnknownIssuer` names the first one.)
    #[error("{cert} cannot be read: {source}")]
    Malformed {
        /// The certificate (its subject is "(unreadable)").
        cert: CertRef,
        /// Why.
        source: CertError,
    },
    /// The current time is after notAfter (RFC 5280 §6.1.3 (a)(2)).
    #[error("{cert} expired at {not_after} (validation time {now})")]
    Expired {
        /// The certificate.
        cert: CertRef,
        /// Its notAfter.
        not_after: Timestamp,
        /// The validation time.
        now: Timestamp,
    },
    /// The current time is before notBefore (RFC 5280 §6.1.3 (a)(2)).
    #[error("{cert} is not valid before {not_before} (validation time {now})")]
    NotYetValid {
        /// The certificate.
        cert: CertRef,
        /// Its notBefore.
        not_before: Timestamp,
        /// The validation time.
        now: Timestamp,
    },
    /// No trust anchor or intermediate has a subject matching the certificate's issuer.
    #[error(
        "{cert} was issued by \"{issuer}\", which is neither a trust anchor nor an available intermediate{}",
        unreadable_text(unreadable.as_ref()),
        issuer = Escaped(issuer)
    )]
    UnknownIssuer {
        /// The certificate whose issuer is unknown.
        cert: CertRef,
        /// Its issuer name.
        issuer: String,
        /// The first presented certificate (index, why) that could not be read, if any: it was
        /// left out of path building and may well be the missing issuer.
        /// (Boxed: a rare detail that would otherwise double the size of every `ChainError`.)
        unreadable: Option<(usize, Box<CertError>)>,
    },
    /// The signature on a certificate does not verify, or its algorithm or key is refused.
    #[error(
        "the signature on {cert} by \"{issuer}\" is refused: {source}",
        issuer = Escaped(issuer)
    )]
    Signature {
        /// The signed certificate.
        cert: CertRef,
        /// The issuer's subject.
        issuer: String,
        /// Why.
        source: CryptoError,
    },
    /// An issuing certificate is not a CA (RFC 5280 §6.1.4 (k), §4.2.1.9).
    #[error("{cert} issued a certificate but is not a CA (basicConstraints cA is not TRUE)")]
    CaRequired {
        /// The would-be issuer.
        cert: CertRef,
    },
    /// A CA's pathLenConstraint is exceeded (RFC 5280 §6.1.4 (l)–(m)).
    #[error("{cert} allows {path_len} intermediate CA(s) below it, but the path has {found}")]
    PathLenExceeded {
        /// The constraining CA.
        cert: CertRef,
        /// Its pathLenConstraint.
        path_len: u32,
        /// Non-self-issued intermediates below it.
        found: usize,
    },
    /// keyUsage is present and lacks a required bit (RFC 5280 §4.2.1.3, §6.1.4 (n)).
    #[error("{cert} has a keyUsage extension without {required}")]
    KeyUsage {
        /// The certificate.
        cert: CertRef,
        /// The missing bit, e.g. "keyCertSign".
        required: &'static str,
    },
    /// The leaf's extendedKeyUsage does not allow the required purpose (RFC 5280 §4.2.1.12).
    #[error("{cert} has an extendedKeyUsage extension that does not include {required}")]
    EkuMismatch {
        /// The certificate.
        cert: CertRef,
        /// The required purpose, e.g. "clientAuth".
        required: String,
    },
    /// A critical extension this verifier does not process (RFC 5280 §4.2).
    #[error("{cert} has the critical extension {oid}, which this verifier does not process")]
    UnknownCriticalExtension {
        /// The certificate.
        cert: CertRef,
        /// Dotted OID.
        oid: String,
    },
    /// A name is outside a CA's permitted subtrees or inside its excluded ones (RFC 5280 §4.2.1.10).
    #[error(
        "{cert}: the name {name} violates the name constraints of {constrained_by}: {reason}",
        name = Escaped(name)
    )]
    NameConstraintViolation {
        /// The certificate carrying the name.
        cert: CertRef,
        /// The CA whose constraints it breaks.
        constrained_by: CertRef,
        /// The offending name, as text.
        name: String,
        /// "not permitted", "excluded", or why it cannot be checked.
        reason: &'static str,
    },
    /// The certificate is on its issuer's CRL (RFC 5280 §6.3.3).
    #[error("{cert} is revoked (CRL entry dated {revoked_at}{})", reason_text(*.reason))]
    Revoked {
        /// The certificate.
        cert: CertRef,
        /// revocationDate of the entry.
        revoked_at: Timestamp,
        /// The entry's CRLReason (RFC 5280 §5.3.1) by its ASN.1 name, e.g. "keyCompromise",
        /// when the entry carries a reasonCode.
        reason: Option<&'static str>,
    },
    /// `require_crl` is on and the valid CRLs from the issuer do not cover the certificate for
    /// every revocation reason (RFC 5280 §6.3.3: the status stays undetermined).
    #[error("{cert}: {}", missing_text(issuer, uncovered))]
    CrlMissing {
        /// The certificate.
        cert: CertRef,
        /// The issuer whose CRL is missing.
        issuer: String,
        /// The revocation reasons (RFC 5280 §4.2.1.13 ReasonFlags names) no valid CRL covered:
        /// all eight when no valid CRL applied at all, fewer when CRLs partitioned by
        /// onlySomeReasons cover only some of them.
        uncovered: Vec<&'static str>,
    },
    /// A CRL from the issuer cannot be used (bad signature, expired, malformed, unsupported).
    #[error("{cert}: the CRL from \"{issuer}\" cannot be used: {reason}", issuer = Escaped(issuer))]
    CrlInvalid {
        /// The certificate whose status was being checked.
        cert: CertRef,
        /// The CRL issuer.
        issuer: String,
        /// Stable reason name: "bad_signature", "expired", "not_yet_valid", "malformed",
        /// "no_crl_sign", "unknown_critical_extension", "unsupported" (indirect or delta CRL,
        /// attribute-certificate scope).
        reason: &'static str,
    },
    /// A certificate breaks an RFC 5280 profile rule for its role in the path (e.g. a CA
    /// certificate used as the client certificate, nameConstraints in an end-entity certificate).
    #[error("{cert} is not acceptable in its place in the chain: {rule}")]
    ProfileViolation {
        /// The certificate.
        cert: CertRef,
        /// The rule, with its RFC section.
        rule: &'static str,
    },
    /// The leaf's public key is refused by policy (e.g. RSA under 2048 bits).
    #[error("{cert} has a public key that is refused: {source}")]
    KeyRefused {
        /// The certificate.
        cert: CertRef,
        /// Why.
        source: CryptoError,
    },
    /// The path would need more intermediates than `Limits::max_path_intermediates`.
    #[error("{cert}: no path to a trust anchor within {max} intermediates")]
    PathTooDeep {
        /// The certificate at which the depth ran out.
        cert: CertRef,
        /// The limit.
        max: usize,
    },
    /// `Limits::max_signature_checks` were spent.
    #[error("gave up after {0} signature checks (limit reached)")]
    SignatureBudgetExceeded(usize),
    /// `Limits::max_path_build_steps` were spent.
    #[error("gave up after {0} path-building steps (limit reached)")]
    BuildBudgetExceeded(usize),
    /// `Limits::max_name_constraint_comparisons` were spent: name comparisons of issuer/subject
    /// chaining and of name constraints together.
    #[error(
        "gave up after {0} name comparisons (issuer chaining and name constraints; limit reached)"
    )]
    NameConstraintBudgetExceeded(usize),
}

impl ChainError {
    /// A stable machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            ChainError::NoCertificate => "no_certificate",
            ChainError::TooManyCertificates { .. } => "too_many_certificates",
            ChainError::Malformed { .. } => "malformed",
            ChainError::Expired { .. } => "expired",
            ChainError::NotYetValid { .. } => "not_yet_valid",
            ChainError::UnknownIssuer { .. } => "unknown_issuer",
            // The signature's own reason: a malformed key is `malformed_key`, a refused PSS
            // parameter set `bad_pss_parameters`, never a blanket `unsupported_algorithm`.
            ChainError::Signature { source, .. } | ChainError::KeyRefused { source, .. } => {
                source.kind()
            }
            ChainError::CaRequired { .. } => "ca_required",
            ChainError::PathLenExceeded { .. } => "path_len_exceeded",
            ChainError::KeyUsage { .. } => "key_usage",
            ChainError::EkuMismatch { .. } => "eku_mismatch",
            ChainError::UnknownCriticalExtension { .. } => "unknown_critical_extension",
            ChainError::NameConstraintViolation { .. } => "name_constraint_violation",
            ChainError::Revoked { .. } => "revoked",
            ChainError::CrlMissing { .. } => "crl_missing",
            ChainError::CrlInvalid { .. } => "crl_invalid",
            ChainError::PathTooDeep { .. } => "path_too_deep",
            ChainError::ProfileViolation { .. } => "profile_violation",
            ChainError::SignatureBudgetExceeded(_) => "signature_budget_exceeded",
            ChainError::BuildBudgetExceeded(_) => "build_budget_exceeded",
            ChainError::NameConstraintBudgetExceeded(_) => "name_constraint_budget_exceeded",
        }
    }

    /// [`AuthError::client_message`](crate::AuthError::client_message) for a refused chain:
    /// `"<kind>: the client certificate chain is not trusted"`. The kind tells the holder what
    /// is wrong with its own chain; the certificate names stay in the operator's text.
    pub(crate) fn client_message(&self) -> &'static str {
        macro_rules! untrusted {
            ($kind:literal) => {
                concat!($kind, ": the client certificate chain is not trusted")
            };
        }
        match self {
            ChainError::NoCertificate => untrusted!("no_certificate"),
            ChainError::TooManyCertificates { .. } => untrusted!("too_many_certificates"),
            ChainError::Malformed { .. } => untrusted!("malformed"),
            ChainError::Expired { .. } => untrusted!("expired"),
            ChainError::NotYetValid { .. } => untrusted!("not_yet_valid"),
            ChainError::UnknownIssuer { .. } => untrusted!("unknown_issuer"),
            ChainError::Signature { source, .. } | ChainError::KeyRefused { source, .. } => {
                match source {
                    CryptoError::UnsupportedAlgorithm { .. } => untrusted!("unsupported_algorithm"),
                    CryptoError::BadPssParameters(_) => untrusted!("bad_pss_parameters"),
                    CryptoError::UnsupportedKey { .. } => untrusted!("unsupported_key"),
                    CryptoError::KeyAlgorithmMismatch { .. } => {
                        untrusted!("key_algorithm_mismatch")
                    }
                    CryptoError::RsaKeyTooSmall { .. } => untrusted!("rsa_key_too_small"),
                    CryptoError::Sha1Disallowed => untrusted!("sha1_disallowed"),
                    CryptoError::MalformedKey => untrusted!("malformed_key"),
                    CryptoError::MalformedSignature => untrusted!("malformed_signature"),
                    CryptoError::BadSignature => untrusted!("bad_signature"),
                }
            }
            ChainError::CaRequired { .. } => untrusted!("ca_required"),
            ChainError::PathLenExceeded { .. } => untrusted!("path_len_exceeded"),
            ChainError::KeyUsage { .. } => untrusted!("key_usage"),
            ChainError::EkuMismatch { .. } => untrusted!("eku_mismatch"),
            ChainError::UnknownCriticalExtension { .. } => {
                untrusted!("unknown_critical_extension")
            }
            ChainError::NameConstraintViolation { .. } => untrusted!("name_constraint_violation"),
            ChainError::Revoked { .. } => untrusted!("revoked"),
            ChainError::CrlMissing { .. } => untrusted!("crl_missing"),
            ChainError::CrlInvalid { .. } => untrusted!("crl_invalid"),
            ChainError::PathTooDeep { .. } => untrusted!("path_too_deep"),
            ChainError::ProfileViolation { .. } => untrusted!("profile_violation"),
            ChainError::SignatureBudgetExceeded(_) => untrusted!("signature_budget_exceeded"),
            ChainError::BuildBudgetExceeded(_) => untrusted!("build_budget_exceeded"),
            ChainError::NameConstraintBudgetExceeded(_) => {
                untrusted!("name_constraint_budget_exceeded")
            }
        }
    }

    /// The certificate concerned, if the error is about one.
    pub fn certificate(&self) -> Option<&CertRef> {
        match self {
            ChainError::Malformed { cert, .. }
            | ChainError::Expired { cert, .. }
            | ChainError::NotYetValid { cert, .. }
            | ChainError::UnknownIssuer { cert, .. }
            | ChainError::Signature { cert, .. }
            | ChainError::CaRequired { cert }
            | ChainError::PathLenExceeded { cert, .. }
            | ChainError::KeyUsage { cert, .. }
            | ChainError::EkuMismatch { cert, .. }
            | ChainError::UnknownCriticalExtension { cert, .. }
            | ChainError::NameConstraintViolation { cert, .. }
            | ChainError::Revoked { cert, .. }
            | ChainError::CrlMissing { cert, .. }
            | ChainError::CrlInvalid { cert, .. }
            | ChainError::PathTooDeep { cert, .. }
            | ChainError::KeyRefused { cert, .. }
            | ChainError::ProfileViolation { cert, .. } => Some(cert),
            ChainError::NoCertificate
            | ChainError::TooManyCertificates { .. }
            | ChainError::SignatureBudgetExceeded(_)
            | ChainError::BuildBudgetExceeded(_)
            | ChainError::NameConstraintBudgetExceeded(_) => None,
        }
    }

    /// Index in the presented list of the certificate concerned (`None` for anchors, configured
    /// intermediates, and errors about no single certificate).
    pub fn certificate_index(&self) -> Option<usize> {
        match self.certificate()?.position {
            CertPosition::Presented(i) => Some(i),
            CertPosition::ConfiguredIntermediate(_) | CertPosition::Anchor(_) => None,
        }
    }

    /// Budget exhaustion ends path building at once: trying other candidates would only spend more.
    pub(crate) fn is_fatal(&self) -> bool {
        matches!(
            self,
            ChainError::SignatureBudgetExceeded(_)
                | ChainError::BuildBudgetExceeded(_)
                | ChainError::NameConstraintBudgetExceeded(_)
        )
    }

    /// How specific the error is, for choosing among the failures of several candidate paths
    /// and between the two CA sets (as rustls-webpki ranks its errors): a path that got further
    /// says more than "no issuer". The whole-path findings (revocation, name constraints, CRL
    /// status) come from a path that reached an anchor with every link valid, so they outrank
    /// what failed an alternative path on the way, such as the expiry of a stale copy of the
    /// same CA: the operator must read "revoked", not "expired".
    ///
    /// The one ranking of chain errors: path building and the managed / self-managed choice
    /// both use it. The match is exhaustive, so a new variant must be ranked to compile.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            // No path at all: nothing matched the issuer name.
            ChainError::UnknownIssuer { .. } => 0,
            // Issuers were found, but no path to an anchor fits within the depth limit.
            ChainError::PathTooDeep { .. } => 1,
            // A link was found and its signature (or algorithm, or key) refused.
            ChainError::Signature { .. } => 2,
            // A link verified and a per-certificate rule failed, or the input or the budget
            // ended the search.
            ChainError::NoCertificate
            | ChainError::TooManyCertificates { .. }
            | ChainError::Malformed { .. }
            | ChainError::Expired { .. }
            | ChainError::NotYetValid { .. }
            | ChainError::CaRequired { .. }
            | ChainError::PathLenExceeded { .. }
            | ChainError::KeyUsage { .. }
            | ChainError::EkuMismatch { .. }
            | ChainError::UnknownCriticalExtension { .. }
            | ChainError::ProfileViolation { .. }
            | ChainError::KeyRefused { .. }
            | ChainError::SignatureBudgetExceeded(_)
            | ChainError::BuildBudgetExceeded(_)
            | ChainError::NameConstraintBudgetExceeded(_) => 3,
            // A whole path reached an anchor with every link valid.
            ChainError::Revoked { .. }
            | ChainError::NameConstraintViolation { .. }
            | ChainError::CrlInvalid { .. }
            | ChainError::CrlMissing { .. } => 4,
        }
    }
}

/// A `ChainVerifier` could not be built from its configuration (fail closed: nothing is skipped).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A configured intermediate does not parse.
    #[error("configured intermediate #{index} (0-based) cannot be read: {source}")]
    Intermediate {
        /// 0-based index among the configured intermediates.
        index: usize,
        /// Why.
        source: CertError,
    },
    /// A configured CRL does not parse.
    #[error("configured CRL #{index} (0-based) cannot be read: {source}")]
    Crl {
        /// 0-based index among the configured CRLs.
        index: usize,
        /// Why.
        source: CertError,
    },
}

impl ConfigError {
    /// A stable machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            ConfigError::Intermediate { .. } => "bad_intermediate",
            ConfigError::Crl { .. } => "bad_crl",
        }
    }
}
