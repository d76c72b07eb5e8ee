//! The walk from a DER `Name` to a [`DistinguishedName`] (RFC 5280 §4.1.2.4), over the crate's
//! DER reader.
//!
//! ```text
//! Name ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
//! ```
//!
//! Values are never descended into: a non-string value is kept as its whole element (a
//! high-number tag included), so nesting depth cannot cost stack. Lengths must be definite and
//! minimal (DER); the SET order
//! of a multi-valued RDN is kept as encoded, because OpenSSL and the MongoDB server print it in
//! that order.

use std::borrow::Cow;

use super::{AvaRec, DistinguishedName, DnLimits, StringKind, ValueRef, attr};
use crate::asn1::{DerError, Reader, Tlv};
use crate::error::DnError;

/// The DER reader's error as a [`DnError`] (the same offset and reason).
fn der_error(e: DerError) -> DnError {
    DnError::Der {
        offset: e.offset,
        reason: e.kind.reason(),
    }
}

/// The identifier octet of a single-octet tag; `None` for a high tag number.
fn short_tag(t: &Tlv<'_>) -> Option<u8> {
    (!t.high_tag).then_some(t.tag)
}

/// Decodes a value element to text when it is a directory string type with valid contents.
///
/// Invalid contents (bad UTF-8, a non-ASCII PrintableString, an odd-length BMPString, a
/// surrogate) leave the value as raw BER rather than failing: it still compares and prints,
/// exactly, and the lint reports it.
pub(crate) fn decode_string(tag: Option<u8>, content: &[u8]) -> Option<(StringKind, Cow<'_, str>)> {
    let kind = StringKind::from_tag(tag?)?;
    let text = match kind {
        StringKind::Utf8 => Cow::Borrowed(std::str::from_utf8(content).ok()?),
        // PrintableString's charset (X.680 §41.4) is not enforced here: real certificates
        // carry `_`, `@`, `*` in it and OpenSSL prints them; the lint flags them instead.
        StringKind::Printable | StringKind::Ia5 => {
            if !content.is_ascii() {
                return None;
            }
            Cow::Borrowed(std::str::from_utf8(content).ok()?)
        }
        StringKind::Teletex => Cow::Owned(content.iter().map(|&b| char::from(b)).collect()),
        StringKind::Bmp => {
            if !content.len().is_multiple_of(2) {
                return None;
            }
            let units = content.chunks_exact(2).map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            });
            Cow::Owned(
                char::decode_utf16(units)
                    .collect::<Result<String, _>>()
                    .ok()?,
            )
        }
        StringKind::Universal => {
            if !content.len().is_multiple_of(4) {
                return None;
            }
            content
                .chunks_exact(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    for (d, s) in b.iter_mut().zip(c) {
                        *d = *s;
                    }
                    char::from_u32(u32::from_be_bytes(b))
                })
                .collect::<Option<String>>()
                .map(Cow::Owned)?
        }
    };
    Some((kind, text))
}

/// Names the encoding of a value that is kept as BER (not a readable directory string), for
/// messages: the universal type's name, or the class and number of the tag.
pub(crate) fn describe_encoding(ber: &[u8]) -> String {
    let Some(&first) = ber.first() else {
        return "an empty encoding".to_owned();
    };
    if first & 0x1f == 0x1f {
        return "a tag with a high tag number".to_owned();
    }
    let number = first & 0x1f;
    let class = match first >> 6 {
        0 => None,
        1 => Some("application"),
        2 => Some("context-specific"),
        _ => Some("private"),
    };
    if let Some(class) = class {
        return format!("{class} [{number}]");
    }
    if let Some(kind) = StringKind::from_tag(first) {
        return format!("{} with invalid contents", kind.asn1_name());
    }
    let name = match number {
        1 => "BOOLEAN",
        2 => "INTEGER",
        3 => "BIT STRING",
        4 => "OCTET STRING",
        5 => "NULL",
        6 => "OBJECT IDENTIFIER",
        10 => "ENUMERATED",
        16 => "SEQUENCE",
        17 => "SET",
        18 => "NumericString",
        21 => "VideotexString",
        23 => "UTCTime",
        24 => "GeneralizedTime",
        25 => "GraphicString",
        26 => "VisibleString",
        27 => "GeneralString",
        _ => return format!("universal tag {number}"),
    };
    name.to_owned()
}

/// Checks that `ber` is exactly one element; returns it parsed.
pub(crate) fn single_element(ber: &[u8]) -> Result<Tlv<'_>, &'static str> {
    let mut r = Reader::new(ber);
    let tlv = r.read_element().map_err(|e| e.kind.reason())?;
    if !r.is_empty() {
        return Err("bytes follow the BER element");
    }
    Ok(tlv)
}

