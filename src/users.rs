//! Database users: a DN name (as typed), a kind, roles; a registry keyed by the name under the
//! configured [`NameMatching`].
//!
//! By default ([`NameMatching::Canonical`]) names are compared as DNs (RFC 4517
//! `distinguishedNameMatch`), so `CN=Jane Doe,O=MongoDB` and `cn=jane  doe, o=mongodb` are the
//! same user and cannot both be registered. With [`NameMatching::Exact`] a certificate is the
//! user whose name is, byte for byte, its server username, as a MongoDB server compares. When
//! no user matches a subject, [`UserRegistry::hint`] names the nearest registered DN and why it
//! differs.

use std::collections::HashMap;
use std::sync::Arc;

use crate::classify::CertificateKind;
use crate::display::Escaped;
use crate::dn::{CanonicalDn, DistinguishedName};
use crate::error::SettingsError;
use crate::limits::Limits;
use crate::rbac::{PrivilegeSet, RoleCatalog, RoleGrant};

/// How a certificate's subject is compared with database user names and claimed user names.
///
/// LDAP group DNs returned by a directory are always compared as parsed DNs (canonical),
/// whatever this says: directory servers re-escape and re-case the DNs they return.
///
/// ```
/// use x509_dbauth::settings::NameMatching;
/// use x509_dbauth::{CertificateKind, Settings, UserSpec};
///
/// // Under exact matching a user is registered as a MongoDB server prints the certificate's
/// // subject (its server username).
/// let settings = Settings::builder()
///     .name_matching(NameMatching::Exact)
///     .add_user(UserSpec::new("CN=myuser", CertificateKind::Managed).role("read@inventory"))
///     .build()?;
/// assert_eq!(settings.name_matching(), NameMatching::Exact);
/// assert_eq!(NameMatching::default().as_str(), "canonical");
/// # Ok::<(), x509_dbauth::SettingsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NameMatching {
    /// RFC 4517 `distinguishedNameMatch` with RFC 4518 preparation (the default): the same
    /// RDN count and order; attribute types by OID (`cn`, `commonName`, `2.5.4.3` are one);
    /// the values of a multi-valued RDN as a set (any order); string values after NFKC, full
    /// case folding (`JANE` = `jane`, `ß` = `ss`, `ſ` = `s`, final sigma), RFC 4518 §2.2
    /// mapping (zero-width and other "map to nothing" characters dropped, every space
    /// character a SPACE) and insignificant space handling (leading and trailing spaces
    /// ignored, inner runs one space); escapes and `#hex` of a string type do not matter.
    /// Non-string values compare by their exact BER. Two registered names that match are one
    /// user: the second is refused as a duplicate.
    #[default]
    Canonical,
    /// MongoDB's comparison: the certificate's server username
    /// ([`DistinguishedName::server_username`]) must equal the registered name (or the claimed
    /// name) byte for byte. Case, spaces, Unicode forms, escapes, attribute-type spelling and
    /// the order inside multi-valued RDNs all count; only the server's own RFC 4518
    /// preparation of the certificate's values (NFKC without case folding, no space
    /// handling) applies. Registered names that match only canonically are distinct users
    /// (settings warnings name such pairs), and a name that is not written the way the
    /// server prints it can never log in (warned too).
    Exact,
}

impl NameMatching {
    /// `"canonical"` or `"exact"` (the settings file's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            NameMatching::Canonical => "canonical",
            NameMatching::Exact => "exact",
        }
    }
}

impl core::fmt::Display for NameMatching {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A database user as configured, before validation.
///
/// ```
/// use x509_dbauth::{CertificateKind, UserSpec};
///
/// let jane = UserSpec::new("CN=Jane Doe,O=MongoDB,C=US", CertificateKind::SelfManaged)
///     .role("readWrite@sales")
///     .role("read@reporting.orders");
/// assert_eq!(jane.roles, ["readWrite@sales", "read@reporting.orders"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// The DN, as the admin typed it.
    pub name: String,
    /// Which certificates may log in as this user.
    pub kind: CertificateKind,
    /// Role grants, `role@db` or `role@db.collection`.
    pub roles: Vec<String>,
}

impl UserSpec {
    /// A user with no roles yet.
    pub fn new(name: impl Into<String>, kind: CertificateKind) -> UserSpec {
        UserSpec {
            name: name.into(),
            kind,
            roles: Vec::new(),
        }
    }

