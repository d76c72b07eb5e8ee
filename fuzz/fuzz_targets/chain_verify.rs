//! Fuzz target: `ChainVerifier::verify_chain` with 1–3 arbitrary certificates against the fixed
//! anchor `anchor.der` (input layout: `split_certs` in `entry.rs`). Seeds in
//! `corpus/chain_verify/` encode a valid leaf + intermediate chain under that anchor.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_chain(data, include_bytes!("../anchor.der"));
});
