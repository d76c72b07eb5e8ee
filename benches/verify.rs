//! Client authentication, side by side with rustls-webpki 0.103 (ring) in the same run, on
//! two-certificate client chains (leaf + intermediate) under one anchor:
//!
//! - cold verification (caches off), RSA-2048 and P-256, default (RustCrypto) and ring
//!   backends;
//! - a repeat of a known chain (the verified-chain cache), next to one SHA-256 of the
//!   presented bytes;
//! - a new leaf under a known intermediate (the issuer cache);
//! - a connection storm: 10 000 authentications (`verify_client` + `authenticate`) of 200
//!   distinct clients on 2 threads, on fresh settings, vs 10 000 webpki verifications on 2
//!   threads;
//! - scaling: 1 to 1 000 anchors, 1 to 100 000 users, 1 to 6 intermediates.
//!
//! Run: `cargo bench --all-features --bench verify -- --warm-up-time 1 --measurement-time 3`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::generate::{Alg, NOW, Node, Spec, issue, root};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sha2::Digest as _;
use x509_dbauth::{
    Authenticator, CertificateDer, CertificateKind, Limits, Settings, TrustAnchors, UnixTime,
    UserSpec, Verifier,
    signature::{RingVerifier, SignatureVerifier},
    x509::CacheBounds,
};

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64))
}

/// Leaf algorithm for a CA algorithm: RSA leaves use another fixture key than their CA.
fn leaf_alg(alg: Alg) -> Alg {
    match alg {
        Alg::Rsa2048Sha256(_) => Alg::Rsa2048Sha256(3),
        a => a,
    }
}

struct Pki {
    root: Node,
    ca: Node,
    leaves: Vec<Node>,
}

fn pki(alg: Alg, leaves: usize) -> Pki {
    let root = root(&Spec::ca("Bench Root", alg));
    let ca = issue(&Spec::ca("Bench Issuing CA", alg), &root);
    let leaves = (0..leaves)
        .map(|k| {
            issue(
                &Spec {
                    serial: 1000 + k as u64,
                    ..Spec::leaf(&format!("client {k}"), leaf_alg(alg))
                },
                &ca,
            )
        })
        .collect();
    Pki { root, ca, leaves }
}

fn chain<'a>(leaf: &'a Node, ca: &'a Node) -> Vec<CertificateDer<'a>> {
    vec![
        CertificateDer::from(leaf.der.as_slice()),
        CertificateDer::from(ca.der.as_slice()),
    ]
}

fn verifier(
    root: &Node,
    backend: Option<Arc<dyn SignatureVerifier>>,
    chains: CacheBounds,
    issuers: CacheBounds,
) -> Verifier {
    let b = Verifier::builder()
        .managed_ca(TrustAnchors::from_ders([root.der.clone()]).unwrap())
        .chain_cache(chains)
        .issuer_cache(issuers);
    match backend {
        Some(be) => b.signature_verifier(be),
        None => b,
    }
    .build()
    .unwrap()
}

/// rustls-webpki's verification of `presented` (leaf first) to `anchor`, for client auth.
fn webpki_verify(anchors: &[rustls_pki_types::TrustAnchor<'_>], presented: &[CertificateDer<'_>]) {
    let ee = webpki::EndEntityCert::try_from(&presented[0]).unwrap();
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        anchors,
        &presented[1..],
        now(),
        webpki::KeyUsage::client_auth(),
        None,
        None,
    )
    .unwrap();
}

fn ring() -> Option<Arc<dyn SignatureVerifier>> {
    Some(Arc::new(RingVerifier))
}

