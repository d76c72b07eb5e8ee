//! The two printers: RFC 4514 text and the MongoDB server username.
//!
//! RFC 4514 §2: RDNs in reverse DER order joined by `,`, values in a multi-valued RDN joined by
//! `+` (here in reverse SET order, as OpenSSL prints them), the OpenSSL short name or the
//! dotted OID, and the value with `"+,;<>\` escaped anywhere, a leading space or `#` and a
//! trailing space escaped (§2.4). Beyond the minimum, every ASCII control character is written
//! as `\XX` (NUL must be, the rest keeps log lines on one line). Non-string values print as
//! `#` and the hex of their whole BER encoding (§2.4).
//!
//! The server username follows `reference/mongodb-x509-ldap.md` §1.3: the server's own
//! escaping, after its RFC 4518 preparation, with every byte ≥ 0x80 as uppercase `\XX`.

use super::{AttributeValue, AvaRec, DistinguishedName, OidRef, attr, prep};

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_hex(out: &mut String, byte: u8, digits: &[u8; 16]) {
    out.push(char::from(
        digits.get(usize::from(byte >> 4)).copied().unwrap_or(b'0'),
    ));
    out.push(char::from(
        digits.get(usize::from(byte & 15)).copied().unwrap_or(b'0'),
    ));
}

/// Writes the attribute type: short name, else dotted OID.
pub(crate) fn write_type(dn: &DistinguishedName, oid: OidRef, out: &mut String) {
    match oid {
        OidRef::Known(i) => out.push_str(attr::info(i).map_or("", |a| a.name)),
        OidRef::Other(..) => attr::write_dotted(dn.oid_bytes(oid), out),
    }
}

/// Walks the attributes in text order, calling `f` with the separator to print before each.
fn for_each_text_order(dn: &DistinguishedName, mut f: impl FnMut(Option<char>, &AvaRec)) {
    let mut prev: Option<&AvaRec> = None;
    for rec in dn.avas.iter().rev() {
        let sep = prev.map(|p| if p.rdn_start { ',' } else { '+' });
        f(sep, rec);
        prev = Some(rec);
    }
}

pub(crate) fn write_rfc4514(dn: &DistinguishedName, out: &mut String) {
    for_each_text_order(dn, |sep, rec| {
        if let Some(c) = sep {
            out.push(c);
        }
        write_type(dn, rec.oid, out);
        out.push('=');
        write_value(dn.value(rec.value), out);
    });
}

/// RFC 4514 §2.4 value text (or `#hex`).
pub(crate) fn write_value(value: AttributeValue<'_>, out: &mut String) {
    match value {
        AttributeValue::Text { text, .. } => escape_rfc4514(text, out),
        AttributeValue::Ber(ber) => {
            out.push('#');
            for &b in ber {
                push_hex(out, b, HEX_LOWER);
            }
        }
    }
}

fn needs_escape(b: u8) -> bool {
    matches!(b, b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'\\') || b < 0x20 || b == 0x7f
}