    /// Adds a role grant (checked when the settings are built).
    #[must_use]
    pub fn role(mut self, grant: impl Into<String>) -> UserSpec {
        self.roles.push(grant.into());
        self
    }
}

/// A validated database user with its resolved privileges.
///
/// ```
/// use x509_dbauth::roles::{Action, Resource};
/// use x509_dbauth::{CertificateKind, Settings, UserSpec};
///
/// let settings = Settings::builder()
///     .add_user(UserSpec::new("cn=myuser", CertificateKind::Managed).role("read@inventory"))
///     .build()?;
/// let user = settings.users().iter().next().expect("one user");
/// assert_eq!(user.name(), "cn=myuser");
/// assert_eq!(user.dn().to_string(), "CN=myuser");
/// assert_eq!(user.kind(), CertificateKind::Managed);
/// assert_eq!(user.roles()[0].to_string(), "read@inventory");
/// assert!(user.privileges().is_authorized(Action::Find, &Resource::collection("inventory", "items")));
/// # Ok::<(), x509_dbauth::SettingsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DatabaseUser {
    name: Arc<str>,
    dn: DistinguishedName,
    kind: CertificateKind,
    roles: Arc<[RoleGrant]>,
    privileges: Arc<PrivilegeSet>,
}

impl DatabaseUser {
    /// The name as typed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name, parsed.
    pub fn dn(&self) -> &DistinguishedName {
        &self.dn
    }

    /// Which certificates may log in as this user.
    pub fn kind(&self) -> CertificateKind {
        self.kind
    }

    /// The role grants.
    pub fn roles(&self) -> &[RoleGrant] {
        &self.roles
    }

    /// The resolved privileges.
    pub fn privileges(&self) -> &PrivilegeSet {
        &self.privileges
    }

    pub(crate) fn shared(&self) -> (Arc<str>, Arc<[RoleGrant]>, Arc<PrivilegeSet>) {
        (
            Arc::clone(&self.name),
            Arc::clone(&self.roles),
            Arc::clone(&self.privileges),
        )
    }
}

/// The database users of one settings snapshot, keyed by canonical DN (and, under
/// [`NameMatching::Exact`], by the name as typed).
///
/// ```
/// use x509_dbauth::roles::RoleCatalog;
/// use x509_dbauth::settings::UserRegistry;
/// use x509_dbauth::{CertificateKind, DistinguishedName, Limits, UserSpec};
///
/// let specs = [UserSpec::new("CN=Jane Doe,O=MongoDB,C=US", CertificateKind::SelfManaged)
///     .role("readWrite@sales")];
/// let users = UserRegistry::build(&specs, &RoleCatalog::builtin_only(), &Limits::DEFAULT, true)?;
///
/// // A subject typed with other case and spacing is the same user under canonical matching.
/// let subject = DistinguishedName::parse("cn=JANE DOE, o=mongodb, c=us")?;
/// let user = users.lookup(&subject, &subject.canonical()).expect("registered");
/// assert_eq!(user.name(), "CN=Jane Doe,O=MongoDB,C=US");
///
/// // An unknown subject gets a hint naming the nearest registered user.
/// let reversed = DistinguishedName::parse("C=US,O=MongoDB,CN=Jane Doe")?;
/// assert!(users.lookup(&reversed, &reversed.canonical()).is_none());
/// assert!(users.hint(&reversed).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct UserRegistry {
    users: Vec<DatabaseUser>,
    /// Canonical DN → the first user with it.
    index: HashMap<CanonicalDn, usize>,
    /// Under exact matching: the name as typed → its user.
    exact: HashMap<Arc<str>, usize>,
    matching: NameMatching,
}

/// Parses role grant strings; `Err((position, error))` for the first bad one.
pub(crate) fn parse_grants(
    roles: &[String],
    catalog: &RoleCatalog,
) -> Result<Vec<RoleGrant>, (usize, crate::error::RbacError)> {
    let mut grants = Vec::with_capacity(roles.len());
    for (i, r) in roles.iter().enumerate() {
        let g: RoleGrant = r.parse().map_err(|e| (i, e))?;
        // Resolving alone catches unknown roles and custom roles outside `admin`.
        catalog
            .resolve(core::slice::from_ref(&g))
            .map_err(|e| (i, e))?;
        grants.push(g);
    }
    Ok(grants)
}

