//! RFC 4517 §4.2.15 `distinguishedNameMatch` as a comparable key.
//!
//! Two names match when they have the same number of RDNs and each pair of RDNs holds the same
//! set of attributes: types compared by OID, string values after RFC 4518 preparation for
//! `caseIgnoreMatch` (see [`super::prep`]), non-string values by their exact BER. The key sorts
//! the attributes inside each RDN, so multi-valued RDNs compare as sets; RDN order is kept, so
//! a reordered name is a different name.
//!
//! Every string-valued attribute uses the `caseIgnoreMatch` preparation, including `C`, `DC`,
//! `emailAddress` (`caseIgnoreIA5Match` gives the same result on ASCII) and `telephoneNumber`
//! (whose own rule would also ignore hyphens; not done).

use std::fmt;

use super::{DistinguishedName, OidRef, ValueRef, attr, prep, print};

/// One attribute of the key: everything is a range into `buf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct CAva {
    rdn_start: bool,
    oid: COid,
    /// Raw BER value (compared by bytes) rather than prepared text.
    ber: bool,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum COid {
    Known(u8),
    Other(usize, usize),
}

/// The canonical form of a name: equal exactly when the names match under RFC 4517
/// `distinguishedNameMatch` (with this crate's control-character rule). `Eq + Hash + Ord`, so
/// it can key a registry.
///
/// Its `Display` is RFC 4514 text of the prepared values (lowercase, spaces collapsed). `Ord`
/// is a total order for use in maps; it is not alphabetical and may change between versions.
///
/// ```
/// use std::collections::HashMap;
/// use x509_dbauth::DistinguishedName;
/// use x509_dbauth::names::CanonicalDn;
///
/// let mut roles: HashMap<CanonicalDn, &str> = HashMap::new();
/// roles.insert(DistinguishedName::parse("CN=Jane Doe,O=MongoDB,C=US")?.canonical(), "readWrite@sales");
/// // Another spelling of the same name finds the same entry.
/// let typed = DistinguishedName::parse("commonName=jane  doe, o=MONGODB, c=us")?;
/// assert_eq!(roles.get(&typed.canonical()), Some(&"readWrite@sales"));
/// # Ok::<(), x509_dbauth::errors::DnError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanonicalDn {
    avas: Vec<CAva>,
    buf: Vec<u8>,
    control: bool,
}

pub(crate) fn canonicalize(dn: &DistinguishedName) -> CanonicalDn {
    let mut c = CanonicalDn {
        avas: Vec::with_capacity(dn.avas.len()),
        buf: Vec::with_capacity(dn.text.len() + 8),
        control: false,
    };
    let mut rdn_from = 0;
    for rec in &dn.avas {
        if rec.rdn_start {
            c.sort_rdn(rdn_from);
            rdn_from = c.avas.len();
        }
        let oid = match rec.oid {
            OidRef::Known(i) => COid::Known(i),
            OidRef::Other(..) => {
                let s = c.buf.len();
                c.buf.extend_from_slice(dn.oid_bytes(rec.oid));
                COid::Other(s, c.buf.len())
            }
        };
        let start = c.buf.len();
        let ber = match rec.value {
            ValueRef::Text(..) => {
                let text = match dn.value(rec.value) {
                    super::AttributeValue::Text { text, .. } => text,
                    super::AttributeValue::Ber(_) => "",
                };
                c.control |= prep::for_match(text, &mut c.buf);
                false
            }
            ValueRef::Ber(s, e) => {
                c.buf.extend_from_slice(dn.bytes.get(s..e).unwrap_or(&[]));
                true
            }
        };
        c.avas.push(CAva {
            rdn_start: rec.rdn_start,
            oid,
            ber,
            start,
            end: c.buf.len(),
        });
    }
    c.sort_rdn(rdn_from);
    c
}

