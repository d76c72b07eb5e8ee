//! `security.ldap.userToDNMapping`: ordered rules turning a certificate subject into an LDAP DN.

use regex::Regex;

use super::directory::Directory;
use super::escape::{check_dn, escape_dn_value, read_dn, unescape_dn_value};
use super::template::{Seg, Tokens, UrlTemplate};
use crate::display::Escaped;
use crate::error::{LdapConfigError, LdapError, RuleFailure};

/// Why a rule's result is not used as an LDAP DN.
enum MappedDnError {
    /// Not RFC 4514 DN syntax (the parser's message).
    Syntax(String),
    /// A value holds a control character or an invisible character RFC 4518 maps to nothing
    /// (see `DistinguishedName::has_control_characters`), which only RFC 4514 escapes in the
    /// text can put there (`\00`, `\C2\AD`): such a name matches nothing, and a directory that
    /// prepares names per RFC 4518 would drop the character and find another entry.
    ControlCharacter,
}

/// A rule's result must be a non-empty DN without control or invisible characters.
fn check_mapped_dn(dn: &str) -> Result<(), MappedDnError> {
    check_dn(dn).map_err(MappedDnError::Syntax)?;
    match read_dn(dn) {
        Ok(parsed) if parsed.has_control_characters() => Err(MappedDnError::ControlCharacter),
        Ok(_) => Ok(()),
        Err(reason) => Err(MappedDnError::Syntax(reason)),
    }
}

/// One mapping rule.
///
/// Regexes match the whole input (compiled as `^(?:…)$`, like MongoDB's anchored PCRE match)
/// and use the `regex` crate's syntax (no backreferences or lookaround; linear time).
/// `{N}` refers to capture group N counted from 0 (the first parenthesised group).
///
/// ```
/// use x509_dbauth::directory::MappingRule;
///
/// let rule = MappingRule::substitution("CN=([^,]+),O=MongoDB,C=US", "cn={0},ou=users,dc=example,dc=com")?;
/// assert_eq!(
///     rule.to_string(),
///     r#"{match: "CN=([^,]+),O=MongoDB,C=US", substitution: "cn={0},ou=users,dc=example,dc=com"}"#
/// );
/// // Patterns are checked when the rule is made.
/// let e = MappingRule::substitution("CN=(", "cn={0}").unwrap_err();
/// assert_eq!(e.kind(), "invalid_regex");
/// # Ok::<(), x509_dbauth::errors::LdapConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MappingRule(Rule);

#[derive(Debug, Clone)]
enum Rule {
    Substitution {
        pattern: String,
        regex: Regex,
        template: String,
        segs: Vec<Seg>,
    },
    LdapQuery {
        pattern: String,
        regex: Regex,
        query: UrlTemplate,
    },
    CommonNameIsDn,
}

fn compile(pattern: &str) -> Result<Regex, LdapConfigError> {
    let invalid = |e: regex::Error| LdapConfigError::InvalidRegex {
        pattern: pattern.to_owned(),
        reason: e.to_string(),
    };
    // Compile the pattern alone first: only a pattern that is valid by itself has balanced
    // groups, so `a)|(b` cannot escape the `^(?:…)$` wrapper and unanchor one side.
    Regex::new(pattern).map_err(invalid)?;
    Regex::new(&format!("^(?:{pattern})$")).map_err(invalid)
}

/// Split a substitution: `{N}` with N a valid group index becomes a group; any other `{…}`
/// (not digits, or too large) is copied literally, as MongoDB does.
fn substitution_segs(template: &str, groups: usize) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut lit = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        lit.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            // No `}` anywhere after this `{`: the rest is literal. (Scanning on from the next
            // `{` would search the same tail again for each one: quadratic in the template.)
            lit.push('{');
            lit.push_str(after);
            rest = "";
            break;
        };
        let token = after.get(..close).unwrap_or_default();
        let index = if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            token.parse::<usize>().ok().filter(|i| *i < groups)
        } else {
            None
        };
        match index {
            Some(i) => {
                if !lit.is_empty() {
                    segs.push(Seg::Lit(core::mem::take(&mut lit)));
                }
                segs.push(Seg::Group(i));
            }
            None => {
                lit.push('{');
                lit.push_str(token);
                lit.push('}');
            }
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        segs.push(Seg::Lit(lit));
    }
    segs
}

