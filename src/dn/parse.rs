//! RFC 4514 §3 string parser, lenient where people are (RFC 4514 §4 and RFC 2253 habits).
//!
//! Accepted beyond the strict grammar, each reported by the lint: spaces around `,` `+` `=`
//! (RFC 4514 §4 tells implementations to accept them), attribute names in any case and aliases
//! (`E`, `commonName`), the `OID.` prefix (RFC 1779), RFC 2253 §4 quoted values, and `;` as an
//! RDN separator (RFC 2253 §4). Rejected: unescaped `"` `<` `>` and NUL inside a value
//! (RFC 4514 §3 `stringchar`), `\` followed by anything but two hex digits or a special
//! character, hex escapes that are not UTF-8, and `#hex` that is not one BER element.
//!
//! Unescaped spaces at the start and end of a value are not part of it; escaped ones are
//! (RFC 4514 §2.4, MongoDB vector B7). The empty string is the empty name (RFC 4514 §2.1).

use super::attr::{self, KeywordMatch};
use super::der;
use super::lint::{DnLint, DnLintCode};
use super::{AvaRec, DistinguishedName, OidRef, StringKind, ValueRef};
use crate::error::DnError;
use crate::limits::Limits;

struct Parser<'a, 'l> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    dn: DistinguishedName,
    scratch: Vec<u8>,
    lints: Option<&'l mut Vec<DnLint>>,
}

