//! Attribute type table: OpenSSL short names, accepted aliases, and OID encoding.
//!
//! Printing uses OpenSSL's short names (what OpenSSL and the MongoDB server print), so a name
//! printed here reads the same as `openssl x509 -nameopt RFC2253` and the server's username.
//! Parsing also accepts the RFC 4514 §3 keywords, X.520 long names and common aliases,
//! case-insensitively. OIDs are kept as their BER content octets (X.690 §8.19) so that any
//! OID, however long, round-trips.

/// One row of the attribute table.
pub(crate) struct AttrInfo {
    /// OpenSSL short name, the spelling used when printing.
    pub(crate) name: &'static str,
    /// Dotted form, kept for tests and documentation.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) dotted: &'static str,
    /// BER content octets of the OID.
    pub(crate) oid: &'static [u8],
    /// Other keywords accepted on input (case-insensitive).
    pub(crate) aliases: &'static [&'static str],
}

const fn a(
    name: &'static str,
    dotted: &'static str,
    oid: &'static [u8],
    aliases: &'static [&'static str],
) -> AttrInfo {
    AttrInfo {
        name,
        dotted,
        oid,
        aliases,
    }
}

const UCL: [u8; 8] = [0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64];

/// The attribute table. X.520 types (2.5.4.x) first, indexed by their last arc in
/// [`lookup_oid`]; the table in MongoDB's `kX509OidToShortNameMappings` plus a few
/// OpenSSL names seen in real certificates.
pub(crate) static ATTRS: &[AttrInfo] = &[
    a("CN", "2.5.4.3", &[0x55, 4, 3], &["commonName"]),
    a("SN", "2.5.4.4", &[0x55, 4, 4], &["surname"]),
    a("serialNumber", "2.5.4.5", &[0x55, 4, 5], &[]),
    a("C", "2.5.4.6", &[0x55, 4, 6], &["countryName"]),
    a("L", "2.5.4.7", &[0x55, 4, 7], &["localityName"]),
    a(
        "ST",
        "2.5.4.8",
        &[0x55, 4, 8],
        &["stateOrProvinceName", "S"],
    ),
    a("street", "2.5.4.9", &[0x55, 4, 9], &["streetAddress"]),
    a("O", "2.5.4.10", &[0x55, 4, 10], &["organizationName"]),
    a(
        "OU",
        "2.5.4.11",
        &[0x55, 4, 11],
        &["organizationalUnitName"],
    ),
    a("title", "2.5.4.12", &[0x55, 4, 12], &[]),
    a("description", "2.5.4.13", &[0x55, 4, 13], &[]),
    a("searchGuide", "2.5.4.14", &[0x55, 4, 14], &[]),
    a("businessCategory", "2.5.4.15", &[0x55, 4, 15], &[]),
    a("postalAddress", "2.5.4.16", &[0x55, 4, 16], &[]),
    a("postalCode", "2.5.4.17", &[0x55, 4, 17], &[]),
    a("postOfficeBox", "2.5.4.18", &[0x55, 4, 18], &[]),
    a(
        "physicalDeliveryOfficeName",
        "2.5.4.19",
        &[0x55, 4, 19],
        &[],
    ),
    a("telephoneNumber", "2.5.4.20", &[0x55, 4, 20], &[]),
    a("telexNumber", "2.5.4.21", &[0x55, 4, 21], &[]),
    a("teletexTerminalIdentifier", "2.5.4.22", &[0x55, 4, 22], &[]),
    a("facsimileTelephoneNumber", "2.5.4.23", &[0x55, 4, 23], &[]),
    a("x121Address", "2.5.4.24", &[0x55, 4, 24], &[]),
    a("internationaliSDNNumber", "2.5.4.25", &[0x55, 4, 25], &[]),
    a("registeredAddress", "2.5.4.26", &[0x55, 4, 26], &[]),
    a("destinationIndicator", "2.5.4.27", &[0x55, 4, 27], &[]),
    a("preferredDeliveryMethod", "2.5.4.28", &[0x55, 4, 28], &[]),
    a("presentationAddress", "2.5.4.29", &[0x55, 4, 29], &[]),
    a(
        "supportedApplicationContext",
        "2.5.4.30",
        &[0x55, 4, 30],
        &[],
    ),
    a("member", "2.5.4.31", &[0x55, 4, 31], &[]),
    a("owner", "2.5.4.32", &[0x55, 4, 32], &[]),
    a("roleOccupant", "2.5.4.33", &[0x55, 4, 33], &[]),
    a("seeAlso", "2.5.4.34", &[0x55, 4, 34], &[]),
    a("userPassword", "2.5.4.35", &[0x55, 4, 35], &[]),
    a("userCertificate", "2.5.4.36", &[0x55, 4, 36], &[]),
    a("cACertificate", "2.5.4.37", &[0x55, 4, 37], &[]),
    a("authorityRevocationList", "2.5.4.38", &[0x55, 4, 38], &[]),
    a("certificateRevocationList", "2.5.4.39", &[0x55, 4, 39], &[]),
    a("crossCertificatePair", "2.5.4.40", &[0x55, 4, 40], &[]),
    a("name", "2.5.4.41", &[0x55, 4, 41], &[]),
    a("GN", "2.5.4.42", &[0x55, 4, 42], &["givenName", "G"]),
    a("initials", "2.5.4.43", &[0x55, 4, 43], &[]),
    a("generationQualifier", "2.5.4.44", &[0x55, 4, 44], &[]),
    a("x500UniqueIdentifier", "2.5.4.45", &[0x55, 4, 45], &[]),
    a("dnQualifier", "2.5.4.46", &[0x55, 4, 46], &[]),
    a("enhancedSearchGuide", "2.5.4.47", &[0x55, 4, 47], &[]),
    a("protocolInformation", "2.5.4.48", &[0x55, 4, 48], &[]),
    a("distinguishedName", "2.5.4.49", &[0x55, 4, 49], &[]),
    a("uniqueMember", "2.5.4.50", &[0x55, 4, 50], &[]),
    a("houseIdentifier", "2.5.4.51", &[0x55, 4, 51], &[]),
    a("supportedAlgorithms", "2.5.4.52", &[0x55, 4, 52], &[]),
    a("deltaRevocationList", "2.5.4.53", &[0x55, 4, 53], &[]),
    a("dmdName", "2.5.4.54", &[0x55, 4, 54], &[]),
    a("pseudonym", "2.5.4.65", &[0x55, 4, 65], &[]),
    a("role", "2.5.4.72", &[0x55, 4, 72], &[]),
    a("organizationIdentifier", "2.5.4.97", &[0x55, 4, 97], &[]),
    a(
        "UID",
        "0.9.2342.19200300.100.1.1",
        &[
            UCL[0], UCL[1], UCL[2], UCL[3], UCL[4], UCL[5], UCL[6], UCL[7], 1, 1,
        ],
        &["userid"],
    ),
    a(
        "mail",
        "0.9.2342.19200300.100.1.3",
        &[
            UCL[0], UCL[1], UCL[2], UCL[3], UCL[4], UCL[5], UCL[6], UCL[7], 1, 3,
        ],
        &["rfc822Mailbox"],
    ),
    a(
        "DC",
        "0.9.2342.19200300.100.1.25",
        &[
            UCL[0], UCL[1], UCL[2], UCL[3], UCL[4], UCL[5], UCL[6], UCL[7], 1, 25,
        ],
        &["domainComponent"],
    ),
    a(
        "emailAddress",
        "1.2.840.113549.1.9.1",
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01],
        &["E", "EMAIL", "pkcs9email"],
    ),
    a(
        "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.1",
        &[0x2B, 6, 1, 4, 1, 0x82, 0x37, 0x3C, 2, 1, 1],
        &[],
    ),
    a(
        "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.2",
        &[0x2B, 6, 1, 4, 1, 0x82, 0x37, 0x3C, 2, 1, 2],
        &[],
    ),
    a(
        "jurisdictionC",
        "1.3.6.1.4.1.311.60.2.1.3",
        &[0x2B, 6, 1, 4, 1, 0x82, 0x37, 0x3C, 2, 1, 3],
        &[],
    ),
    a("subjectAltName", "2.5.29.17", &[0x55, 0x1D, 0x11], &[]),
];