impl MappingRule {
    /// `{ match, substitution }`: the DN is the template with `{N}` replaced by capture N,
    /// RFC 4514-escaped (this crate's hardening: a captured `,` cannot add an RDN).
    pub fn substitution(pattern: &str, template: &str) -> Result<MappingRule, LdapConfigError> {
        let regex = compile(pattern)?;
        let groups = regex.captures_len().saturating_sub(1);
        Ok(MappingRule(Rule::Substitution {
            pattern: pattern.to_owned(),
            segs: substitution_segs(template, groups),
            template: template.to_owned(),
            regex,
        }))
    }

    /// `{ match, ldapQuery }`: run an RFC 4516 query built from the captures; exactly one entry
    /// must come back and its DN is the result. Only `{N}` tokens are allowed and every
    /// capture group must be used.
    pub fn ldap_query(pattern: &str, query: &str) -> Result<MappingRule, LdapConfigError> {
        let regex = compile(pattern)?;
        let groups = regex.captures_len().saturating_sub(1);
        let parsed = UrlTemplate::parse(query, Tokens::Groups(groups))?;
        if let Some(index) = (0..groups).find(|i| !parsed.uses(&Seg::Group(*i))) {
            return Err(LdapConfigError::UnusedCaptureGroup {
                template: query.to_owned(),
                index,
            });
        }
        Ok(MappingRule(Rule::LdapQuery {
            pattern: pattern.to_owned(),
            regex,
            query: parsed,
        }))
    }

    /// The certificate's CN value is taken as the DN (Atlas: "the user's Common Name … must
    /// match the Distinguished Name of a user" in LDAP).
    pub fn common_name_is_dn() -> MappingRule {
        MappingRule(Rule::CommonNameIsDn)
    }

    /// Apply the rule; `Ok(Err)` holds the reason the rule did not produce a DN (the next rule
    /// is tried), `Err` a directory failure or a captured text whose `\XX` escapes are not
    /// UTF-8, which stop the whole mapping (fail closed).
    async fn apply(
        &self,
        subject: &str,
        cn: Option<&str>,
        directory: &dyn Directory,
    ) -> Result<Result<String, String>, LdapError> {
        match &self.0 {
            Rule::CommonNameIsDn => Ok(match cn {
                None => Err("the subject has no CN".to_owned()),
                Some(cn) => match check_mapped_dn(cn) {
                    Ok(()) => Ok(cn.to_owned()),
                    Err(MappedDnError::Syntax(reason)) => {
                        Err(format!("the CN `{}` is not a DN: {reason}", Escaped(cn)))
                    }
                    Err(MappedDnError::ControlCharacter) => Err(format!(
                        "the CN `{}` names a DN with a control or invisible character, and a name with one matches nothing",
                        Escaped(cn)
                    )),
                },
            }),
            Rule::Substitution {
                pattern,
                regex,
                segs,
                ..
            } => {
                let Some(caps) = regex.captures(subject) else {
                    return Ok(Err(format!(
                        "regex `{}` does not match the whole input",
                        Escaped(pattern)
                    )));
                };
                let mut dn = String::new();
                for s in segs {
                    match s {
                        Seg::Lit(l) => dn.push_str(l),
                        Seg::Group(i) => {
                            let text = caps.get(i + 1).map(|m| m.as_str()).unwrap_or_default();
                            dn.push_str(&escape_dn_value(&unescape_dn_value(text)?));
                        }
                        Seg::User | Seg::ProvidedUser => {}
                    }
                }
                Ok(match check_mapped_dn(&dn) {
                    Ok(()) => Ok(dn),
                    Err(MappedDnError::Syntax(reason)) => Err(format!(
                        "the substitution gives `{}`, which is not a DN: {reason}",
                        Escaped(&dn)
                    )),
                    Err(MappedDnError::ControlCharacter) => Err(format!(
                        "the substitution gives `{}`, a DN with a control or invisible character, and a name with one matches nothing",
                        Escaped(&dn)
                    )),
                })
            }
            Rule::LdapQuery {
                pattern,
                regex,
                query,
            } => {
                let Some(caps) = regex.captures(subject) else {
                    return Ok(Err(format!(
                        "regex `{}` does not match the whole input",
                        Escaped(pattern)
                    )));
                };
                let groups: Vec<Option<&str>> =
                    caps.iter().skip(1).map(|m| m.map(|m| m.as_str())).collect();
                let q = match query.render_groups(&groups) {
                    Ok(q) => q,
                    // Not a rule that does not apply: the subject's text cannot be read.
                    Err(e @ LdapError::InvalidUtf8Escape { .. }) => return Err(e),
                    Err(e) => return Ok(Err(e.to_string())),
                };
                let entries = directory.search(&q).await?;
                Ok(match entries.as_slice() {
                    [one] => Ok(one.dn.clone()),
                    [] => Err(format!("LDAP query `{}` returned no results", Escaped(&q))),
                    many => Err(format!(
                        "LDAP query `{}` returned {} results, exactly one is required",
                        Escaped(&q),
                        many.len()
                    )),
                })
            }
        }
    }
}

