//! A small, strict DER reader over borrowed bytes (ITU-T X.690 §10, distinguished encoding).
//!
//! Certificates, CRLs and names are walked with this reader instead of being decoded into owned
//! structures: every field stays a sub-slice of the caller's input, so signatures are checked over
//! the exact bytes that were signed (never a re-encoding) and nothing is copied.
//! Only what X.509 needs is supported: single-byte tags, definite lengths up to 4 length bytes.

use std::fmt;

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

/// Why some bytes are not valid DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerError {
    /// The input ended inside a tag, length or value.
    Truncated,
    /// Indefinite length (BER only), a non-minimal length, or a length above 4 bytes.
    BadLength,
    /// A multi-byte (high-number) tag, which X.509 never uses.
    BadTag,
    /// A different element was found where one was required.
    UnexpectedTag {
        /// The tag required by the structure.
        expected: u8,
        /// The tag found in the input (0 at the end of input).
        found: u8,
    },
    /// Bytes were left over after a complete structure.
    TrailingData,
    /// A value breaks its type's DER rules (BOOLEAN not 0x00/0xFF, non-minimal INTEGER, …).
    BadValue(&'static str),
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DerError::Truncated => f.write_str("the encoding ends early"),
            DerError::BadLength => {
                f.write_str("a length is indefinite, not minimal, or longer than 4 bytes")
            }
            DerError::BadTag => f.write_str("a multi-byte tag is not allowed"),
            DerError::UnexpectedTag { expected, found } => {
                write!(f, "expected tag 0x{expected:02x}, found 0x{found:02x}")
            }
            DerError::TrailingData => f.write_str("unexpected bytes after the end of a structure"),
            DerError::BadValue(why) => f.write_str(why),
        }
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

/// One decoded element: its tag, its value bytes and the whole encoding (tag + length + value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) full: &'a [u8],
}

/// A cursor over a DER byte string.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingData)
        }
    }

    /// Reads the next element, whatever its tag.
    pub(crate) fn read_any(&mut self) -> Result<Tlv<'a>, DerError> {
        let data = self.data;
        let (&tag, rest) = data.split_first().ok_or(DerError::Truncated)?;
        if tag & 0x1F == 0x1F {
            return Err(DerError::BadTag);
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError::Truncated)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // X.690 §10.1: definite form, minimum number of octets.
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 {
                return Err(DerError::BadLength);
            }
            let (len_bytes, after) = rest.split_at_checked(n).ok_or(DerError::Truncated)?;
            rest = after;
            let mut len = 0usize;
            for &b in len_bytes {
                len = (len << 8) | usize::from(b);
            }
            if len < 0x80 || len_bytes.first() == Some(&0) {
                return Err(DerError::BadLength);
            }
            len
        };
        let (value, after) = rest.split_at_checked(len).ok_or(DerError::Truncated)?;
        let header_len = data.len() - rest.len();
        let full = data.get(..header_len + len).ok_or(DerError::Truncated)?;
        self.data = after;
        Ok(Tlv { tag, value, full })
    }

    /// Reads the next element and requires `tag`.
    pub(crate) fn read_tlv(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        match self.peek_tag() {
            Some(t) if t == tag => self.read_any(),
            Some(found) => Err(DerError::UnexpectedTag {
                expected: tag,
                found,
            }),
            None => Err(DerError::UnexpectedTag {
                expected: tag,
                found: 0,
            }),
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
        Ok(Reader::new(self.read(tag)?))
    }
}

/// Parses `bytes` as exactly one element with `tag`; returns its value.
pub(crate) fn single(bytes: &[u8], tag: u8) -> Result<&[u8], DerError> {
    let mut r = Reader::new(bytes);
    let v = r.read(tag)?;
    r.finish()?;
    Ok(v)
}

/// Decodes a DER BOOLEAN value (X.690 §11.1: FALSE is 0x00, TRUE is 0xFF).
pub(crate) fn boolean(value: &[u8]) -> Result<bool, DerError> {
    match value {
        [0x00] => Ok(false),
        [0xFF] => Ok(true),
        _ => Err(DerError::BadValue(
            "a BOOLEAN is not encoded as 0x00 or 0xFF",
        )),
    }
}

/// Checks INTEGER content is minimal (X.690 §8.3.2) and returns it.
pub(crate) fn integer(value: &[u8]) -> Result<&[u8], DerError> {
    match value {
        [] => Err(DerError::BadValue("an INTEGER is empty")),
        [0x00, b, ..] if b & 0x80 == 0 => Err(DerError::BadValue(
            "an INTEGER has a redundant leading 0x00",
        )),
        [0xFF, b, ..] if b & 0x80 != 0 => Err(DerError::BadValue(
            "an INTEGER has a redundant leading 0xFF",
        )),
        _ => Ok(value),
    }
}

