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
#[derive(Debug, Default)]
pub(crate) struct LoginMemo {
    map: Mutex<HashMap<DistinguishedName, Arc<Mapped>>>,
}

impl LoginMemo {
    pub(crate) fn get(&self, subject: &DistinguishedName) -> Option<Arc<Mapped>> {
        self.lock().get(subject).cloned()
    }

    pub(crate) fn insert(&self, subject: &DistinguishedName, mapped: Arc<Mapped>) {
        let mut map = self.lock();
        if map.len() >= MAX_SUBJECTS && !map.contains_key(subject) {
            map.clear();
        }
        map.insert(subject.clone(), mapped);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DistinguishedName, Arc<Mapped>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