pub(crate) fn parse(
    s: &str,
    limits: &Limits,
    lints: Option<&mut Vec<DnLint>>,
) -> Result<DistinguishedName, DnError> {
    if s.len() > limits.max_dn_bytes {
        return Err(DnError::TooLong {
            len: s.len(),
            max: limits.max_dn_bytes,
        });
    }
    if s.is_empty() {
        return Ok(DistinguishedName::default());
    }
    let mut p = Parser {
        s,
        b: s.as_bytes(),
        i: 0,
        dn: DistinguishedName::with_capacity(8, s.len()),
        scratch: Vec::new(),
        lints,
    };
    p.run(limits)?;
    // Text order is DER order flattened and reversed, inside RDNs too.
    p.dn.avas.reverse();
    Ok(p.dn)
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.s.get(i..).and_then(|t| t.chars().next())
    }

    fn syntax(&self, expected: &'static str) -> DnError {
        DnError::Syntax {
            offset: self.i,
            expected,
            found: self.char_at(self.i),
        }
    }

    fn lint(&mut self, code: DnLintCode, offset: usize, message: String) {
        if let Some(l) = self.lints.as_deref_mut() {
            // One finding per code for text-level lints keeps the output readable.
            if !l.iter().any(|x| x.code == code) {
                l.push(DnLint {
                    code,
                    message,
                    offset: Some(offset),
                });
            }
        }
    }

    fn skip_spaces(&mut self) -> bool {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i != start
    }

    fn run(&mut self, limits: &Limits) -> Result<(), DnError> {
        // The counters below start at the first RDN and value; a zero limit refuses those.
        if limits.max_dn_rdns == 0 {
            return Err(DnError::TooManyRdns { offset: 0, max: 0 });
        }
        if limits.max_rdn_values == 0 {
            return Err(DnError::TooManyValues { offset: 0, max: 0 });
        }
        let mut rdns = 1usize;
        let mut values = 1usize;
        let mut after_sep = false;
        loop {
            let sep_end = self.i;
            if self.skip_spaces() && self.lints.is_some() {
                if after_sep {
                    self.lint(
                        DnLintCode::SpaceAfterComma,
                        sep_end,
                        "spaces after a separator are ignored; write the name without them"
                            .to_owned(),
                    );
                } else {
                    self.lint(
                        DnLintCode::TrimmedSpace,
                        sep_end,
                        "leading spaces are ignored".to_owned(),
                    );
                }
            }
            let oid = self.attribute_type()?;
            let before_eq = self.skip_spaces();
            if self.peek() != Some(b'=') {
                return Err(self.syntax("'=' after the attribute type"));
            }
            self.i += 1;
            let after_eq = self.skip_spaces();
            if (before_eq || after_eq) && self.lints.is_some() {
                self.lint(
                    DnLintCode::SpaceAroundEquals,
                    self.i,
                    "spaces around '=' are ignored".to_owned(),
                );
            }
            let value = self.value()?;
            self.dn.avas.push(AvaRec {
                oid,
                value,
                rdn_start: false,
            });
            match self.peek() {
                None => {
                    if let Some(last) = self.dn.avas.last_mut() {
                        last.rdn_start = true;
                    }
                    return Ok(());
                }
                Some(c @ (b',' | b';')) => {
                    if c == b';' {
                        self.lint(
                            DnLintCode::SemicolonSeparator,
                            self.i,
                            "';' is an RFC 2253 legacy separator; use ','".to_owned(),
                        );
                    }
                    if let Some(last) = self.dn.avas.last_mut() {
                        last.rdn_start = true;
                    }
                    if rdns == limits.max_dn_rdns {
                        return Err(DnError::TooManyRdns {
                            offset: self.i + 1,
                            max: limits.max_dn_rdns,
                        });
                    }
                    rdns += 1;
                    values = 1;
                }
                Some(b'+') => {
                    if values == limits.max_rdn_values {
                        return Err(DnError::TooManyValues {
                            offset: self.i + 1,
                            max: limits.max_rdn_values,
                        });
                    }
                    values += 1;
                }
                Some(_) => return Err(self.syntax("',' or '+' or the end after a value")),
            }
            self.i += 1;
            after_sep = true;
        }
    }

    fn attribute_type(&mut self) -> Result<OidRef, DnError> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_digit() => self.dotted_oid(start),
            Some(c) if c.is_ascii_alphabetic() => {
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'-') {
                    self.i += 1;
                }
                let word = self.s.get(start..self.i).unwrap_or("");
                if word.eq_ignore_ascii_case("oid")
                    && self.peek() == Some(b'.')
                    && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
                {
                    self.i += 1;
                    self.lint(
                        DnLintCode::OidPrefix,
                        start,
                        "the 'OID.' prefix is RFC 1779 syntax; write the dotted OID alone"
                            .to_owned(),
                    );
                    return self.dotted_oid(self.i);
                }
                let Some((idx, how)) = attr::lookup_keyword(word) else {
                    return Err(DnError::UnknownAttributeType {
                        offset: start,
                        name: word.to_owned(),
                    });
                };
                if self.lints.is_some() {
                    let name = attr::info(idx).map_or("", |a| a.name);
                    match how {
                        KeywordMatch::Exact => {}
                        KeywordMatch::OtherCase => self.lint(
                            DnLintCode::LowercaseType,
                            start,
                            format!("attribute type '{word}' is usually written '{name}'"),
                        ),
                        KeywordMatch::Alias => self.lint(
                            DnLintCode::AliasType,
                            start,
                            format!(
                                "attribute type '{word}' is an alias; certificates and the server print '{name}'"
                            ),
                        ),
                    }
                }
                Ok(OidRef::Known(idx))
            }
            _ => Err(self.syntax("an attribute type (a name such as CN or a dotted OID)")),
        }
    }

    fn dotted_oid(&mut self, start: usize) -> Result<OidRef, DnError> {
        let from = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit() || c == b'.') {
            self.i += 1;
        }
        let text = self.s.get(from..self.i).unwrap_or("");
        self.scratch.clear();
        attr::encode_dotted(text, &mut self.scratch).map_err(|reason| DnError::InvalidOid {
            offset: start,
            reason,
        })?;
        let bytes = std::mem::take(&mut self.scratch);
        let oid = self.dn.intern_oid(&bytes);
        self.scratch = bytes;
        Ok(oid)
    }

    fn value(&mut self) -> Result<ValueRef, DnError> {
        match self.peek() {
            Some(b'#') => self.hex_value(),
            Some(b'"') => self.quoted_value(),
            _ => self.string_value(),
        }
    }

    fn hex_value(&mut self) -> Result<ValueRef, DnError> {
        let at = self.i;
        self.i += 1;
        let from = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            self.i += 1;
        }
        let digits = self.b.get(from..self.i).unwrap_or(&[]);
        let bad = |reason| DnError::BadHexValue { offset: at, reason };
        if digits.is_empty() {
            return Err(bad("'#' must be followed by hex digits"));
        }
        if digits.len() % 2 != 0 {
            return Err(bad("an odd number of hex digits"));
        }
        let ber: Vec<u8> = digits
            .chunks_exact(2)
            .map(|p| hex_pair(p.first().copied(), p.get(1).copied()).unwrap_or(0))
            .collect();
        let tlv = der::single_element(&ber).map_err(bad)?;
        let tag = (!tlv.high_tag).then_some(tlv.tag);
        let value = match der::decode_string(tag, tlv.value) {
            Some((kind, text)) => {
                let s = self.dn.text.len();
                self.dn.text.push_str(&text);
                ValueRef::Text(kind, s, self.dn.text.len())
            }
            None => self.dn.push_ber(&ber),
        };
        self.skip_spaces();
        Ok(value)
    }

    fn quoted_value(&mut self) -> Result<ValueRef, DnError> {
        self.lint(
            DnLintCode::QuotedValue,
            self.i,
            "quoted values are RFC 2253 legacy syntax; escape the special characters instead"
                .to_owned(),
        );
        self.i += 1;
        let start = self.dn.text.len();
        loop {
            let run = self.i;
            while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c != 0) {
                self.i += 1;
            }
            self.dn.text.push_str(self.s.get(run..self.i).unwrap_or(""));
            match self.peek() {
                None => return Err(self.syntax("a closing '\"'")),
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => self.escape()?,
                Some(_) => return Err(self.syntax("a value character (write NUL as \\00)")),
            }
        }
        self.skip_spaces();
        Ok(ValueRef::Text(StringKind::Utf8, start, self.dn.text.len()))
    }

    fn string_value(&mut self) -> Result<ValueRef, DnError> {
        let start = self.dn.text.len();
        // Length of the value up to its last escaped or non-space character: unescaped
        // trailing spaces are dropped at the end.
        let mut keep = start;
        loop {
            let run = self.i;
            while matches!(self.peek(), Some(c) if !is_value_special(c)) {
                self.i += 1;
            }
            if self.i > run {
                let chunk = self.s.get(run..self.i).unwrap_or("");
                self.dn.text.push_str(chunk);
                let trimmed = chunk.trim_end_matches(' ').len();
                if trimmed > 0 {
                    keep = self.dn.text.len() - (chunk.len() - trimmed);
                }
            }
            match self.peek() {
                None | Some(b',' | b'+' | b';') => break,
                Some(b'\\') => {
                    self.escape()?;
                    keep = self.dn.text.len();
                }
                Some(b'"') => return Err(self.syntax("a value character ('\"' must be escaped)")),
                Some(b'<') => return Err(self.syntax("a value character ('<' must be escaped)")),
                Some(b'>') => return Err(self.syntax("a value character ('>' must be escaped)")),
                Some(_) => return Err(self.syntax("a value character (write NUL as \\00)")),
            }
        }
        if keep < self.dn.text.len() && self.lints.is_some() {
            self.lint(
                DnLintCode::TrimmedSpace,
                self.i,
                "unescaped spaces at the end of a value are ignored".to_owned(),
            );
        }
        self.dn.text.truncate(keep);
        Ok(ValueRef::Text(StringKind::Utf8, start, keep))
    }

    /// Decodes one escape (or a run of hex escapes) at `self.i`, appending to the text buffer.
    fn escape(&mut self) -> Result<(), DnError> {
        let at = self.i;
        let next = self.b.get(at + 1).copied();
        match next {
            Some(c) if c.is_ascii_hexdigit() => {
                self.scratch.clear();
                while self.peek() == Some(b'\\')
                    && self.b.get(self.i + 1).is_some_and(u8::is_ascii_hexdigit)
                {
                    let byte = hex_pair(
                        self.b.get(self.i + 1).copied(),
                        self.b.get(self.i + 2).copied(),
                    )
                    .ok_or(DnError::BadHexEscape { offset: self.i })?;
                    self.scratch.push(byte);
                    self.i += 3;
                }
                let text = std::str::from_utf8(&self.scratch)
                    .map_err(|_| DnError::InvalidUtf8 { offset: at })?;
                self.dn.text.push_str(text);
                Ok(())
            }
            Some(c @ (b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\')) => {
                self.dn.text.push(char::from(c));
                self.i += 2;
                Ok(())
            }
            _ => Err(DnError::InvalidEscape {
                offset: at,
                found: self.char_at(at + 1),
            }),
        }
    }
}

