//! What an LDAP login works out without the directory, remembered per settings snapshot.
//!
//! Under LDAP authorization a login turns the certificate subject into the server username,
//! maps it to an LDAP DN through the mapping rules, renders the authorization query, looks the
//! answer up in the group cache, and turns the groups it names into roles and privileges. Only
//! the cache lookup depends on the directory's answer; the rest is a function of the subject
//! and the settings. A connection storm brings the same subjects back again and again, so
//! each [`Authenticator`](super::Authenticator) keeps:
//!
//! - the subject → (server username, LDAP DN, cache key) step, keyed by the subject name
//!   compared exactly (every attribute type, string value and RDN boundary: the inputs the
//!   mapping reads), and only when no mapping rule asks the directory (an `ldapQuery` rule's
//!   answer can change at any time, so such mappings are recomputed on every login);
//! - the groups → roles step, next to it, tied to the exact group answer it was computed from
//!   (by pointer: a refreshed answer is a new allocation, so it is resolved again).
//!
//! The memo belongs to one settings snapshot: [`Authenticator::with_settings`] starts an empty
//! one. It is bounded; when full it is emptied (each entry is cheap to recompute, and nothing
//! is asked of the directory to refill it).
//!
//! [`Authenticator::with_settings`]: super::Authenticator::with_settings

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::cache::CacheKey;
use crate::dn::DistinguishedName;
use crate::rbac::{PrivilegeSet, RoleGrant};

/// Most subjects remembered by one authenticator.
pub(crate) const MAX_SUBJECTS: usize = 10_000;

/// Most bytes of names and queries remembered by one authenticator (subjects can be up to
/// `Limits::max_dn_bytes` long, so the entry count alone would not bound the memory).
pub(crate) const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The local part of one subject's LDAP login.
#[derive(Debug)]
pub(crate) struct Mapped {
    /// The server username: the mapping's input.
    pub(crate) input: String,
    /// The LDAP DN the mapping produced.
    pub(crate) ldap_dn: Arc<str>,
    /// The group cache key: the rendered authorization query and the canonical DN.
    pub(crate) key: CacheKey,
    roles: Mutex<Option<Arc<Roles>>>,
}

/// The roles one group answer grants.
#[derive(Debug)]
pub(crate) struct Roles {
    /// The answer they were resolved from.
    groups: Arc<[String]>,
    /// The configured groups the answer matched, in answer order.
    pub(crate) matched: Vec<String>,
    pub(crate) grants: Arc<[RoleGrant]>,
    pub(crate) privileges: Arc<PrivilegeSet>,
}

impl Roles {
    pub(crate) fn new(
        groups: Arc<[String]>,
        matched: Vec<String>,
        grants: Arc<[RoleGrant]>,
        privileges: Arc<PrivilegeSet>,
    ) -> Roles {
        Roles {
            groups,
            matched,
            grants,
            privileges,
        }
    }
}

impl Mapped {
    pub(crate) fn new(input: String, ldap_dn: Arc<str>, key: CacheKey) -> Mapped {
        Mapped {
            input,
            ldap_dn,
            key,
            roles: Mutex::new(None),
        }
    }

    /// What the entry holds, in bytes of text, counting its subject (as long as the server
    /// username, give or take escapes) twice: the key and the input.
    fn weight(&self) -> usize {
        let q = &self.key.query;
        2 * self.input.len()
            + self.ldap_dn.len()
            + self.key.dn.len()
            + q.base_dn.len()
            + q.filter.len()
            + q.attributes.iter().map(String::len).sum::<usize>()
    }

    /// The roles resolved from exactly this answer (the same allocation), if remembered.
    pub(crate) fn roles_for(&self, groups: &Arc<[String]>) -> Option<Arc<Roles>> {
        let slot = self.roles.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref()
            .filter(|r| Arc::ptr_eq(&r.groups, groups))
            .cloned()
    }

    /// Remembers the roles of the newest answer.
    pub(crate) fn remember(&self, roles: Arc<Roles>) {
        *self.roles.lock().unwrap_or_else(PoisonError::into_inner) = Some(roles);
    }
}

