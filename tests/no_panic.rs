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
    x509::{CertPosition, Certificate, ChainVerifier},
};

fn fixture() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    (r.der, i.der, l.der)
}

/// Whether each verified certificate kept the signed parts of the one issued: its
/// tbsCertificate and the signature algorithm that must repeat the one inside it (RFC 5280
/// §4.1.1.2). Only the signature value may differ.
fn signed_parts_unchanged<'a>(
    verified: impl Iterator<Item = &'a [u8]>,
    originals: &[Vec<u8>],
) -> Result<(), String> {
    for (n, (mutated, original)) in verified.zip(originals).enumerate() {
        let m = Certificate::from_der(mutated, &Limits::DEFAULT)
            .map_err(|e| format!("certificate #{n} does not parse: {e}"))?;
        let o = Certificate::from_der(original, &Limits::DEFAULT)
            .map_err(|e| format!("original #{n} does not parse: {e}"))?;
        if m.tbs() != o.tbs() {
            return Err(format!("certificate #{n}: its tbsCertificate changed"));
        }
        if m.signature_algorithm_der() != o.signature_algorithm_der() {
            return Err(format!("certificate #{n}: its signature algorithm changed"));
        }
    }
    Ok(())
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
        let originals = [l.clone(), i.clone()];
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
            // A mutated chain that still verifies may differ from the original only outside
            // what the signatures cover: the tbsCertificate of each certificate, and the
            // signature algorithm it must repeat (RFC 5280 §4.1.1.2), are the issued ones.
            Ok(chain) => {
                if let Err(why) = signed_parts_unchanged(chain.certificates(), &originals) {
                    prop_assert!(false, "a mutated chain verified: {}", why);
                }
            }
            // The chain verified before the mutation, so the error is the mutation's: about a
            // presented certificate (the anchor is untouched), and of a kind a changed byte can
            // cause. With no CRL configured, two certificates presented and a two-link path, no
            // revocation, count, depth or budget error can come out.
            Err(e) => {
                let not_from_a_byte = [
                    "no_certificate",
                    "too_many_certificates",
                    "revoked",
                    "crl_missing",
                    "crl_invalid",
                    "path_too_deep",
                    "signature_budget_exceeded",
                    "build_budget_exceeded",
                    "name_constraint_budget_exceeded",
                ];
                prop_assert!(!not_from_a_byte.contains(&e.kind()), "{}: {}", e.kind(), e);
                let position = e.certificate().map(|c| c.position);
                prop_assert!(
                    matches!(position, Some(CertPosition::Presented(0 | 1))),
                    "{:?}: {}", position, e
                );
            }
        }
    }
}

/// The fixture verifies unmutated, so every error above comes from a mutation.
#[test]
fn the_unmutated_fixture_verifies() {
    let (r, i, l) = fixture();
    let v = ChainVerifier::builder(TrustAnchors::from_ders([r]).unwrap())
        .build()
        .unwrap();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    let chain = v
        .verify_chain(&[CertificateDer::from(l), CertificateDer::from(i)], now)
        .unwrap();
    assert_eq!(chain.len(), 3);
}

/// The check above tells a change in the signed bytes from one in the signature value.
#[test]
fn signed_parts_check_can_fail() {
    let (_, i, l) = fixture();
    let originals = [l.clone(), i.clone()];
    // A byte of the subject (inside tbsCertificate) changed: refused.
    let mut signed = l.clone();
    let at = signed.windows(6).position(|w| w == b"client").unwrap();
    signed[at] ^= 0x20;
    assert_eq!(
        signed_parts_unchanged([signed.as_slice(), i.as_slice()].into_iter(), &originals),
        Err("certificate #0: its tbsCertificate changed".to_owned())
    );
    // The last byte of the signature value changed: the signed parts are the issued ones.
    let mut unsigned = l.clone();
    *unsigned.last_mut().unwrap() ^= 1;
    assert_eq!(
        signed_parts_unchanged([unsigned.as_slice(), i.as_slice()].into_iter(), &originals),
        Ok(())
    );
}
