//! RFC 4514 (DN value) and RFC 4515 (filter value) escaping, and a minimal RFC 4514 DN reader.
//!
//! The full DN parser lives in the `dn` module; this reader only checks syntax and splits
//! RDNs, which is what the mapping rules, the query template and the in-memory directory need.

use core::fmt::Write as _;

/// Escape an attribute value for a DN string (RFC 4514 §2.4).
///
/// Escapes `"`, `+`, `,`, `;`, `<`, `>`, `\`, a leading space or `#`, a trailing space, and
/// NUL (as `\00`), so the value can never end its RDN or start another one.
pub(crate) fn escape_dn_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            _ => out.push(c),
        }
    }
    out
}

/// Undo RFC 4514 escaping, tolerantly: `\XX` hex pairs and `\c` pairs are decoded, a lone
/// trailing `\` is kept. Used on text captured from an RFC 4514 subject string, which is
/// already escaped, so that re-escaping does not double the backslashes.
pub(crate) fn unescape_dn_value(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    out.push((hex_val(h) << 4) | hex_val(l));
                    i += 3;
                }
                (Some(&c), _) => {
                    out.push(c);
                    i += 2;
                }
                (None, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escape an assertion value for a search filter (RFC 4515 §3): `*` `(` `)` `\` NUL become
/// `\2a` `\28` `\29` `\5c` `\00`, so the value can never open, close or widen a filter.
pub(crate) fn escape_filter_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match c {
            '*' => out.push_str("\\2a"),
            '(' => out.push_str("\\28"),
            ')' => out.push_str("\\29"),
            '\\' => out.push_str("\\5c"),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// One attribute type and value of an RDN: the type lowercased, the value unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ava {
    pub(crate) attr: String,
    pub(crate) value: String,
}

/// Read an RFC 4514 DN string into RDNs (each a list of AVAs), checking its syntax.
///
/// Tolerates spaces around `,`, `+` and `=`; accepts `#hex` values (kept as written) and
/// `\XX` / `\c` escapes. Refuses empty attribute types, unescaped `"`, `;`, `<`, `>`, NUL, and
/// a dangling `\`. The empty string is the empty DN (no RDNs).
pub(crate) fn read_dn(dn: &str) -> Result<Vec<Vec<Ava>>, String> {
    let bytes = dn.as_bytes();
    let mut rdns: Vec<Vec<Ava>> = Vec::new();
    if dn.trim().is_empty() {
        return Ok(rdns);
    }
    let mut i = 0;
    let mut rdn: Vec<Ava> = Vec::new();
    loop {
        // attribute type
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
                i += 1;
            } else {
                break;
            }
        }
        let attr = dn.get(start..i).unwrap_or_default();
        if attr.is_empty() {
            return Err(format!("expected an attribute type at byte {start}"));
        }
        let first = attr.as_bytes().first().copied().unwrap_or(b'0');
        if !first.is_ascii_alphanumeric() {
            return Err(format!(
                "attribute type `{attr}` at byte {start} must start with a letter or digit"
            ));
        }
        if first.is_ascii_digit() {
            if !attr.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(format!(
                    "attribute type `{attr}` at byte {start} is neither a name nor an OID"
                ));
            }
        } else if attr.contains('.') {
            return Err(format!(
                "attribute type `{attr}` at byte {start} is neither a name nor an OID"
            ));
        }
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(format!("expected `=` after `{attr}` at byte {i}"));
        }
        i += 1;
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        // attribute value
        let mut value: Vec<u8> = Vec::new();
        if bytes.get(i) == Some(&b'#') {
            let vstart = i;
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_hexdigit) {
                i += 1;
            }
            let hex = dn.get(vstart..i).unwrap_or_default();
            if hex.len() < 3 || hex.len().is_multiple_of(2) {
                return Err(format!(
                    "`#` value at byte {vstart} needs an even, non-zero number of hex digits"
                ));
            }
            value.extend_from_slice(hex.to_ascii_lowercase().as_bytes());
        } else {
            // Trailing unescaped spaces are not part of the value.
            let mut trailing_spaces = 0usize;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b',' | b'+' => break,
                    b'\\' => {
                        trailing_spaces = 0;
                        match (bytes.get(i + 1), bytes.get(i + 2)) {
                            (Some(&h), Some(&l))
                                if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() =>
                            {
                                value.push((hex_val(h) << 4) | hex_val(l));
                                i += 3;
                            }
                            (Some(&c), _)
                                if matches!(
                                    c,
                                    b'"' | b'+'
                                        | b','
                                        | b';'
                                        | b'<'
                                        | b'>'
                                        | b'\\'
                                        | b' '
                                        | b'#'
                                        | b'='
                                ) =>
                            {
                                value.push(c);
                                i += 2;
                            }
                            (Some(_), _) => return Err(format!("invalid escape at byte {i}")),
                            (None, _) => return Err(format!("dangling `\\` at byte {i}")),
                        }
                    }
                    b'"' | b';' | b'<' | b'>' | 0 => {
                        return Err(format!(
                            "character `{}` at byte {i} must be escaped",
                            char::from(b).escape_default()
                        ));
                    }
                    b' ' => {
                        trailing_spaces += 1;
                        value.push(b);
                        i += 1;
                    }
                    _ => {
                        trailing_spaces = 0;
                        value.push(b);
                        i += 1;
                    }
                }
            }
            value.truncate(value.len().saturating_sub(trailing_spaces));
        }
        let value =
            String::from_utf8(value).map_err(|_| format!("value of `{attr}` is not UTF-8"))?;
        rdn.push(Ava {
            attr: attr.to_ascii_lowercase(),
            value,
        });
        match bytes.get(i) {
            None => {
                rdns.push(rdn);
                return Ok(rdns);
            }
            Some(b'+') => {
                i += 1;
            }
            Some(b',') => {
                rdns.push(core::mem::take(&mut rdn));
                i += 1;
            }
            Some(_) => return Err(format!("unexpected character at byte {i}")),
        }
    }
}

