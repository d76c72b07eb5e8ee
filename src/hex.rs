//! Hexadecimal digits, in one place: bytes to hex text (lower or upper case) and hex digits
//! back to values.

/// The letter case of hex digits written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `0`–`9`, `a`–`f` (RFC 4514 `#hex` values, fingerprints).
    Lower,
    /// `0`–`9`, `A`–`F` (RFC 4514 `\XX` escapes, as OpenSSL and the MongoDB server write them).
    Upper,
}

/// Appends the two hex digits of `byte`.
pub(crate) fn push(out: &mut String, byte: u8, case: Case) {
    let digits: &[u8; 16] = match case {
        Case::Lower => b"0123456789abcdef",
        Case::Upper => b"0123456789ABCDEF",
    };
    for nibble in [byte >> 4, byte & 15] {
        out.push(char::from(
            digits.get(usize::from(nibble)).copied().unwrap_or(b'0'),
        ));
    }
}

/// `bytes` as lowercase hex text.
pub(crate) fn lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        push(&mut out, b, Case::Lower);
    }
    out
}

/// The value of one hex digit (either case).
pub(crate) fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The byte written by two hex digits.
pub(crate) fn pair(hi: u8, lo: u8) -> Option<u8> {
    Some((digit(hi)? << 4) | digit(lo)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut s = String::new();
        push(&mut s, 0xAB, Case::Upper);
        push(&mut s, 0x0F, Case::Lower);
        assert_eq!(s, "AB0f");
        assert_eq!(lower(&[0x00, 0x7F, 0xFF]), "007fff");
        assert_eq!(pair(b'a', b'B'), Some(0xAB));
        assert_eq!(pair(b'g', b'0'), None);
        assert_eq!(digit(b'9'), Some(9));
    }
}
