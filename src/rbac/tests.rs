//! Tables: one test per built-in role (exact allowed and denied pairs), custom roles, limits.

use super::*;
use crate::limits::Limits;
use Action as A;

fn set(grants: &[&str]) -> PrivilegeSet {
    let grants: Vec<RoleGrant> = grants.iter().map(|g| g.parse().unwrap()).collect();
    RoleCatalog::builtin_only().resolve(&grants).unwrap()
}

fn coll(db: &str, c: &str) -> Resource {
    Resource::collection(db, c)
}

fn db(d: &str) -> Resource {
    Resource::database(d)
}

/// Assert each `(action, resource, expected)` row, naming the row on failure.
fn check(grants: &[&str], rows: &[(Action, Resource, bool)]) {
    let s = set(grants);
    for (action, resource, expected) in rows {
        assert_eq!(
            s.is_authorized(*action, resource),
            *expected,
            "{grants:?}: {action} on {resource} should be {}",
            if *expected { "allowed" } else { "denied" }
        );
        // `explain` agrees with the fast path.
        assert_eq!(
            !s.explain(*action, resource).is_empty(),
            *expected,
            "explain {action} on {resource}"
        );
    }
}

#[test]
fn read() {
    check(
        &["read@sales"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::ListCollections, db("sales"), true),
            (A::DbStats, db("sales"), true),
            (A::ChangeStream, coll("sales", "orders"), true),
            (A::ListSearchIndexes, coll("sales", "orders"), true),
            (A::Find, coll("sales", "system.js"), true),
            (A::Insert, coll("sales", "orders"), false),
            (A::Update, coll("sales", "orders"), false),
            (A::Find, coll("other", "orders"), false),
            (A::Find, coll("sales", "system.users"), false),
            (A::Find, coll("sales", "system.profile"), false),
            (A::ListDatabases, Resource::Cluster, false),
            (A::DropDatabase, db("sales"), false),
        ],
    );
}

#[test]
fn read_collection_scoped() {
    check(
        &["read@sales.orders"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Find, coll("sales", "customers"), false),
            (A::Insert, coll("sales", "orders"), false),
            // A collection grant gives no database-level action.
            (A::ListCollections, db("sales"), false),
        ],
    );
}

#[test]
fn read_write() {
    check(
        &["readWrite@sales"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "orders"), true),
            (A::Update, coll("sales", "orders"), true),
            (A::Remove, coll("sales", "orders"), true),
            (A::CreateIndex, coll("sales", "orders"), true),
            (A::DropCollection, coll("sales", "orders"), true),
            (A::RenameCollectionSameDb, coll("sales", "orders"), true),
            (A::CreateSearchIndexes, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "system.js"), true),
            (A::Insert, coll("sales", "system.users"), false),
            (A::Insert, coll("other", "orders"), false),
            (A::DropDatabase, db("sales"), false),
            (A::CollMod, coll("sales", "orders"), false),
            (A::CreateUser, db("sales"), false),
        ],
    );
    check(
        &["readWrite@sales.orders"],
        &[
            (A::Insert, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "other"), false),
        ],
    );
}

#[test]
fn db_admin() {
    check(
        &["dbAdmin@sales"],
        &[
            (A::CollMod, coll("sales", "orders"), true),
            (A::CreateIndex, coll("sales", "orders"), true),
            (A::DropDatabase, db("sales"), true),
            (A::EnableProfiler, db("sales"), true),
            (A::Validate, coll("sales", "orders"), true),
            (A::PlanCacheWrite, coll("sales", "orders"), true),
            (A::Find, coll("sales", "system.profile"), true),
            (A::DropCollection, coll("sales", "system.profile"), true),
            // No full find on normal collections.
            (A::Find, coll("sales", "orders"), false),
            (A::Insert, coll("sales", "orders"), false),
            (A::CreateUser, db("sales"), false),
            (A::DropDatabase, db("other"), false),
        ],
    );
}

