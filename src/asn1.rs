//! The crate's one DER reader (ITU-T X.690 §8 and §10), over borrowed bytes, for
//! certificates, CRLs, keys, signatures and Names.
//!
//! Certificates, CRLs and names are walked with this reader instead of being decoded into owned
//! structures: every field stays a sub-slice of the caller's input, so signatures are checked
//! over the exact bytes that were signed (never a re-encoding) and nothing is copied. Every
//! error carries the byte offset where the problem is, counted from the start of the input the
//! outermost [`Reader`] was given (the certificate, the CRL, the Name).
//!
//! Rules: definite lengths of at most 4 length octets, minimal (X.690 §10.1); structure tags in
//! one octet ([`Reader::read_any`]). [`Reader::read_element`] also takes high-tag-number
//! identifiers (X.690 §8.1.2.4), for the values of Name attributes, which are kept whole.
//!
//! Why the crate keeps this reader rather than `der`'s `SliceReader`/`AnyRef`/`Header`: `der`
//! refuses a universal tag in the long form and universal tag numbers it does not know, which a
//! Name must keep raw (an attribute value is any type, printed as `#hex`, RFC 4514 §2.4); its
//! `UtcTime` covers 1970–2049 only, while RFC 5280 §4.1.2.5.1 UTCTime covers 1950–2049 and
//! PKITS and real CA certificates carry 1950–1969 dates; and its errors are not the sentences
//! with offsets this crate reports. The reader is some 150 lines; `const-oid` (from `der`) is
//! used for OIDs.

use std::fmt;

use crate::time::{self, X509Time};

/// Universal and context tags used by X.509 (X.690 §8.1.2; RFC 5280 §4.1).
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const ENUMERATED: u8 = 0x0A;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
    /// `[n]` constructed (EXPLICIT or IMPLICIT over a constructed type).
    pub(crate) const fn context_constructed(n: u8) -> u8 {
        0xA0 | n
    }
    /// `[n]` primitive (IMPLICIT over a primitive type).
    pub(crate) const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

/// What is wrong with some bytes (the reason of a [`DerError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerErrorKind {
    /// The input ends where an element should start.
    EndOfData,
    /// The input ends inside a high-number tag.
    EndOfTag,
    /// The input ends inside a length.
    EndOfLength,
    /// A length runs past the end of the input.
    Overrun,
    /// Indefinite length (BER only).
    IndefiniteLength,
    /// A length is not in its shortest form.
    NonMinimalLength,
    /// A length of more than 4 octets.
    LengthTooLarge,
    /// A high tag number is not in its shortest form.
    NonMinimalTag,
    /// A high tag number of more than 4 octets.
    TagTooLarge,
    /// A multi-byte (high-number) tag where X.509 structure is read, which X.509 never uses.
    HighTag,
    /// A different element was found where one was required (`found` 0: the end of input).
    UnexpectedTag {
        /// The tag required by the structure.
        expected: u8,
        /// The tag found in the input.
        found: u8,
    },
    /// Bytes were left over after a complete structure.
    TrailingData,
    /// A value breaks its type's rules (BOOLEAN not 0x00/0xFF, non-minimal INTEGER, …).
    BadValue(&'static str),
}

impl DerErrorKind {
    /// The reason as a fixed sentence fragment (an unexpected tag without its numbers).
    pub(crate) fn reason(self) -> &'static str {
        match self {
            DerErrorKind::EndOfData => "unexpected end of data",
            DerErrorKind::EndOfTag => "unexpected end of data in a tag",
            DerErrorKind::EndOfLength => "unexpected end of data in a length",
            DerErrorKind::Overrun => "length runs past the end of the data",
            DerErrorKind::IndefiniteLength => "indefinite length is not allowed in DER",
            DerErrorKind::NonMinimalLength => "length is not minimally encoded",
            DerErrorKind::LengthTooLarge => "length is too large",
            DerErrorKind::NonMinimalTag => "tag number is not minimally encoded",
            DerErrorKind::TagTooLarge => "tag number is too large",
            DerErrorKind::HighTag => "a multi-byte tag is not allowed",
            DerErrorKind::UnexpectedTag { .. } => "unexpected tag",
            DerErrorKind::TrailingData => "unexpected bytes after the end of a structure",
            DerErrorKind::BadValue(why) => why,
        }
    }
}

impl fmt::Display for DerErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DerErrorKind::UnexpectedTag { expected, found } => {
                write!(f, "expected tag 0x{expected:02x}, found 0x{found:02x}")
            }
            other => f.write_str(other.reason()),
        }
    }
}

