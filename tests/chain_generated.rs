//! Labelled scenarios over generated chains; each asserts the exact outcome (error kind and the
//! index of the certificate named), and a few are cross-checked against rustls-webpki.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::generate::{
    Alg, Ava, DAY, NOW, Node, Spec, TBS_SUBJECT, attr, crl, crl_for_reasons, crl_with_entry_serial,
    crl_with_reasons, dn, issue, name_der, pss_alg_id, resign, resign_edited, resign_pss,
    resign_sha1, root, sign_pss, tlv,
};
use rcgen::{
    CustomExtension, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, KeyUsagePurpose,
    NameConstraints, RevocationReason, SanType,
};
use x509_dbauth::{
    CertificateDer, Limits, TrustAnchors, UnixTime,
    errors::{ChainError, ConfigError, CryptoError},
    x509::{
        AnchorWarning, CacheBounds, CertPosition, ChainVerifier, ChainVerifierBuilder, Eku,
        VerifiedChain,
    },
};

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64))
}

fn anchors(roots: &[&Node]) -> TrustAnchors {
    TrustAnchors::from_ders(roots.iter().map(|r| r.der.clone())).unwrap()
}

fn builder(roots: &[&Node]) -> ChainVerifierBuilder {
    ChainVerifier::builder(anchors(roots))
}

fn verify_with(b: ChainVerifierBuilder, chain: &[&[u8]]) -> Result<VerifiedChain, ChainError> {
    // With the ring feature, every scenario of this file checks each signature with both
    // backends and requires the same verdict (see `backends::BothBackends`).
    #[cfg(feature = "ring")]
    let b = b.signature_verifier(std::sync::Arc::new(backends::BothBackends));
    let ders: Vec<CertificateDer<'_>> = chain.iter().map(|d| CertificateDer::from(*d)).collect();
    // Every scenario also runs with the issuer cache off, and twice with it on (the second
    // time served from it when it may be): the same result each time.
    let uncached = b
        .clone()
        .issuer_cache(CacheBounds::DISABLED)
        .build()
        .unwrap()
        .verify_chain(&ders, now());
    let v = b.build().unwrap();
    for _ in 0..2 {
        assert_eq!(
            v.verify_chain(&ders, now()),
            uncached,
            "issuer cache on vs off"
        );
    }
    uncached
}

fn verify(roots: &[&Node], chain: &[&[u8]]) -> Result<VerifiedChain, ChainError> {
    verify_with(builder(roots), chain)
}

/// Asserts an error of `kind` about presented certificate `index` (None: not a presented one).
#[track_caller]
fn assert_err(
    r: Result<VerifiedChain, ChainError>,
    kind: &str,
    index: Option<usize>,
) -> ChainError {
    let e = r.expect_err("expected the chain to be refused");
    assert_eq!(e.kind(), kind, "wrong error: {e}");
    assert_eq!(e.certificate_index(), index, "wrong certificate: {e}");
    // Every error reads as a sentence, not Debug output.
    let text = e.to_string();
    assert!(!text.contains("{ ") && !text.is_empty(), "{text}");
    e
}

/// root → intermediate → leaf, all with `alg`.
fn chain3(alg: [Alg; 3]) -> (Node, Node, Node) {
    let r = root(&Spec::ca("Root CA", alg[0]));
    let i = issue(&Spec::ca("Issuing CA", alg[1]), &r);
    let l = issue(&Spec::leaf("client", alg[2]), &i);
    (r, i, l)
}

fn ok3(alg: [Alg; 3]) -> VerifiedChain {
    let (r, i, l) = chain3(alg);
    let v = verify(&[&r], &[&l.der, &i.der]).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v.anchor_index(), 0);
    assert_eq!(v.anchor_der(), r.der.as_slice());
    assert_eq!(v.leaf_der(), l.der.as_slice());
    assert_eq!(
        v.positions(),
        &[
            CertPosition::Presented(0),
            CertPosition::Presented(1),
            CertPosition::Anchor(0)
        ]
    );
    v
}

// ---- algorithms ----

#[test]
fn valid_rsa2048_pkcs1_sha256() {
    ok3([
        Alg::Rsa2048Sha256(1),
        Alg::Rsa2048Sha256(2),
        Alg::Rsa2048Sha256(3),
    ]);
}

#[test]
fn valid_rsa2048_pkcs1_sha384() {
    ok3([
        Alg::Rsa2048Sha384(1),
        Alg::Rsa2048Sha384(2),
        Alg::Rsa2048Sha384(3),
    ]);
}

#[test]
fn valid_rsa2048_pkcs1_sha512() {
    ok3([
        Alg::Rsa2048Sha512(1),
        Alg::Rsa2048Sha512(2),
        Alg::Rsa2048Sha512(3),
    ]);
}

#[test]
fn valid_p256() {
    ok3([Alg::P256, Alg::P256, Alg::P256]);
}

#[test]
fn valid_p384() {
    ok3([Alg::P384, Alg::P384, Alg::P384]);
}

#[test]
fn valid_ed25519() {
    ok3([Alg::Ed25519, Alg::Ed25519, Alg::Ed25519]);
}

#[test]
fn valid_mixed_algorithms() {
    ok3([Alg::P384, Alg::Rsa2048Sha256(2), Alg::Ed25519]);
}

#[test]
fn rsa1024_issuer_refused() {
    let (r, i, l) = chain3([Alg::P256, Alg::Rsa1024, Alg::P256]);
    let e = assert_err(
        verify(&[&r], &[&l.der, &i.der]),
        "rsa_key_too_small",
        Some(0),
    );
    assert!(e.to_string().contains("1024 bits"), "{e}");
}

#[test]
fn rsa1024_client_key_refused() {
    let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::Rsa1024]);
    assert_err(
        verify(&[&r], &[&l.der, &i.der]),
        "rsa_key_too_small",
        Some(0),
    );
}

/// Issue 7 item 16: an RSA key with public exponent 1 "signs" anything (its signature is the
/// encoded message itself). As an issuer's key it was refused (as `unsupported_algorithm`), as
/// a client's key it was accepted. Both are now the same error: a malformed public key.
#[test]
fn rsa_exponent_one_refused_for_client_and_issuer() {
    let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::RsaExponentOne]);
    let e = assert_err(verify(&[&r], &[&l.der, &i.der]), "malformed_key", Some(0));
    assert!(
        matches!(
            e,
            ChainError::KeyRefused {
                source: CryptoError::MalformedKey,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .ends_with("has a public key that is refused: the public key is malformed"),
        "{e}"
    );
    // The issuer with that key "signed" the leaf with a forgery that verifies under e = 1.
    let (r, i, l) = chain3([Alg::P256, Alg::RsaExponentOne, Alg::P256]);
    let e = assert_err(verify(&[&r], &[&l.der, &i.der]), "malformed_key", Some(0));
    assert!(
        matches!(
            e,
            ChainError::Signature {
                source: CryptoError::MalformedKey,
                ..
            }
        ),
        "{e:?}"
    );
}

/// Issue 7 item 16: a malformed public key (an Ed25519 key of 31 bytes) was reported as
/// `unsupported_algorithm` for an issuer and accepted for a client; it is `malformed_key`.
#[test]
fn malformed_public_key_has_its_own_kind() {
    let (r, i, l) = chain3([Alg::P256, Alg::BrokenEd25519, Alg::P256]);
    let e = assert_err(verify(&[&r], &[&l.der, &i.der]), "malformed_key", Some(0));
    assert_eq!(
        e.to_string(),
        "the signature on the client certificate (#0) \"CN=client,O=x509-dbauth tests\" by \
         \"CN=Issuing CA,O=x509-dbauth tests\" is refused: the public key is malformed"
    );
    let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::BrokenEd25519]);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "malformed_key", Some(0));
}

#[test]
fn sha1_refused_by_default_and_allowed_by_opt_in() {
    let (r, i, l) = chain3([Alg::P256, Alg::Rsa2048Sha256(2), Alg::P256]);
    let sha1_leaf = resign_sha1(&l.der, 2);
    assert_err(
        verify(&[&r], &[&sha1_leaf, &i.der]),
        "sha1_disallowed",
        Some(0),
    );
    verify_with(builder(&[&r]).allow_sha1(true), &[&sha1_leaf, &i.der]).unwrap();
    // The rewrite really is SHA-1: the SHA-256 original still verifies without the opt-in.
    verify(&[&r], &[&l.der, &i.der]).unwrap();
}

#[test]
fn valid_rsa_pss_sha256_sha384_sha512() {
    let (r, i, l) = chain3([Alg::P256, Alg::Rsa2048Sha256(2), Alg::P256]);
    for hash in [256, 384, 512] {
        let pss_leaf = resign_pss(&l.der, 2, hash);
        verify(&[&r], &[&pss_leaf, &i.der]).unwrap_or_else(|e| panic!("PSS SHA-{hash}: {e}"));
    }
}

#[test]
fn rsa_pss_parameters_checked() {
    let (r, i, l) = chain3([Alg::P256, Alg::Rsa2048Sha256(2), Alg::P256]);
    // MGF1 hash differs from the message hash (RFC 4055 §3.1 profile).
    let mixed = resign(&l.der, &pss_alg_id(256, 384, 32), |tbs| {
        sign_pss(2, 256, tbs)
    });
    assert_err(
        verify(&[&r], &[&mixed, &i.der]),
        "bad_pss_parameters",
        Some(0),
    );
    // Salt length differs from the hash length.
    let short_salt = resign(&l.der, &pss_alg_id(256, 256, 20), |tbs| {
        sign_pss(2, 256, tbs)
    });
    assert_err(
        verify(&[&r], &[&short_salt, &i.der]),
        "bad_pss_parameters",
        Some(0),
    );
    // A PSS signature by the wrong key.
    let wrong_key = resign(&l.der, &pss_alg_id(256, 256, 32), |tbs| {
        sign_pss(3, 256, tbs)
    });
    assert_err(
        verify(&[&r], &[&wrong_key, &i.der]),
        "bad_signature",
        Some(0),
    );
}

#[test]
fn any_eku_does_not_satisfy_client_auth() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let spec = Spec {
        ekus: vec![ExtendedKeyUsagePurpose::Any],
        ..Spec::leaf("client", Alg::P256)
    };
    let l = issue(&spec, &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "eku_mismatch", Some(0));
    verify_with(builder(&[&r]).required_eku(Eku::Any), &[&l.der, &i.der]).unwrap();
}

#[test]
fn intermediate_eku_must_allow_client_auth() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let spec = Spec {
        ekus: vec![ExtendedKeyUsagePurpose::ServerAuth],
        ..Spec::ca("TLS CA", Alg::P256)
    };
    let i = issue(&spec, &r);
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "eku_mismatch", Some(1));
}

// ---- validity ----

#[test]
fn expired_leaf() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let l = issue(
        &Spec {
            not_after: NOW - 1,
            ..Spec::leaf("client", Alg::P256)
        },
        &i,
    );
    assert_err(verify(&[&r], &[&l.der, &i.der]), "expired", Some(0));
    // Bounds are inclusive (RFC 5280 §4.1.2.5): valid at exactly notAfter.
    let l = issue(
        &Spec {
            not_after: NOW,
            ..Spec::leaf("client", Alg::P256)
        },
        &i,
    );
    verify(&[&r], &[&l.der, &i.der]).unwrap();
}

#[test]
fn not_yet_valid_leaf() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let l = issue(
        &Spec {
            not_before: NOW + 1,
            ..Spec::leaf("client", Alg::P256)
        },
        &i,
    );
    assert_err(verify(&[&r], &[&l.der, &i.der]), "not_yet_valid", Some(0));
}

#[test]
fn expired_intermediate() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(
        &Spec {
            not_after: NOW - DAY,
            ..Spec::ca("Issuing CA", Alg::P256)
        },
        &r,
    );
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "expired", Some(1));
}

#[test]
fn not_yet_valid_intermediate() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(
        &Spec {
            not_before: NOW + DAY,
            ..Spec::ca("Issuing CA", Alg::P256)
        },
        &r,
    );
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "not_yet_valid", Some(1));
}

// ---- CA rules ----

#[test]
fn issuer_not_a_ca() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let not_ca = Spec {
        ca: None,
        ..Spec::ca("Issuing CA", Alg::P256)
    };
    let i = issue(&not_ca, &r);
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "ca_required", Some(1));
}

#[test]
fn path_len_violated() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i1 = issue(
        &Spec {
            ca: Some(Some(0)),
            ..Spec::ca("Policy CA", Alg::P256)
        },
        &r,
    );
    let i2 = issue(&Spec::ca("Issuing CA", Alg::P256), &i1);
    let l = issue(&Spec::leaf("client", Alg::P256), &i2);
    let e = assert_err(
        verify(&[&r], &[&l.der, &i2.der, &i1.der]),
        "path_len_exceeded",
        Some(2),
    );
    assert!(
        matches!(
            e,
            ChainError::PathLenExceeded {
                path_len: 0,
                found: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn issuer_without_key_cert_sign() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let spec = Spec {
        key_usages: vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature],
        ..Spec::ca("Issuing CA", Alg::P256)
    };
    let i = issue(&spec, &r);
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "key_usage", Some(1));
}

