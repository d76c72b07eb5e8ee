//! The built-in roles and the privileges each one grants.
//!
//! Source for every role: the MongoDB manual's "Built-In Roles" page; `atlasAdmin` from the
//! Atlas documentation ("MongoDB Users, Roles, and Privileges"). Each role grants the actions
//! the manual lists for it, as far as this crate's [`Action`] set names them.

use super::action::{Action, ActionSet};
use super::resource::PrivilegeResource;

use Action as A;

/// A built-in MongoDB (or Atlas) role.
///
/// ```
/// use x509_dbauth::roles::BuiltinRole;
///
/// let role = BuiltinRole::from_name("clusterMonitor").expect("built in");
/// assert_eq!(role.name(), "clusterMonitor");
/// assert!(role.is_cluster_wide()); // granted on `admin` only
/// assert!(BuiltinRole::Read.allows_collection_scope()); // `read@db.collection`
/// assert_eq!(BuiltinRole::from_name("ordersReader"), None); // a custom role's name
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BuiltinRole {
    /// `read`: read every non-system collection of one database, plus `system.js`
    /// (manual, "Database User Roles").
    Read,
    /// `readWrite`: `read` plus writes and collection/index management
    /// (manual, "Database User Roles").
    ReadWrite,
    /// `dbAdmin`: schema, index and statistics administration of one database; reads only
    /// `system.profile` (manual, "Database Administration Roles").
    DbAdmin,
    /// `userAdmin`: create and modify users and roles of one database; on `admin` this is
    /// effectively superuser since it can grant itself any role (manual).
    UserAdmin,
    /// `dbOwner`: `readWrite` + `dbAdmin` + `userAdmin` (MongoDB 3.0 manual, "dbOwner").
    DbOwner,
    /// `clusterManager` (on `admin`): replica set and sharding management (manual,
    /// "Cluster Administration Roles").
    ClusterManager,
    /// `clusterMonitor` (on `admin`): read-only monitoring (manual).
    ClusterMonitor,
    /// `hostManager` (on `admin`): monitor and manage servers (manual).
    HostManager,
    /// `clusterAdmin` (on `admin`): `clusterManager` + `clusterMonitor` + `hostManager` +
    /// `dropDatabase` (manual, "Built-In Roles").
    ClusterAdmin,
    /// `enableSharding` (on `admin`): shard databases and collections (manual).
    EnableSharding,
    /// `backup` (on `admin`): what `mongodump` needs (manual, "Backup and Restoration Roles").
    Backup,
    /// `restore` (on `admin`): what `mongorestore` needs (manual).
    Restore,
    /// `readAnyDatabase` (on `admin`): `read` on every database but `local` and `config`,
    /// plus `listDatabases` (manual, "All-Database Roles").
    ReadAnyDatabase,
    /// `readWriteAnyDatabase` (on `admin`): `readWrite` on every database but `local` and
    /// `config`, plus `listDatabases` (manual).
    ReadWriteAnyDatabase,
    /// `dbAdminAnyDatabase` (on `admin`): `dbAdmin` on every database but `local` and `config`,
    /// plus `listDatabases` and `applyOps` (manual).
    DbAdminAnyDatabase,
    /// `userAdminAnyDatabase` (on `admin`): `userAdmin` on every database but `local` and
    /// `config`, plus `authSchemaUpgrade`, `invalidateUserCache`, `listDatabases` (manual).
    UserAdminAnyDatabase,
    /// `root` (on `admin`): `readWriteAnyDatabase` + `dbAdminAnyDatabase` +
    /// `userAdminAnyDatabase` + `clusterAdmin` + `restore` + `backup` (manual, "Superuser Roles").
    Root,
    /// `atlasAdmin` (Atlas, on `admin`): `backup` + `clusterMonitor` + `dbAdminAnyDatabase` +
    /// `enableSharding` + `readWriteAnyDatabase` + analyzeShardKey, compact, killAnyCursor,
    /// moveChunk, reshardCollection, viewRole, setQuerySettings, update on `config.settings`
    /// (Atlas docs, "MongoDB Users, Roles, and Privileges"). No user management:
    /// Atlas manages users through its API.
    AtlasAdmin,
}