/// Whether `dn` is a syntactically valid, non-empty DN string.
pub(crate) fn check_dn(dn: &str) -> Result<(), String> {
    if dn.trim().is_empty() {
        return Err("the DN is empty".to_owned());
    }
    read_dn(dn).map(|_| ())
}

/// Print one AVA in a canonical way for keys: lowercased type, value escaped, lowercased.
pub(crate) fn ava_key(ava: &Ava, out: &mut String) {
    let _ = write!(
        out,
        "{}={}",
        ava.attr,
        escape_dn_value(&ava.value).to_lowercase()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_value_escaping() {
        let cases = [
            ("Jane Doe", "Jane Doe"),
            ("Doe, Jane", "Doe\\, Jane"),
            ("a+b", "a\\+b"),
            ("x)(uid=*", "x)(uid=*"),
            (" lead", "\\ lead"),
            ("trail ", "trail\\ "),
            ("#hash", "\\#hash"),
            ("a\\b", "a\\\\b"),
            ("nul\0", "nul\\00"),
            ("<>;\"", "\\<\\>\\;\\\""),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_dn_value(input), expected, "{input:?}");
        }
    }

    #[test]
    fn filter_value_escaping() {
        let cases = [
            ("CN=x)(uid=*", "CN=x\\29\\28uid=\\2a"),
            ("*", "\\2a"),
            ("a\\b", "a\\5cb"),
            ("n\0", "n\\00"),
            ("cn=a,ou=b", "cn=a,ou=b"),
            ("cn=Doe\\, Jane", "cn=Doe\\5c, Jane"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_filter_value(input), expected, "{input:?}");
        }
    }

    #[test]
    fn unescape_is_tolerant() {
        assert_eq!(unescape_dn_value("Doe\\, Jane"), "Doe, Jane");
        assert_eq!(unescape_dn_value("caf\\C3\\A9"), "café");
        assert_eq!(unescape_dn_value("end\\"), "end\\");
        assert_eq!(unescape_dn_value("plain"), "plain");
    }

    #[test]
    fn read_dn_table() {
        let ok = [
            ("CN=Jane Doe,OU=users,DC=example,DC=com", 4),
            ("cn = Jane , ou = users", 2),
            ("cn=Doe\\, Jane+uid=jdoe2,ou=users", 2),
            ("2.5.4.3=x", 1),
            ("cn=#04024869", 1),
            ("cn=a\\2Cb", 1),
            ("", 0),
        ];
        for (dn, n) in ok {
            assert_eq!(read_dn(dn).unwrap().len(), n, "{dn}");
        }
        let bad = [
            "cn", "=x", "cn=a;b", "cn=a\\", "cn=a\\q", "cn=a,", "c n=a", "cn=\"q\"", "cn=#abc",
            "1.a=x",
        ];
        for dn in bad {
            assert!(read_dn(dn).is_err(), "{dn} should be refused");
        }
        let rdns = read_dn("cn=Doe\\, Jane+uid=jdoe2 ,ou=users").unwrap();
        assert_eq!(rdns[0][0].value, "Doe, Jane");
        assert_eq!(rdns[0][1].attr, "uid");
        assert_eq!(rdns[0][1].value, "jdoe2");
    }
}
