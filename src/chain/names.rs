//! Every operation on Distinguished Names that chain validation needs, behind one narrow
//! interface over the crate's `dn` module.
//!
//! Issuer/subject chaining compares by exact DER first (the common case, and what RFC 5280
//! §7.1 requires at minimum), then by RFC 4517 distinguishedNameMatch on the canonical form,
//! which is what RFC 5280 §7.1 permits and PKITS 4.3 (name chaining with different case,
//! spacing and string types) expects.

use crate::dn::{CanonicalDn, DistinguishedName};

/// emailAddress (PKCS #9, 1.2.840.113549.1.9.1), DER content bytes.
const EMAIL_ADDRESS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];

fn read(der: &[u8]) -> Option<DistinguishedName> {
    DistinguishedName::from_der(der).ok()
}

fn canonical(der: &[u8]) -> Option<CanonicalDn> {
    read(der).map(|dn| dn.canonical())
}

/// The name as RFC 4514 text, for messages.
pub(crate) fn subject_text(name_der: &[u8]) -> String {
    match read(name_der) {
        Some(dn) if dn.is_empty() => "(empty name)".to_owned(),
        Some(dn) => dn.to_string(),
        None => "(unreadable name)".to_owned(),
    }
}

/// True when two DER Names denote the same name (RFC 5280 §7.1; exact DER first).
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    // Equality of canonical forms keeps control characters as they are, so `CN=CA\00` chains
    // only to `CN=CA\00`, never to `CN=CA`.
    match (canonical(a), canonical(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Whether `name` lies within the directoryName subtree rooted at `base` (RFC 5280
/// §4.2.1.10: base's RDNs are a prefix of name's). `None` when the answer cannot be trusted:
/// a name that does not read, or one with a control character (RFC 4518 would strip it, which
/// could move a name in or out of a subtree); callers treat `None` as a violation.
pub(crate) fn within_subtree(name: &[u8], base: &[u8]) -> Option<bool> {
    let (n, b) = (canonical(name)?, canonical(base)?);
    if n.has_control_characters() || b.has_control_characters() {
        return None;
    }
    Some(n.is_within(&b))
}

/// True when the Name has no RDN.
pub(crate) fn is_empty_name(der: &[u8]) -> bool {
    read(der).is_some_and(|dn| dn.is_empty())
}

/// The values of emailAddress attributes, for rfc822Name constraints (RFC 5280 §4.2.1.10,
/// last paragraph of the rfc822Name rules).
pub(crate) fn email_addresses(der: &[u8]) -> Vec<String> {
    read(der)
        .map(|dn| {
            dn.attributes()
                .filter(|a| a.oid().as_bytes() == EMAIL_ADDRESS)
                .filter_map(|a| a.text().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
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
        assert_eq!(within_subtree(&cn(0x13, b"x"), &[0x30, 0x00]), Some(true));
        assert!(is_empty_name(&[0x30, 0x00]));
        assert_eq!(subject_text(&cn(0x0C, b"Good CA")), "CN=Good CA");
    }

    #[test]
    fn control_characters_never_chain_loosely_and_fail_subtree_checks() {
        assert!(!same_name(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA")));
        assert!(same_name(&cn(0x0C, b"CA\0"), &cn(0x0C, b"CA\0")));
        assert_eq!(within_subtree(&cn(0x0C, b"CA\0"), &[0x30, 0x00]), None);
    }

    #[test]
    fn unreadable_names_do_not_match() {
        assert!(!same_name(&[0x30, 0x03, 0x31], &[0x30, 0x00]));
        assert_eq!(subject_text(&[0x30, 0x03, 0x31]), "(unreadable name)");
        assert_eq!(within_subtree(&[0x31], &[0x30, 0x00]), None);
    }
}