/// Why some bytes are not valid DER, and where: `offset` counts from the start of the input of
/// the outermost [`Reader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError {
    pub(crate) kind: DerErrorKind,
    pub(crate) offset: usize,
}

impl DerError {
    pub(crate) fn new(kind: DerErrorKind, offset: usize) -> Self {
        DerError { kind, offset }
    }
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.kind, self.offset)
    }
}

/// Where a part lies in the DER it was read from, so that a parsed structure can be kept next
/// to its own copy of the bytes (configured certificates and CRLs) without borrowing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The position of `part`, a sub-slice of `base`, within `base`.
    pub(crate) fn of(base: &[u8], part: &[u8]) -> Span {
        let start = (part.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
        Span {
            start,
            end: start.saturating_add(part.len()),
        }
    }

    /// The part of `der` at this position (empty when `der` is not the base it was taken from).
    pub(crate) fn get(self, der: &[u8]) -> &[u8] {
        der.get(self.start..self.end).unwrap_or(&[])
    }
}

/// One decoded element: its identifier octet, its value bytes, the whole encoding (identifier
/// + length + value) and where it lies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (for a high-number tag, its first octet).
    pub(crate) tag: u8,
    /// The tag number needed more octets (X.690 §8.1.2.4); only [`Reader::read_element`].
    pub(crate) high_tag: bool,
    pub(crate) value: &'a [u8],
    pub(crate) full: &'a [u8],
    /// Offset of the identifier octet in the outermost input.
    pub(crate) offset: usize,
    /// Offset of the first value octet in the outermost input.
    pub(crate) value_offset: usize,
}

impl<'a> Tlv<'a> {
    /// An error about this element's value.
    pub(crate) fn bad(&self, why: &'static str) -> DerError {
        DerError::new(DerErrorKind::BadValue(why), self.value_offset)
    }

    /// A reader over the value (the contents of a constructed element).
    pub(crate) fn reader(&self) -> Reader<'a> {
        Reader {
            data: self.value,
            pos: self.value_offset,
        }
    }

    /// Reads the value as exactly one element with `tag` (an EXPLICIT tag, an OCTET STRING
    /// wrapping a structure).
    pub(crate) fn single(&self, tag: u8) -> Result<Tlv<'a>, DerError> {
        let mut r = self.reader();
        let t = r.read_tlv(tag)?;
        r.finish()?;
        Ok(t)
    }

    /// A DER BOOLEAN (X.690 §11.1: FALSE is 0x00, TRUE is 0xFF).
    pub(crate) fn boolean(&self) -> Result<bool, DerError> {
        match self.value {
            [0x00] => Ok(false),
            [0xFF] => Ok(true),
            _ => Err(self.bad("a BOOLEAN is not encoded as 0x00 or 0xFF")),
        }
    }

    /// INTEGER content, checked minimal (X.690 §8.3.2).
    pub(crate) fn integer(&self) -> Result<&'a [u8], DerError> {
        match self.value {
            [] => Err(self.bad("an INTEGER is empty")),
            [0x00, b, ..] if b & 0x80 == 0 => {
                Err(self.bad("an INTEGER has a redundant leading 0x00"))
            }
            [0xFF, b, ..] if b & 0x80 != 0 => {
                Err(self.bad("an INTEGER has a redundant leading 0xFF"))
            }
            v => Ok(v),
        }
    }

    /// A small non-negative INTEGER (path lengths, versions, salt lengths, reason codes).
    pub(crate) fn small_uint(&self) -> Result<u32, DerError> {
        let v = self.integer()?;
        if v.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(self.bad("an INTEGER that must be non-negative is negative"));
        }
        let v = match v {
            [0x00, rest @ ..] if !rest.is_empty() => rest,
            other => other,
        };
        if v.len() > 4 {
            return Err(self.bad("an INTEGER is too large"));
        }
        Ok(v.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    }

    /// A BIT STRING with no unused bits (signatures, keys): its octets.
    pub(crate) fn bit_string_octets(&self) -> Result<&'a [u8], DerError> {
        match self.value.split_first() {
            Some((0, rest)) => Ok(rest),
            Some(_) => Err(self.bad("a BIT STRING that must hold whole octets has unused bits")),
            None => Err(self.bad("a BIT STRING is empty")),
        }
    }

    /// A named-bit BIT STRING (keyUsage, reasons) as bits 0.. from the most significant.
    pub(crate) fn named_bits(&self) -> Result<u32, DerError> {
        let (&unused, bits) = self
            .value
            .split_first()
            .ok_or(self.bad("a BIT STRING is empty"))?;
        if unused > 7 || (bits.is_empty() && unused != 0) || bits.len() > 4 {
            return Err(self.bad("a BIT STRING is malformed"));
        }
        // X.690 §11.2.1: unused bits are zero. (Trailing zero octets are tolerated: widely seen.)
        if let Some(&last) = bits.last() {
            let mask = ((1u16 << unused) - 1) as u8;
            if last & mask != 0 {
                return Err(self.bad("a BIT STRING has non-zero unused bits"));
            }
        }
        let mut out = 0u32;
        for (i, &b) in bits.iter().enumerate() {
            out |= u32::from(b) << (24 - 8 * i);
        }
        Ok(out)
    }

    /// A UTCTime or GeneralizedTime, as seconds since the Unix epoch (RFC 5280 §4.1.2.5).
    pub(crate) fn time(&self) -> Result<i64, DerError> {
        let kind = match self.tag {
            tag::UTC_TIME => X509Time::Utc,
            tag::GENERALIZED_TIME => X509Time::Generalized,
            found => {
                let expected = tag::UTC_TIME;
                return Err(DerError::new(
                    DerErrorKind::UnexpectedTag { expected, found },
                    self.offset,
                ));
            }
        };
        time::from_x509(kind, self.value).map_err(|why| self.bad(why))
    }
}