#[test]
fn user_admin() {
    check(
        &["userAdmin@sales"],
        &[
            (A::CreateUser, db("sales"), true),
            (A::GrantRole, db("sales"), true),
            (A::ViewRole, db("sales"), true),
            (A::SetAuthenticationRestriction, db("sales"), true),
            (A::CreateUser, db("other"), false),
            (A::Find, coll("sales", "orders"), false),
            (A::Find, coll("sales", "system.users"), false),
        ],
    );
}

#[test]
fn db_owner() {
    check(
        &["dbOwner@sales"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "orders"), true),
            (A::DropDatabase, db("sales"), true),
            (A::CreateUser, db("sales"), true),
            (A::Find, coll("sales", "system.profile"), true),
            (A::Find, coll("other", "orders"), false),
            (A::ListDatabases, Resource::Cluster, false),
            (A::Shutdown, Resource::Cluster, false),
        ],
    );
}

#[test]
fn cluster_manager() {
    check(
        &["clusterManager@admin"],
        &[
            (A::AddShard, Resource::Cluster, true),
            (A::ReplSetConfigure, Resource::Cluster, true),
            (A::EnableSharding, db("sales"), true),
            (A::MoveChunk, coll("sales", "orders"), true),
            (A::Find, coll("config", "settings"), true),
            (A::Update, coll("config", "settings"), true),
            (A::Find, coll("sales", "orders"), false),
            (A::Shutdown, Resource::Cluster, false),
        ],
    );
}

#[test]
fn cluster_monitor() {
    check(
        &["clusterMonitor@admin"],
        &[
            (A::ServerStatus, Resource::Cluster, true),
            (A::ReplSetGetStatus, Resource::Cluster, true),
            (A::GetLog, Resource::Cluster, true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::Top, Resource::Cluster, true),
            (A::CollStats, coll("sales", "orders"), true),
            (A::DbStats, db("sales"), true),
            (A::IndexStats, coll("sales", "orders"), true),
            (A::Find, coll("sales", "system.profile"), true),
            (A::Find, coll("sales", "orders"), false),
            (A::Insert, coll("sales", "orders"), false),
            (A::Shutdown, Resource::Cluster, false),
            (A::SetParameter, Resource::Cluster, false),
        ],
    );
}

#[test]
fn host_manager() {
    check(
        &["hostManager@admin"],
        &[
            (A::Shutdown, Resource::Cluster, true),
            (A::Fsync, Resource::Cluster, true),
            (A::Killop, Resource::Cluster, true),
            (A::KillCursors, coll("sales", "orders"), true),
            (A::ServerStatus, Resource::Cluster, false),
            (A::Find, coll("sales", "orders"), false),
        ],
    );
}

#[test]
fn cluster_admin() {
    check(
        &["clusterAdmin@admin"],
        &[
            (A::AddShard, Resource::Cluster, true),
            (A::ServerStatus, Resource::Cluster, true),
            (A::Shutdown, Resource::Cluster, true),
            (A::DropDatabase, db("sales"), true),
            (A::DropDatabase, db("local"), true),
            (A::Find, coll("sales", "orders"), false),
            (A::CreateUser, db("admin"), false),
        ],
    );
}

#[test]
fn enable_sharding() {
    check(
        &["enableSharding@admin"],
        &[
            (A::EnableSharding, db("sales"), true),
            (A::EnableSharding, Resource::Cluster, true),
            (A::ReshardCollection, coll("sales", "orders"), true),
            (A::RefineCollectionShardKey, coll("sales", "orders"), true),
            (A::AnalyzeShardKey, coll("sales", "orders"), true),
            (A::EnableSharding, db("local"), false),
            (A::Find, coll("sales", "orders"), false),
            (A::MoveChunk, coll("sales", "orders"), false),
        ],
    );
}

