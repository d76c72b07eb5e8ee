//! A role granted to a user: `role@db` or `role@db.collection`.

use core::fmt;
use core::str::FromStr;

use super::builtin::BuiltinRole;
use super::resource::{check_collection_name, check_db_name};
use crate::error::RbacError;

/// One role grant, written `role@db` or, for `read`/`readWrite`, `role@db.collection`.
///
/// Parsing checks what can be checked without a catalog: syntax, database and collection
/// names, that cluster-wide built-in roles are granted on `admin`, and that only `read` and
/// `readWrite` carry a collection. Whether a non-built-in name is a known custom role (granted
/// on `admin`) is checked by [`RoleCatalog::resolve`](super::RoleCatalog::resolve).
///
/// ```
/// use x509_dbauth::roles::{BuiltinRole, RoleGrant};
///
/// let grant: RoleGrant = "read@reporting.orders".parse()?;
/// assert_eq!((grant.role(), grant.db(), grant.collection()), ("read", "reporting", Some("orders")));
/// assert_eq!(grant.builtin(), Some(BuiltinRole::Read));
/// assert_eq!(grant, RoleGrant::new("read", "reporting", Some("orders"))?);
/// // Cluster-wide roles are granted on `admin` only.
/// assert_eq!(
///     "clusterAdmin@sales".parse::<RoleGrant>().unwrap_err().kind(),
///     "cluster_role_outside_admin"
/// );
/// # Ok::<(), x509_dbauth::errors::RbacError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleGrant {
    role: String,
    db: String,
    collection: Option<String>,
}

impl RoleGrant {
    /// A grant of `role` on `db` (and `collection`), validated as [`FromStr`] does.
    pub fn new(role: &str, db: &str, collection: Option<&str>) -> Result<RoleGrant, RbacError> {
        let text = match collection {
            Some(c) => format!("{role}@{db}.{c}"),
            None => format!("{role}@{db}"),
        };
        check_role_name(role).map_err(|reason| RbacError::GrantSyntax {
            text: text.clone(),
            reason,
        })?;
        check_db_name(db).map_err(|reason| RbacError::GrantSyntax {
            text: text.clone(),
            reason,
        })?;
        if let Some(c) = collection {
            check_collection_name(c).map_err(|reason| RbacError::GrantSyntax {
                text: text.clone(),
                reason,
            })?;
        }
        match BuiltinRole::from_name(role) {
            Some(b) if b.is_cluster_wide() && db != "admin" => {
                return Err(RbacError::ClusterRoleOutsideAdmin {
                    text,
                    role: role.to_owned(),
                    db: db.to_owned(),
                });
            }
            Some(b) if collection.is_some() && !b.allows_collection_scope() => {
                return Err(RbacError::CollectionScopeNotAllowed {
                    text,
                    role: role.to_owned(),
                    db: db.to_owned(),
                });
            }
            // Custom roles are granted on a whole database (`admin`), never on a collection.
            None if collection.is_some() => {
                return Err(RbacError::CollectionScopeNotAllowed {
                    text,
                    role: role.to_owned(),
                    db: db.to_owned(),
                });
            }
            _ => {}
        }
        Ok(RoleGrant {
            role: role.to_owned(),
            db: db.to_owned(),
            collection: collection.map(str::to_owned),
        })
    }

    /// The role name, e.g. `readWrite` or a custom role's name.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The database the role is granted on.
    pub fn db(&self) -> &str {
        &self.db
    }

    /// The collection, for collection-scoped `read` / `readWrite`.
    pub fn collection(&self) -> Option<&str> {
        self.collection.as_deref()
    }

    /// The built-in role named by this grant, if it is one.
    pub fn builtin(&self) -> Option<BuiltinRole> {
        BuiltinRole::from_name(&self.role)
    }
}

impl FromStr for RoleGrant {
    type Err = RbacError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = |reason| RbacError::GrantSyntax {
            text: s.to_owned(),
            reason,
        };
        let (role, scope) = s
            .split_once('@')
            .ok_or_else(|| syntax("expected `role@db` or `role@db.collection`, there is no `@`"))?;
        if role.is_empty() {
            return Err(syntax("the role name before `@` is empty"));
        }
        // Database names cannot contain `.`, so the first `.` starts the collection name
        // (which may itself contain dots, e.g. `system.js`).
        let (db, collection) = match scope.split_once('.') {
            Some((db, c)) => (db, Some(c)),
            None => (scope, None),
        };
        if let Some("") = collection {
            return Err(syntax("the collection name after `.` is empty"));
        }
        RoleGrant::new(role, db, collection).map_err(|e| match e {
            RbacError::GrantSyntax { reason, .. } => syntax(reason),
            other => other,
        })
    }
}

