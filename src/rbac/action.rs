//! Privilege actions (MongoDB's names) and a fixed-size set of them.

use core::fmt;
use core::str::FromStr;

use crate::error::RbacError;

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A MongoDB privilege action, printed and parsed with MongoDB's camelCase name.
        ///
        /// ```
        /// use x509_dbauth::roles::{Action, ActionSet};
        ///
        /// let find: Action = "find".parse()?;
        /// assert_eq!(find, Action::Find);
        /// assert_eq!(Action::CreateIndex.to_string(), "createIndex");
        /// assert_eq!("frobnicate".parse::<Action>().unwrap_err().kind(), "unknown_action");
        /// let set = ActionSet::of(&[Action::Find, Action::Insert]);
        /// assert!(set.contains(Action::Find) && !set.contains(Action::Remove));
        /// # Ok::<(), x509_dbauth::errors::RbacError>(())
        /// ```
        ///
        /// The discriminant is a dense index (0, 1, 2, …) so that a set of actions is one `u128`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[non_exhaustive]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every action, in index order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// MongoDB's name of the action, e.g. `createIndex`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }

        impl FromStr for Action {
            type Err = RbacError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Action::$variant),)*
                    _ => Err(RbacError::UnknownAction { name: s.to_owned() }),
                }
            }
        }
    };
}

