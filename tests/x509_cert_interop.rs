//! Feature `x509-cert`: certificates and names held as RustCrypto `x509_cert` values are handed
//! in through their DER and give the same results as the original bytes.
#![cfg(feature = "x509-cert")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::generate::{Alg, NOW, Spec, issue, root};
use x509_cert::der::Decode;
use x509_dbauth::errors::TrustError;
use x509_dbauth::x509::{Certificate, ChainVerifier};
use x509_dbauth::{CertificateDer, DistinguishedName, Limits, TrustAnchors, UnixTime};

fn decoded(der: &[u8]) -> x509_cert::Certificate {
    x509_cert::Certificate::from_der(der).unwrap()
}

#[test]
fn a_chain_of_x509_cert_values_verifies_as_its_der() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let i = issue(&Spec::ca("Issuing CA", Alg::Rsa2048Sha256(2)), &r);
    let l = issue(&Spec::leaf("client", Alg::P256), &i);
    let (xr, xi, xl) = (decoded(&r.der), decoded(&i.der), decoded(&l.der));

    // The encoding is the issued bytes, so the signatures over them still verify.
    let presented: Vec<CertificateDer<'static>> = [&xl, &xi]
        .into_iter()
        .map(|c| Certificate::der_from_x509_cert(c).unwrap())
        .collect();
    assert_eq!(presented[0].as_ref(), l.der.as_slice());
    assert_eq!(presented[1].as_ref(), i.der.as_slice());

    let anchors = TrustAnchors::from_x509_certs([&xr]).unwrap();
    assert_eq!(anchors.iter().next().unwrap().der, r.der.as_slice());
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    let chain = ChainVerifier::builder(anchors)
        .build()
        .unwrap()
        .verify_chain(&presented, now)
        .unwrap();
    assert_eq!(
        chain.certificates().collect::<Vec<_>>(),
        [&l.der[..], &i.der[..], &r.der[..]]
    );
}

#[test]
fn x509_cert_anchors_are_checked_like_der_ones() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let l = issue(&Spec::leaf("client", Alg::P256), &r);
    let e = TrustAnchors::from_x509_certs([&decoded(&r.der), &decoded(&l.der)]).unwrap_err();
    assert_eq!(e, TrustAnchors::from_ders([&r.der, &l.der]).unwrap_err());
    assert!(matches!(e, TrustError::NotCa { index: 1, .. }), "{e:?}");
}

#[test]
fn an_x509_cert_name_reads_as_the_certificate_subject() {
    let r = root(&Spec::ca("Root CA", Alg::P256));
    let l = issue(&Spec::leaf("client", Alg::P256), &r);
    let x = decoded(&l.der);
    let ours = Certificate::from_der(&l.der, &Limits::DEFAULT).unwrap();
    let from_der = DistinguishedName::from_der(ours.subject_der()).unwrap();

    let subject = DistinguishedName::from_x509_name(x.tbs_certificate().subject()).unwrap();
    assert_eq!(subject, from_der);
    assert_eq!(subject.to_string(), "CN=client,O=x509-dbauth tests");
    let issuer = DistinguishedName::try_from(x.tbs_certificate().issuer()).unwrap();
    assert_eq!(issuer.to_string(), "CN=Root CA,O=x509-dbauth tests");
    assert!(issuer.matches(&DistinguishedName::parse("cn=root ca, o=X509-DBAUTH Tests").unwrap()));
}