impl CanonicalDn {
    /// Heap memory this value owns, in bytes (for cache accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.avas.capacity() * std::mem::size_of::<CAva>() + self.buf.capacity()
    }

    fn slice(&self, s: usize, e: usize) -> &[u8] {
        self.buf.get(s..e).unwrap_or(&[])
    }

    fn oid_bytes(&self, oid: COid) -> &[u8] {
        match oid {
            COid::Known(i) => attr::info(i).map_or(&[][..], |a| a.oid),
            COid::Other(s, e) => self.slice(s, e),
        }
    }

    /// Content order of two attributes: OID bytes, then kind, then value bytes.
    fn key(&self, a: &CAva) -> (&[u8], bool, &[u8]) {
        (self.oid_bytes(a.oid), a.ber, self.slice(a.start, a.end))
    }

    /// Sorts the attributes of the RDN starting at `from` (the last one pushed) and rewrites
    /// its bytes in that order, so that equal sets give byte-identical keys.
    fn sort_rdn(&mut self, from: usize) {
        let Some(rdn) = self.avas.get(from..) else {
            return;
        };
        if rdn.len() < 2 {
            return;
        }
        let mut sorted: Vec<CAva> = rdn.to_vec();
        sorted.sort_by(|a, b| self.key(a).cmp(&self.key(b)));
        let base = sorted
            .iter()
            .map(|a| match a.oid {
                COid::Other(s, _) => s.min(a.start),
                COid::Known(_) => a.start,
            })
            .min()
            .unwrap_or(self.buf.len());
        let old = self.buf.split_off(base);
        let mut out = Vec::with_capacity(sorted.len());
        for (k, a) in sorted.iter().enumerate() {
            let oid = match a.oid {
                COid::Known(i) => COid::Known(i),
                COid::Other(s, e) => {
                    let ns = self.buf.len();
                    self.buf
                        .extend_from_slice(old.get(s - base..e - base).unwrap_or(&[]));
                    COid::Other(ns, self.buf.len())
                }
            };
            let start = self.buf.len();
            self.buf
                .extend_from_slice(old.get(a.start - base..a.end - base).unwrap_or(&[]));
            out.push(CAva {
                rdn_start: k == 0,
                oid,
                ber: a.ber,
                start,
                end: self.buf.len(),
            });
        }
        self.avas.truncate(from);
        self.avas.extend(out);
    }

    /// True when a value contains a control character; such a name matches nothing.
    pub fn has_control_characters(&self) -> bool {
        self.control
    }

    /// True for the key of the empty name.
    pub fn is_empty(&self) -> bool {
        self.avas.is_empty()
    }

    /// Number of RDNs.
    pub fn rdn_count(&self) -> usize {
        self.avas.iter().filter(|a| a.rdn_start).count()
    }

    /// True when `base`'s RDNs, in DER order, are a prefix of this name's RDNs, each RDN
    /// matching (RFC 5280 §4.2.1.10 `directoryName` subtrees). An empty base contains all.
    ///
    /// Control characters are compared exactly here (they are kept in the key), so
    /// `O=Evil\00` is *not* within `O=Evil`: callers applying *excluded* subtrees must refuse
    /// names where [`CanonicalDn::has_control_characters`] is true.
    pub fn is_within(&self, base: &CanonicalDn) -> bool {
        let n = base.avas.len();
        // Attributes of the first k RDNs of both keys line up one to one when they match.
        let Some(mine) = self.avas.get(..n) else {
            return false;
        };
        // A base that ends in the middle of one of our RDNs is not a prefix.
        if self.avas.get(n).is_some_and(|next| !next.rdn_start) {
            return false;
        }
        mine.iter().zip(&base.avas).all(|(a, b)| {
            a.rdn_start == b.rdn_start && a.ber == b.ber && self.key(a) == base.key(b)
        })
    }

    /// The RDNs in DER order, each with its attributes in the key's sorted order.
    pub(crate) fn rdns(&self) -> Vec<CanonicalRdn<'_>> {
        let mut out: Vec<CanonicalRdn<'_>> = Vec::new();
        let mut from = 0;
        for (i, a) in self.avas.iter().enumerate().skip(1) {
            if a.rdn_start {
                out.push(CanonicalRdn {
                    dn: self,
                    avas: self.avas.get(from..i).unwrap_or(&[]),
                });
                from = i;
            }
        }
        if !self.avas.is_empty() {
            out.push(CanonicalRdn {
                dn: self,
                avas: self.avas.get(from..).unwrap_or(&[]),
            });
        }
        out
    }

    /// True when `other` holds this name's RDNs in reverse order (and the name has more than
    /// one RDN): the usual mistake of typing a name in DER order (`C=US,…,CN=x`, as
    /// `openssl x509 -subject` prints it). The check behind every reversed-order hint.
    pub(crate) fn is_reversal_of(&self, other: &CanonicalDn) -> bool {
        let (mine, theirs) = (self.rdns(), other.rdns());
        mine.len() > 1 && mine.iter().rev().eq(theirs.iter())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.avas.len()
    }
}