/// Index into [`ATTRS`] of common names, used by printing and lints.
pub(crate) const IDX_CN: u8 = 0;
/// Index of `C`.
pub(crate) const IDX_C: u8 = 3;
/// Index of `DC`.
pub(crate) const IDX_DC: u8 = 57;

/// How an attribute keyword on input relates to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeywordMatch {
    /// Exactly the printed short name.
    Exact,
    /// The short name in another case (`cn`).
    OtherCase,
    /// An alias (`commonName`, `E`).
    Alias,
}

/// Finds the table row of a keyword, case-insensitively.
pub(crate) fn lookup_keyword(word: &str) -> Option<(u8, KeywordMatch)> {
    for (i, info) in ATTRS.iter().enumerate() {
        let idx = u8::try_from(i).ok()?;
        if info.name == word {
            return Some((idx, KeywordMatch::Exact));
        }
        if info.name.eq_ignore_ascii_case(word) {
            return Some((idx, KeywordMatch::OtherCase));
        }
        if info.aliases.iter().any(|al| al.eq_ignore_ascii_case(word)) {
            return Some((idx, KeywordMatch::Alias));
        }
    }
    None
}

/// Finds the table row of an OID given as BER content octets.
pub(crate) fn lookup_oid(oid: &[u8]) -> Option<u8> {
    if let [0x55, 4, n @ 3..=54] = oid {
        // X.520 fast path: rows 0..=51 are 2.5.4.3..=2.5.4.54 in order.
        let idx = n - 3;
        if info(idx).is_some_and(|a| a.oid == oid) {
            return Some(idx);
        }
    }
    ATTRS
        .iter()
        .position(|info| info.oid == oid)
        .and_then(|i| u8::try_from(i).ok())
}