/// A cursor over DER bytes that knows where they lie in the outermost input.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    /// Offset of `data[0]` in the outermost input.
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole input (offsets count from its first byte).
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Offset of the next byte in the outermost input.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    fn err(&self, kind: DerErrorKind, at: usize) -> DerError {
        DerError::new(kind, self.pos.saturating_add(at))
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(self.err(DerErrorKind::TrailingData, 0))
        }
    }

    /// Reads the next element, whatever its tag, refusing high-number tags (X.509 structure).
    pub(crate) fn read_any(&mut self) -> Result<Tlv<'a>, DerError> {
        if self.peek_tag().is_some_and(|t| t & 0x1F == 0x1F) {
            return Err(self.err(DerErrorKind::HighTag, 0));
        }
        self.read_element()
    }

    /// Reads the next element, whatever its tag, high-number tags included (at most 4 octets
    /// of tag number, minimal; X.690 §8.1.2.4).
    pub(crate) fn read_element(&mut self) -> Result<Tlv<'a>, DerError> {
        let data = self.data;
        let first = *data.first().ok_or(self.err(DerErrorKind::EndOfData, 0))?;
        let mut i = 1;
        let high_tag = first & 0x1F == 0x1F;
        if high_tag {
            let mut n = 0;
            loop {
                let b = *data.get(i).ok_or(self.err(DerErrorKind::EndOfTag, i))?;
                if n == 0 && b == 0x80 {
                    return Err(self.err(DerErrorKind::NonMinimalTag, i));
                }
                i += 1;
                n += 1;
                if b & 0x80 == 0 {
                    break;
                }
                if n >= 4 {
                    return Err(self.err(DerErrorKind::TagTooLarge, i));
                }
            }
        }
        let len_at = i;
        let lb = *data.get(i).ok_or(self.err(DerErrorKind::EndOfLength, i))?;
        i += 1;
        let len = if lb < 0x80 {
            usize::from(lb)
        } else if lb == 0x80 {
            return Err(self.err(DerErrorKind::IndefiniteLength, len_at));
        } else {
            // X.690 §10.1: definite form, minimum number of octets.
            let n = usize::from(lb & 0x7F);
            if n > 4 {
                return Err(self.err(DerErrorKind::LengthTooLarge, len_at));
            }
            let mut v: usize = 0;
            for k in 0..n {
                let b = *data
                    .get(i + k)
                    .ok_or(self.err(DerErrorKind::EndOfLength, i + k))?;
                if k == 0 && b == 0 {
                    return Err(self.err(DerErrorKind::NonMinimalLength, len_at));
                }
                v = (v << 8) | usize::from(b);
            }
            if v < 0x80 {
                return Err(self.err(DerErrorKind::NonMinimalLength, len_at));
            }
            i += n;
            v
        };
        let end = i
            .checked_add(len)
            .ok_or(self.err(DerErrorKind::Overrun, len_at))?;
        let value = data
            .get(i..end)
            .ok_or(self.err(DerErrorKind::Overrun, len_at))?;
        let full = data
            .get(..end)
            .ok_or(self.err(DerErrorKind::Overrun, len_at))?;
        let tlv = Tlv {
            tag: first,
            high_tag,
            value,
            full,
            offset: self.pos,
            value_offset: self.pos + i,
        };
        self.data = data.get(end..).unwrap_or(&[]);
        self.pos += end;
        Ok(tlv)
    }

    /// Reads the next element and requires `tag`.
    pub(crate) fn read_tlv(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        match self.peek_tag() {
            Some(t) if t == tag => self.read_any(),
            Some(found) => Err(self.err(
                DerErrorKind::UnexpectedTag {
                    expected: tag,
                    found,
                },
                0,
            )),
            // Nothing left: say so, rather than report a tag byte that is not there.
            None => Err(self.err(DerErrorKind::EndOfData, 0)),
        }
    }

    /// Reads the value bytes of the next element, which must carry `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        Ok(self.read_tlv(tag)?.value)
    }

    /// Reads the next element if it carries `tag`.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read_any().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a nested element with `tag` and returns a reader over its contents.
    pub(crate) fn nested(&mut self, tag: u8) -> Result<Reader<'a>, DerError> {
        Ok(self.read_tlv(tag)?.reader())
    }
}

