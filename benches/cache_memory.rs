//! Memory of the caches at 10 000 entries: 10 000 distinct two-certificate client chains
//! (RSA-2048, then P-256) verified through one `Verifier`; prints the caches' own accounting
//! (`chain_cache_stats`, `issuer_cache_stats`) and the growth of the process's resident memory
//! while the entries were made (Linux `/proc/self/statm`; the chains themselves are generated
//! before the first reading).
//!
//! Run: `cargo bench --all-features --bench cache_memory` (or the built binary with `rsa2048` or
//! `p256`).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::generate::{Alg, NOW, Spec, issue, root};
use x509_dbauth::{
    CertificateDer, TrustAnchors, UnixTime, Verifier, signature::RingVerifier, x509::CacheBounds,
};

const ENTRIES: usize = 10_000;

/// Resident memory in bytes, when the platform tells.
fn resident() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn run(label: &str, alg: Alg, leaf_alg: Alg) {
    let r = root(&Spec::ca("Memory Root", alg));
    let ca = issue(&Spec::ca("Memory Issuing CA", alg), &r);
    let chains: Vec<Vec<CertificateDer<'static>>> = (0..ENTRIES)
        .map(|k| {
            let leaf = issue(
                &Spec {
                    serial: 10_000 + k as u64,
                    ..Spec::leaf(&format!("client {k}"), leaf_alg)
                },
                &ca,
            );
            vec![
                CertificateDer::from(leaf.der),
                CertificateDer::from(ca.der.clone()),
            ]
        })
        .collect();
    let presented: usize = chains[0].iter().map(|c| c.len()).sum();
    let v = Verifier::builder()
        .managed_ca(TrustAnchors::from_ders([r.der.clone()]).unwrap())
        .signature_verifier(Arc::new(RingVerifier))
        .chain_cache(CacheBounds::new(ENTRIES, 256 << 20))
        .build()
        .unwrap();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    let before = resident();
    for c in &chains {
        v.verify_client(c, now).unwrap();
    }
    let after = resident();
    let stats = v.chain_cache_stats();
    let issuers = v.issuer_cache_stats();
    println!(
        "{label}: {} chain-cache entries, {} bytes ({} bytes per entry; {presented} bytes presented per chain); issuer cache: {} entries, {} bytes",
        stats.entries,
        stats.bytes,
        stats.bytes / stats.entries.max(1),
        issuers.entries,
        issuers.bytes
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "{label}: resident memory grew by {} bytes ({} per entry)",
            a.saturating_sub(b),
            a.saturating_sub(b) / ENTRIES
        );
    }
}

/// `cache_memory [rsa2048|p256]`: one algorithm per process gives a resident-memory reading
/// that memory freed by the other run cannot hide; with no argument, both.
fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    if only.as_deref().is_none_or(|a| a == "rsa2048") {
        run("rsa2048", Alg::Rsa2048Sha256(1), Alg::Rsa2048Sha256(3));
    }
    if only.as_deref().is_none_or(|a| a == "p256") {
        run("p256", Alg::P256, Alg::P256);
    }
}