#[test]
fn backup() {
    check(
        &["backup@admin"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Find, coll("local", "oplog.rs"), true),
            (A::ListCollections, db("sales"), true),
            (A::Find, coll("admin", "system.users"), true),
            (A::Find, coll("admin", "system.roles"), true),
            (A::Find, coll("sales", "system.js"), true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::AppendOplogNote, Resource::Cluster, true),
            (A::ServerStatus, Resource::Cluster, true),
            (A::Insert, coll("config", "settings"), true),
            (A::Update, coll("config", "settings"), true),
            (A::Insert, coll("sales", "orders"), false),
            (A::Find, coll("sales", "system.buckets.x"), false),
            (A::Shutdown, Resource::Cluster, false),
        ],
    );
}

#[test]
fn restore() {
    check(
        &["restore@admin"],
        &[
            (A::Insert, coll("sales", "orders"), true),
            (A::CreateCollection, coll("sales", "orders"), true),
            (A::CreateIndex, coll("sales", "orders"), true),
            (A::CollMod, coll("sales", "orders"), true),
            (A::BypassDocumentValidation, coll("sales", "orders"), true),
            (A::CreateUser, db("sales"), true),
            (A::GrantRole, db("sales"), true),
            (A::Insert, coll("admin", "system.users"), true),
            (A::Update, coll("admin", "system.roles"), true),
            (A::Insert, coll("sales", "system.js"), true),
            (A::Find, coll("sales", "orders"), false),
            (A::Update, coll("sales", "orders"), false),
            (A::Insert, coll("sales", "system.profile"), false),
        ],
    );
}

#[test]
fn read_any_database() {
    check(
        &["readAnyDatabase@admin"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Find, coll("other", "x"), true),
            (A::Find, coll("admin", "settings"), true),
            (A::Find, coll("sales", "system.js"), true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::ListCollections, db("sales"), true),
            (A::Find, coll("local", "oplog.rs"), false),
            (A::Find, coll("config", "chunks"), false),
            (A::Find, coll("local", "system.js"), false),
            (A::ListCollections, db("config"), false),
            (A::Find, coll("sales", "system.users"), false),
            (A::Insert, coll("sales", "orders"), false),
        ],
    );
}

#[test]
fn read_write_any_database() {
    check(
        &["readWriteAnyDatabase@admin"],
        &[
            (A::Insert, coll("sales", "orders"), true),
            (A::Find, coll("other", "x"), true),
            (A::DropCollection, coll("other", "x"), true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::Insert, coll("local", "x"), false),
            (A::Insert, coll("config", "settings"), false),
            (A::Insert, coll("admin", "system.users"), false),
            (A::DropDatabase, db("sales"), false),
        ],
    );
}

#[test]
fn db_admin_any_database() {
    check(
        &["dbAdminAnyDatabase@admin"],
        &[
            (A::DropDatabase, db("sales"), true),
            (A::CollMod, coll("other", "x"), true),
            (A::Find, coll("other", "system.profile"), true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::ApplyOps, Resource::Cluster, true),
            (A::Find, coll("sales", "orders"), false),
            (A::DropDatabase, db("local"), false),
            (A::CreateUser, db("sales"), false),
        ],
    );
}

#[test]
fn user_admin_any_database() {
    check(
        &["userAdminAnyDatabase@admin"],
        &[
            (A::CreateUser, db("sales"), true),
            (A::CreateUser, db("admin"), true),
            (A::GrantRole, db("other"), true),
            (A::Find, coll("admin", "system.users"), true),
            (A::InvalidateUserCache, Resource::Cluster, true),
            (A::AuthSchemaUpgrade, Resource::Cluster, true),
            (A::ListDatabases, Resource::Cluster, true),
            (A::Find, coll("sales", "orders"), false),
            (A::Insert, coll("admin", "system.users"), false),
            (A::CreateUser, db("local"), false),
        ],
    );
}

#[test]
fn root() {
    check(
        &["root@admin"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "orders"), true),
            (A::DropDatabase, db("sales"), true),
            (A::CreateUser, db("sales"), true),
            (A::Shutdown, Resource::Cluster, true),
            (A::AddShard, Resource::Cluster, true),
            (A::ServerStatus, Resource::Cluster, true),
            (A::Find, coll("admin", "system.users"), true),
            (A::Insert, coll("admin", "system.users"), true),
            (A::Find, coll("local", "oplog.rs"), true),
            // readWriteAnyDatabase skips local, but restore (in root) inserts everywhere.
            (A::Insert, coll("local", "oplog.rs"), true),
            (A::Update, coll("local", "oplog.rs"), false),
            (A::Remove, coll("admin", "system.users"), true),
            (A::Remove, coll("sales", "system.users"), false),
        ],
    );
}

