//! Findings about a DN that is valid but probably not what its author meant.
//!
//! Text-level findings (spacing, case, aliases, legacy syntax) come from the parser run over
//! the original string; name-level findings (order, duplicates, control characters, values
//! that RFC 4518 preparation changes, string-type problems) come from the parsed name.

use std::fmt;

use super::{AttributeValue, DistinguishedName, OidRef, StringKind, attr, prep};
use crate::error::DnError;
use crate::limits::Limits;

/// What a [`DnLint`] is about. `code()` is the stable identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DnLintCode {
    /// The string starts with `C=`/`DC=` and ends with `CN=`: DER order typed as text.
    ReversedOrder,
    /// Spaces after `,` `;` or `+`.
    SpaceAfterComma,
    /// Spaces around `=`.
    SpaceAroundEquals,
    /// Unescaped spaces at the start of the string or at the end of a value, dropped.
    TrimmedSpace,
    /// An attribute name in another case than its usual spelling (`cn`).
    LowercaseType,
    /// An alias instead of the printed short name (`E`, `commonName`).
    AliasType,
    /// The RFC 1779 `OID.` prefix.
    OidPrefix,
    /// An RFC 2253 quoted value.
    QuotedValue,
    /// `;` used as an RDN separator.
    SemicolonSeparator,
    /// The same attribute type twice in one RDN, or a second `CN` or `C`.
    DuplicateAttribute,
    /// A value with a control character (the name will match nothing).
    ControlCharacter,
    /// A value that RFC 4518 preparation changes, so the server username differs from it.
    ChangedByPrep,
    /// An empty value.
    EmptyValue,
    /// A PrintableString with characters outside its character set.
    PrintableCharset,
    /// A directory string type whose contents do not decode (kept as raw BER).
    UndecodableString,
}

impl DnLintCode {
    /// Stable identifier, e.g. `"reversed-order"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DnLintCode::ReversedOrder => "reversed-order",
            DnLintCode::SpaceAfterComma => "space-after-comma",
            DnLintCode::SpaceAroundEquals => "space-around-equals",
            DnLintCode::TrimmedSpace => "trimmed-space",
            DnLintCode::LowercaseType => "lowercase-type",
            DnLintCode::AliasType => "alias-type",
            DnLintCode::OidPrefix => "oid-prefix",
            DnLintCode::QuotedValue => "quoted-value",
            DnLintCode::SemicolonSeparator => "semicolon-separator",
            DnLintCode::DuplicateAttribute => "duplicate-attribute",
            DnLintCode::ControlCharacter => "control-character",
            DnLintCode::ChangedByPrep => "changed-by-prep",
            DnLintCode::EmptyValue => "empty-value",
            DnLintCode::PrintableCharset => "printable-charset",
            DnLintCode::UndecodableString => "undecodable-string",
        }
    }
}

/// One finding: a code, a sentence, and where in the text it is when known.
///
/// ```
/// use x509_dbauth::DistinguishedName;
/// use x509_dbauth::names::DnLintCode;
///
/// let lint = DistinguishedName::lint_str("cn=Jane Doe,O=MongoDB")?;
/// assert_eq!(lint[0].kind(), DnLintCode::LowercaseType);
/// assert_eq!(lint[0].message(), "attribute type 'cn' is usually written 'CN'");
/// assert_eq!(lint[0].offset(), Some(0));
/// # Ok::<(), x509_dbauth::errors::DnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnLint {
    pub(crate) code: DnLintCode,
    pub(crate) message: String,
    pub(crate) offset: Option<usize>,
}

impl DnLint {
    /// Stable identifier of the finding, e.g. `"space-after-comma"`.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    /// The finding as an enum.
    pub fn kind(&self) -> DnLintCode {
        self.code
    }

    /// A sentence describing the finding.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte offset in the linted string, for text-level findings.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }
}

impl fmt::Display for DnLint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

pub(crate) fn lint_str(s: &str) -> Result<Vec<DnLint>, DnError> {
    let mut lints = Vec::new();
    let dn = super::parse::parse(s, &Limits::DEFAULT, Some(&mut lints))?;
    lints.extend(lint_dn(&dn));
    Ok(lints)
}

fn name_of(oid: OidRef, dn: &DistinguishedName) -> String {
    let mut s = String::new();
    super::print::write_type(dn, oid, &mut s);
    s
}

