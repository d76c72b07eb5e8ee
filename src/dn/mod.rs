//! Distinguished Names: RFC 4514 text, DER `Name`, the MongoDB server username, RFC 4517
//! `distinguishedNameMatch`, and lints.
//!
//! A [`DistinguishedName`] keeps its RDNs in **DER order** (most significant first: `C`, `O`,
//! `CN`). The RFC 4514 string is the reverse (RFC 4514 §2.1), and, like OpenSSL and the MongoDB
//! server, the printed order inside a multi-valued RDN is the reverse of the DER SET order too,
//! so the text form is the DER sequence flattened and reversed.
//!
//! Each value keeps its ASN.1 string type (RFC 5280 §4.1.2.4 `DirectoryString`, plus
//! `IA5String` for `emailAddress` and `DC`) or, for anything else, its BER encoding
//! (RFC 4514 §2.4 `#hex` form).
//!
//! Equality (`==`, `Hash`) is structural: same attribute types in the same places and the same
//! value text (the string type is not compared, because a text round trip turns every value into
//! a UTF8String), or the same BER bytes. Name *matching* (RFC 4517 §4.2.15 with RFC 4518
//! preparation) is [`DistinguishedName::matches`] / [`DistinguishedName::canonical`].
//!
//! Layout: the name is stored flat (one record per attribute, one text buffer, one byte buffer)
//! so that parsing a typical name costs three allocations.

mod attr;
mod canonical;
mod der;
mod lint;
mod parse;
mod prep;
mod print;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

pub use canonical::CanonicalDn;
pub use lint::{DnLint, DnLintCode};

use crate::error::DnError;
use crate::limits::Limits;

/// Escapes an attribute value for RFC 4514 text: `"+,;<>\` anywhere, a leading space or `#`
/// and a trailing space (§2.4), and every control character as `\XX` hex pairs (NUL must be,
/// the others keep a name on one line). The crate's one RFC 4514 escaper: names printed here
/// and DNs built for LDAP use it.
pub(crate) fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    print::escape_rfc4514(value, &mut out);
    out
}

/// The three [`Limits`] that reading a DER Name applies, small enough to keep with a name that
/// is read later, on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DnLimits {
    pub(crate) max_dn_bytes: usize,
    pub(crate) max_dn_rdns: usize,
    pub(crate) max_rdn_values: usize,
}

impl From<&Limits> for DnLimits {
    fn from(l: &Limits) -> Self {
        DnLimits {
            max_dn_bytes: l.max_dn_bytes,
            max_dn_rdns: l.max_dn_rdns,
            max_rdn_values: l.max_rdn_values,
        }
    }
}

/// Reads a DER `Name` within `limits` (the certificate layer's reading of its names).
pub(crate) fn read_der(der: &[u8], limits: DnLimits) -> Result<DistinguishedName, DnError> {
    der::from_der(der, limits)
}

/// The ASN.1 string type a value was encoded with (RFC 5280 §4.1.2.4 `DirectoryString`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StringKind {
    /// UTF8String (tag 12). Values parsed from text get this type.
    Utf8,
    /// PrintableString (tag 19).
    Printable,
    /// IA5String (tag 22), ASCII.
    Ia5,
    /// TeletexString (tag 20), read as ISO 8859-1 as OpenSSL does.
    Teletex,
    /// BMPString (tag 30), UCS-2 big-endian.
    Bmp,
    /// UniversalString (tag 28), UCS-4 big-endian.
    Universal,
}

impl StringKind {
    /// The universal ASN.1 tag number of this type.
    pub fn tag(self) -> u8 {
        match self {
            StringKind::Utf8 => 0x0c,
            StringKind::Printable => 0x13,
            StringKind::Ia5 => 0x16,
            StringKind::Teletex => 0x14,
            StringKind::Bmp => 0x1e,
            StringKind::Universal => 0x1c,
        }
    }