#[test]
fn atlas_admin() {
    check(
        &["atlasAdmin@admin"],
        &[
            (A::Find, coll("sales", "orders"), true),
            (A::Insert, coll("sales", "orders"), true),
            (A::DropDatabase, db("sales"), true),
            (A::ServerStatus, Resource::Cluster, true),
            (A::EnableSharding, db("sales"), true),
            (A::Compact, coll("sales", "orders"), true),
            (A::MoveChunk, coll("sales", "orders"), true),
            (A::KillAnyCursor, Resource::Cluster, true),
            (A::SetQuerySettings, Resource::Cluster, true),
            (A::ViewRole, db("admin"), true),
            (A::Update, coll("config", "settings"), true),
            (A::Find, coll("admin", "system.users"), true),
            // Atlas manages users through its API, not the database.
            (A::CreateUser, db("admin"), false),
            (A::GrantRole, db("sales"), false),
            (A::Shutdown, Resource::Cluster, false),
            (A::Insert, coll("local", "x"), false),
        ],
    );
}

#[test]
fn every_builtin_role_has_a_test_above() {
    // Keeps this file honest when a role is added to the enum.
    assert_eq!(BuiltinRole::ALL.len(), 18);
    for r in BuiltinRole::ALL {
        assert_eq!(BuiltinRole::from_name(r.name()), Some(*r));
    }
}

#[test]
fn explain_names_the_grant() {
    let s = set(&["read@sales", "readWrite@hr", "clusterMonitor@admin"]);
    let why = s.explain(A::Find, &coll("sales", "orders"));
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].0.to_string(), "read@sales");
    assert_eq!(why[0].1.to_string(), "database sales");
    assert_eq!(
        s.roles(),
        vec!["read@sales", "readWrite@hr", "clusterMonitor@admin"]
    );
}

// ---- custom roles ----

fn analyst() -> CustomRole {
    CustomRole::new("analyst")
        .privilege_on("sales", Some("orders"), ["find", "collStats"])
        .privilege(PrivilegeResource::Cluster, ["serverStatus"])
}

#[test]
fn custom_role_privileges_and_inheritance() {
    let catalog = RoleCatalog::builder()
        .add_role(analyst())
        .add_role(
            CustomRole::new("lead")
                .inherit("analyst@admin")
                .inherit("readWrite@hr")
                .privilege(
                    PrivilegeResource::from_db_collection("", "audit").unwrap(),
                    ["insert"],
                ),
        )
        .build()
        .unwrap();
    let s = catalog.resolve(&["lead@admin".parse().unwrap()]).unwrap();
    let rows = [
        (A::Find, coll("sales", "orders"), true),
        (A::Find, coll("sales", "customers"), false),
        (A::ServerStatus, Resource::Cluster, true),
        (A::Insert, coll("hr", "people"), true),
        (A::Insert, coll("any", "audit"), true),
        (A::Find, coll("any", "audit"), false),
        (A::Shutdown, Resource::Cluster, false),
    ];
    for (a, r, expected) in rows {
        assert_eq!(s.is_authorized(a, &r), expected, "{a} on {r}");
    }
    assert_eq!(
        s.explain(A::Find, &coll("sales", "orders"))[0]
            .0
            .to_string(),
        "lead@admin"
    );
}

