//! What an action is performed on (`Resource`) and what a privilege covers (`PrivilegeResource`).

use core::fmt;

/// The target of one operation: the cluster, a database, or one collection.
///
/// ```
/// use x509_dbauth::roles::{PrivilegeResource, Resource};
///
/// let orders = Resource::collection("sales", "orders");
/// assert_eq!(orders.to_string(), "sales.orders");
/// assert!(PrivilegeResource::Database("sales".into()).covers(&orders));
/// assert!(PrivilegeResource::Database("sales".into()).covers(&Resource::database("sales")));
/// // A database privilege does not cover its system collections.
/// assert!(!PrivilegeResource::Database("sales".into())
///     .covers(&Resource::collection("sales", "system.users")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Cluster-wide operations (`serverStatus`, `shutdown`, `listDatabases`, …).
    Cluster,
    /// Database-level operations (`dbStats`, `dropDatabase`, `listCollections`, user management).
    Database(String),
    /// Operations on one collection (`find`, `insert`, `createIndex`, …).
    Collection {
        /// Database name.
        db: String,
        /// Collection name, e.g. `orders` or `system.users`.
        collection: String,
    },
}

impl Resource {
    /// The database resource `db`.
    pub fn database(db: impl Into<String>) -> Resource {
        Resource::Database(db.into())
    }

    /// The collection resource `db.collection`.
    pub fn collection(db: impl Into<String>, collection: impl Into<String>) -> Resource {
        Resource::Collection {
            db: db.into(),
            collection: collection.into(),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Cluster => f.write_str("cluster"),
            Resource::Database(db) => f.write_str(db),
            Resource::Collection { db, collection } => write!(f, "{db}.{collection}"),
        }
    }
}

/// The resources one privilege covers (MongoDB's resource documents).
///
/// Matching rules, as MongoDB's: a database pattern covers the database itself and its
/// non-system collections (not `system.*`); a collection pattern covers exactly that collection
/// and no database-level operation; "any database" patterns cover every database's non-system
/// collections; system collections are only covered when named.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrivilegeResource {
    /// `{ cluster: true }`.
    Cluster,
    /// `{ anyResource: true }`: everything, system collections included.
    AnyResource,
    /// `{ db: "d", collection: "" }`: database `d` and its non-system collections.
    Database(String),
    /// `{ db: "d", collection: "c" }`: exactly collection `c` of `d`.
    Collection {
        /// Database name.
        db: String,
        /// Collection name.
        collection: String,
    },
    /// `{ db: "", collection: "" }`: every database and its non-system collections,
    /// `local` and `config` included.
    AnyDatabase,
    /// Every database except `local` and `config`, as the built-in `*AnyDatabase` roles grant.
    AnyUserDatabase,
    /// `{ db: "", collection: "c" }`: collection `c` in every database.
    CollectionInAnyDatabase(String),
    /// Collection `c` in every database except `local` and `config`.
    CollectionInAnyUserDatabase(String),
}

/// `local` and `config` hold replication and sharding state; the `*AnyDatabase` roles skip them.
#[inline]
pub(crate) fn is_internal_db(db: &str) -> bool {
    db == "local" || db == "config"
}

#[inline]
pub(crate) fn is_system_collection(collection: &str) -> bool {
    collection.starts_with("system.")
}

impl PrivilegeResource {
    /// The pattern written as MongoDB's `{ db, collection }` document: an empty `db` means every
    /// database, an empty `collection` means every non-system collection.
    pub fn from_db_collection(
        db: &str,
        collection: &str,
    ) -> Result<PrivilegeResource, crate::error::RbacError> {
        if !db.is_empty() {
            check_db_name(db).map_err(|reason| crate::error::RbacError::InvalidResource {
                resource: format!("{{ db: {db:?}, collection: {collection:?} }}"),
                reason,
            })?;
        }
        if !collection.is_empty() {
            check_collection_name(collection).map_err(|reason| {
                crate::error::RbacError::InvalidResource {
                    resource: format!("{{ db: {db:?}, collection: {collection:?} }}"),
                    reason,
                }
            })?;
        }
        Ok(match (db.is_empty(), collection.is_empty()) {
            (true, true) => PrivilegeResource::AnyDatabase,
            (true, false) => PrivilegeResource::CollectionInAnyDatabase(collection.to_owned()),
            (false, true) => PrivilegeResource::Database(db.to_owned()),
            (false, false) => PrivilegeResource::Collection {
                db: db.to_owned(),
                collection: collection.to_owned(),
            },
        })
    }