fn single(c: &mut Criterion, label: &str, alg: Alg) {
    let p = pki(alg, 200);
    let presented = chain(&p.leaves[0], &p.ca);
    let anchor_der = CertificateDer::from(p.root.der.as_slice());
    let anchors = [webpki::anchor_from_trusted_cert(&anchor_der).unwrap()];
    let off = CacheBounds::DISABLED;

    let mut g = c.benchmark_group(label);
    g.bench_function("rustls-webpki cold", |b| {
        b.iter(|| webpki_verify(&anchors, black_box(&presented)))
    });
    for (name, backend) in [("default", None), ("ring", ring())] {
        let cold = verifier(&p.root, backend.clone(), off, off);
        g.bench_function(format!("x509-dbauth cold ({name})"), |b| {
            b.iter(|| cold.verify_client(black_box(&presented), now()).unwrap())
        });
        let repeat = verifier(&p.root, backend.clone(), CacheBounds::CHAINS, off);
        g.bench_function(format!("x509-dbauth repeat chain ({name})"), |b| {
            b.iter(|| repeat.verify_client(black_box(&presented), now()).unwrap())
        });
        // Chain cache off, issuer cache on: every leaf after the first is a new leaf under a
        // known intermediate.
        let issuer = verifier(&p.root, backend.clone(), off, CacheBounds::ISSUERS);
        let chains: Vec<_> = p.leaves.iter().map(|l| chain(l, &p.ca)).collect();
        issuer.verify_client(&chains[0], now()).unwrap();
        let mut k = 0;
        g.bench_function(
            format!("x509-dbauth new leaf, known intermediate ({name})"),
            |b| {
                b.iter(|| {
                    k = (k + 1) % chains.len();
                    issuer.verify_client(black_box(&chains[k]), now()).unwrap()
                })
            },
        );
    }
    g.bench_function("sha256 of the presented bytes", |b| {
        b.iter(|| {
            let mut h = sha2::Sha256::new();
            for c in black_box(&presented) {
                h.update(c.as_ref());
            }
            h.finalize()
        })
    });
    g.finish();
}

/// `n` authentications split over 2 threads, each thread walking the clients in turn.
fn storm(c: &mut Criterion) {
    const CLIENTS: usize = 200;
    const AUTHS: usize = 10_000;
    for (label, alg) in [
        ("storm_rsa2048", Alg::Rsa2048Sha256(1)),
        ("storm_p256", Alg::P256),
    ] {
        let p = pki(alg, CLIENTS);
        let chains: Vec<Vec<CertificateDer<'static>>> = p
            .leaves
            .iter()
            .map(|l| {
                vec![
                    CertificateDer::from(l.der.clone()),
                    CertificateDer::from(p.ca.der.clone()),
                ]
            })
            .collect();
        let mut limits = Limits::DEFAULT;
        limits.max_users = CLIENTS;
        let settings = |backend: Option<Arc<dyn SignatureVerifier>>| {
            let mut b = Settings::builder()
                .managed_ca(TrustAnchors::from_ders([p.root.der.clone()]).unwrap())
                .limits(limits.clone());
            for k in 0..CLIENTS {
                b = b.add_user(
                    UserSpec::new(
                        format!("CN=client {k},O=x509-dbauth tests"),
                        CertificateKind::Managed,
                    )
                    .role("read@sales"),
                );
            }
            if let Some(be) = backend {
                b = b.signature_verifier(be);
            }
            b.build().unwrap().into_arc()
        };
        let anchor_der = CertificateDer::from(p.root.der.clone());
        let anchors = [webpki::anchor_from_trusted_cert(&anchor_der).unwrap()];
        let mut g = c.benchmark_group(label);
        g.sample_size(10);
        g.bench_function("rustls-webpki verification only", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    std::thread::scope(|s| {
                        for t in 0..2 {
                            let (chains, anchors) = (&chains, &anchors);
                            s.spawn(move || {
                                for n in 0..AUTHS / 2 {
                                    webpki_verify(anchors, &chains[(n * 2 + t) % CLIENTS]);
                                }
                            });
                        }
                    });
                }
                start.elapsed()
            })
        });
        for (name, backend) in [("default", None), ("ring", ring())] {
            g.bench_function(
                format!("x509-dbauth verify_client + authenticate ({name})"),
                |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            // Fresh settings each time: the storm starts with empty caches.
                            let auth = Authenticator::new(settings(backend.clone()));
                            let start = Instant::now();
                            std::thread::scope(|s| {
                                for t in 0..2 {
                                    let (chains, auth) = (&chains, &auth);
                                    s.spawn(move || {
                                        for n in 0..AUTHS / 2 {
                                            let chain = &chains[(n * 2 + t) % CLIENTS];
                                            let client = auth.verify_client(chain, now()).unwrap();
                                            auth.authenticate_blocking(&client, None).unwrap();
                                        }
                                    });
                                }
                            });
                            total += start.elapsed();
                        }
                        total
                    })
                },
            );
        }
        g.finish();
    }
}

