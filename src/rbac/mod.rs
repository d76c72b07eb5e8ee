//! Role-based access control, MongoDB style: actions on resources, built-in and custom roles,
//! role grants, and a resolved privilege set that answers `is_authorized` in nanoseconds.
//!
//! Decision rule 7 (crate docs, "Decision rules"): roles resolve (built-in + custom, inheritance, cycles
//! refused when the catalog is built) into the principal's privilege set.

mod action;
mod builtin;
mod custom;
mod grant;
mod privset;
mod resource;

#[cfg(test)]
mod tests;

pub use action::{Action, ActionSet};
pub use builtin::BuiltinRole;
pub use custom::{CustomRole, RoleCatalog, RoleCatalogBuilder};
pub use grant::RoleGrant;
pub use privset::PrivilegeSet;
pub use resource::{PrivilegeResource, Resource};