/// Decodes a small non-negative INTEGER (path lengths, versions, salt lengths).
pub(crate) fn small_uint(value: &[u8]) -> Result<u32, DerError> {
    let v = integer(value)?;
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(DerError::BadValue(
            "an INTEGER that must be non-negative is negative",
        ));
    }
    let v = match v {
        [0x00, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    if v.len() > 4 {
        return Err(DerError::BadValue("an INTEGER is too large"));
    }
    Ok(v.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

/// Decodes a BIT STRING value with no unused bits (signatures, keys).
pub(crate) fn bit_string_octets(value: &[u8]) -> Result<&[u8], DerError> {
    match value.split_first() {
        Some((0, rest)) => Ok(rest),
        Some(_) => Err(DerError::BadValue(
            "a BIT STRING that must hold whole octets has unused bits",
        )),
        None => Err(DerError::BadValue("a BIT STRING is empty")),
    }
}

/// Decodes a named-bit BIT STRING (keyUsage, reasons) into bits 0.. from the most significant.
pub(crate) fn named_bits(value: &[u8]) -> Result<u32, DerError> {
    let (&unused, bits) = value
        .split_first()
        .ok_or(DerError::BadValue("a BIT STRING is empty"))?;
    if unused > 7 || (bits.is_empty() && unused != 0) || bits.len() > 4 {
        return Err(DerError::BadValue("a BIT STRING is malformed"));
    }
    // X.690 §11.2.1: unused bits are zero. (Trailing zero octets are tolerated: widely seen.)
    if let Some(&last) = bits.last() {
        let mask = ((1u16 << unused) - 1) as u8;
        if last & mask != 0 {
            return Err(DerError::BadValue("a BIT STRING has non-zero unused bits"));
        }
    }
    let mut out = 0u32;
    for (i, &b) in bits.iter().enumerate() {
        out |= u32::from(b) << (24 - 8 * i);
    }
    Ok(out)
}

/// Decodes UTCTime or GeneralizedTime into seconds since the Unix epoch (RFC 5280 §4.1.2.5).
pub(crate) fn time(tlv: &Tlv<'_>) -> Result<i64, DerError> {
    let v = tlv.value;
    let (year, rest) = match tlv.tag {
        // §4.1.2.5.1: YYMMDDHHMMSSZ; YY >= 50 is 19YY, otherwise 20YY.
        tag::UTC_TIME => {
            if v.len() != 13 {
                return Err(DerError::BadValue("a UTCTime is not YYMMDDHHMMSSZ"));
            }
            let yy = digits(v.get(..2))?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, v.get(2..))
        }
        // §4.1.2.5.2: YYYYMMDDHHMMSSZ, no fractional seconds.
        tag::GENERALIZED_TIME => {
            if v.len() != 15 {
                return Err(DerError::BadValue(
                    "a GeneralizedTime is not YYYYMMDDHHMMSSZ",
                ));
            }
            (digits(v.get(..4))?, v.get(4..))
        }
        found => {
            return Err(DerError::UnexpectedTag {
                expected: tag::UTC_TIME,
                found,
            });
        }
    };
    let rest = rest.ok_or(DerError::Truncated)?;
    let month = digits(rest.get(0..2))?;
    let day = digits(rest.get(2..4))?;
    let hour = digits(rest.get(4..6))?;
    let minute = digits(rest.get(6..8))?;
    let second = digits(rest.get(8..10))?;
    if rest.get(10) != Some(&b'Z') {
        return Err(DerError::BadValue("a time is not in UTC (no trailing Z)"));
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(DerError::BadValue("a time has an invalid month")),
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err(DerError::BadValue("a time has an out-of-range field"));
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    Ok(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

fn digits(b: Option<&[u8]>) -> Result<u32, DerError> {
    let b = b.ok_or(DerError::Truncated)?;
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return Err(DerError::BadValue("a time contains a non-digit"));
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Ok(n)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's civil algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_minimal_length() {
        assert_eq!(
            Reader::new(&[0x04, 0x81, 0x01, 0x00])
                .read_any()
                .unwrap_err(),
            DerError::BadLength
        );
        assert_eq!(
            Reader::new(&[0x04, 0x80]).read_any().unwrap_err(),
            DerError::BadLength
        );
        assert_eq!(
            Reader::new(&[0x04, 0x05, 0x00]).read_any().unwrap_err(),
            DerError::Truncated
        );
    }

    #[test]
    fn times() {
        let t = Tlv {
            tag: tag::UTC_TIME,
            value: b"700101000000Z",
            full: &[],
        };
        assert_eq!(time(&t).unwrap(), 0);
        let t = Tlv {
            tag: tag::GENERALIZED_TIME,
            value: b"20110415000000Z",
            full: &[],
        };
        assert_eq!(time(&t).unwrap(), 1_302_825_600);
        let t = Tlv {
            tag: tag::UTC_TIME,
            value: b"500101000000Z",
            full: &[],
        };
        assert_eq!(time(&t).unwrap(), -631_152_000);
    }

    #[test]
    fn key_usage_bits() {
        // digitalSignature + keyCertSign: 0b1000_0100, 2 unused bits.
        assert_eq!(named_bits(&[0x02, 0x84]).unwrap(), 0x8400_0000);
        assert!(named_bits(&[0x02, 0x85]).is_err());
    }
}
