//! Revocation (RFC 5280 §6.3): the status of each certificate of a validated path from the
//! configured CRLs of its issuer, found through the verifier's index of CRLs by issuer name.

use super::crl::{Crl, reasons};
use super::validate::check_critical;
use super::{Ctx, Node, Pool, Within};
use crate::cert::key_usage;
use crate::error::{CertPosition, ChainError};
use crate::time::Timestamp;

/// RFC 5280 §6.3 for every certificate of a path (`chain`: leaf first, anchor last) below
/// the anchor except the leaf (`chain[1..]`); [`check_leaf`] is the leaf's part, so the two
/// together check the whole path. Nothing to do when no CRL is configured or required.
pub(super) fn check_above_leaf(
    ctx: &mut Ctx<'_>,
    chain: &[&Node<'_>],
    pool: &Pool<'_, '_>,
) -> Result<(), ChainError> {
    if ctx.v.configured.crls.is_empty() && !ctx.v.require_crl {
        return Ok(());
    }
    for j in 1..chain.len().saturating_sub(1) {
        check(ctx, chain, j, pool)?;
    }
    Ok(())
}

/// RFC 5280 §6.3 for the leaf (`chain[0]`) alone, the rest of the path being known good.
pub(super) fn check_leaf(
    ctx: &mut Ctx<'_>,
    chain: &[&Node<'_>],
    pool: &Pool<'_, '_>,
) -> Result<(), ChainError> {
    if ctx.v.configured.crls.is_empty() && !ctx.v.require_crl {
        return Ok(());
    }
    check(ctx, chain, 0, pool)
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
fn check(
    ctx: &mut Ctx<'_>,
    chain: &[&Node<'_>],
    j: usize,
    pool: &Pool<'_, '_>,
) -> Result<(), ChainError> {
    let (Some(cert), Some(issuer)) = (chain.get(j), chain.get(j + 1)) else {
        return Ok(());
    };
    let configured = ctx.configured();
    let serial = cert.cert.serial();
    let mut in_scope: Vec<(&Crl, u32)> = Vec::new();
    let found = ctx.find(
        &configured.crls_by_issuer,
        configured.crls.len(),
        issuer.subject(),
    )?;
    for crl in found.into_iter().filter_map(|i| configured.crls.get(i)) {
        if let Some(interim) = crl.scope(&cert.cert, issuer.cert.subject_der(), &ctx.v.limits) {
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

/// Why a CRL cannot be used regardless of its signer, if it cannot. thisUpdate and nextUpdate
/// are widened by the verifier's clock-skew leeway, as certificate validity is.
fn usable(ctx: &mut Ctx<'_>, crl: &Crl) -> Option<&'static str> {
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
    match ctx.within(crl.this_update, crl.next_update) {
        Within::Inside => None,
        Within::Before => Some("not_yet_valid"),
        Within::After => Some("expired"),
    }
}

/// Finds a key that signed the CRL for `chain[j]` (§6.3.3 (f)): the issuer's own key; another
/// certificate of the same CA on the validated path (key rollover through self-issued
/// certificates, §6.1); or a CRL-signing certificate of the same CA found in the pool and issued by
/// a certificate on the validated path above `chain[j]`, itself valid and not revoked.
/// `Ok(None)` means a signer verified; `Ok(Some(reason))` that none did.
fn crl_signer(
    ctx: &mut Ctx<'_>,
    crl: &Crl,
    chain: &[&Node<'_>],
    j: usize,
    pool: &Pool<'_, '_>,
) -> Result<Option<&'static str>, ChainError> {
    let mut reason = "no_crl_sign";
    let crl_issuer = crl.issuer();
    // Path certificates of the same CA, the issuer first.
    for ca in chain.iter().skip(j + 1) {
        if !ctx.same(ca.subject(), &crl_issuer)? {
            continue;
        }
        // §6.3.3 (f): the signer's keyUsage must allow cRLSign.
        if !ca.cert.key_usage_allows(key_usage::CRL_SIGN) {
            continue;
        }
        reason = "bad_signature";
        if crl_signed_by(ctx, crl, ca.cert.spki_der())? {
            return Ok(None);
        }
    }
    // Separate CRL-signing certificates (PKITS 4.4.19, 4.5.6): presented ones, then
    // configured intermediates found by name.
    let configured = ctx.configured();
    let mut signers: Vec<&Node<'_>> = Vec::new();
    for signer in pool.presented() {
        if signer.cert.key_usage_allows(key_usage::CRL_SIGN)
            && ctx.same(signer.subject(), &crl_issuer)?
        {
            signers.push(signer);
        }
    }
    let found = ctx.find(
        &configured.intermediates_by_subject,
        configured.intermediates.len(),
        &crl_issuer,
    )?;
    let configured_signers: Vec<Node<'_>> = found
        .into_iter()
        .filter_map(|i| {
            let cert = configured.intermediates.get(i)?.view();
            cert.key_usage_allows(key_usage::CRL_SIGN)
                .then(|| Node::new(cert, CertPosition::ConfiguredIntermediate(i)))
        })
        .collect();
    signers.extend(&configured_signers);
    for signer in signers {
        let c = &signer.cert;
        if chain.iter().any(|n| n.cert.der() == c.der())
            || ctx.within(
                c.not_before().unix_seconds(),
                Some(c.not_after().unix_seconds()),
            ) != Within::Inside
            || check_critical(signer).is_err()
        {
            continue;
        }
        reason = "bad_signature";
        if !crl_signed_by(ctx, crl, c.spki_der())? {
            continue;
        }
        // The signer must be certified by a CA on the validated path at or above the issuer.
        let mut certifier = None;
        for ca in chain.iter().skip(j + 1) {
            if ca.cert.key_usage_allows(key_usage::KEY_CERT_SIGN)
                && ctx.same(ca.subject(), signer.issuer())?
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
    let configured = ctx.configured();
    let found = ctx.find(
        &configured.crls_by_issuer,
        configured.crls.len(),
        certifier.subject(),
    )?;
    for crl in found.into_iter().filter_map(|i| configured.crls.get(i)) {
        let Some(interim) = crl.scope(&signer.cert, certifier.cert.subject_der(), &ctx.v.limits)
        else {
            continue;
        };
        if usable(ctx, crl).is_some() || !certifier.cert.key_usage_allows(key_usage::CRL_SIGN) {
            continue;
        }
        if ctx
            .verify_signature(
                crl.signature_algorithm(),
                crl.tbs(),
                crl.signature(),
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

/// Whether `crl` verifies under the public key `spki` (one signature from the budget; the
/// signature policy applies as for certificates).
fn crl_signed_by(ctx: &mut Ctx<'_>, crl: &Crl, spki: &[u8]) -> Result<bool, ChainError> {
    Ok(ctx
        .verify_signature(crl.signature_algorithm(), crl.tbs(), crl.signature(), spki)?
        .is_ok())
}
