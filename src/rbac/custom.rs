//! Custom roles and the catalog that validates them and resolves grants.

use std::collections::HashMap;

use super::action::{Action, ActionSet};
use super::builtin::BuiltinRole;
use super::grant::{RoleGrant, check_role_name};
use super::privset::PrivilegeSet;
use super::resource::PrivilegeResource;
use crate::error::RbacError;
use crate::limits::Limits;

/// A custom role as configured: a name, privileges, and inherited roles (not yet validated).
///
/// Custom roles are project-wide, as in Atlas: they live in `admin` and are granted as
/// `name@admin`; each privilege names its own database and collection.
///
/// ```
/// use x509_dbauth::roles::{Action, CustomRole, PrivilegeResource, Resource, RoleCatalog};
///
/// let catalog = RoleCatalog::builder()
///     .add_role(CustomRole::new("ordersReader").privilege_on("sales", Some("orders"), ["find"]))
///     .add_role(
///         CustomRole::new("auditor")
///             .privilege(PrivilegeResource::Cluster, ["serverStatus"])
///             .inherit("ordersReader@admin"),
///     )
///     .build()?;
/// let privileges = catalog.resolve(&["auditor@admin".parse()?])?;
/// assert!(privileges.is_authorized(Action::Find, &Resource::collection("sales", "orders")));
/// assert!(privileges.is_authorized_on_cluster(Action::ServerStatus));
/// assert!(!privileges.is_authorized(Action::Find, &Resource::collection("sales", "leads")));
/// # Ok::<(), x509_dbauth::errors::RbacError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    name: String,
    /// A resource that failed validation is kept as its error, reported by `build`.
    privileges: Vec<(Result<PrivilegeResource, RbacError>, Vec<String>)>,
    inherits: Vec<String>,
}

impl CustomRole {
    /// A custom role with no privileges yet.
    pub fn new(name: impl Into<String>) -> CustomRole {
        CustomRole {
            name: name.into(),
            privileges: Vec::new(),
            inherits: Vec::new(),
        }
    }

    /// Add a privilege: `actions` (MongoDB names, checked by the catalog builder) on `resource`.
    #[must_use]
    pub fn privilege<I, S>(mut self, resource: PrivilegeResource, actions: I) -> CustomRole
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.privileges
            .push((Ok(resource), actions.into_iter().map(Into::into).collect()));
        self
    }

    /// Add a privilege in MongoDB's `{ db, collection, actions }` form: an empty `db` means
    /// every database, no (or an empty) `collection` every non-system collection. Names are
    /// checked by the catalog builder.
    #[must_use]
    pub fn privilege_on<I, S>(
        mut self,
        db: &str,
        collection: Option<&str>,
        actions: I,
    ) -> CustomRole
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let resource = PrivilegeResource::from_db_collection(db, collection.unwrap_or_default());
        self.privileges
            .push((resource, actions.into_iter().map(Into::into).collect()));
        self
    }

    /// Inherit a role, written as a grant: `read@sales`, `otherCustomRole@admin`.
    #[must_use]
    pub fn inherit(mut self, grant: impl Into<String>) -> CustomRole {
        self.inherits.push(grant.into());
        self
    }

    /// The role's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Builds a [`RoleCatalog`]; `build` refuses any invalid, duplicated or cyclic definition.
#[derive(Debug, Clone)]
///
/// ```
/// use x509_dbauth::roles::{CustomRole, RoleCatalog};
///
/// // Inheritance cycles are refused when the catalog is built.
/// let e = RoleCatalog::builder()
///     .add_role(CustomRole::new("a").inherit("b@admin"))
///     .add_role(CustomRole::new("b").inherit("a@admin"))
///     .build()
///     .unwrap_err();
/// assert_eq!(e.kind(), "role_cycle");
/// ```
pub struct RoleCatalogBuilder {
    limits: Limits,
    roles: Vec<CustomRole>,
}