impl BuiltinRole {
    /// Every built-in role.
    pub const ALL: &'static [BuiltinRole] = &[
        BuiltinRole::Read,
        BuiltinRole::ReadWrite,
        BuiltinRole::DbAdmin,
        BuiltinRole::UserAdmin,
        BuiltinRole::DbOwner,
        BuiltinRole::ClusterManager,
        BuiltinRole::ClusterMonitor,
        BuiltinRole::HostManager,
        BuiltinRole::ClusterAdmin,
        BuiltinRole::EnableSharding,
        BuiltinRole::Backup,
        BuiltinRole::Restore,
        BuiltinRole::ReadAnyDatabase,
        BuiltinRole::ReadWriteAnyDatabase,
        BuiltinRole::DbAdminAnyDatabase,
        BuiltinRole::UserAdminAnyDatabase,
        BuiltinRole::Root,
        BuiltinRole::AtlasAdmin,
    ];

    /// MongoDB's name of the role.
    pub const fn name(self) -> &'static str {
        match self {
            BuiltinRole::Read => "read",
            BuiltinRole::ReadWrite => "readWrite",
            BuiltinRole::DbAdmin => "dbAdmin",
            BuiltinRole::UserAdmin => "userAdmin",
            BuiltinRole::DbOwner => "dbOwner",
            BuiltinRole::ClusterManager => "clusterManager",
            BuiltinRole::ClusterMonitor => "clusterMonitor",
            BuiltinRole::HostManager => "hostManager",
            BuiltinRole::ClusterAdmin => "clusterAdmin",
            BuiltinRole::EnableSharding => "enableSharding",
            BuiltinRole::Backup => "backup",
            BuiltinRole::Restore => "restore",
            BuiltinRole::ReadAnyDatabase => "readAnyDatabase",
            BuiltinRole::ReadWriteAnyDatabase => "readWriteAnyDatabase",
            BuiltinRole::DbAdminAnyDatabase => "dbAdminAnyDatabase",
            BuiltinRole::UserAdminAnyDatabase => "userAdminAnyDatabase",
            BuiltinRole::Root => "root",
            BuiltinRole::AtlasAdmin => "atlasAdmin",
        }
    }

    /// The built-in role with this exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<BuiltinRole> {
        BuiltinRole::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// Whether the role is cluster-wide, i.e. exists only in `admin`.
    pub const fn is_cluster_wide(self) -> bool {
        !matches!(
            self,
            BuiltinRole::Read
                | BuiltinRole::ReadWrite
                | BuiltinRole::DbAdmin
                | BuiltinRole::UserAdmin
                | BuiltinRole::DbOwner
        )
    }

    /// Whether the role may be granted on a single collection (Atlas allows it for these two).
    pub const fn allows_collection_scope(self) -> bool {
        matches!(self, BuiltinRole::Read | BuiltinRole::ReadWrite)
    }

    /// The privileges of the role granted on `db` (and `collection`, for `read`/`readWrite`).
    pub(crate) fn privileges(
        self,
        db: &str,
        collection: Option<&str>,
        out: &mut Vec<(PrivilegeResource, ActionSet)>,
    ) {
        let on_db = |out: &mut Vec<(PrivilegeResource, ActionSet)>, set: ActionSet| {
            out.push((PrivilegeResource::Database(db.to_owned()), set));
        };
        let on_coll = |out: &mut Vec<(PrivilegeResource, ActionSet)>, c: &str, set: ActionSet| {
            out.push((
                PrivilegeResource::Collection {
                    db: db.to_owned(),
                    collection: c.to_owned(),
                },
                set,
            ));
        };
        match self {
            BuiltinRole::Read | BuiltinRole::ReadWrite => {
                let set = if self == BuiltinRole::Read {
                    READ
                } else {
                    READ_WRITE
                };
                match collection {
                    Some(c) => on_coll(out, c, set),
                    None => {
                        on_db(out, set);
                        // The manual: read/readWrite also cover `system.js`.
                        on_coll(out, "system.js", set);
                    }
                }
            }
            BuiltinRole::DbAdmin => {
                on_db(out, DB_ADMIN);
                on_coll(out, "system.profile", DB_ADMIN_PROFILE);
            }
            BuiltinRole::UserAdmin => on_db(out, USER_ADMIN),
            BuiltinRole::DbOwner => {
                BuiltinRole::ReadWrite.privileges(db, None, out);
                BuiltinRole::DbAdmin.privileges(db, None, out);
                BuiltinRole::UserAdmin.privileges(db, None, out);
            }
            BuiltinRole::ClusterManager => {
                out.push((PrivilegeResource::Cluster, CLUSTER_MANAGER_CLUSTER));
                out.push((PrivilegeResource::AnyDatabase, CLUSTER_MANAGER_ANY_DB));
                out.push((
                    PrivilegeResource::Database("config".to_owned()),
                    CLUSTER_MANAGER_CONFIG,
                ));
                out.push((
                    PrivilegeResource::Database("local".to_owned()),
                    CLUSTER_MANAGER_LOCAL,
                ));
            }
            BuiltinRole::ClusterMonitor => {
                out.push((PrivilegeResource::Cluster, CLUSTER_MONITOR_CLUSTER));
                out.push((PrivilegeResource::AnyDatabase, CLUSTER_MONITOR_ANY_DB));
                out.push((
                    PrivilegeResource::CollectionInAnyDatabase("system.profile".to_owned()),
                    ActionSet::of(&[A::Find]),
                ));
                out.push((
                    PrivilegeResource::Database("config".to_owned()),
                    CLUSTER_MANAGER_LOCAL,
                ));
                out.push((
                    PrivilegeResource::Database("local".to_owned()),
                    CLUSTER_MANAGER_LOCAL,
                ));
            }
            BuiltinRole::HostManager => {
                out.push((PrivilegeResource::Cluster, HOST_MANAGER_CLUSTER));
                out.push((
                    PrivilegeResource::AnyDatabase,
                    ActionSet::of(&[A::KillCursors]),
                ));
            }
            BuiltinRole::ClusterAdmin => {
                BuiltinRole::ClusterManager.privileges(db, None, out);
                BuiltinRole::ClusterMonitor.privileges(db, None, out);
                BuiltinRole::HostManager.privileges(db, None, out);
                out.push((
                    PrivilegeResource::AnyDatabase,
                    ActionSet::of(&[A::DropDatabase]),
                ));
            }
            BuiltinRole::EnableSharding => {
                out.push((
                    PrivilegeResource::Cluster,
                    ActionSet::of(&[A::EnableSharding]),
                ));
                out.push((PrivilegeResource::AnyUserDatabase, ENABLE_SHARDING));
            }
            BuiltinRole::Backup => {
                out.push((PrivilegeResource::Cluster, BACKUP_CLUSTER));
                // `local` is included: mongodump --oplog reads local.oplog.rs.
                out.push((PrivilegeResource::AnyDatabase, BACKUP_ANY_DB));
                for c in ["system.js", "system.users", "system.profile"] {
                    out.push((
                        PrivilegeResource::CollectionInAnyDatabase(c.to_owned()),
                        ActionSet::of(&[A::Find]),
                    ));
                }
                for c in ["system.users", "system.roles", "system.version"] {
                    out.push((admin_coll(c), ActionSet::of(&[A::Find])));
                }
                out.push((
                    PrivilegeResource::Collection {
                        db: "config".to_owned(),
                        collection: "settings".to_owned(),
                    },
                    ActionSet::of(&[A::Find, A::Insert, A::Update]),
                ));
            }
            BuiltinRole::Restore => {
                out.push((PrivilegeResource::AnyDatabase, RESTORE_ANY_DB));
                out.push((
                    PrivilegeResource::CollectionInAnyDatabase("system.js".to_owned()),
                    RESTORE_SYSTEM_JS,
                ));
                for c in ["system.users", "system.roles", "system.version"] {
                    out.push((admin_coll(c), RESTORE_ADMIN_SYSTEM));
                }
            }
            BuiltinRole::ReadAnyDatabase | BuiltinRole::ReadWriteAnyDatabase => {
                let set = if self == BuiltinRole::ReadAnyDatabase {
                    READ
                } else {
                    READ_WRITE
                };
                out.push((
                    PrivilegeResource::Cluster,
                    ActionSet::of(&[A::ListDatabases]),
                ));
                out.push((PrivilegeResource::AnyUserDatabase, set));
                out.push((
                    PrivilegeResource::CollectionInAnyUserDatabase("system.js".to_owned()),
                    set,
                ));
            }
            BuiltinRole::DbAdminAnyDatabase => {
                out.push((
                    PrivilegeResource::Cluster,
                    ActionSet::of(&[A::ListDatabases, A::ApplyOps]),
                ));
                out.push((PrivilegeResource::AnyUserDatabase, DB_ADMIN));
                out.push((
                    PrivilegeResource::CollectionInAnyUserDatabase("system.profile".to_owned()),
                    DB_ADMIN_PROFILE,
                ));
            }
            BuiltinRole::UserAdminAnyDatabase => {
                out.push((
                    PrivilegeResource::Cluster,
                    ActionSet::of(&[
                        A::AuthSchemaUpgrade,
                        A::InvalidateUserCache,
                        A::ListDatabases,
                    ]),
                ));
                out.push((PrivilegeResource::AnyUserDatabase, USER_ADMIN));
                for c in ["system.users", "system.roles"] {
                    out.push((admin_coll(c), USER_ADMIN_SYSTEM));
                }
            }
            BuiltinRole::Root => {
                for r in [
                    BuiltinRole::ReadWriteAnyDatabase,
                    BuiltinRole::DbAdminAnyDatabase,
                    BuiltinRole::UserAdminAnyDatabase,
                    BuiltinRole::ClusterAdmin,
                    BuiltinRole::Restore,
                    BuiltinRole::Backup,
                ] {
                    r.privileges(db, None, out);
                }
            }
            BuiltinRole::AtlasAdmin => {
                for r in [
                    BuiltinRole::Backup,
                    BuiltinRole::ClusterMonitor,
                    BuiltinRole::DbAdminAnyDatabase,
                    BuiltinRole::EnableSharding,
                    BuiltinRole::ReadWriteAnyDatabase,
                ] {
                    r.privileges(db, None, out);
                }
                out.push((
                    PrivilegeResource::Cluster,
                    ActionSet::of(&[A::KillAnyCursor, A::SetQuerySettings]),
                ));
                out.push((PrivilegeResource::AnyUserDatabase, ATLAS_ADMIN_EXTRA));
                out.push((
                    PrivilegeResource::Collection {
                        db: "config".to_owned(),
                        collection: "settings".to_owned(),
                    },
                    ActionSet::of(&[A::Update]),
                ));
            }
        }
    }
}

