//! RFC 4516 URL templates: MongoDB's `authz.queryTemplate` and the `ldapQuery` mapping rules.

use core::fmt;

use super::escape::{check_dn, escape_dn_value, escape_filter_value, read_dn, unescape_dn_value};
use super::filter::Filter;
use crate::error::{LdapConfigError, LdapError};

/// The filter used when a template gives none (RFC 4516 §2).
const DEFAULT_FILTER: &str = "(objectClass=*)";

/// How far below the base DN a search looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// The base entry only (the default).
    #[default]
    Base,
    /// The base entry's immediate children.
    One,
    /// The base entry and everything below it.
    Sub,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Base => "base",
            Scope::One => "one",
            Scope::Sub => "sub",
        })
    }
}

/// One concrete directory search.
///
/// ```
/// use x509_dbauth::directory::{QueryTemplate, Scope};
///
/// let template = QueryTemplate::parse("ou=groups,dc=example,dc=com??one?(member={USER})")?;
/// // A value put into the filter is escaped (RFC 4515), so it cannot widen the search.
/// let query = template.render("cn=x)(uid=*,dc=example,dc=com", "CN=x)(uid=*")?;
/// assert_eq!(query.base_dn, "ou=groups,dc=example,dc=com");
/// assert_eq!(query.scope, Scope::One);
/// assert_eq!(query.filter, "(member=cn=x\\29\\28uid=\\2a,dc=example,dc=com)");
/// assert!(query.attributes.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LdapQuery {
    /// Where the search starts.
    pub base_dn: String,
    /// How deep it looks.
    pub scope: Scope,
    /// RFC 4515 filter text, values already escaped.
    pub filter: String,
    /// Attributes requested (empty: none requested, entry DNs are the answer).
    pub attributes: Vec<String>,
}

impl fmt::Display for LdapQuery {
    /// `base?attributes?scope?filter`, for messages (not percent-encoded).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}?{}?{}?{}",
            self.base_dn,
            self.attributes.join(","),
            self.scope,
            self.filter
        )
    }
}

/// A piece of a template part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Lit(String),
    User,
    ProvidedUser,
    Group(usize),
}

/// Which tokens a template may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tokens {
    /// `{USER}` / `{PROVIDED_USER}` (authorization query template).
    Authz,
    /// `{N}` with N below this many capture groups (an `ldapQuery` mapping rule).
    Groups(usize),
}

/// A parsed, validated URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlTemplate {
    pub(crate) text: String,
    base: Vec<Seg>,
    attributes: Vec<String>,
    scope: Scope,
    filter: Vec<Seg>,
}

fn percent_decode(template: &str, part: &str) -> Result<String, LdapConfigError> {
    let err = || LdapConfigError::PercentDecode {
        template: template.to_owned(),
        part: part.to_owned(),
    };
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    out.push((super::escape::hex_val(h) << 4) | super::escape::hex_val(l));
                    i += 3;
                }
                _ => return Err(err()),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| err())
}

fn tokenize(template: &str, part: &str, tokens: Tokens) -> Result<Vec<Seg>, LdapConfigError> {
    let mut segs = Vec::new();
    let mut lit = String::new();
    let mut rest = part;
    while let Some(open) = rest.find('{') {
        lit.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let close = after
            .find('}')
            .ok_or_else(|| LdapConfigError::MalformedToken {
                template: template.to_owned(),
                reason: "a `{` is not closed by `}`",
            })?;
        let token = after.get(..close).unwrap_or_default();
        if token.is_empty() {
            return Err(LdapConfigError::MalformedToken {
                template: template.to_owned(),
                reason: "an empty token `{}`",
            });
        }
        let seg = match tokens {
            Tokens::Authz => match token {
                "USER" => Seg::User,
                "PROVIDED_USER" => Seg::ProvidedUser,
                _ => {
                    return Err(LdapConfigError::UnknownToken {
                        template: template.to_owned(),
                        token: token.to_owned(),
                    });
                }
            },
            Tokens::Groups(groups) => {
                if !token.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(LdapConfigError::NonNumericToken {
                        template: template.to_owned(),
                        token: token.to_owned(),
                    });
                }
                let index = token.parse::<usize>().unwrap_or(usize::MAX);
                if index >= groups {
                    return Err(LdapConfigError::TokenOutOfRange {
                        template: template.to_owned(),
                        index,
                        groups,
                    });
                }
                Seg::Group(index)
            }
        };
        if !lit.is_empty() {
            segs.push(Seg::Lit(core::mem::take(&mut lit)));
        }
        segs.push(seg);
        rest = after.get(close + 1..).unwrap_or_default();
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        segs.push(Seg::Lit(lit));
    }
    Ok(segs)
}

