//! The RFC 5280 §6.1 checks, by certificate role (leaf, issuer, anchor), and the whole-path
//! checks that need the complete path (name constraints; revocation lives in `revocation`).
//!
//! | rule | leaf | intermediate | anchor | source |
//! |---|---|---|---|---|
//! | validity, bounds inclusive (± the clock-skew leeway) | yes | yes | yes | §6.1.3 (a)(2) |
//! | unknown critical extension refused | yes | yes | yes | §4.2 |
//! | basicConstraints cA | – | required | on load (v1 self-issued allowed) | §6.1.4 (k) |
//! | basicConstraints critical | – | no (PKITS 4.6.4) | on load | §4.2.1.9 |
//! | pathLenConstraint, self-issued not counted | – | yes | yes | §6.1.4 (l)–(m) |
//! | keyUsage keyCertSign (when present) | – | yes | yes | §6.1.4 (n) |
//! | keyUsage digitalSignature (when present) | yes | – | – | §4.2.1.3 (client auth signs) |
//! | keyCertSign only with cA; nameConstraints only in CAs | yes | – | – | §4.2.1.3, §4.2.1.10 |
//! | extKeyUsage has the purpose (when present) | yes | yes (or anyEKU) | – | §4.2.1.12 |
//! | v3 only | yes | (needs cA) | – | §4.1.2.1 |
//! | empty subject needs a critical SAN | yes | – | – | §4.2.1.6 |
//! | non-empty subject | – | yes | yes | §4.1.2.6 |
//! | subjectKeyIdentifier present | – | yes | yes (v3) | §4.2.1.2 |
//! | authorityKeyIdentifier present | yes | unless self-issued | – | §4.2.1.1 |
//! | RSA key at least 2048 bits | yes | yes (as signer) | yes (as signer) | crate policy |
//! | name constraints | checked | checked unless self-issued | source | §6.1.3 (b)–(c) |
//! | CRL from the issuer | yes | yes | – | §6.3 |

use super::{Ctx, Node, Within, name_constraints};
use crate::cert::key_usage;
use crate::crypto::{SpkiRef, check_key};
use crate::error::{ChainError, CryptoError};
use crate::oid;
use crate::time::Timestamp;

/// Extensions this verifier processes (or, for certificatePolicies, may safely ignore: with the
/// initial policy set anyPolicy and no explicit-policy requirement, certificatePolicies alone
/// never changes the verdict; policyConstraints, policyMappings and inhibitAnyPolicy can, so
/// they stay unknown and are refused when critical).
const KNOWN_EXTENSIONS: &[&[u8]] = &[
    oid::BASIC_CONSTRAINTS,
    oid::KEY_USAGE,
    oid::EXT_KEY_USAGE,
    oid::SUBJECT_ALT_NAME,
    oid::ISSUER_ALT_NAME,
    oid::NAME_CONSTRAINTS,
    oid::AUTHORITY_KEY_ID,
    oid::SUBJECT_KEY_ID,
    oid::CRL_DISTRIBUTION_POINTS,
    oid::CERTIFICATE_POLICIES,
];