// ---- leaf rules ----

#[test]
fn server_auth_only_leaf() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let spec = Spec {
        ekus: vec![ExtendedKeyUsagePurpose::ServerAuth],
        ..Spec::leaf("server", Alg::P256)
    };
    let l = issue(&spec, &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "eku_mismatch", Some(0));
    // The same chain is fine when serverAuth is what is asked for.
    verify_with(
        builder(&[&r]).required_eku(Eku::ServerAuth),
        &[&l.der, &i.der],
    )
    .unwrap();
}

#[test]
fn leaf_without_digital_signature() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let spec = Spec {
        key_usages: vec![KeyUsagePurpose::KeyEncipherment],
        ..Spec::leaf("client", Alg::P256)
    };
    let l = issue(&spec, &i);
    assert_err(verify(&[&r], &[&l.der, &i.der]), "key_usage", Some(0));
}

#[test]
fn unknown_critical_extension() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let mut ext =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    let l = issue(
        &Spec {
            custom: vec![ext],
            ..Spec::leaf("client", Alg::P256)
        },
        &i,
    );
    let e = assert_err(
        verify(&[&r], &[&l.der, &i.der]),
        "unknown_critical_extension",
        Some(0),
    );
    assert!(e.to_string().contains("1.3.6.1.4.1.55555.1"), "{e}");
}

#[test]
fn bad_signature() {
    let (r, i, l) = chain3([Alg::P256, Alg::Rsa2048Sha256(2), Alg::P256]);
    let mut bad = l.der.clone();
    let n = bad.len();
    bad[n - 10] ^= 0x01;
    assert_err(verify(&[&r], &[&bad, &i.der]), "bad_signature", Some(0));
}

// ---- path building ----

#[test]
fn same_issuer_name_different_key() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let wrong = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
    let right = issue(
        &Spec {
            serial: 2,
            ..Spec::ca("Issuing CA", Alg::P256)
        },
        &r,
    );
    let l = issue(&Spec::leaf("client", Alg::P256), &right);
    let v = verify(&[&r], &[&l.der, &wrong.der, &right.der]).unwrap();
    assert_eq!(v.positions()[1], CertPosition::Presented(2));
}

#[test]
fn untrusted_root() {
    let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::P256]);
    let other = root(&Spec::ca("Other Root", Alg::P256));
    let e = assert_err(
        verify(&[&other], &[&l.der, &i.der, &r.der]),
        "unknown_issuer",
        Some(2),
    );
    assert!(e.to_string().contains("Root CA"), "{e}");
}

#[test]
fn shuffled_and_padded_chain() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i1 = issue(&Spec::ca("Policy CA", Alg::P256), &r);
    let i2 = issue(&Spec::ca("Issuing CA", Alg::P256), &i1);
    let l = issue(&Spec::leaf("client", Alg::P256), &i2);
    let unrelated = root(&Spec::ca("Unrelated", Alg::P256));
    let garbage = vec![0x30, 0x03, 0x02, 0x01, 0x00];
    let v = verify(&[&r], &[&l.der, &unrelated.der, &i1.der, &garbage, &i2.der]).unwrap();
    assert_eq!(
        v.positions(),
        &[
            CertPosition::Presented(0),
            CertPosition::Presented(4),
            CertPosition::Presented(2),
            CertPosition::Anchor(0)
        ]
    );
}

#[test]
fn configured_intermediates_complete_the_path() {
    let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::P256]);
    let v = verify_with(builder(&[&r]).intermediates(i.pem().as_bytes()), &[&l.der]).unwrap();
    assert_eq!(v.positions()[1], CertPosition::ConfiguredIntermediate(0));
}

#[test]
fn cross_signed_path_with_one_expired() {
    // The same intermediate (subject and key) certified by two roots; the first path is expired.
    let old_root = root(&Spec::ca("Old Root", Alg::P256));
    let new_root = root(&Spec::ca("New Root", Alg::P256));
    let ica = issue(&Spec::ca("Issuing CA", Alg::P256), &new_root);
    // Re-certify the same key and name under the old root, expired.
    let expired_cross = {
        // Sign ica's own key (held in ica.issuer) with the old root.
        let spec = Spec {
            not_after: NOW - DAY,
            serial: 7,
            ..Spec::ca("Issuing CA", Alg::P256)
        };
        let params = {
            let mut p = rcgen::CertificateParams::default();
            p.distinguished_name = spec.dn.clone();
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            p.key_usages = spec.key_usages.clone();
            p.not_before = time::OffsetDateTime::from_unix_timestamp(spec.not_before).unwrap();
            p.not_after = time::OffsetDateTime::from_unix_timestamp(spec.not_after).unwrap();
            p.use_authority_key_identifier_extension = true;
            p
        };
        params
            .signed_by(ica.issuer.key(), &old_root.issuer)
            .unwrap()
            .der()
            .to_vec()
    };
    let l = issue(&Spec::leaf("client", Alg::P256), &ica);
    let v = verify(&[&old_root, &new_root], &[&l.der, &expired_cross, &ica.der]).unwrap();
    assert_eq!(v.anchor_index(), 1);
    // With only the expired cross-certificate the most specific reason survives.
    assert_err(
        verify(&[&old_root, &new_root], &[&l.der, &expired_cross]),
        "expired",
        Some(1),
    );
}

#[test]
fn too_deep() {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let mut chain = vec![];
    let mut prev = &r;
    let mut nodes = vec![];
    for n in 0..7 {
        nodes.push(issue(&Spec::ca(&format!("CA {n}"), Alg::Ed25519), prev));
        prev = nodes.last().unwrap();
    }
    let l = issue(&Spec::leaf("client", Alg::Ed25519), prev);
    chain.push(l.der.clone());
    for n in nodes.iter().rev() {
        chain.push(n.der.clone());
    }
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    // Named: the certificate whose issuer would be the seventh intermediate (CA 1, presented #6).
    assert_err(verify(&[&r], &refs), "path_too_deep", Some(6));
    // Raising the limit to seven lets the same chain through.
    let mut limits = Limits::DEFAULT;
    limits.max_path_intermediates = 7;
    verify_with(builder(&[&r]).limits(limits), &refs).unwrap();
}

#[test]
fn budget_exhaustion() {
    // Ten intermediates share the issuing CA's name but not its key: each is a dead end.
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let decoys: Vec<Node> = (0..10)
        .map(|n| {
            issue(
                &Spec {
                    serial: 10 + n,
                    ..Spec::ca("Issuing CA", Alg::Ed25519)
                },
                &r,
            )
        })
        .collect();
    let real = issue(
        &Spec::ca("Issuing CA", Alg::Ed25519),
        &root(&Spec::ca("Root CA", Alg::Ed25519)),
    );
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &real);
    let mut chain: Vec<&[u8]> = vec![&l.der];
    chain.extend(decoys.iter().map(|d| d.der.as_slice()));
    let mut limits = Limits::DEFAULT;
    limits.max_signature_checks = 5;
    assert_err(
        verify_with(builder(&[&r]).limits(limits.clone()), &chain),
        "signature_budget_exceeded",
        None,
    );
    let mut limits = Limits::DEFAULT;
    limits.max_path_build_steps = 3;
    assert_err(
        verify_with(builder(&[&r]).limits(limits), &chain),
        "build_budget_exceeded",
        None,
    );
    // Within the default budget all ten are tried and the result is a bad signature.
    assert_err(verify(&[&r], &chain), "bad_signature", Some(0));
}

/// Issue 7 item 16: 150 anchors share one subject (key rollovers, re-issued roots) and the
/// leaf's issuer is the last one. Tried in file order, the 149 others each cost a signature
/// check and the budget of 100 ran out first: a wrong "invalid". Anchors are now tried by key
/// identifier first.
#[test]
fn anchors_sharing_a_subject_are_tried_by_key_identifier() {
    let roots: Vec<Node> = (0..150)
        .map(|_| root(&Spec::ca("Root CA", Alg::Ed25519)))
        .collect();
    let right = roots.last().unwrap();
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), right);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    let all: Vec<&Node> = roots.iter().collect();
    let v = verify(&all, &[&l.der, &i.der]).unwrap();
    assert_eq!(v.anchor_index(), 149);
    assert_eq!(v.anchor_der(), right.der.as_slice());
    // Two signature checks suffice: the intermediate's and the leaf's.
    let mut limits = Limits::DEFAULT;
    limits.max_signature_checks = 2;
    let v = verify_with(builder(&all).limits(limits), &[&l.der, &i.der]).unwrap();
    assert_eq!(v.anchor_index(), 149);
    // Without a matching key identifier every anchor is still tried (identifiers are hints).
    let stranger = issue(
        &Spec::ca("Issuing CA", Alg::Ed25519),
        &root(&Spec::ca("Root CA", Alg::Ed25519)),
    );
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &stranger);
    assert_err(
        verify(&all, &[&l.der, &stranger.der]),
        "signature_budget_exceeded",
        None,
    );
}

#[test]
fn too_many_presented() {
    let (r, i, l) = chain3([Alg::Ed25519, Alg::Ed25519, Alg::Ed25519]);
    let mut chain: Vec<&[u8]> = vec![&l.der];
    chain.extend(std::iter::repeat_n(i.der.as_slice(), 64));
    assert_err(verify(&[&r], &chain), "too_many_certificates", None);
}

// ---- name constraints ----

fn constrained_root(nc: NameConstraints) -> Node {
    root(&Spec {
        name_constraints: Some(nc),
        ..Spec::ca("Constrained Root", Alg::Ed25519)
    })
}

#[test]
fn dn_constraints_permitted() {
    let r = constrained_root(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DirectoryName(dn(&[(
            DnType::OrganizationName,
            "x509-dbauth tests",
        )]))],
        excluded_subtrees: vec![],
    });
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let good = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    verify(&[&r], &[&good.der, &i.der]).unwrap();
    let outside = Spec {
        dn: dn(&[
            (DnType::OrganizationName, "Elsewhere"),
            (DnType::CommonName, "client"),
        ]),
        ..Spec::leaf("client", Alg::Ed25519)
    };
    let bad = issue(&outside, &i);
    let e = assert_err(
        verify(&[&r], &[&bad.der, &i.der]),
        "name_constraint_violation",
        Some(0),
    );
    assert!(e.to_string().contains("Elsewhere"), "{e}");
}

#[test]
fn dn_constraints_excluded() {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let i = issue(
        &Spec {
            name_constraints: Some(NameConstraints {
                permitted_subtrees: vec![],
                excluded_subtrees: vec![GeneralSubtree::DirectoryName(dn(&[
                    (DnType::OrganizationName, "x509-dbauth tests"),
                    (DnType::CommonName, "blocked"),
                ]))],
            }),
            ..Spec::ca("Issuing CA", Alg::Ed25519)
        },
        &r,
    );
    let ok = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    verify(&[&r], &[&ok.der, &i.der]).unwrap();
    let blocked = issue(&Spec::leaf("blocked", Alg::Ed25519), &i);
    assert_err(
        verify(&[&r], &[&blocked.der, &i.der]),
        "name_constraint_violation",
        Some(0),
    );
}

#[test]
fn rfc822_constraints_on_sans() {
    let r = constrained_root(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::Rfc822Name("example.com".into())],
        excluded_subtrees: vec![],
    });
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let email = |addr: &str| SanType::Rfc822Name(addr.try_into().unwrap());
    let good = issue(
        &Spec {
            sans: vec![email("jane@example.com")],
            ..Spec::leaf("jane", Alg::Ed25519)
        },
        &i,
    );
    verify(&[&r], &[&good.der, &i.der]).unwrap();
    let bad = issue(
        &Spec {
            sans: vec![email("jane@example.org")],
            ..Spec::leaf("jane", Alg::Ed25519)
        },
        &i,
    );
    assert_err(
        verify(&[&r], &[&bad.der, &i.der]),
        "name_constraint_violation",
        Some(0),
    );
}

/// An issuing CA whose name constraints are `nc`, under a fresh root.
fn constrained_issuer(nc: NameConstraints) -> (Node, Node) {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let i = issue(
        &Spec {
            name_constraints: Some(nc),
            ..Spec::ca("Issuing CA", Alg::Ed25519)
        },
        &r,
    );
    (r, i)
}

/// A leaf (no SAN) from `i` whose subject is replaced by `subject` and signed again by `i`.
fn leaf_with_subject(i: &Node, subject: Vec<u8>) -> Vec<u8> {
    let l = issue(&Spec::leaf("client", Alg::Ed25519), i);
    resign_edited(&l.der, i, |tbs| tbs[TBS_SUBJECT] = subject)
}