/// The ordered mapping rules; the first rule that succeeds wins.
///
/// ```
/// use x509_dbauth::directory::{InMemoryDirectory, MappingRule, UserToDnMapping};
/// use x509_dbauth::testing::block_on;
///
/// let mapping = UserToDnMapping::new(vec![MappingRule::substitution(
///     "CN=([^,]+),O=MongoDB,C=US",
///     "cn={0},ou=users,dc=example,dc=com",
/// )?]);
/// let directory = InMemoryDirectory::new(); // a substitution rule does not ask it
/// let dn = block_on(mapping.map("CN=Jane Doe,O=MongoDB,C=US", Some("Jane Doe"), &directory))?;
/// assert_eq!(dn, "cn=Jane Doe,ou=users,dc=example,dc=com");
/// // A subject no rule maps is refused, with each rule's reason.
/// let e = block_on(mapping.map("CN=Jane Doe,O=Elsewhere", Some("Jane Doe"), &directory)).unwrap_err();
/// assert_eq!(e.kind(), "no_mapping");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct UserToDnMapping {
    rules: Vec<MappingRule>,
}

impl UserToDnMapping {
    /// Rules in the order they are tried. No rules: the subject itself is the DN.
    pub fn new(rules: Vec<MappingRule>) -> UserToDnMapping {
        UserToDnMapping { rules }
    }

    /// The rules.
    pub fn rules(&self) -> &[MappingRule] {
        &self.rules
    }

    /// Whether a rule may ask the directory (an `ldapQuery` rule): the mapping of a subject is
    /// then not a function of the subject alone.
    pub(crate) fn consults_directory(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.0, Rule::LdapQuery { .. }))
    }

    /// Map a certificate subject (RFC 4514 string) to an LDAP DN.
    ///
    /// `cn` is the subject's CN value (unescaped), used by the `CommonNameIsDn` rule. A rule
    /// that does not match, yields an invalid DN, or whose query returns 0 or several entries
    /// falls through to the next; a directory failure stops the mapping (fail closed, like
    /// MongoDB with `ldapAbortOnNameMappingFailure`). No success: [`LdapError::NoMapping`] with
    /// every rule's reason.
    pub async fn map(
        &self,
        subject: &str,
        cn: Option<&str>,
        directory: &dyn Directory,
    ) -> Result<String, LdapError> {
        if self.rules.is_empty() {
            return match check_dn(subject) {
                Ok(()) => Ok(subject.to_owned()),
                Err(reason) => Err(LdapError::InvalidDn {
                    dn: subject.to_owned(),
                    reason,
                }),
            };
        }
        let mut failures = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            match rule.apply(subject, cn, directory).await? {
                Ok(dn) => return Ok(dn),
                Err(reason) => failures.push(RuleFailure {
                    rule: i + 1,
                    reason,
                }),
            }
        }
        Err(LdapError::NoMapping {
            subject: subject.to_owned(),
            failures,
        })
    }
}

impl core::fmt::Display for MappingRule {
    /// The rule as configured, in MongoDB's JSON-ish form.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.0 {
            Rule::Substitution {
                pattern, template, ..
            } => {
                write!(f, "{{match: {pattern:?}, substitution: {template:?}}}")
            }
            Rule::LdapQuery { pattern, query, .. } => {
                write!(f, "{{match: {pattern:?}, ldapQuery: {:?}}}", query.text)
            }
            Rule::CommonNameIsDn => f.write_str("CommonNameIsDn"),
        }
    }
}
