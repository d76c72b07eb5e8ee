//! Errors of the `rbac` module: action names, role grants, custom-role catalogs, resolution.

use crate::display::Escaped;

/// Why a role grant, a custom role or a resolution was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RbacError {
    /// An action name that is not one of MongoDB's privilege actions.
    #[error(
        "unknown privilege action `{name}` (action names are MongoDB's camelCase names, e.g. `find`, `createIndex`)",
        name = Escaped(name)
    )]
    UnknownAction {
        /// The text that was given.
        name: String,
    },
    /// A grant string that is not of the form `role@db` or `role@db.collection`.
    #[error("invalid role grant `{text}`: {reason}", text = Escaped(text))]
    GrantSyntax {
        /// The text that was given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A collection-scoped grant of a role that can only be granted on a whole database.
    #[error(
        "invalid role grant `{text}`: only `read` and `readWrite` may be scoped to a collection, `{role}` is granted on a whole database (write `{role}@{db}`)",
        text = Escaped(text),
        role = Escaped(role),
        db = Escaped(db)
    )]
    CollectionScopeNotAllowed {
        /// The grant text.
        text: String,
        /// The role name.
        role: String,
        /// The database name.
        db: String,
    },
    /// A cluster-wide built-in role granted on a database other than `admin`.
    #[error(
        "invalid role grant `{text}`: `{role}` is a cluster-wide role that only exists in the `admin` database (write `{role}@admin`); granting it on `{db}` would suggest a scope it does not have",
        text = Escaped(text),
        role = Escaped(role),
        db = Escaped(db)
    )]
    ClusterRoleOutsideAdmin {
        /// The grant text.
        text: String,
        /// The role name.
        role: String,
        /// The database that was given.
        db: String,
    },
    /// A custom role granted on a database other than `admin`.
    #[error(
        "invalid role grant `{text}`: custom roles are defined project-wide in the `admin` database, grant it as `{role}@admin`",
        text = Escaped(text),
        role = Escaped(role)
    )]
    CustomRoleOutsideAdmin {
        /// The grant text.
        text: String,
        /// The role name.
        role: String,
    },
    /// A grant naming a role that is neither built in nor in the catalog.
    #[error(
        "unknown role `{role}` in grant `{grant}`: it is not a built-in role and no custom role has that name",
        role = Escaped(role),
        grant = Escaped(grant)
    )]
    UnknownRole {
        /// The role name.
        role: String,
        /// The grant text.
        grant: String,
    },
    /// A custom role name that is empty, too long, or uses characters outside `[A-Za-z0-9_-]`.
    #[error("invalid custom role name `{name}`: {reason}", name = Escaped(name))]
    InvalidRoleName {
        /// The name that was given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two custom roles with the same name.
    #[error("custom role `{name}` is defined twice", name = Escaped(name))]
    DuplicateRole {
        /// The duplicated name.
        name: String,
    },
    /// A custom role named like a built-in role.
    #[error(
        "custom role `{name}` has the name of a built-in role; choose another name",
        name = Escaped(name)
    )]
    BuiltinNameClash {
        /// The clashing name.
        name: String,
    },
    /// A custom role with an invalid privilege (bad action name or resource).
    #[error("custom role `{role}`: {source}", role = Escaped(role))]
    InvalidPrivilege {
        /// The custom role being defined.
        role: String,
        /// The underlying problem.
        #[source]
        source: Box<RbacError>,
    },
    /// A custom role with an invalid resource in one of its privileges.
    #[error("invalid resource `{resource}`: {reason}", resource = Escaped(resource))]
    InvalidResource {
        /// The resource as written.
        resource: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A custom role inheriting a role that does not exist.
    #[error(
        "custom role `{role}` inherits `{inherited}`, which is neither a built-in role nor a defined custom role",
        role = Escaped(role),
        inherited = Escaped(inherited)
    )]
    UnknownInheritedRole {
        /// The custom role being defined.
        role: String,
        /// The inherited grant text.
        inherited: String,
    },
    /// Custom roles that inherit from each other in a loop.
    #[error("custom roles inherit in a cycle: {path}", path = Escaped(path))]
    RoleCycle {
        /// The loop, e.g. `a -> b -> a`.
        path: String,
    },
    /// More custom roles than `Limits::max_custom_roles`.
    #[error("{count} custom roles defined, the limit is {limit}")]
    TooManyCustomRoles {
        /// How many were defined.
        count: usize,
        /// The limit in force.
        limit: usize,
    },
    /// More role grants for one user than `Limits::max_roles_per_user`.
    #[error("{count} roles granted to one user, the limit is {limit}")]
    TooManyRoles {
        /// How many were granted.
        count: usize,
        /// The limit in force.
        limit: usize,
    },
}

impl RbacError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            RbacError::UnknownAction { .. } => "unknown_action",
            RbacError::GrantSyntax { .. } => "grant_syntax",
            RbacError::CollectionScopeNotAllowed { .. } => "collection_scope_not_allowed",
            RbacError::ClusterRoleOutsideAdmin { .. } => "cluster_role_outside_admin",
            RbacError::CustomRoleOutsideAdmin { .. } => "custom_role_outside_admin",
            RbacError::UnknownRole { .. } => "unknown_role",
            RbacError::InvalidRoleName { .. } => "invalid_role_name",
            RbacError::DuplicateRole { .. } => "duplicate_role",
            RbacError::BuiltinNameClash { .. } => "builtin_name_clash",
            RbacError::InvalidPrivilege { .. } => "invalid_privilege",
            RbacError::InvalidResource { .. } => "invalid_resource",
            RbacError::UnknownInheritedRole { .. } => "unknown_inherited_role",
            RbacError::RoleCycle { .. } => "role_cycle",
            RbacError::TooManyCustomRoles { .. } => "too_many_custom_roles",
            RbacError::TooManyRoles { .. } => "too_many_roles",
        }
    }
}