    /// The ASN.1 name of the type (`"UTF8String"`, `"BMPString"`, ...).
    pub(crate) fn asn1_name(self) -> &'static str {
        match self {
            StringKind::Utf8 => "UTF8String",
            StringKind::Printable => "PrintableString",
            StringKind::Ia5 => "IA5String",
            StringKind::Teletex => "TeletexString",
            StringKind::Bmp => "BMPString",
            StringKind::Universal => "UniversalString",
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        Some(match tag {
            0x0c => StringKind::Utf8,
            0x13 => StringKind::Printable,
            0x16 => StringKind::Ia5,
            0x14 => StringKind::Teletex,
            0x1e => StringKind::Bmp,
            0x1c => StringKind::Universal,
            _ => return None,
        })
    }
}

/// The value of one attribute: decoded text with its string type, or raw BER.
#[derive(Debug, Clone, Copy)]
pub enum AttributeValue<'a> {
    /// A directory string, decoded to Unicode.
    Text {
        /// The ASN.1 string type it was (or will be) encoded with.
        kind: StringKind,
        /// The decoded text.
        text: &'a str,
    },
    /// Any other value: the complete BER element (tag, length, contents).
    Ber(&'a [u8]),
}

impl PartialEq for AttributeValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (AttributeValue::Text { text: a, .. }, AttributeValue::Text { text: b, .. }) => a == b,
            (AttributeValue::Ber(a), AttributeValue::Ber(b)) => a == b,
            _ => false,
        }
    }
}
impl Eq for AttributeValue<'_> {}

/// An object identifier, borrowed as its BER content octets (X.690 §8.19).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid<'a>(&'a [u8]);

impl<'a> Oid<'a> {
    /// The BER content octets (without tag and length).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The same OID as a `const-oid` value, when it fits its size limit.
    pub fn to_object_identifier(&self) -> Option<const_oid::ObjectIdentifier> {
        const_oid::ObjectIdentifier::from_bytes(self.0).ok()
    }
}

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        attr::write_dotted(self.0, &mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Where an attribute type's OID lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OidRef {
    /// A row of the attribute table.
    Known(u8),
    /// Bytes `start..end` of the name's byte buffer (never an OID the table knows).
    Other(usize, usize),
}

/// Where a value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueRef {
    /// Bytes `start..end` of the name's text buffer.
    Text(StringKind, usize, usize),
    /// Bytes `start..end` of the name's byte buffer: a whole BER element.
    Ber(usize, usize),
}

/// One attribute of the flat representation.
#[derive(Debug, Clone, Copy)]
struct AvaRec {
    oid: OidRef,
    value: ValueRef,
    /// First attribute (in DER order) of its RDN.
    rdn_start: bool,
}

/// An X.500 Distinguished Name (RFC 5280 §4.1.2.4 `Name`), RDNs in DER order.
///
/// ```
/// use x509_dbauth::DistinguishedName;
/// let dn: DistinguishedName = "CN=Jane Doe, O=MongoDB, C=US".parse().unwrap();
/// assert_eq!(dn.to_string(), "CN=Jane Doe,O=MongoDB,C=US");
/// assert_eq!(dn.rdns().next().unwrap().iter().next().unwrap().short_name(), Some("C"));
/// assert!(dn.matches(&"cn=jane  doe,o=mongodb,c=us".parse().unwrap()));
/// ```
#[derive(Clone, Default)]
pub struct DistinguishedName {
    avas: Vec<AvaRec>,
    text: String,
    bytes: Vec<u8>,
}

