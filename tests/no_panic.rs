//! Property tests: hostile bytes never panic the parser or the verifier, they get typed errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::generate::{Alg, NOW, Spec, issue, root};
use proptest::prelude::*;
use x509_dbauth::{
    CertificateDer, Limits, TrustAnchors, UnixTime,
    x509::{Certificate, ChainVerifier},
};

fn fixture() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    (r.der, i.der, l.der)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_parse_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Certificate::from_der(&bytes, &Limits::DEFAULT);
    }

    #[test]
    fn mutated_chains_verify_without_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        which in 0usize..2,
    ) {
        let (r, i, l) = fixture();
        let mut certs = [l, i];
        let target = &mut certs[which];
        for (at, x) in flips {
            let k = at.index(target.len());
            target[k] ^= x | 1;
        }
        if which == 1 {
            let n = cut.index(certs[1].len() + 1);
            certs[1].truncate(n);
        }
        let v = ChainVerifier::builder(TrustAnchors::from_ders([r]).unwrap()).build().unwrap();
        let presented: Vec<CertificateDer<'_>> = certs.iter().map(|c| CertificateDer::from(c.as_slice())).collect();
        let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
        match v.verify_chain(&presented, now) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.kind().is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}