fn admin_coll(c: &str) -> PrivilegeResource {
    PrivilegeResource::Collection {
        db: "admin".to_owned(),
        collection: c.to_owned(),
    }
}

/// `read`: the manual's list, non-system collections plus `system.js`.
const READ: ActionSet = ActionSet::of(&[
    A::ChangeStream,
    A::CollStats,
    A::DbHash,
    A::DbStats,
    A::Find,
    A::KillCursors,
    A::ListCollections,
    A::ListIndexes,
    A::ListSearchIndexes,
]);

/// `readWrite` = `read` + these.
const READ_WRITE: ActionSet = READ.union(ActionSet::of(&[
    A::ConvertToCapped,
    A::CreateCollection,
    A::CreateIndex,
    A::CreateSearchIndexes,
    A::DropCollection,
    A::DropIndex,
    A::DropSearchIndex,
    A::Insert,
    A::Remove,
    A::RenameCollectionSameDb,
    A::Update,
    A::UpdateSearchIndex,
]));

/// `dbAdmin` on the database and its non-system collections: no `find`.
const DB_ADMIN: ActionSet = ActionSet::of(&[
    A::BypassDocumentValidation,
    A::CollMod,
    A::CollStats,
    A::Compact,
    A::ConvertToCapped,
    A::CreateCollection,
    A::CreateIndex,
    A::DbStats,
    A::DropCollection,
    A::DropDatabase,
    A::DropIndex,
    A::EnableProfiler,
    A::ListCollections,
    A::ListIndexes,
    A::PlanCacheIndexFilter,
    A::PlanCacheRead,
    A::PlanCacheWrite,
    A::ReIndex,
    A::RenameCollectionSameDb,
    A::StorageDetails,
    A::Validate,
    A::ValidateDbMetadata,
]);