impl DistinguishedName {
    /// Heap memory this value owns, in bytes (for cache accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.avas.capacity() * std::mem::size_of::<AvaRec>()
            + self.text.capacity()
            + self.bytes.capacity()
    }

    /// Parses RFC 4514 text with [`Limits::DEFAULT`]. The empty string is the empty name.
    ///
    /// ```
    /// use x509_dbauth::DistinguishedName;
    ///
    /// let dn = DistinguishedName::parse("CN=Doe\\, Jane+UID=jdoe, O=MongoDB;C=US")?;
    /// assert_eq!(dn.to_string(), "CN=Doe\\, Jane+UID=jdoe,O=MongoDB,C=US");
    /// assert_eq!(dn.rdn_count(), 3);
    /// assert_eq!(dn.common_name().as_deref(), Some("Doe, Jane"));
    ///
    /// // An error says what was expected and where (a byte offset into the input).
    /// let e = DistinguishedName::parse("CN=Jane,O").unwrap_err();
    /// assert_eq!((e.kind(), e.offset()), ("syntax", Some(9)));
    /// # Ok::<(), x509_dbauth::errors::DnError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self, DnError> {
        parse::parse(s, &Limits::DEFAULT, None)
    }

    /// Parses RFC 4514 text with the given limits.
    pub fn parse_with_limits(s: &str, limits: &Limits) -> Result<Self, DnError> {
        parse::parse(s, limits, None)
    }

    /// Reads a DER `Name` (the whole `SEQUENCE OF RelativeDistinguishedName`).
    ///
    /// ```
    /// use x509_dbauth::x509::Certificate;
    /// use x509_dbauth::{DistinguishedName, Limits};
    ///
    /// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pki/kaloyan.pem"))?;
    /// let der = &Certificate::ders_from_pem_or_der(&pem)?[0];
    /// let cert = Certificate::from_der(der, &Limits::DEFAULT)?;
    /// let subject = DistinguishedName::from_der(cert.subject_der())?;
    /// assert_eq!(
    ///     subject.to_string(),
    ///     "CN=Калоян,OU=Kernel Users,O=MongoDB,L=New York City,ST=New York,C=US"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self, DnError> {
        der::from_der(der, &Limits::DEFAULT)
    }

    /// Reads a DER `Name` with the given limits (`max_dn_bytes` bounds the DER length).
    pub fn from_der_with_limits(der: &[u8], limits: &Limits) -> Result<Self, DnError> {
        der::from_der(der, limits)
    }

    /// True for the empty name (zero RDNs).
    pub fn is_empty(&self) -> bool {
        self.avas.is_empty()
    }

    /// Number of RDNs.
    pub fn rdn_count(&self) -> usize {
        self.avas.iter().filter(|a| a.rdn_start).count()
    }

    /// The RDNs in DER order (most significant first).
    pub fn rdns(&self) -> RdnIter<'_> {
        RdnIter {
            dn: self,
            rest: &self.avas,
        }
    }

    /// All attributes in DER order, RDN boundaries flattened.
    pub fn attributes(&self) -> impl Iterator<Item = AttributeTypeAndValue<'_>> + '_ {
        self.avas
            .iter()
            .map(move |rec| AttributeTypeAndValue { dn: self, rec })
    }

    /// The most specific common name (the last CN in DER order), when it is text.
    pub fn common_name(&self) -> Option<String> {
        self.attributes()
            .filter(|a| a.rec.oid == OidRef::Known(attr::IDX_CN))
            .last()
            .and_then(|a| a.text().map(str::to_owned))
    }

    /// The username a MongoDB server derives from a certificate with this subject.
    ///
    /// ```
    /// use x509_dbauth::DistinguishedName;
    ///
    /// let dn = DistinguishedName::parse("CN=Калоян+UID=k, O=MongoDB")?;
    /// // RDNs in text order (the reverse of DER order), no spaces, bytes above 0x7F as `\XX`.
    /// assert_eq!(
    ///     dn.server_username(),
    ///     "CN=\\D0\\9A\\D0\\B0\\D0\\BB\\D0\\BE\\D1\\8F\\D0\\BD+UID=k,O=MongoDB"
    /// );
    /// # Ok::<(), x509_dbauth::errors::DnError>(())
    /// ```
    ///
    /// RDNs and the values inside each RDN in reverse DER order, OpenSSL short names, values
    /// prepared with RFC 4518 without case folding and escaped as the server does (every byte
    /// ≥ 0x80 as `\XX`).
    ///
    /// Two deliberate differences from the server, both where bytes would otherwise become a
    /// different identity: a value that is not a directory string prints as `#hex` of its
    /// whole encoding (the server prints its content octets), and RFC 4518 preparation drops
    /// control characters here as there, so a name with one
    /// ([`DistinguishedName::first_control_character`]) must be refused before this string is
    /// matched against anything — the policy engine does.
    pub fn server_username(&self) -> String {
        print::server_username(self)
    }

    /// The RFC 4517 `distinguishedNameMatch` key of this name.
    ///
    /// ```
    /// use x509_dbauth::DistinguishedName;
    ///
    /// let a = DistinguishedName::parse("CN=Jane  Doe,O=MongoDB,C=US")?;
    /// let b = DistinguishedName::parse("cn=JANE DOE, o=mongodb, c=us")?;
    /// assert_eq!(a.canonical(), b.canonical());
    /// assert_eq!(a.canonical().to_string(), "CN=jane doe,O=mongodb,C=us");
    /// # Ok::<(), x509_dbauth::errors::DnError>(())
    /// ```
    pub fn canonical(&self) -> CanonicalDn {
        canonical::canonicalize(self)
    }

    /// RFC 4517 `distinguishedNameMatch`, refusing names with control characters.
    ///
    /// ```
    /// use x509_dbauth::DistinguishedName;
    ///
    /// let admin = DistinguishedName::parse("CN=admin")?;
    /// assert!(admin.matches(&DistinguishedName::parse("cn=ADMIN")?));
    /// // Order counts, and a hidden character never matches.
    /// assert!(!DistinguishedName::parse("CN=a,O=b")?.matches(&DistinguishedName::parse("O=b,CN=a")?));
    /// assert!(!admin.matches(&DistinguishedName::parse("CN=ad\u{200B}min")?));
    /// # Ok::<(), x509_dbauth::errors::DnError>(())
    /// ```
    ///
    /// Deviation from RFC 4518 §2.2 (which maps control characters and a set of invisible
    /// characters to nothing): a name with a control character (Unicode Cc, e.g.
    /// `CN=admin\00`) or one of those invisible characters (e.g. U+200B ZERO WIDTH SPACE)
    /// never matches, not even itself, so a certificate cannot impersonate `CN=admin` by adding
    /// a NUL or a zero-width space.
    pub fn matches(&self, other: &DistinguishedName) -> bool {
        let a = self.canonical();
        if a.has_control_characters() {
            return false;
        }
        let b = other.canonical();
        !b.has_control_characters() && a == b
    }

    /// True when some string value contains a control character (Unicode Cc, NUL included) or
    /// an invisible character that RFC 4518 §2.2 maps to nothing (soft hyphen, zero-width
    /// characters, bidi embeddings and overrides, variation selectors, BOM, tag characters).
    /// In this crate both count as "control characters": such a name matches nothing.
    pub fn has_control_characters(&self) -> bool {
        self.attributes()
            .filter_map(|a| a.text())
            .any(|t| t.chars().any(prep::is_hidden))
    }

    /// The first control character of the name, in text order (RFC 4514 reading order).
    ///
    /// "Control character" is Unicode general category Cc — C0 (U+0000–U+001F), DEL (U+007F)
    /// and C1 (U+0080–U+009F), which RFC 4518 §2.2 maps to nothing or (TAB, LF, VT, FF, CR,
    /// NEL) to SPACE — plus the invisible characters RFC 4518 §2.2 maps to nothing (see
    /// [`DistinguishedName::has_control_characters`]). Preparation would silently drop all of
    /// them. Only directory string values are read; a non-string value is compared by its
    /// bytes and has no characters.
    pub fn first_control_character(&self) -> Option<NameFinding> {
        self.findings().find_map(|(rdn, rec)| {
            let AttributeValue::Text { text, .. } = self.value(rec.value) else {
                return None;
            };
            let (i, c) = text
                .chars()
                .enumerate()
                .find(|(_, c)| prep::is_hidden(*c))?;
            Some(NameFinding {
                attribute: self.type_name(rec.oid),
                rdn,
                position: i + 1,
                detail: NameFindingDetail::ControlCharacter(c),
            })
        })
    }

    /// The first value, in text order, that is not a directory string: any other ASN.1 type
    /// (INTEGER, OCTET STRING, a context-specific tag, ...) or a string type whose contents
    /// do not decode. Such a value prints as `#hex` and matches no string.
    pub fn first_non_string_value(&self) -> Option<NameFinding> {
        self.findings().find_map(|(rdn, rec)| {
            let AttributeValue::Ber(ber) = self.value(rec.value) else {
                return None;
            };
            Some(NameFinding {
                attribute: self.type_name(rec.oid),
                rdn,
                position: 0,
                detail: NameFindingDetail::NonString(der::describe_encoding(ber)),
            })
        })
    }

    /// The attributes in text order, each with its RDN's number in text order (from 1).
    fn findings(&self) -> impl Iterator<Item = (usize, &AvaRec)> + '_ {
        let mut rdn = 0;
        let mut prev_start = true;
        self.avas.iter().rev().map(move |rec| {
            if prev_start {
                rdn += 1;
            }
            prev_start = rec.rdn_start;
            (rdn, rec)
        })
    }

    fn type_name(&self, oid: OidRef) -> String {
        let mut s = String::new();
        print::write_type(self, oid, &mut s);
        s
    }

    /// Findings about the name itself (duplicates, control characters, values changed by
    /// preparation, string-type problems). See [`DistinguishedName::lint_str`] for text.
    pub fn lint(&self) -> Vec<DnLint> {
        lint::lint_dn(self)
    }

    /// Parses `s` and reports findings about the text as typed (spacing, case, aliases,
    /// separators, order) and about the name. Fails when `s` does not parse.
    ///
    /// ```
    /// use x509_dbauth::DistinguishedName;
    ///
    /// let lint = DistinguishedName::lint_str("C=US, O=MongoDB, CN=Jane Doe")?;
    /// let codes: Vec<&str> = lint.iter().map(|l| l.code()).collect();
    /// assert_eq!(codes, ["space-after-comma", "reversed-order"]);
    /// # Ok::<(), x509_dbauth::errors::DnError>(())
    /// ```
    pub fn lint_str(s: &str) -> Result<Vec<DnLint>, DnError> {
        lint::lint_str(s)
    }

    // ---- crate-internal construction, used by the parsers ----

    fn with_capacity(avas: usize, text: usize) -> Self {
        DistinguishedName {
            avas: Vec::with_capacity(avas),
            text: String::with_capacity(text),
            bytes: Vec::new(),
        }
    }

    fn oid_bytes(&self, oid: OidRef) -> &[u8] {
        match oid {
            OidRef::Known(i) => attr::info(i).map_or(&[][..], |a| a.oid),
            OidRef::Other(s, e) => self.bytes.get(s..e).unwrap_or(&[]),
        }
    }

    fn value(&self, v: ValueRef) -> AttributeValue<'_> {
        match v {
            ValueRef::Text(kind, s, e) => AttributeValue::Text {
                kind,
                text: self.text.get(s..e).unwrap_or(""),
            },
            ValueRef::Ber(s, e) => AttributeValue::Ber(self.bytes.get(s..e).unwrap_or(&[])),
        }
    }

    /// Stores an OID given as BER content octets, as a table row when the table knows it.
    fn intern_oid(&mut self, oid: &[u8]) -> OidRef {
        match attr::lookup_oid(oid) {
            Some(i) => OidRef::Known(i),
            None => {
                let s = self.bytes.len();
                self.bytes.extend_from_slice(oid);
                OidRef::Other(s, self.bytes.len())
            }
        }
    }

    fn push_ber(&mut self, ber: &[u8]) -> ValueRef {
        let s = self.bytes.len();
        self.bytes.extend_from_slice(ber);
        ValueRef::Ber(s, self.bytes.len())
    }
}

