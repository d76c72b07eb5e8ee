//! Policy benchmarks: phase 2 (`authenticate` on a client already verified in phase 1) with
//! LDAP authorization off and with the in-memory directory (cached and uncached answers), and
//! `Principal::is_authorized`. Phase 1 (`verify_client`) is measured in the same run as a peer.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use x509_dbauth::x509::Certificate;
use x509_dbauth::{
    Action, Authenticator, CertificateDer, CertificateKind, Resource, Settings, SettingsBuilder,
    TrustAnchors, UnixTime, UserSpec,
    directory::{InMemoryDirectory, LdapCacheConfig, LdapGroupSpec, MappingRule, UserToDnMapping},
};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn base() -> SettingsBuilder {
    let mut b = Settings::builder()
        .managed_ca(TrustAnchors::from_pem(&read("examples/pki/managed-ca.pem")).unwrap())
        .enable_self_managed(
            TrustAnchors::from_pem(&read("examples/pki/project-root-ca.pem")).unwrap(),
        );
    // A registry of realistic size: 99 other users and Jane.
    for i in 0..99 {
        b = b.add_user(
            UserSpec::new(
                format!("CN=User {i},OU=Apps,O=MongoDB,C=US"),
                CertificateKind::SelfManaged,
            )
            .role("read@sales"),
        );
    }
    b.add_user(
        UserSpec::new("CN=Jane Doe,O=MongoDB,C=US", CertificateKind::SelfManaged)
            .role("readWrite@sales")
            .role("read@reporting.orders"),
    )
}

fn bench(c: &mut Criterion) {
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600));
    let chain: Vec<CertificateDer<'static>> =
        Certificate::ders_from_pem_or_der(&read("examples/pki/jane-chain.pem")).unwrap();

    let off = Authenticator::new(base().build().unwrap().into_arc());
    let client = off.verify_client(&chain, now).unwrap();
    c.bench_function("verify_client (phase 1, peer)", |b| {
        b.iter(|| off.verify_client(black_box(&chain), now).unwrap())
    });
    c.bench_function("authenticate, LDAP off", |b| {
        b.iter(|| off.authenticate_blocking(black_box(&client), None).unwrap())
    });
    c.bench_function("authenticate, LDAP off, claimed user", |b| {
        b.iter(|| {
            off.authenticate_blocking(black_box(&client), Some("CN=Jane Doe,O=MongoDB,C=US"))
                .unwrap()
        })
    });

    let dir = Arc::new(
        InMemoryDirectory::from_ldif_file(format!(
            "{}/tests/data/directory.ldif",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    );
    let ldap = |cache: LdapCacheConfig| {
        let s = base()
            .enable_ldap_authorization()
            .user_to_dn_mapping(UserToDnMapping::new(vec![
                MappingRule::substitution(
                    "CN=([^,]+),O=MongoDB,C=US",
                    "cn={0},ou=users,dc=example,dc=com",
                )
                .unwrap(),
            ]))
            .add_ldap_group(LdapGroupSpec {
                dn: "cn=dbAdmins,ou=groups,dc=example,dc=com".into(),
                roles: vec!["dbAdmin@sales".into()],
            })
            .add_ldap_group(LdapGroupSpec {
                dn: "cn=readers,ou=groups,dc=example,dc=com".into(),
                roles: vec!["read@reporting".into()],
            })
            .ldap_cache(cache)
            .build()
            .unwrap();
        Authenticator::new(s.into_arc()).with_directory(dir.clone())
    };
    // Each authenticator verifies its own client: a client verified under other settings is
    // verified again at phase 2 (the settings changed between the phases).
    let cached = ldap(LdapCacheConfig::DEFAULT);
    let client_c = cached.verify_client(&chain, now).unwrap();
    c.bench_function("authenticate, LDAP on, cached groups", |b| {
        b.iter(|| {
            cached
                .authenticate_blocking(black_box(&client_c), None)
                .unwrap()
        })
    });
    // A refresh interval of one second with the system clock: nearly every call asks the
    // in-memory directory... except within the same second; use a huge clock step instead.
    let uncached = ldap(LdapCacheConfig::new(
        Duration::from_secs(1),
        Duration::from_secs(1),
        Duration::from_secs(10),
    ))
    .with_clock(Arc::new(Ticking::default()));
    let client_u = uncached.verify_client(&chain, now).unwrap();
    c.bench_function("authenticate, LDAP on, directory query", |b| {
        b.iter(|| {
            uncached
                .authenticate_blocking(black_box(&client_u), None)
                .unwrap()
        })
    });

    let p = off.authenticate_blocking(&client, None).unwrap();
    let coll = Resource::collection("reporting", "orders");
    c.bench_function("Principal::is_authorized (allowed)", |b| {
        b.iter(|| p.is_authorized(black_box(Action::Find), black_box(&coll)))
    });
    let other = Resource::collection("hr", "salaries");
    c.bench_function("Principal::is_authorized (denied)", |b| {
        b.iter(|| p.is_authorized(black_box(Action::Find), black_box(&other)))
    });
}

/// A clock that moves 10 s on every read, so no cached answer is ever fresh.
#[derive(Debug, Default)]
struct Ticking(std::sync::atomic::AtomicU64);

impl x509_dbauth::directory::Clock for Ticking {
    fn now(&self) -> UnixTime {
        let t = self.0.fetch_add(10, std::sync::atomic::Ordering::Relaxed);
        UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600 + t))
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
