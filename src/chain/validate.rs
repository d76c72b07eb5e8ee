//! The RFC 5280 §6.1 checks, by certificate role (leaf, issuer, anchor), and the whole-path
//! checks that need the complete path (name constraints, revocation).
//!
//! | rule | leaf | intermediate | anchor | source |
//! |---|---|---|---|---|
//! | validity, bounds inclusive | yes | yes | yes | §6.1.3 (a)(2) |
//! | unknown critical extension refused | yes | yes | no (operator's choice) | §4.2 |
//! | basicConstraints cA | – | required | checked on load | §6.1.4 (k) |
//! | pathLenConstraint | – | yes | yes | §6.1.4 (l)–(m) |
//! | keyUsage keyCertSign (when present) | – | yes | yes | §6.1.4 (n) |
//! | keyUsage digitalSignature (when present) | yes | – | – | §4.2.1.3 (TLS client auth signs) |
//! | extKeyUsage has the required purpose (when present) | yes | – | – | §4.2.1.12 |
//! | name constraints | checked | checked unless self-issued | source | §6.1.3 (b)–(c) |
//! | CRL from the issuer | yes | yes | – | §6.3 |

use super::build::{Ctx, Node};
use super::crl::Crl;
use super::name_constraints;
use super::{Verifier, names};
use crate::cert::{Certificate, ext_oid, key_usage};
use crate::crypto::{KeyKind, SpkiRef};
use crate::error::{ChainError, CryptoError};

/// Extensions this verifier processes (or, for certificatePolicies, may safely ignore: with the
/// initial policy set anyPolicy and no explicit-policy requirement, certificatePolicies alone
/// never changes the verdict; policyConstraints, policyMappings and inhibitAnyPolicy can, so
/// they stay unknown and are refused when critical).
const KNOWN_EXTENSIONS: &[&[u8]] = &[
    ext_oid::BASIC_CONSTRAINTS,
    ext_oid::KEY_USAGE,
    ext_oid::EXT_KEY_USAGE,
    ext_oid::SUBJECT_ALT_NAME,
    ext_oid::ISSUER_ALT_NAME,
    ext_oid::NAME_CONSTRAINTS,
    ext_oid::AUTHORITY_KEY_ID,
    ext_oid::SUBJECT_KEY_ID,
    ext_oid::CRL_DISTRIBUTION_POINTS,
    ext_oid::CERTIFICATE_POLICIES,
];

fn check_validity(node: &Node<'_>, now: i64) -> Result<(), ChainError> {
    let c = &node.cert;
    if now < c.not_before() {
        return Err(ChainError::NotYetValid {
            cert: node.cref(),
            not_before: c.not_before(),
            now,
        });
    }
    if now > c.not_after() {
        return Err(ChainError::Expired {
            cert: node.cref(),
            not_after: c.not_after(),
            now,
        });
    }
    Ok(())
}

fn check_critical(node: &Node<'_>) -> Result<(), ChainError> {
    match node
        .cert
        .extensions()
        .iter()
        .find(|e| e.critical && !KNOWN_EXTENSIONS.contains(&e.oid))
    {
        Some(e) => Err(ChainError::UnknownCriticalExtension {
            cert: node.cref(),
            oid: crate::cert::oid_to_string(e.oid),
        }),
        None => Ok(()),
    }
}

/// Checks that depend only on the leaf.
pub(super) fn check_leaf(v: &Verifier, leaf: &Node<'_>, now: i64) -> Result<(), ChainError> {
    check_validity(leaf, now)?;
    check_critical(leaf)?;
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
    // A key the crate would refuse as an issuer key is refused as a client key too.
    if let Ok(SpkiRef {
        kind: KeyKind::Rsa { bits },
        ..
    }) = SpkiRef::from_der(leaf.cert.spki_der())
        && bits < 2048
    {
        return Err(ChainError::KeyRefused {
            cert: leaf.cref(),
            source: CryptoError::RsaKeyTooSmall { bits },
        });
    }
    Ok(())
}