impl PartialEq for DistinguishedName {
    fn eq(&self, other: &Self) -> bool {
        self.avas.len() == other.avas.len()
            && self.avas.iter().zip(&other.avas).all(|(a, b)| {
                a.rdn_start == b.rdn_start
                    && self.oid_bytes(a.oid) == other.oid_bytes(b.oid)
                    && self.value(a.value) == other.value(b.value)
            })
    }
}
impl Eq for DistinguishedName {}

impl Hash for DistinguishedName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.avas.len());
        for a in &self.avas {
            a.rdn_start.hash(state);
            self.oid_bytes(a.oid).hash(state);
            match self.value(a.value) {
                AttributeValue::Text { text, .. } => {
                    state.write_u8(0);
                    text.hash(state);
                }
                AttributeValue::Ber(b) => {
                    state.write_u8(1);
                    b.hash(state);
                }
            }
        }
    }
}

impl FromStr for DistinguishedName {
    type Err = DnError;
    fn from_str(s: &str) -> Result<Self, DnError> {
        Self::parse(s)
    }
}

impl fmt::Display for DistinguishedName {
    /// RFC 4514 text: reverse DER order, OpenSSL short names, minimal escaping.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.text.len() + 8 * self.avas.len());
        print::write_rfc4514(self, &mut out);
        f.write_str(&out)
    }
}

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistinguishedName({:?})", self.to_string())
    }
}

