//! RFC 4515 search filters: a parser for the subset directories are queried with in practice.

use super::escape::hex_val;
use crate::error::FilterError;

/// Deepest nesting of `(&…)`, `(|…)`, `(!…)` accepted; real filters nest two or three deep.
const MAX_DEPTH: usize = 32;
/// Longest filter accepted, in bytes.
const MAX_LEN: usize = 16 * 1024;

/// A parsed search filter. Attribute names are lowercased; values are unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Equality(String, String),
    Present(String),
    Substring {
        attr: String,
        initial: Option<String>,
        any: Vec<String>,
        last: Option<String>,
    },
}

impl Filter {
    /// Parse a filter string (the whole string must be one filter).
    pub(crate) fn parse(text: &str) -> Result<Filter, FilterError> {
        if text.len() > MAX_LEN {
            return Err(FilterError::TooLong {
                len: text.len(),
                limit: MAX_LEN,
            });
        }
        let mut p = Parser {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let f = p.filter(0)?;
        if p.pos != p.bytes.len() {
            return Err(FilterError::Syntax {
                offset: p.pos,
                expected: "end of filter after the closing `)`",
            });
        }
        Ok(f)
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, b: u8, expected: &'static str) -> Result<(), FilterError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(FilterError::Syntax {
                offset: self.pos,
                expected,
            })
        }
    }

    fn filter(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(FilterError::TooDeep { limit: MAX_DEPTH });
        }
        self.expect(b'(', "`(`")?;
        let f = match self.peek() {
            Some(b'&') => {
                self.pos += 1;
                Filter::And(self.list(depth)?)
            }
            Some(b'|') => {
                self.pos += 1;
                Filter::Or(self.list(depth)?)
            }
            Some(b'!') => {
                self.pos += 1;
                Filter::Not(Box::new(self.filter(depth + 1)?))
            }
            _ => self.item()?,
        };
        self.expect(b')', "`)`")?;
        Ok(f)
    }

    /// `(&)` and `(|)` with no operand are the absolute true and false filters (RFC 4526).
    fn list(&mut self, depth: usize) -> Result<Vec<Filter>, FilterError> {
        let mut out = Vec::new();
        while self.peek() == Some(b'(') {
            out.push(self.filter(depth + 1)?);
        }
        Ok(out)
    }

    fn item(&mut self) -> Result<Filter, FilterError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b';' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let attr = core::str::from_utf8(self.bytes.get(start..self.pos).unwrap_or_default())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if attr.is_empty() {
            return Err(FilterError::Syntax {
                offset: start,
                expected: "an attribute description",
            });
        }
        match self.peek() {
            Some(b'=') => self.pos += 1,
            Some(b'~') | Some(b'>') | Some(b'<') => {
                return Err(FilterError::Unsupported {
                    offset: self.pos,
                    what: "approximate and ordering matches (`~=`, `>=`, `<=`)",
                });
            }
            Some(b':') => {
                return Err(FilterError::Unsupported {
                    offset: self.pos,
                    what: "an extensible match (`:=`)",
                });
            }
            _ => {
                return Err(FilterError::Syntax {
                    offset: self.pos,
                    expected: "`=` after the attribute description",
                });
            }
        }
        // The value runs to the closing `)`; unescaped `*` split it into substring parts.
        let mut parts: Vec<Vec<u8>> = vec![Vec::new()];
        loop {
            match self.peek() {
                None => {
                    return Err(FilterError::Syntax {
                        offset: self.pos,
                        expected: "`)` closing the filter item",
                    });
                }
                Some(b')') => break,
                Some(b'(') | Some(0) => {
                    return Err(FilterError::Syntax {
                        offset: self.pos,
                        expected: "a value character (`(` and NUL must be escaped)",
                    });
                }
                Some(b'*') => {
                    parts.push(Vec::new());
                    self.pos += 1;
                }
                Some(b'\\') => {
                    let (h, l) = (self.bytes.get(self.pos + 1), self.bytes.get(self.pos + 2));
                    match (h, l) {
                        (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                            if let Some(last) = parts.last_mut() {
                                last.push((hex_val(h) << 4) | hex_val(l));
                            }
                            self.pos += 3;
                        }
                        _ => {
                            return Err(FilterError::Syntax {
                                offset: self.pos,
                                expected: "two hex digits after `\\`",
                            });
                        }
                    }
                }
                Some(b) => {
                    if let Some(last) = parts.last_mut() {
                        last.push(b);
                    }
                    self.pos += 1;
                }
            }
        }
        let value_start = self.pos;
        let mut strings = Vec::with_capacity(parts.len());
        for p in parts {
            strings.push(String::from_utf8(p).map_err(|_| FilterError::Syntax {
                offset: value_start,
                expected: "a UTF-8 assertion value",
            })?);
        }
        let mut it = strings.into_iter();
        let first = it.next().unwrap_or_default();
        let rest: Vec<String> = it.collect();
        if rest.is_empty() {
            return Ok(Filter::Equality(attr, first));
        }
        if rest.len() == 1 && first.is_empty() && rest.first().is_some_and(String::is_empty) {
            return Ok(Filter::Present(attr));
        }
        let mut rest = rest;
        let last = rest.pop().filter(|s| !s.is_empty());
        if rest.iter().any(String::is_empty) {
            return Err(FilterError::Syntax {
                offset: value_start,
                expected: "no two `*` in a row in a substring filter",
            });
        }
        Ok(Filter::Substring {
            attr,
            initial: Some(first).filter(|s| !s.is_empty()),
            any: rest,
            last,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, v: &str) -> Filter {
        Filter::Equality(a.into(), v.into())
    }

    #[test]
    fn parse_table() {
        assert_eq!(Filter::parse("(cn=Jane)").unwrap(), eq("cn", "Jane"));
        assert_eq!(
            Filter::parse("(objectClass=*)").unwrap(),
            Filter::Present("objectclass".into())
        );
        assert_eq!(
            Filter::parse("(&(objectClass=groupOfNames)(member=cn=a\\2cb))").unwrap(),
            Filter::And(vec![
                eq("objectclass", "groupOfNames"),
                eq("member", "cn=a,b")
            ])
        );
        assert_eq!(
            Filter::parse("(|(!(cn=x))(uid=y))").unwrap(),
            Filter::Or(vec![Filter::Not(Box::new(eq("cn", "x"))), eq("uid", "y")])
        );
        assert_eq!(
            Filter::parse("(cn=ab*c*d)").unwrap(),
            Filter::Substring {
                attr: "cn".into(),
                initial: Some("ab".into()),
                any: vec!["c".into()],
                last: Some("d".into()),
            }
        );
        assert_eq!(
            Filter::parse("(cn=*x*)").unwrap(),
            Filter::Substring {
                attr: "cn".into(),
                initial: None,
                any: vec!["x".into()],
                last: None,
            }
        );
        assert_eq!(Filter::parse("(cn=\\2a)").unwrap(), eq("cn", "*"));
        assert_eq!(Filter::parse("(&)").unwrap(), Filter::And(vec![]));
    }

    #[test]
    fn errors_are_typed_with_offsets() {
        let cases: &[(&str, &str)] = &[
            ("cn=x", "filter_syntax"),
            ("(cn=x", "filter_syntax"),
            ("(cn=x))", "filter_syntax"),
            ("(=x)", "filter_syntax"),
            ("(cn=x(y)", "filter_syntax"),
            ("(cn=\\zz)", "filter_syntax"),
            ("(cn=a**b)", "filter_syntax"),
            ("(cn>=x)", "filter_unsupported"),
            ("(cn:dn:=x)", "filter_unsupported"),
            ("", "filter_syntax"),
        ];
        for (text, kind) in cases {
            let e = Filter::parse(text).unwrap_err();
            assert_eq!(e.kind(), *kind, "{text}: {e}");
        }
        assert_eq!(
            Filter::parse("(cn=x").unwrap_err().to_string(),
            "at byte 5: `)` closing the filter item"
        );
    }

    #[test]
    fn hostile_filters_do_not_panic() {
        let deep = format!("{}(cn=x){}", "(!".repeat(10_000), ")".repeat(10_000));
        assert_eq!(Filter::parse(&deep).unwrap_err().kind(), "filter_too_long");
        let deep = format!("{}(cn=x){}", "(!".repeat(40), ")".repeat(40));
        assert_eq!(
            Filter::parse(&deep).unwrap_err(),
            FilterError::TooDeep { limit: 32 }
        );
        let attr = "an attribute description";
        let hex = "two hex digits after `\\`";
        for (s, offset, expected) in [
            ("(", 1, attr),
            (")", 0, "`(`"),
            ("(&", 2, "`)`"),
            ("(|(", 3, attr),
            ("(!", 2, "`(`"),
            ("(cn=\\", 4, hex),
            ("(cn=\\4", 4, hex),
            ("((((", 1, attr),
            ("(\u{0}=x)", 1, attr),
            ("(cn=\u{e9}\\ff)", 9, "a UTF-8 assertion value"),
        ] {
            assert_eq!(
                Filter::parse(s).unwrap_err(),
                FilterError::Syntax { offset, expected },
                "{s:?}"
            );
        }
    }
}