impl fmt::Display for RoleGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.collection {
            Some(c) => write!(f, "{}@{}.{}", self.role, self.db, c),
            None => write!(f, "{}@{}", self.role, self.db),
        }
    }
}

/// Role names: 1–64 bytes of `[A-Za-z0-9_-]`. Every built-in name fits; for custom roles this
/// keeps `name@db` unambiguous and matches what Atlas accepts for custom role names.
pub(crate) fn check_role_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("the role name is empty");
    }
    if name.len() > 64 {
        return Err("a role name is at most 64 bytes");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err("a role name uses only letters, digits, `_` and `-`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn grant_parsing_table() {
        // (input, Ok(display) | Err(kind))
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("read@sales", Ok("read@sales")),
            ("readWrite@sales.orders", Ok("readWrite@sales.orders")),
            ("read@sales.system.js", Ok("read@sales.system.js")),
            ("root@admin", Ok("root@admin")),
            ("atlasAdmin@admin", Ok("atlasAdmin@admin")),
            ("myRole@admin", Ok("myRole@admin")),
            ("myRole@sales", Ok("myRole@sales")),
            ("dbOwner@sales", Ok("dbOwner@sales")),
            ("root@sales", Err("cluster_role_outside_admin")),
            ("readAnyDatabase@test", Err("cluster_role_outside_admin")),
            ("root@admin.users", Err("collection_scope_not_allowed")),
            ("dbAdmin@sales.orders", Err("collection_scope_not_allowed")),
            ("myRole@admin.coll", Err("collection_scope_not_allowed")),
            ("read", Err("grant_syntax")),
            ("@sales", Err("grant_syntax")),
            ("read@", Err("grant_syntax")),
            ("read@sales.", Err("grant_syntax")),
            ("read@sa les", Err("grant_syntax")),
            ("read@sales.a$b", Err("grant_syntax")),
            ("re ad@sales", Err("grant_syntax")),
            ("read@a@b", Err("grant_syntax")),
        ];
        for (input, expected) in cases {
            let got = input.parse::<RoleGrant>();
            match (expected, got) {
                (Ok(display), Ok(g)) => assert_eq!(g.to_string(), *display, "{input}"),
                (Err(kind), Err(e)) => assert_eq!(e.kind(), *kind, "{input}: {e}"),
                (exp, got) => panic!("{input}: expected {exp:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn grant_errors_read_as_sentences() {
        let e = "root@sales".parse::<RoleGrant>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid role grant `root@sales`: `root` is a cluster-wide role that only exists in the `admin` database (write `root@admin`); granting it on `sales` would suggest a scope it does not have"
        );
        let e = "dbAdmin@sales.orders".parse::<RoleGrant>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid role grant `dbAdmin@sales.orders`: only `read` and `readWrite` may be scoped to a collection, `dbAdmin` is granted on a whole database (write `dbAdmin@sales`)"
        );
        let e = "read".parse::<RoleGrant>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid role grant `read`: expected `role@db` or `role@db.collection`, there is no `@`"
        );
    }

    fn role_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("read".to_owned()),
            Just("readWrite".to_owned()),
            "[A-Za-z][A-Za-z0-9_-]{0,20}"
        ]
    }

    proptest! {
        #[test]
        fn display_from_str_round_trip(
            role in role_strategy(),
            db in "[a-z][a-z0-9_-]{0,20}",
            coll in proptest::option::of("[a-z][a-z0-9_.]{0,20}"),
        ) {
            // Whatever parses must print back to the same text, and that text must parse
            // to the same grant.
            let text = match &coll { Some(c) => format!("{role}@{db}.{c}"), None => format!("{role}@{db}") };
            if let Ok(g) = text.parse::<RoleGrant>() {
                prop_assert_eq!(g.to_string(), text.clone());
                prop_assert_eq!(g.to_string().parse::<RoleGrant>().unwrap(), g);
            }
            if coll.is_some() && (role == "read" || role == "readWrite") {
                let g = text.parse::<RoleGrant>();
                prop_assert_eq!(g.as_ref().map(ToString::to_string), Ok(text.clone()), "{} should parse", text);
            }
        }
    }
}