pub(crate) fn lint_dn(dn: &DistinguishedName) -> Vec<DnLint> {
    let mut out = Vec::new();
    let mut push = |code, message: String| {
        out.push(DnLint {
            code,
            message,
            offset: None,
        })
    };
    // Text order: the first printed attribute is the last in DER order.
    if dn.rdn_count() >= 2 {
        let first_text = dn.avas.last().map(|a| a.oid);
        let last_text = dn.avas.first().map(|a| a.oid);
        let starts_c = matches!(
            first_text,
            Some(OidRef::Known(i)) if i == attr::IDX_C || i == attr::IDX_DC
        );
        if starts_c && last_text == Some(OidRef::Known(attr::IDX_CN)) {
            push(
                DnLintCode::ReversedOrder,
                format!(
                    "the name starts with {} and ends with CN, so its RDNs look reversed (DER order written as text); RFC 4514 text lists the most specific RDN first: {}",
                    name_of(first_text.unwrap_or(OidRef::Known(attr::IDX_C)), dn),
                    crate::display::Escaped(reversed_text(dn))
                ),
            );
        }
    }
    let mut cn_count = 0;
    let mut c_count = 0;
    for rdn in dn.rdns() {
        let recs = rdn.avas;
        for (k, a) in recs.iter().enumerate() {
            if recs.iter().take(k).any(|b| b.oid == a.oid) {
                push(
                    DnLintCode::DuplicateAttribute,
                    format!(
                        "{} appears twice in one multi-valued RDN",
                        name_of(a.oid, dn)
                    ),
                );
            }
        }
    }
    for a in dn.attributes() {
        let name = name_of(a.rec.oid, dn);
        if a.rec.oid == OidRef::Known(attr::IDX_CN) {
            cn_count += 1;
        }
        if a.rec.oid == OidRef::Known(attr::IDX_C) {
            c_count += 1;
        }
        match a.value() {
            AttributeValue::Text { kind, text } => {
                if text.chars().any(prep::is_hidden) {
                    push(
                        DnLintCode::ControlCharacter,
                        format!(
                            "the {name} value contains a control or invisible character; this name will not match any other name"
                        ),
                    );
                } else if prep::for_server(text) != text {
                    push(
                        DnLintCode::ChangedByPrep,
                        format!(
                            "the {name} value changes under RFC 4518 preparation (invisible or compatibility characters); the server username shows {:?}",
                            prep::for_server(text)
                        ),
                    );
                }
                if text.is_empty() {
                    push(DnLintCode::EmptyValue, format!("the {name} value is empty"));
                }
                if kind == StringKind::Printable && !text.bytes().all(is_printable) {
                    push(
                        DnLintCode::PrintableCharset,
                        format!(
                            "the {name} value is a PrintableString with characters outside its character set (X.680 §41.4)"
                        ),
                    );
                }
            }
            AttributeValue::Ber(ber) => {
                if ber
                    .first()
                    .is_some_and(|t| StringKind::from_tag(*t).is_some())
                {
                    push(
                        DnLintCode::UndecodableString,
                        format!(
                            "the {name} value is a string type whose contents do not decode; it is compared byte for byte"
                        ),
                    );
                }
            }
        }
    }
    if cn_count > 1 {
        push(
            DnLintCode::DuplicateAttribute,
            "the name has more than one CN; tools disagree on which one is the common name"
                .to_owned(),
        );
    }
    if c_count > 1 {
        push(
            DnLintCode::DuplicateAttribute,
            "the name has more than one C".to_owned(),
        );
    }
    out
}

/// The text of `dn` with RDNs reversed, for the reversed-order hint.
fn reversed_text(dn: &DistinguishedName) -> String {
    let mut rev = DistinguishedName::with_capacity(dn.avas.len(), dn.text.len());
    rev.text.clone_from(&dn.text);
    rev.bytes.clone_from(&dn.bytes);
    let rdns: Vec<_> = dn.rdns().collect();
    for rdn in rdns.iter().rev() {
        rev.avas.extend_from_slice(rdn.avas);
    }
    rev.to_string()
}

fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<&'static str> {
        lint_str(s).unwrap().iter().map(DnLint::code).collect()
    }

    #[test]
    fn clean_name_has_no_findings() {
        assert!(codes("CN=Jane Doe,O=MongoDB,C=US").is_empty());
        assert!(codes("").is_empty());
    }

    #[test]
    fn each_lint_fires() {
        assert_eq!(codes("C=US,O=MongoDB,CN=Jane"), ["reversed-order"]);
        assert_eq!(codes("DC=net,DC=example,CN=x"), ["reversed-order"]);
        assert_eq!(codes("CN=Jane, O=MongoDB"), ["space-after-comma"]);
        assert_eq!(codes("CN = Jane"), ["space-around-equals"]);
        assert_eq!(codes("CN=Jane ,O=x"), ["trimmed-space"]);
        assert_eq!(codes("cn=Jane"), ["lowercase-type"]);
        assert_eq!(codes("E=j@x"), ["alias-type"]);
        assert_eq!(codes("OID.2.5.4.3=j"), ["oid-prefix"]);
        assert_eq!(codes("CN=\"Doe, J\""), ["quoted-value"]);
        assert_eq!(codes("CN=a;O=b"), ["semicolon-separator"]);
        assert_eq!(
            codes("CN=a+CN=b"),
            ["duplicate-attribute", "duplicate-attribute"]
        );
        assert_eq!(codes("CN=a,CN=b"), ["duplicate-attribute"]);
        assert_eq!(codes(r"CN=admin\00"), ["control-character"]);
        assert_eq!(codes("CN=ad\u{200B}min"), ["control-character"]);
        assert_eq!(codes("CN=\u{FF41}dmin"), ["changed-by-prep"]);
        assert_eq!(codes("O="), ["empty-value"]);
        assert_eq!(codes("CN=#130161"), Vec::<&str>::new());
        assert_eq!(codes("CN=#13015f"), ["printable-charset"]);
        assert_eq!(codes("CN=#0c01ff"), ["undecodable-string"]);
    }

    #[test]
    fn reversed_order_explains_what_prints() {
        let l = lint_str("C=US,O=MongoDB,CN=Jane").unwrap();
        assert_eq!(
            l[0].message(),
            "the name starts with C and ends with CN, so its RDNs look reversed (DER order written as text); RFC 4514 text lists the most specific RDN first: CN=Jane,O=MongoDB,C=US"
        );
        assert_eq!(l[0].to_string().split(':').next(), Some("reversed-order"));
    }
}
