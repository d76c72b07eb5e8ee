//! Every operation on Distinguished Names that chain validation needs, behind one narrow interface.
//!
//! This is a stop-gap until the crate's `dn` module (RFC 4514 printing, RFC 4518 canonical
//! comparison) is merged. The bodies are then replaced by the `dn` module:
//! - [`subject_text`]   → `DistinguishedName::from_der(der)?.to_string()` (RFC 4514 profile);
//! - [`same_name`]      → exact DER equality, then `canonical()` equality;
//! - [`within_subtree`] → `CanonicalDn::is_within(base)`;
//! - [`is_empty_name`], [`email_addresses`] → the obvious accessors.
//!
//! Until then the comparison is a simplified RFC 5280 §7.1 match: same number of RDNs, each RDN
//! the same set of attributes (OID equal), and string values compared after decoding, trimming,
//! collapsing internal whitespace and lower-casing. Non-string values compare by exact bytes.

use crate::asn1::{Reader, tag};

/// The subject/issuer as RFC 4514 text for messages (x509-cert's `Display` for now).
pub(crate) fn subject_text(name_der: &[u8]) -> String {
    use der::Decode as _;
    match x509_cert::name::Name::from_der(name_der) {
        Ok(n) => {
            let s = n.to_string();
            if s.is_empty() {
                "(empty name)".to_string()
            } else {
                s
            }
        }
        Err(_) => "(unreadable name)".to_string(),
    }
}

/// True when two DER Names denote the same name (RFC 5280 §7.1; exact DER first).
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    match (rdns(a), rdns(b)) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| same_rdn(p, q)),
        _ => false,
    }
}

/// True when `name` lies within the subtree rooted at `base`: base's RDNs are a prefix of
/// name's (RFC 5280 §4.2.1.10, directoryName).
pub(crate) fn within_subtree(name: &[u8], base: &[u8]) -> bool {
    match (rdns(name), rdns(base)) {
        (Some(n), Some(b)) => b.len() <= n.len() && b.iter().zip(&n).all(|(p, q)| same_rdn(p, q)),
        _ => false,
    }
}

/// True when the Name has no RDN.
pub(crate) fn is_empty_name(der: &[u8]) -> bool {
    rdns(der).is_some_and(|r| r.is_empty())
}

/// The values of emailAddress (1.2.840.113549.1.9.1) attributes, for rfc822Name constraints
/// (RFC 5280 §4.2.1.10, last paragraph of the rfc822Name rules).
pub(crate) fn email_addresses(der: &[u8]) -> Vec<String> {
    const EMAIL: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];
    rdns(der)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .filter(|a| a.oid == EMAIL)
        .filter_map(|a| decode_string(a.tag, a.value))
        .collect()
}

struct Atv<'a> {
    oid: &'a [u8],
    tag: u8,
    value: &'a [u8],
}

fn rdns(der: &[u8]) -> Option<Vec<Vec<Atv<'_>>>> {
    let mut outer = Reader::new(der);
    let mut r = outer.nested(tag::SEQUENCE).ok()?;
    outer.finish().ok()?;
    let mut out = Vec::new();
    while !r.is_empty() {
        let mut set = r.nested(tag::SET).ok()?;
        let mut rdn = Vec::new();
        while !set.is_empty() {
            let mut atv = set.nested(tag::SEQUENCE).ok()?;
            let oid = atv.read(tag::OID).ok()?;
            let v = atv.read_any().ok()?;
            rdn.push(Atv {
                oid,
                tag: v.tag,
                value: v.value,
            });
        }
        out.push(rdn);
    }
    Some(out)
}

fn same_rdn(a: &[Atv<'_>], b: &[Atv<'_>]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_atv(x, y)))
}

fn same_atv(a: &Atv<'_>, b: &Atv<'_>) -> bool {
    if a.oid != b.oid {
        return false;
    }
    if a.tag == b.tag && a.value == b.value {
        return true;
    }
    match (decode_string(a.tag, a.value), decode_string(b.tag, b.value)) {
        (Some(x), Some(y)) => fold(&x) == fold(&y),
        _ => false,
    }
}

/// Decodes the directory string types (RFC 5280 §4.1.2.4).
fn decode_string(t: u8, v: &[u8]) -> Option<String> {
    match t {
        // UTF8String, PrintableString, IA5String
        0x0C | 0x13 | 0x16 => std::str::from_utf8(v).ok().map(str::to_owned),
        // TeletexString: treated as Latin-1, as most software does.
        0x14 => Some(v.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE
        0x1E => {
            if !v.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = v
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE
        0x1C => {
            if !v.len().is_multiple_of(4) {
                return None;
            }
            v.chunks_exact(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    b.copy_from_slice(c);
                    char::from_u32(u32::from_be_bytes(b))
                })
                .collect()
        }
        _ => None,
    }
}

/// Insignificant-space handling and case folding (a subset of RFC 4518 §2.6 and §2.3).
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
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
    fn case_and_space_insensitive() {
        assert!(same_name(&cn(0x13, b"Good CA"), &cn(0x0C, b"  good   ca ")));
        assert!(!same_name(&cn(0x13, b"Good CA"), &cn(0x13, b"Good CB")));
        assert!(within_subtree(&cn(0x13, b"x"), &[0x30, 0x00]));
        assert!(is_empty_name(&[0x30, 0x00]));
    }
}