    /// Whether this pattern covers `resource`.
    pub fn covers(&self, resource: &Resource) -> bool {
        match (self, resource) {
            (PrivilegeResource::AnyResource, _) => true,
            (PrivilegeResource::Cluster, Resource::Cluster) => true,
            (PrivilegeResource::Cluster, _) | (_, Resource::Cluster) => false,
            (PrivilegeResource::Database(p), Resource::Database(db)) => p == db,
            (PrivilegeResource::Database(p), Resource::Collection { db, collection }) => {
                p == db && !is_system_collection(collection)
            }
            (
                PrivilegeResource::Collection {
                    db: pd,
                    collection: pc,
                },
                Resource::Collection { db, collection },
            ) => pd == db && pc == collection,
            (PrivilegeResource::Collection { .. }, Resource::Database(_)) => false,
            (PrivilegeResource::AnyDatabase, Resource::Database(_)) => true,
            (PrivilegeResource::AnyDatabase, Resource::Collection { collection, .. }) => {
                !is_system_collection(collection)
            }
            (PrivilegeResource::AnyUserDatabase, Resource::Database(db)) => !is_internal_db(db),
            (PrivilegeResource::AnyUserDatabase, Resource::Collection { db, collection }) => {
                !is_internal_db(db) && !is_system_collection(collection)
            }
            (
                PrivilegeResource::CollectionInAnyDatabase(pc),
                Resource::Collection { collection, .. },
            ) => pc == collection,
            (
                PrivilegeResource::CollectionInAnyUserDatabase(pc),
                Resource::Collection { db, collection },
            ) => pc == collection && !is_internal_db(db),
            (PrivilegeResource::CollectionInAnyDatabase(_), Resource::Database(_))
            | (PrivilegeResource::CollectionInAnyUserDatabase(_), Resource::Database(_)) => false,
        }
    }
}

impl fmt::Display for PrivilegeResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivilegeResource::Cluster => f.write_str("cluster"),
            PrivilegeResource::AnyResource => f.write_str("any resource"),
            PrivilegeResource::Database(db) => write!(f, "database {db}"),
            PrivilegeResource::Collection { db, collection } => {
                write!(f, "collection {db}.{collection}")
            }
            PrivilegeResource::AnyDatabase => f.write_str("every database"),
            PrivilegeResource::AnyUserDatabase => {
                f.write_str("every database except local and config")
            }
            PrivilegeResource::CollectionInAnyDatabase(c) => {
                write!(f, "collection {c} of every database")
            }
            PrivilegeResource::CollectionInAnyUserDatabase(c) => {
                write!(
                    f,
                    "collection {c} of every database except local and config"
                )
            }
        }
    }
}

/// MongoDB database-name rules (the union of the Unix and Windows restrictions), 64-byte cap;
/// `@` is refused too so that a grant `role@db` has one reading.
pub(crate) fn check_db_name(db: &str) -> Result<(), &'static str> {
    if db.is_empty() {
        return Err("the database name is empty");
    }
    if db.len() > 64 {
        return Err("a database name is at most 64 bytes");
    }
    if db.chars().any(|c| {
        matches!(
            c,
            '/' | '\\' | '.' | ' ' | '"' | '$' | '*' | '<' | '>' | ':' | '|' | '?' | '@' | '\0'
        )
    }) {
        return Err("a database name cannot contain / \\ . space \" $ * < > : | ? @ or NUL");
    }
    Ok(())
}

/// MongoDB collection-name rules: non-empty, no `$`, no NUL; 255 bytes is this crate's cap.
pub(crate) fn check_collection_name(collection: &str) -> Result<(), &'static str> {
    if collection.is_empty() {
        return Err("the collection name is empty");
    }
    if collection.len() > 255 {
        return Err("a collection name is at most 255 bytes");
    }
    if collection.contains(['$', '\0']) {
        return Err("a collection name cannot contain $ or NUL");
    }
    Ok(())
}