/// One RDN of a [`CanonicalDn`]: equal to another when they hold the same attributes (types,
/// kinds and prepared values), as sets.
#[derive(Clone, Copy)]
pub(crate) struct CanonicalRdn<'a> {
    dn: &'a CanonicalDn,
    avas: &'a [CAva],
}

impl PartialEq for CanonicalRdn<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.avas.len() == other.avas.len()
            && self
                .avas
                .iter()
                .zip(other.avas)
                .all(|(a, b)| self.dn.key(a) == other.dn.key(b))
    }
}

impl fmt::Display for CanonicalDn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.buf.len() + 8 * self.avas.len());
        let mut prev: Option<&CAva> = None;
        for a in self.avas.iter().rev() {
            if let Some(p) = prev {
                out.push(if p.rdn_start { ',' } else { '+' });
            }
            match a.oid {
                COid::Known(i) => out.push_str(attr::info(i).map_or("", |x| x.name)),
                COid::Other(s, e) => attr::write_dotted(self.slice(s, e), &mut out),
            }
            out.push('=');
            let v = self.slice(a.start, a.end);
            if a.ber {
                print::write_value(super::AttributeValue::Ber(v), &mut out);
            } else {
                print::escape_rfc4514(&String::from_utf8_lossy(v), &mut out);
            }
            prev = Some(a);
        }
        f.write_str(&out)
    }
}