pub(crate) fn escape_rfc4514(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let plain = !bytes.iter().copied().any(needs_escape)
        && !matches!(bytes.first(), Some(b' ' | b'#'))
        && bytes.last() != Some(&b' ');
    if plain {
        out.push_str(text);
        return;
    }
    let last = bytes.len().saturating_sub(1);
    for (i, c) in text.char_indices() {
        let ascii = u8::try_from(u32::from(c)).ok().filter(u8::is_ascii);
        match ascii {
            Some(b) if b < 0x20 || b == 0x7f => {
                out.push('\\');
                push_hex(out, b, HEX_UPPER);
            }
            Some(b) if needs_escape(b) => {
                out.push('\\');
                out.push(c);
            }
            Some(b' ' | b'#') if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            Some(b' ') if i == last => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
}

pub(crate) fn server_username(dn: &DistinguishedName) -> String {
    let mut out = String::with_capacity(dn.text.len() + 8 * dn.avas.len());
    for_each_text_order(dn, |sep, rec| {
        if let Some(c) = sep {
            out.push(c);
        }
        write_type(dn, rec.oid, &mut out);
        out.push('=');
        match dn.value(rec.value) {
            AttributeValue::Text { text, .. } => {
                escape_server(prep::for_server(text).as_bytes(), &mut out);
            }
            // The server prints a non-string value's content octets as they are.
            AttributeValue::Ber(ber) => {
                let content = super::der::read_tlv(ber, 0, 0).map_or(&[][..], |t| t.content);
                escape_server(content, &mut out);
            }
        }
    });
    out
}

/// MongoDB `escapeRfc2253` (reference §1.3, vectors A1–A9).
pub(crate) fn escape_server(value: &[u8], out: &mut String) {
    let start = out.len();
    let last = value.len().saturating_sub(1);
    for (i, &b) in value.iter().enumerate() {
        if b >= 0x80 {
            out.push('\\');
            push_hex(out, b, HEX_UPPER);
        } else if matches!(b, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';')
            || (i == 0 && matches!(b, b' ' | b'#'))
        {
            out.push('\\');
            out.push(char::from(b));
        } else if i == last && b == b' ' && out.len() - start + 1 > 2 {
            out.push_str("\\ ");
        } else {
            out.push(char::from(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(v: &str) -> String {
        let mut s = String::new();
        escape_server(v.as_bytes(), &mut s);
        s
    }

    /// MongoDB `SSLManager.EscapeRFC2253` (vector A).
    #[test]
    fn mongodb_vector_a() {
        for (raw, printed) in [
            ("abc", "abc"),
            (" abc", r"\ abc"),
            ("#abc", r"\#abc"),
            ("a,c", r"a\,c"),
            ("a+c", r"a\+c"),
            ("a\"c", r#"a\"c"#),
            ("a\\c", r"a\\c"),
            ("a<c", r"a\<c"),
            ("a>c", r"a\>c"),
            ("a;c", r"a\;c"),
            ("abc ", r"abc\ "),
            ("a ", "a "),
            (" ", r"\ "),
            ("a=b#c", "a=b#c"),
        ] {
            assert_eq!(srv(raw), printed, "{raw:?}");
        }
        // Through the whole pipeline, from a DN whose CN has the raw value.
        for (raw, printed) in [(" abc", r"\ abc"), ("abc ", r"abc\ "), ("#abc", r"\#abc")] {
            let mut text = String::new();
            escape_rfc4514(raw, &mut text);
            let dn = DistinguishedName::parse(&format!("CN={text}")).unwrap();
            assert_eq!(dn.server_username(), format!("CN={printed}"));
        }
    }

    #[test]
    fn rfc4514_escaping() {
        for (raw, printed) in [
            ("plain", "plain"),
            (" lead", r"\ lead"),
            ("#x", r"\#x"),
            ("mid#dle", "mid#dle"),
            ("trail ", r"trail\ "),
            (" ", r"\ "),
            ("   ", r"\  \ "),
            ("a\0b", r"a\00b"),
            ("a\r\nb\u{7f}", r"a\0D\0Ab\7F"),
            (r#"q"+,;<>\"#, r#"q\"\+\,\;\<\>\\"#),
            ("a=b", "a=b"),
            ("Lučić", "Lučić"),
        ] {
            let mut s = String::new();
            escape_rfc4514(raw, &mut s);
            assert_eq!(s, printed, "{raw:?}");
        }
    }

    /// MongoDB `DNParsingAndNormalization` (vector B), printed as the server would.
    #[test]
    fn mongodb_vector_b_usernames() {
        for (input, username) in [
            (
                "UID=jsmith,DC=example,DC=net",
                "UID=jsmith,DC=example,DC=net",
            ),
            (
                "OU=Sales+CN=J.  Smith,DC=example,DC=net",
                "OU=Sales+CN=J.  Smith,DC=example,DC=net",
            ),
            (
                "CN=server, O=, DC=example, DC=net",
                "CN=server,O=,DC=example,DC=net",
            ),
            (
                r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#,
                r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#,
            ),
            (
                "CN=Before\\0aAfter,O=tabs\tare\tspaces\u{200B},DC=\\07\\08example,DC=net",
                "CN=Before After,O=tabs are spaces,DC=example,DC=net",
            ),
            (
                r"CN=evil\,OU\=Kernel,O=MongoDB Inc.,L=New York City,ST=New York,C=US",
                r"CN=evil\,OU=Kernel,O=MongoDB Inc.,L=New York City,ST=New York,C=US",
            ),
            (r"CN= \ escaped spaces\20\  ", r"CN=\ escaped spaces \ "),
            ("CN=server, O=MongoDB Inc.", "CN=server,O=MongoDB Inc."),
            (r"CN=\#1 = \\#1", r"CN=\#1 = \\#1"),
            (r"CN== \#1", "CN== #1"),
            (r"CN=Lu\C4\8Di\C4\87", r"CN=Lu\C4\8Di\C4\87"),
            (
                r"CN = Калоян, O=مُنظّمة, L=大田区\, 東京都",
                r"CN=\D0\9A\D0\B0\D0\BB\D0\BE\D1\8F\D0\BD,O=\D9\85\D9\8F\D9\86\D8\B8\D9\91\D9\85\D8\A9,L=\E5\A4\A7\E7\94\B0\E5\8C\BA\, \E6\9D\B1\E4\BA\AC\E9\83\BD",
            ),
        ] {
            assert_eq!(
                DistinguishedName::parse(input).unwrap().server_username(),
                username,
                "{input}"
            );
        }
    }

    #[test]
    fn display_round_trips_and_uses_openssl_names() {
        let dn = DistinguishedName::parse(
            "e=j@x.org+uid=jd,surname=Doe,givenname=J,1.2.3.4=#0403010203,streetAddress=1 Main,SERIALNUMBER=7",
        )
        .unwrap();
        assert_eq!(
            dn.to_string(),
            "emailAddress=j@x.org+UID=jd,SN=Doe,GN=J,1.2.3.4=#0403010203,street=1 Main,serialNumber=7"
        );
        assert_eq!(DistinguishedName::parse(&dn.to_string()).unwrap(), dn);
        assert_eq!(DistinguishedName::parse("").unwrap().to_string(), "");
    }
}