/// Reads a `Name` into a [`DistinguishedName`], within `limits`.
pub(crate) fn from_der(
    der: &[u8],
    limits: impl Into<DnLimits>,
) -> Result<DistinguishedName, DnError> {
    let limits: DnLimits = limits.into();
    if der.len() > limits.max_dn_bytes {
        return Err(DnError::TooLong {
            len: der.len(),
            max: limits.max_dn_bytes,
        });
    }
    let mut outer = Reader::new(der);
    let name = outer.read_element().map_err(der_error)?;
    if short_tag(&name) != Some(0x30) {
        return Err(DnError::Der {
            offset: 0,
            reason: "a Name must be a SEQUENCE",
        });
    }
    if !outer.is_empty() {
        return Err(DnError::Der {
            offset: outer.position(),
            reason: "bytes follow the Name",
        });
    }
    let mut dn = DistinguishedName::with_capacity(8, name.value.len());
    let mut seq = name.reader();
    let mut rdns = 0usize;
    while !seq.is_empty() {
        let rdn_at = seq.position();
        let rdn = seq.read_element().map_err(der_error)?;
        if short_tag(&rdn) != Some(0x31) {
            return Err(DnError::Der {
                offset: rdn_at,
                reason: "an RDN must be a SET",
            });
        }
        if rdn.value.is_empty() {
            return Err(DnError::Der {
                offset: rdn_at,
                reason: "an RDN must not be empty",
            });
        }
        if rdns == limits.max_dn_rdns {
            return Err(DnError::TooManyRdns {
                offset: rdn_at,
                max: limits.max_dn_rdns,
            });
        }
        rdns += 1;
        let mut set = rdn.reader();
        let mut values = 0usize;
        while !set.is_empty() {
            let ava_at = set.position();
            let ava = set.read_element().map_err(der_error)?;
            if short_tag(&ava) != Some(0x30) {
                return Err(DnError::Der {
                    offset: ava_at,
                    reason: "an AttributeTypeAndValue must be a SEQUENCE",
                });
            }
            if values == limits.max_rdn_values {
                return Err(DnError::TooManyValues {
                    offset: ava_at,
                    max: limits.max_rdn_values,
                });
            }
            values += 1;
            let mut fields = ava.reader();
            let oid = fields.read_element().map_err(der_error)?;
            if short_tag(&oid) != Some(0x06) {
                return Err(DnError::Der {
                    offset: ava.value_offset,
                    reason: "an attribute type must be an OBJECT IDENTIFIER",
                });
            }
            attr::validate_oid(oid.value).map_err(|reason| DnError::Der {
                offset: oid.value_offset,
                reason,
            })?;
            let val = fields.read_element().map_err(der_error)?;
            if !fields.is_empty() {
                return Err(DnError::Der {
                    offset: fields.position(),
                    reason: "bytes follow the attribute value",
                });
            }
            let oid_ref = dn.intern_oid(oid.value);
            let value = match decode_string(short_tag(&val), val.value) {
                Some((kind, text)) => {
                    let s = dn.text.len();
                    dn.text.push_str(&text);
                    ValueRef::Text(kind, s, dn.text.len())
                }
                None => dn.push_ber(val.full),
            };
            dn.avas.push(AvaRec {
                oid: oid_ref,
                value,
                rdn_start: values == 1,
            });
        }
    }
    Ok(dn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else if n < 0x100 {
            v.extend([0x81, n as u8]);
        } else {
            v.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(content);
        v
    }

    fn ava(oid: &[u8], tag: u8, val: &[u8]) -> Vec<u8> {
        let mut c = tlv(6, oid);
        c.extend(tlv(tag, val));
        tlv(0x30, &c)
    }

    const CN: &[u8] = &[0x55, 4, 3];
    const O: &[u8] = &[0x55, 4, 10];

    #[test]
    fn reads_every_string_type() {
        let mut seq = Vec::new();
        seq.extend(tlv(0x31, &ava(CN, 0x0c, "Lučić".as_bytes())));
        seq.extend(tlv(0x31, &ava(CN, 0x13, b"a_b@c")));
        seq.extend(tlv(0x31, &ava(CN, 0x16, b"x@y")));
        seq.extend(tlv(0x31, &ava(CN, 0x14, &[0x5a, 0xfc, 0x72])));
        seq.extend(tlv(0x31, &ava(CN, 0x1e, &[0, 0x4a, 0x04, 0x1a])));
        seq.extend(tlv(
            0x31,
            &ava(CN, 0x1c, &[0, 0, 0, 0x4a, 0, 1, 0xf6, 0x00]),
        ));
        seq.extend(tlv(0x31, &ava(CN, 0x12, b"123")));
        let dn = from_der(&tlv(0x30, &seq), &Limits::DEFAULT).unwrap();
        let got: Vec<String> = dn
            .attributes()
            .map(|a| match a.value() {
                super::super::AttributeValue::Text { kind, text } => format!("{kind:?}:{text}"),
                super::super::AttributeValue::Ber(b) => format!("ber:{b:02x?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                "Utf8:Lučić",
                "Printable:a_b@c",
                "Ia5:x@y",
                "Teletex:Zür",
                "Bmp:JК",
                "Universal:J\u{1f600}",
                "ber:[12, 03, 31, 32, 33]"
            ]
        );
    }

    #[test]
    fn invalid_string_contents_stay_raw() {
        for (tag, val) in [
            (0x0c, &[0xff][..]),
            (0x13, &[0xc3, 0xa9][..]),
            (0x1e, &[0, 0x41, 0][..]),
            (0x1e, &[0xd8, 0x00][..]),
            (0x1c, &[0, 0x11, 0, 0][..]),
        ] {
            let der = tlv(0x30, &tlv(0x31, &ava(CN, tag, val)));
            let dn = from_der(&der, &Limits::DEFAULT).unwrap();
            let a = dn.attributes().next().unwrap();
            assert!(a.text().is_none(), "{tag:x}");
        }
    }

    #[test]
    fn multi_valued_rdn_keeps_encoded_order() {
        let mut set = ava(O, 0x0c, b"MongoDB");
        set.extend(ava(CN, 0x0c, b"client"));
        let der = tlv(0x30, &tlv(0x31, &set));
        let dn = from_der(&der, &Limits::DEFAULT).unwrap();
        assert_eq!(dn.rdn_count(), 1);
        assert_eq!(dn.to_string(), "CN=client+O=MongoDB");
    }

    #[test]
    fn hostile_der_is_rejected_with_offsets() {
        let good = tlv(0x30, &tlv(0x31, &ava(CN, 0x0c, b"x")));
        let cases: Vec<(Vec<u8>, usize, &str)> = vec![
            (vec![], 0, "unexpected end of data"),
            (vec![0x31, 0], 0, "a Name must be a SEQUENCE"),
            (
                good[..good.len() - 1].to_vec(),
                1,
                "length runs past the end of the data",
            ),
            (
                vec![0x30, 0x80, 0, 0],
                1,
                "indefinite length is not allowed in DER",
            ),
            (
                vec![0x30, 0x81, 0x01, 0],
                1,
                "length is not minimally encoded",
            ),
            (vec![0x30, 0x85, 1, 1, 1, 1, 1], 1, "length is too large"),
            (vec![0x30, 0x02, 0x31, 0x00], 2, "an RDN must not be empty"),
            (vec![0x30, 0x02, 0x30, 0x00], 2, "an RDN must be a SET"),
            (
                [good.clone(), vec![0]].concat(),
                good.len(),
                "bytes follow the Name",
            ),
            (
                tlv(
                    0x30,
                    &tlv(
                        0x31,
                        &tlv(0x30, &[tlv(6, &[0x80, 1]), tlv(0x0c, b"x")].concat()),
                    ),
                ),
                8,
                "OBJECT IDENTIFIER subidentifier is not minimally encoded",
            ),
            (
                tlv(0x30, &tlv(0x31, &tlv(0x30, &tlv(6, CN)))),
                11,
                "unexpected end of data",
            ),
        ];
        for (der, offset, reason) in cases {
            assert_eq!(
                from_der(&der, &Limits::DEFAULT).unwrap_err(),
                DnError::Der { offset, reason },
                "{der:02x?}"
            );
        }
    }

    #[test]
    fn deep_nesting_in_a_value_costs_no_recursion() {
        // 5000 nested SEQUENCEs as a value: kept whole, never descended into.
        let mut v = vec![0x05, 0x00];
        for _ in 0..5000 {
            v = tlv(0x30, &v);
        }
        let der = tlv(0x30, &tlv(0x31, &ava(&[0x2a, 3], 0x30, &v[4..])));
        let mut lim = Limits::DEFAULT;
        lim.max_dn_bytes = 1 << 20;
        let dn = from_der(&der, &lim).unwrap();
        assert!(dn.to_string().starts_with("1.2.3=#30"));
        assert_eq!(
            from_der(&der, &Limits::DEFAULT).unwrap_err().kind(),
            "too_long"
        );
    }

    #[test]
    fn limits_on_rdns_and_values() {
        let one = tlv(0x31, &ava(CN, 0x0c, b"x"));
        let der = tlv(0x30, &one.repeat(65));
        assert_eq!(
            from_der(&der, &Limits::DEFAULT).unwrap_err(),
            DnError::TooManyRdns {
                offset: 4 + 64 * one.len(),
                max: 64
            }
        );
        assert_eq!(
            from_der(&tlv(0x30, &one.repeat(64)), &Limits::DEFAULT)
                .unwrap()
                .rdn_count(),
            64
        );
        let a = ava(CN, 0x0c, b"x");
        let der = tlv(0x30, &tlv(0x31, &a.repeat(17)));
        assert_eq!(
            from_der(&der, &Limits::DEFAULT).unwrap_err(),
            DnError::TooManyValues {
                offset: 6 + 16 * a.len(),
                max: 16
            }
        );
    }

    #[test]
    fn high_tag_numbers_are_kept_raw() {
        let val = [0x1f, 0x81, 0x00, 0x01, 0x41];
        let mut c = tlv(6, CN);
        c.extend_from_slice(&val);
        let der = tlv(0x30, &tlv(0x31, &tlv(0x30, &c)));
        let dn = from_der(&der, &Limits::DEFAULT).unwrap();
        assert_eq!(dn.to_string(), "CN=#1f81000141");
    }
}