/// Asserts a name-constraint violation of the leaf by the issuing CA (presented #1).
#[track_caller]
fn assert_nc_violation(r: &Node, i: &Node, leaf: &[u8], reason_part: &str) {
    let e = assert_err(
        verify(&[r], &[leaf, &i.der]),
        "name_constraint_violation",
        Some(0),
    );
    let ChainError::NameConstraintViolation {
        constrained_by,
        reason,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(constrained_by.position, CertPosition::Presented(1), "{e}");
    assert!(reason.contains(reason_part), "{e}");
}

/// Issue 7 item 11: with rfc822Name constraints permitting only corp.com, a leaf without SAN
/// whose subject emailAddress is evil@attacker.com verified when that value or the subject
/// could not be read (the reader dropped it). A name the check cannot read is a violation.
#[test]
fn rfc822_constraints_on_unreadable_subject_email() {
    let (r, i) = constrained_issuer(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::Rfc822Name("corp.com".into())],
        excluded_subtrees: vec![],
    });
    let cn = || vec![(attr::CN, 0x0C, b"client".to_vec())];
    let email = |tag: u8, v: &[u8]| vec![(attr::EMAIL, tag, v.to_vec())];
    // The readable forms decide as before: corp.com passes, attacker.com is outside.
    let good = leaf_with_subject(&i, name_der(&[cn(), email(0x16, b"jane@corp.com")]));
    verify(&[&r], &[&good, &i.der]).unwrap();
    let evil = leaf_with_subject(&i, name_der(&[cn(), email(0x16, b"evil@attacker.com")]));
    assert_nc_violation(&r, &i, &evil, "outside every permitted subtree");

    let unreadable = "emailAddress values cannot be read";
    // An IA5String holding 0xE9, a VisibleString, a UTF8String that is not UTF-8.
    for (tag, value) in [
        (0x16, &b"evil\xE9@attacker.com"[..]),
        (0x1A, &b"evil@attacker.com"[..]),
        (0x0C, &b"evil\xFF@attacker.com"[..]),
    ] {
        let leaf = leaf_with_subject(&i, name_der(&[cn(), email(tag, value)]));
        assert_nc_violation(&r, &i, &leaf, unreadable);
    }
    // The email is readable, but another part of the subject stops the whole name from
    // reading: an RDN with 17 values, a subject over 16 KiB, a non-minimal OID elsewhere.
    let seventeen: Vec<Ava<'_>> = (0..17)
        .map(|k| (attr::CN, 0x0C, format!("v{k}").into_bytes()))
        .collect();
    let long_cn = vec![(attr::CN, 0x0C, vec![b'a'; 17 * 1024])];
    let bad_oid = vec![(&[0x55, 0x04, 0x80, 0x03][..], 0x0C, b"x".to_vec())];
    for other in [seventeen, long_cn, bad_oid] {
        let leaf = leaf_with_subject(&i, name_der(&[other, email(0x16, b"evil@attacker.com")]));
        assert_nc_violation(&r, &i, &leaf, unreadable);
    }
    // Without rfc822Name constraints the unreadable email does not matter.
    let (r2, i2) = constrained_issuer(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("corp.com".into())],
        excluded_subtrees: vec![],
    });
    let leaf = leaf_with_subject(&i2, name_der(&[cn(), email(0x1A, b"evil@attacker.com")]));
    verify(&[&r2], &[&leaf, &i2.der]).unwrap();
}

/// Issue 7 item 12: an excluded directoryName `O=Corp` missed `O=Corp` encoded as a
/// VisibleString or GeneralString (compared as raw BER). A value that is not a directory
/// string now fails directoryName constraints, excluded or permitted.
#[test]
fn dn_constraints_on_non_directory_string_values() {
    let corp = dn(&[(DnType::OrganizationName, "Corp")]);
    let (r, i) = constrained_issuer(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![GeneralSubtree::DirectoryName(corp.clone())],
    });
    let subject = |tag: u8, o: &[u8]| {
        name_der(&[
            vec![(attr::O, tag, o.to_vec())],
            vec![(attr::CN, 0x0C, b"client".to_vec())],
        ])
    };
    // Directory strings are compared after RFC 4518 preparation, whatever their type.
    for tag in [0x0C, 0x13, 0x1E] {
        let value: Vec<u8> = if tag == 0x1E {
            "CORP".encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else {
            b"CORP".to_vec()
        };
        let leaf = leaf_with_subject(&i, subject(tag, &value));
        assert_nc_violation(&r, &i, &leaf, "excluded subtree");
    }
    let other = leaf_with_subject(&i, subject(0x0C, b"Other"));
    verify(&[&r], &[&other, &i.der]).unwrap();
    // VisibleString and GeneralString: refused, never skipped.
    for tag in [0x1A, 0x1B] {
        for o in [&b"Corp"[..], b"Other"] {
            let leaf = leaf_with_subject(&i, subject(tag, o));
            assert_nc_violation(&r, &i, &leaf, "not a directory string");
        }
    }
    // The same under a permitted subtree.
    let (r, i) = constrained_issuer(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DirectoryName(corp)],
        excluded_subtrees: vec![],
    });
    let ok = leaf_with_subject(&i, subject(0x13, b"corp"));
    verify(&[&r], &[&ok, &i.der]).unwrap();
    let leaf = leaf_with_subject(&i, subject(0x1A, b"Corp"));
    assert_nc_violation(&r, &i, &leaf, "not a directory string");
}

/// A critical nameConstraints extension with URI subtrees (rcgen cannot write URI subtrees):
/// GeneralSubtree { base uniformResourceIdentifier [6] }.
fn uri_name_constraints(permitted: &[&str], excluded: &[&str]) -> CustomExtension {
    let subtrees = |hosts: &[&str]| -> Vec<u8> {
        hosts
            .iter()
            .flat_map(|h| tlv(0x30, &tlv(0x86, h.as_bytes())))
            .collect()
    };
    let mut content = Vec::new();
    if !permitted.is_empty() {
        content.extend(tlv(0xA0, &subtrees(permitted)));
    }
    if !excluded.is_empty() {
        content.extend(tlv(0xA1, &subtrees(excluded)));
    }
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 30], tlv(0x30, &content));
    ext.set_criticality(true);
    ext
}

/// Issue 7 item 14: permitted URI host `corp.com` accepted `ldap:x://corp.com` (no authority:
/// its scheme is `ldap`) and `https://evil.com\@corp.com/` (a backslash cannot be in a
/// userinfo); excluded `evil.com` missed `https://evil.com./`. The host is now the RFC 3986
/// authority's, a URI without one is a violation, and a trailing dot is insignificant.
#[test]
fn uri_constraints_use_the_rfc3986_authority() {
    let ca = |ext: CustomExtension| {
        let r = root(&Spec::ca("Root CA", Alg::Ed25519));
        let i = issue(
            &Spec {
                custom: vec![ext],
                ..Spec::ca("Issuing CA", Alg::Ed25519)
            },
            &r,
        );
        (r, i)
    };
    let leaf = |i: &Node, uri: &str| {
        issue(
            &Spec {
                sans: vec![SanType::URI(uri.try_into().unwrap())],
                ..Spec::leaf("client", Alg::Ed25519)
            },
            i,
        )
        .der
    };
    let (r, i) = ca(uri_name_constraints(&["corp.com"], &[]));
    for ok in [
        "https://corp.com/x",
        "https://jane@corp.com:8443/x?y#z",
        "https://CORP.COM./",
    ] {
        verify(&[&r], &[&leaf(&i, ok), &i.der]).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for (bad, why) in [
        ("ldap:x://corp.com", "no authority"),
        ("https://evil.com\\@corp.com/", "no authority"),
        ("mailto:jane@corp.com", "no authority"),
        ("https://evil.com/", "outside every permitted subtree"),
    ] {
        assert_nc_violation(&r, &i, &leaf(&i, bad), why);
    }
    let (r, i) = ca(uri_name_constraints(&[], &["evil.com"]));
    verify(&[&r], &[&leaf(&i, "https://good.com/"), &i.der]).unwrap();
    for bad in [
        "https://evil.com./",
        "https://EVIL.com:443",
        "https://x@evil.com",
    ] {
        assert_nc_violation(&r, &i, &leaf(&i, bad), "excluded subtree");
    }
    assert_nc_violation(&r, &i, &leaf(&i, "urn:evil.com"), "no authority");
}

#[test]
fn dns_constraints_on_sans() {
    let r = constrained_root(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![GeneralSubtree::DnsName("internal.example.com".into())],
    });
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let dns = |n: &str| SanType::DnsName(n.try_into().unwrap());
    let good = issue(
        &Spec {
            sans: vec![dns("app.example.com")],
            ..Spec::leaf("app", Alg::Ed25519)
        },
        &i,
    );
    verify(&[&r], &[&good.der, &i.der]).unwrap();
    let bad = issue(
        &Spec {
            sans: vec![dns("db.internal.example.com")],
            ..Spec::leaf("db", Alg::Ed25519)
        },
        &i,
    );
    assert_err(
        verify(&[&r], &[&bad.der, &i.der]),
        "name_constraint_violation",
        Some(0),
    );
}

#[test]
fn name_constraint_budget() {
    // Five excluded subtrees against five SANs (and the subject) on the leaf and the issuing
    // CA: more comparisons than a budget of 3 allows, fewer than the default.
    let dns = |n: &str| SanType::DnsName(n.try_into().unwrap());
    let r = constrained_root(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: (0..5)
            .map(|n| GeneralSubtree::DnsName(format!("zone{n}.internal.example.com")))
            .collect(),
    });
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let l = issue(
        &Spec {
            sans: (0..5)
                .map(|n| dns(&format!("app{n}.example.com")))
                .collect(),
            ..Spec::leaf("app", Alg::Ed25519)
        },
        &i,
    );
    verify(&[&r], &[&l.der, &i.der]).unwrap();
    let mut limits = Limits::DEFAULT;
    limits.max_name_constraint_comparisons = 3;
    assert_err(
        verify_with(builder(&[&r]).limits(limits), &[&l.der, &i.der]),
        "name_constraint_budget_exceeded",
        None,
    );
}

// ---- the cost of comparing names (issue 7, item 10) ----

/// `O=x509-dbauth tests, CN=<100 × U+FDFA><500 × a>`, with the `upper`-th `a` in upper case:
/// names that differ in DER and are equal once canonicalized. Under the expansion cap (NFKC
/// makes the CN 4 times longer), so every comparison needs the canonical form.
fn look_alike(upper: Option<usize>) -> rcgen::DistinguishedName {
    let tail: String = (0..500)
        .map(|k| if Some(k) == upper { 'A' } else { 'a' })
        .collect();
    dn(&[
        (DnType::OrganizationName, "x509-dbauth tests"),
        (
            DnType::CommonName,
            &format!("{}{tail}", "\u{FDFA}".repeat(100)),
        ),
    ])
}

/// Issue 7 item 10: a pool of self-issued pathLen-0 CAs whose names (100 × U+FDFA) match the
/// issuer sought only after canonicalization. Each candidate used to canonicalize both names
/// on every comparison, unbounded by any budget (seconds of CPU per handshake). Names are now
/// canonicalized once per verification and every comparison spends the name budget, so the
/// outcome is decided by counted work: the genuine verdict within the default budget, and
/// `name_constraint_budget_exceeded` when the budget is smaller than the comparisons needed.
#[test]
fn look_alike_name_pool_is_bounded_by_counted_comparisons() {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    // X (expired) and X1 share RSA fixture key 1; A is issued under X1's name, so it names X
    // only up to canonicalization.
    let x = issue(
        &Spec {
            dn: look_alike(None),
            not_after: NOW - DAY,
            ..Spec::ca("", Alg::Rsa2048Sha256(1))
        },
        &r,
    );
    let x1 = issue(
        &Spec {
            dn: look_alike(Some(0)),
            ..Spec::ca("", Alg::Rsa2048Sha256(1))
        },
        &r,
    );
    let a = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &x1);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &a);
    let decoys: Vec<Node> = (1..=40)
        .map(|k| {
            root(&Spec {
                dn: look_alike(Some(k)),
                ca: Some(Some(0)),
                ..Spec::ca("", Alg::Ed25519)
            })
        })
        .collect();
    let mut chain: Vec<&[u8]> = vec![&l.der, &a.der, &x.der];
    chain.extend(decoys.iter().map(|d| d.der.as_slice()));
    assert_eq!(chain.len(), 43);

    // X is tried first (its key identifier is A's authority key identifier) and is expired;
    // every decoy then fails its pathLen 0 before any signature: the last failure is reported.
    let e = assert_err(verify(&[&r], &chain), "path_len_exceeded", Some(42));
    assert!(
        matches!(
            e,
            ChainError::PathLenExceeded {
                path_len: 0,
                found: 1,
                ..
            }
        ),
        "{e:?}"
    );
    // About 86 comparisons are needed (43 candidates for the leaf's issuer and 43 for A's);
    // with 50 the verification stops at the budget, whatever the decoys hold.
    let mut limits = Limits::DEFAULT;
    limits.max_name_constraint_comparisons = 50;
    let e = assert_err(
        verify_with(builder(&[&r]).limits(limits.clone()), &chain),
        "name_constraint_budget_exceeded",
        None,
    );
    assert_eq!(
        e.to_string(),
        "gave up after 50 name comparisons (issuer chaining and name constraints; limit reached)"
    );
    limits.max_name_constraint_comparisons = 100;
    assert_err(
        verify_with(builder(&[&r]).limits(limits), &chain),
        "path_len_exceeded",
        Some(42),
    );
}

