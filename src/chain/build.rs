//! Path building: depth-first search from the leaf towards a trust anchor with backtracking.
//!
//! Candidates for a certificate's issuer are the anchors (tried first: the shortest path wins)
//! and then the pool (presented extras and configured intermediates) whose subject matches the
//! issuer name (exact DER, then the canonical form); among the anchors and among the pool, a
//! certificate whose subjectKeyIdentifier equals the child's authorityKeyIdentifier is tried
//! before the others. A certificate already on the path (same DER, or same subject and key) is
//! never reused, so cross-signing loops end. Each candidate costs a build step, each signature
//! a signature check, each name comparison one of the name budget. Names were read and
//! canonicalized when their certificate was parsed (configured ones when the verifier was
//! built); anchors and configured intermediates are found through the verifier's name index,
//! one look-up (one name comparison) each, and presented certificates by comparing names.
//!
//! A presented certificate other than the leaf that does not parse cannot be on any path and is
//! left out of the search. When the search then ends with "unknown issuer", the unreadable
//! certificate may well be the missing issuer (a truncated or mangled bundle), so the error
//! keeps its kind (`unknown_issuer`: true, and stable for alerting) and its sentence adds
//! "(presented certificate #2 could not be read: …)": the operator reads both the issuer that
//! was not found and the certificate to look at. Reporting `malformed` instead was rejected:
//! when the unreadable certificate is an unrelated extra it would point at the wrong problem.
//! Any more specific failure (expired, revoked, bad signature, …) is returned unchanged.

use rustls_pki_types::{CertificateDer, UnixTime};

use super::budget::{Budget, Spent};
use super::cache::{self, Key};
use super::{ChainVerifier, Ctx, Node, Pool, VerifiedChain, Window, revocation, validate};
use crate::cert::Certificate;
use crate::error::{CertError, CertPosition, CertRef, ChainError};

/// An issuer-cache entry: the path above an intermediate, up to the anchor, as positions in
/// the verifier's configured material (configured intermediates, then the anchor).
#[derive(Debug, Clone)]
pub(crate) struct IssuerPath {
    upper: std::sync::Arc<[CertPosition]>,
    /// What the search above the intermediate spent, the checks involving the leaf left
    /// out, and of it what the revocation checks above the leaf spent: a hit charges both
    /// where the search would have spent them, so the work budgets decide as they would
    /// without the cache.
    cost: (Spent, Spent),
}

pub(super) fn verify(
    v: &ChainVerifier,
    presented: &[CertificateDer<'_>],
    now: UnixTime,
    window: &mut Window,
) -> Result<VerifiedChain, ChainError> {
    let (leaf_der, extras) = presented.split_first().ok_or(ChainError::NoCertificate)?;
    if presented.len() > v.limits.max_presented_certificates {
        return Err(ChainError::TooManyCertificates {
            count: presented.len(),
            max: v.limits.max_presented_certificates,
        });
    }
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let leaf = Certificate::from_der(leaf_der.as_ref(), &v.limits).map_err(|source| {
        ChainError::Malformed {
            cert: CertRef {
                position: CertPosition::Presented(0),
                subject: "(unreadable)".into(),
            },
            source,
        }
    })?;
    // Room for the presented certificates and a few configured intermediates: no regrowth.
    let mut nodes = Vec::with_capacity(presented.len() + 4);
    nodes.push(Node::new(leaf, CertPosition::Presented(0)));
    // Extras that do not parse cannot be on any path; the first one is remembered to explain an
    // "unknown issuer" failure (see the module documentation).
    let mut unreadable: Option<(usize, Box<CertError>)> = None;
    for (i, der) in extras.iter().enumerate() {
        match Certificate::from_der(der.as_ref(), &v.limits) {
            Ok(cert) => nodes.push(Node::new(cert, CertPosition::Presented(i + 1))),
            Err(e) => {
                unreadable.get_or_insert((i + 1, Box::new(e)));
            }
        }
    }
    let presented_nodes = nodes.len();
    // The configured intermediates that can take part: those whose subject is the issuer of a
    // presented certificate or of another one taken part (looked up, never scanned).
    let configured = &v.configured;
    let mut configured_node: Vec<Option<usize>> = vec![None; configured.intermediates.len()];
    let mut k = 0;
    while let Some(n) = nodes
        .get(k)
        .filter(|_| !configured.intermediates.is_empty())
    {
        let found = configured.intermediates_by_subject.find(n.issuer());
        for ci in found {
            let (Some(slot), Some(cert)) = (
                configured_node.get_mut(ci),
                configured.intermediates.get(ci),
            ) else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(nodes.len());
                nodes.push(Node::new(
                    cert.view(),
                    CertPosition::ConfiguredIntermediate(ci),
                ));
            }
        }
        k += 1;
    }
    let leaf = nodes.first().ok_or(ChainError::NoCertificate)?;
    let mut ctx = Ctx {
        v,
        now,
        budget: Budget::new(&v.limits),
        window: Window::ALWAYS,
        failures: 0,
        leaf_checks: Spent::default(),
        upper_revocation: Spent::default(),
    };
    let found = validate::check_leaf(&mut ctx, leaf).and_then(|()| {
        let pool = Pool {
            nodes: &nodes,
            presented: presented_nodes,
            configured: &configured_node,
        };
        let mut path = vec![0usize];
        extend(&mut ctx, &pool, &mut path).map(|found| (found, path))
    });
    *window = ctx.window;
    let (anchor_index, path) = match found {
        Ok(found) => found,
        Err(ChainError::UnknownIssuer { cert, issuer, .. }) => {
            return Err(ChainError::UnknownIssuer {
                cert,
                issuer,
                unreadable,
            });
        }
        Err(e) => return Err(e),
    };

    let mut ders: Vec<std::sync::Arc<[u8]>> = Vec::with_capacity(path.len() + 1);
    let mut positions = Vec::with_capacity(path.len() + 1);
    for &i in &path {
        if let Some(n) = nodes.get(i) {
            ders.push(n.cert.der().into());
            positions.push(n.pos);
        }
    }
    // The anchor's bytes are shared with the trust anchors (no copy).
    let anchor = v
        .anchors
        .anchors
        .get(anchor_index)
        .ok_or(ChainError::NoCertificate)?;
    ders.push(std::sync::Arc::clone(&anchor.der));
    positions.push(CertPosition::Anchor(anchor_index));
    let leaf = nodes.first().ok_or(ChainError::NoCertificate)?;
    Ok(VerifiedChain {
        path: ders,
        positions,
        anchor_index,
        leaf_subject_der: leaf.cert.subject_der().to_vec(),
        leaf_not_after: leaf.cert.not_after().unix_seconds(),
    })
}

