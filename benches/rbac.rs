//! RBAC benchmarks: `is_authorized` (allowed and denied) and `RoleCatalog::resolve` for a user
//! holding five grants, one of them a custom role with an inherited role.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use x509_dbauth::{
    Action, Resource,
    roles::{CustomRole, PrivilegeResource, RoleCatalog, RoleGrant},
};

fn catalog() -> RoleCatalog {
    RoleCatalog::builder()
        .add_role(CustomRole::new("base").privilege(
            PrivilegeResource::from_db_collection("audit", "").unwrap(),
            ["find"],
        ))
        .add_role(
            CustomRole::new("analyst")
                .inherit("base@admin")
                .privilege(
                    PrivilegeResource::from_db_collection("sales", "orders").unwrap(),
                    ["find", "collStats"],
                )
                .privilege(PrivilegeResource::Cluster, ["serverStatus"]),
        )
        .build()
        .unwrap()
}

fn grants() -> Vec<RoleGrant> {
    [
        "read@sales",
        "readWrite@hr",
        "dbAdmin@inventory",
        "clusterMonitor@admin",
        "analyst@admin",
    ]
    .iter()
    .map(|g| g.parse().unwrap())
    .collect()
}

fn bench(c: &mut Criterion) {
    let catalog = catalog();
    let grants = grants();
    let set = catalog.resolve(&grants).unwrap();

    let allowed = Resource::collection("hr", "people");
    let denied = Resource::collection("billing", "invoices");
    let custom = Resource::collection("audit", "log");
    assert!(set.is_authorized(Action::Insert, &allowed));
    assert!(!set.is_authorized(Action::Insert, &denied));
    assert!(set.is_authorized(Action::Find, &custom));

    c.bench_function("is_authorized/allowed_collection", |b| {
        b.iter(|| black_box(&set).is_authorized(black_box(Action::Insert), black_box(&allowed)))
    });
    c.bench_function("is_authorized/denied_collection", |b| {
        b.iter(|| black_box(&set).is_authorized(black_box(Action::Insert), black_box(&denied)))
    });
    c.bench_function("is_authorized/allowed_via_custom_role", |b| {
        b.iter(|| black_box(&set).is_authorized(black_box(Action::Find), black_box(&custom)))
    });
    c.bench_function("is_authorized_on_collection/allowed_borrowed", |b| {
        b.iter(|| {
            black_box(&set).is_authorized_on_collection(
                black_box(Action::Insert),
                black_box("hr"),
                black_box("people"),
            )
        })
    });
    c.bench_function("is_authorized/cluster", |b| {
        b.iter(|| {
            black_box(&set).is_authorized(
                black_box(Action::ServerStatus),
                black_box(&Resource::Cluster),
            )
        })
    });
    c.bench_function("resolve/5_grants", |b| {
        b.iter(|| catalog.resolve(black_box(&grants)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