/// Issue 7 item 10: a name whose canonical form would pass the expansion cap is never
/// canonicalized; it chains only to the same DER. Here the leaf's issuer and the intermediate's
/// subject hold the same text as BMPString and UTF8String.
#[test]
fn over_expanding_names_chain_only_by_exact_der() {
    use rcgen::{DnValue, string::BmpString};
    let name = |text: &str, bmp: bool| {
        let mut d = rcgen::DistinguishedName::new();
        if bmp {
            d.push(
                DnType::CommonName,
                DnValue::BmpString(BmpString::try_from(text).unwrap()),
            );
        } else {
            d.push(DnType::CommonName, text);
        }
        d
    };
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    for (text, chains) in [
        // One U+FDFA in a short value: 20 characters under NFKC, within 4 × 3 + 16.
        ("CA \u{FDFA}".to_owned(), true),
        // 100 × U+FDFA: 1 800 characters, above 4 × 100 + 16.
        ("\u{FDFA}".repeat(100), false),
    ] {
        let i = issue(
            &Spec {
                dn: name(&text, false),
                ..Spec::ca("", Alg::Rsa2048Sha256(2))
            },
            &r,
        );
        let i_bmp = issue(
            &Spec {
                dn: name(&text, true),
                ..Spec::ca("", Alg::Rsa2048Sha256(2))
            },
            &r,
        );
        let l = issue(&Spec::leaf("client", Alg::Ed25519), &i_bmp);
        let result = verify(&[&r], &[&l.der, &i.der]);
        if chains {
            result.unwrap();
        } else {
            assert_err(result, "unknown_issuer", Some(0));
        }
        // The exact DER always chains.
        let l = issue(&Spec::leaf("client", Alg::Ed25519), &i);
        verify(&[&r], &[&l.der, &i.der]).unwrap();
    }
}

// ---- CRLs ----

fn crl_chain() -> (Node, Node, Node) {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let i = issue(
        &Spec {
            serial: 5,
            ..Spec::ca("Issuing CA", Alg::Ed25519)
        },
        &r,
    );
    let l = issue(
        &Spec {
            serial: 42,
            ..Spec::leaf("client", Alg::Ed25519)
        },
        &i,
    );
    (r, i, l)
}

#[test]
fn revoked_leaf() {
    let (r, i, l) = crl_chain();
    let list = crl(&i, &[41, 42], NOW - DAY, NOW + 7 * DAY);
    let e = assert_err(
        verify_with(builder(&[&r]).crls(&list), &[&l.der, &i.der]),
        "revoked",
        Some(0),
    );
    assert!(
        matches!(e, ChainError::Revoked { revoked_at, .. } if revoked_at.unix_seconds() == NOW - 10 * DAY)
    );
    // A CRL that does not list the leaf lets it through.
    let clean = crl(&i, &[41], NOW - DAY, NOW + 7 * DAY);
    verify_with(builder(&[&r]).crls(&clean), &[&l.der, &i.der]).unwrap();
}

#[test]
fn revoked_intermediate() {
    let (r, i, l) = crl_chain();
    let list = crl(&r, &[5], NOW - DAY, NOW + 7 * DAY);
    assert_err(
        verify_with(builder(&[&r]).crls(&list), &[&l.der, &i.der]),
        "revoked",
        Some(1),
    );
}