/// The table row at `idx`.
pub(crate) fn info(idx: u8) -> Option<&'static AttrInfo> {
    ATTRS.get(usize::from(idx))
}

/// Encodes a dotted OID (`2.5.4.3`) as BER content octets, appending to `out`.
///
/// RFC 4512 §1.4 `numericoid`: no leading zeros, at least two arcs; X.660: first arc 0–2 and,
/// under 0 and 1, second arc below 40. Arcs are limited to 128 bits.
pub(crate) fn encode_dotted(text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let mut arcs = text.split('.');
    let first = parse_arc(arcs.next())?;
    let second = parse_arc(arcs.next())?;
    if first > 2 {
        return Err("the first arc must be 0, 1 or 2");
    }
    if first < 2 && second >= 40 {
        return Err("under arcs 0 and 1 the second arc must be below 40");
    }
    let head = first
        .checked_mul(40)
        .and_then(|v| v.checked_add(second))
        .ok_or("an arc is too large")?;
    if head >> 126 != 0 {
        return Err("an arc is too large");
    }
    push_base128(head, out);
    for arc in arcs {
        push_base128(parse_arc(Some(arc))?, out);
    }
    Ok(())
}

fn parse_arc(arc: Option<&str>) -> Result<u128, &'static str> {
    let arc = arc.ok_or("an OID needs at least two arcs")?;
    if arc.is_empty() {
        return Err("an arc is empty");
    }
    if arc.len() > 1 && arc.starts_with('0') {
        return Err("an arc has a leading zero");
    }
    let mut v: u128 = 0;
    for b in arc.bytes() {
        if !b.is_ascii_digit() {
            return Err("an arc contains a character that is not a digit");
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(b - b'0')))
            .ok_or("an arc is too large")?;
    }
    // 18 base-128 digits at most, the bound `validate_oid` applies to DER input.
    if v >> 126 != 0 {
        return Err("an arc is too large");
    }
    Ok(v)
}

fn push_base128(mut v: u128, out: &mut Vec<u8>) {
    let mut tmp = [0u8; 19];
    let mut n = 0;
    loop {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = (v & 0x7f) as u8;
        }
        n += 1;
        v >>= 7;
        if v == 0 || n >= tmp.len() {
            break;
        }
    }
    for i in (0..n).rev() {
        let byte = tmp.get(i).copied().unwrap_or(0);
        out.push(if i == 0 { byte } else { byte | 0x80 });
    }
}