impl UserRegistry {
    /// Validates `specs` in order: limits, DN syntax, duplicates (by canonical DN), kind
    /// against `self_managed_enabled`, role grants against `catalog`.
    pub fn build(
        specs: &[UserSpec],
        catalog: &RoleCatalog,
        limits: &Limits,
        self_managed_enabled: bool,
    ) -> Result<UserRegistry, SettingsError> {
        UserRegistry::build_with_matching(
            specs,
            catalog,
            limits,
            self_managed_enabled,
            NameMatching::Canonical,
        )
    }

    /// [`Self::build`] under the given name matching: with [`NameMatching::Exact`], only
    /// byte-identical names are duplicates.
    pub fn build_with_matching(
        specs: &[UserSpec],
        catalog: &RoleCatalog,
        limits: &Limits,
        self_managed_enabled: bool,
        matching: NameMatching,
    ) -> Result<UserRegistry, SettingsError> {
        let flagged: Vec<(UserSpec, bool)> = specs.iter().map(|s| (s.clone(), false)).collect();
        UserRegistry::build_flagged(&flagged, catalog, limits, self_managed_enabled, matching)
    }

    /// [`Self::build`] where each user says whether it is kept from an earlier snapshot: a kept
    /// self-managed user survives disabling self-managed X.509 (only adding one is refused).
    pub(crate) fn build_flagged(
        specs: &[(UserSpec, bool)],
        catalog: &RoleCatalog,
        limits: &Limits,
        self_managed_enabled: bool,
        matching: NameMatching,
    ) -> Result<UserRegistry, SettingsError> {
        if specs.len() > limits.max_users {
            return Err(SettingsError::TooManyUsers {
                count: specs.len(),
                limit: limits.max_users,
            });
        }
        let mut reg = UserRegistry {
            users: Vec::with_capacity(specs.len()),
            index: HashMap::with_capacity(specs.len()),
            exact: HashMap::new(),
            matching,
        };
        for (index, (spec, kept)) in specs.iter().enumerate() {
            let name = spec.name.as_str();
            if name.trim().is_empty() {
                return Err(SettingsError::EmptyUserName { index });
            }
            if name.len() > limits.max_username_bytes {
                return Err(SettingsError::UserNameTooLong {
                    index,
                    len: name.len(),
                    limit: limits.max_username_bytes,
                });
            }
            let dn = DistinguishedName::parse_with_limits(name, limits).map_err(|source| {
                SettingsError::InvalidUserName {
                    index,
                    name: name.to_owned(),
                    source,
                }
            })?;
            if dn.has_control_characters() {
                return Err(SettingsError::ControlCharacterInUserName {
                    index,
                    name: name.to_owned(),
                });
            }
            let key = dn.canonical();
            let duplicate = match matching {
                NameMatching::Canonical => reg.index.get(&key),
                NameMatching::Exact => reg.exact.get(name),
            };
            if let Some(&first) = duplicate {
                return Err(SettingsError::DuplicateUser {
                    index,
                    name: name.to_owned(),
                    first,
                    first_name: reg
                        .users
                        .get(first)
                        .map_or_else(String::new, |u| u.name().to_owned()),
                });
            }
            if spec.kind == CertificateKind::SelfManaged && !self_managed_enabled && !kept {
                return Err(SettingsError::SelfManagedUserWhileDisabled {
                    index,
                    name: name.to_owned(),
                });
            }
            if spec.roles.len() > limits.max_roles_per_user {
                return Err(SettingsError::TooManyRoles {
                    index,
                    count: spec.roles.len(),
                    limit: limits.max_roles_per_user,
                });
            }
            let grants = parse_grants(&spec.roles, catalog).map_err(|(role, source)| {
                SettingsError::UserRole {
                    index,
                    role,
                    source,
                }
            })?;
            let privileges =
                catalog
                    .resolve(&grants)
                    .map_err(|source| SettingsError::UserRole {
                        index,
                        role: 0,
                        source,
                    })?;
            let name: Arc<str> = name.into();
            reg.index.entry(key).or_insert(reg.users.len());
            if matching == NameMatching::Exact {
                reg.exact.insert(Arc::clone(&name), reg.users.len());
            }
            reg.users.push(DatabaseUser {
                name,
                dn,
                kind: spec.kind,
                roles: grants.into(),
                privileges: Arc::new(privileges),
            });
        }
        Ok(reg)
    }

    /// The user whose name matches `key` canonically (under exact matching, the first such).
    pub fn get(&self, key: &CanonicalDn) -> Option<&DatabaseUser> {
        self.index.get(key).and_then(|&i| self.users.get(i))
    }

