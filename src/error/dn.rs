//! Errors from reading a Distinguished Name, as RFC 4514 text or as a DER `Name`.

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
        "unknown DN attribute type {name:?} at byte {offset}; use a known short name such as CN, O, OU, C or a dotted OID such as 2.5.4.3"
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
    #[error("invalid escape at byte {offset}: '\\' followed by {}; only two hex digits or one of  \"#+,;<=>\\ and space may follow it", describe(*found))]
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
        Some(c) => format!("{c:?}"),
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
