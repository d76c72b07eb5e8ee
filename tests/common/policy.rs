//! Shared helpers for the policy tests: the example PKI, settings, and rcgen-made chains.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use x509_dbauth::x509::Certificate;
use x509_dbauth::{
    AuthError, Authenticator, CertificateDer, CertificateKind, Principal, Settings,
    SettingsBuilder, TrustAnchors, UnixTime, UserSpec,
};

/// 2027-01-01T00:00:00Z: inside the example PKI's validity.
pub const AT: u64 = 1_798_761_600;

pub fn now() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(AT))
}

pub fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn pki(name: &str) -> Vec<u8> {
    std::fs::read(path(&format!("examples/pki/{name}"))).unwrap()
}

pub fn anchors(name: &str) -> TrustAnchors {
    TrustAnchors::from_pem(&pki(name)).unwrap()
}

pub fn chain(name: &str) -> Vec<CertificateDer<'static>> {
    Certificate::ders_from_pem_or_der(&pki(name)).unwrap()
}

pub fn to_ders(v: Vec<Vec<u8>>) -> Vec<CertificateDer<'static>> {
    v.into_iter().map(CertificateDer::from).collect()
}

pub const JANE: &str = "CN=Jane Doe,O=MongoDB,C=US";
pub const MYUSER: &str = "CN=myuser";

/// Managed CA + project PKI (enabled), Jane (self-managed) and myuser (managed).
pub fn base() -> SettingsBuilder {
    Settings::builder()
        .managed_ca(anchors("managed-ca.pem"))
        .enable_self_managed(anchors("project-root-ca.pem"))
        .add_user(
            UserSpec::new(JANE, CertificateKind::SelfManaged)
                .role("readWrite@sales")
                .role("read@reporting.orders"),
        )
        .add_user(UserSpec::new(MYUSER, CertificateKind::Managed).role("read@inventory"))
}

pub fn auth(b: SettingsBuilder) -> Authenticator {
    Authenticator::new(b.build().unwrap().into_arc())
}

/// Both phases, blocking.
pub fn login(
    a: &Authenticator,
    chain: &[CertificateDer<'_>],
    claimed: Option<&str>,
) -> Result<Principal, AuthError> {
    let client = a.verify_client(chain, now())?;
    a.authenticate_blocking(&client, claimed)
}

/// A client certificate with `subject` (RDNs in the given order, DER order; empty for the
/// empty name) issued by the example project's issuing CA; returns [leaf, issuing CA].
pub fn project_leaf(subject: &[(rcgen::DnType, &str)]) -> Vec<CertificateDer<'static>> {
    let ca_pem = String::from_utf8(pki("project-issuing-ca.pem")).unwrap();
    let ca_key =
        rcgen::KeyPair::try_from(sec1_p256_to_pkcs8(&pki("project-issuing-ca.key")).as_slice())
            .unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_pem, ca_key).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = rcgen::DistinguishedName::new();
    for (t, v) in subject {
        dn.push(t.clone(), *v);
    }
    params.distinguished_name = dn;
    if subject.is_empty() {
        // RFC 5280 §4.1.2.6: a certificate with an empty subject names its holder in a
        // (critical, which rcgen sets for an empty subject) subjectAltName.
        params.subject_alt_names = vec![rcgen::SanType::Rfc822Name(
            "nobody@example.com".try_into().unwrap(),
        )];
    }
    params.not_before = rcgen::date_time_ymd(2026, 12, 1);
    params.not_after = rcgen::date_time_ymd(2028, 1, 1);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    // RFC 5280 §4.2.1.1: certificates issued by a CA carry its key identifier (the verifier
    // requires it).
    params.use_authority_key_identifier_extension = true;
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = params.signed_by(&key, &issuer).unwrap();
    let ca_der = Certificate::ders_from_pem_or_der(ca_pem.as_bytes()).unwrap();
    let mut out = vec![leaf.der().clone()];
    out.extend(ca_der);
    out
}

/// OpenSSL wrote the example keys as SEC1 (`EC PRIVATE KEY`); rcgen reads PKCS#8, so wrap the
/// SEC1 structure in a PrivateKeyInfo (RFC 5208) naming id-ecPublicKey / prime256v1.
pub fn sec1_p256_to_pkcs8(pem: &[u8]) -> Vec<u8> {
    let (label, sec1) = pem_rfc7468::decode_vec(pem).unwrap();
    assert_eq!(label, "EC PRIVATE KEY");
    let alg: &[u8] = &[
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
        0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    let mut inner = vec![0x02, 0x01, 0x00];
    inner.extend_from_slice(alg);
    inner.push(0x04);
    der_len(sec1.len(), &mut inner);
    inner.extend_from_slice(&sec1);
    let mut out = vec![0x30];
    der_len(inner.len(), &mut out);
    out.extend_from_slice(&inner);
    out
}

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
}
