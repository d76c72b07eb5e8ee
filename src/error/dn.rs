//! Errors from reading a Distinguished Name, as RFC 4514 text or as a DER `Name`.

use crate::display::Escaped;

/// Why a Distinguished Name could not be read.
///
/// Offsets are byte offsets into the input (the string for text, the byte slice for DER), so a
/// caller can point at the exact place. Every variant prints a sentence; [`DnError::kind`] is a
/// stable identifier for machines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnError {
    /// The text does not follow the RFC 4514 grammar at `offset`.
    #[error("DN syntax error at byte {offset}: expected {expected}, found {}", describe(*found))]
    Syntax {
        /// Byte offset of the offending character (or the input length at end of input).
        offset: usize,
        /// What the parser expected there.
        expected: &'static str,
        /// The character found, `None` at end of input.
        found: Option<char>,
    },
    /// An attribute type keyword that is not in the attribute table.
    #[error(
        "unknown DN attribute type \"{name}\" at byte {offset}; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3",
        name = Escaped(name)
    )]
    UnknownAttributeType {
        /// Byte offset where the keyword starts.
        offset: usize,
        /// The keyword as written.
        name: String,
    },
    /// A dotted OID that is not a valid object identifier (leading zeros, first arc above 2, ...).
    #[error("invalid object identifier at byte {offset}: {reason}")]
    InvalidOid {
        /// Byte offset where the OID starts.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `\` followed by one hex digit only.
    #[error(
        "incomplete hex escape at byte {offset}: '\\' must be followed by two hex digits or a special character"
    )]
    BadHexEscape {
        /// Byte offset of the backslash.
        offset: usize,
    },
    /// A `\` followed by a character that may not be escaped (or by nothing).
    #[error("invalid escape at byte {offset}: '\\' followed by {}; only two hex digits, a space or one of \"#+,;<=>\\ may follow it", describe(*found))]
    InvalidEscape {
        /// Byte offset of the backslash.
        offset: usize,
        /// The character after the backslash, `None` at end of input.
        found: Option<char>,
    },
    /// Hex escapes (`\XX`) that do not decode to valid UTF-8.
    #[error("the hex escapes starting at byte {offset} do not form valid UTF-8")]
    InvalidUtf8 {
        /// Byte offset of the first escape of the run.
        offset: usize,
    },
    /// A `#hex` value that is not an even number of hex digits encoding one BER element.
    #[error("invalid #hex value at byte {offset}: {reason}")]
    BadHexValue {
        /// Byte offset of the `#`.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The input is longer than the configured limit.
    #[error("DN is {len} bytes long, more than the limit of {max} bytes")]
    TooLong {
        /// Input length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More RDNs than the configured limit.
    #[error("DN has more than {max} RDNs (limit reached at byte {offset})")]
    TooManyRdns {
        /// Byte offset of the first RDN over the limit.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// More attribute values in one RDN than the configured limit.
    #[error("an RDN has more than {max} attribute values (limit reached at byte {offset})")]
    TooManyValues {
        /// Byte offset of the first value over the limit.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// The DER `Name` is malformed.
    #[error("invalid DER Name at byte {offset}: {reason}")]
    Der {
        /// Byte offset into the DER input.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

fn describe(found: Option<char>) -> String {
    match found {
        None => "end of input".to_owned(),
        Some(c) if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
        Some(c) => format!("'{}'", Escaped(c)),
    }
}

impl DnError {
    /// Stable machine-readable identifier of the variant, e.g. `"syntax"`.
    pub fn kind(&self) -> &'static str {
        match self {
            DnError::Syntax { .. } => "syntax",
            DnError::UnknownAttributeType { .. } => "unknown_attribute_type",
            DnError::InvalidOid { .. } => "invalid_oid",
            DnError::BadHexEscape { .. } => "bad_hex_escape",
            DnError::InvalidEscape { .. } => "invalid_escape",
            DnError::InvalidUtf8 { .. } => "invalid_utf8",
            DnError::BadHexValue { .. } => "bad_hex_value",
            DnError::TooLong { .. } => "too_long",
            DnError::TooManyRdns { .. } => "too_many_rdns",
            DnError::TooManyValues { .. } => "too_many_values",
            DnError::Der { .. } => "der",
        }
    }

    /// Byte offset into the input where the problem is, when there is one place.
    pub fn offset(&self) -> Option<usize> {
        match self {
            DnError::Syntax { offset, .. }
            | DnError::UnknownAttributeType { offset, .. }
            | DnError::InvalidOid { offset, .. }
            | DnError::BadHexEscape { offset }
            | DnError::InvalidEscape { offset, .. }
            | DnError::InvalidUtf8 { offset }
            | DnError::BadHexValue { offset, .. }
            | DnError::TooManyRdns { offset, .. }
            | DnError::TooManyValues { offset, .. }
            | DnError::Der { offset, .. } => Some(*offset),
            DnError::TooLong { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_offsets_and_sentences() {
        let cases = [
            (
                DnError::Syntax {
                    offset: 1,
                    expected: "'='",
                    found: Some('x'),
                },
                "syntax",
                Some(1),
                "DN syntax error at byte 1: expected '=', found 'x'",
            ),
            (
                DnError::Syntax {
                    offset: 2,
                    expected: "'='",
                    found: Some('\u{7}'),
                },
                "syntax",
                Some(2),
                "DN syntax error at byte 2: expected '=', found control character U+0007",
            ),
            (
                DnError::UnknownAttributeType {
                    offset: 0,
                    name: "XX".into(),
                },
                "unknown_attribute_type",
                Some(0),
                "unknown DN attribute type \"XX\" at byte 0; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3",
            ),
            (
                DnError::InvalidOid {
                    offset: 3,
                    reason: "an arc is empty",
                },
                "invalid_oid",
                Some(3),
                "invalid object identifier at byte 3: an arc is empty",
            ),
            (
                DnError::BadHexEscape { offset: 4 },
                "bad_hex_escape",
                Some(4),
                "incomplete hex escape at byte 4: '\\' must be followed by two hex digits or a special character",
            ),
            (
                DnError::InvalidUtf8 { offset: 5 },
                "invalid_utf8",
                Some(5),
                "the hex escapes starting at byte 5 do not form valid UTF-8",
            ),
            (
                DnError::BadHexValue {
                    offset: 6,
                    reason: "an odd number of hex digits",
                },
                "bad_hex_value",
                Some(6),
                "invalid #hex value at byte 6: an odd number of hex digits",
            ),
            (
                DnError::TooLong { len: 9, max: 8 },
                "too_long",
                None,
                "DN is 9 bytes long, more than the limit of 8 bytes",
            ),
            (
                DnError::TooManyRdns { offset: 7, max: 64 },
                "too_many_rdns",
                Some(7),
                "DN has more than 64 RDNs (limit reached at byte 7)",
            ),
            (
                DnError::TooManyValues { offset: 8, max: 16 },
                "too_many_values",
                Some(8),
                "an RDN has more than 16 attribute values (limit reached at byte 8)",
            ),
            (
                DnError::Der {
                    offset: 9,
                    reason: "an RDN must be a SET",
                },
                "der",
                Some(9),
                "invalid DER Name at byte 9: an RDN must be a SET",
            ),
        ];
        for (e, kind, offset, text) in cases {
            assert_eq!(
                (e.kind(), e.offset(), e.to_string().as_str()),
                (kind, offset, text)
            );
        }
        assert_eq!(
            DnError::InvalidEscape {
                offset: 0,
                found: Some('q')
            }
            .kind(),
            "invalid_escape"
        );
    }
}