#[test]
fn custom_role_errors() {
    let cases: Vec<(RoleCatalogBuilder, &str, &str)> = vec![
        (
            RoleCatalog::builder()
                .add_role(CustomRole::new("a").privilege(PrivilegeResource::Cluster, ["fnd"])),
            "invalid_privilege",
            "custom role `a`: unknown privilege action `fnd` (action names are MongoDB's camelCase names, e.g. `find`, `createIndex`)",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("a").inherit("ghost@admin")),
            "unknown_inherited_role",
            "custom role `a` inherits `ghost@admin`, which is neither a built-in role nor a defined custom role",
        ),
        (
            RoleCatalog::builder()
                .add_role(analyst())
                .add_role(analyst()),
            "duplicate_role",
            "custom role `analyst` is defined twice",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("a").privilege_on(
                "sa.les",
                None,
                ["find"],
            )),
            "invalid_privilege",
            "custom role `a`: invalid resource `{ db: \"sa.les\", collection: \"\" }`: a database name cannot contain / \\ . space \" $ * < > : | ? @ or NUL",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("readWrite")),
            "builtin_name_clash",
            "custom role `readWrite` has the name of a built-in role; choose another name",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("a b")),
            "invalid_role_name",
            "invalid custom role name `a b`: a role name uses only letters, digits, `_` and `-`",
        ),
        (
            RoleCatalog::builder()
                .add_role(CustomRole::new("a").inherit("b@admin"))
                .add_role(CustomRole::new("b").inherit("a@admin")),
            "role_cycle",
            "custom roles inherit in a cycle: a -> b -> a",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("a").inherit("a@admin")),
            "role_cycle",
            "custom roles inherit in a cycle: a -> a",
        ),
        (
            RoleCatalog::builder()
                .add_role(CustomRole::new("x").inherit("a@admin"))
                .add_role(CustomRole::new("a").inherit("b@admin"))
                .add_role(CustomRole::new("b").inherit("c@admin"))
                .add_role(CustomRole::new("c").inherit("a@admin")),
            "role_cycle",
            "custom roles inherit in a cycle: a -> b -> c -> a",
        ),
        (
            RoleCatalog::builder()
                .add_role(analyst())
                .add_role(CustomRole::new("b").inherit("analyst@sales")),
            "invalid_privilege",
            "custom role `b`: invalid role grant `analyst@sales`: custom roles are defined project-wide in the `admin` database, grant it as `analyst@admin`",
        ),
        (
            RoleCatalog::builder().add_role(CustomRole::new("b").inherit("root@sales")),
            "invalid_privilege",
            "custom role `b`: invalid role grant `root@sales`: `root` is a cluster-wide role that only exists in the `admin` database (write `root@admin`); granting it on `sales` would suggest a scope it does not have",
        ),
    ];
    for (builder, kind, message) in cases {
        let e = builder.build().unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn custom_role_limit_is_enforced() {
    let mut b = RoleCatalog::builder();
    for i in 0..100 {
        b = b.add_role(CustomRole::new(format!("r{i}")));
    }
    assert_eq!(b.clone().build().unwrap().custom_role_count(), 100);
    let e = b.add_role(CustomRole::new("r100")).build().unwrap_err();
    assert_eq!(e.to_string(), "101 custom roles defined, the limit is 100");
    assert_eq!(e.kind(), "too_many_custom_roles");

    let mut limits = Limits::DEFAULT;
    limits.max_custom_roles = 1;
    let e = RoleCatalog::builder()
        .with_limits(limits)
        .add_role(CustomRole::new("a"))
        .add_role(CustomRole::new("b"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "too_many_custom_roles");
}

/// Issue 7 item 5: 100 custom roles where role i inherits r{i+1} and r{i+2} (the worst shape
/// the limits allow: every role reachable along Fibonacci-many paths). Copying inherited lists
/// without merging made this exponential; flattening merges per resource, so the counted work
/// stays within roles × (own privileges + 2 inherited lists of at most `roles + 1` resources).
#[test]
fn custom_role_inheritance_is_linear_in_the_worst_shape() {
    const N: usize = 100;
    let actions = ["find", "insert", "update"];
    let mut b = RoleCatalog::builder();
    for i in 0..N {
        let mut role = CustomRole::new(format!("r{i}"))
            .privilege_on(&format!("db{i}"), None, ["find"])
            .privilege_on("shared", Some("c"), [actions[i % 3]]);
        for j in [i + 1, i + 2] {
            if j < N {
                role = role.inherit(format!("r{j}@admin"));
            }
        }
        b = b.add_role(role);
    }
    let catalog = b.build().unwrap();

    // Role i merges its 2 own entries and its two heirs' lists (at most N + 1 entries each).
    let budget = (N * (2 + 2 * (N + 1))) as u64;
    let steps = catalog.resolution_steps();
    assert!(steps <= budget, "{steps} merge steps, budget {budget}");
    // The exact count: role i (i < 98) merges 2 + (N - i) + (N - i - 1) entries, r98 merges
    // 2 + 2, r99 merges 2.
    let exact: usize = (0..N - 2).map(|i| 2 + (N - i) + (N - i - 1)).sum::<usize>() + 4 + 2;
    assert_eq!(steps, exact as u64);

    let shared = PrivilegeResource::from_db_collection("shared", "c").unwrap();
    let on_db = |i: usize| PrivilegeResource::from_db_collection(&format!("db{i}"), "").unwrap();
    let set = |names: &[&str]| names.iter().map(|n| n.parse::<Action>().unwrap()).collect();
    let find: ActionSet = set(&["find"]);
    // r99: only its own privileges.
    assert_eq!(
        catalog.flattened("r99").unwrap(),
        &[(on_db(99), find), (shared.clone(), find)][..]
    );
    // r98 (i % 3 = 2: update) inherits r99 (find): `shared` appears once, actions united.
    assert_eq!(
        catalog.flattened("r98").unwrap(),
        &[
            (on_db(98), find),
            (shared.clone(), set(&["find", "update"])),
            (on_db(99), find),
        ][..]
    );
    // r0 holds every database once and `shared` once with all three actions.
    let r0 = catalog.flattened("r0").unwrap();
    assert_eq!(r0.len(), N + 1);
    let mut expected: Vec<(PrivilegeResource, ActionSet)> = vec![
        (on_db(0), find),
        (shared.clone(), set(&["find", "insert", "update"])),
    ];
    expected.extend((1..N).map(|i| (on_db(i), find)));
    let mut got = r0.to_vec();
    let key = |(r, _): &(PrivilegeResource, ActionSet)| r.to_string();
    got.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(got, expected);

    // Resolving a user's grant uses the flattened list.
    let s = catalog.resolve(&["r0@admin".parse().unwrap()]).unwrap();
    assert!(s.is_authorized(A::Find, &coll("db57", "x")));
    assert!(s.is_authorized(A::Update, &coll("shared", "c")));
    assert!(!s.is_authorized(A::Insert, &coll("db57", "x")));
    assert!(!s.is_authorized(A::Find, &coll("db100", "x")));
}

#[test]
fn roles_per_user_limit_is_enforced() {
    let catalog = RoleCatalog::builtin_only();
    let grants: Vec<RoleGrant> = (0..101)
        .map(|i| format!("read@db{i}").parse().unwrap())
        .collect();
    assert!(catalog.resolve(&grants[..100]).unwrap().is_authorized(
        crate::rbac::Action::Find,
        &crate::rbac::Resource::collection("db99", "c")
    ));
    let e = catalog.resolve(&grants).unwrap_err();
    assert_eq!(
        e.to_string(),
        "101 roles granted to one user, the limit is 100"
    );
    assert_eq!(e.kind(), "too_many_roles");
}

#[test]
fn resolve_errors() {
    let catalog = RoleCatalog::builder().add_role(analyst()).build().unwrap();
    let e = catalog
        .resolve(&["ghost@admin".parse().unwrap()])
        .unwrap_err();
    assert_eq!(e.kind(), "unknown_role");
    assert_eq!(
        e.to_string(),
        "unknown role `ghost` in grant `ghost@admin`: it is not a built-in role and no custom role has that name"
    );
    let e = catalog
        .resolve(&["analyst@sales".parse().unwrap()])
        .unwrap_err();
    assert_eq!(e.kind(), "custom_role_outside_admin");
}

#[test]
fn privilege_resource_forms() {
    assert_eq!(
        PrivilegeResource::from_db_collection("", "").unwrap(),
        PrivilegeResource::AnyDatabase
    );
    assert_eq!(
        PrivilegeResource::from_db_collection("", "c").unwrap(),
        PrivilegeResource::CollectionInAnyDatabase("c".into())
    );
    assert_eq!(
        PrivilegeResource::from_db_collection("d", "").unwrap(),
        PrivilegeResource::Database("d".into())
    );
    let e = PrivilegeResource::from_db_collection("a.b", "").unwrap_err();
    assert_eq!(e.kind(), "invalid_resource");
    // `{db: "", collection: ""}` covers local and config too (MongoDB's "all databases").
    assert!(PrivilegeResource::AnyDatabase.covers(&coll("local", "x")));
    assert!(!PrivilegeResource::AnyDatabase.covers(&coll("sales", "system.users")));
    assert!(PrivilegeResource::AnyResource.covers(&coll("sales", "system.users")));
    assert!(!PrivilegeResource::AnyUserDatabase.covers(&coll("config", "x")));
}

#[test]
fn any_resource_privilege_covers_system_collections() {
    let catalog = RoleCatalog::builder()
        .add_role(CustomRole::new("god").privilege(PrivilegeResource::AnyResource, ["find"]))
        .build()
        .unwrap();
    let s = catalog.resolve(&["god@admin".parse().unwrap()]).unwrap();
    assert!(s.is_authorized(A::Find, &coll("admin", "system.users")));
    assert!(s.is_authorized(A::Find, &Resource::Cluster));
    assert!(!s.is_authorized(A::Insert, &coll("a", "b")));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    const GRANTS: &[&str] = &[
        "read@sales",
        "readWrite@hr.people",
        "dbAdmin@local",
        "userAdmin@admin",
        "dbOwner@config",
        "clusterMonitor@admin",
        "backup@admin",
        "restore@admin",
        "readAnyDatabase@admin",
        "dbAdminAnyDatabase@admin",
        "userAdminAnyDatabase@admin",
        "enableSharding@admin",
        "hostManager@admin",
        "custom@admin",
    ];
    const DBS: &[&str] = &["sales", "hr", "local", "config", "admin", "other"];
    const COLLS: &[&str] = &[
        "orders",
        "people",
        "system.js",
        "system.users",
        "system.profile",
        "settings",
        "audit",
    ];

    fn resource() -> impl Strategy<Value = Resource> {
        prop_oneof![
            Just(Resource::Cluster),
            proptest::sample::select(DBS).prop_map(Resource::database),
            (
                proptest::sample::select(DBS),
                proptest::sample::select(COLLS)
            )
                .prop_map(|(d, c)| Resource::collection(d, c)),
        ]
    }

    proptest! {
        /// The indexed fast path and the pattern-by-pattern explanation always agree.
        #[test]
        fn fast_path_agrees_with_explain(
            picks in proptest::sample::subsequence(GRANTS, 0..GRANTS.len()),
            action in proptest::sample::select(Action::ALL),
            resource in resource(),
        ) {
            let catalog = RoleCatalog::builder()
                .add_role(
                    CustomRole::new("custom")
                        .privilege(PrivilegeResource::from_db_collection("", "audit").unwrap(), ["insert", "find"])
                        .privilege(PrivilegeResource::from_db_collection("", "").unwrap(), ["collStats"])
                        .inherit("read@other"),
                )
                .build()
                .unwrap();
            let grants: Vec<RoleGrant> = picks.iter().map(|g| g.parse().unwrap()).collect();
            let set = catalog.resolve(&grants).unwrap();
            let fast = set.is_authorized(action, &resource);
            prop_assert_eq!(fast, !set.explain(action, &resource).is_empty());
            let borrowed = match &resource {
                Resource::Cluster => set.is_authorized_on_cluster(action),
                Resource::Database(db) => set.is_authorized_on_database(action, db),
                Resource::Collection { db, collection } => set.is_authorized_on_collection(action, db, collection),
            };
            prop_assert_eq!(fast, borrowed);
        }
    }
}
