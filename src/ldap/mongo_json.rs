//! MongoDB's `security.ldap.userToDNMapping` value, read verbatim: a JSON array of
//! `{match, substitution}` / `{match, ldapQuery}` objects (or one such object), in the relaxed
//! JSON MongoDB accepts (unquoted keys, single-quoted strings, a trailing comma). An empty
//! string or `[]` means no rules. A MongoDB configuration migrates by copy and paste.

use super::mapping::{MappingRule, UserToDnMapping};
use crate::error::LdapConfigError;

/// Nesting is fixed (array of objects of strings), so the reader needs no recursion.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

type Res<T> = Result<T, LdapConfigError>;

impl Reader<'_> {
    fn err<T>(&self, reason: impl Into<String>) -> Res<T> {
        Err(LdapConfigError::MappingJson {
            offset: self.pos,
            reason: reason.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|r| r.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Res<()> {
        if self.eat(c) {
            Ok(())
        } else {
            self.err(format!("expected `{c}`"))
        }
    }

    fn string(&mut self) -> Res<String> {
        self.ws();
        let Some(quote @ ('"' | '\'')) = self.peek() else {
            return self.err("expected a string in quotes");
        };
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return self.err("unterminated string"),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => {
                    let c = match self.bump() {
                        Some('"') => '"',
                        Some('\'') => '\'',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => self.unicode_escape()?,
                        _ => return self.err("invalid escape after `\\`"),
                    };
                    out.push(c);
                }
                Some(c) if u32::from(c) < 0x20 => {
                    return self.err("a control character inside a string must be escaped");
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Res<u32> {
        let Some(digits) = self.text.get(self.pos..self.pos + 4) else {
            return self.err("expected four hex digits after `\\u`");
        };
        let Ok(v) = u32::from_str_radix(digits, 16) else {
            return self.err("expected four hex digits after `\\u`");
        };
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.err("expected four hex digits after `\\u`");
        }
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Res<char> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.text.get(self.pos..self.pos + 2) != Some("\\u") {
                return self.err("a high surrogate must be followed by a `\\u` low surrogate");
            }
            self.pos += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return self.err("expected a low surrogate");
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.err("`\\u` escape of a lone surrogate"),
        }
    }

    fn key(&mut self) -> Res<String> {
        self.ws();
        match self.peek() {
            Some('"' | '\'') => self.string(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                {
                    self.bump();
                }
                Ok(self
                    .text
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .to_owned())
            }
            _ => self.err("expected a key"),
        }
    }

    /// One `{match, substitution | ldapQuery}` object; `index` counts from 0.
    fn rule(&mut self, index: usize) -> Res<MappingRule> {
        self.ws();
        let start = self.pos;
        self.expect('{')?;
        let (mut pattern, mut substitution, mut query) = (None, None, None);
        loop {
            if self.eat('}') {
                break;
            }
            let at = self.pos;
            let key = self.key()?;
            self.expect(':')?;
            let value = self.string()?;
            let slot = match key.as_str() {
                "match" => &mut pattern,
                "substitution" => &mut substitution,
                "ldapQuery" => &mut query,
                _ => {
                    self.pos = at;
                    return self.err(format!(
                        "rule {index}: unknown key `{}` (expected `match`, `substitution` or `ldapQuery`)",
                        crate::display::Escaped(&key)
                    ));
                }
            };
            if slot.replace(value).is_some() {
                self.pos = at;
                return self.err(format!("rule {index}: key `{key}` appears twice"));
            }
            if !self.eat(',') {
                self.expect('}')?;
                break;
            }
        }
        match (pattern, substitution, query) {
            (Some(p), Some(s), None) => MappingRule::substitution(&p, &s),
            (Some(p), None, Some(q)) => MappingRule::ldap_query(&p, &q),
            _ => Err(LdapConfigError::MappingJson {
                offset: start,
                reason: format!(
                    "rule {index}: a rule holds `match` and exactly one of `substitution` or `ldapQuery`"
                ),
            }),
        }
    }
}

impl UserToDnMapping {
    /// Reads MongoDB's `security.ldap.userToDNMapping` JSON text verbatim; see the module
    /// documentation. Regexes and templates are checked as by [`MappingRule`]'s constructors.
    pub fn from_mongodb_json(text: &str) -> Result<UserToDnMapping, LdapConfigError> {
        let mut r = Reader { text, pos: 0 };
        r.ws();
        let mut rules = Vec::new();
        match r.peek() {
            None => return Ok(UserToDnMapping::new(rules)),
            Some('{') => rules.push(r.rule(0)?),
            Some('[') => {
                r.bump();
                loop {
                    if r.eat(']') {
                        break;
                    }
                    rules.push(r.rule(rules.len())?);
                    if !r.eat(',') {
                        r.expect(']')?;
                        break;
                    }
                }
            }
            Some(_) => return r.err("expected `[` (an array of rules) or `{` (one rule)"),
        }
        r.ws();
        if r.peek().is_some() {
            return r.err("unexpected text after the mapping");
        }
        Ok(UserToDnMapping::new(rules))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mongodb_documentation_example_reads_verbatim() {
        let text = r#"[
            { match: "(.+)@ENGINEERING.EXAMPLE.COM", substitution: "cn={0},ou=engineering,dc=example,dc=com" },
            { "match": "(.+)@DBA.EXAMPLE.COM", 'ldapQuery': "ou=dba,dc=example,dc=com??one?(user={0})" },
        ]"#;
        let m = UserToDnMapping::from_mongodb_json(text).unwrap();
        assert_eq!(m.rules().len(), 2);
        let one =
            UserToDnMapping::from_mongodb_json(r#"{match: "CN=(.+)\\,x", substitution: "cn={0}"}"#)
                .unwrap();
        assert_eq!(one.rules().len(), 1);
        assert!(
            UserToDnMapping::from_mongodb_json("  ")
                .unwrap()
                .rules()
                .is_empty()
        );
        assert!(
            UserToDnMapping::from_mongodb_json("[]")
                .unwrap()
                .rules()
                .is_empty()
        );
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = |t: &str| {
            UserToDnMapping::from_mongodb_json(t)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            e(r#"[{match: "a", substitution: "b", ldapQuery: "c??one?(cn={0})"}]"#),
            "userToDNMapping JSON at byte 1: rule 0: a rule holds `match` and exactly one of `substitution` or `ldapQuery`"
        );
        assert_eq!(
            e(r#"[{match: "a", subst: "b"}]"#),
            "userToDNMapping JSON at byte 14: rule 0: unknown key `subst` (expected `match`, `substitution` or `ldapQuery`)"
        );
        assert_eq!(
            e(r#"[{match: "a", match: "b"}]"#),
            "userToDNMapping JSON at byte 14: rule 0: key `match` appears twice"
        );
        assert_eq!(
            e(r#"[{match: "a"#),
            "userToDNMapping JSON at byte 11: unterminated string"
        );
        assert_eq!(
            e("[{}] x"),
            "userToDNMapping JSON at byte 1: rule 0: a rule holds `match` and exactly one of `substitution` or `ldapQuery`"
        );
        assert_eq!(
            e("match"),
            "userToDNMapping JSON at byte 0: expected `[` (an array of rules) or `{` (one rule)"
        );
        assert_eq!(
            e(r#"{match: "(", substitution: "x"}"#)
                .split(':')
                .next()
                .unwrap(),
            "mapping rule regex `(` does not compile"
        );
    }
}