/// Checks that `issuer` may issue the certificate at the top of `below` (leaf first).
pub(super) fn check_issuer(
    ctx: &Ctx<'_>,
    issuer: &Node<'_>,
    below: &[&Node<'_>],
    is_anchor: bool,
) -> Result<(), ChainError> {
    check_validity(issuer, ctx.now)?;
    if !is_anchor {
        check_critical(issuer)?;
        // §6.1.4 (k): v1/v2 intermediates cannot assert cA and are refused.
        if !issuer.cert.is_ca() {
            return Err(ChainError::CaRequired {
                cert: issuer.cref(),
            });
        }
    }
    if !issuer.cert.key_usage_allows(key_usage::KEY_CERT_SIGN) {
        return Err(ChainError::KeyUsage {
            cert: issuer.cref(),
            required: "keyCertSign",
        });
    }
    if let Some(path_len) = issuer.cert.basic_constraints().and_then(|b| b.path_len) {
        // §6.1.4 (l): self-issued intermediates do not count; the leaf never does.
        let found = below
            .iter()
            .skip(1)
            .filter(|n| !n.cert.is_self_issued())
            .count();
        if found > path_len as usize {
            return Err(ChainError::PathLenExceeded {
                cert: issuer.cref(),
                path_len,
                found,
            });
        }
    }
    Ok(())
}

/// Whole-path checks once an anchor is reached: name constraints, then revocation.
pub(super) fn finish(
    ctx: &mut Ctx<'_>,
    below: &[&Node<'_>],
    anchor: &Node<'_>,
) -> Result<(), ChainError> {
    let mut chain: Vec<&Node<'_>> = below.to_vec();
    chain.push(anchor);
    for (k, ca) in chain.iter().enumerate().skip(1) {
        let Some(nc) = &ca.cert.name_constraints else {
            continue;
        };
        for (j, sub) in chain.iter().enumerate().take(k) {
            // §6.1.3 (b): self-issued certificates other than the leaf are not checked.
            if j != 0 && sub.cert.is_self_issued() {
                continue;
            }
            if let Some((name, reason)) = name_constraints::check(&mut ctx.budget, nc, &sub.cert)? {
                return Err(ChainError::NameConstraintViolation {
                    cert: sub.cref(),
                    constrained_by: ca.cref(),
                    name,
                    reason,
                });
            }
        }
    }
    if ctx.v.crls.is_empty() && !ctx.v.require_crl {
        return Ok(());
    }
    for pair in chain.windows(2) {
        if let [cert, issuer] = pair {
            check_revocation(ctx, cert, issuer)?;
        }
    }
    Ok(())
}

/// RFC 5280 §6.3: revocation status of `cert` from CRLs issued by `issuer`.
///
/// A CRL from the issuer that covers the certificate but cannot be used (bad signature, expired,
/// …) fails the chain even when CRLs are not required: it was configured, so the status is
/// unknown, and unknown is not "good".
fn check_revocation(
    ctx: &mut Ctx<'_>,
    cert: &Node<'_>,
    issuer: &Node<'_>,
) -> Result<(), ChainError> {
    let crls = &ctx.v.crls;
    let mut covered = false;
    let mut problem: Option<&'static str> = None;
    let mut revoked: Option<i64> = None;
    for der in crls.iter() {
        let Ok(crl) = Crl::from_der(der) else {
            continue;
        };
        if !names::same_name(crl.issuer, issuer.cert.subject_der()) {
            continue;
        }
        if !crl.covers(&cert.cert, issuer.cert.subject_der()) {
            continue;
        }
        let reason = usable(ctx, &crl, &issuer.cert)?;
        if let Some(r) = reason {
            problem = Some(r);
            continue;
        }
        covered = true;
        if let Some(e) = crl.entry(cert.cert.serial()) {
            revoked = Some(e.date);
        }
    }
    if let Some(revoked_at) = revoked {
        return Err(ChainError::Revoked {
            cert: cert.cref(),
            revoked_at,
        });
    }
    if covered {
        return Ok(());
    }
    let issuer_text = || names::subject_text(issuer.cert.subject_der());
    match problem {
        Some(reason) => Err(ChainError::CrlInvalid {
            cert: cert.cref(),
            issuer: issuer_text(),
            reason,
        }),
        None if ctx.v.require_crl => Err(ChainError::CrlMissing {
            cert: cert.cref(),
            issuer: issuer_text(),
        }),
        None => Ok(()),
    }
}

/// Why a CRL cannot be used, if it cannot (outer `Err`: budget exhausted).
fn usable(
    ctx: &mut Ctx<'_>,
    crl: &Crl<'_>,
    issuer: &Certificate<'_>,
) -> Result<Option<&'static str>, ChainError> {
    if crl.unsupported || crl.entries.iter().any(|e| e.unusable) {
        return Ok(Some("unsupported"));
    }
    if crl.unknown_critical {
        return Ok(Some("unknown_critical_extension"));
    }
    // §6.3.3 (f): the CRL signer's keyUsage must allow cRLSign.
    if !issuer.key_usage_allows(key_usage::CRL_SIGN) {
        return Ok(Some("no_crl_sign"));
    }
    if crl.this_update > ctx.now {
        return Ok(Some("not_yet_valid"));
    }
    if crl.next_update.is_some_and(|n| n < ctx.now) {
        return Ok(Some("expired"));
    }
    if ctx
        .verify_signature(
            crl.signature_algorithm,
            crl.tbs,
            crl.signature,
            issuer.spki_der(),
        )?
        .is_err()
    {
        return Ok(Some("bad_signature"));
    }
    Ok(None)
}
