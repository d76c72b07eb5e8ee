//! The `Directory` trait, and an in-memory directory (loadable from LDIF) for tests and tools.

use core::future::Future;
use core::pin::Pin;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::escape::{ava_key, read_dn};
use super::filter::Filter;
use super::template::{LdapQuery, Scope};
use crate::error::{DirectoryError, LdifError};

/// The future a [`Directory`] search returns.
pub type SearchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<DirectoryEntry>, DirectoryError>> + Send + 'a>>;

/// An LDAP directory that can run one search. Object-safe and async without extra crates.
///
/// A base DN that does not exist yields an empty answer (not an error), so that a mapping rule
/// or authorization query for an unknown user is a "no result", not a directory failure.
pub trait Directory: Send + Sync {
    /// Run `query` and return the matching entries.
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a>;
}

/// One entry of a search answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryEntry {
    /// The entry's DN, as the directory spells it.
    pub dn: String,
    /// Attribute values by lowercased attribute name.
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl DirectoryEntry {
    /// An entry with no attributes.
    pub fn new(dn: impl Into<String>) -> DirectoryEntry {
        DirectoryEntry {
            dn: dn.into(),
            attributes: BTreeMap::new(),
        }
    }

    /// Add one value of an attribute (the name is lowercased).
    #[must_use]
    pub fn with(mut self, attribute: &str, value: impl Into<String>) -> DirectoryEntry {
        self.attributes
            .entry(attribute.to_ascii_lowercase())
            .or_default()
            .push(value.into());
        self
    }

    /// The values of an attribute (any case), empty if absent.
    pub fn values(&self, attribute: &str) -> &[String] {
        self.attributes
            .get(&attribute.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The RDNs of a DN in comparable form.
///
/// For now: attribute types lowercased, values unescaped then re-escaped and lowercased,
/// spaces around `,` `+` `=` ignored, multi-valued RDNs sorted. A string that is not a DN
/// falls back to its trimmed lowercase form. To be replaced by the `dn` module's canonical
/// form (RFC 4517 `distinguishedNameMatch`).
fn dn_rdns(dn: &str) -> Vec<String> {
    match read_dn(dn) {
        Ok(rdns) => rdns
            .iter()
            .map(|rdn| {
                let mut avas: Vec<String> = rdn
                    .iter()
                    .map(|a| {
                        let mut s = String::new();
                        ava_key(a, &mut s);
                        s
                    })
                    .collect();
                avas.sort();
                avas.join("+")
            })
            .collect(),
        Err(_) => vec![dn.trim().to_lowercase()],
    }
}

/// The comparison key of a DN; see [`dn_rdns`]. The lead swaps this for the `dn` module's
/// canonical form.
fn dn_key(dn: &str) -> String {
    dn_rdns(dn).join(",")
}

/// Attributes whose values are DNs and are compared as DNs (RFC 4519 syntaxes).
fn is_dn_attribute(attr: &str) -> bool {
    matches!(
        attr,
        "member"
            | "uniquemember"
            | "memberof"
            | "owner"
            | "seealso"
            | "manager"
            | "roleoccupant"
            | "secretary"
    )
}

fn value_eq(attr: &str, stored: &str, asserted: &str) -> bool {
    if is_dn_attribute(attr) {
        dn_key(stored) == dn_key(asserted)
    } else {
        // caseIgnoreMatch, simplified: Unicode lowercase, no RFC 4518 insignificant-space prep.
        stored.to_lowercase() == asserted.to_lowercase()
    }
}

fn substring_match(value: &str, initial: Option<&str>, any: &[String], last: Option<&str>) -> bool {
    let v = value.to_lowercase();
    let mut rest = v.as_str();
    if let Some(i) = initial {
        let i = i.to_lowercase();
        match rest.strip_prefix(i.as_str()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    for a in any {
        let a = a.to_lowercase();
        match rest.find(a.as_str()) {
            Some(pos) => rest = rest.get(pos + a.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    match last {
        Some(l) => rest.ends_with(l.to_lowercase().as_str()),
        None => true,
    }
}

fn eval(filter: &Filter, attrs: &BTreeMap<String, Vec<String>>) -> bool {
    let values = |attr: &str| attrs.get(attr).map(Vec::as_slice).unwrap_or_default();
    match filter {
        Filter::And(fs) => fs.iter().all(|f| eval(f, attrs)),
        Filter::Or(fs) => fs.iter().any(|f| eval(f, attrs)),
        Filter::Not(f) => !eval(f, attrs),
        // Every entry has an object class, whether or not the test data spelled one out.
        Filter::Present(a) => a == "objectclass" || !values(a).is_empty(),
        Filter::Equality(a, v) => values(a).iter().any(|s| value_eq(a, s, v)),
        Filter::Substring {
            attr,
            initial,
            any,
            last,
        } => values(attr)
            .iter()
            .any(|s| substring_match(s, initial.as_deref(), any, last.as_deref())),
    }
}

#[derive(Debug, Clone)]
struct Stored {
    rdns: Vec<String>,
    entry: DirectoryEntry,
}

/// A directory held in memory: entries keyed by DN, base/one/sub scopes, RFC 4515 filters,
/// and a virtual `memberOf` computed from `groupOfNames` / `groupOfUniqueNames` like slapd's
/// memberOf overlay (used when an entry stores no `memberOf` of its own).
#[derive(Debug, Default)]
pub struct InMemoryDirectory {
    entries: Vec<Stored>,
    index: HashMap<String, usize>,
    failure: Mutex<Option<DirectoryError>>,
}

impl InMemoryDirectory {
    /// An empty directory.
    pub fn new() -> InMemoryDirectory {
        InMemoryDirectory::default()
    }

    /// Load an LDIF document (RFC 2849 content records).
    pub fn from_ldif(text: &str) -> Result<InMemoryDirectory, LdifError> {
        let mut dir = InMemoryDirectory::new();
        for (line, entry) in super::ldif::parse(text)? {
            if dir.index.contains_key(&dn_key(&entry.dn)) {
                return Err(LdifError::DuplicateEntry { line, dn: entry.dn });
            }
            dir.insert(entry);
        }
        Ok(dir)
    }

    /// Load an LDIF file.
    pub fn from_ldif_file(
        path: impl AsRef<std::path::Path>,
    ) -> Result<InMemoryDirectory, LdifError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| LdifError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        InMemoryDirectory::from_ldif(&text)
    }

    /// Add an entry, replacing (and returning) one with the same DN.
    pub fn insert(&mut self, entry: DirectoryEntry) -> Option<DirectoryEntry> {
        let rdns = dn_rdns(&entry.dn);
        let key = rdns.join(",");
        let stored = Stored { rdns, entry };
        match self.index.get(&key).and_then(|&i| self.entries.get_mut(i)) {
            Some(slot) => Some(core::mem::replace(slot, stored).entry),
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push(stored);
                None
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the directory has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Make every search fail with `error` (or succeed again with `None`), to test fail-closed
    /// behaviour.
    pub fn fail_with(&self, error: Option<DirectoryError>) {
        // A poisoned lock only means a test thread panicked; the value is still usable.
        let mut guard = self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = error;
    }

    /// Shorthand: simulate a directory that is down (`true`) or back up (`false`).
    pub fn set_unavailable(&self, unavailable: bool) {
        self.fail_with(unavailable.then(|| DirectoryError::Unavailable {
            reason: "simulated outage".to_owned(),
        }));
    }

    /// Run a search synchronously.
    pub fn search_now(&self, query: &LdapQuery) -> Result<Vec<DirectoryEntry>, DirectoryError> {
        if let Some(e) = self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
        {
            return Err(e);
        }
        let filter = Filter::parse(&query.filter).map_err(|e| DirectoryError::Protocol {
            reason: format!("invalid filter `{}`: {e}", query.filter),
        })?;
        let base = dn_rdns(&query.base_dn);
        let base = if query.base_dn.trim().is_empty() {
            Vec::new()
        } else {
            base
        };
        let member_of = self.virtual_member_of();
        let mut out = Vec::new();
        for s in &self.entries {
            let depth_ok = match query.scope {
                Scope::Base => s.rdns == base,
                Scope::One => {
                    s.rdns.len() == base.len().saturating_add(1) && s.rdns.ends_with(&base)
                }
                Scope::Sub => s.rdns.ends_with(&base),
            };
            if !depth_ok {
                continue;
            }
            let mut attrs = s.entry.attributes.clone();
            if !attrs.contains_key("memberof")
                && let Some(groups) = member_of.get(&s.rdns.join(","))
            {
                attrs.insert("memberof".to_owned(), groups.clone());
            }
            if !eval(&filter, &attrs) {
                continue;
            }
            out.push(DirectoryEntry {
                dn: s.entry.dn.clone(),
                attributes: select(
                    attrs,
                    &query.attributes,
                    s.entry.attributes.contains_key("memberof"),
                ),
            });
        }
        Ok(out)
    }

    /// Member DN key → DNs of the groups listing it.
    fn virtual_member_of(&self) -> HashMap<String, Vec<String>> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for s in &self.entries {
            let classes = s.entry.values("objectclass");
            let is_group = classes.iter().any(|c| {
                c.eq_ignore_ascii_case("groupOfNames")
                    || c.eq_ignore_ascii_case("groupOfUniqueNames")
            });
            if !is_group {
                continue;
            }
            for m in s
                .entry
                .values("member")
                .iter()
                .chain(s.entry.values("uniquemember"))
            {
                map.entry(dn_key(m)).or_default().push(s.entry.dn.clone());
            }
        }
        map
    }
}

/// Keep the requested attributes: none requested or `*` means all user attributes; a virtual
/// `memberOf` (operational in slapd) only when asked for by name; `1.1` means none.
fn select(
    mut attrs: BTreeMap<String, Vec<String>>,
    requested: &[String],
    member_of_stored: bool,
) -> BTreeMap<String, Vec<String>> {
    let wanted: Vec<String> = requested.iter().map(|a| a.to_ascii_lowercase()).collect();
    if wanted.is_empty() || wanted.iter().any(|a| a == "*") {
        if !member_of_stored && !wanted.iter().any(|a| a == "memberof") {
            attrs.remove("memberof");
        }
        return attrs;
    }
    attrs.retain(|name, _| wanted.iter().any(|w| w == name));
    attrs
}

impl Directory for InMemoryDirectory {
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
        Box::pin(core::future::ready(self.search_now(query)))
    }
}

/// A directory that always fails in one way, or never answers (to test timeouts).
#[derive(Debug, Clone)]
pub struct FailingDirectory {
    error: Option<DirectoryError>,
}

impl FailingDirectory {
    /// Every search fails with `error`.
    pub fn new(error: DirectoryError) -> FailingDirectory {
        FailingDirectory { error: Some(error) }
    }

    /// Every search stays pending forever; the caller's timeout must fire.
    pub fn never_answers() -> FailingDirectory {
        FailingDirectory { error: None }
    }
}

impl Directory for FailingDirectory {
    fn search<'a>(&'a self, _query: &'a LdapQuery) -> SearchFuture<'a> {
        match &self.error {
            Some(e) => Box::pin(core::future::ready(Err(e.clone()))),
            None => Box::pin(core::future::pending()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_key_ignores_case_and_spacing() {
        assert_eq!(
            dn_key("CN=Jane Doe, OU=Users,DC=Example,DC=com"),
            dn_key("cn=jane doe,ou=users,dc=example,dc=com")
        );
        assert_eq!(dn_key("cn = a , ou = b"), "cn=a,ou=b");
        assert_eq!(
            dn_key("cn=Doe\\, Jane+uid=jdoe2"),
            dn_key("UID=jdoe2+CN=doe\\2c jane")
        );
        assert_ne!(dn_key("cn=a,ou=b"), dn_key("cn=a\\,ou=b"));
        assert_eq!(dn_rdns("cn=a\\,b,ou=c").len(), 2);
    }

    #[test]
    fn substring_matching() {
        assert!(substring_match("Jane Doe", Some("ja"), &[], Some("doe")));
        assert!(substring_match(
            "abcabc",
            None,
            &["b".into(), "b".into()],
            None
        ));
        assert!(!substring_match(
            "abc",
            None,
            &["b".into(), "b".into()],
            None
        ));
        assert!(!substring_match("ab", Some("ab"), &[], Some("b")));
    }
}
