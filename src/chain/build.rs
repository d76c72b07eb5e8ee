//! Path building: depth-first search from the leaf towards a trust anchor with backtracking.
//!
//! Candidates for a certificate's issuer are the anchors (tried first: the shortest path wins)
//! and then the pool (presented extras and configured intermediates) whose subject matches the
//! issuer name (exact DER, then the canonical form); among the anchors and among the pool, a
//! certificate whose subjectKeyIdentifier equals the child's authorityKeyIdentifier is tried
//! before the others. A certificate already on the path (same DER, or same subject and key) is
//! never reused, so cross-signing loops end. Each candidate costs a build step, each signature
//! a signature check, each name comparison one of the name budget; every name is read and
//! canonicalized once per call (`names::NameTable`), so a comparison is two integer compares.
//!
//! A presented certificate other than the leaf that does not parse cannot be on any path and is
//! left out of the search. When the search then ends with "unknown issuer", the unreadable
//! certificate may well be the missing issuer (a truncated or mangled bundle), so the error
//! keeps its kind (`unknown_issuer`: true, and stable for alerting) and its sentence adds
//! "(presented certificate #2 could not be read: …)": the operator reads both the issuer that
//! was not found and the certificate to look at. Reporting `malformed` instead was rejected:
//! when the unreadable certificate is an unrelated extra it would point at the wrong problem.
//! Any more specific failure (expired, revoked, bad signature, …) is returned unchanged.

use std::cell::OnceCell;

use rustls_pki_types::{CertificateDer, UnixTime};

use super::budget::Budget;
use super::names::{NameId, NameTable};
use super::validate;
use super::{ChainVerifier, VerifiedChain, names};
use crate::cert::Certificate;
use crate::crypto::{SignatureAlgorithm, SpkiRef, check_policy};
use crate::error::{CertError, CertPosition, CertRef, ChainError, CryptoError};
use crate::limits::Limits;

/// A certificate taking part in path building, with its origin and its names as read once
/// for the whole verification.
#[derive(Debug)]
pub(super) struct Node<'a> {
    pub(super) cert: Certificate<'a>,
    pub(super) pos: CertPosition,
    pub(super) subject: NameId,
    pub(super) issuer: NameId,
    /// Subject and issuer are the same name (RFC 5280 §6.1).
    pub(super) self_issued: bool,
    /// The subject as text, made on the first error that names the certificate.
    text: OnceCell<String>,
}

impl<'a> Node<'a> {
    pub(super) fn new(cert: Certificate<'a>, pos: CertPosition, names: &mut NameTable) -> Self {
        let subject = names.id(cert.subject_der());
        let issuer = names.id(cert.issuer_der());
        Node {
            cert,
            pos,
            subject,
            issuer,
            self_issued: subject.same(issuer),
            text: OnceCell::new(),
        }
    }

    pub(super) fn subject_text(&self) -> String {
        self.text
            .get_or_init(|| names::subject_text(self.cert.subject_der()))
            .clone()
    }

    pub(super) fn cref(&self) -> CertRef {
        CertRef {
            position: self.pos,
            subject: self.subject_text(),
        }
    }
}

/// Per-call state shared by the search.
pub(super) struct Ctx<'v> {
    pub(super) v: &'v ChainVerifier,
    pub(super) now: i64,
    pub(super) budget: Budget,
    /// Every name met in this call, canonicalized once.
    pub(super) names: NameTable,
    /// The anchors' subject names, read on first use.
    anchor_names: Vec<Option<NameId>>,
}