impl UrlTemplate {
    pub(crate) fn parse(text: &str, tokens: Tokens) -> Result<UrlTemplate, LdapConfigError> {
        let parts: Vec<&str> = text.split('?').collect();
        if parts.len() > 5 {
            return Err(LdapConfigError::MalformedUrl {
                template: text.to_owned(),
                reason: "expected at most `dn?attributes?scope?filter?extensions`",
            });
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or_default();
        // Extensions (part 4) are ignored, as MongoDB does.
        let dn = percent_decode(text, part(0))?;
        let attrs = percent_decode(text, part(1))?;
        let scope_text = percent_decode(text, part(2))?;
        let filter = percent_decode(text, part(3))?;
        if attrs.contains(['{', '}']) || scope_text.contains(['{', '}']) {
            return Err(LdapConfigError::TokenNotAllowed {
                template: text.to_owned(),
            });
        }
        let scope = match scope_text.to_ascii_lowercase().as_str() {
            "" | "base" => Scope::Base,
            "one" => Scope::One,
            "sub" => Scope::Sub,
            _ => {
                return Err(LdapConfigError::UnknownScope {
                    template: text.to_owned(),
                    scope: scope_text,
                });
            }
        };
        let attributes = attrs
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        let filter = if filter.trim().is_empty() {
            DEFAULT_FILTER.to_owned()
        } else {
            filter
        };
        let t = UrlTemplate {
            text: text.to_owned(),
            base: tokenize(text, &dn, tokens)?,
            attributes,
            scope,
            filter: tokenize(text, &filter, tokens)?,
        };
        // Check the shape now with harmless stand-ins, so a bad template fails at configuration
        // time rather than on the first login.
        let sample_base = t.render_base(|_| "cn=x".to_owned(), |_| "x".to_owned());
        read_dn(&sample_base).map_err(|reason| LdapConfigError::InvalidBaseDn {
            template: text.to_owned(),
            reason,
        })?;
        let sample_filter = t.render_filter(|_| "x".to_owned());
        Filter::parse(&sample_filter).map_err(|source| LdapConfigError::InvalidFilter {
            template: text.to_owned(),
            source,
        })?;
        Ok(t)
    }

    pub(crate) fn uses(&self, seg: &Seg) -> bool {
        self.base.iter().chain(self.filter.iter()).any(|s| s == seg)
    }

    /// The base DN; `{USER}`-like tokens are whole DNs (`dn_token`), `{N}` groups are values.
    fn render_base(
        &self,
        dn_token: impl Fn(&Seg) -> String,
        value: impl Fn(usize) -> String,
    ) -> String {
        let mut out = String::new();
        for s in &self.base {
            match s {
                Seg::Lit(l) => out.push_str(l),
                Seg::Group(i) => out.push_str(&value(*i)),
                other => out.push_str(&dn_token(other)),
            }
        }
        out
    }

    /// The filter; every token's text is RFC 4515-escaped by the caller's closure.
    fn render_filter(&self, escaped: impl Fn(&Seg) -> String) -> String {
        let mut out = String::new();
        for s in &self.filter {
            match s {
                Seg::Lit(l) => out.push_str(l),
                other => out.push_str(&escaped(other)),
            }
        }
        out
    }

    fn query(&self, base_dn: String, filter: String) -> Result<LdapQuery, LdapError> {
        read_dn(&base_dn).map_err(|reason| LdapError::InvalidDn {
            dn: base_dn.clone(),
            reason,
        })?;
        Ok(LdapQuery {
            base_dn,
            scope: self.scope,
            filter,
            attributes: self.attributes.clone(),
        })
    }

    /// Render an `ldapQuery` mapping rule with the regex's captures.
    ///
    /// Captured text comes from an RFC 4514 string, so it is unescaped first, then escaped for
    /// where it lands: RFC 4514 in the base DN, RFC 4515 in the filter.
    pub(crate) fn render_groups(&self, groups: &[Option<&str>]) -> Result<LdapQuery, LdapError> {
        let raw = groups
            .iter()
            .map(|g| unescape_dn_value(g.unwrap_or_default()))
            .collect::<Result<Vec<String>, LdapError>>()?;
        let raw = |i: usize| raw.get(i).map_or("", String::as_str);
        let base = self.render_base(|_| String::new(), |i| escape_dn_value(raw(i)));
        let filter = self.render_filter(|s| match s {
            Seg::Group(i) => escape_filter_value(raw(*i)),
            _ => String::new(),
        });
        self.query(base, filter)
    }
}

/// The authorization query template (`security.ldap.authz.queryTemplate`), e.g.
/// `{USER}?memberOf?base` or `ou=groups,dc=example,dc=com??one?(member={USER})`.
///
/// An RFC 4516 URL without scheme and host: `dn?attributes?scope?filter?extensions`, each part
/// percent-decoded, scope `base` by default, filter `(objectClass=*)` by default, extensions
/// ignored. Must contain `{USER}`; `{PROVIDED_USER}` is also allowed.
///
/// ```
/// use x509_dbauth::directory::{QueryTemplate, Scope};
///
/// let template = QueryTemplate::parse(QueryTemplate::DEFAULT)?;
/// let query = template.render("cn=Jane Doe,ou=users,dc=example,dc=com", "CN=Jane Doe,O=MongoDB,C=US")?;
/// assert_eq!(query.base_dn, "cn=Jane Doe,ou=users,dc=example,dc=com");
/// assert_eq!((query.scope, query.attributes.as_slice()), (Scope::Base, &["memberOf".to_owned()][..]));
/// // A template must name the user.
/// assert_eq!(QueryTemplate::parse("ou=groups??one").unwrap_err().kind(), "missing_user_token");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTemplate(UrlTemplate);

impl QueryTemplate {
    /// MongoDB's and Atlas's default template.
    pub const DEFAULT: &'static str = "{USER}?memberOf?base";