/// `dbAdmin` on `system.profile`.
const DB_ADMIN_PROFILE: ActionSet = ActionSet::of(&[
    A::ChangeStream,
    A::CollStats,
    A::ConvertToCapped,
    A::CreateCollection,
    A::DbHash,
    A::DbStats,
    A::DropCollection,
    A::Find,
    A::KillCursors,
    A::ListCollections,
    A::ListIndexes,
    A::PlanCacheRead,
]);

/// `userAdmin` on its database.
const USER_ADMIN: ActionSet = ActionSet::of(&[
    A::ChangeCustomData,
    A::ChangePassword,
    A::CreateRole,
    A::CreateUser,
    A::DropRole,
    A::DropUser,
    A::GrantRole,
    A::RevokeRole,
    A::SetAuthenticationRestriction,
    A::ViewRole,
    A::ViewUser,
]);

/// `userAdminAnyDatabase` on `admin.system.users` / `admin.system.roles`.
const USER_ADMIN_SYSTEM: ActionSet = ActionSet::of(&[
    A::CollStats,
    A::DbHash,
    A::DbStats,
    A::Find,
    A::KillCursors,
    A::PlanCacheRead,
    A::CreateIndex,
    A::DropIndex,
]);

const CLUSTER_MANAGER_CLUSTER: ActionSet = ActionSet::of(&[
    A::AddShard,
    A::AppendOplogNote,
    A::ApplicationMessage,
    A::CheckMetadataConsistency,
    A::CleanupOrphaned,
    A::FlushRouterConfig,
    A::GetDefaultRwConcern,
    A::ListSessions,
    A::ListShards,
    A::RemoveShard,
    A::ReplSetConfigure,
    A::ReplSetGetConfig,
    A::ReplSetGetStatus,
    A::ReplSetStateChange,
    A::Resync,
    A::SetDefaultRwConcern,
    A::SetFeatureCompatibilityVersion,
]);

