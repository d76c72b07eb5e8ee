//! A Name (RFC 5280 §4.1.2.4) as the certificate layer carries it: its exact DER plus what it
//! reads to, read once with the caller's [`Limits`].
//!
//! ```text
//! Name ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
//! ```
//!
//! Every subject and issuer of a certificate, issuer of a CRL and directoryName of a
//! subjectAltName or nameConstraints extension becomes a [`Name`] when its certificate or CRL
//! is parsed (its structure checked then). What it reads to, the `DistinguishedName` and its
//! canonical form, is computed at most once, on first use, with the limits the certificate was
//! parsed with; path building, name constraints and revocation compare what the names hold and
//! never read the same name twice.
//!
//! Matching (RFC 5280 §7.1) compares exact DER first (the common case, and what RFC 5280
//! requires at minimum), then RFC 4517 distinguishedNameMatch on the canonical form, which
//! RFC 5280 §7.1 permits and PKITS 4.3 (name chaining with different case, spacing and string
//! types) expects. A name that does not read as a [`DistinguishedName`] within the limits, or
//! whose canonical form would expand beyond [`EXPANSION_FACTOR`], matches only itself, byte for
//! byte.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use unicode_normalization::UnicodeNormalization;

use crate::asn1::{DerError, Tlv, tag};
use crate::dn::{self, CanonicalDn, DistinguishedName, DnLimits};
use crate::limits::Limits;
use crate::oid;

/// Canonicalization may make a value at most this many times longer (in characters, under
/// NFKC), plus [`EXPANSION_SLACK`]. Real names stay far below (ligatures double, a few CJK
/// squares quadruple); U+FDFA alone becomes 18 characters, so a name built from it would
/// otherwise cost 18 times its size on every comparison.
const EXPANSION_FACTOR: usize = 4;
/// Characters every value may gain beyond [`EXPANSION_FACTOR`] (one U+FDFA in a short value).
const EXPANSION_SLACK: usize = 16;

/// What a Name reads to, each part computed on first use and kept: the DN (when it reads
/// within the limits it was parsed with) and its canonical form under the expansion cap. A
/// name compared only byte for byte (the common case: an issuer field copied from its issuer's
/// subject) is never read further.
#[derive(Debug)]
pub(crate) struct NameInfo {
    limits: DnLimits,
    dn: OnceLock<Option<DistinguishedName>>,
    canonical: OnceLock<Option<CanonicalDn>>,
}

impl NameInfo {
    fn new(limits: &Limits) -> Self {
        NameInfo {
            limits: DnLimits::from(limits),
            dn: OnceLock::new(),
            canonical: OnceLock::new(),
        }
    }
}

/// A Name: its exact DER (borrowed) and what it reads to (shared, read once).
#[derive(Debug, Clone)]
pub(crate) struct Name<'a> {
    der: &'a [u8],
    info: Arc<NameInfo>,
}

impl<'a> Name<'a> {
    /// Reads a Name already checked to be one (see [`check`]). Never fails: a name that does
    /// not read as a DN within `limits` is kept as bytes and matches only itself.
    pub(crate) fn read(der: &'a [u8], limits: &Limits) -> Self {
        Name {
            der,
            info: Arc::new(NameInfo::new(limits)),
        }
    }

