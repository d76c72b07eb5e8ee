//! NIST PKITS 1.0.1 conformance, driven by `tests/data/pkits/expected.tsv`.
//!
//! Validation time 2011-04-15T00:00:00Z; the PDF's CRLs are loaded and `require_crl` is on, as
//! PKITS assumes every certificate's status is checkable. Certificate policy processing is not
//! implemented, so sections 4.8–4.12 are not applicable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use x509_dbauth::{
    CertificateDer, TrustAnchors, UnixTime,
    signature::{RustCryptoVerifier, SignatureVerifier},
    x509::{CacheBounds, ChainVerifier, Eku},
};

/// 2011-04-15T00:00:00Z, the PKITS publication date used by Chromium and BoringSSL.
const VALIDATION_TIME: u64 = 1_302_825_600;

fn not_applicable(test: &str) -> Option<&'static str> {
    let section: Vec<&str> = test.split('.').collect();
    let sub: u32 = section[1].parse().unwrap();
    let num: u32 = section[2].parse().unwrap();
    match (sub, num) {
        (1, 4..=6) => Some("DSA signatures are not supported"),
        (8..=12, _) => Some("certificate policy processing is not implemented"),
        (15, _) => Some("delta CRLs are not supported"),
        // 4.14.22–4.14.35: IDP indirectCRL and CDP cRLIssuer (RFC 5280 §5.2.5, §4.2.1.13).
        (14, 22..=35) => Some("indirect CRLs (indirectCRL, cRLIssuer) are not supported"),
        _ => None,
    }
}

fn read(kind: &str, stem: &str) -> Vec<u8> {
    std::fs::read(common::testdata(&format!(
        "pkits/{kind}/{stem}.{}",
        if kind == "certs" { "crt" } else { "crl" }
    )))
    .unwrap_or_else(|e| panic!("{kind}/{stem}: {e}"))
}

fn run(path: &[&str], crls: &[&str], backend: &Arc<dyn SignatureVerifier>) -> Result<(), String> {
    let anchors = TrustAnchors::from_ders([read("certs", path[0])]).unwrap();
    let mut b = ChainVerifier::builder(anchors)
        .require_crl(true)
        .required_eku(Eku::Any)
        .signature_verifier(Arc::clone(backend));
    for c in crls {
        b = b.crls(&read("crls", c));
    }
    let uncached = b
        .clone()
        .issuer_cache(CacheBounds::DISABLED)
        .build()
        .map_err(|e| format!("[config:{}] {e}", e.kind()))?;
    let verifier = b
        .build()
        .map_err(|e| format!("[config:{}] {e}", e.kind()))?;
    // The leaf first, then the intermediates in reverse (anchor-side last), as a TLS peer sends.
    let mut ders = vec![read("certs", path[path.len() - 1])];
    for stem in path[1..path.len() - 1].iter().rev() {
        ders.push(read("certs", stem));
    }
    let presented: Vec<CertificateDer<'_>> = ders
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let at = UnixTime::since_unix_epoch(Duration::from_secs(VALIDATION_TIME));
    // The issuer cache changes no verdict and no path: the same result with it off, and on
    // (twice, the second time served from it when it may be).
    let want = uncached.verify_chain(&presented, at);
    for _ in 0..2 {
        assert_eq!(
            verifier.verify_chain(&presented, at),
            want,
            "issuer cache on vs off"
        );
    }
    want.map(|_| ()).map_err(|e| format!("[{}] {e}", e.kind()))
}

/// Runs the whole suite with one signature backend; the exceptions file is the same for all
/// backends (a backend must not change any verdict), and the summary line names the backend.
/// Returns each applicable case's outcome, for comparing backends case by case.
fn run_suite(backend: Arc<dyn SignatureVerifier>) -> Vec<(String, Result<(), String>)> {
    let exceptions = common::exceptions("pkits");
    let tsv = std::fs::read_to_string(common::testdata("pkits/expected.tsv")).unwrap();
    let mut tally = common::Tally::default();
    let mut seen = Vec::new();
    let mut outcomes = Vec::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (test, subpart, name, expected) = (f[0], f[1], f[2], f[3]);
        let id = if subpart.is_empty() {
            test.to_string()
        } else {
            format!("{test}-{subpart}")
        };
        if not_applicable(test).is_some() {
            tally.not_applicable += 1;
            continue;
        }
        seen.push(id.clone());
        let path: Vec<&str> = f[10].split(',').collect();
        let crls: Vec<&str> = f[11].split(',').filter(|s| !s.is_empty()).collect();
        let outcome = run(&path, &crls, &backend);
        let expected_ok = expected == "valid";
        let detail = match &outcome {
            Ok(()) => format!("{name}: expected {expected}, got valid"),
            Err(e) => format!("{name}: expected {expected}, got invalid {e}"),
        };
        if std::env::var_os("PKITS_VERBOSE").is_some() {
            println!("{id} {detail}");
        }
        tally.record(&id, outcome.is_ok() == expected_ok, &detail, &exceptions);
        outcomes.push((id, outcome));
    }
    tally.finish(&format!("pkits [{}]", backend.name()), &exceptions, &seen);
    outcomes
}

#[test]
fn pkits() {
    let _ = run_suite(Arc::new(RustCryptoVerifier));
}

#[cfg(feature = "ring")]
#[test]
fn pkits_ring_backend() {
    let ring = run_suite(Arc::new(x509_dbauth::signature::RingVerifier));
    // Beyond the same figures: the same verdict and the same error, case by case.
    let rust_crypto = run_suite(Arc::new(RustCryptoVerifier));
    assert_eq!(ring.len(), rust_crypto.len());
    for (r, c) in ring.iter().zip(&rust_crypto) {
        assert_eq!(r, c, "ring vs RustCrypto");
    }
}