/// Reads `bytes` as exactly one element with `tag`.
pub(crate) fn single(bytes: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let mut r = Reader::new(bytes);
    let t = r.read_tlv(tag)?;
    r.finish()?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DerErrorKind::*;

    /// Reads `der` as a SEQUENCE holding one element of any tag (single-octet tags only),
    /// through a nested reader, so that offsets are checked across nesting.
    fn strict(der: &[u8]) -> Result<(), DerError> {
        let mut r = Reader::new(der);
        let mut seq = r.nested(tag::SEQUENCE)?;
        r.finish()?;
        seq.read_any()?;
        seq.finish()
    }

    /// Every error of the reader, with the byte offset it reports (X.690 §8.1–§10.1). Offsets
    /// count from the start of the outermost input.
    #[test]
    fn every_error_with_its_offset() {
        let cases: &[(&[u8], DerErrorKind, usize)] = &[
            (&[], EndOfData, 0),
            (&[0x30, 0x00], EndOfData, 2),
            (&[0x30, 0x01, 0x04], EndOfLength, 3),
            (&[0x30, 0x02, 0x04, 0x05], Overrun, 3),
            (&[0x30, 0x03, 0x04, 0x80, 0x00], IndefiniteLength, 3),
            (&[0x30, 0x04, 0x04, 0x81, 0x01, 0x00], NonMinimalLength, 3),
            (&[0x30, 0x04, 0x04, 0x82, 0x00, 0x80], NonMinimalLength, 3),
            (&[0x30, 0x07, 0x04, 0x85, 1, 1, 1, 1, 1], LengthTooLarge, 3),
            (&[0x30, 0x03, 0x04, 0x82, 0x01], EndOfLength, 5),
            (&[0x30, 0x02, 0x1F, 0x01], HighTag, 2),
            (
                &[0x31, 0x00],
                UnexpectedTag {
                    expected: 0x30,
                    found: 0x31,
                },
                0,
            ),
            (&[0x30, 0x02, 0x05, 0x00, 0x00], TrailingData, 4),
            (&[0x30, 0x04, 0x05, 0x00, 0x05, 0x00], TrailingData, 4),
        ];
        for &(der, kind, offset) in cases {
            assert_eq!(strict(der), Err(DerError::new(kind, offset)), "{der:02x?}");
        }
        assert_eq!(strict(&[0x30, 0x02, 0x05, 0x00]), Ok(()));

        // High-number tags, read only by `read_element` (Name attribute values).
        let element = |der: &[u8]| Reader::new(der).read_element().map(|t| t.value.len());
        assert_eq!(element(&[0x1F]), Err(DerError::new(EndOfTag, 1)));
        assert_eq!(
            element(&[0x1F, 0x80, 0x01]),
            Err(DerError::new(NonMinimalTag, 1))
        );
        assert_eq!(
            element(&[0x1F, 0x81, 0x81, 0x81, 0x81, 0x01]),
            Err(DerError::new(TagTooLarge, 5))
        );
        assert_eq!(element(&[0x1F, 0x81, 0x00, 0x01, 0xAA]), Ok(1));
        assert_eq!(
            element(&[0x1F, 0x81, 0x00]),
            Err(DerError::new(EndOfLength, 3))
        );

        // Value rules, reported at the first value octet.
        let value = |der: &'static [u8]| {
            Reader::new(der)
                .read_any()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let bad = |why| BadValue(why);
        let checks: Vec<(Result<(), DerError>, DerErrorKind)> = vec![
            (
                value(&[0x01, 0x01, 0x01]).boolean().map(drop),
                bad("a BOOLEAN is not encoded as 0x00 or 0xFF"),
            ),
            (
                value(&[0x02, 0x00]).integer().map(drop),
                bad("an INTEGER is empty"),
            ),
            (
                value(&[0x02, 0x02, 0x00, 0x01]).integer().map(drop),
                bad("an INTEGER has a redundant leading 0x00"),
            ),
            (
                value(&[0x02, 0x02, 0xFF, 0x80]).integer().map(drop),
                bad("an INTEGER has a redundant leading 0xFF"),
            ),
            (
                value(&[0x02, 0x01, 0x80]).small_uint().map(drop),
                bad("an INTEGER that must be non-negative is negative"),
            ),
            (
                value(&[0x02, 0x05, 1, 0, 0, 0, 0]).small_uint().map(drop),
                bad("an INTEGER is too large"),
            ),
            (
                value(&[0x03, 0x02, 0x01, 0x00])
                    .bit_string_octets()
                    .map(drop),
                bad("a BIT STRING that must hold whole octets has unused bits"),
            ),
            (
                value(&[0x03, 0x00]).bit_string_octets().map(drop),
                bad("a BIT STRING is empty"),
            ),
            (
                value(&[0x03, 0x00]).named_bits().map(drop),
                bad("a BIT STRING is empty"),
            ),
            (
                value(&[0x03, 0x01, 0x08]).named_bits().map(drop),
                bad("a BIT STRING is malformed"),
            ),
            (
                value(&[0x03, 0x02, 0x02, 0x85]).named_bits().map(drop),
                bad("a BIT STRING has non-zero unused bits"),
            ),
            (
                value(b"\x17\x0b70010100000").time().map(drop),
                bad("a UTCTime is not YYMMDDHHMMSSZ"),
            ),
            (
                value(b"\x18\x0d7001010000000").time().map(drop),
                bad("a GeneralizedTime is not YYYYMMDDHHMMSSZ"),
            ),
            (
                value(b"\x17\x0d70010100000aZ").time().map(drop),
                bad("a time contains a non-digit"),
            ),
            (
                value(b"\x17\x0d700101000000+").time().map(drop),
                bad("a time is not in UTC (no trailing Z)"),
            ),
            (
                value(b"\x17\x0d701301000000Z").time().map(drop),
                bad("a time has an invalid month"),
            ),
            (
                value(b"\x17\x0d700230000000Z").time().map(drop),
                bad("a time has an out-of-range field"),
            ),
        ];
        for (got, kind) in checks {
            assert_eq!(got, Err(DerError::new(kind, 2)));
        }
        assert_eq!(
            value(&[0x04, 0x00]).time(),
            Err(DerError::new(
                UnexpectedTag {
                    expected: tag::UTC_TIME,
                    found: 0x04
                },
                0
            ))
        );
        assert_eq!(
            value(&[0x03, 0x02, 0x02, 0x84]).named_bits(),
            Ok(0x8400_0000)
        );
    }

    /// Offsets survive nesting: an error three levels down names its byte in the whole input.
    #[test]
    fn offsets_count_from_the_outermost_input() {
        let der = [0x30, 0x06, 0x30, 0x04, 0xA0, 0x02, 0x02, 0x00];
        let mut r = Reader::new(&der);
        let mut a = r.nested(tag::SEQUENCE).unwrap_or_else(|e| panic!("{e}"));
        let mut b = a.nested(tag::SEQUENCE).unwrap_or_else(|e| panic!("{e}"));
        let c = b
            .read_tlv(tag::context_constructed(0))
            .unwrap_or_else(|e| panic!("{e}"));
        let e = c.single(tag::INTEGER).and_then(|t| t.integer().map(drop));
        assert_eq!(e, Err(DerError::new(BadValue("an INTEGER is empty"), 8)));
        assert_eq!(
            e.map_err(|e| e.to_string()),
            Err("an INTEGER is empty (at byte 8)".to_owned())
        );
    }
}