impl Default for RoleCatalogBuilder {
    fn default() -> Self {
        RoleCatalogBuilder::new()
    }
}

impl RoleCatalogBuilder {
    /// An empty builder with [`Limits::DEFAULT`].
    pub fn new() -> RoleCatalogBuilder {
        RoleCatalogBuilder {
            limits: Limits::DEFAULT,
            roles: Vec::new(),
        }
    }

    /// Use these limits (custom-role count, roles per user).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> RoleCatalogBuilder {
        self.limits = limits;
        self
    }

    /// Add a custom role.
    #[must_use]
    pub fn add_role(mut self, role: CustomRole) -> RoleCatalogBuilder {
        self.roles.push(role);
        self
    }

    /// Validate every role and flatten inheritance.
    ///
    /// Refuses: more than `max_custom_roles` roles, invalid or duplicate names, names of
    /// built-in roles, unknown actions, inherited roles that do not exist, and inheritance
    /// cycles (the error names the loop, `a -> b -> a`).
    pub fn build(self) -> Result<RoleCatalog, RbacError> {
        if self.roles.len() > self.limits.max_custom_roles {
            return Err(RbacError::TooManyCustomRoles {
                count: self.roles.len(),
                limit: self.limits.max_custom_roles,
            });
        }
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, role) in self.roles.iter().enumerate() {
            check_role_name(&role.name).map_err(|reason| RbacError::InvalidRoleName {
                name: role.name.clone(),
                reason,
            })?;
            if BuiltinRole::from_name(&role.name).is_some() {
                return Err(RbacError::BuiltinNameClash {
                    name: role.name.clone(),
                });
            }
            if index.insert(role.name.as_str(), i).is_some() {
                return Err(RbacError::DuplicateRole {
                    name: role.name.clone(),
                });
            }
        }

        // Parse each role's own privileges and inherited grants.
        let mut parsed: Vec<ParsedRole> = Vec::with_capacity(self.roles.len());
        for role in &self.roles {
            let mut own = Vec::with_capacity(role.privileges.len());
            for (resource, names) in &role.privileges {
                let resource = resource.as_ref().map_err(|e| RbacError::InvalidPrivilege {
                    role: role.name.clone(),
                    source: Box::new(e.clone()),
                })?;
                let mut set = ActionSet::EMPTY;
                for name in names {
                    let action: Action = name.parse().map_err(|e| RbacError::InvalidPrivilege {
                        role: role.name.clone(),
                        source: Box::new(e),
                    })?;
                    set.insert(action);
                }
                own.push((resource.clone(), set));
            }
            let mut builtins = Vec::new();
            let mut customs = Vec::new();
            for text in &role.inherits {
                let grant: RoleGrant = text.parse().map_err(|e| RbacError::InvalidPrivilege {
                    role: role.name.clone(),
                    source: Box::new(e),
                })?;
                if grant.builtin().is_some() {
                    builtins.push(grant);
                } else if let Some(&j) = index.get(grant.role()) {
                    if grant.db() != "admin" {
                        return Err(RbacError::InvalidPrivilege {
                            role: role.name.clone(),
                            source: Box::new(RbacError::CustomRoleOutsideAdmin {
                                text: text.clone(),
                                role: grant.role().to_owned(),
                            }),
                        });
                    }
                    customs.push(j);
                } else {
                    return Err(RbacError::UnknownInheritedRole {
                        role: role.name.clone(),
                        inherited: text.clone(),
                    });
                }
            }
            parsed.push(ParsedRole {
                own,
                builtins,
                customs,
            });
        }

        // Depth-first search in definition order: a grey node seen again closes a cycle.
        let mut state = vec![Visit::White; parsed.len()];
        let mut order = Vec::with_capacity(parsed.len());
        for start in 0..parsed.len() {
            let mut path = Vec::new();
            visit(
                start,
                &parsed,
                &mut state,
                &mut path,
                &mut order,
                &self.roles,
            )?;
        }

        // `order` lists every role after all roles it inherits, so one pass flattens, and each
        // role is resolved exactly once (memoized in `flat`). Inherited privileges are merged
        // per resource (actions united), so a role's list never holds a resource twice and
        // its length is bounded by the number of distinct resources: the work is linear in
        // roles × (own privileges + inherited roles' lists), never exponential in the depth.
        let mut flat: Vec<Vec<(PrivilegeResource, ActionSet)>> = vec![Vec::new(); parsed.len()];
        let mut steps: u64 = 0;
        let mut scratch = Vec::new();
        for &i in &order {
            let Some(p) = parsed.get(i) else { continue };
            let mut merged = MergedPrivileges::default();
            for (r, a) in &p.own {
                merged.add(r, *a, &mut steps);
            }
            for g in &p.builtins {
                if let Some(b) = g.builtin() {
                    scratch.clear();
                    b.privileges(g.db(), g.collection(), &mut scratch);
                    for (r, a) in &scratch {
                        merged.add(r, *a, &mut steps);
                    }
                }
            }
            for &j in &p.customs {
                if let Some(inherited) = flat.get(j) {
                    for (r, a) in inherited {
                        merged.add(r, *a, &mut steps);
                    }
                }
            }
            if let Some(slot) = flat.get_mut(i) {
                *slot = merged.list;
            }
        }

        let roles = self
            .roles
            .into_iter()
            .zip(flat)
            .map(|(r, privs)| (r.name, privs))
            .collect();
        Ok(RoleCatalog {
            limits: self.limits,
            roles,
            resolution_steps: steps,
        })
    }
}

