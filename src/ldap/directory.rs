//! The `Directory` trait, and an in-memory directory (loadable from LDIF) for tests and tools.

use core::future::Future;
use core::pin::Pin;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::escape::read_dn;
use super::filter::Filter;
use super::template::{LdapQuery, Scope};
use crate::dn::CanonicalDn;
use crate::error::{DirectoryError, LdifError};

/// The future a [`Directory`] search returns.
pub type SearchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<DirectoryEntry>, DirectoryError>> + Send + 'a>>;

/// An LDAP directory that can run one search. Object-safe and async without extra crates.
///
/// A base DN that does not exist yields an empty answer (not an error), so that a mapping rule
/// or authorization query for an unknown user is a "no result", not a directory failure.
///
/// An implementation answers one search; [`InMemoryDirectory`] and, with the `ldap` feature,
/// `LdapDirectory` are the crate's own.
///
/// ```
/// use x509_dbauth::directory::{Directory, DirectoryEntry, LdapQuery, Scope, SearchFuture};
///
/// /// Every user is in one group.
/// struct OneGroup;
///
/// impl Directory for OneGroup {
///     fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a> {
///         let entry = DirectoryEntry::new(query.base_dn.clone())
///             .with("memberOf", "cn=readers,ou=groups,dc=example,dc=com");
///         Box::pin(async move { Ok(vec![entry]) })
///     }
/// }
///
/// let query = LdapQuery {
///     base_dn: "cn=Jane Doe,ou=users,dc=example,dc=com".into(),
///     scope: Scope::Base,
///     filter: "(objectClass=*)".into(),
///     attributes: vec!["memberOf".into()],
/// };
/// let answer = x509_dbauth::testing::block_on(OneGroup.search(&query))?;
/// assert_eq!(answer[0].values("memberOf"), ["cn=readers,ou=groups,dc=example,dc=com"]);
/// # Ok::<(), x509_dbauth::errors::DirectoryError>(())
/// ```
pub trait Directory: Send + Sync {
    /// Run `query` and return the matching entries.
    fn search<'a>(&'a self, query: &'a LdapQuery) -> SearchFuture<'a>;
}

/// One entry of a search answer.
///
/// ```
/// use x509_dbauth::directory::DirectoryEntry;
///
/// let entry = DirectoryEntry::new("cn=Jane Doe,ou=users,dc=example,dc=com")
///     .with("memberOf", "cn=readers,ou=groups,dc=example,dc=com")
///     .with("memberOf", "cn=dbAdmins,ou=groups,dc=example,dc=com");
/// // Attribute names are case-insensitive.
/// assert_eq!(entry.values("MEMBEROF").len(), 2);
/// assert!(entry.values("uid").is_empty());
/// ```
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

/// The comparison key of a DN: the `dn` module's canonical form (RFC 4517
/// `distinguishedNameMatch`: types by OID, values after RFC 4518 preparation, multi-valued
/// RDNs as sets). A string that is not a DN falls back to its trimmed lowercase form, which
/// only ever equals the same malformed string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DnKey {
    Dn(CanonicalDn),
    Raw(String),
}

fn dn_key(dn: &str) -> DnKey {
    match read_dn(dn) {
        Ok(parsed) => DnKey::Dn(parsed.canonical()),
        Err(_) => DnKey::Raw(dn.trim().to_lowercase()),
    }
}

impl DnKey {
    /// Whether the entry named by `self` is in scope of a search based at `base`.
    fn in_scope(&self, base: &DnKey, scope: Scope) -> bool {
        match (self, base) {
            (DnKey::Dn(entry), DnKey::Dn(base)) => match scope {
                Scope::Base => entry == base,
                Scope::One => {
                    entry.rdn_count() == base.rdn_count().saturating_add(1) && entry.is_within(base)
                }
                Scope::Sub => entry.is_within(base),
            },
            _ => scope == Scope::Base && self == base,
        }
    }
}

/// DN equality for DN-valued attributes; a name with a control character matches nothing
/// (the `dn` module's rule against `CN=admin\00` impersonation).
fn dn_eq(a: &str, b: &str) -> bool {
    match (read_dn(a), read_dn(b)) {
        (Ok(a), Ok(b)) => a.matches(&b),
        _ => a.trim().to_lowercase() == b.trim().to_lowercase(),
    }
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
        dn_eq(stored, asserted)
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
    key: DnKey,
    entry: DirectoryEntry,
}

