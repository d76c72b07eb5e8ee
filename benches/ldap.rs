//! LDAP benchmarks against the throwaway slapd of the tests (tests/support/slapd.rs), when
//! `slapd` is installed: a cached authorization, an uncached lookup through `LdapDirectory`
//! next to a raw `ldap3` search of the same entry, and 1 000 concurrent logins of one user,
//! which must send exactly one directory query (counted by the directory). Without slapd the
//! benchmarks are skipped with a note.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/support/slapd.rs"]
mod slapd;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slapd::{READER_DN, READER_PW, Slapd};
use x509_dbauth::x509::Certificate;
use x509_dbauth::{
    Authenticator, CertificateDer, Settings, TrustAnchors, UnixTime,
    directory::{
        Directory, LdapClientConfig, LdapDirectory, LdapGroupSpec, LdapQuery, MappingRule,
        PasswordSource, Scope, UserToDnMapping,
    },
    testing::block_on,
};

const JANE_DN: &str = "cn=Jane Doe,ou=users,dc=example,dc=com";

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn authenticator(d: Arc<LdapDirectory>) -> Authenticator {
    let settings = Settings::builder()
        .managed_ca(TrustAnchors::from_pem(&read("examples/pki/managed-ca.pem")).unwrap())
        .enable_self_managed(
            TrustAnchors::from_pem(&read("examples/pki/project-root-ca.pem")).unwrap(),
        )
        .enable_ldap_authorization()
        .user_to_dn_mapping(UserToDnMapping::new(vec![
            MappingRule::substitution(
                "CN=([^,]+),O=MongoDB,C=US",
                "cn={0},ou=users,dc=example,dc=com",
            )
            .unwrap(),
        ]))
        .add_ldap_group(LdapGroupSpec {
            dn: "cn=readers,ou=groups,dc=example,dc=com".to_owned(),
            roles: vec!["read@reporting".to_owned()],
        })
        .build()
        .unwrap();
    Authenticator::new(settings.into_arc()).with_directory(d)
}

fn directory(s: &Slapd) -> Arc<LdapDirectory> {
    let pw = s.dir().join("bench-password");
    std::fs::write(&pw, READER_PW).unwrap();
    Arc::new(
        LdapDirectory::new(
            LdapClientConfig::from_urls(&[s.url()])
                .unwrap()
                .simple_bind(READER_DN, PasswordSource::File(pw))
                .pool_size(1),
        )
        .unwrap(),
    )
}

fn bench(c: &mut Criterion) {
    if !Slapd::available() {
        eprintln!("slapd is not installed: LDAP benchmarks skipped (scripts/test installs it)");
        return;
    }
    let s = Slapd::start();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600));
    let chain: Vec<CertificateDer<'static>> =
        Certificate::ders_from_pem_or_der(&read("examples/pki/jane-chain.pem")).unwrap();

    // Cached authorization.
    let d = directory(&s);
    let a = authenticator(Arc::clone(&d));
    let client = a.verify_client(&chain, now).unwrap();
    a.authenticate_blocking(&client, None).unwrap();
    c.bench_function("ldap: authenticate, cached groups (live directory)", |b| {
        b.iter(|| a.authenticate_blocking(black_box(&client), None).unwrap())
    });

    // An uncached lookup through LdapDirectory vs a raw ldap3 search of the same entry.
    let q = LdapQuery {
        base_dn: JANE_DN.to_owned(),
        scope: Scope::Base,
        filter: "(objectClass=*)".to_owned(),
        attributes: vec!["memberOf".to_owned()],
    };
    block_on(d.search(&q)).unwrap();
    c.bench_function("ldap: LdapDirectory::search (memberOf base)", |b| {
        b.iter(|| block_on(d.search(black_box(&q))).unwrap())
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut raw = rt.block_on(async {
        let (conn, mut ldap) = ldap3::LdapConnAsync::new(&s.url()).await.unwrap();
        ldap3::drive!(conn);
        ldap.simple_bind(READER_DN, READER_PW)
            .await
            .unwrap()
            .success()
            .unwrap();
        ldap
    });
    c.bench_function("ldap: raw ldap3 search (memberOf base, peer)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = raw
                    .search(
                        JANE_DN,
                        ldap3::Scope::Base,
                        "(objectClass=*)",
                        vec!["memberOf"],
                    )
                    .await
                    .unwrap()
                    .success()
                    .unwrap();
                black_box(r)
            })
        })
    });

    // 1 000 concurrent logins of one user on an empty cache: one directory query.
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    c.bench_function(
        "ldap: 1000 concurrent logins of one user, empty cache",
        |b| {
            b.iter(|| {
                let d = directory(&s);
                let a = Arc::new(authenticator(Arc::clone(&d)));
                // Verified under this authenticator's settings (a client verified under other
                // settings is verified again at phase 2).
                let client = a.verify_client(&chain, now).unwrap();
                multi.block_on(async {
                    let tasks: Vec<_> = (0..1000)
                        .map(|_| {
                            let (a, client) = (Arc::clone(&a), client.clone());
                            tokio::spawn(async move { a.authenticate(&client, None).await.is_ok() })
                        })
                        .collect();
                    for t in tasks {
                        assert!(t.await.unwrap());
                    }
                });
                assert_eq!(
                    d.searches_sent(),
                    1,
                    "single flight: one query for 1000 logins"
                );
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
