//! Every operation on Distinguished Names that chain validation needs, behind one narrow
//! interface over the crate's `dn` module.
//!
//! Issuer/subject chaining compares by exact DER first (the common case, and what RFC 5280
//! §7.1 requires at minimum), then by RFC 4517 distinguishedNameMatch on the canonical form,
//! which is what RFC 5280 §7.1 permits and PKITS 4.3 (name chaining with different case,
//! spacing and string types) expects.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::dn::{CanonicalDn, DistinguishedName};

/// emailAddress (PKCS #9, 1.2.840.113549.1.9.1), DER content bytes.
const EMAIL_ADDRESS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];

/// Canonicalization may make a value at most this many times longer (in characters, under
/// NFKC), plus [`EXPANSION_SLACK`]. Real names stay far below (ligatures double, a few CJK
/// squares quadruple); U+FDFA alone becomes 18 characters, so a name built from it would
/// otherwise cost 18 times its size on every comparison.
const EXPANSION_FACTOR: usize = 4;
/// Characters every value may gain beyond [`EXPANSION_FACTOR`] (one U+FDFA in a short value).
const EXPANSION_SLACK: usize = 16;

fn read(der: &[u8]) -> Option<DistinguishedName> {
    DistinguishedName::from_der(der).ok()
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

/// The canonical form of a readable name whose expansion stays within the cap.
fn canonical_of(dn: &DistinguishedName) -> Option<CanonicalDn> {
    within_expansion_cap(dn).then(|| dn.canonical())
}

/// The name as RFC 4514 text, for messages.
pub(crate) fn subject_text(name_der: &[u8]) -> String {
    match read(name_der) {
        Some(dn) if dn.is_empty() => "(empty name)".to_owned(),
        Some(dn) => dn.to_string(),
        None => "(unreadable name)".to_owned(),
    }
}

/// True when two DER Names denote the same name (RFC 5280 §7.1; exact DER first). For one-off
/// comparisons outside path building (loading anchors); a verification uses a [`NameTable`].
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    // Equality of canonical forms keeps control characters as they are, so `CN=CA\00` chains
    // only to `CN=CA\00`, never to `CN=CA`.
    match (
        read(a).as_ref().and_then(canonical_of),
        read(b).as_ref().and_then(canonical_of),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A name's identity within one verification: equal `der` means byte-identical DER; equal
/// `class` means the same canonical form. `class` is `None` for a name that does not read or
/// expands beyond the cap: such a name matches only itself, byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameId {
    der: u32,
    class: Option<u32>,
}

impl NameId {
    /// True when the two names match (exact DER, then RFC 4517 distinguishedNameMatch).
    pub(crate) fn same(self, other: NameId) -> bool {
        self.der == other.der || (self.class.is_some() && self.class == other.class)
    }
}

#[derive(Debug, Clone, Copy)]
struct Info {
    id: NameId,
    /// Every value decoded as a directory string (no raw BER value).
    strings_only: bool,
}

/// The names met during one verification, each read and canonicalized at most once.
///
/// Path building compares the same names over and over (every candidate issuer against every
/// certificate of the path, at each step of the search), and canonicalization (NFKC and case
/// folding) is the expensive part: done on every comparison, a pool of look-alike names cost
/// seconds of CPU. Here each distinct DER name is canonicalized once, with the expansion cap,
/// and a comparison is then two integer comparisons.
#[derive(Debug, Default)]
pub(crate) struct NameTable {
    by_der: HashMap<Vec<u8>, Info>,
    by_canonical: HashMap<CanonicalDn, u32>,
    canonical: Vec<CanonicalDn>,
}

impl NameTable {
    fn info(&mut self, der: &[u8]) -> Info {
        if let Some(info) = self.by_der.get(der) {
            return *info;
        }
        let der_id = u32::try_from(self.by_der.len()).unwrap_or(u32::MAX);
        let dn = read(der);
        let strings_only = dn
            .as_ref()
            .is_some_and(|d| d.attributes().all(|a| a.text().is_some()));
        let class = dn.as_ref().and_then(canonical_of).map(|c| {
            if let Some(&k) = self.by_canonical.get(&c) {
                k
            } else {
                let k = u32::try_from(self.canonical.len()).unwrap_or(u32::MAX);
                self.by_canonical.insert(c.clone(), k);
                self.canonical.push(c);
                k
            }
        });
        let info = Info {
            id: NameId { der: der_id, class },
            strings_only,
        };
        self.by_der.insert(der.to_vec(), info);
        info
    }

    /// The identity of a DER name (read and canonicalized on first sight only).
    pub(crate) fn id(&mut self, der: &[u8]) -> NameId {
        self.info(der).id
    }

    /// True when two DER names match (see [`NameId::same`]).
    pub(crate) fn same(&mut self, a: &[u8], b: &[u8]) -> bool {
        a == b || self.id(a).same(self.id(b))
    }

    /// Number of distinct DER names read so far (each was canonicalized at most once).
    #[cfg(test)]
    pub(crate) fn names_read(&self) -> usize {
        self.by_der.len()
    }

    /// Whether `name` lies within the directoryName subtree rooted at `base` (RFC 5280
    /// §4.2.1.10: base's RDNs are a prefix of name's). `None` when the answer cannot be
    /// trusted, and callers treat `None` as a violation: a name that does not read or expands
    /// beyond the cap; one with a control character (RFC 4518 would strip it, which could move
    /// a name in or out of a subtree); or one with a value that is not a directory string
    /// (`O=Corp` as a VisibleString or GeneralString is compared by its BER, so it would
    /// never match an excluded `O=Corp`).
    pub(crate) fn within_subtree(&mut self, name: &[u8], base: &[u8]) -> Option<bool> {
        let (n, b) = (self.info(name), self.info(base));
        if !n.strings_only || !b.strings_only {
            return None;
        }
        let n = self.canonical.get(usize::try_from(n.id.class?).ok()?)?;
        let b = self.canonical.get(usize::try_from(b.id.class?).ok()?)?;
        if n.has_control_characters() || b.has_control_characters() {
            return None;
        }
        Some(n.is_within(b))
    }
}

/// True when the Name has no RDN (its DER is then exactly an empty SEQUENCE; checked without
/// reading the name, as path building asks it of every candidate issuer).
pub(crate) fn is_empty_name(der: &[u8]) -> bool {
    der == [0x30, 0x00]
}

/// The values of emailAddress attributes, for rfc822Name constraints (RFC 5280 §4.2.1.10,
/// last paragraph of the rfc822Name rules). `None` when they cannot all be read: the name
/// itself does not read (too many values in an RDN, too long, a non-minimal OID, …) or an
/// emailAddress value is not a directory string (an IA5String with a byte above 0x7F, a
/// VisibleString, invalid UTF-8). A constraint check must then fail rather than skip them.
pub(crate) fn email_addresses(der: &[u8]) -> Option<Vec<String>> {
    let dn = read(der)?;
    dn.attributes()
        .filter(|a| a.oid().as_bytes() == EMAIL_ADDRESS)
        .map(|a| a.text().map(str::to_owned))
        .collect()
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

    #[test]
    fn chaining_ignores_case_space_and_string_type() {
        assert!(same_name(&cn(0x13, b"Good CA"), &cn(0x0C, b"  good   ca ")));
        assert!(!same_name(&cn(0x13, b"Good CA"), &cn(0x13, b"Good CB")));
        let mut t = NameTable::default();
        assert_eq!(t.within_subtree(&cn(0x13, b"x"), &[0x30, 0x00]), Some(true));
        assert!(is_empty_name(&[0x30, 0x00]));
        assert_eq!(subject_text(&cn(0x0C, b"Good CA")), "CN=Good CA");
    }

    #[test]
    fn control_characters_never_chain_loosely_and_fail_subtree_checks() {
        assert!(!same_name(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA")));
        assert!(same_name(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA\0")));
        let mut t = NameTable::default();
        assert_eq!(t.within_subtree(&cn(0x0C, b"CA\0"), &[0x30, 0x00]), None);
    }

    #[test]
    fn unreadable_names_do_not_match() {
        assert!(!same_name(&[0x30, 0x03, 0x31], &[0x30, 0x00]));
        assert_eq!(subject_text(&[0x30, 0x03, 0x31]), "(unreadable name)");
        let mut t = NameTable::default();
        assert_eq!(t.within_subtree(&[0x31], &[0x30, 0x00]), None);
    }

    /// Issue 7 item 10: each distinct DER name is read and canonicalized once per table, and a
    /// name whose NFKC form would pass the expansion cap is never canonicalized: it matches
    /// only itself, byte for byte, and fails subtree checks.
    #[test]
    fn names_are_read_once_and_expansion_is_capped() {
        let mut t = NameTable::default();
        let upper = cn(0x13, b"GOOD CA");
        let lower = cn(0x0C, b"good ca");
        for _ in 0..100 {
            assert!(t.same(&upper, &lower));
        }
        assert_eq!(t.names_read(), 2);
        // 40 × U+FDFA: 120 bytes of UTF-8, 720 characters under NFKC (cap: 4 × 40 + 16).
        let fdfa = "\u{FDFA}".repeat(40);
        let wide = cn(0x0C, fdfa.as_bytes());
        let bmp: Vec<u8> = fdfa.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(bmp.len() < 0x80);
        let wide_bmp = cn(0x1E, &bmp);
        assert!(t.same(&wide, &wide));
        assert!(!t.same(&wide, &wide_bmp));
        assert!(!same_name(&wide, &wide_bmp));
        assert_eq!(t.within_subtree(&wide, &[0x30, 0x00]), None);
        assert_eq!(t.names_read(), 5, "the two wide names and the empty base");
        // Under the cap, the two encodings are one name.
        let few = "ab\u{FDFA}";
        let bmp: Vec<u8> = few.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(t.same(&cn(0x0C, few.as_bytes()), &cn(0x1E, &bmp)));
    }
}
