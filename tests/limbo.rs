//! x509-limbo conformance: every CLIENT case and every SERVER case whose verdict does not depend
//! on hostname matching (this crate verifies client chains; it has no hostname matcher).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use x509_dbauth::{
    CertificateDer, Limits, TrustAnchors, UnixTime,
    signature::{RustCryptoVerifier, SignatureVerifier},
    x509::{CacheBounds, Certificate, ChainVerifier, Eku},
};

/// Why a case does not apply, decided by feature and id pattern.
fn not_applicable(case: &Value) -> Option<&'static str> {
    let id = case["id"].as_str().unwrap();
    let features: Vec<&str> = case["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in &features {
        let why = match *f {
            "has-policy-constraints" | "has-cert-policies" | "no-cert-policies" => {
                "certificate policy processing (RFC 5280 §6.1.3 (d)–(f)) is not implemented"
            }
            "pedantic-public-suffix-wildcard" => "hostname matching (public-suffix wildcards)",
            "pedantic-webpki-subscriber-key" | "pedantic-webpki-eku" => {
                "rustls-webpki's server profile, not an RFC 5280 rule"
            }
            "pedantic-serial-number" => "serial-number profile checks are not enforced",
            "pedantic-rfc5280" => {
                "pedantic RFC 5280 CA-profile rule (AKI on cross-signed roots) not enforced"
            }
            "rfc5280-incompatible-with-webpki" => {
                "conflicts with webpki::nc::permitted-dns-match-noncritical; this crate accepts non-critical nameConstraints (CA/B profile)"
            }
            _ => continue,
        };
        return Some(why);
    }
    // The leaf's digitalSignature is always required (when keyUsage is present); other bits
    // and signature-algorithm restrictions are not options of this verifier.
    let other_ku = case["key_usage"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k != "digitalSignature");
    if !case["signature_algorithms"].as_array().unwrap().is_empty() || other_ku {
        return Some("the case constrains signature algorithms or key usage beyond the chain");
    }
    let hostname_ids = [
        "webpki::cn::",
        "webpki::san::",
        "rfc5280::ca-as-leaf-wrong-san",
        "rfc5280::san::ip-in-dns",
        "rfc5280::san::underscore-dns",
    ];
    if hostname_ids.iter().any(|p| id.starts_with(p)) {
        return Some("the verdict depends on matching the expected hostname against the leaf");
    }
    None
}

fn pems(v: &Value) -> Vec<CertificateDer<'static>> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|p| Certificate::ders_from_pem_or_der(p.as_str().unwrap().as_bytes()).unwrap())
        .collect()
}

/// Runs one case; `Ok(())` is SUCCESS, `Err(text)` FAILURE with the reason.
fn run(case: &Value, backend: &Arc<dyn SignatureVerifier>) -> Result<(), String> {
    let anchors = TrustAnchors::from_ders(pems(&case["trusted_certs"]))
        .map_err(|e| format!("[trust:{}] {e}", e.kind()))?;
    let mut presented =
        Certificate::ders_from_pem_or_der(case["peer_certificate"].as_str().unwrap().as_bytes())
            .unwrap();
    presented.extend(pems(&case["untrusted_intermediates"]));
    let ekus: Vec<&str> = case["extended_key_usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let eku = if ekus.contains(&"clientAuth") {
        Eku::ClientAuth
    } else if ekus.contains(&"serverAuth") {
        Eku::ServerAuth
    } else if ekus.contains(&"anyExtendedKeyUsage") {
        Eku::Any
    } else if case["validation_kind"] == "CLIENT" {
        Eku::ClientAuth
    } else {
        Eku::ServerAuth
    };
    let mut limits = Limits::DEFAULT;
    if let Some(d) = case["max_chain_depth"].as_u64() {
        limits.max_path_intermediates = d as usize;
    }
    let mut b = ChainVerifier::builder(anchors)
        .required_eku(eku)
        .limits(limits)
        .signature_verifier(Arc::clone(backend));
    for crl in case["crls"].as_array().unwrap() {
        b = b.crls(crl.as_str().unwrap().as_bytes());
    }
    let uncached = b
        .clone()
        .issuer_cache(CacheBounds::DISABLED)
        .build()
        .map_err(|e| format!("[config:{}] {e}", e.kind()))?;
    let verifier = b
        .build()
        .map_err(|e| format!("[config:{}] {e}", e.kind()))?;
    let now = match case["validation_time"].as_str() {
        Some(t) => UnixTime::since_unix_epoch(Duration::from_secs(common::rfc3339(t) as u64)),
        None => UnixTime::now(),
    };
    // The issuer cache changes no verdict and no path: the same result with it off, and on
    // (twice, the second time served from it when it may be).
    let want = uncached.verify_chain(&presented, now);
    for _ in 0..2 {
        assert_eq!(
            verifier.verify_chain(&presented, now),
            want,
            "issuer cache on vs off"
        );
    }
    want.map(|_| ()).map_err(|e| format!("[{}] {e}", e.kind()))
}