/// Where a name holds a value that cannot serve as an identity, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameFinding {
    /// The attribute's short name (`CN`) or dotted OID.
    pub attribute: String,
    /// The RDN's number in text order (RFC 4514 reading order), from 1.
    pub rdn: usize,
    /// For a control character: its position in the value, in characters from 1; else 0.
    pub position: usize,
    /// What was found.
    pub detail: NameFindingDetail,
}

/// What [`NameFinding`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameFindingDetail {
    /// A control character (Unicode Cc: C0, DEL, C1).
    ControlCharacter(char),
    /// A value that is not a directory string, with a description of its encoding
    /// (`"INTEGER"`, `"context-specific [0]"`, `"UTF8String with invalid contents"`, ...).
    NonString(String),
}

/// Iterator over the RDNs of a name, in DER order.
#[derive(Debug, Clone)]
pub struct RdnIter<'a> {
    dn: &'a DistinguishedName,
    rest: &'a [AvaRec],
}

impl<'a> Iterator for RdnIter<'a> {
    type Item = Rdn<'a>;
    fn next(&mut self) -> Option<Rdn<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let len = 1 + self
            .rest
            .iter()
            .skip(1)
            .take_while(|a| !a.rdn_start)
            .count();
        let (head, tail) = self.rest.split_at_checked(len)?;
        self.rest = tail;
        Some(Rdn {
            dn: self.dn,
            avas: head,
        })
    }
}