/// Subject → [`Mapped`], for one settings snapshot.
#[derive(Debug)]
pub(crate) struct LoginMemo {
    inner: Mutex<Inner>,
    max_subjects: usize,
    max_bytes: usize,
}

impl Default for LoginMemo {
    fn default() -> LoginMemo {
        LoginMemo::with_bounds(MAX_SUBJECTS, MAX_BYTES)
    }
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<DistinguishedName, Arc<Mapped>>,
    /// The sum of the entries' weights.
    bytes: usize,
}

impl LoginMemo {
    fn with_bounds(max_subjects: usize, max_bytes: usize) -> LoginMemo {
        LoginMemo {
            inner: Mutex::default(),
            max_subjects,
            max_bytes,
        }
    }

    pub(crate) fn get(&self, subject: &DistinguishedName) -> Option<Arc<Mapped>> {
        self.lock().map.get(subject).cloned()
    }

    /// Remembers `mapped` for `subject`, first emptying the memo if the entry would take it
    /// past its entry or byte bound ([`MAX_SUBJECTS`], [`MAX_BYTES`]). An entry heavier than
    /// the whole byte budget is not kept.
    pub(crate) fn insert(&self, subject: &DistinguishedName, mapped: Arc<Mapped>) {
        let weight = mapped.weight();
        if weight > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.map.remove(subject) {
            inner.bytes = inner.bytes.saturating_sub(old.weight());
        }
        if inner.map.len() >= self.max_subjects
            || inner.bytes.saturating_add(weight) > self.max_bytes
        {
            inner.map.clear();
            inner.bytes = 0;
        }
        inner.bytes = inner.bytes.saturating_add(weight);
        inner.map.insert(subject.clone(), mapped);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldap::QueryTemplate;

    fn mapped(user: &str) -> Arc<Mapped> {
        let ldap_dn = format!("cn={user},ou=users,dc=example,dc=com");
        let query = QueryTemplate::parse("{USER}?memberOf?base")
            .unwrap()
            .render(&ldap_dn, user)
            .unwrap();
        let key = CacheKey {
            query,
            dn: ldap_dn.to_lowercase(),
        };
        Arc::new(Mapped::new(format!("CN={user}"), ldap_dn.into(), key))
    }

    fn subject(user: &str) -> DistinguishedName {
        DistinguishedName::parse(&format!("CN={user}")).unwrap()
    }

    #[test]
    fn bounded_by_entries_and_by_bytes() {
        let memo = LoginMemo::with_bounds(16, usize::MAX);
        for i in 0..16 {
            memo.insert(&subject(&i.to_string()), mapped(&i.to_string()));
        }
        assert_eq!(memo.lock().map.len(), 16);
        // Replacing an entry keeps the count and the byte total.
        let before = memo.lock().bytes;
        memo.insert(&subject("7"), mapped("7"));
        let after = memo.lock().bytes;
        assert_eq!((memo.lock().map.len(), after), (16, before));
        // One more subject empties it first.
        memo.insert(&subject("new"), mapped("new"));
        assert_eq!(memo.lock().map.len(), 1);
        assert!(memo.get(&subject("new")).is_some() && memo.get(&subject("0")).is_none());

        // Heavy names: the byte budget empties it long before the entry count would.
        let long = "x".repeat(1024);
        let per_entry = mapped(&format!("{long}0")).weight();
        let memo = LoginMemo::with_bounds(MAX_SUBJECTS, 10 * per_entry);
        for i in 0..10 {
            let user = format!("{long}{i}");
            memo.insert(&subject(&user), mapped(&user));
        }
        assert_eq!(memo.lock().map.len(), 10);
        assert_eq!(memo.lock().bytes, 10 * per_entry);
        memo.insert(&subject("one more"), mapped(&format!("{long}z")));
        assert_eq!(memo.lock().map.len(), 1);
        // An entry heavier than the whole budget is not kept at all.
        let small = mapped("y");
        let huge = Mapped::new("y".repeat(10 * per_entry), "cn=y".into(), small.key.clone());
        memo.insert(&subject("huge"), Arc::new(huge));
        assert!(memo.get(&subject("huge")).is_none());
        assert_eq!(memo.lock().map.len(), 1);
    }
}
