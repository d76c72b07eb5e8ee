//! The RFC 5280 §6.1 checks, by certificate role (leaf, issuer, anchor), and the whole-path
//! checks that need the complete path (name constraints, revocation).
//!
//! | rule | leaf | intermediate | anchor | source |
//! |---|---|---|---|---|
//! | validity, bounds inclusive | yes | yes | yes | §6.1.3 (a)(2) |
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

use super::build::{Ctx, Node};
use super::crl::{Crl, reasons};
use super::name_constraints;
use super::{ChainVerifier, names};
use crate::cert::{ext_oid, key_usage};
use crate::crypto::{SpkiRef, check_key};
use crate::error::{ChainError, CryptoError};
use crate::timestamp::Timestamp;

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

/// anyExtendedKeyUsage, 2.5.29.37.0.
const ANY_EKU: &[u8] = &[0x55, 0x1D, 0x25, 0x00];

fn check_validity(node: &Node<'_>, now: i64) -> Result<(), ChainError> {
    let c = &node.cert;
    if now < c.not_before() {
        return Err(ChainError::NotYetValid {
            cert: node.cref(),
            not_before: Timestamp::from_unix_seconds(c.not_before()),
            now: Timestamp::from_unix_seconds(now),
        });
    }
    if now > c.not_after() {
        return Err(ChainError::Expired {
            cert: node.cref(),
            not_after: Timestamp::from_unix_seconds(c.not_after()),
            now: Timestamp::from_unix_seconds(now),
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

fn profile(node: &Node<'_>, rule: &'static str) -> ChainError {
    ChainError::ProfileViolation {
        cert: node.cref(),
        rule,
    }
}

/// Checks that depend only on the leaf.
pub(super) fn check_leaf(v: &ChainVerifier, leaf: &Node<'_>, now: i64) -> Result<(), ChainError> {
    check_validity(leaf, now)?;
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
        .any(|e| e.oid == ext_oid::AUTHORITY_KEY_ID)
    {
        return Err(profile(
            leaf,
            "authorityKeyIdentifier is required in certificates issued by a CA (RFC 5280 §4.2.1.1)",
        ));
    }
    if names::is_empty_name(c.subject_der()) {
        let san_critical = c
            .extensions()
            .iter()
            .any(|e| e.oid == ext_oid::SUBJECT_ALT_NAME && e.critical);
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
    ctx: &Ctx<'_>,
    issuer: &Node<'_>,
    below: &[&Node<'_>],
    is_anchor: bool,
) -> Result<(), ChainError> {
    check_validity(issuer, ctx.now)?;
    check_critical(issuer)?;
    // §6.1.4 (k): v1/v2 intermediates cannot assert cA and are refused. (v1 anchors were
    // accepted on load.)
    if !is_anchor && !issuer.cert.is_ca() {
        return Err(ChainError::CaRequired {
            cert: issuer.cref(),
        });
    }
    if names::is_empty_name(issuer.cert.subject_der()) {
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
        && !issuer.self_issued
        && !issuer
            .cert
            .extensions()
            .iter()
            .any(|e| e.oid == ext_oid::AUTHORITY_KEY_ID)
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
        && !ekus.contains(&ANY_EKU)
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
        // §6.1.4 (l): self-issued intermediates do not count; the leaf never does.
        let found = below.iter().skip(1).filter(|n| !n.self_issued).count();
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
    pool: &[Node<'_>],
) -> Result<(), ChainError> {
    let mut chain: Vec<&Node<'_>> = below.to_vec();
    chain.push(anchor);
    for (k, ca) in chain.iter().enumerate().skip(1) {
        let Some(nc) = &ca.cert.name_constraints else {
            continue;
        };
        for (j, sub) in chain.iter().enumerate().take(k) {
            // §6.1.3 (b): self-issued certificates other than the leaf are not checked.
            if j != 0 && sub.self_issued {
                continue;
            }
            if let Some((name, reason)) =
                name_constraints::check(&mut ctx.budget, &mut ctx.names, nc, &sub.cert)?
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
    if ctx.v.crls.is_empty() && !ctx.v.require_crl {
        return Ok(());
    }
    for j in 0..below.len() {
        check_revocation(ctx, &chain, j, pool)?;
    }
    Ok(())
}

/// RFC 5280 §6.3: revocation status of `chain[j]` from CRLs issued by its issuer `chain[j + 1]`.
///
/// §6.3.3 reason handling: `reasons_mask` starts empty; each CRL in scope for the certificate
/// contributes its interim mask (IDP onlySomeReasons ∩ the matching distribution points'
/// reasons, see `Crl::scope`), and a CRL that adds no new reason is skipped (§6.3.3 (e)). The
/// status is known once the mask holds all reasons. CRLs that list the serial are considered
/// first: §6.3.3 leaves the order of the CRL cache open, and this order keeps "any usable CRL
/// that lists the certificate revokes it", whatever order the CRLs were configured in.
///
/// A CRL that would cover a reason left uncovered but cannot be used (bad signature, expired,
/// …) fails the chain even when CRLs are not required: it was configured, so the status is
/// unknown, and unknown is not "good".
fn check_revocation(
    ctx: &mut Ctx<'_>,
    chain: &[&Node<'_>],
    j: usize,
    pool: &[Node<'_>],
) -> Result<(), ChainError> {
    let (Some(cert), Some(issuer)) = (chain.get(j), chain.get(j + 1)) else {
        return Ok(());
    };
    let v = ctx.v;
    let serial = cert.cert.serial();
    let mut in_scope: Vec<(Crl<'_>, u32)> = Vec::new();
    for (der, crl_issuer) in v.crls.iter() {
        if !ctx.same_der(crl_issuer, issuer.cert.subject_der())? {
            continue;
        }
        let Ok(crl) = Crl::from_der(der) else {
            continue;
        };
        if let Some(interim) = crl.scope(&cert.cert, issuer.cert.subject_der(), &mut ctx.names) {
            in_scope.push((crl, interim));
        }
    }
    in_scope.sort_by_key(|(crl, _)| crl.entry(serial).is_none());

    let mut reasons_mask = 0u32;
    // Unusable CRLs, with the reasons they would have covered (the last one is reported).
    let mut problems: Vec<(&'static str, u32)> = Vec::new();
    for (crl, interim) in &in_scope {
        if reasons_mask == reasons::ALL {
            break;
        }
        // §6.3.3 (e): the CRL must add a reason not yet covered.
        if interim & !reasons_mask == 0 {
            continue;
        }
        let problem = match usable(ctx, crl) {
            Some(r) => Some(r),
            None => crl_signer(ctx, crl, chain, j, pool)?,
        };
        if let Some(r) = problem {
            problems.push((r, *interim));
            continue;
        }
        // §6.3.3 (j)–(k): `entry` skips an entry with reason removeFromCRL (UNREVOKED).
        if let Some(e) = crl.entry(serial) {
            return Err(ChainError::Revoked {
                cert: cert.cref(),
                revoked_at: Timestamp::from_unix_seconds(e.date),
                reason: e.reason.map(reasons::code_name),
            });
        }
        // §6.3.3 (l).
        reasons_mask |= interim;
    }
    let uncovered = reasons::ALL & !reasons_mask;
    if uncovered == 0 {
        return Ok(());
    }
    let issuer_text = || issuer.subject_text();
    if let Some((reason, _)) = problems.iter().rev().find(|(_, m)| m & uncovered != 0) {
        return Err(ChainError::CrlInvalid {
            cert: cert.cref(),
            issuer: issuer_text(),
            reason,
        });
    }
    if ctx.v.require_crl {
        return Err(ChainError::CrlMissing {
            cert: cert.cref(),
            issuer: issuer_text(),
            uncovered: reasons::names(uncovered),
        });
    }
    // Check when present: CRLs covering only some reasons still revoke, and the rest is
    // left unchecked, as when there is no CRL at all.
    Ok(())
}

/// Why a CRL cannot be used regardless of its signer, if it cannot.
fn usable(ctx: &Ctx<'_>, crl: &Crl<'_>) -> Option<&'static str> {
    if crl.unsupported || crl.entries.iter().any(|e| e.unusable) {
        return Some("unsupported");
    }
    if crl.unknown_critical {
        return Some("unknown_critical_extension");
    }
    // §5.2.3: a CRL without a (non-critical) cRLNumber is not a conforming CRL.
    if !crl.has_crl_number {
        return Some("malformed");
    }
    if crl.this_update > ctx.now {
        return Some("not_yet_valid");
    }
    if crl.next_update.is_some_and(|n| n < ctx.now) {
        return Some("expired");
    }
    None
}

/// Finds a key that signed the CRL for `chain[j]` (§6.3.3 (f)): the issuer's own key; another
/// certificate of the same CA on the validated path (key rollover through self-issued
/// certificates, §6.1); or a CRL-signing certificate of the same CA found in the pool and issued by
/// a certificate on the validated path above `chain[j]`, itself valid and not revoked.
/// `Ok(None)` means a signer verified; `Ok(Some(reason))` that none did.
fn crl_signer(
    ctx: &mut Ctx<'_>,
    crl: &Crl<'_>,
    chain: &[&Node<'_>],
    j: usize,
    pool: &[Node<'_>],
) -> Result<Option<&'static str>, ChainError> {
    let mut reason = "no_crl_sign";
    // Path certificates of the same CA, the issuer first.
    for ca in chain.iter().skip(j + 1) {
        if !ctx.same_der(ca.cert.subject_der(), crl.issuer)? {
            continue;
        }
        // §6.3.3 (f): the signer's keyUsage must allow cRLSign.
        if !ca.cert.key_usage_allows(key_usage::CRL_SIGN) {
            continue;
        }
        reason = "bad_signature";
        if ctx
            .verify_signature(
                crl.signature_algorithm,
                crl.tbs,
                crl.signature,
                ca.cert.spki_der(),
            )?
            .is_ok()
        {
            return Ok(None);
        }
    }
    // Separate CRL-signing certificates (PKITS 4.4.19, 4.5.6).
    for signer in pool {
        let c = &signer.cert;
        if !c.key_usage_allows(key_usage::CRL_SIGN)
            || !ctx.same_der(c.subject_der(), crl.issuer)?
            || chain.iter().any(|n| n.cert.der() == c.der())
            || ctx.now < c.not_before()
            || ctx.now > c.not_after()
            || check_critical(signer).is_err()
        {
            continue;
        }
        reason = "bad_signature";
        if ctx
            .verify_signature(
                crl.signature_algorithm,
                crl.tbs,
                crl.signature,
                c.spki_der(),
            )?
            .is_err()
        {
            continue;
        }
        // The signer must be certified by a CA on the validated path at or above the issuer.
        let mut certifier = None;
        for ca in chain.iter().skip(j + 1) {
            if ca.cert.key_usage_allows(key_usage::KEY_CERT_SIGN)
                && ctx.same(ca.subject, signer.issuer)?
                && ctx
                    .verify_signature(
                        c.signature_algorithm,
                        c.tbs,
                        c.signature,
                        ca.cert.spki_der(),
                    )?
                    .is_ok()
            {
                certifier = Some(*ca);
                break;
            }
        }
        let Some(certifier) = certifier else {
            reason = "crl_signer_unverified";
            continue;
        };
        match signer_status(ctx, signer, certifier)? {
            Some(r) => reason = r,
            None => return Ok(None),
        }
    }
    Ok(Some(reason))
}

/// Revocation status of a separate CRL signer, from CRLs its certifier signed with its own key
/// (one level only: no further alternate signers).
fn signer_status(
    ctx: &mut Ctx<'_>,
    signer: &Node<'_>,
    certifier: &Node<'_>,
) -> Result<Option<&'static str>, ChainError> {
    let mut reasons_mask = 0u32;
    let v = ctx.v;
    for (der, crl_issuer) in v.crls.iter() {
        if !ctx.same_der(crl_issuer, certifier.cert.subject_der())? {
            continue;
        }
        let Ok(crl) = Crl::from_der(der) else {
            continue;
        };
        let Some(interim) = crl.scope(&signer.cert, certifier.cert.subject_der(), &mut ctx.names)
        else {
            continue;
        };
        if usable(ctx, &crl).is_some() || !certifier.cert.key_usage_allows(key_usage::CRL_SIGN) {
            continue;
        }
        if ctx
            .verify_signature(
                crl.signature_algorithm,
                crl.tbs,
                crl.signature,
                certifier.cert.spki_der(),
            )?
            .is_err()
        {
            continue;
        }
        if crl.entry(signer.cert.serial()).is_some() {
            return Ok(Some("crl_signer_revoked"));
        }
        reasons_mask |= interim;
    }
    // §6.3.3: the signer's status is known only when its CRLs cover every reason.
    if reasons_mask != reasons::ALL && ctx.v.require_crl {
        return Ok(Some("crl_signer_status_unknown"));
    }
    Ok(None)
}