/// One RelativeDistinguishedName: a set of attributes, in DER (encoded) order.
///
/// ```
/// use x509_dbauth::DistinguishedName;
///
/// let dn = DistinguishedName::parse("CN=Jane Doe+UID=jdoe,O=MongoDB")?;
/// // DER order: the most significant RDN (O) first.
/// let rdns: Vec<Vec<(Option<&str>, Option<&str>)>> = dn
///     .rdns()
///     .map(|rdn| rdn.iter().map(|a| (a.short_name(), a.text())).collect())
///     .collect();
/// assert_eq!(
///     rdns,
///     [vec![(Some("O"), Some("MongoDB"))], vec![(Some("UID"), Some("jdoe")), (Some("CN"), Some("Jane Doe"))]]
/// );
/// # Ok::<(), x509_dbauth::errors::DnError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Rdn<'a> {
    dn: &'a DistinguishedName,
    avas: &'a [AvaRec],
}

impl<'a> Rdn<'a> {
    /// The attributes of this RDN in DER order.
    pub fn iter(&self) -> impl Iterator<Item = AttributeTypeAndValue<'a>> + 'a {
        let dn = self.dn;
        self.avas
            .iter()
            .map(move |rec| AttributeTypeAndValue { dn, rec })
    }

    /// Number of attributes (more than one for a multi-valued RDN).
    pub fn len(&self) -> usize {
        self.avas.len()
    }

    /// Always false: an RDN has at least one attribute (X.501).
    pub fn is_empty(&self) -> bool {
        self.avas.is_empty()
    }
}

/// One attribute: its type (OID) and value.
#[derive(Debug, Clone, Copy)]
pub struct AttributeTypeAndValue<'a> {
    dn: &'a DistinguishedName,
    rec: &'a AvaRec,
}