/// One role's privileges with a single entry per resource (actions of repeats united), in the
/// order each resource first appeared.
#[derive(Debug, Default)]
struct MergedPrivileges {
    list: Vec<(PrivilegeResource, ActionSet)>,
    index: HashMap<PrivilegeResource, usize>,
}

impl MergedPrivileges {
    /// Unites `actions` into the entry for `resource`; one step per call.
    fn add(&mut self, resource: &PrivilegeResource, actions: ActionSet, steps: &mut u64) {
        *steps = steps.saturating_add(1);
        match self.index.get(resource).and_then(|&k| self.list.get_mut(k)) {
            Some((_, set)) => *set = set.union(actions),
            None => {
                self.index.insert(resource.clone(), self.list.len());
                self.list.push((resource.clone(), actions));
            }
        }
    }
}

#[derive(Debug)]
struct ParsedRole {
    own: Vec<(PrivilegeResource, ActionSet)>,
    builtins: Vec<RoleGrant>,
    customs: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    White,
    Grey,
    Black,
}

fn visit(
    i: usize,
    parsed: &[ParsedRole],
    state: &mut [Visit],
    path: &mut Vec<usize>,
    order: &mut Vec<usize>,
    roles: &[CustomRole],
) -> Result<(), RbacError> {
    match state.get(i) {
        Some(Visit::Black) | None => return Ok(()),
        Some(Visit::Grey) => {
            let from = path.iter().position(|&p| p == i).unwrap_or(0);
            let names: Vec<&str> = path
                .iter()
                .skip(from)
                .chain(core::iter::once(&i))
                .filter_map(|&k| roles.get(k).map(|r| r.name.as_str()))
                .collect();
            return Err(RbacError::RoleCycle {
                path: names.join(" -> "),
            });
        }
        Some(Visit::White) => {}
    }
    if let Some(s) = state.get_mut(i) {
        *s = Visit::Grey;
    }
    path.push(i);
    if let Some(p) = parsed.get(i) {
        for &j in &p.customs {
            visit(j, parsed, state, path, order, roles)?;
        }
    }
    path.pop();
    if let Some(s) = state.get_mut(i) {
        *s = Visit::Black;
    }
    order.push(i);
    Ok(())
}

