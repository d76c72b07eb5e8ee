//! The resolved privileges of one user, indexed so that `is_authorized` is a few bit tests.

use core::hash::{BuildHasherDefault, Hasher};
use std::collections::HashMap;

use super::action::{Action, ActionSet};
use super::grant::RoleGrant;
use super::resource::{PrivilegeResource, Resource, is_internal_db, is_system_collection};

/// FNV-1a: names are short and come from trusted configuration (not from the request), so
/// hash flooding is not a concern and SipHash's cost would dominate a lookup.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<V> = HashMap<Box<str>, V, BuildHasherDefault<Fnv>>;

#[derive(Debug, Clone, Default)]
struct DbPrivileges {
    /// Actions on the database and on its non-system collections.
    db: u128,
    /// Actions on named collections of this database.
    collections: FastMap<u128>,
}

/// The privileges a user holds, resolved from role grants by
/// [`RoleCatalog::resolve`](super::RoleCatalog::resolve).
///
/// ```
/// use x509_dbauth::roles::{Action, Resource, RoleCatalog};
///
/// let privileges = RoleCatalog::builtin_only().resolve(&["dbAdmin@sales".parse()?])?;
/// assert!(privileges.is_authorized_on_database(Action::DbStats, "sales"));
/// assert!(privileges.is_authorized(Action::CreateIndex, &Resource::collection("sales", "orders")));
/// assert!(!privileges.is_authorized(Action::Insert, &Resource::collection("sales", "orders")));
/// assert_eq!(privileges.roles(), ["dbAdmin@sales"]);
/// # Ok::<(), x509_dbauth::errors::RbacError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PrivilegeSet {
    grants: Vec<RoleGrant>,
    /// Each grant's privileges, kept to explain a decision.
    sources: Vec<(usize, PrivilegeResource, ActionSet)>,
    any_resource: u128,
    cluster: u128,
    any_db: u128,
    any_user_db: u128,
    dbs: FastMap<DbPrivileges>,
    coll_any_db: FastMap<u128>,
    coll_any_user_db: FastMap<u128>,
}

impl PrivilegeSet {
    pub(crate) fn new() -> PrivilegeSet {
        PrivilegeSet::default()
    }

    pub(crate) fn push_grant(&mut self, grant: RoleGrant) -> usize {
        self.grants.push(grant);
        self.grants.len().saturating_sub(1)
    }

    pub(crate) fn add(
        &mut self,
        grant_index: usize,
        resource: &PrivilegeResource,
        actions: ActionSet,
    ) {
        if actions.is_empty() {
            return;
        }
        let bits = actions.bits();
        match resource {
            PrivilegeResource::Cluster => self.cluster |= bits,
            PrivilegeResource::AnyResource => self.any_resource |= bits,
            PrivilegeResource::AnyDatabase => self.any_db |= bits,
            PrivilegeResource::AnyUserDatabase => self.any_user_db |= bits,
            PrivilegeResource::Database(db) => {
                self.dbs.entry(db.as_str().into()).or_default().db |= bits;
            }
            PrivilegeResource::Collection { db, collection } => {
                *self
                    .dbs
                    .entry(db.as_str().into())
                    .or_default()
                    .collections
                    .entry(collection.as_str().into())
                    .or_default() |= bits;
            }
            PrivilegeResource::CollectionInAnyDatabase(c) => {
                *self.coll_any_db.entry(c.as_str().into()).or_default() |= bits;
            }
            PrivilegeResource::CollectionInAnyUserDatabase(c) => {
                *self.coll_any_user_db.entry(c.as_str().into()).or_default() |= bits;
            }
        }
        self.sources.push((grant_index, resource.clone(), actions));
    }

    /// Whether the user may perform `action` on `resource`.
    ///
    /// A handful of bit tests and at most three hash lookups; no allocation.
    #[inline]
    pub fn is_authorized(&self, action: Action, resource: &Resource) -> bool {
        match resource {
            Resource::Cluster => self.is_authorized_on_cluster(action),
            Resource::Database(db) => self.is_authorized_on_database(action, db),
            Resource::Collection { db, collection } => {
                self.is_authorized_on_collection(action, db, collection)
            }
        }
    }

    /// [`is_authorized`](Self::is_authorized) on the cluster resource.
    #[inline]
    pub fn is_authorized_on_cluster(&self, action: Action) -> bool {
        (self.any_resource | self.cluster) & action.bit() != 0
    }

    /// [`is_authorized`](Self::is_authorized) on database `db`, without building a [`Resource`].
    #[inline]
    pub fn is_authorized_on_database(&self, action: Action, db: &str) -> bool {
        let bit = action.bit();
        let mut any = self.any_resource | self.any_db;
        if !is_internal_db(db) {
            any |= self.any_user_db;
        }
        if any & bit != 0 {
            return true;
        }
        !self.dbs.is_empty() && self.dbs.get(db).is_some_and(|d| d.db & bit != 0)
    }

    /// [`is_authorized`](Self::is_authorized) on collection `db.collection`, without building a
    /// [`Resource`].
    #[inline]
    pub fn is_authorized_on_collection(&self, action: Action, db: &str, collection: &str) -> bool {
        let bit = action.bit();
        if self.any_resource & bit != 0 {
            return true;
        }
        let internal = is_internal_db(db);
        let system = is_system_collection(collection);
        if !system {
            let any = if internal {
                self.any_db
            } else {
                self.any_db | self.any_user_db
            };
            if any & bit != 0 {
                return true;
            }
        }
        if !self.dbs.is_empty()
            && let Some(d) = self.dbs.get(db)
        {
            if !system && d.db & bit != 0 {
                return true;
            }
            if !d.collections.is_empty()
                && d.collections.get(collection).is_some_and(|b| b & bit != 0)
            {
                return true;
            }
        }
        if !self.coll_any_db.is_empty()
            && self
                .coll_any_db
                .get(collection)
                .is_some_and(|b| b & bit != 0)
        {
            return true;
        }
        !internal
            && !self.coll_any_user_db.is_empty()
            && self
                .coll_any_user_db
                .get(collection)
                .is_some_and(|b| b & bit != 0)
    }

    /// The grants this set was resolved from, written `role@db` / `role@db.collection`.
    pub fn roles(&self) -> Vec<String> {
        self.grants.iter().map(ToString::to_string).collect()
    }

    /// The grants this set was resolved from.
    pub fn grants(&self) -> &[RoleGrant] {
        &self.grants
    }

    /// Which grants give `action` on `resource`, each with the privilege that matched
    /// (empty when the action is denied).
    pub fn explain(
        &self,
        action: Action,
        resource: &Resource,
    ) -> Vec<(&RoleGrant, &PrivilegeResource)> {
        self.sources
            .iter()
            .filter(|(_, pattern, actions)| actions.contains(action) && pattern.covers(resource))
            .filter_map(|(i, pattern, _)| self.grants.get(*i).map(|g| (g, pattern)))
            .collect()
    }
}