#[test]
fn crl_with_bad_signature() {
    let (r, i, l) = crl_chain();
    // Same issuer name, different key.
    let impostor = issue(
        &Spec {
            serial: 5,
            ..Spec::ca("Issuing CA", Alg::Ed25519)
        },
        &r,
    );
    let list = crl(&impostor, &[], NOW - DAY, NOW + 7 * DAY);
    let e = assert_err(
        verify_with(builder(&[&r]).crls(&list), &[&l.der, &i.der]),
        "crl_invalid",
        Some(0),
    );
    assert!(
        matches!(
            e,
            ChainError::CrlInvalid {
                reason: "bad_signature",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn crl_expired() {
    let (r, i, l) = crl_chain();
    let list = crl(&i, &[], NOW - 30 * DAY, NOW - DAY);
    let e = assert_err(
        verify_with(builder(&[&r]).crls(&list), &[&l.der, &i.der]),
        "crl_invalid",
        Some(0),
    );
    assert!(
        matches!(
            e,
            ChainError::CrlInvalid {
                reason: "expired",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn require_crl_with_missing_crl() {
    let (r, i, l) = crl_chain();
    let root_crl = crl(&r, &[], NOW - DAY, NOW + 7 * DAY);
    let b = builder(&[&r]).crls(&root_crl).require_crl(true);
    assert_err(verify_with(b, &[&l.der, &i.der]), "crl_missing", Some(0));
    let leaf_crl = crl(&i, &[], NOW - DAY, NOW + 7 * DAY);
    let b = builder(&[&r])
        .crls(&root_crl)
        .crls(&leaf_crl)
        .require_crl(true);
    verify_with(b, &[&l.der, &i.der]).unwrap();
}

/// Issue 7 item 13: a CRL entry serial `00 2A` (non-minimal DER for 42) never matched the
/// leaf's `2A`, so the revoked leaf passed even with CRLs required. Such a CRL is malformed:
/// it is refused when the verifier is built, naming the CRL.
#[test]
fn crl_with_non_minimal_entry_serial_is_malformed() {
    let (r, i, l) = crl_chain();
    let minimal = crl(&i, &[42], NOW - DAY, NOW + 7 * DAY);
    // The rewrite itself is sound: the same CRL re-signed with the minimal serial revokes.
    let resigned = crl_with_entry_serial(&i, &minimal, &[0x02, 0x01, 0x2A]);
    assert_err(
        verify_with(
            builder(&[&r]).crls(&resigned).require_crl(true),
            &[&l.der, &i.der],
        ),
        "revoked",
        Some(0),
    );
    let padded = crl_with_entry_serial(&i, &minimal, &[0x02, 0x02, 0x00, 0x2A]);
    let e = builder(&[&r])
        .crls(&padded)
        .require_crl(true)
        .build()
        .expect_err("a CRL with a non-minimal entry serial must be refused");
    assert_eq!(e.kind(), "bad_crl");
    assert!(matches!(e, ConfigError::Crl { index: 0, .. }), "{e:?}");
    // The offset is that of the serial's first content octet in the CRL.
    let serial_at = padded
        .windows(4)
        .position(|w| w == [0x02, 0x02, 0x00, 0x2A])
        .unwrap()
        + 2;
    assert_eq!(serial_at, 103);
    assert_eq!(
        e.to_string(),
        "configured CRL #0 (0-based) cannot be read: the certificate's CRL is malformed: an INTEGER \
         has a redundant leading 0x00 (at byte 103)"
    );
    // The same for a negative serial padded with 0xFF.
    let negative = crl_with_entry_serial(&i, &minimal, &[0x02, 0x02, 0xFF, 0x80]);
    assert_eq!(
        builder(&[&r]).crls(&negative).build().unwrap_err().kind(),
        "bad_crl"
    );
}

/// Issue 7 item 15: a stale, expired copy of the issuing CA (same subject and key) among the
/// presented or configured intermediates made a revoked certificate, or a name-constraint
/// violation, read as "expired" on the copy, whatever the order. Whole-path findings now
/// outrank the expiry of an alternative path.
#[test]
fn revocation_and_constraints_outrank_an_expired_copy() {
    let stale_pair = |r: &Node| {
        let ca = |serial: u64, not_after: i64| Spec {
            serial,
            not_after,
            ..Spec::ca("Issuing CA", Alg::Rsa2048Sha256(2))
        };
        let i = issue(&ca(5, NOW + 3650 * DAY), r);
        let stale = issue(&ca(6, NOW - DAY), r);
        let l = issue(
            &Spec {
                serial: 42,
                ..Spec::leaf("client", Alg::Ed25519)
            },
            &i,
        );
        (i, stale, l)
    };
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let (i, stale, l) = stale_pair(&r);
    // The copy alone: expired, as before.
    assert_err(verify(&[&r], &[&l.der, &stale.der]), "expired", Some(1));
    verify(&[&r], &[&l.der, &i.der, &stale.der]).unwrap();

    // A revoked leaf, the copy presented after or before the real CA, or configured.
    let leaf_crl = crl(&i, &[42], NOW - DAY, NOW + 7 * DAY);
    for chain in [
        vec![&l.der, &i.der, &stale.der],
        vec![&l.der, &stale.der, &i.der],
    ] {
        let chain: Vec<&[u8]> = chain.into_iter().map(Vec::as_slice).collect();
        assert_err(
            verify_with(builder(&[&r]).crls(&leaf_crl), &chain),
            "revoked",
            Some(0),
        );
    }
    let b = builder(&[&r])
        .crls(&leaf_crl)
        .intermediate_ders([&stale.der]);
    assert_err(verify_with(b, &[&l.der, &i.der]), "revoked", Some(0));

    // A revoked intermediate (serial 5 on the root's CRL; the copy, serial 6, is not listed).
    let root_crl = crl(&r, &[5], NOW - DAY, NOW + 7 * DAY);
    assert_err(
        verify_with(
            builder(&[&r]).crls(&root_crl),
            &[&l.der, &i.der, &stale.der],
        ),
        "revoked",
        Some(1),
    );

    // A name-constraint violation: the root excludes the leaf's subject.
    let r = constrained_root(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![GeneralSubtree::DirectoryName(dn(&[
            (DnType::OrganizationName, "x509-dbauth tests"),
            (DnType::CommonName, "client"),
        ]))],
    });
    let (i, stale, l) = stale_pair(&r);
    assert_err(
        verify(&[&r], &[&l.der, &i.der, &stale.der]),
        "name_constraint_violation",
        Some(0),
    );
}

/// Issue 7 item 16: an entry with reason removeFromCRL in a complete CRL revoked the
/// certificate; RFC 5280 §6.3.3 (k) sets its status back to UNREVOKED.
#[test]
fn remove_from_crl_unrevokes() {
    let (r, i, l) = crl_chain();
    let root_crl = crl(&r, &[], NOW - DAY, NOW + 7 * DAY);
    let b = |list: &[u8]| builder(&[&r]).crls(&root_crl).crls(list).require_crl(true);
    let removed = crl_with_reasons(
        &i,
        &[
            (41, Some(RevocationReason::KeyCompromise)),
            (42, Some(RevocationReason::RemoveFromCrl)),
        ],
        NOW - DAY,
        NOW + 7 * DAY,
    );
    verify_with(b(&removed), &[&l.der, &i.der]).unwrap();
    let revoked = crl_with_reasons(
        &i,
        &[(42, Some(RevocationReason::KeyCompromise))],
        NOW - DAY,
        NOW + 7 * DAY,
    );
    let e = assert_err(
        verify_with(b(&revoked), &[&l.der, &i.der]),
        "revoked",
        Some(0),
    );
    assert!(
        matches!(
            e,
            ChainError::Revoked {
                reason: Some("keyCompromise"),
                ..
            }
        ),
        "{e:?}"
    );
    // Another CRL that really revokes still does, whatever the order.
    let b = builder(&[&r]).crls(&removed).crls(&revoked);
    assert_err(verify_with(b, &[&l.der, &i.der]), "revoked", Some(0));
}

// ---- CRLs partitioned by reason (RFC 5280 §5.2.5 onlySomeReasons, §6.3.3) ----

/// ReasonFlags keyCompromise, cACompromise (bits 1–2; 5 unused bits).
const COMPROMISE: &[u8] = &[0x05, 0x60];
/// ReasonFlags affiliationChanged … aACompromise (bits 3–8; 7 unused bits).
const OTHER_REASONS: &[u8] = &[0x07, 0x1F, 0x80];

/// Scenario after PKITS 4.14.18 / 4.14.17: two CRLs, each for some reasons, cover the leaf
/// together; one alone leaves the status undetermined, which `require_crl` refuses and the
/// default "check when present" accepts.
#[test]
fn crls_partitioned_by_reason() {
    let (r, i, l) = crl_chain();
    let root_crl = crl(&r, &[], NOW - DAY, NOW + 7 * DAY);
    let compromise = crl_for_reasons(&i, &[], COMPROMISE, NOW - DAY, NOW + 7 * DAY);
    let other = crl_for_reasons(
        &i,
        &[(41, RevocationReason::Superseded)],
        OTHER_REASONS,
        NOW - DAY,
        NOW + 7 * DAY,
    );
    let both = builder(&[&r])
        .crls(&root_crl)
        .crls(&compromise)
        .crls(&other)
        .require_crl(true);
    verify_with(both, &[&l.der, &i.der]).unwrap();

    let half = || builder(&[&r]).crls(&root_crl).crls(&compromise);
    let e = assert_err(
        verify_with(half().require_crl(true), &[&l.der, &i.der]),
        "crl_missing",
        Some(0),
    );
    let ChainError::CrlMissing { uncovered, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        uncovered,
        &[
            "affiliationChanged",
            "superseded",
            "cessationOfOperation",
            "certificateHold",
            "privilegeWithdrawn",
            "aACompromise"
        ]
    );
    assert_eq!(
        e.to_string(),
        "the client certificate (#0) \"CN=client,O=x509-dbauth tests\": the valid CRLs from its issuer \"CN=Issuing CA,O=x509-dbauth tests\" \
         do not cover the revocation reason(s) affiliationChanged, superseded, cessationOfOperation, \
         certificateHold, privilegeWithdrawn, aACompromise, and CRLs are required"
    );
    // Without require_crl a partial cover is accepted: CRLs are checked when present.
    verify_with(half(), &[&l.der, &i.der]).unwrap();
}

/// Scenario after PKITS 4.14.16 / 4.14.21: the leaf is on the CRL for the "other" reasons; the
/// compromise CRL does not list it. Revoked in either configuration order, require_crl or not,
/// and the message names the entry's reason.
#[test]
fn revoked_on_a_reason_partition() {
    let (r, i, l) = crl_chain();
    let compromise = crl_for_reasons(&i, &[], COMPROMISE, NOW - DAY, NOW + 7 * DAY);
    let other = crl_for_reasons(
        &i,
        &[(42, RevocationReason::CertificateHold)],
        OTHER_REASONS,
        NOW - DAY,
        NOW + 7 * DAY,
    );
    for (first, second) in [(&compromise, &other), (&other, &compromise)] {
        for require in [false, true] {
            let b = builder(&[&r])
                .crls(&crl(&r, &[], NOW - DAY, NOW + 7 * DAY))
                .crls(first)
                .crls(second)
                .require_crl(require);
            let e = assert_err(verify_with(b, &[&l.der, &i.der]), "revoked", Some(0));
            assert!(
                matches!(
                    e,
                    ChainError::Revoked {
                        reason: Some("certificateHold"),
                        ..
                    }
                ),
                "{e:?}"
            );
            assert!(e.to_string().ends_with(", reason certificateHold)"), "{e}");
        }
    }
    // The other partition alone still revokes when CRLs are not required.
    let b = builder(&[&r]).crls(&other);
    assert_err(verify_with(b, &[&l.der, &i.der]), "revoked", Some(0));
}

/// Two complete CRLs from the issuer: once the first covers every reason the second adds none
/// (§6.3.3 (e)), yet a listing in either one revokes: CRLs that list the serial are
/// considered first, so the configuration order does not matter.
#[test]
fn a_redundant_crl_that_lists_the_leaf_still_revokes() {
    let (r, i, l) = crl_chain();
    let clean = crl(&i, &[41], NOW - DAY, NOW + 7 * DAY);
    let listing = crl(&i, &[42], NOW - 2 * DAY, NOW + 7 * DAY);
    for (first, second) in [(&clean, &listing), (&listing, &clean)] {
        let b = builder(&[&r]).crls(first).crls(second);
        let e = assert_err(verify_with(b, &[&l.der, &i.der]), "revoked", Some(0));
        assert!(
            matches!(e, ChainError::Revoked { reason: None, .. }),
            "{e:?}"
        );
    }
}

/// A CRL for reasons the certificate's issuer does not need (onlySomeReasons with only the
/// `unused` bit, 0) covers nothing: with require_crl the status is missing, not "good".
#[test]
fn crl_for_no_real_reason_covers_nothing() {
    let (r, i, l) = crl_chain();
    let unused_only = crl_for_reasons(&i, &[], &[0x07, 0x80], NOW - DAY, NOW + 7 * DAY);
    let b = builder(&[&r])
        .crls(&crl(&r, &[], NOW - DAY, NOW + 7 * DAY))
        .crls(&unused_only)
        .require_crl(true);
    let e = assert_err(verify_with(b, &[&l.der, &i.der]), "crl_missing", Some(0));
    assert_eq!(
        e.to_string(),
        "the client certificate (#0) \"CN=client,O=x509-dbauth tests\": no valid CRL from its issuer \"CN=Issuing CA,O=x509-dbauth tests\" \
         is available, and CRLs are required"
    );
}

// ---- malformed input ----

/// A presented intermediate that does not parse is left out of path building; the resulting
/// `unknown_issuer` error names it and says why it could not be read, so the operator is not
/// sent looking for a missing CA. An unreadable extra the path does not need is ignored.
#[test]
fn unreadable_presented_intermediate_is_named() {
    let (r, i, l) = chain3([Alg::Ed25519, Alg::Ed25519, Alg::Ed25519]);
    let truncated = &i.der[..i.der.len() - 1];
    let e = assert_err(
        verify(&[&r], &[&l.der, truncated]),
        "unknown_issuer",
        Some(0),
    );
    let text = e.to_string();
    assert!(
        text.starts_with(
            "the client certificate (#0) \"CN=client,O=x509-dbauth tests\" was issued by \"CN=Issuing CA,O=x509-dbauth tests\", which is \
             neither a trust anchor nor an available intermediate (presented certificate #1 could \
             not be read: "
        ),
        "{text}"
    );
    assert!(
        matches!(
            e,
            ChainError::UnknownIssuer {
                unreadable: Some((1, _)),
                ..
            }
        ),
        "{e:?}"
    );
    // Several unreadable ones: the first is named.
    let e = assert_err(
        verify(&[&r], &[&l.der, &i.der[..0], b"junk", truncated]),
        "unknown_issuer",
        Some(0),
    );
    assert!(
        matches!(
            e,
            ChainError::UnknownIssuer {
                unreadable: Some((1, _)),
                ..
            }
        ),
        "{e:?}"
    );
    // Not needed: the chain verifies.
    verify(&[&r], &[&l.der, &i.der, truncated]).unwrap();
    // The unknown issuer is higher up: still named, with the unreadable one.
    let other = root(&Spec::ca("Other Root", Alg::Ed25519));
    let e = assert_err(
        verify(&[&other], &[&l.der, &i.der, truncated]),
        "unknown_issuer",
        Some(1),
    );
    assert!(
        e.to_string()
            .contains("(presented certificate #2 could not be read: "),
        "{e}"
    );
    // Without an unreadable certificate the sentence is unchanged.
    let e = assert_err(
        verify(&[&other], &[&l.der, &i.der]),
        "unknown_issuer",
        Some(1),
    );
    assert!(
        e.to_string().ends_with("nor an available intermediate"),
        "{e}"
    );
}

#[test]
fn oversized_certificate() {
    let r = root(&Spec::ca("Root CA", Alg::Ed25519));
    let big = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 2], {
        let mut v = vec![0x04, 0x83, 0x01, 0x11, 0x70];
        v.extend(std::iter::repeat_n(0u8, 70_000));
        v
    });
    let l = issue(
        &Spec {
            custom: vec![big],
            ..Spec::leaf("client", Alg::Ed25519)
        },
        &r,
    );
    let e = assert_err(verify(&[&r], &[&l.der]), "malformed", Some(0));
    assert!(e.to_string().contains("65536"), "{e}");
}

#[test]
fn garbage_and_truncated_der() {
    let (r, i, l) = chain3([Alg::Ed25519, Alg::Ed25519, Alg::Ed25519]);
    for bad in [
        &b"not a certificate"[..],
        &[],
        &[0x30],
        &l.der[..l.der.len() - 1],
        &l.der[1..],
    ] {
        assert_err(verify(&[&r], &[bad, &i.der]), "malformed", Some(0));
    }
    let mut trailing = l.der.clone();
    trailing.push(0);
    assert_err(verify(&[&r], &[&trailing, &i.der]), "malformed", Some(0));
    assert_err(verify(&[&r], &[]), "no_certificate", None);
}

// ---- trust bundles ----

#[test]
fn trust_bundle_errors() {
    let (r, i, l) = chain3([Alg::Ed25519, Alg::Ed25519, Alg::Ed25519]);
    let bundle = format!(
        "{}{}",
        r.pem(),
        issue(&Spec::leaf("not a CA", Alg::Ed25519), &r).pem()
    );
    let e = TrustAnchors::from_pem(bundle.as_bytes()).unwrap_err();
    assert_eq!((e.kind(), e.certificate_index()), ("not_ca", Some(1)));
    assert!(e.to_string().contains("#1"), "{e}");

    let dup = format!("{}{}", r.pem(), r.pem());
    let e = TrustAnchors::from_pem(dup.as_bytes()).unwrap_err();
    assert_eq!((e.kind(), e.certificate_index()), ("duplicate", Some(1)));

    let e = TrustAnchors::from_pem(
        b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap_err();
    assert_eq!(e.kind(), "pem");
    assert_eq!(
        TrustAnchors::from_pem(b"hello").unwrap_err().kind(),
        "empty"
    );

    // Rotation: both the old and the new root are trusted after `with_added`.
    let new_root = root(&Spec::ca("New Root", Alg::Ed25519));
    let both = TrustAnchors::from_pem(r.pem().as_bytes())
        .unwrap()
        .with_added(new_root.pem().as_bytes())
        .unwrap();
    assert_eq!(both.len(), 2);
    let infos: Vec<_> = both.iter().collect();
    assert!(
        infos[1].subject.contains("New Root"),
        "{}",
        infos[1].subject
    );
    let v = ChainVerifier::builder(both).build().unwrap();
    v.verify_chain(
        &[
            CertificateDer::from(l.der.as_slice()),
            CertificateDer::from(i.der.as_slice()),
        ],
        now(),
    )
    .unwrap();
}

#[test]
fn anchor_warnings() {
    let soon = root(&Spec {
        not_after: NOW + 10 * DAY,
        ..Spec::ca("Soon", Alg::Ed25519)
    });
    let gone = root(&Spec {
        not_after: NOW - DAY,
        ..Spec::ca("Gone", Alg::Ed25519)
    });
    let fine = root(&Spec::ca("Fine", Alg::Ed25519));
    let w = anchors(&[&soon, &gone, &fine]).warnings(now());
    assert_eq!(w.len(), 2);
    assert!(
        matches!(
            &w[0],
            AnchorWarning::ExpiresSoon {
                index: 0,
                days_left: 10,
                ..
            }
        ),
        "{w:?}"
    );
    assert!(
        matches!(&w[1], AnchorWarning::Expired { index: 1, .. }),
        "{w:?}"
    );
}

// ---- rustls-webpki as an oracle ----

fn webpki_accepts(root: &Node, chain: &[&[u8]]) -> bool {
    use rustls_pki_types::{TrustAnchor, UnixTime as T};
    let anchor_der = CertificateDer::from(root.der.as_slice());
    let ta: TrustAnchor<'_> = webpki::anchor_from_trusted_cert(&anchor_der).unwrap();
    let ee_der = CertificateDer::from(chain[0]);
    let Ok(ee) = webpki::EndEntityCert::try_from(&ee_der) else {
        return false;
    };
    let inter: Vec<CertificateDer<'_>> = chain[1..]
        .iter()
        .map(|d| CertificateDer::from(*d))
        .collect();
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[ta],
        &inter,
        T::since_unix_epoch(Duration::from_secs(NOW as u64)),
        webpki::KeyUsage::client_auth(),
        None,
        None,
    )
    .is_ok()
}

#[test]
fn agrees_with_webpki() {
    let cases: Vec<(&str, Node, Vec<Vec<u8>>)> = {
        let mut v = vec![];
        for (label, alg) in [
            ("p256", Alg::P256),
            ("p384", Alg::P384),
            ("ed25519", Alg::Ed25519),
            ("rsa", Alg::Rsa2048Sha256(1)),
        ] {
            let (r, i, l) = chain3([alg, alg, alg]);
            v.push((label, r, vec![l.der.clone(), i.der.clone()]));
        }
        let r = root(&Spec::ca("Root CA", Alg::P256));
        let i = issue(&Spec::ca("Issuing CA", Alg::P256), &r);
        let expired = issue(
            &Spec {
                not_after: NOW - 1,
                ..Spec::leaf("client", Alg::P256)
            },
            &i,
        );
        let server = issue(
            &Spec {
                ekus: vec![ExtendedKeyUsagePurpose::ServerAuth],
                ..Spec::leaf("s", Alg::P256)
            },
            &i,
        );
        v.push(("expired", r, vec![expired.der.clone(), i.der.clone()]));
        let r2 = root(&Spec::ca("Root CA", Alg::P256));
        v.push(("untrusted", r2, vec![server.der.clone(), i.der.clone()]));
        v
    };
    for (label, r, chain) in &cases {
        let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let ours = verify(&[r], &refs).is_ok();
        assert_eq!(ours, webpki_accepts(r, &refs), "{label}: ours={ours}");
    }
}

// ---- the fuzz target's seed stays meaningful ----

#[test]
fn fuzz_seed_chain_verifies() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");
    let anchor = std::fs::read(format!("{dir}/anchor.der")).unwrap();
    let seed = std::fs::read(format!("{dir}/corpus/verify_client/valid-chain")).unwrap();
    assert_eq!(seed[0] % 3, 1, "two certificates");
    let len = u16::from_be_bytes([seed[1], seed[2]]) as usize;
    let (leaf, inter) = (&seed[3..3 + len], &seed[3 + len..]);
    let v = ChainVerifier::builder(TrustAnchors::from_ders([anchor]).unwrap())
        .build()
        .unwrap();
    let at = UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000));
    let chain = v
        .verify_chain(
            &[CertificateDer::from(leaf), CertificateDer::from(inter)],
            at,
        )
        .unwrap();
    assert_eq!(chain.len(), 3);
}

#[test]
fn expired_anchor_is_named() {
    let r = root(&Spec {
        not_after: NOW - DAY,
        ..Spec::ca("Old Root", Alg::Ed25519)
    });
    let i = issue(&Spec::ca("Issuing CA", Alg::Ed25519), &r);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &i);
    let e = assert_err(verify(&[&r], &[&l.der, &i.der]), "expired", None);
    assert_eq!(e.certificate().unwrap().position, CertPosition::Anchor(0));
    assert_eq!(
        e.to_string(),
        "trust anchor #0 \"CN=Old Root,O=x509-dbauth tests\" expired at 2026-05-31T00:00:00Z \
         (validation time 2026-06-01T00:00:00Z)"
    );
}

// ---- the ring backend against the default one ----

#[cfg(feature = "ring")]
mod backends {
    use std::sync::Arc;

    use sha2::Digest;
    use signature::hazmat::PrehashSigner;
    use x509_dbauth::{
        errors::CryptoError,
        signature::{
            RingVerifier, RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef,
        },
    };

    use super::*;
    use common::generate::Key;

    /// Checks every signature with RustCrypto and ring and insists on the same verdict (the
    /// same `CryptoError`, not only the same kind), which is then the answer.
    pub(super) struct BothBackends;

    impl SignatureVerifier for BothBackends {
        fn verify(
            &self,
            alg: SignatureAlgorithm,
            spki: &SpkiRef<'_>,
            msg: &[u8],
            sig: &[u8],
        ) -> Result<(), CryptoError> {
            let rust_crypto = RustCryptoVerifier.verify(alg, spki, msg, sig);
            let ring = RingVerifier.verify(alg, spki, msg, sig);
            assert_eq!(
                rust_crypto,
                ring,
                "the backends disagree on a {} signature by a {:?} key",
                alg.name(),
                spki.kind
            );
            rust_crypto
        }
    }

    /// One whole verification with a single backend (no cross-checking wrapper).
    fn alone(
        backend: Arc<dyn SignatureVerifier>,
        roots: &[&Node],
        chain: &[&[u8]],
        allow_sha1: bool,
    ) -> Result<VerifiedChain, ChainError> {
        let v = builder(roots)
            .allow_sha1(allow_sha1)
            .signature_verifier(backend)
            .build()
            .unwrap();
        let ders: Vec<CertificateDer<'_>> =
            chain.iter().map(|d| CertificateDer::from(*d)).collect();
        v.verify_chain(&ders, now())
    }

    /// The same path, or the same error (kind, certificate, sentence), with each backend.
    #[track_caller]
    fn same_outcome(
        label: &str,
        roots: &[&Node],
        chain: &[&[u8]],
        allow_sha1: bool,
    ) -> Result<VerifiedChain, ChainError> {
        let a = alone(Arc::new(RustCryptoVerifier), roots, chain, allow_sha1);
        let b = alone(Arc::new(RingVerifier), roots, chain, allow_sha1);
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!(x, y, "{label}"),
            (Err(x), Err(y)) => {
                assert_eq!(x.kind(), y.kind(), "{label}");
                assert_eq!(x.certificate_index(), y.certificate_index(), "{label}");
                assert_eq!(x.to_string(), y.to_string(), "{label}");
            }
            _ => panic!("{label}: RustCrypto {a:?}, ring {b:?}"),
        }
        a
    }

    /// ecdsa-with-SHA256/384/512 AlgorithmIdentifier (RFC 5758 §3.2: no parameters).
    fn ecdsa_alg_id(hash: u16) -> Vec<u8> {
        let last = match hash {
            256 => 0x02,
            384 => 0x03,
            512 => 0x04,
            _ => panic!("hash"),
        };
        vec![
            0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, last,
        ]
    }

    /// The private scalar of a generated EC key. ring writes PKCS#8 from a fixed template, in
    /// which the ECPrivateKey (RFC 5915) scalar follows `version 1, OCTET STRING (len)`.
    fn ec_scalar(node: &Node, len: u8) -> Vec<u8> {
        let Key::Ring(kp) = node.issuer.key() else {
            panic!("not a ring key")
        };
        let der = kp.serialize_der();
        let marker = [0x02, 0x01, 0x01, 0x04, len];
        let at = der
            .windows(marker.len())
            .position(|w| w == marker)
            .expect("ECPrivateKey in PKCS#8")
            + marker.len();
        der[at..at + len as usize].to_vec()
    }

    fn digest(hash: u16, msg: &[u8]) -> Vec<u8> {
        match hash {
            256 => sha2::Sha256::digest(msg).to_vec(),
            384 => sha2::Sha384::digest(msg).to_vec(),
            512 => sha2::Sha512::digest(msg).to_vec(),
            _ => panic!("hash"),
        }
    }

    /// Re-signs `der` with `issuer`'s EC key under ECDSA with `hash`, whatever the curve: the
    /// pairs ring (and so rcgen) cannot sign, such as P-256 with SHA-384.
    fn resign_ecdsa(der: &[u8], issuer: &Node, alg: Alg, hash: u16) -> Vec<u8> {
        resign(der, &ecdsa_alg_id(hash), |tbs| {
            let d = digest(hash, tbs);
            match alg {
                Alg::P256 => {
                    let k = p256::ecdsa::SigningKey::from_slice(&ec_scalar(issuer, 32)).unwrap();
                    let s: p256::ecdsa::Signature = k.sign_prehash(&d).unwrap();
                    s.to_der().as_bytes().to_vec()
                }
                Alg::P384 => {
                    let k = p384::ecdsa::SigningKey::from_slice(&ec_scalar(issuer, 48)).unwrap();
                    let s: p384::ecdsa::Signature = k.sign_prehash(&d).unwrap();
                    s.to_der().as_bytes().to_vec()
                }
                _ => panic!("not an EC algorithm"),
            }
        })
    }

    fn flip_signature(der: &[u8]) -> Vec<u8> {
        let mut bad = der.to_vec();
        let n = bad.len();
        bad[n - 10] ^= 0x01;
        bad
    }

    #[test]
    fn valid_chains_verify_identically_with_both_backends() {
        let triples = [
            (
                "RSA PKCS#1 SHA-256",
                [
                    Alg::Rsa2048Sha256(1),
                    Alg::Rsa2048Sha256(2),
                    Alg::Rsa2048Sha256(3),
                ],
            ),
            (
                "RSA PKCS#1 SHA-384",
                [
                    Alg::Rsa2048Sha384(1),
                    Alg::Rsa2048Sha384(2),
                    Alg::Rsa2048Sha384(3),
                ],
            ),
            (
                "RSA PKCS#1 SHA-512",
                [
                    Alg::Rsa2048Sha512(1),
                    Alg::Rsa2048Sha512(2),
                    Alg::Rsa2048Sha512(3),
                ],
            ),
            ("P-256", [Alg::P256; 3]),
            ("P-384", [Alg::P384; 3]),
            ("Ed25519", [Alg::Ed25519; 3]),
            ("mixed", [Alg::P384, Alg::Rsa2048Sha256(2), Alg::Ed25519]),
            ("P-384 over P-256", [Alg::P384, Alg::P256, Alg::P256]),
        ];
        let mut checked = 0;
        for (label, alg) in triples {
            let (r, i, l) = chain3(alg);
            let v = same_outcome(label, &[&r], &[&l.der, &i.der], false)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(v.len(), 3);
            // A flipped signature bit: the same refusal, naming the leaf, with both.
            let e =
                same_outcome(label, &[&r], &[&flip_signature(&l.der), &i.der], false).unwrap_err();
            assert_eq!(e.kind(), "bad_signature", "{label}");
            assert_eq!(e.certificate_index(), Some(0), "{label}");
            checked += 2;
        }

        // RSA-PSS, and RSA PKCS#1 SHA-1 (refused by policy, then allowed), from an RSA issuer.
        let (r, i, l) = chain3([Alg::P256, Alg::Rsa2048Sha256(2), Alg::P256]);
        for hash in [256, 384, 512] {
            let label = format!("RSA-PSS SHA-{hash}");
            let leaf = resign_pss(&l.der, 2, hash);
            same_outcome(&label, &[&r], &[&leaf, &i.der], false).unwrap();
            let e =
                same_outcome(&label, &[&r], &[&flip_signature(&leaf), &i.der], false).unwrap_err();
            assert_eq!(e.kind(), "bad_signature", "{label}");
            // Signed by another key: ring and RustCrypto both say bad signature.
            let wrong = resign(&l.der, &pss_alg_id(hash, hash, (hash / 8) as u8), |tbs| {
                sign_pss(3, hash, tbs)
            });
            let e = same_outcome(&label, &[&r], &[&wrong, &i.der], false).unwrap_err();
            assert_eq!(e.kind(), "bad_signature", "{label}");
            checked += 3;
        }
        let sha1 = resign_sha1(&l.der, 2);
        let e = same_outcome("SHA-1 refused", &[&r], &[&sha1, &i.der], false).unwrap_err();
        assert_eq!(e.kind(), "sha1_disallowed");
        same_outcome("SHA-1 allowed", &[&r], &[&sha1, &i.der], true).unwrap();
        let e =
            same_outcome("SHA-1 bad", &[&r], &[&flip_signature(&sha1), &i.der], true).unwrap_err();
        assert_eq!(e.kind(), "bad_signature");
        checked += 3;

        // The cross pairs: a P-256 issuer signing with SHA-384, a P-384 issuer with SHA-256.
        for (label, issuer_alg, hash) in [
            ("P-256 with SHA-384", Alg::P256, 384),
            ("P-384 with SHA-256", Alg::P384, 256),
        ] {
            let (r, i, l) = chain3([Alg::P256, issuer_alg, Alg::P256]);
            let leaf = resign_ecdsa(&l.der, &i, issuer_alg, hash);
            same_outcome(label, &[&r], &[&leaf, &i.der], false)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let e =
                same_outcome(label, &[&r], &[&flip_signature(&leaf), &i.der], false).unwrap_err();
            assert_eq!(e.kind(), "bad_signature", "{label}");
            checked += 2;
        }
        assert_eq!(checked, 32, "scenarios compared");
    }

    #[test]
    fn ecdsa_sha512_is_the_one_documented_difference() {
        // RustCrypto verifies ECDSA with SHA-512; ring has no such verification, so the ring
        // backend refuses it as an unsupported algorithm (never as a bad signature).
        let (r, i, l) = chain3([Alg::P256, Alg::P256, Alg::P256]);
        let leaf = resign_ecdsa(&l.der, &i, Alg::P256, 512);
        alone(Arc::new(RustCryptoVerifier), &[&r], &[&leaf, &i.der], false).unwrap();
        let e = alone(Arc::new(RingVerifier), &[&r], &[&leaf, &i.der], false).unwrap_err();
        assert_eq!(e.kind(), "unsupported_algorithm");
        assert_eq!(e.certificate_index(), Some(0));
        assert!(e.to_string().contains("1.2.840.10045.4.3.4"), "{e}");
    }
}