/// Checks BER content octets of an OID: non-empty, minimal subidentifiers, arcs within 128 bits.
pub(crate) fn validate_oid(oid: &[u8]) -> Result<(), &'static str> {
    if oid.is_empty() {
        return Err("empty OBJECT IDENTIFIER");
    }
    let mut start = true;
    let mut len = 0usize;
    for &b in oid {
        if start && b == 0x80 {
            return Err("OBJECT IDENTIFIER subidentifier is not minimally encoded");
        }
        len += 1;
        if len > 18 {
            return Err("OBJECT IDENTIFIER arc is larger than 128 bits");
        }
        start = b & 0x80 == 0;
        if start {
            len = 0;
        }
    }
    if !start {
        return Err("OBJECT IDENTIFIER ends inside a subidentifier");
    }
    Ok(())
}

/// Writes the dotted form of validated BER OID content octets.
pub(crate) fn write_dotted(oid: &[u8], out: &mut String) {
    use std::fmt::Write as _;
    let mut first = true;
    let mut v: u128 = 0;
    for &b in oid {
        v = (v << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (x, y) = match v {
                    0..=39 => (0, v),
                    40..=79 => (1, v - 40),
                    _ => (2, v - 80),
                };
                let _ = write!(out, "{x}.{y}");
                first = false;
            } else {
                let _ = write!(out, ".{v}");
            }
            v = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_oids_match_their_dotted_form() {
        for info in ATTRS {
            let mut enc = Vec::new();
            encode_dotted(info.dotted, &mut enc).unwrap();
            assert_eq!(enc, info.oid, "{}", info.name);
            let mut back = String::new();
            write_dotted(info.oid, &mut back);
            assert_eq!(back, info.dotted);
            assert_eq!(lookup_oid(info.oid).and_then(info_of), Some(info.name));
        }
        assert_eq!(info(IDX_CN).unwrap().name, "CN");
        assert_eq!(info(IDX_C).unwrap().name, "C");
        assert_eq!(info(IDX_DC).unwrap().name, "DC");
    }

    fn info_of(i: u8) -> Option<&'static str> {
        info(i).map(|x| x.name)
    }

    #[test]
    fn keywords_are_case_insensitive_with_aliases() {
        assert_eq!(lookup_keyword("CN"), Some((IDX_CN, KeywordMatch::Exact)));
        assert_eq!(
            lookup_keyword("cn"),
            Some((IDX_CN, KeywordMatch::OtherCase))
        );
        assert_eq!(
            lookup_keyword("commonname"),
            Some((IDX_CN, KeywordMatch::Alias))
        );
        let (e, m) = lookup_keyword("E").unwrap();
        assert_eq!(
            (info(e).unwrap().name, m),
            ("emailAddress", KeywordMatch::Alias)
        );
        assert_eq!(
            info(lookup_keyword("userId").unwrap().0).unwrap().name,
            "UID"
        );
        assert_eq!(lookup_keyword("nosuch"), None);
    }

    #[test]
    fn dotted_oid_rules() {
        let mut v = Vec::new();
        assert_eq!(
            encode_dotted("3.1", &mut v),
            Err("the first arc must be 0, 1 or 2")
        );
        assert_eq!(
            encode_dotted("1.40", &mut v),
            Err("under arcs 0 and 1 the second arc must be below 40")
        );
        assert_eq!(
            encode_dotted("2.05", &mut v),
            Err("an arc has a leading zero")
        );
        assert_eq!(
            encode_dotted("2", &mut v),
            Err("an OID needs at least two arcs")
        );
        assert_eq!(encode_dotted("2.5.", &mut v), Err("an arc is empty"));
        v.clear();
        encode_dotted("2.999.85070591730234615865843651857942052863", &mut v).unwrap();
        validate_oid(&v).unwrap();
        let mut s = String::new();
        write_dotted(&v, &mut s);
        assert_eq!(s, "2.999.85070591730234615865843651857942052863");
        assert_eq!(
            encode_dotted("2.5.85070591730234615865843651857942052864", &mut v),
            Err("an arc is too large")
        );
        assert_eq!(
            validate_oid(&[0x80, 0x01]),
            Err("OBJECT IDENTIFIER subidentifier is not minimally encoded")
        );
        assert_eq!(
            validate_oid(&[0x55, 0x84]),
            Err("OBJECT IDENTIFIER ends inside a subidentifier")
        );
        assert_eq!(validate_oid(&[]), Err("empty OBJECT IDENTIFIER"));
    }
}