    /// Parse and validate a template.
    pub fn parse(text: &str) -> Result<QueryTemplate, LdapConfigError> {
        let t = UrlTemplate::parse(text, Tokens::Authz)?;
        if !t.uses(&Seg::User) {
            return Err(LdapConfigError::MissingUserToken {
                template: text.to_owned(),
            });
        }
        Ok(QueryTemplate(t))
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The concrete query for a user.
    ///
    /// `user` is the mapped LDAP DN and `provided_user` the name before mapping (the
    /// certificate subject). In the base DN a token is inserted as-is, and must then be a valid
    /// DN string; in the filter it is RFC 4515-escaped, so `CN=x)(uid=*` cannot widen it.
    pub fn render(&self, user: &str, provided_user: &str) -> Result<LdapQuery, LdapError> {
        check_dn(user).map_err(|reason| LdapError::InvalidDn {
            dn: user.to_owned(),
            reason,
        })?;
        if self.0.base.contains(&Seg::ProvidedUser) {
            check_dn(provided_user).map_err(|reason| LdapError::InvalidDn {
                dn: provided_user.to_owned(),
                reason,
            })?;
        }
        let base = self.0.render_base(
            |s| match s {
                Seg::ProvidedUser => provided_user.to_owned(),
                _ => user.to_owned(),
            },
            |_| String::new(),
        );
        let filter = self.0.render_filter(|s| match s {
            Seg::ProvidedUser => escape_filter_value(provided_user),
            _ => escape_filter_value(user),
        });
        self.0.query(base, filter)
    }
}

impl Default for QueryTemplate {
    fn default() -> Self {
        QueryTemplate(UrlTemplate {
            text: QueryTemplate::DEFAULT.to_owned(),
            base: vec![Seg::User],
            attributes: vec!["memberOf".to_owned()],
            scope: Scope::Base,
            filter: vec![Seg::Lit(DEFAULT_FILTER.to_owned())],
        })
    }
}

impl fmt::Display for QueryTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text)
    }
}

impl core::str::FromStr for QueryTemplate {
    type Err = LdapConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QueryTemplate::parse(s)
    }
}