    /// The same name over another copy of its DER (configured material keeps its own bytes).
    pub(crate) fn rebased<'b>(&self, der: &'b [u8]) -> Name<'b> {
        Name {
            der,
            info: Arc::clone(&self.info),
        }
    }

    /// The exact DER.
    pub(crate) fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The name as read, when it reads within the limits.
    pub(crate) fn dn(&self) -> Option<&DistinguishedName> {
        self.info
            .dn
            .get_or_init(|| dn::read_der(self.der, self.info.limits).ok())
            .as_ref()
    }

    /// The canonical form (RFC 4517 distinguishedNameMatch key), when the name reads and its
    /// expansion stays within the cap. Computed once per name.
    pub(crate) fn canonical(&self) -> Option<&CanonicalDn> {
        self.info
            .canonical
            .get_or_init(|| {
                self.dn()
                    .filter(|dn| within_expansion_cap(dn))
                    .map(DistinguishedName::canonical)
            })
            .as_ref()
    }

    /// True when the two names match (RFC 5280 §7.1; exact DER first). Equality of canonical
    /// forms keeps control characters as they are, so `CN=CA\00` chains only to `CN=CA\00`,
    /// never to `CN=CA`.
    pub(crate) fn same(&self, other: &Name<'_>) -> bool {
        self.der == other.der
            || match (self.canonical(), other.canonical()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
    }

    /// True when the Name has no RDN (its DER is then exactly an empty SEQUENCE).
    pub(crate) fn is_empty(&self) -> bool {
        self.der == [0x30, 0x00]
    }

    /// The name as RFC 4514 text, for messages.
    pub(crate) fn text(&self) -> String {
        match self.dn() {
            Some(dn) if dn.is_empty() => "(empty name)".to_owned(),
            Some(dn) => dn.to_string(),
            None => "(unreadable name)".to_owned(),
        }
    }

    /// Whether this name lies within the directoryName subtree rooted at `base` (RFC 5280
    /// §4.2.1.10: base's RDNs are a prefix of this name's). `None` when the answer cannot be
    /// trusted, and callers treat `None` as a violation: a name that does not read or expands
    /// beyond the cap; one with a control character (RFC 4518 would strip it, which could move
    /// a name in or out of a subtree); or one with a value that is not a directory string
    /// (`O=Corp` as a VisibleString or GeneralString is compared by its BER, so it would
    /// never match an excluded `O=Corp`).
    pub(crate) fn within_subtree(&self, base: &Name<'_>) -> Option<bool> {
        if !self.strings_only() || !base.strings_only() {
            return None;
        }
        let (n, b) = (self.canonical()?, base.canonical()?);
        if n.has_control_characters() || b.has_control_characters() {
            return None;
        }
        Some(n.is_within(b))
    }

    /// Every value decoded as a directory string (no raw BER value).
    fn strings_only(&self) -> bool {
        self.dn()
            .is_some_and(|d| d.attributes().all(|a| a.text().is_some()))
    }

    /// The values of emailAddress attributes, for rfc822Name constraints (RFC 5280 §4.2.1.10,
    /// last paragraph of the rfc822Name rules). `None` when they cannot all be read: the name
    /// itself does not read (too many values in an RDN, too long, a non-minimal OID, …) or an
    /// emailAddress value is not a directory string (an IA5String with a byte above 0x7F, a
    /// VisibleString, invalid UTF-8). A constraint check must then fail rather than skip them.
    pub(crate) fn email_addresses(&self) -> Option<Vec<String>> {
        self.dn()?
            .attributes()
            .filter(|a| a.oid().as_bytes() == oid::EMAIL_ADDRESS)
            .map(|a| a.text().map(str::to_owned))
            .collect()
    }
}

/// A Name that owns its DER (CRL distribution point names built from a relative name, names
/// kept past the input they came from).
#[derive(Debug, Clone)]
pub(crate) struct OwnedName {
    der: Vec<u8>,
    info: Arc<NameInfo>,
}

impl OwnedName {
    /// Reads a name as [`Name::read`] does, keeping its bytes.
    pub(crate) fn read(der: Vec<u8>, limits: &Limits) -> Self {
        OwnedName {
            der,
            info: Arc::new(NameInfo::new(limits)),
        }
    }

    /// The name, borrowing the bytes kept here.
    pub(crate) fn name(&self) -> Name<'_> {
        Name {
            der: &self.der,
            info: Arc::clone(&self.info),
        }
    }
}

/// Configured material (anchors, intermediates, CRLs) found by name: exact DER first, then the
/// canonical form, so a look-up finds exactly the entries [`Name::same`] would match, without
/// comparing against each one.
///
/// Names are looked up with the limits the index was built with (the verifier's), so a name
/// found by its exact DER has the canonical form filed with that DER: the look-up then needs
/// no canonicalization of its own.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    /// Entries by exact DER, with the canonical form of that DER.
    by_der: HashMap<Box<[u8]>, DerEntries>,
    by_canonical: HashMap<CanonicalDn, Vec<usize>>,
}

/// The entries filed under one DER, and that DER's canonical form.
type DerEntries = (Vec<usize>, Option<CanonicalDn>);