/// Bytes that end a run of plain value characters.
fn is_value_special(c: u8) -> bool {
    matches!(c, b',' | b'+' | b';' | b'\\' | b'"' | b'<' | b'>' | 0)
}

fn hex_pair(hi: Option<u8>, lo: Option<u8>) -> Option<u8> {
    crate::hex::pair(hi?, lo?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dn::AttributeValue;

    fn entries(s: &str) -> Vec<(String, String)> {
        let dn = DistinguishedName::parse(s).unwrap();
        // Text order, as the MongoDB vectors list them.
        let mut v: Vec<(String, String)> = dn
            .attributes()
            .map(|a| {
                let val = match a.value() {
                    AttributeValue::Text { text, .. } => text.to_owned(),
                    AttributeValue::Ber(b) => format!("{b:02x?}"),
                };
                (a.oid().to_string(), val)
            })
            .collect();
        v.reverse();
        v
    }

    const UID: &str = "0.9.2342.19200300.100.1.1";
    const DC: &str = "0.9.2342.19200300.100.1.25";

    fn e(o: &str, v: &str) -> (String, String) {
        (o.to_owned(), v.to_owned())
    }

    /// RFC 4514 §4 examples.
    #[test]
    fn rfc4514_section4_examples() {
        assert_eq!(
            entries("UID=jsmith,DC=example,DC=net"),
            [e(UID, "jsmith"), e(DC, "example"), e(DC, "net")]
        );
        assert_eq!(
            entries("OU=Sales+CN=J.  Smith,DC=example,DC=net"),
            [
                e("2.5.4.11", "Sales"),
                e("2.5.4.3", "J.  Smith"),
                e(DC, "example"),
                e(DC, "net")
            ]
        );
        assert_eq!(
            entries(r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#)[0],
            e("2.5.4.3", r#"James "Jim" Smith, III"#)
        );
        assert_eq!(
            entries(r"CN=Before\0dAfter,DC=example,DC=net")[0],
            e("2.5.4.3", "Before\rAfter")
        );
        assert_eq!(
            entries("1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com")[0],
            e("1.3.6.1.4.1.1466.0", "[04, 02, 48, 69]")
        );
        assert_eq!(entries(r"CN=Lu\C4\8Di\C4\87"), [e("2.5.4.3", "Lučić")]);
    }

    /// MongoDB `DNParsingAndNormalization` (vector B), values before normalization.
    #[test]
    fn mongodb_vector_b_parse() {
        assert_eq!(
            entries("CN=server, O=, DC=example, DC=net"),
            [
                e("2.5.4.3", "server"),
                e("2.5.4.10", ""),
                e(DC, "example"),
                e(DC, "net")
            ]
        );
        assert_eq!(
            entries(r"CN=evil\,OU\=Kernel,O=MongoDB Inc.,L=New York City,ST=New York,C=US")[0],
            e("2.5.4.3", "evil,OU=Kernel")
        );
        assert_eq!(
            entries(r"CN= \ escaped spaces\20\  "),
            [e("2.5.4.3", " escaped spaces  ")]
        );
        assert_eq!(entries(r"CN=\#1 = \\#1"), [e("2.5.4.3", r"#1 = \#1")]);
        assert_eq!(entries(r"CN== \#1"), [e("2.5.4.3", "= #1")]);
        assert_eq!(
            entries(r"CN = Калоян, O=مُنظّمة الدُّول المُصدِّرة للنّفْط, L=大田区\, 東京都"),
            [
                e("2.5.4.3", "Калоян"),
                e("2.5.4.10", "مُنظّمة الدُّول المُصدِّرة للنّفْط"),
                e("2.5.4.7", "大田区, 東京都")
            ]
        );
    }

    #[test]
    fn what_people_type() {
        let canon = DistinguishedName::parse("CN=Jane Doe,O=MongoDB,C=US").unwrap();
        for s in [
            "cn=Jane Doe , o = MongoDB ,  c=US",
            "commonName=Jane Doe;O=MongoDB;countryName=US",
            "2.5.4.3=Jane Doe,OID.2.5.4.10=MongoDB,oid.2.5.4.6=US",
            "CN=\"Jane Doe\",O=MongoDB,C=US",
            "CN=#0c084a616e6520446f65,O=MongoDB,C=US",
            "CN=#13084A616E6520446F65,O=MongoDB,C=US",
        ] {
            assert_eq!(DistinguishedName::parse(s).unwrap(), canon, "{s}");
        }
        assert_eq!(
            entries("E=a@b.c+EMAIL=d,emailAddress=e")
                .iter()
                .map(|x| x.0.as_str())
                .collect::<Vec<_>>(),
            ["1.2.840.113549.1.9.1"; 3]
        );
        assert_eq!(entries(r#"CN="Doe, Jane""#), [e("2.5.4.3", "Doe, Jane")]);
        assert_eq!(entries(r#"CN=" a+b;<>\"" "#), [e("2.5.4.3", " a+b;<>\"")]);
        assert!(DistinguishedName::parse("").unwrap().is_empty());
    }

    fn err(s: &str) -> DnError {
        DistinguishedName::parse(s).unwrap_err()
    }

    /// MongoDB `BadDNParsing` (vector C) and hostile input.
    #[test]
    fn rejections_with_offsets() {
        assert_eq!(
            err("CN=#12345"),
            DnError::BadHexValue {
                offset: 3,
                reason: "an odd number of hex digits"
            }
        );
        assert_eq!(err(r"CN=\B"), DnError::BadHexEscape { offset: 3 });
        assert_eq!(
            err(r#"CN=<", "\"#),
            DnError::Syntax {
                offset: 3,
                expected: "a value character ('<' must be escaped)",
                found: Some('<')
            }
        );
        assert_eq!(
            err(r"CN=a\"),
            DnError::InvalidEscape {
                offset: 4,
                found: None
            }
        );
        assert_eq!(
            err(r"CN=a\q"),
            DnError::InvalidEscape {
                offset: 4,
                found: Some('q')
            }
        );
        assert_eq!(err(r"CN=a\4g"), DnError::BadHexEscape { offset: 4 });
        assert_eq!(err(r"CN=\FF"), DnError::InvalidUtf8 { offset: 3 });
        assert_eq!(err(r"CN=ok,O=x\C4"), DnError::InvalidUtf8 { offset: 9 });
        assert_eq!(
            err("CN=a\0b"),
            DnError::Syntax {
                offset: 4,
                expected: "a value character (write NUL as \\00)",
                found: Some('\0')
            }
        );
        assert_eq!(
            err("CN=a,"),
            DnError::Syntax {
                offset: 5,
                expected: "an attribute type (a name such as CN or a dotted OID)",
                found: None
            }
        );
        assert_eq!(err("CN=a,,O=b").offset(), Some(5));
        assert_eq!(
            err("CN"),
            DnError::Syntax {
                offset: 2,
                expected: "'=' after the attribute type",
                found: None
            }
        );
        assert_eq!(
            err("   "),
            DnError::Syntax {
                offset: 3,
                expected: "an attribute type (a name such as CN or a dotted OID)",
                found: None
            }
        );
        assert_eq!(
            err("XX=1"),
            DnError::UnknownAttributeType {
                offset: 0,
                name: "XX".into()
            }
        );
        assert_eq!(
            err("CN=a,3.1=x"),
            DnError::InvalidOid {
                offset: 5,
                reason: "the first arc must be 0, 1 or 2"
            }
        );
        assert_eq!(err("CN=a,OID.2.05=x").kind(), "invalid_oid");
        assert_eq!(
            err("CN=\"abc"),
            DnError::Syntax {
                offset: 7,
                expected: "a closing '\"'",
                found: None
            }
        );
        assert_eq!(
            err("CN=\"abc\"x"),
            DnError::Syntax {
                offset: 8,
                expected: "',' or '+' or the end after a value",
                found: Some('x')
            }
        );
        assert_eq!(
            err("CN=#zz"),
            DnError::BadHexValue {
                offset: 3,
                reason: "'#' must be followed by hex digits"
            }
        );
        assert_eq!(
            err("CN=#0c0161ff"),
            DnError::BadHexValue {
                offset: 3,
                reason: "bytes follow the BER element"
            }
        );
        assert_eq!(
            err("CN=#0c05"),
            DnError::BadHexValue {
                offset: 3,
                reason: "length runs past the end of the data"
            }
        );
        assert_eq!(err("=x").kind(), "syntax");
        assert_eq!(err("CN=a;;").kind(), "syntax");
    }

    #[test]
    fn limits_trip_exactly() {
        let long = format!("CN={}", "a".repeat(16 * 1024 - 3));
        assert_eq!(DistinguishedName::parse(&long).unwrap().rdn_count(), 1);
        let long = format!("CN={}", "a".repeat(16 * 1024 - 2));
        assert_eq!(
            err(&long),
            DnError::TooLong {
                len: 16 * 1024 + 1,
                max: 16 * 1024
            }
        );
        let ok = vec!["C=x"; 64].join(",");
        assert_eq!(DistinguishedName::parse(&ok).unwrap().rdn_count(), 64);
        let bad = vec!["C=x"; 65].join(",");
        assert_eq!(
            err(&bad),
            DnError::TooManyRdns {
                offset: 64 * 4,
                max: 64
            }
        );
        let ok = vec!["C=x"; 16].join("+");
        assert_eq!(
            DistinguishedName::parse(&ok)
                .unwrap()
                .rdns()
                .next()
                .unwrap()
                .len(),
            16
        );
        let bad = vec!["C=x"; 17].join("+");
        assert_eq!(
            err(&bad),
            DnError::TooManyValues {
                offset: 16 * 4,
                max: 16
            }
        );
    }

    #[test]
    fn error_messages_are_sentences() {
        assert_eq!(
            err("CN=a\\").to_string(),
            "invalid escape at byte 4: '\\' followed by end of input; only two hex digits, a space or one of \"#+,;<=>\\ may follow it"
        );
        assert_eq!(
            err("CN=a<").to_string(),
            "DN syntax error at byte 4: expected a value character ('<' must be escaped), found '<'"
        );
    }
}