// ---- names are read with the caller's limits (issue 8, item 2) ----

/// A name of 72 RDNs (above the default `max_dn_rdns` of 64): `O`, 70 organizational levels
/// (private-arc attribute types, one RDN each) and `CN=<cn>`.
fn name_of_72_rdns(cn: &str) -> rcgen::DistinguishedName {
    let mut d = dn(&[(DnType::OrganizationName, "x509-dbauth tests")]);
    for k in 0..70u64 {
        d.push(
            DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 55555, 1, k]),
            format!("level {k}"),
        );
    }
    d.push(DnType::CommonName, cn);
    d
}

/// Issue 8 item 2: every name of a chain is read with the verifier's `Limits`. Each name here
/// has 72 RDNs, and the leaf names its issuer in other case than the intermediate's subject
/// (`ISSUING CA` for `issuing ca`, same key), so the link needs the canonical form of both
/// names. With `max_dn_rdns` raised to 80 the anchor loads, the names read and the chain
/// verifies, with the intermediate presented or configured; names read with the default limits
/// (as path building did before) match only byte for byte, and the leaf's issuer would be
/// unknown. With the default limits the root does not load and the leaf does not parse.
#[test]
fn raised_max_dn_rdns_is_used_for_every_name_of_the_chain() {
    let r = root(&Spec {
        dn: name_of_72_rdns("Root CA"),
        ..Spec::ca("", Alg::Ed25519)
    });
    let i = issue(
        &Spec {
            dn: name_of_72_rdns("issuing ca"),
            ..Spec::ca("", Alg::Rsa2048Sha256(1))
        },
        &r,
    );
    // Same key as `i`, the name in upper case: only its issuing role matters.
    let i_upper = issue(
        &Spec {
            dn: name_of_72_rdns("ISSUING CA"),
            ..Spec::ca("", Alg::Rsa2048Sha256(1))
        },
        &r,
    );
    let l = issue(
        &Spec {
            dn: name_of_72_rdns("client"),
            ..Spec::leaf("", Alg::Ed25519)
        },
        &i_upper,
    );

    let mut limits = Limits::DEFAULT;
    limits.max_dn_rdns = 80;
    let anchors = TrustAnchors::from_ders_with_limits([r.der.clone()], &limits).unwrap();
    let presented = verify_with(
        ChainVerifier::builder(anchors.clone()).limits(limits.clone()),
        &[&l.der, &i.der],
    )
    .unwrap();
    assert_eq!(
        presented.positions(),
        [
            CertPosition::Presented(0),
            CertPosition::Presented(1),
            CertPosition::Anchor(0)
        ]
    );
    let configured = verify_with(
        ChainVerifier::builder(anchors.clone())
            .limits(limits)
            .intermediate_ders([&i.der]),
        &[&l.der],
    )
    .unwrap();
    assert_eq!(
        configured.positions(),
        [
            CertPosition::Presented(0),
            CertPosition::ConfiguredIntermediate(0),
            CertPosition::Anchor(0)
        ]
    );

    // The default limits refuse the 72 RDNs where the names are parsed.
    let e = TrustAnchors::from_ders([r.der.clone()]).unwrap_err();
    assert_eq!(e.kind(), "unparsable");
    assert_eq!(
        e.to_string(),
        "trust anchor #0 (0-based) does not parse: the certificate's issuer is malformed: 72 RDNs, \
         above the limit of 64"
    );
    let e = assert_err(
        verify_with(ChainVerifier::builder(anchors), &[&l.der, &i.der]),
        "malformed",
        Some(0),
    );
    assert_eq!(
        e.to_string(),
        "the client certificate (#0) \"(unreadable)\" cannot be read: the certificate's issuer is \
         malformed: 72 RDNs, above the limit of 64"
    );
}