actions! {
    // Query and write actions.
    /// Read documents (`find`, `aggregate` reads).
    Find => "find",
    /// Insert documents.
    Insert => "insert",
    /// Update documents.
    Update => "update",
    /// Delete documents.
    Remove => "remove",
    /// Write documents that fail schema validation.
    BypassDocumentValidation => "bypassDocumentValidation",
    /// Open a change stream.
    ChangeStream => "changeStream",
    // Database management actions.
    /// Change any user's custom data.
    ChangeCustomData => "changeCustomData",
    /// Change any user's password.
    ChangePassword => "changePassword",
    /// Change one's own custom data.
    ChangeOwnCustomData => "changeOwnCustomData",
    /// Change one's own password.
    ChangeOwnPassword => "changeOwnPassword",
    /// Create a collection.
    CreateCollection => "createCollection",
    /// Create an index.
    CreateIndex => "createIndex",
    /// Create a role.
    CreateRole => "createRole",
    /// Create a user.
    CreateUser => "createUser",
    /// Drop a collection.
    DropCollection => "dropCollection",
    /// Drop a role.
    DropRole => "dropRole",
    /// Drop a user.
    DropUser => "dropUser",
    /// Grant a role to a user or role.
    GrantRole => "grantRole",
    /// Revoke a role.
    RevokeRole => "revokeRole",
    /// Set authentication restrictions on users and roles.
    SetAuthenticationRestriction => "setAuthenticationRestriction",
    /// View role definitions.
    ViewRole => "viewRole",
    /// View user definitions.
    ViewUser => "viewUser",
    /// Create Atlas Search / vector search indexes.
    CreateSearchIndexes => "createSearchIndexes",
    /// Drop a search index.
    DropSearchIndex => "dropSearchIndex",
    /// Update a search index.
    UpdateSearchIndex => "updateSearchIndex",
    /// List search indexes.
    ListSearchIndexes => "listSearchIndexes",
    // Deployment management actions.
    /// Upgrade the authentication schema.
    AuthSchemaUpgrade => "authSchemaUpgrade",
    /// Remove orphaned documents on a shard.
    CleanupOrphaned => "cleanupOrphaned",
    /// Use the CPU profiler.
    CpuProfiler => "cpuProfiler",
    /// See in-progress operations of all users.
    Inprog => "inprog",
    /// Flush the user cache.
    InvalidateUserCache => "invalidateUserCache",
    /// Kill any user's cursor.
    KillAnyCursor => "killAnyCursor",
    /// Kill any user's session.
    KillAnySession => "killAnySession",
    /// Kill cursors.
    KillCursors => "killCursors",
    /// Kill any operation.
    Killop => "killop",
    /// Read plan cache information.
    PlanCacheRead => "planCacheRead",
    /// Clear the plan cache.
    PlanCacheWrite => "planCacheWrite",
    /// Set index filters.
    PlanCacheIndexFilter => "planCacheIndexFilter",
    /// Storage engine details.
    StorageDetails => "storageDetails",
    /// Check database metadata.
    ValidateDbMetadata => "validateDBMetadata",
    // Replication actions.
    /// Write a note into the oplog.
    AppendOplogNote => "appendOplogNote",
    /// Reconfigure the replica set.
    ReplSetConfigure => "replSetConfigure",
    /// Read the replica set configuration.
    ReplSetGetConfig => "replSetGetConfig",
    /// Read the replica set status.
    ReplSetGetStatus => "replSetGetStatus",
    /// Send replica set heartbeats.
    ReplSetHeartbeat => "replSetHeartbeat",
    /// Step down / freeze / maintenance mode.
    ReplSetStateChange => "replSetStateChange",
    /// Resynchronise a member.
    Resync => "resync",
    // Sharding actions.
    /// Add a shard.
    AddShard => "addShard",
    /// Analyse a candidate shard key.
    AnalyzeShardKey => "analyzeShardKey",
    /// Check sharding metadata consistency.
    CheckMetadataConsistency => "checkMetadataConsistency",
    /// Clear the jumbo flag of a chunk.
    ClearJumboFlag => "clearJumboFlag",
    /// Enable sharding / shard a collection.
    EnableSharding => "enableSharding",
    /// Refine a collection's shard key.
    RefineCollectionShardKey => "refineCollectionShardKey",
    /// Reshard a collection.
    ReshardCollection => "reshardCollection",
    /// Flush a router's cached routing table.
    FlushRouterConfig => "flushRouterConfig",
    /// Read a shard version.
    GetShardVersion => "getShardVersion",
    /// Read the shard map.
    GetShardMap => "getShardMap",
    /// List shards.
    ListShards => "listShards",
    /// Move a chunk.
    MoveChunk => "moveChunk",
    /// Remove a shard.
    RemoveShard => "removeShard",
    /// Read the sharding state.
    ShardingState => "shardingState",
    /// Split a chunk.
    SplitChunk => "splitChunk",
    /// Compute split points.
    SplitVector => "splitVector",
    /// Control the balancer.
    ManageShardBalancer => "manageShardBalancer",
    // Server administration actions.
    /// Send an application message to the log.
    ApplicationMessage => "applicationMessage",
    /// Apply oplog entries directly.
    ApplyOps => "applyOps",
    /// Modify collection options.
    CollMod => "collMod",
    /// Compact a collection.
    Compact => "compact",
    /// Synchronise connection pools.
    ConnPoolSync => "connPoolSync",
    /// Convert a collection to capped.
    ConvertToCapped => "convertToCapped",
    /// Drop outgoing connections.
    DropConnections => "dropConnections",
    /// Drop a database.
    DropDatabase => "dropDatabase",
    /// Drop an index.
    DropIndex => "dropIndex",
    /// Flush to disk / lock for backup.
    Fsync => "fsync",
    /// Read the default read/write concern.
    GetDefaultRwConcern => "getDefaultRWConcern",
    /// Set the default read/write concern.
    SetDefaultRwConcern => "setDefaultRWConcern",
    /// Read server parameters.
    GetParameter => "getParameter",
    /// Read host information.
    HostInfo => "hostInfo",
    /// Rotate the log file.
    LogRotate => "logRotate",
    /// Rebuild indexes.
    ReIndex => "reIndex",
    /// Rename a collection within one database.
    RenameCollectionSameDb => "renameCollectionSameDB",
    /// Rotate TLS certificates.
    RotateCertificates => "rotateCertificates",
    /// Set the feature compatibility version.
    SetFeatureCompatibilityVersion => "setFeatureCompatibilityVersion",
    /// Set server parameters.
    SetParameter => "setParameter",
    /// Set query settings.
    SetQuerySettings => "setQuerySettings",
    /// Shut the server down.
    Shutdown => "shutdown",
    /// Load data into memory.
    Touch => "touch",
    /// Unlock after `fsync` lock.
    Unlock => "unlock",
    /// Enable or disable write blocking.
    SetUserWriteBlockMode => "setUserWriteBlockMode",
    /// Write while write blocking is on.
    BypassWriteBlockingMode => "bypassWriteBlockingMode",
    // Diagnostic actions.
    /// Collection statistics.
    CollStats => "collStats",
    /// Connection pool statistics.
    ConnPoolStats => "connPoolStats",
    /// Database hash.
    DbHash => "dbHash",
    /// Database statistics.
    DbStats => "dbStats",
    /// Enable the profiler.
    EnableProfiler => "enableProfiler",
    /// Read the command line options.
    GetCmdLineOpts => "getCmdLineOpts",
    /// Read the log.
    GetLog => "getLog",
    /// Index usage statistics.
    IndexStats => "indexStats",
    /// List databases.
    ListDatabases => "listDatabases",
    /// List collections.
    ListCollections => "listCollections",
    /// List indexes.
    ListIndexes => "listIndexes",
    /// List sessions of all users.
    ListSessions => "listSessions",
    /// Network statistics.
    Netstat => "netstat",
    /// Server status.
    ServerStatus => "serverStatus",
    /// Validate a collection.
    Validate => "validate",
    /// Per-collection usage statistics.
    Top => "top",
    /// Operation log of slow queries (`operationMetrics`).
    OperationMetrics => "operationMetrics",
}