    /// The user whose name is `name` byte for byte (registered under exact matching).
    pub fn get_exact(&self, name: &str) -> Option<&DatabaseUser> {
        self.exact.get(name).and_then(|&i| self.users.get(i))
    }

    /// The name matching these users were registered under.
    pub fn matching(&self) -> NameMatching {
        self.matching
    }

    /// The user a certificate with this subject logs in as, under [`Self::matching`]:
    /// canonically by `canonical` (the subject's key), or exactly by its server username.
    /// A subject with a control character is nobody (its server username has them removed).
    pub fn lookup(
        &self,
        subject: &DistinguishedName,
        canonical: &CanonicalDn,
    ) -> Option<&DatabaseUser> {
        if subject.has_control_characters() {
            return None;
        }
        match self.matching {
            NameMatching::Canonical => self.get(canonical),
            NameMatching::Exact => self.get_exact(&subject.server_username()),
        }
    }

    /// Users in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &DatabaseUser> {
        self.users.iter()
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// For a subject no user matches: the nearest registered name and how it differs
    /// (RDN order reversed, spacing, letter case, or merely closest), if one is close.
    pub fn hint(&self, subject: &DistinguishedName) -> Option<String> {
        if self.matching == NameMatching::Exact
            && let Some(u) = self.get(&subject.canonical())
        {
            return Some(format!(
                "the registered user \"{}\" matches it only under canonical matching (letter case, spaces, Unicode forms or escapes differ); exact name matching is on, so a name must be the certificate's server username \"{}\" byte for byte",
                u.name(),
                subject.server_username()
            ));
        }
        nearest(subject, self.users.iter().map(|u| (u.name(), u.dn())))
    }
}

/// Longest canonical name compared by edit distance for a hint.
const HINT_MAX_BYTES: usize = 256;

/// The hint for `subject` among `(name as typed, parsed)` candidates.
pub(crate) fn nearest<'a>(
    subject: &DistinguishedName,
    candidates: impl Iterator<Item = (&'a str, &'a DistinguishedName)>,
) -> Option<String> {
    let s_key = subject.canonical();
    let s_canon = s_key.to_string();
    let s_text = subject.to_string();
    let mut best: Option<(usize, &str)> = None;
    for (name, dn) in candidates {
        let c_key = dn.canonical();
        let c_canon = c_key.to_string();
        if s_key.is_reversal_of(&c_key) {
            return Some(format!(
                "the registered user \"{}\" has the same RDNs in reverse order; names are compared in order, and the certificate's subject reads \"{}\"",
                Escaped(name),
                Escaped(&s_text)
            ));
        }
        if squeeze(&s_canon) == squeeze(&c_canon) {
            return Some(format!(
                "the registered user \"{}\" differs only in spacing inside a value",
                Escaped(name)
            ));
        }
        if s_text.to_lowercase() == dn.to_string().to_lowercase() {
            return Some(format!(
                "the registered user \"{}\" differs only in letter case, in a value that is compared exactly",
                Escaped(name)
            ));
        }
        // Edit distance is quadratic: only for names of ordinary length (the hint is a
        // courtesy on the failure path and must not become a cost an attacker can raise).
        if s_canon.len() > HINT_MAX_BYTES || c_canon.len() > HINT_MAX_BYTES {
            continue;
        }
        let d = distance(&s_canon, &c_canon);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, name));
        }
    }
    let (d, name) = best?;
    // Close means at most a quarter of the name (and at least 3 edits) differs.
    let close = d <= (s_canon.chars().count() / 4).max(3);
    close.then(|| format!("the nearest registered user is \"{}\"", Escaped(name)))
}