/// Runs one suite file with one signature backend. The exceptions are the suite's, whatever
/// the backend (a backend must not change any verdict); the summary line names the backend.
/// Returns each applicable case's outcome, for comparing backends case by case.
fn run_suite(
    suite: &str,
    file: &str,
    backend: Arc<dyn SignatureVerifier>,
) -> Vec<(String, Result<(), String>)> {
    let exceptions = common::exceptions(suite);
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(common::testdata(file)).unwrap()).unwrap();
    let mut tally = common::Tally::default();
    let mut seen = Vec::new();
    let mut outcomes = Vec::new();
    for case in data["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if not_applicable(case).is_some() {
            tally.not_applicable += 1;
            continue;
        }
        seen.push(id.to_string());
        let expected_ok = case["expected_result"] == "SUCCESS";
        let outcome = run(case, &backend);
        let detail = match &outcome {
            Ok(()) => format!("expected {}, got SUCCESS", case["expected_result"]),
            Err(e) => format!("expected {}, got FAILURE {e}", case["expected_result"]),
        };
        if std::env::var_os("LIMBO_VERBOSE").is_some() {
            println!("{id}: {detail}");
        }
        tally.record(id, outcome.is_ok() == expected_ok, &detail, &exceptions);
        outcomes.push((id.to_string(), outcome));
    }
    tally.finish(&format!("{suite} [{}]", backend.name()), &exceptions, &seen);
    let applicable = tally.applicable.max(1);
    assert!(
        tally.agree * 100 >= applicable * 95,
        "{suite}: agreement below 95%"
    );
    outcomes
}

/// The ring backend gives the same verdict and the same error as RustCrypto, case by case.
#[cfg(feature = "ring")]
fn same_as_rust_crypto(suite: &str, file: &str) {
    let ring = run_suite(suite, file, Arc::new(x509_dbauth::signature::RingVerifier));
    let rust_crypto = run_suite(suite, file, Arc::new(RustCryptoVerifier));
    assert_eq!(ring.len(), rust_crypto.len());
    for (r, c) in ring.iter().zip(&rust_crypto) {
        assert_eq!(r, c, "ring vs RustCrypto");
    }
}

#[test]
fn limbo() {
    let _ = run_suite(
        "limbo",
        "x509-limbo/limbo.json",
        Arc::new(RustCryptoVerifier),
    );
}

#[test]
fn limbo_bettertls_pathbuilding() {
    let _ = run_suite(
        "limbo-bettertls",
        "x509-limbo/limbo-bettertls-pathbuilding.json",
        Arc::new(RustCryptoVerifier),
    );
}

#[cfg(feature = "ring")]
#[test]
fn limbo_ring_backend() {
    same_as_rust_crypto("limbo", "x509-limbo/limbo.json");
}

#[cfg(feature = "ring")]
#[test]
fn limbo_bettertls_pathbuilding_ring_backend() {
    same_as_rust_crypto(
        "limbo-bettertls",
        "x509-limbo/limbo-bettertls-pathbuilding.json",
    );
}