impl<'a> AttributeTypeAndValue<'a> {
    /// The attribute type.
    pub fn oid(&self) -> Oid<'a> {
        Oid(self.dn.oid_bytes(self.rec.oid))
    }

    /// The OpenSSL short name (`CN`, `emailAddress`, ...), `None` for types not in the table.
    pub fn short_name(&self) -> Option<&'static str> {
        match self.rec.oid {
            OidRef::Known(i) => attr::info(i).map(|a| a.name),
            OidRef::Other(..) => None,
        }
    }

    /// The value, as text with its string type or as raw BER.
    pub fn value(&self) -> AttributeValue<'a> {
        self.dn.value(self.rec.value)
    }

    /// The value text, `None` when the value is raw BER.
    pub fn text(&self) -> Option<&'a str> {
        match self.value() {
            AttributeValue::Text { text, .. } => Some(text),
            AttributeValue::Ber(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(s: &str) -> DistinguishedName {
        DistinguishedName::parse(s).unwrap()
    }

    /// MongoDB `FilterClusterDN` (vector D), expressed with the public RDN views: keep O, OU
    /// and DC, in text order, dropping RDNs left empty.
    fn filter_cluster(d: &DistinguishedName) -> String {
        let rdns: Vec<Rdn<'_>> = d.rdns().collect();
        let mut out: Vec<String> = Vec::new();
        for rdn in rdns.iter().rev() {
            let mut kept: Vec<String> = rdn
                .iter()
                .filter(|a| matches!(a.short_name(), Some("O" | "OU" | "DC")))
                .map(|a| format!("{}={}", a.short_name().unwrap(), a.text().unwrap()))
                .collect();
            kept.reverse();
            if !kept.is_empty() {
                out.push(kept.join("+"));
            }
        }
        out.join(",")
    }

    #[test]
    fn mongodb_vector_d_cluster_filter() {
        for (input, filtered) in [
            (
                "CN=server,OU=Kernel,O=MongoDB,DC=example,L=New York City,ST=New York,C=US",
                "OU=Kernel,O=MongoDB,DC=example",
            ),
            (
                "CN=server+OU=Kernel,O=MongoDB,L=New York City,ST=New York,C=US",
                "OU=Kernel,O=MongoDB",
            ),
            (
                "CN=server,OU=Kernel,O=MongoDB,DC=example,DC=net,L=New York City,ST=New York,C=US",
                "OU=Kernel,O=MongoDB,DC=example,DC=net",
            ),
        ] {
            assert_eq!(filter_cluster(&dn(input)), filtered);
            assert_eq!(dn(&filter_cluster(&dn(input))), dn(filtered));
        }
    }

    /// MongoDB `DNContains` (vector E): every RDN of the pattern equals, as a set, some RDN
    /// of the name, in any order. Expressed with single-RDN canonical keys.
    fn contains(d: &DistinguishedName, pattern: &DistinguishedName) -> bool {
        let key = |r: Rdn<'_>| {
            let mut text = String::new();
            for (k, a) in r.iter().enumerate() {
                if k > 0 {
                    text.push('+');
                }
                text.push_str(&a.oid().to_string());
                text.push('=');
                print::escape_rfc4514(a.text().unwrap(), &mut text);
            }
            dn(&text).canonical()
        };
        let have: Vec<CanonicalDn> = d.rdns().map(key).collect();
        pattern.rdns().map(key).all(|p| have.contains(&p))
    }

    #[test]
    fn mongodb_vector_e_contains() {
        let full = "CN=server,OU=Kernel,O=MongoDB,DC=example,L=New York City,ST=New York,C=US";
        let multi = "CN=server,OU=Kernel,O=MongoDB,L=New York City+ST=New York,C=US";
        let single = "CN=server,OU=Kernel,O=MongoDB,L=New York City,ST=New York,C=US";
        for (name, pattern, want) in [
            (full, "CN=server,L=New York City,ST=New York,C=US", true),
            (full, "CN=server,L=Yonkers,ST=New York,C=US", false),
            (
                "CN=server,OU=Kernel,O=MongoDB,DC=example,ST=New York,C=US",
                "CN=server,L=Yonkers,ST=New York,C=US",
                false,
            ),
            (multi, "CN=server,L=Yonkers+ST=New York", false),
            (multi, "CN=server,L=New York City", false),
            (single, "CN=server,L=New York City+ST=New York", false),
            (multi, "CN=server,L=New York City+ST=New York", true),
            (
                "CN=server,OU=Kernel,O=MongoDB,DC=net,DC=example,L=New York City,ST=New York,C=US",
                "OU=Kernel,O=MongoDB,DC=example,DC=net",
                true,
            ),
            (
                "CN=server,OU=Kernel,O=MongoDB,DC=example,DC=net,L=New York City,ST=New York,C=US",
                "OU=Kernel,O=MongoDB,DC=example",
                true,
            ),
            (full, "OU=Kernel,O=MongoDB,DC=example,DC=net", false),
        ] {
            assert_eq!(
                contains(&dn(name), &dn(pattern)),
                want,
                "{name} ⊇ {pattern}"
            );
        }
    }

    #[test]
    fn accessors() {
        let d = dn("CN=Jane+UID=jd,CN=Outer,O=MongoDB,C=US");
        assert_eq!(d.rdn_count(), 4);
        assert_eq!(d.common_name().as_deref(), Some("Jane"));
        let first = d.rdns().next().unwrap();
        let a = first.iter().next().unwrap();
        assert_eq!(
            (a.short_name(), a.oid().to_string(), a.text()),
            (Some("C"), "2.5.4.6".into(), Some("US"))
        );
        assert_eq!(
            a.oid().to_object_identifier().unwrap().to_string(),
            "2.5.4.6"
        );
        let last: Vec<_> = d
            .rdns()
            .last()
            .unwrap()
            .iter()
            .map(|a| a.short_name().unwrap())
            .collect();
        assert_eq!(last, ["UID", "CN"]);
        assert!(matches!(
            a.value(),
            AttributeValue::Text {
                kind: StringKind::Utf8,
                text: "US"
            }
        ));
        assert!(!d.is_empty() && DistinguishedName::default().is_empty());
        assert_eq!(
            format!("{d:?}"),
            "DistinguishedName(\"CN=Jane+UID=jd,CN=Outer,O=MongoDB,C=US\")"
        );
        let raw = dn("1.2.3=#0403010203");
        let ava = raw.attributes().next().unwrap();
        assert_eq!(ava.short_name(), None);
        assert_eq!(ava.value(), AttributeValue::Ber(&[4, 3, 1, 2, 3]));
        assert_eq!(raw.common_name(), None);
        assert_eq!(StringKind::Bmp.tag(), 30);
    }

    /// Issue 7 items 1 and 2: findings name the attribute, the RDN in text order (from 1) and,
    /// for a control character, its position in characters (from 1).
    #[test]
    fn findings_locate_controls_and_non_strings() {
        let d = dn(r"CN=x+UID=ok,O=Caf\C3\A9\C2\85,C=US");
        assert_eq!(
            d.first_control_character(),
            Some(NameFinding {
                attribute: "O".into(),
                rdn: 2,
                position: 5,
                detail: NameFindingDetail::ControlCharacter('\u{85}'),
            })
        );
        assert_eq!(d.first_non_string_value(), None);
        let d = dn(r"CN=aF,O=#0201ff,C=#800161");
        assert_eq!(
            d.first_control_character()
                .map(|f| (f.attribute, f.rdn, f.position)),
            Some(("CN".to_owned(), 1, 2))
        );
        assert_eq!(
            d.first_non_string_value(),
            Some(NameFinding {
                attribute: "O".into(),
                rdn: 2,
                position: 0,
                detail: NameFindingDetail::NonString("INTEGER".into()),
            })
        );
        let described = |hex: &str| match dn(&format!("1.2.3=#{hex}"))
            .first_non_string_value()
            .unwrap()
            .detail
        {
            NameFindingDetail::NonString(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(described("0400"), "OCTET STRING");
        assert_eq!(described("a000"), "context-specific [0]");
        assert_eq!(described("4100"), "application [1]");
        assert_eq!(described("c300"), "private [3]");
        assert_eq!(described("1f810001ff"), "a tag with a high tag number");
        assert_eq!(described("1e0141"), "BMPString with invalid contents");
        assert_eq!(described("1b0141"), "GeneralString");
        assert_eq!(described("0700"), "universal tag 7");
        assert_eq!(dn("CN=ok").first_control_character(), None);
    }

    #[test]
    fn equality_ignores_string_type_but_not_ber() {
        assert_eq!(dn("CN=#130161"), dn("CN=a"));
        assert_ne!(dn("CN=a"), dn("CN=A"));
        assert_ne!(dn("1.2.3=#0401ff"), dn("1.2.3=#0401fe"));
        use std::collections::HashSet;
        let set: HashSet<DistinguishedName> = [dn("CN=#130161"), dn("CN=a"), dn("cn=a")].into();
        assert_eq!(set.len(), 1);
    }
}
