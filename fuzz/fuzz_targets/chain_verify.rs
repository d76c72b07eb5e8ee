//! Fuzzes `ChainVerifier::verify_chain` with 1–3 arbitrary certificates against a fixed anchor.
//!
//! Input layout: byte 0 selects the count n = (b % 3) + 1; then n − 1 certificates each preceded
//! by a big-endian u16 length; the last certificate is the rest. Seeds in
//! `corpus/verify_client/` encode a valid leaf + intermediate chain under `anchor.der`.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use x509_dbauth::x509::{ChainVerifier, Eku};
use x509_dbauth::{CertificateDer, TrustAnchors, UnixTime};

fn verifier() -> &'static ChainVerifier {
    static V: OnceLock<ChainVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let anchors = TrustAnchors::from_ders([include_bytes!("../anchor.der").as_slice()])
            .expect("the committed anchor loads");
        ChainVerifier::builder(anchors)
            .required_eku(Eku::ClientAuth)
            .build()
            .expect("the fuzz verifier builds")
    })
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let Some((&first, mut rest)) = data.split_first() else {
        return Vec::new();
    };
    let n = usize::from(first % 3) + 1;
    let mut out = Vec::with_capacity(n);
    for _ in 1..n {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (cert, tail) = tail.split_at(len);
        out.push(cert);
        rest = tail;
    }
    out.push(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    let certs: Vec<CertificateDer<'_>> = split(data).into_iter().map(CertificateDer::from).collect();
    // 2030-01-01: inside the seed chain's validity.
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000));
    if let Err(e) = verifier().verify_chain(&certs, now) {
        // Exercise the error's formatting paths too.
        let _ = (e.to_string(), e.kind(), e.certificate_index());
    }
});