impl fmt::Debug for CanonicalDn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CanonicalDn({:?})", self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> CanonicalDn {
        DistinguishedName::parse(s).unwrap().canonical()
    }
    fn matches(a: &str, b: &str) -> bool {
        DistinguishedName::parse(a)
            .unwrap()
            .matches(&DistinguishedName::parse(b).unwrap())
    }

    #[test]
    fn rfc4517_dn_match() {
        assert!(matches(
            "CN=Jane Doe,O=MongoDB,C=US",
            "cn=jane  doe , o=mongodb,c=us"
        ));
        assert!(matches("CN=  Jane   Doe ", "commonName=jane doe"));
        assert!(matches(
            "OU=Sales+CN=J.  Smith,DC=example,DC=net",
            "CN=J. Smith+OU=Sales,DC=Example,DC=NET"
        ));
        assert!(matches("CN=#0c034a6f65", "CN=JOE"));
        assert!(matches("2.5.4.3=x", "CN=X"));
        assert!(matches("CN=Straße", "CN=STRASSE"));
        assert!(matches("CN=ＡＢＣ", "CN=abc"));
        // Deviation: RFC 4518 maps U+200B to nothing; here it makes the name match nothing.
        assert!(!matches("CN=a\u{200B}b", "CN=ab"));
        assert!(matches("1.2.3.4=#0403010203", "1.2.3.4=#0403010203"));
        assert!(!matches("1.2.3.4=#0403010203", "1.2.3.4=#0403010204"));
        assert!(!matches("CN=a,O=b", "O=b,CN=a"));
        assert!(!matches("CN=a,O=b", "CN=a+O=b"));
        assert!(!matches("CN=a,O=b", "CN=a"));
        assert!(!matches("CN=a", "SN=a"));
        assert!(matches("", ""));
        assert_eq!(
            c("CN=J.  Smith+OU=Sales,DC=Example").to_string(),
            "OU=sales+CN=j. smith,DC=example"
        );
        assert_eq!(c("OU=Sales+CN=J. Smith,DC=Example").len(), 3);
    }

    /// Security deviation from RFC 4518: control characters make a name match nothing.
    #[test]
    fn control_characters_never_match() {
        assert!(!matches(r"CN=admin\00", "CN=admin"));
        assert!(!matches(r"CN=admin\00", r"CN=admin\00"));
        assert!(!matches(r"CN=Before\0dAfter", r"CN=Before\0dAfter"));
        assert_ne!(c(r"CN=admin\00"), c("CN=admin"));
        assert_eq!(c(r"CN=admin\00"), c(r"CN=ADMIN\00"));
        assert!(c(r"CN=admin\00").has_control_characters());
        assert!(
            DistinguishedName::parse(r"CN=x\07")
                .unwrap()
                .has_control_characters()
        );
        assert!(!c("CN=admin").has_control_characters());
        assert_eq!(c(r"CN=admin\00").to_string(), r"CN=admin\00");
    }

    #[test]
    fn is_within_prefix_in_der_order() {
        let base = c("O=MongoDB,C=US");
        assert!(c("CN=x,O=mongodb,C=us").is_within(&base));
        assert!(c("O=MongoDB,C=US").is_within(&base));
        assert!(!c("C=US").is_within(&base));
        assert!(!c("CN=x,O=Other,C=US").is_within(&base));
        assert!(!c("CN=x,OU=y+O=MongoDB,C=US").is_within(&base));
        assert!(c("CN=x,OU=y+O=MongoDB,C=US").is_within(&c("O=mongodb+OU=Y,C=US")));
        assert!(c("CN=x").is_within(&c("")));
        assert!(c("").is_empty() && !base.is_empty());
        assert!(!c(r"CN=x,O=Evil\00").is_within(&c("O=Evil")));
        assert_eq!(c("CN=x,OU=y+O=z,C=US").rdn_count(), 3);
    }

    #[test]
    fn sorting_handles_unknown_oids_and_ber() {
        let a = c("1.2.3=#0401ff+CN=b+1.2.4=a,O=x");
        let b = c("1.2.4=A+cn=B+1.2.3=#0401ff,O=X");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), b.to_string());
        let again = DistinguishedName::parse(&a.to_string())
            .unwrap()
            .canonical();
        assert_eq!(again, a);
    }

    /// Issue 8 item 6: the reversed-order check compares canonical RDNs (multi-valued ones as
    /// sets, values after preparation), never re-split text.
    #[test]
    fn reversal_compares_rdns() {
        let name = c("CN=Jane Doe,OU=Sales+O=MongoDB,C=US");
        assert_eq!(name.rdns().len(), 3);
        assert!(name.is_reversal_of(&c("c=us, o=mongodb+ou=SALES, cn=jane  doe")));
        assert!(c("c=us,O=MongoDB+OU=Sales,CN=Jane Doe").is_reversal_of(&name));
        assert!(!name.is_reversal_of(&name));
        assert!(!name.is_reversal_of(&c("C=US,O=MongoDB,CN=Jane Doe")));
        // One RDN is its own reversal; that is not a finding.
        assert!(!c("CN=x").is_reversal_of(&c("CN=x")));
        // An escaped comma inside a value is part of the value, not an RDN boundary.
        assert!(c(r"CN=Doe\, Jane,O=M").is_reversal_of(&c(r"O=M,CN=Doe\, Jane")));
        assert!(c("").rdns().is_empty());
    }
}