impl Ctx<'_> {
    /// Verifies a signature made by `issuer_spki` over `tbs`. The outer `Err` is budget
    /// exhaustion (fatal); the inner one is the verdict.
    pub(super) fn verify_signature(
        &mut self,
        alg_der: &[u8],
        tbs: &[u8],
        sig: &[u8],
        issuer_spki: &[u8],
    ) -> Result<Result<(), CryptoError>, ChainError> {
        self.budget.signature()?;
        Ok((|| {
            let alg = SignatureAlgorithm::from_der(alg_der)?;
            let spki = SpkiRef::from_der(issuer_spki)?;
            check_policy(alg, &spki, self.v.allow_sha1)?;
            self.v.backend.verify(alg, &spki, tbs, sig)
        })())
    }

    fn check_link(&mut self, child: &Node<'_>, issuer: &Node<'_>) -> Result<(), ChainError> {
        let c = &child.cert;
        self.verify_signature(c.signature_algorithm, c.tbs, c.signature, issuer.cert.spki)?
            .map_err(|source| ChainError::Signature {
                cert: child.cref(),
                issuer: issuer.subject_text(),
                source,
            })
    }

    /// Compares two names already read, spending one name comparison.
    pub(super) fn same(&mut self, a: NameId, b: NameId) -> Result<bool, ChainError> {
        self.budget.name_comparison()?;
        Ok(a.same(b))
    }

    /// Compares two DER names (read on first sight), spending one name comparison.
    pub(super) fn same_der(&mut self, a: &[u8], b: &[u8]) -> Result<bool, ChainError> {
        self.budget.name_comparison()?;
        Ok(self.names.same(a, b))
    }

    /// The subject name of anchor `i`.
    fn anchor_name(&mut self, i: usize) -> Option<NameId> {
        if let Some(Some(id)) = self.anchor_names.get(i) {
            return Some(*id);
        }
        let id = self.names.id(&self.v.anchors.anchors.get(i)?.subject_der);
        if let Some(slot) = self.anchor_names.get_mut(i) {
            *slot = Some(id);
        }
        Some(id)
    }
}