// One `u128` holds a set of actions: adding an action past 128 must fail the build, not wrap.
const _: () = assert!(Action::ALL.len() <= 128);

impl Action {
    /// The bit of this action in an [`ActionSet`].
    #[inline]
    pub(crate) const fn bit(self) -> u128 {
        1u128 << (self as u8)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of actions, one bit per action.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ActionSet(u128);

impl ActionSet {
    /// The empty set.
    pub const EMPTY: ActionSet = ActionSet(0);

    /// The set holding exactly these actions.
    pub const fn of(actions: &[Action]) -> ActionSet {
        let mut bits = 0u128;
        let mut i = 0;
        while i < actions.len() {
            // `while` with a bound check because iterators are not usable in `const fn`.
            if let Some(a) = slice_get(actions, i) {
                bits |= a.bit();
            }
            i += 1;
        }
        ActionSet(bits)
    }

    /// Whether `action` is in the set.
    #[inline]
    pub const fn contains(self, action: Action) -> bool {
        self.0 & action.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn union(self, other: ActionSet) -> ActionSet {
        ActionSet(self.0 | other.0)
    }

    /// Add one action.
    pub fn insert(&mut self, action: Action) {
        self.0 |= action.bit();
    }

    /// The actions in the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(move |a| self.contains(*a))
    }

    /// Number of actions in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    #[inline]
    pub(crate) const fn bits(self) -> u128 {
        self.0
    }
}

const fn slice_get(actions: &[Action], i: usize) -> Option<Action> {
    match actions.split_at_checked(i) {
        Some((_, rest)) => match rest.first() {
            Some(a) => Some(*a),
            None => None,
        },
        None => None,
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<Action> for ActionSet {
    fn from_iter<I: IntoIterator<Item = Action>>(iter: I) -> Self {
        let mut set = ActionSet::EMPTY;
        for a in iter {
            set.insert(a);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_name() {
        for (i, a) in Action::ALL.iter().enumerate() {
            assert_eq!(*a as usize, i, "discriminants must be dense");
            assert_eq!(a.as_str().parse::<Action>().unwrap(), *a);
            assert_eq!(a.to_string(), a.as_str());
        }
    }

    #[test]
    fn names_are_case_sensitive_and_unknown_names_are_typed_errors() {
        let err = "Find".parse::<Action>().unwrap_err();
        assert_eq!(err.kind(), "unknown_action");
        assert_eq!(
            err.to_string(),
            "unknown privilege action `Find` (action names are MongoDB's camelCase names, e.g. `find`, `createIndex`)"
        );
        assert_eq!(
            "renameCollectionSameDB".parse::<Action>().unwrap(),
            Action::RenameCollectionSameDb
        );
    }

    #[test]
    fn action_set_operations() {
        let s = ActionSet::of(&[Action::Find, Action::Insert]);
        assert!(s.contains(Action::Find));
        assert!(!s.contains(Action::Update));
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![Action::Find, Action::Insert]
        );
        assert!(ActionSet::EMPTY.is_empty());
    }
}
