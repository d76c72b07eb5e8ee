//! Fuzz target: a CRL (PEM or DER) under the example project PKI, then a chain checked against it.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_crl(data);
});
