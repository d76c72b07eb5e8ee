//! RFC 4514 (DN value) and RFC 4515 (filter value) escaping, and a minimal RFC 4514 DN reader.
//!
//! DN strings are read with the `dn` module's RFC 4514 parser.

use crate::dn::DistinguishedName;
use crate::error::LdapError;

/// Escape an attribute value for a DN string (RFC 4514 §2.4), with the crate's one RFC 4514
/// escaper (`dn::escape_value`): `"`, `+`, `,`, `;`, `<`, `>`, `\`, a leading space or `#`, a
/// trailing space, and every control character (NUL included) as `\XX`, so the value can never
/// end its RDN or start another one.
pub(crate) fn escape_dn_value(value: &str) -> String {
    crate::dn::escape_value(value)
}

/// Undo RFC 4514 escaping, tolerantly: `\XX` hex pairs and `\c` pairs are decoded, a lone
/// trailing `\` is kept. Used on text captured from an RFC 4514 subject string, which is
/// already escaped, so that re-escaping does not double the backslashes.
///
/// Hex pairs that do not decode to UTF-8 (a capture that splits a multi-byte character, e.g.
/// `\C3` alone) are refused with [`LdapError::InvalidUtf8Escape`]: replacing them with U+FFFD
/// would map different names to one LDAP DN.
pub(crate) fn unescape_dn_value(text: &str) -> Result<String, LdapError> {
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
    String::from_utf8(out).map_err(|_| LdapError::InvalidUtf8Escape {
        text: text.to_owned(),
    })
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
    crate::hex::digit(b).unwrap_or(0)
}

/// Whether `dn` is a syntactically valid, non-empty DN string.
///
/// Uses the crate's RFC 4514 parser (`crate::dn`), so what is accepted here is exactly what
/// the rest of the crate can compare.
pub(crate) fn check_dn(dn: &str) -> Result<(), String> {
    if dn.trim().is_empty() {
        return Err("the DN is empty".to_owned());
    }
    read_dn(dn).map(|_| ())
}

/// Parse a DN string (the empty string is the empty DN), with the parser's message on error.
pub(crate) fn read_dn(dn: &str) -> Result<DistinguishedName, String> {
    DistinguishedName::parse(dn).map_err(|e| e.to_string())
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
        assert_eq!(unescape_dn_value("Doe\\, Jane").unwrap(), "Doe, Jane");
        assert_eq!(unescape_dn_value("caf\\C3\\A9").unwrap(), "café");
        assert_eq!(unescape_dn_value("end\\").unwrap(), "end\\");
        assert_eq!(unescape_dn_value("plain").unwrap(), "plain");
    }

    /// `\C3` and `\C4` alone both decoded to U+FFFD before, so two different names gave one
    /// DN; now each is refused, naming its own text.
    #[test]
    fn unescape_refuses_invalid_utf8() {
        for (text, shown) in [
            (r"\C3", r"\\C3"),
            (r"\C4", r"\\C4"),
            (r"a\FF", r"a\\FF"),
            (r"\E2\80", r"\\E2\\80"),
        ] {
            let e = unescape_dn_value(text).unwrap_err();
            assert_eq!(
                e,
                LdapError::InvalidUtf8Escape {
                    text: text.to_owned()
                }
            );
            assert_eq!(e.kind(), "invalid_utf8_escape");
            assert_eq!(
                e.to_string(),
                format!(
                    "the hex escapes in `{shown}` do not decode to UTF-8 (does a mapping rule's capture group split a multi-byte character?); the text is refused rather than read with replacement characters, which would give different names one LDAP DN"
                )
            );
        }
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
            assert_eq!(read_dn(dn).unwrap().rdn_count(), n, "{dn}");
        }
        let type_expected = "expected an attribute type (a name such as CN or a dotted OID)";
        let escape = r##"only two hex digits, a space or one of "#+,;<=>\ may follow it"##;
        let bad = [
            (
                "cn",
                "DN syntax error at byte 2: expected '=' after the attribute type, found end of input".to_owned(),
            ),
            (
                "=x",
                format!("DN syntax error at byte 0: {type_expected}, found '='"),
            ),
            (
                "cn=a\\",
                format!(r"invalid escape at byte 4: '\' followed by end of input; {escape}"),
            ),
            (
                "cn=a\\q",
                format!(r"invalid escape at byte 4: '\' followed by 'q'; {escape}"),
            ),
            (
                "cn=a,",
                format!("DN syntax error at byte 5: {type_expected}, found end of input"),
            ),
            (
                "c n=a",
                "DN syntax error at byte 2: expected '=' after the attribute type, found 'n'".to_owned(),
            ),
            (
                "cn=#abc",
                "invalid #hex value at byte 3: an odd number of hex digits".to_owned(),
            ),
            (
                "1.a=x",
                "invalid object identifier at byte 0: an arc is empty".to_owned(),
            ),
        ];
        for (dn, why) in bad {
            assert_eq!(read_dn(dn).unwrap_err(), why, "{dn} should be refused");
        }
        assert_eq!(check_dn("").unwrap_err(), "the DN is empty");
        let dn = read_dn("cn=Doe\\, Jane+uid=jdoe2 ,ou=users").unwrap();
        // DER order: ou=users first, then the multi-valued RDN.
        let first = dn.rdns().nth(1).unwrap();
        let mut texts: Vec<&str> = first.iter().filter_map(|a| a.text()).collect();
        texts.sort_unstable();
        assert_eq!(texts, ["Doe, Jane", "jdoe2"]);
    }
}
