//! LDAP authorization: user-to-DN mapping rules, the RFC 4516 authorization query template,
//! the `Directory` trait, an in-memory directory, and (feature `ldap`) a live directory client.
//!
//! Decision rule 6 (crate docs, "Decision rules"): a self-managed subject is mapped to an LDAP DN, the query
//! template yields group DNs, and a directory failure fails closed. This module goes past
//! MongoDB in one respect: text captured from a subject is escaped for where it lands (RFC 4514
//! in a DN, RFC 4515 in a filter), so a crafted subject cannot widen a query.

mod blocking;
#[cfg(feature = "ldap")]
mod client;
mod directory;
mod escape;
mod filter;
mod ldif;
mod mapping;
mod mongo_json;
#[cfg(feature = "ldap")]
mod pool;
mod template;

#[cfg(test)]
mod tests;

pub(crate) use blocking::BlockingScope;
#[cfg(feature = "ldap")]
pub use client::{
    LdapBind, LdapClientConfig, LdapDirectory, LdapServerUrl, LdapTls, PasswordSource,
};
pub use directory::{Directory, DirectoryEntry, FailingDirectory, InMemoryDirectory, SearchFuture};
pub use mapping::{MappingRule, UserToDnMapping};
pub use template::{LdapQuery, QueryTemplate, Scope};

use crate::error::LdapError;
use crate::limits::Limits;

impl LdapQuery {
    /// The group DNs in a directory's answer to this authorization query.
    ///
    /// With attributes requested (e.g. `memberOf`), exactly one entry must come back and every
    /// value of the requested attributes is a group DN; with none requested, each entry's DN is
    /// a group DN. More than `limits.max_ldap_groups` groups is an error, not a truncation.
    pub fn groups_from_entries(
        &self,
        entries: Vec<DirectoryEntry>,
        limits: &Limits,
    ) -> Result<Vec<String>, LdapError> {
        let query = self;
        let limit = limits.max_ldap_groups;
        let too_many = |count| LdapError::TooManyGroups { count, limit };
        if query.attributes.is_empty() {
            if entries.len() > limit {
                return Err(too_many(entries.len()));
            }
            return Ok(entries.into_iter().map(|e| e.dn).collect());
        }
        let count = entries.len();
        let mut it = entries.into_iter();
        let (Some(entry), None) = (it.next(), it.next()) else {
            return Err(LdapError::NotExactlyOneEntry {
                base_dn: query.base_dn.clone(),
                count,
            });
        };
        let mut groups = Vec::new();
        for attr in &query.attributes {
            for v in entry.values(attr) {
                if groups.len() == limit {
                    return Err(too_many(limit.saturating_add(1)));
                }
                groups.push(v.clone());
            }
        }
        Ok(groups)
    }
}

impl QueryTemplate {
    /// Render the query for `user`, run it on `directory`, and return the group DNs.
    pub async fn fetch_groups(
        &self,
        directory: &dyn Directory,
        user: &str,
        provided_user: &str,
        limits: &Limits,
    ) -> Result<Vec<String>, LdapError> {
        let query = self.render(user, provided_user)?;
        let entries = directory.search(&query).await?;
        query.groups_from_entries(entries, limits)
    }
}