/// §6.1.3 (a)(2): the validation time is within [notBefore, notAfter], both widened by the
/// verifier's clock-skew leeway.
fn check_validity(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ChainError> {
    let c = &node.cert;
    let now = Timestamp::from_unix_seconds(ctx.now);
    match ctx.within(
        c.not_before().unix_seconds(),
        Some(c.not_after().unix_seconds()),
    ) {
        Within::Inside => Ok(()),
        Within::Before => Err(ChainError::NotYetValid {
            cert: node.cref(),
            not_before: c.not_before(),
            now,
        }),
        Within::After => Err(ChainError::Expired {
            cert: node.cref(),
            not_after: c.not_after(),
            now,
        }),
    }
}

pub(super) fn check_critical(node: &Node<'_>) -> Result<(), ChainError> {
    match node
        .cert
        .extensions()
        .iter()
        .find(|e| e.critical && !KNOWN_EXTENSIONS.contains(&e.oid))
    {
        Some(e) => Err(ChainError::UnknownCriticalExtension {
            cert: node.cref(),
            oid: oid::to_dotted(e.oid),
        }),
        None => Ok(()),
    }
}

fn profile(node: &Node<'_>, rule: &'static str) -> ChainError {
    ChainError::ProfileViolation {
        cert: node.cref(),
        rule,
    }
}

/// Checks that depend only on the leaf.
pub(super) fn check_leaf(ctx: &mut Ctx<'_>, leaf: &Node<'_>) -> Result<(), ChainError> {
    check_validity(ctx, leaf)?;
    let v = ctx.v;
    check_critical(leaf)?;
    let c = &leaf.cert;
    if c.version() != 3 {
        return Err(profile(
            leaf,
            "only X.509 v3 client certificates are accepted (RFC 5280 §4.1.2.1; CA/B BR 7.1.1)",
        ));
    }
    if !c.is_ca() && c.name_constraints.is_some() {
        return Err(profile(
            leaf,
            "nameConstraints may appear only in CA certificates (RFC 5280 §4.2.1.10)",
        ));
    }
    if !c.is_ca()
        && c.key_usage
            .is_some_and(|k| k & key_usage::KEY_CERT_SIGN != 0)
    {
        return Err(profile(
            leaf,
            "keyCertSign is asserted without basicConstraints cA (RFC 5280 §4.2.1.3)",
        ));
    }
    if !c
        .extensions()
        .iter()
        .any(|e| e.oid == oid::AUTHORITY_KEY_ID)
    {
        return Err(profile(
            leaf,
            "authorityKeyIdentifier is required in certificates issued by a CA (RFC 5280 §4.2.1.1)",
        ));
    }
    if c.subject_name().is_empty() {
        let san_critical = c
            .extensions()
            .iter()
            .any(|e| e.oid == oid::SUBJECT_ALT_NAME && e.critical);
        if !san_critical {
            return Err(profile(
                leaf,
                "an empty subject requires a critical subjectAltName (RFC 5280 §4.2.1.6)",
            ));
        }
    }
    // The client proves possession of its key by signing the TLS handshake.
    if !leaf.cert.key_usage_allows(key_usage::DIGITAL_SIGNATURE) {
        return Err(ChainError::KeyUsage {
            cert: leaf.cref(),
            required: "digitalSignature",
        });
    }
    if let (Some((oid, name)), Some(ekus)) = (v.eku.oid(), &leaf.cert.ext_key_usage)
        && !ekus.contains(&oid)
    {
        return Err(ChainError::EkuMismatch {
            cert: leaf.cref(),
            required: name.to_string(),
        });
    }
    // A key the crate would refuse as an issuer key is refused as a client key too, with the
    // same error: too small, not whole octets, or malformed (an RSA exponent of 1). A key type
    // the crate does not verify with is left to the TLS layer, which checks the handshake
    // signature.
    let refused = |source| ChainError::KeyRefused {
        cert: leaf.cref(),
        source,
    };
    match SpkiRef::from_der(leaf.cert.spki_der()) {
        Ok(spki) => check_key(&spki).map_err(refused),
        Err(CryptoError::UnsupportedKey { .. }) => Ok(()),
        Err(e) => Err(refused(e)),
    }
}

/// Checks that `issuer` may issue the certificate at the top of `below` (leaf first).
pub(super) fn check_issuer(
    ctx: &mut Ctx<'_>,
    issuer: &Node<'_>,
    below: &[&Node<'_>],
    is_anchor: bool,
) -> Result<(), ChainError> {
    check_validity(ctx, issuer)?;
    check_critical(issuer)?;
    // §6.1.4 (k): v1/v2 intermediates cannot assert cA and are refused. (v1 anchors were
    // accepted on load.)
    if !is_anchor && !issuer.cert.is_ca() {
        return Err(ChainError::CaRequired {
            cert: issuer.cref(),
        });
    }
    if issuer.subject().is_empty() {
        return Err(profile(
            issuer,
            "a CA's subject must not be empty (RFC 5280 §4.1.2.6)",
        ));
    }
    // §4.2.1.2: subjectKeyIdentifier MUST appear in CA certificates (v1 anchors cannot carry it).
    if issuer.cert.version() == 3 && issuer.cert.subject_key_id.is_none() {
        return Err(profile(
            issuer,
            "a CA certificate must carry subjectKeyIdentifier (RFC 5280 §4.2.1.2)",
        ));
    }
    // §4.2.1.1: authorityKeyIdentifier MUST appear except in self-signed certificates.
    if !is_anchor
        && !issuer
            .cert
            .extensions()
            .iter()
            .any(|e| e.oid == oid::AUTHORITY_KEY_ID)
        && !issuer.self_issued()
    {
        return Err(profile(
            issuer,
            "authorityKeyIdentifier is required in certificates issued by a CA (RFC 5280 §4.2.1.1)",
        ));
    }
    // EKU in a CA certificate restricts what it may issue for (the rule of Mozilla, rustls-webpki
    // and pyca): the required purpose or anyExtendedKeyUsage must be listed when EKU is present.
    if !is_anchor
        && let (Some((oid, name)), Some(ekus)) = (ctx.v.eku.oid(), &issuer.cert.ext_key_usage)
        && !ekus.contains(&oid)
        && !ekus.contains(&oid::ANY_EXTENDED_KEY_USAGE)
    {
        return Err(ChainError::EkuMismatch {
            cert: issuer.cref(),
            required: name.to_string(),
        });
    }
    if !issuer.cert.key_usage_allows(key_usage::KEY_CERT_SIGN) {
        return Err(ChainError::KeyUsage {
            cert: issuer.cref(),
            required: "keyCertSign",
        });
    }
    if let Some(path_len) = issuer.cert.basic_constraints().and_then(|b| b.path_len) {
        // §6.1.4 (l): self-issued intermediates do not count; the leaf never does. (Asked only
        // when counting them all would exceed the constraint.)
        let at_most = below.len().saturating_sub(1);
        let found = || below.iter().skip(1).filter(|n| !n.self_issued()).count();
        if at_most > path_len as usize && found() > path_len as usize {
            let found = found();
            return Err(ChainError::PathLenExceeded {
                cert: issuer.cref(),
                path_len,
                found,
            });
        }
    }
    Ok(())
}

/// Name constraints over the whole path (`chain`: leaf first, anchor last), once an anchor is
/// reached (§6.1.3 (b)–(c)).
pub(super) fn check_name_constraints(
    ctx: &mut Ctx<'_>,
    chain: &[&Node<'_>],
) -> Result<(), ChainError> {
    for (k, ca) in chain.iter().enumerate().skip(1) {
        let Some(nc) = &ca.cert.name_constraints else {
            continue;
        };
        for (j, sub) in chain.iter().enumerate().take(k) {
            // §6.1.3 (b): self-issued certificates other than the leaf are not checked.
            if j != 0 && sub.self_issued() {
                continue;
            }
            if let Some((name, reason)) =
                name_constraints::check(&mut ctx.budget, &ca.cert, nc, &sub.cert)?
            {
                return Err(ChainError::NameConstraintViolation {
                    cert: sub.cref(),
                    constrained_by: ca.cref(),
                    name,
                    reason,
                });
            }
        }
    }
    Ok(())
}
