//! LDIF content records (RFC 2849): `dn:`, `attr: value`, `attr:: base64`, folded lines,
//! comments, blank-line separated records. Change records and `:<` URLs are refused.

use super::directory::DirectoryEntry;
use crate::dn::DistinguishedName;
use crate::error::LdifError;

/// A logical line (folded lines joined) and the number of its first physical line.
struct Logical {
    line: usize,
    text: String,
}

/// Parse `text` into entries, each with the line number of its `dn:` line.
pub(crate) fn parse(text: &str) -> Result<Vec<(usize, DirectoryEntry)>, LdifError> {
    // Pass 1: records of logical lines.
    let mut records: Vec<Vec<Logical>> = Vec::new();
    let mut current: Vec<Logical> = Vec::new();
    let mut in_comment = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = line.strip_prefix(' ') {
            if in_comment {
                continue;
            }
            match current.last_mut() {
                Some(last) => last.text.push_str(cont),
                None => {
                    return Err(LdifError::Syntax {
                        line: line_no,
                        reason:
                            "a continuation line (starting with a space) has no line to continue"
                                .to_owned(),
                    });
                }
            }
            continue;
        }
        in_comment = false;
        if line.is_empty() {
            if !current.is_empty() {
                records.push(core::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with('#') {
            in_comment = true;
            continue;
        }
        current.push(Logical {
            line: line_no,
            text: line.to_owned(),
        });
    }
    if !current.is_empty() {
        records.push(current);
    }

    // Pass 2: each record into an entry.
    let mut entries = Vec::with_capacity(records.len());
    for (r, record) in records.into_iter().enumerate() {
        let mut lines = record.into_iter().peekable();
        if r == 0
            && let Some(first) = lines.peek()
            && first.text.starts_with("version:")
        {
            let version = first.text.trim_start_matches("version:").trim();
            if version != "1" {
                return Err(LdifError::Syntax {
                    line: first.line,
                    reason: "expected `version: 1` (no other LDIF version is supported)".to_owned(),
                });
            }
            lines.next();
            if lines.peek().is_none() {
                continue;
            }
        }
        let Some(first) = lines.next() else { continue };
        let (name, dn) = attr_value(&first)?;
        if name != "dn" {
            return Err(LdifError::Syntax {
                line: first.line,
                reason: "expected a `dn:` line: a record must start with its DN".to_owned(),
            });
        }
        if let Some(reason) = dn_problem(&dn) {
            return Err(LdifError::InvalidDn {
                line: first.line,
                reason,
            });
        }
        let mut entry = DirectoryEntry::new(dn);
        for l in lines {
            let (name, value) = attr_value(&l)?;
            match name.as_str() {
                "changetype" => {
                    return Err(LdifError::Unsupported {
                        line: l.line,
                        what: "a change record (`changetype:`)",
                    });
                }
                "control" => {
                    return Err(LdifError::Unsupported {
                        line: l.line,
                        what: "a `control:` line",
                    });
                }
                "dn" => {
                    return Err(LdifError::Syntax {
                        line: l.line,
                        reason: "a second `dn:` in one record (is a blank line missing?)"
                            .to_owned(),
                    });
                }
                _ => {}
            }
            entry.attributes.entry(name).or_default().push(value);
        }
        entries.push((first.line, entry));
    }
    Ok(entries)
}

/// Why a `dn:` value is not a DN, without quoting it: the parser's error kind and offset.
fn dn_problem(dn: &str) -> Option<String> {
    if dn.trim().is_empty() {
        return Some("the DN is empty".to_owned());
    }
    let e = DistinguishedName::parse(dn).err()?;
    let what = e.kind().replace('_', " ");
    Some(match e.offset() {
        Some(at) => format!("{what} at byte {at} of the value"),
        None => what,
    })
}

/// Split `name: value` / `name:: base64`; the name is lowercased.
fn attr_value(l: &Logical) -> Result<(String, String), LdifError> {
    let Some((name, rest)) = l.text.split_once(':') else {
        return Err(LdifError::Syntax {
            line: l.line,
            reason: "expected `attribute: value` (the line has no `:`)".to_owned(),
        });
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';' || b == b'.')
    {
        return Err(LdifError::Syntax {
            line: l.line,
            reason: "expected an attribute description (letters, digits, `-`, `;`, `.`) before the first `:`"
                .to_owned(),
        });
    }
    let name = name.to_ascii_lowercase();
    if let Some(b64) = rest.strip_prefix(':') {
        let bytes = decode_base64(b64.trim()).ok_or(LdifError::Base64 {
            line: l.line,
            reason: "is not valid base64",
        })?;
        let value = String::from_utf8(bytes).map_err(|_| LdifError::Base64 {
            line: l.line,
            reason: "is not UTF-8 text (binary values are not supported)",
        })?;
        return Ok((name, value));
    }
    if rest.starts_with('<') {
        return Err(LdifError::Unsupported {
            line: l.line,
            what: "a value by URL (`:<`)",
        });
    }
    Ok((name, rest.trim_start_matches(' ').to_owned()))
}

/// Standard base64 (RFC 4648 §4) with padding; `None` on any deviation.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for (j, &c) in chunk.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { val(c)? };
            n = (n << 6) | v;
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.push(a);
        if pad < 2 {
            out.push(b);
        }
        if pad < 1 {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decoding() {
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("Zg==").unwrap(), b"f");
        assert_eq!(decode_base64("Zm8=").unwrap(), b"fo");
        assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
        assert_eq!(decode_base64("RG9lLCBKYW5l").unwrap(), b"Doe, Jane");
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9!", "===="] {
            assert!(decode_base64(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn records_folding_comments_and_base64() {
        let text = "version: 1\n\n# a comment\n#  folded comment\n  still comment\ndn: cn=Jane Doe,\n ou=users,dc=example,dc=com\nobjectClass: person\ncn:: SmFuZSBEb2U=\ndescription: line one\n  continued\n\ndn: cn=x,dc=example,dc=com\r\ncn: x\r\n";
        let entries = parse(text).unwrap();
        assert_eq!(entries.len(), 2);
        let (line, e) = &entries[0];
        assert_eq!(*line, 6);
        assert_eq!(e.dn, "cn=Jane Doe,ou=users,dc=example,dc=com");
        assert_eq!(e.values("cn"), ["Jane Doe"]);
        assert_eq!(e.values("description"), ["line one continued"]);
        assert_eq!(e.values("objectclass"), ["person"]);
        assert_eq!(entries[1].1.values("cn"), ["x"]);
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases: &[(&str, &str, &str)] = &[
            (
                " leading",
                "ldif_syntax",
                "LDIF line 1: a continuation line (starting with a space) has no line to continue",
            ),
            (
                "cn: x\n",
                "ldif_syntax",
                "LDIF line 1: expected a `dn:` line: a record must start with its DN",
            ),
            (
                "dn: cn=a\nbogus\n",
                "ldif_syntax",
                "LDIF line 2: expected `attribute: value` (the line has no `:`)",
            ),
            (
                "dn: cn=a\ncn:: ***\n",
                "ldif_base64",
                "LDIF line 2: a base64 value (after `::`) is not valid base64",
            ),
            (
                "dn: cn=a\njpegPhoto:: /9j/\n",
                "ldif_base64",
                "LDIF line 2: a base64 value (after `::`) is not UTF-8 text (binary values are not supported)",
            ),
            (
                "dn: cn=a\nchangetype: add\n",
                "ldif_unsupported",
                "LDIF line 2: a change record (`changetype:`) is not supported",
            ),
            (
                "dn: cn=a\nphoto:< file:///x\n",
                "ldif_unsupported",
                "LDIF line 2: a value by URL (`:<`) is not supported",
            ),
            (
                "\n\ndn: cn=a;b\n",
                "ldif_invalid_dn",
                "LDIF line 3: the `dn:` value is not a valid DN: unknown attribute type at byte 5 of the value",
            ),
            (
                "dn: cn=a\ndn: cn=b\n",
                "ldif_syntax",
                "LDIF line 2: a second `dn:` in one record (is a blank line missing?)",
            ),
            (
                "version: 2\n",
                "ldif_syntax",
                "LDIF line 1: expected `version: 1` (no other LDIF version is supported)",
            ),
        ];
        for (text, kind, message) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.kind(), *kind, "{text:?}: {e}");
            assert_eq!(e.to_string(), *message);
        }
    }
}