/// Issue 8 item 3: configured anchors and intermediates are parsed when the verifier is built
/// and found through its name index, by exact DER and then by canonical form. Every link here
/// needs the canonical form: the intermediate names its issuer `ROOT CA` (the anchor is
/// `root ca`, same key) and the leaf names `ISSUING CA` (the configured intermediate is
/// `issuing ca`, same key); decoy anchors and intermediates with other names come first in
/// their lists and are never candidates.
#[test]
fn configured_anchors_and_intermediates_are_found_by_canonical_name() {
    let r = root(&Spec::ca("root ca", Alg::Rsa2048Sha256(2)));
    let r_upper = root(&Spec::ca("ROOT CA", Alg::Rsa2048Sha256(2)));
    let i = issue(&Spec::ca("issuing ca", Alg::Rsa2048Sha256(3)), &r_upper);
    let i_upper = issue(&Spec::ca("ISSUING CA", Alg::Rsa2048Sha256(3)), &r);
    let l = issue(&Spec::leaf("client", Alg::Ed25519), &i_upper);
    let decoy_root = root(&Spec::ca("Decoy Root", Alg::Ed25519));
    let decoy_ca = issue(&Spec::ca("Decoy CA", Alg::Ed25519), &decoy_root);

    let v = verify_with(
        builder(&[&decoy_root, &r]).intermediate_ders([&decoy_ca.der, &i.der]),
        &[&l.der],
    )
    .unwrap();
    assert_eq!(
        v.positions(),
        [
            CertPosition::Presented(0),
            CertPosition::ConfiguredIntermediate(1),
            CertPosition::Anchor(1)
        ]
    );
    assert_eq!(v.anchor_der(), r.der.as_slice());
    // Without the configured intermediate the leaf's issuer is unknown, named as the leaf
    // names it.
    let e = assert_err(
        verify_with(
            builder(&[&decoy_root, &r]).intermediate_ders([&decoy_ca.der]),
            &[&l.der],
        ),
        "unknown_issuer",
        Some(0),
    );
    assert_eq!(
        e.to_string(),
        "the client certificate (#0) \"CN=client,O=x509-dbauth tests\" was issued by \
         \"CN=ISSUING CA,O=x509-dbauth tests\", which is neither a trust anchor nor an available \
         intermediate"
    );
}

/// The clock-skew leeway, the issuer cache and the verified-chain cache: exact boundaries,
/// signatures counted, and the same answers with the caches on and off.
mod caches {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use x509_dbauth::{
        AuthError, CertificateKind, VerifiedClient, Verifier,
        errors::CryptoError,
        signature::{RustCryptoVerifier, SignatureAlgorithm, SignatureVerifier, SpkiRef},
        x509::CacheStats,
    };

    use super::*;

