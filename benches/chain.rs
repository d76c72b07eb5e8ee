//! Chain verification: this crate (default RustCrypto backend, and with feature `ring` the ring
//! backend) vs rustls-webpki 0.103 (ring) on the same 3-certificate client chains, plus the bare
//! signature verifications the chain needs with the default backend, so that path-building
//! overhead = chain time / sum of signature times.
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
use std::time::Duration;

use common::generate::{Alg, NOW, Spec, issue, root};
use criterion::{Criterion, criterion_group, criterion_main};
use x509_dbauth::{
    CertificateDer, Limits, TrustAnchors, UnixTime,
    signature::{RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef},
    x509::{CacheBounds, Certificate, ChainVerifier},
};

fn bench_chain(c: &mut Criterion, label: &str, alg: [Alg; 3]) {
    let r = root(&Spec::ca("Bench Root", alg[0]));
    let i = issue(&Spec::ca("Bench Issuing CA", alg[1]), &r);
    let l = issue(&Spec::leaf("bench client", alg[2]), &i);
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    let presented = [
        CertificateDer::from(l.der.as_slice()),
        CertificateDer::from(i.der.as_slice()),
    ];

    // Cold: the issuer cache off (a repeat of one chain would otherwise reuse the path above
    // the intermediate; `benches/verify.rs` measures the caches).
    let verifier = ChainVerifier::builder(TrustAnchors::from_ders([r.der.clone()]).unwrap())
        .issuer_cache(CacheBounds::DISABLED)
        .build()
        .unwrap();
    verifier.verify_chain(&presented, now).unwrap();
    // The same configuration with the optional ring backend (feature "ring"; the README's
    // `cargo bench --all-features` enables it, a plain `cargo bench` skips the entry).
    #[cfg(feature = "ring")]
    let ring_verifier = {
        let v = ChainVerifier::builder(TrustAnchors::from_ders([r.der.clone()]).unwrap())
            .issuer_cache(CacheBounds::DISABLED)
            .signature_verifier(std::sync::Arc::new(x509_dbauth::signature::RingVerifier))
            .build()
            .unwrap();
        assert_eq!(
            v.verify_chain(&presented, now).unwrap(),
            verifier.verify_chain(&presented, now).unwrap()
        );
        v
    };

    let anchor_der = CertificateDer::from(r.der.as_slice());
    let anchors = [webpki::anchor_from_trusted_cert(&anchor_der).unwrap()];
    let webpki_verify = || {
        let ee = webpki::EndEntityCert::try_from(&presented[0]).unwrap();
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &presented[1..],
            now,
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .is_ok()
    };
    assert!(webpki_verify());

    // The two signatures of the chain (leaf by intermediate, intermediate by root), parsing
    // excluded: what any verifier with this backend must spend.
    let limits = Limits::DEFAULT;
    let (lc, ic, rc) = (
        Certificate::from_der(&l.der, &limits).unwrap(),
        Certificate::from_der(&i.der, &limits).unwrap(),
        Certificate::from_der(&r.der, &limits).unwrap(),
    );
    let backend = RustCryptoVerifier;
    let sig = |child: &Certificate<'_>, issuer: &Certificate<'_>| {
        let alg = SignatureAlgorithm::from_der(child.signature_algorithm_der()).unwrap();
        let spki = SpkiRef::from_der(issuer.spki_der()).unwrap();
        backend
            .verify(alg, &spki, child.tbs(), child.signature())
            .unwrap();
    };

    let mut g = c.benchmark_group(label);
    g.bench_function("x509-dbauth verify_client", |b| {
        b.iter(|| verifier.verify_chain(black_box(&presented), now).unwrap())
    });
    #[cfg(feature = "ring")]
    g.bench_function("x509-dbauth verify_client (ring backend)", |b| {
        b.iter(|| {
            ring_verifier
                .verify_chain(black_box(&presented), now)
                .unwrap()
        })
    });
    g.bench_function("rustls-webpki verify_for_usage (ring)", |b| {
        b.iter(|| black_box(webpki_verify()))
    });
    g.bench_function("signature leaf<-intermediate", |b| {
        b.iter(|| sig(black_box(&lc), &ic))
    });
    g.bench_function("signature intermediate<-root", |b| {
        b.iter(|| sig(black_box(&ic), &rc))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_chain(
        c,
        "chain_rsa2048",
        [
            Alg::Rsa2048Sha256(1),
            Alg::Rsa2048Sha256(2),
            Alg::Rsa2048Sha256(3),
        ],
    );
    bench_chain(c, "chain_p256", [Alg::P256; 3]);
}

criterion_group!(chain, benches);
criterion_main!(chain);