/// Keeps the most specific failure (ties go to the later one: "the last real reason").
fn record(ctx: &mut Ctx<'_>, best: &mut Option<ChainError>, e: ChainError) {
    ctx.failures += 1;
    if best.as_ref().is_none_or(|b| e.rank() >= b.rank()) {
        *best = Some(e);
    }
}

/// Extends `path` (indices into `nodes`, leaf first) to an anchor. On success `path` holds the
/// full path below the anchor and the anchor's index and DER are returned.
fn extend(
    ctx: &mut Ctx<'_>,
    pool: &Pool<'_, '_>,
    path: &mut Vec<usize>,
) -> Result<usize, ChainError> {
    let nodes = pool.nodes;
    let child = path
        .last()
        .and_then(|&i| nodes.get(i))
        .ok_or(ChainError::NoCertificate)?;
    let mut best: Option<ChainError> = None;

    let configured = ctx.configured();
    let found = ctx.find(
        &configured.anchors_by_subject,
        configured.anchors.len(),
        child.issuer(),
    )?;
    let mut anchors: Vec<Node<'_>> = Vec::with_capacity(found.len());
    for ai in found {
        ctx.budget.build_step()?;
        let Some(Some(anchor)) = configured.anchors.get(ai) else {
            continue;
        };
        anchors.push(Node::new(anchor.view(), CertPosition::Anchor(ai)));
    }
    // Anchors that share a subject (key rollover, re-issued roots) are tried by key identifier
    // first, as pool candidates are: otherwise each one listed before the right anchor costs
    // a signature check, and enough of them spend the budget before it (a wrong "invalid").
    if let Some(aki) = child.cert.authority_key_id {
        anchors.sort_by_key(|a| a.cert.subject_key_id != Some(aki));
    }
    for anode in &anchors {
        let CertPosition::Anchor(ai) = anode.pos else {
            continue;
        };
        let below: Vec<&Node<'_>> = path.iter().filter_map(|&i| nodes.get(i)).collect();
        let mut chain = Vec::with_capacity(below.len() + 1);
        chain.extend_from_slice(&below);
        chain.push(anode);
        // Once an anchor is reached: name constraints, then revocation, over the whole path
        // (the leaf's status first; what the checks involving the leaf spend is noted for the
        // issuer cache).
        let result = validate::check_issuer(ctx, anode, &below, true)
            .and_then(|()| ctx.check_link(child, anode))
            .and_then(|()| {
                let before = ctx.budget.spent();
                validate::check_name_constraints(ctx, &chain)?;
                revocation::check_leaf(ctx, &chain, pool)?;
                let leaf_done = ctx.budget.spent();
                ctx.leaf_checks = leaf_done.minus(before);
                revocation::check_above_leaf(ctx, &chain, pool)?;
                ctx.upper_revocation = ctx.budget.spent().minus(leaf_done);
                Ok(())
            });
        match result {
            Ok(()) => return Ok(ai),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => record(ctx, &mut best, e),
        }
    }

    let mut matching: Vec<usize> = Vec::new();
    for (i, n) in pool.presented().iter().enumerate().skip(1) {
        if ctx.same(n.subject(), child.issuer())? {
            matching.push(i);
        }
    }
    let found = ctx.find(
        &configured.intermediates_by_subject,
        configured.intermediates.len(),
        child.issuer(),
    )?;
    matching.extend(
        found
            .into_iter()
            .filter_map(|ci| pool.configured.get(ci).copied().flatten()),
    );
    let mut candidates: Vec<usize> = Vec::with_capacity(matching.len());
    for i in matching {
        let Some(n) = nodes.get(i) else { continue };
        let mut on_path = false;
        for p in path.iter().filter_map(|&p| nodes.get(p)) {
            if p.cert.der() == n.cert.der()
                || (p.cert.spki_der() == n.cert.spki_der() && ctx.same(p.subject(), n.subject())?)
            {
                on_path = true;
                break;
            }
        }
        if !on_path {
            candidates.push(i);
        }
    }
    // AKI/SKI are hints only (RFC 5280 §4.2.1.1): a match is tried first, nothing is excluded.
    if let Some(aki) = child.cert.authority_key_id {
        candidates.sort_by_key(|&i| nodes.get(i).and_then(|n| n.cert.subject_key_id) != Some(aki));
    }
    // §6.1.4 (l): self-issued intermediates do not count towards the depth either. Whether a
    // certificate is self-issued may need both its names in canonical form; it is asked only
    // when counting every certificate would exceed the limit.
    let max_depth = ctx.v.limits.max_path_intermediates;
    let above_leaf = path.len().saturating_sub(1);
    for c in candidates {
        let Some(cand) = nodes.get(c) else { continue };
        ctx.budget.build_step()?;
        if above_leaf + 1 > max_depth
            && depth_below(nodes, path) + usize::from(!cand.self_issued()) > max_depth
        {
            record(
                ctx,
                &mut best,
                ChainError::PathTooDeep {
                    cert: child.cref(),
                    max: ctx.v.limits.max_path_intermediates,
                },
            );
            continue;
        }
        let chain: Vec<&Node<'_>> = path.iter().filter_map(|&i| nodes.get(i)).collect();
        let checked = validate::check_issuer(ctx, cand, &chain, false)
            .and_then(|()| ctx.check_link(child, cand));
        if let Err(e) = checked {
            if e.is_fatal() {
                return Err(e);
            }
            record(ctx, &mut best, e);
            continue;
        }
        let key = issuer_cache_key(ctx, pool, path, cand);
        if let Some(key) = &key
            && let Some(found) = from_issuer_cache(ctx, pool, path, c, key)?
        {
            return Ok(found);
        }
        // The path above `cand` is searched with a window and a failure count of its own, to
        // know whether (and over which times) it may be reused for other leaves.
        let outer = std::mem::replace(&mut ctx.window, Window::ALWAYS);
        let failures = ctx.failures;
        let spent = ctx.budget.spent();
        path.push(c);
        let result = extend(ctx, pool, path);
        let above = std::mem::replace(&mut ctx.window, outer);
        ctx.window.intersect(above);
        match result {
            Ok(found) => {
                if let Some(key) = key
                    && ctx.failures == failures
                {
                    // The search above `cand`, less the checks a hit runs again; the
                    // revocation checks above the leaf, which come after them, apart.
                    let search = ctx
                        .budget
                        .spent()
                        .minus(spent)
                        .minus(ctx.leaf_checks)
                        .minus(ctx.upper_revocation);
                    let cost = (search, ctx.upper_revocation);
                    remember_issuer(ctx, pool, path, key, found, above, cost);
                }
                return Ok(found);
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => record(ctx, &mut best, e),
        }
        path.pop();
    }

    Err(best.unwrap_or_else(|| ChainError::UnknownIssuer {
        cert: child.cref(),
        issuer: child.issuer().text(),
        unreadable: None,
    }))
}

/// The certificates of `path` that count towards its depth: those above the leaf that are
/// not self-issued.
fn depth_below(nodes: &[Node<'_>], path: &[usize]) -> usize {
    path.iter()
        .skip(1)
        .filter_map(|&i| nodes.get(i))
        .filter(|n| !n.self_issued())
        .count()
}

/// The issuer-cache key of `cand` as the leaf's issuer, when the cache may serve: the path is
/// at the leaf, and the client presented at most the leaf and one other certificate. Then
/// the search above `cand` draws only on the configured material, and an entry made for one
/// leaf gives the path the search would find for another, unless a check that involves the
/// leaf (name constraints, its revocation status, a certificate equal to it) fails, which is
/// checked on every hit.
fn issuer_cache_key(
    ctx: &Ctx<'_>,
    pool: &Pool<'_, '_>,
    path: &[usize],
    cand: &Node<'_>,
) -> Option<Key> {
    (ctx.v.issuers.enabled() && path.len() == 1 && pool.presented <= 2)
        .then(|| cache::digest([cand.cert.der()]))
}

/// Stores the path above `path[1]` (configured intermediates and the anchor) under `key`.
fn remember_issuer(
    ctx: &Ctx<'_>,
    pool: &Pool<'_, '_>,
    path: &[usize],
    key: Key,
    anchor: usize,
    window: Window,
    cost: (Spent, Spent),
) {
    let mut upper = Vec::with_capacity(path.len());
    for &i in path.iter().skip(2) {
        match pool.nodes.get(i).map(|n| n.pos) {
            Some(pos @ CertPosition::ConfiguredIntermediate(_)) => upper.push(pos),
            _ => return,
        }
    }
    upper.push(CertPosition::Anchor(anchor));
    let size = std::mem::size_of::<IssuerPath>()
        + std::mem::size_of::<CertPosition>() * upper.len()
        + 2 * std::mem::size_of::<usize>();
    ctx.v.issuers.insert(
        key,
        IssuerPath {
            upper: upper.into(),
            cost,
        },
        window,
        size,
    );
}

/// Completes the path through `nodes[c]` (the leaf's issuer, already checked and its signature
/// on the leaf verified) with the cached path above it: the checks that involve the leaf (a
/// certificate equal to it on the path, name constraints of every CA on the path, the leaf's
/// revocation status) run again; the rest held when the entry was made and still holds at
/// this time. `Ok(None)`: no entry, or a check failed; the caller searches as without a cache
/// (which reports the failure as it would have).
fn from_issuer_cache(
    ctx: &mut Ctx<'_>,
    pool: &Pool<'_, '_>,
    path: &mut Vec<usize>,
    c: usize,
    key: &Key,
) -> Result<Option<usize>, ChainError> {
    let Some((entry, window)) = ctx.v.issuers.get(key, ctx.now) else {
        return Ok(None);
    };
    let configured = ctx.configured();
    let (Some(leaf), Some(cand)) = (pool.nodes.first(), pool.nodes.get(c)) else {
        return Ok(None);
    };
    let mut above = Vec::with_capacity(entry.upper.len());
    let mut anchor = None;
    for pos in entry.upper.iter() {
        match *pos {
            CertPosition::ConfiguredIntermediate(ci) => {
                match pool.configured.get(ci).copied().flatten() {
                    Some(i) => above.push(i),
                    None => return Ok(None),
                }
            }
            CertPosition::Anchor(ai) => match configured.anchors.get(ai) {
                Some(Some(a)) => anchor = Some((ai, a)),
                _ => return Ok(None),
            },
            CertPosition::Presented(_) => return Ok(None),
        }
    }
    let Some((ai, anchor_cert)) = anchor else {
        return Ok(None);
    };
    let anode = Node::new(anchor_cert.view(), CertPosition::Anchor(ai));
    let mut chain: Vec<&Node<'_>> = vec![leaf, cand];
    chain.extend(above.iter().filter_map(|&i| pool.nodes.get(i)));
    chain.push(&anode);
    for n in chain.iter().skip(2) {
        if n.cert.der() == leaf.cert.der()
            || (n.cert.spki_der() == leaf.cert.spki_der()
                && ctx.same(n.subject(), leaf.subject())?)
        {
            return Ok(None);
        }
    }
    ctx.window.intersect(window);
    // The search this hit skips would have spent its cost before these checks, and the
    // revocation checks above the leaf after them: a budget it would have run out of is run
    // out of here too, at the same point. If a check fails, the search runs as without the
    // cache, from the budget as it was before the hit.
    let (search, upper_revocation) = entry.cost;
    let budget = ctx.budget.clone();
    ctx.budget.charge(search)?;
    let checked = validate::check_name_constraints(ctx, &chain)
        .and_then(|()| revocation::check_leaf(ctx, &chain, pool));
    match checked {
        Ok(()) => {
            ctx.budget.charge(upper_revocation)?;
            path.push(c);
            path.extend(above);
            Ok(Some(ai))
        }
        Err(e) if e.is_fatal() => Err(e),
        Err(_) => {
            ctx.budget = budget;
            Ok(None)
        }
    }
}