    /// Counts the signatures a verifier checks (RustCrypto does the work).
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl SignatureVerifier for Counting {
        fn verify(
            &self,
            alg: SignatureAlgorithm,
            spki: &SpkiRef<'_>,
            msg: &[u8],
            sig: &[u8],
        ) -> Result<(), CryptoError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            RustCryptoVerifier.verify(alg, spki, msg, sig)
        }
    }

    impl Counting {
        fn take(&self) -> usize {
            self.0.swap(0, Ordering::SeqCst)
        }
    }

    fn at(secs: i64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs as u64))
    }

    fn ders<'a>(chain: &[&'a [u8]]) -> Vec<CertificateDer<'a>> {
        chain.iter().map(|d| CertificateDer::from(*d)).collect()
    }

    const SKEW: u64 = 300;

    // ---- clock-skew leeway ----

    #[test]
    fn leeway_widens_certificate_validity_by_exactly_the_leeway() {
        let (r, i, l) = chain3([Alg::P256; 3]);
        let skew = SKEW as i64;
        let (not_before, not_after) = (NOW - 365 * DAY, NOW + 365 * DAY);
        let chain = ders(&[&l.der, &i.der]);
        let strict = builder(&[&r]).build().unwrap();
        let lenient = builder(&[&r])
            .clock_skew(Duration::from_secs(SKEW))
            .build()
            .unwrap();
        // Default: no leeway, bounds inclusive.
        assert!(strict.verify_chain(&chain, at(not_after)).is_ok());
        assert_err(
            strict.verify_chain(&chain, at(not_after + 1)),
            "expired",
            Some(0),
        );
        // With the leeway: one second inside and one outside each widened bound. (The
        // intermediate's validity encloses the leaf's by a year on each side.)
        assert!(lenient.verify_chain(&chain, at(not_after + skew)).is_ok());
        assert_err(
            lenient.verify_chain(&chain, at(not_after + skew + 1)),
            "expired",
            Some(0),
        );
        let l2 = issue(
            &Spec {
                not_before: NOW,
                ..Spec::leaf("fresh client", Alg::P256)
            },
            &i,
        );
        let chain2 = ders(&[&l2.der, &i.der]);
        assert_err(
            strict.verify_chain(&chain2, at(NOW - 1)),
            "not_yet_valid",
            Some(0),
        );
        assert!(lenient.verify_chain(&chain2, at(NOW - skew)).is_ok());
        assert_err(
            lenient.verify_chain(&chain2, at(NOW - skew - 1)),
            "not_yet_valid",
            Some(0),
        );
        let _ = not_before;
    }

    #[test]
    fn leeway_widens_crl_this_update_and_next_update() {
        let (r, i, l) = chain3([Alg::P256; 3]);
        let skew = SKEW as i64;
        let (this_update, next_update) = (NOW - DAY, NOW + DAY);
        let crl_i = crl(&i, &[], this_update, next_update);
        let crl_r = crl(&r, &[], NOW - 30 * DAY, NOW + 30 * DAY);
        let v = builder(&[&r])
            .require_crl(true)
            .crls(&crl_i)
            .crls(&crl_r)
            .clock_skew(Duration::from_secs(SKEW))
            .build()
            .unwrap();
        let chain = ders(&[&l.der, &i.der]);
        assert!(v.verify_chain(&chain, at(this_update - skew)).is_ok());
        let e = assert_err(
            v.verify_chain(&chain, at(this_update - skew - 1)),
            "crl_invalid",
            Some(0),
        );
        assert!(e.to_string().contains("not_yet_valid"), "{e}");
        assert!(v.verify_chain(&chain, at(next_update + skew)).is_ok());
        let e = assert_err(
            v.verify_chain(&chain, at(next_update + skew + 1)),
            "crl_invalid",
            Some(0),
        );
        assert!(e.to_string().contains("expired"), "{e}");
    }

    #[test]
    fn verifier_leeway_reaches_both_ca_sets() {
        let (r, i, l) = chain3([Alg::P256; 3]);
        let not_after = NOW + 365 * DAY;
        let skew = SKEW as i64;
        let v = Verifier::builder()
            .managed_ca(anchors(&[&r]))
            .clock_skew(Duration::from_secs(SKEW))
            .build()
            .unwrap();
        let chain = ders(&[&l.der, &i.der]);
        assert_eq!(
            v.verify_client(&chain, at(not_after + skew))
                .unwrap()
                .kind(),
            CertificateKind::Managed
        );
        let e = v
            .verify_client(&chain, at(not_after + skew + 1))
            .unwrap_err();
        assert_eq!(e.kind(), "expired");
    }

    // ---- the verified-chain cache ----

    struct Setup {
        r: Node,
        i: Node,
        l: Node,
        counting: Arc<Counting>,
    }

    fn setup(alg: Alg) -> Setup {
        let (r, i, l) = chain3([alg; 3]);
        Setup {
            r,
            i,
            l,
            counting: Arc::new(Counting::default()),
        }
    }

    fn verifier_with(
        s: &Setup,
        crls: &[&[u8]],
        chains: CacheBounds,
        issuers: CacheBounds,
    ) -> Verifier {
        let mut b = Verifier::builder()
            .managed_ca(anchors(&[&s.r]))
            .signature_verifier(s.counting.clone())
            .chain_cache(chains)
            .issuer_cache(issuers);
        for c in crls {
            b = b.crls(c);
        }
        b.build().unwrap()
    }

    /// The observable content of a verification (a `VerifiedClient` also carries the id of
    /// the verifier that made it, which differs between verifiers by design).
    fn summary(r: &Result<VerifiedClient, AuthError>) -> String {
        match r {
            Ok(c) => format!(
                "{:?} {} {:?} {} {:?}",
                c.chain(),
                c.kind(),
                c.subject().to_string(),
                c.anchor_subject(),
                c.anchor_fingerprint()
            ),
            Err(e) => format!("[{}] {e}", e.kind()),
        }
    }

    #[test]
    fn a_repeat_chain_is_served_without_signatures_and_equals_a_fresh_verification() {
        let s = setup(Alg::Rsa2048Sha256(1));
        let v = verifier_with(&s, &[], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        let fresh = verifier_with(&s, &[], CacheBounds::DISABLED, CacheBounds::DISABLED);
        let chain = ders(&[&s.l.der, &s.i.der]);
        let first = v.verify_client(&chain, now());
        assert_eq!(s.counting.take(), 2);
        assert_eq!(v.chain_cache_stats().entries, 1);
        let again = v.verify_client(&chain, now());
        assert_eq!(s.counting.take(), 0, "a repeat costs no signature");
        let uncached = fresh.verify_client(&chain, now());
        assert_eq!(s.counting.take(), 2);
        assert_eq!(summary(&first), summary(&again));
        assert_eq!(summary(&first), summary(&uncached));
        // Clones of a verifier share its cache.
        let _ = v.clone().verify_client(&chain, now()).unwrap();
        assert_eq!(s.counting.take(), 0);
    }

    #[test]
    fn a_cache_entry_of_an_rsa_2048_client_is_under_4_kib() {
        let s = setup(Alg::Rsa2048Sha256(1));
        let v = verifier_with(&s, &[], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        v.verify_client(&ders(&[&s.l.der, &s.i.der]), now())
            .unwrap();
        let stats = v.chain_cache_stats();
        assert_eq!(stats.entries, 1);
        let presented = s.l.der.len() + s.i.der.len();
        // The entry owns at least the presented certificates, and stays under 4 KiB.
        assert!(
            stats.bytes > presented && stats.bytes < 4096,
            "entry of {} bytes ({presented} bytes presented)",
            stats.bytes
        );
    }

    #[test]
    fn a_cached_answer_is_not_served_after_expiry() {
        let s = setup(Alg::P256);
        let v = verifier_with(&s, &[], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        let chain = ders(&[&s.l.der, &s.i.der]);
        let leaf_not_after = NOW + 365 * DAY;
        v.verify_client(&chain, at(leaf_not_after)).unwrap();
        v.verify_client(&chain, at(NOW)).unwrap();
        assert_eq!(
            s.counting.take(),
            2,
            "served at an earlier time in the window"
        );
        let e = v.verify_client(&chain, at(leaf_not_after + 1)).unwrap_err();
        assert_eq!(e.kind(), "expired");
        assert_eq!(
            v.chain_cache_stats(),
            CacheStats::default(),
            "entry dropped"
        );
        // Before the intermediate's notBefore: not yet valid, not served.
        v.verify_client(&chain, now()).unwrap();
        let e = v
            .verify_client(&chain, at(NOW - 365 * DAY - 1))
            .unwrap_err();
        assert_eq!(e.kind(), "not_yet_valid");
    }

    #[test]
    fn a_cached_answer_is_not_served_past_the_next_update_of_a_crl_it_relied_on() {
        let s = setup(Alg::P256);
        let next_update = NOW + DAY;
        let crl_i = crl(&s.i, &[], NOW - DAY, next_update);
        let v = verifier_with(&s, &[&crl_i], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        let chain = ders(&[&s.l.der, &s.i.der]);
        v.verify_client(&chain, now()).unwrap();
        assert_eq!(v.chain_cache_stats().entries, 1);
        v.verify_client(&chain, at(next_update)).unwrap();
        let e = v.verify_client(&chain, at(next_update + 1)).unwrap_err();
        assert_eq!(e.kind(), "crl_invalid");
    }

    #[test]
    fn new_settings_start_with_an_empty_cache_and_apply_a_new_crl() {
        let s = setup(Alg::P256);
        let chain = ders(&[&s.l.der, &s.i.der]);
        let before = verifier_with(&s, &[], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        before.verify_client(&chain, now()).unwrap();
        s.counting.take();
        // A CRL update: the settings are rebuilt with a CRL revoking the leaf (serial 100).
        let revoking = crl(&s.i, &[100], NOW - DAY, NOW + DAY);
        let after = verifier_with(&s, &[&revoking], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        assert_eq!(after.chain_cache_stats(), CacheStats::default());
        let e = after.verify_client(&chain, now()).unwrap_err();
        assert_eq!(e.kind(), "revoked");
        assert!(s.counting.take() > 0);
        assert_eq!(
            after.chain_cache_stats().entries,
            0,
            "denials are not cached"
        );
        // The old snapshot is untouched (connections still holding it see it unchanged).
        before.verify_client(&chain, now()).unwrap();
        assert_eq!(s.counting.take(), 0);
    }

    #[test]
    fn a_chain_that_differs_in_one_byte_is_verified_afresh() {
        let s = setup(Alg::P256);
        let v = verifier_with(&s, &[], CacheBounds::CHAINS, CacheBounds::ISSUERS);
        v.verify_client(&ders(&[&s.l.der, &s.i.der]), now())
            .unwrap();
        s.counting.take();
        let mut forged = s.l.der.clone();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let e = v
            .verify_client(&ders(&[&forged, &s.i.der]), now())
            .unwrap_err();
        assert_eq!(e.kind(), "bad_signature");
        // The leaf's signature, checked once by each CA set's verifier (the self-managed set
        // is empty, but the presented intermediate is still a candidate issuer there).
        assert_eq!(s.counting.take(), 2);
        assert_eq!(v.chain_cache_stats().entries, 1);
    }

    #[test]
    fn bounds_hold_and_zero_disables() {
        let s = setup(Alg::P256);
        let leaves: Vec<Node> = (0..3)
            .map(|n| {
                issue(
                    &Spec {
                        serial: 200 + n,
                        ..Spec::leaf(&format!("client {n}"), Alg::P256)
                    },
                    &s.i,
                )
            })
            .collect();
        let v = verifier_with(&s, &[], CacheBounds::new(1, 1 << 20), CacheBounds::DISABLED);
        for l in &leaves {
            v.verify_client(&ders(&[&l.der, &s.i.der]), now()).unwrap();
        }
        assert_eq!(v.chain_cache_stats().entries, 1);
        s.counting.take();
        // The newest entry stayed; the oldest was evicted.
        v.verify_client(&ders(&[&leaves[2].der, &s.i.der]), now())
            .unwrap();
        assert_eq!(s.counting.take(), 0);
        v.verify_client(&ders(&[&leaves[0].der, &s.i.der]), now())
            .unwrap();
        assert_eq!(s.counting.take(), 2);
        let v = verifier_with(&s, &[], CacheBounds::new(100, 3000), CacheBounds::ISSUERS);
        for l in &leaves {
            v.verify_client(&ders(&[&l.der, &s.i.der]), now()).unwrap();
        }
        let stats = v.chain_cache_stats();
        assert!(stats.bytes <= 3000 && stats.entries < 3, "{stats:?}");
        let v = verifier_with(&s, &[], CacheBounds::DISABLED, CacheBounds::DISABLED);
        s.counting.take();
        for _ in 0..2 {
            v.verify_client(&ders(&[&s.l.der, &s.i.der]), now())
                .unwrap();
        }
        assert_eq!(s.counting.take(), 4);
        assert_eq!(v.chain_cache_stats(), CacheStats::default());
        assert_eq!(v.issuer_cache_stats(), CacheStats::default());
    }

    // ---- the issuer cache ----

    #[test]
    fn a_new_leaf_under_a_known_intermediate_costs_one_signature() {
        let s = setup(Alg::Rsa2048Sha256(1));
        let v = verifier_with(&s, &[], CacheBounds::DISABLED, CacheBounds::ISSUERS);
        v.verify_client(&ders(&[&s.l.der, &s.i.der]), now())
            .unwrap();
        assert_eq!(s.counting.take(), 2);
        assert_eq!(v.issuer_cache_stats().entries, 1);
        let l2 = issue(
            &Spec {
                serial: 101,
                ..Spec::leaf("another client", Alg::Rsa2048Sha256(3))
            },
            &s.i,
        );
        let got = v.verify_client(&ders(&[&l2.der, &s.i.der]), now());
        assert_eq!(s.counting.take(), 1);
        let fresh = verifier_with(&s, &[], CacheBounds::DISABLED, CacheBounds::DISABLED)
            .verify_client(&ders(&[&l2.der, &s.i.der]), now());
        assert_eq!(summary(&got), summary(&fresh));
        // The same with the intermediate configured instead of presented.
        let v = ChainVerifier::builder(anchors(&[&s.r]))
            .intermediate_ders([&s.i.der])
            .signature_verifier(s.counting.clone())
            .build()
            .unwrap();
        s.counting.take();
        let a = v.verify_chain(&ders(&[&s.l.der]), now()).unwrap();
        assert_eq!(s.counting.take(), 2);
        let b = v.verify_chain(&ders(&[&l2.der]), now()).unwrap();
        assert_eq!(s.counting.take(), 1);
        assert_eq!(b.positions(), a.positions());
        assert_eq!(v.issuer_cache_stats().entries, 1);
    }

    #[test]
    fn a_cache_hit_still_applies_the_cached_paths_name_constraints_to_the_new_leaf() {
        let r = root(&Spec::ca("Root CA", Alg::P256));
        let i = issue(
            &Spec {
                name_constraints: Some(NameConstraints {
                    permitted_subtrees: vec![GeneralSubtree::DirectoryName(dn(&[(
                        DnType::OrganizationName,
                        "x509-dbauth tests",
                    )]))],
                    excluded_subtrees: vec![],
                }),
                ..Spec::ca("Constrained CA", Alg::P256)
            },
            &r,
        );
        let inside = issue(&Spec::leaf("inside", Alg::P256), &i);
        let outside = issue(
            &Spec {
                dn: dn(&[
                    (DnType::OrganizationName, "elsewhere"),
                    (DnType::CommonName, "outside"),
                ]),
                serial: 101,
                ..Spec::leaf("outside", Alg::P256)
            },
            &i,
        );
        let counting = Arc::new(Counting::default());
        let cached = ChainVerifier::builder(anchors(&[&r]))
            .signature_verifier(counting.clone())
            .build()
            .unwrap();
        let uncached = ChainVerifier::builder(anchors(&[&r]))
            .issuer_cache(CacheBounds::DISABLED)
            .build()
            .unwrap();
        cached
            .verify_chain(&ders(&[&inside.der, &i.der]), now())
            .unwrap();
        assert_eq!(cached.issuer_cache_stats().entries, 1);
        counting.take();
        let hit = cached.verify_chain(&ders(&[&outside.der, &i.der]), now());
        let fresh = uncached.verify_chain(&ders(&[&outside.der, &i.der]), now());
        let e = assert_err(hit.clone(), "name_constraint_violation", Some(0));
        assert_eq!(hit, fresh, "{e}");
        // The cached entry was consulted (one signature for the leaf) and, its check failing,
        // the full search ran and reported the violation.
        assert!(counting.take() >= 1);
        assert_eq!(cached.issuer_cache_stats().entries, 1);
    }

    #[test]
    fn a_cache_hit_still_checks_the_new_leafs_revocation() {
        let s = setup(Alg::P256);
        let l2 = issue(
            &Spec {
                serial: 101,
                ..Spec::leaf("revoked client", Alg::P256)
            },
            &s.i,
        );
        let crl_i = crl(&s.i, &[101], NOW - DAY, NOW + DAY);
        let v = verifier_with(&s, &[&crl_i], CacheBounds::DISABLED, CacheBounds::ISSUERS);
        v.verify_client(&ders(&[&s.l.der, &s.i.der]), now())
            .unwrap();
        assert_eq!(v.issuer_cache_stats().entries, 1);
        let e = v
            .verify_client(&ders(&[&l2.der, &s.i.der]), now())
            .unwrap_err();
        assert_eq!(e.kind(), "revoked");
    }

    #[test]
    fn a_cached_issuer_is_not_used_after_it_expires() {
        let r = root(&Spec::ca("Root CA", Alg::P256));
        let i_not_after = NOW + 10 * DAY;
        let i = issue(
            &Spec {
                not_after: i_not_after,
                ..Spec::ca("Short CA", Alg::P256)
            },
            &r,
        );
        let l = issue(&Spec::leaf("a", Alg::P256), &i);
        let l2 = issue(
            &Spec {
                serial: 101,
                ..Spec::leaf("b", Alg::P256)
            },
            &i,
        );
        let v = builder(&[&r]).build().unwrap();
        v.verify_chain(&ders(&[&l.der, &i.der]), now()).unwrap();
        assert_err(
            v.verify_chain(&ders(&[&l2.der, &i.der]), at(i_not_after + 1)),
            "expired",
            Some(1),
        );
    }

    #[test]
    fn explain_says_when_the_chain_was_served_from_the_cache() {
        let s = setup(Alg::P256);
        let settings = x509_dbauth::Settings::builder()
            .managed_ca(anchors(&[&s.r]))
            .add_user(
                x509_dbauth::UserSpec::new(
                    "CN=client,O=x509-dbauth tests",
                    CertificateKind::Managed,
                )
                .role("read@sales"),
            )
            .build()
            .unwrap();
        let auth = x509_dbauth::Authenticator::new(settings.into_arc());
        let chain = ders(&[&s.l.der, &s.i.der]);
        let steps = |d: &x509_dbauth::Decision| -> Vec<String> {
            d.steps().iter().map(ToString::to_string).collect()
        };
        let first = auth.explain_blocking(&chain, now(), None);
        let second = auth.explain_blocking(&chain, now(), None);
        assert!(first.is_allowed() && second.is_allowed());
        let chain_step = "[pass] chain: a path of 3 certificate(s) ends at \"CN=Root CA,O=x509-dbauth tests\" in the managed CA set, so the certificate is managed";
        assert_eq!(steps(&first)[1], chain_step);
        assert_eq!(
            steps(&second)[1],
            format!("{chain_step} (served from the verified-chain cache)")
        );
        // Every other step reads the same.
        let (mut a, mut b) = (steps(&first), steps(&second));
        a.remove(1);
        b.remove(1);
        assert_eq!(a, b);
    }

    /// A sweep of scenarios through `Verifier`, each verified at several times with the caches
    /// on (twice, so the second is served from a cache when it may be) and off: every answer
    /// is the same.
    #[test]
    fn the_same_answers_with_and_without_caches() {
        let s = setup(Alg::P256);
        let expired_leaf = issue(
            &Spec {
                not_after: NOW - DAY,
                serial: 102,
                ..Spec::leaf("expired", Alg::P256)
            },
            &s.i,
        );
        let revoked_leaf = issue(
            &Spec {
                serial: 103,
                ..Spec::leaf("revoked", Alg::P256)
            },
            &s.i,
        );
        let other_root = root(&Spec::ca("Other Root", Alg::P256));
        let stranger = issue(&Spec::leaf("stranger", Alg::P256), &other_root);
        let crl_i = crl(&s.i, &[103], NOW - DAY, NOW + 2 * DAY);
        let chains: Vec<Vec<&[u8]>> = vec![
            vec![&s.l.der, &s.i.der],
            vec![&s.l.der],
            vec![&expired_leaf.der, &s.i.der],
            vec![&revoked_leaf.der, &s.i.der],
            vec![&stranger.der],
            vec![&s.l.der, &s.i.der, &stranger.der],
        ];
        let times = [
            NOW,
            NOW - 2 * DAY,
            NOW + DAY,
            NOW + 2 * DAY,
            NOW + 2 * DAY + 1,
            NOW + 365 * DAY + 1,
            NOW,
        ];
        for crls in [vec![], vec![crl_i.as_slice()]] {
            let cached = verifier_with(&s, &crls, CacheBounds::CHAINS, CacheBounds::ISSUERS);
            let uncached = verifier_with(&s, &crls, CacheBounds::DISABLED, CacheBounds::DISABLED);
            for &t in &times {
                for chain in &chains {
                    let d = ders(chain);
                    let want = summary(&uncached.verify_client(&d, at(t)));
                    for _ in 0..2 {
                        assert_eq!(summary(&cached.verify_client(&d, at(t))), want, "at {t}");
                    }
                }
            }
        }
    }
}