/// RDN strings of an RFC 4514 text, split at unescaped commas.
pub(crate) fn rdn_parts(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                parts.push(s.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(s.get(start..).unwrap_or_default());
    parts
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Levenshtein distance over characters; names are at most `max_username_bytes` long.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(s: &str) -> DistinguishedName {
        s.parse().unwrap()
    }

    fn reg(names: &[&str]) -> UserRegistry {
        let specs: Vec<UserSpec> = names
            .iter()
            .map(|n| UserSpec::new(*n, CertificateKind::Managed).role("read@sales"))
            .collect();
        UserRegistry::build(
            &specs,
            &RoleCatalog::builtin_only(),
            &Limits::DEFAULT,
            false,
        )
        .unwrap()
    }

    #[test]
    fn hints_name_the_difference() {
        let r = reg(&["CN=Jane Doe,O=MongoDB,C=US", "CN=myuser"]);
        assert_eq!(
            r.hint(&dn("C=US,O=MongoDB,CN=Jane Doe")).unwrap(),
            "the registered user \"CN=Jane Doe,O=MongoDB,C=US\" has the same RDNs in reverse order; names are compared in order, and the certificate's subject reads \"C=US,O=MongoDB,CN=Jane Doe\""
        );
        assert_eq!(
            r.hint(&dn("CN=JaneDoe,O=MongoDB,C=US")).unwrap(),
            "the registered user \"CN=Jane Doe,O=MongoDB,C=US\" differs only in spacing inside a value"
        );
        assert_eq!(
            r.hint(&dn("CN=Jane Do,O=MongoDB,C=US")).unwrap(),
            "the nearest registered user is \"CN=Jane Doe,O=MongoDB,C=US\""
        );
        assert_eq!(r.hint(&dn("CN=Somebody Else,O=Other Corp,C=FR")), None);
    }

    #[test]
    fn lookup_never_finds_a_subject_with_a_control_character() {
        let specs = [UserSpec::new("CN=admin", CertificateKind::Managed)];
        for m in [NameMatching::Canonical, NameMatching::Exact] {
            let r = UserRegistry::build_with_matching(
                &specs,
                &RoleCatalog::builtin_only(),
                &Limits::DEFAULT,
                false,
                m,
            )
            .unwrap();
            let clean = dn("CN=admin");
            assert!(r.lookup(&clean, &clean.canonical()).is_some(), "{m}");
            let nul = dn(r"CN=admin\00");
            // The server username drops the NUL; the lookup must not follow it.
            assert_eq!(nul.server_username(), "CN=admin");
            assert!(r.lookup(&nul, &nul.canonical()).is_none(), "{m}");
        }
    }

    #[test]
    fn duplicates_are_found_by_canonical_dn() {
        let specs = [
            UserSpec::new("CN=Jane Doe,O=MongoDB", CertificateKind::Managed),
            UserSpec::new("cn=jane  doe, o=mongodb", CertificateKind::Managed),
        ];
        let e = UserRegistry::build(&specs, &RoleCatalog::builtin_only(), &Limits::DEFAULT, true)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "user #1: \"cn=jane  doe, o=mongodb\" names the same DN as user #0 \"CN=Jane Doe,O=MongoDB\" (names are compared as DNs: case, spacing and escapes do not make them different)"
        );
    }

    #[test]
    fn each_limit_is_a_typed_error() {
        let cat = RoleCatalog::builtin_only();
        let l = Limits::DEFAULT;
        let many: Vec<UserSpec> = (0..101)
            .map(|i| UserSpec::new(format!("CN=u{i}"), CertificateKind::Managed))
            .collect();
        assert_eq!(
            UserRegistry::build(&many, &cat, &l, true)
                .unwrap_err()
                .kind(),
            "too_many_users"
        );
        let long = UserSpec::new(format!("CN={}", "a".repeat(1022)), CertificateKind::Managed);
        assert_eq!(
            UserRegistry::build(&[long], &cat, &l, true).unwrap_err(),
            SettingsError::UserNameTooLong {
                index: 0,
                len: 1025,
                limit: 1024
            }
        );
        let mut roles = UserSpec::new("CN=r", CertificateKind::Managed);
        for i in 0..101 {
            roles = roles.role(format!("read@db{i}"));
        }
        assert_eq!(
            UserRegistry::build(&[roles], &cat, &l, true)
                .unwrap_err()
                .kind(),
            "too_many_roles"
        );
        let sm = UserSpec::new("CN=s", CertificateKind::SelfManaged);
        assert_eq!(
            UserRegistry::build(&[sm], &cat, &l, false)
                .unwrap_err()
                .kind(),
            "self_managed_user_while_disabled"
        );
        let bad = UserSpec::new("CN=x,,", CertificateKind::Managed);
        assert_eq!(
            UserRegistry::build(&[bad], &cat, &l, true)
                .unwrap_err()
                .kind(),
            "invalid_user_name"
        );
        let role = UserSpec::new("CN=x", CertificateKind::Managed).role("nosuchrole@admin");
        assert_eq!(
            UserRegistry::build(&[role], &cat, &l, true)
                .unwrap_err()
                .kind(),
            "user_role"
        );
        let nul = UserSpec::new("CN=admin\\00", CertificateKind::Managed);
        assert_eq!(
            UserRegistry::build(&[nul], &cat, &l, true)
                .unwrap_err()
                .kind(),
            "control_character_in_user_name"
        );
    }
}
