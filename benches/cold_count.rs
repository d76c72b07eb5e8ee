//! Cold verifications for instruction counting (the clock on a shared machine is too noisy to
//! tell a few percent): `cold_count <verifier> <alg> <n>` verifies one two-certificate client
//! chain `n` times with caches off. Run it under callgrind with `n` = 0 and `n` = 100; the
//! difference divided by 100 is the cost of one verification, setup excluded:
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/cold_count-* ring p256 100
//! ```
//!
//! `<verifier>`: `webpki` (rustls-webpki 0.103, ring), `ring` or `default` (this crate's
//! `Verifier` with that backend); `repeat` (a `Verifier` with its caches on, the ring backend,
//! the same chain every time: one cold verification, then cache hits); `hash` (one SHA-256 of
//! the presented certificates, with the crate's hasher). `<alg>`: `rsa2048` or `p256`.
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
use std::time::Duration;

use common::generate::{Alg, NOW, Spec, issue, root};
use sha2::Digest as _;
use x509_dbauth::{
    CertificateDer, TrustAnchors, UnixTime, Verifier, signature::RingVerifier, x509::CacheBounds,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` runs every bench target with `--bench` (and criterion's options): do
    // nothing then.
    if args.len() != 4 || args.iter().any(|a| a.starts_with("--")) {
        return;
    }
    let (which, alg, n) = (&args[1], &args[2], args[3].parse::<usize>().unwrap());
    let (ca_alg, leaf_alg) = match alg.as_str() {
        "rsa2048" => (Alg::Rsa2048Sha256(1), Alg::Rsa2048Sha256(3)),
        "p256" => (Alg::P256, Alg::P256),
        other => panic!("unknown algorithm {other}"),
    };
    let r = root(&Spec::ca("Count Root", ca_alg));
    let ca = issue(&Spec::ca("Count Issuing CA", ca_alg), &r);
    let leaf = issue(&Spec::leaf("count client", leaf_alg), &ca);
    let presented = [
        CertificateDer::from(leaf.der.as_slice()),
        CertificateDer::from(ca.der.as_slice()),
    ];
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    match which.as_str() {
        "webpki" => {
            let anchor_der = CertificateDer::from(r.der.as_slice());
            let anchors = [webpki::anchor_from_trusted_cert(&anchor_der).unwrap()];
            for _ in 0..n {
                let ee = webpki::EndEntityCert::try_from(black_box(&presented[0])).unwrap();
                ee.verify_for_usage(
                    webpki::ALL_VERIFICATION_ALGS,
                    &anchors,
                    &presented[1..],
                    now,
                    webpki::KeyUsage::client_auth(),
                    None,
                    None,
                )
                .unwrap();
            }
        }
        "hash" => {
            for _ in 0..n {
                let mut h = sha2::Sha256::new();
                for c in black_box(&presented) {
                    h.update(c.as_ref());
                }
                black_box(h.finalize());
            }
        }
        "repeat" => {
            let v = Verifier::builder()
                .managed_ca(TrustAnchors::from_ders([r.der.clone()]).unwrap())
                .signature_verifier(Arc::new(RingVerifier))
                .build()
                .unwrap();
            // The cold verification that fills the cache is part of the setup.
            v.verify_client(&presented, now).unwrap();
            for _ in 0..n {
                black_box(v.verify_client(black_box(&presented), now).unwrap());
            }
        }
        backend => {
            let b = Verifier::builder()
                .managed_ca(TrustAnchors::from_ders([r.der.clone()]).unwrap())
                .chain_cache(CacheBounds::DISABLED)
                .issuer_cache(CacheBounds::DISABLED);
            let b = match backend {
                "ring" => b.signature_verifier(Arc::new(RingVerifier)),
                "default" => b,
                other => panic!("unknown verifier {other}"),
            };
            let v = b.build().unwrap();
            for _ in 0..n {
                black_box(v.verify_client(black_box(&presented), now).unwrap());
            }
        }
    }
}
