//! Fuzz target: the zero-copy certificate reader (DER) and the PEM/DER bundle reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_certificate(data);
});