const CLUSTER_MANAGER_ANY_DB: ActionSet = ActionSet::of(&[
    A::ClearJumboFlag,
    A::EnableSharding,
    A::MoveChunk,
    A::RefineCollectionShardKey,
    A::ReshardCollection,
    A::SplitChunk,
    A::SplitVector,
]);

const CLUSTER_MANAGER_CONFIG: ActionSet = ActionSet::of(&[
    A::CollStats,
    A::DbHash,
    A::DbStats,
    A::Find,
    A::Insert,
    A::KillCursors,
    A::ListCollections,
    A::ListIndexes,
    A::PlanCacheRead,
    A::Remove,
    A::Update,
]);

/// Read-only statistics on `local` (and, for `clusterMonitor`, `config`).
const CLUSTER_MANAGER_LOCAL: ActionSet = ActionSet::of(&[
    A::CollStats,
    A::DbHash,
    A::DbStats,
    A::Find,
    A::KillCursors,
    A::ListCollections,
    A::ListIndexes,
    A::PlanCacheRead,
]);

const CLUSTER_MONITOR_CLUSTER: ActionSet = ActionSet::of(&[
    A::ConnPoolStats,
    A::GetCmdLineOpts,
    A::GetDefaultRwConcern,
    A::GetLog,
    A::GetParameter,
    A::GetShardMap,
    A::HostInfo,
    A::Inprog,
    A::ListDatabases,
    A::ListSessions,
    A::ListShards,
    A::Netstat,
    A::ReplSetGetConfig,
    A::ReplSetGetStatus,
    A::ServerStatus,
    A::ShardingState,
    A::Top,
]);

const CLUSTER_MONITOR_ANY_DB: ActionSet =
    ActionSet::of(&[A::CollStats, A::DbStats, A::GetShardVersion, A::IndexStats]);

const HOST_MANAGER_CLUSTER: ActionSet = ActionSet::of(&[
    A::ApplicationMessage,
    A::ConnPoolSync,
    A::DropConnections,
    A::FlushRouterConfig,
    A::Fsync,
    A::InvalidateUserCache,
    A::KillAnyCursor,
    A::KillAnySession,
    A::Killop,
    A::LogRotate,
    A::Resync,
    A::RotateCertificates,
    A::SetParameter,
    A::Shutdown,
    A::Touch,
    A::Unlock,
]);

const ENABLE_SHARDING: ActionSet = ActionSet::of(&[
    A::AnalyzeShardKey,
    A::EnableSharding,
    A::RefineCollectionShardKey,
    A::ReshardCollection,
]);

const BACKUP_CLUSTER: ActionSet = ActionSet::of(&[
    A::AppendOplogNote,
    A::GetParameter,
    A::ListDatabases,
    A::ServerStatus,
    A::SetUserWriteBlockMode,
]);

const BACKUP_ANY_DB: ActionSet = ActionSet::of(&[A::Find, A::ListCollections, A::ListIndexes]);

const RESTORE_ANY_DB: ActionSet = ActionSet::of(&[
    A::BypassDocumentValidation,
    A::ChangeCustomData,
    A::ChangePassword,
    A::CollMod,
    A::ConvertToCapped,
    A::CreateCollection,
    A::CreateIndex,
    A::CreateRole,
    A::CreateUser,
    A::DropCollection,
    A::DropRole,
    A::DropUser,
    A::GrantRole,
    A::Insert,
    A::RevokeRole,
    A::ViewRole,
    A::ViewUser,
]);

const RESTORE_SYSTEM_JS: ActionSet = ActionSet::of(&[
    A::BypassDocumentValidation,
    A::CollMod,
    A::CreateCollection,
    A::CreateIndex,
    A::DropCollection,
    A::Insert,
]);

const RESTORE_ADMIN_SYSTEM: ActionSet = ActionSet::of(&[
    A::BypassDocumentValidation,
    A::CollMod,
    A::CreateCollection,
    A::CreateIndex,
    A::DropCollection,
    A::Find,
    A::Insert,
    A::Remove,
    A::Update,
]);

const ATLAS_ADMIN_EXTRA: ActionSet = ActionSet::of(&[
    A::AnalyzeShardKey,
    A::Compact,
    A::MoveChunk,
    A::ReshardCollection,
    A::ViewRole,
]);