fn scaling(c: &mut Criterion) {
    let off = CacheBounds::DISABLED;
    let mut g = c.benchmark_group("scaling");
    g.sample_size(20);
    // Anchors: the client's root among n others (P-256, ring, caches off).
    let p = pki(Alg::P256, 1);
    let presented = chain(&p.leaves[0], &p.ca);
    let others: Vec<Vec<u8>> = (0..999)
        .map(|k| root(&Spec::ca(&format!("Other Root {k}"), Alg::P256)).der)
        .collect();
    for n in [1usize, 10, 100, 1000] {
        let ders = others
            .iter()
            .take(n - 1)
            .cloned()
            .chain([p.root.der.clone()]);
        let v = Verifier::builder()
            .managed_ca(TrustAnchors::from_ders(ders).unwrap())
            .signature_verifier(Arc::new(RingVerifier))
            .chain_cache(off)
            .issuer_cache(off)
            .build()
            .unwrap();
        g.bench_with_input(BenchmarkId::new("anchors", n), &n, |b, _| {
            b.iter(|| v.verify_client(black_box(&presented), now()).unwrap())
        });
    }
    // Intermediates: a path of k intermediates (P-256, ring, caches off), all presented.
    let r = root(&Spec::ca("Deep Root", Alg::P256));
    let mut cas = vec![issue(&Spec::ca("Deep CA 1", Alg::P256), &r)];
    for k in 2..=6 {
        let next = issue(
            &Spec::ca(&format!("Deep CA {k}"), Alg::P256),
            cas.last().unwrap(),
        );
        cas.push(next);
    }
    let deep = verifier(&r, ring(), off, off);
    for k in 1..=6usize {
        let leaf = issue(&Spec::leaf("deep client", Alg::P256), &cas[k - 1]);
        let mut presented = vec![CertificateDer::from(leaf.der.clone())];
        presented.extend(
            cas[..k]
                .iter()
                .rev()
                .map(|c| CertificateDer::from(c.der.clone())),
        );
        deep.verify_client(&presented, now()).unwrap();
        g.bench_with_input(BenchmarkId::new("intermediates", k), &k, |b, _| {
            b.iter(|| deep.verify_client(black_box(&presented), now()).unwrap())
        });
    }
    // Users: phase 2 for one client in a registry of n users.
    let client_chain = chain(&p.leaves[0], &p.ca);
    for n in [1usize, 100, 10_000, 100_000] {
        let mut limits = Limits::DEFAULT;
        limits.max_users = n;
        let mut b = Settings::builder()
            .managed_ca(TrustAnchors::from_ders([p.root.der.clone()]).unwrap())
            .limits(limits);
        for k in 0..n - 1 {
            b = b.add_user(
                UserSpec::new(
                    format!("CN=user {k},OU=Apps,O=x509-dbauth tests"),
                    CertificateKind::Managed,
                )
                .role("read@sales"),
            );
        }
        b = b.add_user(
            UserSpec::new("CN=client 0,O=x509-dbauth tests", CertificateKind::Managed)
                .role("read@sales"),
        );
        let auth = Authenticator::new(b.build().unwrap().into_arc());
        let client = auth.verify_client(&client_chain, now()).unwrap();
        g.bench_with_input(BenchmarkId::new("users", n), &n, |b, _| {
            b.iter(|| {
                auth.authenticate_blocking(black_box(&client), None)
                    .unwrap()
            })
        });
    }
    g.finish();
}

fn singles(c: &mut Criterion) {
    single(c, "verify_rsa2048", Alg::Rsa2048Sha256(1));
    single(c, "verify_p256", Alg::P256);
}

criterion_group!(verify, singles, storm, scaling);
criterion_main!(verify);