pub(super) fn verify(
    v: &ChainVerifier,
    presented: &[CertificateDer<'_>],
    now: UnixTime,
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
    let mut names = NameTable::default();
    let mut nodes = vec![Node::new(leaf, CertPosition::Presented(0), &mut names)];
    // Extras that do not parse cannot be on any path; the first one is remembered to explain an
    // "unknown issuer" failure (see the module documentation).
    let mut unreadable: Option<(usize, Box<CertError>)> = None;
    for (i, der) in extras.iter().enumerate() {
        match Certificate::from_der(der.as_ref(), &v.limits) {
            Ok(cert) => nodes.push(Node::new(cert, CertPosition::Presented(i + 1), &mut names)),
            Err(e) => {
                unreadable.get_or_insert((i + 1, Box::new(e)));
            }
        }
    }
    for (i, der) in v.intermediates.iter().enumerate() {
        if let Ok(cert) = Certificate::from_der(der, &v.limits) {
            nodes.push(Node::new(
                cert,
                CertPosition::ConfiguredIntermediate(i),
                &mut names,
            ));
        }
    }
    let leaf = nodes.first().ok_or(ChainError::NoCertificate)?;
    validate::check_leaf(v, leaf, now)?;

    let mut ctx = Ctx {
        v,
        now,
        budget: Budget::new(&v.limits),
        names,
        anchor_names: vec![None; v.anchors.anchors.len()],
    };
    let mut path = vec![0usize];
    let (anchor_index, anchor_der) = match extend(&mut ctx, &nodes, &mut path) {
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

    let mut ders = Vec::with_capacity(path.len() + 1);
    let mut positions = Vec::with_capacity(path.len() + 1);
    for &i in &path {
        if let Some(n) = nodes.get(i) {
            ders.push(n.cert.der().to_vec());
            positions.push(n.pos);
        }
    }
    ders.push(anchor_der);
    positions.push(CertPosition::Anchor(anchor_index));
    let leaf = nodes.first().ok_or(ChainError::NoCertificate)?;
    Ok(VerifiedChain {
        path: ders,
        positions,
        anchor_index,
        leaf_subject_der: leaf.cert.subject_der().to_vec(),
        leaf_not_after: leaf.cert.not_after(),
    })
}

/// Keeps the most specific failure (ties go to the later one: "the last real reason").
fn record(best: &mut Option<ChainError>, e: ChainError) {
    if best.as_ref().is_none_or(|b| e.rank() >= b.rank()) {
        *best = Some(e);
    }
}

/// Extends `path` (indices into `nodes`, leaf first) to an anchor. On success `path` holds the
/// full path below the anchor and the anchor's index and DER are returned.
fn extend(
    ctx: &mut Ctx<'_>,
    nodes: &[Node<'_>],
    path: &mut Vec<usize>,
) -> Result<(usize, Vec<u8>), ChainError> {
    let child = path
        .last()
        .and_then(|&i| nodes.get(i))
        .ok_or(ChainError::NoCertificate)?;
    let mut best: Option<ChainError> = None;

    let v = ctx.v;
    let mut anchors: Vec<(&[u8], Node<'_>)> = Vec::new();
    for (ai, anchor) in v.anchors.anchors.iter().enumerate() {
        let Some(name) = ctx.anchor_name(ai) else {
            continue;
        };
        if !ctx.same(name, child.issuer)? {
            continue;
        }
        ctx.budget.build_step()?;
        let Ok(cert) = Certificate::from_der(&anchor.der, &Limits::DEFAULT) else {
            continue;
        };
        let anode = Node::new(cert, CertPosition::Anchor(ai), &mut ctx.names);
        anchors.push((&anchor.der, anode));
    }
    // Anchors that share a subject (key rollover, re-issued roots) are tried by key identifier
    // first, as pool candidates are: otherwise each one listed before the right anchor costs
    // a signature check, and enough of them spend the budget before it (a wrong "invalid").
    if let Some(aki) = child.cert.authority_key_id {
        anchors.sort_by_key(|(_, a)| a.cert.subject_key_id != Some(aki));
    }
    for (der, anode) in &anchors {
        let CertPosition::Anchor(ai) = anode.pos else {
            continue;
        };
        let chain: Vec<&Node<'_>> = path.iter().filter_map(|&i| nodes.get(i)).collect();
        let result = validate::check_issuer(ctx, anode, &chain, true)
            .and_then(|()| ctx.check_link(child, anode))
            .and_then(|()| validate::finish(ctx, &chain, anode, nodes));
        match result {
            Ok(()) => return Ok((ai, der.to_vec())),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => record(&mut best, e),
        }
    }

    let mut candidates: Vec<usize> = Vec::new();
    for (i, n) in nodes.iter().enumerate().skip(1) {
        if !ctx.same(n.subject, child.issuer)? {
            continue;
        }
        let mut on_path = false;
        for p in path.iter().filter_map(|&p| nodes.get(p)) {
            if p.cert.der() == n.cert.der()
                || (p.cert.spki_der() == n.cert.spki_der() && ctx.same(p.subject, n.subject)?)
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
    // §6.1.4 (l): self-issued intermediates do not count towards the depth either.
    let depth_below = path
        .iter()
        .skip(1)
        .filter_map(|&i| nodes.get(i))
        .filter(|n| !n.self_issued)
        .count();
    for c in candidates {
        let Some(cand) = nodes.get(c) else { continue };
        ctx.budget.build_step()?;
        let depth = depth_below + usize::from(!cand.self_issued);
        if depth > ctx.v.limits.max_path_intermediates {
            record(
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
            record(&mut best, e);
            continue;
        }
        path.push(c);
        match extend(ctx, nodes, path) {
            Ok(found) => return Ok(found),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => record(&mut best, e),
        }
        path.pop();
    }

    Err(best.unwrap_or_else(|| ChainError::UnknownIssuer {
        cert: child.cref(),
        issuer: names::subject_text(child.cert.issuer_der()),
        unreadable: None,
    }))
}