impl NameIndex {
    /// Files entry `i` under `name` (entries are added in increasing `i`).
    pub(crate) fn insert(&mut self, name: &Name<'_>, i: usize) {
        let canonical = name.canonical();
        self.by_der
            .entry(name.der().into())
            .or_insert_with(|| (Vec::new(), canonical.cloned()))
            .0
            .push(i);
        if let Some(c) = canonical {
            self.by_canonical.entry(c.clone()).or_default().push(i);
        }
    }

    /// The entries whose name matches `name`, in increasing order.
    pub(crate) fn find(&self, name: &Name<'_>) -> Vec<usize> {
        if self.by_der.is_empty() {
            return Vec::new();
        }
        let (exact, canonical) = match self.by_der.get(name.der()) {
            Some((entries, canonical)) => (entries.as_slice(), canonical.as_ref()),
            None => (&[][..], name.canonical()),
        };
        let canonical = canonical
            .and_then(|c| self.by_canonical.get(c))
            .map_or(&[][..], Vec::as_slice);
        let mut out: Vec<usize> = exact.iter().chain(canonical).copied().collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// True when every value's NFKC form stays within the expansion cap. The check stops as soon
/// as the cap is passed, so it costs at most the cap, never the full expansion.
fn within_expansion_cap(dn: &DistinguishedName) -> bool {
    dn.attributes().filter_map(|a| a.text()).all(|t| {
        if t.is_ascii() {
            return true;
        }
        let limit = t
            .chars()
            .count()
            .saturating_mul(EXPANSION_FACTOR)
            .saturating_add(EXPANSION_SLACK);
        t.nfkc().take(limit.saturating_add(1)).count() <= limit
    })
}

/// Checks that `name` (a SEQUENCE already read) is a Name (strict DER: SEQUENCE OF non-empty
/// SET OF SEQUENCE { OID, ANY }) and returns its number of RDNs.
pub(crate) fn check(name: &Tlv<'_>) -> Result<usize, DerError> {
    let mut r = name.reader();
    let mut rdns = 0usize;
    while !r.is_empty() {
        let set = r.read_tlv(tag::SET)?;
        if set.value.is_empty() {
            return Err(set.bad("a name has an empty RDN"));
        }
        let mut rdn = set.reader();
        while !rdn.is_empty() {
            let mut atv = rdn.nested(tag::SEQUENCE)?;
            atv.read(tag::OID)?;
            atv.read_any()?;
            atv.finish()?;
        }
        rdns += 1;
    }
    Ok(rdns)
}

#[cfg(test)]
mod tests {
    use super::*;

    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, <tag> value } } }
    fn cn(tag: u8, v: &[u8]) -> Vec<u8> {
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03, tag, v.len() as u8];
        atv.extend_from_slice(v);
        let mut seq = vec![0x30, atv.len() as u8];
        seq.extend(atv);
        let mut set = vec![0x31, seq.len() as u8];
        set.extend(seq);
        let mut name = vec![0x30, set.len() as u8];
        name.extend(set);
        name
    }

    fn name(der: &[u8]) -> Name<'_> {
        Name::read(der, &Limits::DEFAULT)
    }

    fn same(a: &[u8], b: &[u8]) -> bool {
        name(a).same(&name(b))
    }

    #[test]
    fn chaining_ignores_case_space_and_string_type() {
        assert!(same(&cn(0x13, b"Good CA"), &cn(0x0C, b"  good   ca ")));
        assert!(!same(&cn(0x13, b"Good CA"), &cn(0x13, b"Good CB")));
        let empty = [0x30, 0x00];
        assert_eq!(
            name(&cn(0x13, b"x")).within_subtree(&name(&empty)),
            Some(true)
        );
        assert!(name(&empty).is_empty());
        assert_eq!(name(&cn(0x0C, b"Good CA")).text(), "CN=Good CA");
    }

    #[test]
    fn control_characters_never_chain_loosely_and_fail_subtree_checks() {
        assert!(!same(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA")));
        assert!(same(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA\0")));
        assert_eq!(
            name(&cn(0x0C, b"CA\0")).within_subtree(&name(&[0x30, 0x00])),
            None
        );
    }

    #[test]
    fn unreadable_names_do_not_match() {
        assert!(!same(&[0x30, 0x03, 0x31], &[0x30, 0x00]));
        assert_eq!(name(&[0x30, 0x03, 0x31]).text(), "(unreadable name)");
        assert_eq!(name(&[0x31]).within_subtree(&name(&[0x30, 0x00])), None);
    }

    /// Issue 7 item 10: a name is canonicalized at most once, and a name whose NFKC form would
    /// pass the expansion cap is never canonicalized: it matches only itself, byte for byte,
    /// and fails subtree checks.
    #[test]
    fn names_are_canonicalized_once_and_expansion_is_capped() {
        let (upper, lower) = (cn(0x13, b"GOOD CA"), cn(0x0C, b"good ca"));
        let (upper, lower) = (name(&upper), name(&lower));
        for _ in 0..100 {
            assert!(upper.same(&lower));
        }
        let first = upper.canonical().map(std::ptr::from_ref);
        assert_eq!(upper.canonical().map(std::ptr::from_ref), first);
        // 40 × U+FDFA: 120 bytes of UTF-8, 720 characters under NFKC (cap: 4 × 40 + 16).
        let fdfa = "\u{FDFA}".repeat(40);
        let wide = cn(0x0C, fdfa.as_bytes());
        let bmp: Vec<u8> = fdfa.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(bmp.len() < 0x80);
        let wide_bmp = cn(0x1E, &bmp);
        assert!(same(&wide, &wide));
        assert!(!same(&wide, &wide_bmp));
        assert!(name(&wide).canonical().is_none());
        assert_eq!(name(&wide).within_subtree(&name(&[0x30, 0x00])), None);
        // Under the cap, the two encodings are one name.
        let few = "ab\u{FDFA}";
        let bmp: Vec<u8> = few.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(same(&cn(0x0C, few.as_bytes()), &cn(0x1E, &bmp)));
    }

    /// The caller's limits decide whether a name reads: 65 RDNs read with `max_dn_rdns` 65,
    /// not with the default 64 (then the name matches only its own DER).
    #[test]
    fn names_read_with_the_callers_limits() {
        let one = cn(0x0C, b"x");
        let rdn = one.get(2..).unwrap_or_default().to_vec();
        let mut content = Vec::new();
        for _ in 0..65 {
            content.extend_from_slice(&rdn);
        }
        let mut der = vec![0x30, 0x82];
        der.extend(u16::try_from(content.len()).unwrap_or(0).to_be_bytes());
        der.extend(content);
        let seq = crate::asn1::single(&der, tag::SEQUENCE).unwrap();
        assert_eq!(check(&seq), Ok(65));
        assert!(name(&der).dn().is_none());
        let mut limits = Limits::DEFAULT;
        limits.max_dn_rdns = 65;
        assert_eq!(
            Name::read(&der, &limits)
                .dn()
                .map(DistinguishedName::rdn_count),
            Some(65)
        );
    }

    /// The index finds exactly what comparing with [`Name::same`] one by one finds, in
    /// increasing order: exact DER first, then the canonical form.
    #[test]
    fn the_index_finds_what_a_scan_finds() {
        let ders = [
            cn(0x13, b"Good CA"),
            cn(0x0C, b"good  ca"),
            cn(0x13, b"Other CA"),
            cn(0x13, b"Good CA"),
            vec![0x30, 0x03, 0x31, 0x01, 0x00],
        ];
        let names: Vec<Name<'_>> = ders.iter().map(|d| name(d)).collect();
        let mut index = NameIndex::default();
        for (i, n) in names.iter().enumerate() {
            index.insert(n, i);
        }
        let probes = [
            cn(0x0C, b"GOOD CA"),
            cn(0x13, b"Good CA"),
            cn(0x13, b"other ca"),
            vec![0x30, 0x03, 0x31, 0x01, 0x00],
            cn(0x13, b"Nobody"),
        ];
        for probe in &probes {
            let probe = name(probe);
            let scanned: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| probe.same(n))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(index.find(&probe), scanned, "{:02x?}", probe.der());
        }
        assert_eq!(index.find(&name(&probes[0])), [0, 1, 3]);
        assert_eq!(
            index.find(&name(&probes[3])),
            [4],
            "an unreadable name: its bytes only"
        );
    }
}