/// Validated custom roles, with inheritance flattened; resolves a user's grants.
///
/// ```
/// use x509_dbauth::roles::{Action, Resource, RoleCatalog, RoleGrant};
///
/// let catalog = RoleCatalog::builtin_only();
/// let grants: Vec<RoleGrant> = vec!["readWrite@sales".parse()?, "read@reporting.orders".parse()?];
/// let privileges = catalog.resolve(&grants)?;
/// assert!(privileges.is_authorized(Action::Insert, &Resource::collection("sales", "orders")));
/// assert!(privileges.is_authorized(Action::Find, &Resource::collection("reporting", "orders")));
/// assert!(!privileges.is_authorized(Action::Find, &Resource::collection("reporting", "salaries")));
/// // A custom role that does not exist is refused.
/// assert_eq!(catalog.resolve(&["nobody@admin".parse()?]).unwrap_err().kind(), "unknown_role");
/// # Ok::<(), x509_dbauth::errors::RbacError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RoleCatalog {
    limits: Limits,
    roles: HashMap<String, Vec<(PrivilegeResource, ActionSet)>>,
    /// Privilege entries merged while flattening inheritance (the work `build` did).
    #[cfg_attr(not(test), allow(dead_code))]
    resolution_steps: u64,
}

impl Default for RoleCatalog {
    fn default() -> Self {
        RoleCatalog {
            limits: Limits::DEFAULT,
            roles: HashMap::new(),
            resolution_steps: 0,
        }
    }
}

impl RoleCatalog {
    /// A builder for a catalog of custom roles.
    pub fn builder() -> RoleCatalogBuilder {
        RoleCatalogBuilder::new()
    }

    /// A catalog with no custom roles (built-in roles only) and default limits.
    pub fn builtin_only() -> RoleCatalog {
        RoleCatalog::default()
    }

    /// Whether a custom role with this name exists.
    pub fn has_custom_role(&self, name: &str) -> bool {
        self.roles.contains_key(name)
    }

    /// Number of custom roles.
    pub fn custom_role_count(&self) -> usize {
        self.roles.len()
    }

    /// The privilege entries `build` merged while flattening inheritance: the counted work
    /// the tests bound (no clock).
    #[cfg(test)]
    pub(crate) fn resolution_steps(&self) -> u64 {
        self.resolution_steps
    }

    /// A custom role's flattened privileges (one entry per resource).
    #[cfg(test)]
    pub(crate) fn flattened(&self, name: &str) -> Option<&[(PrivilegeResource, ActionSet)]> {
        self.roles.get(name).map(Vec::as_slice)
    }

    /// Resolve a user's grants into its privilege set.
    ///
    /// Refuses more than `max_roles_per_user` grants, unknown roles, and custom roles granted
    /// on a database other than `admin`.
    pub fn resolve(&self, grants: &[RoleGrant]) -> Result<PrivilegeSet, RbacError> {
        if grants.len() > self.limits.max_roles_per_user {
            return Err(RbacError::TooManyRoles {
                count: grants.len(),
                limit: self.limits.max_roles_per_user,
            });
        }
        let mut set = PrivilegeSet::new();
        let mut scratch = Vec::new();
        for grant in grants {
            scratch.clear();
            if let Some(b) = grant.builtin() {
                b.privileges(grant.db(), grant.collection(), &mut scratch);
                let i = set.push_grant(grant.clone());
                for (r, a) in &scratch {
                    set.add(i, r, *a);
                }
            } else if let Some(privs) = self.roles.get(grant.role()) {
                if grant.db() != "admin" {
                    return Err(RbacError::CustomRoleOutsideAdmin {
                        text: grant.to_string(),
                        role: grant.role().to_owned(),
                    });
                }
                let i = set.push_grant(grant.clone());
                for (r, a) in privs {
                    set.add(i, r, *a);
                }
            } else {
                return Err(RbacError::UnknownRole {
                    role: grant.role().to_owned(),
                    grant: grant.to_string(),
                });
            }
        }
        Ok(set)
    }
}