/// A directory held in memory: entries keyed by DN, base/one/sub scopes, RFC 4515 filters,
/// and a virtual `memberOf` computed from `groupOfNames` / `groupOfUniqueNames` like slapd's
/// memberOf overlay (used when an entry stores no `memberOf` of its own).
///
/// ```
/// use x509_dbauth::directory::{InMemoryDirectory, QueryTemplate};
///
/// let dir = InMemoryDirectory::from_ldif(
///     "dn: cn=Jane Doe,ou=users,dc=example,dc=com\n\
///      objectClass: inetOrgPerson\n\
///      cn: Jane Doe\n\
///      sn: Doe\n\
///      \n\
///      dn: cn=readers,ou=groups,dc=example,dc=com\n\
///      objectClass: groupOfNames\n\
///      cn: readers\n\
///      member: cn=Jane Doe,ou=users,dc=example,dc=com\n",
/// )?;
/// assert_eq!(dir.len(), 2);
/// // `memberOf` is computed from the groups, as slapd's memberOf overlay does.
/// let jane = "cn=Jane Doe,ou=users,dc=example,dc=com";
/// let query = QueryTemplate::parse("{USER}?memberOf?base")?.render(jane, jane)?;
/// let answer = dir.search_now(&query)?;
/// assert_eq!(answer[0].values("memberOf"), ["cn=readers,ou=groups,dc=example,dc=com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct InMemoryDirectory {
    entries: Vec<Stored>,
    index: HashMap<DnKey, usize>,
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
        let mut first_lines: HashMap<DnKey, usize> = HashMap::new();
        for (line, entry) in super::ldif::parse(text)? {
            let key = dn_key(&entry.dn);
            if let Some(&first_line) = first_lines.get(&key) {
                return Err(LdifError::DuplicateEntry { line, first_line });
            }
            first_lines.insert(key, line);
            dir.insert(entry);
        }
        Ok(dir)
    }

    /// Load an LDIF file: a regular file (or a symbolic link to one) of at most
    /// [`FileKind::MAX_LDIF_FILE_BYTES`](crate::settings::FileKind::MAX_LDIF_FILE_BYTES). Errors name the
    /// file and the line, never the line's text.
    pub fn from_ldif_file(
        path: impl AsRef<std::path::Path>,
    ) -> Result<InMemoryDirectory, LdifError> {
        let path = path.as_ref();
        let bytes = crate::files::read_regular_file(path, crate::limits::FileKind::Ldif)
            .map_err(LdifError::Read)?;
        let in_file = |e: LdifError| LdifError::InFile {
            path: path.display().to_string(),
            source: Box::new(e),
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.as_bytes().get(..e.utf8_error().valid_up_to());
            let line = valid.map_or(1, |b| 1 + b.iter().filter(|&&c| c == b'\n').count());
            in_file(LdifError::Syntax {
                line,
                reason: "expected UTF-8 text (LDIF values that are not text are written \
                         base64-encoded after `::`)"
                    .to_owned(),
            })
        })?;
        InMemoryDirectory::from_ldif(&text).map_err(in_file)
    }

    /// Add an entry, replacing (and returning) one with the same DN.
    pub fn insert(&mut self, entry: DirectoryEntry) -> Option<DirectoryEntry> {
        let key = dn_key(&entry.dn);
        let stored = Stored {
            key: key.clone(),
            entry,
        };
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
        // The empty base DN is the root: everything is below it.
        let base = dn_key(&query.base_dn);
        let member_of = self.virtual_member_of();
        let mut out = Vec::new();
        for s in &self.entries {
            if !s.key.in_scope(&base, query.scope) {
                continue;
            }
            let mut attrs = s.entry.attributes.clone();
            if !attrs.contains_key("memberof")
                && let Some(groups) = member_of.get(&s.key)
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
    fn virtual_member_of(&self) -> HashMap<DnKey, Vec<String>> {
        let mut map: HashMap<DnKey, Vec<String>> = HashMap::new();
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
///
/// ```
/// use x509_dbauth::directory::{Directory, LdapQuery, Scope};
/// use x509_dbauth::errors::DirectoryError;
/// use x509_dbauth::testing::{FailingDirectory, block_on};
///
/// let down = FailingDirectory::new(DirectoryError::Unavailable {
///     reason: "connection refused".into(),
/// });
/// let query = LdapQuery {
///     base_dn: "dc=example,dc=com".into(),
///     scope: Scope::Base,
///     filter: "(objectClass=*)".into(),
///     attributes: vec![],
/// };
/// assert_eq!(block_on(down.search(&query)).unwrap_err().kind(), "unavailable");
/// ```
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
        assert_eq!(dn_key("cn = a , ou = b"), dn_key("CN=a,OU=b"));
        assert_eq!(dn_key("2.5.4.3=a,ou=b"), dn_key("cn=a,ou=b"));
        assert_eq!(
            dn_key("cn=Doe\\, Jane+uid=jdoe2"),
            dn_key("UID=jdoe2+CN=doe\\2c jane")
        );
        assert_ne!(dn_key("cn=a,ou=b"), dn_key("cn=a\\,ou=b"));
        assert!(dn_eq("cn=Doe\\, Jane", "CN=doe\\2c jane"));
        assert!(!dn_eq("cn=admin\\00", "cn=admin\\00"));
        let base = dn_key("ou=c");
        assert!(dn_key("cn=a\\,b,ou=c").in_scope(&base, Scope::One));
        assert!(!dn_key("cn=a,ou=b,ou=c").in_scope(&base, Scope::One));
        assert!(dn_key("cn=a,ou=b,ou=c").in_scope(&base, Scope::Sub));
        assert!(dn_key("cn=a,ou=b,ou=c").in_scope(&dn_key(""), Scope::Sub));
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
