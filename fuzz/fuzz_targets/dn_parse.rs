//! Fuzz target: DN text parse, print, reparse, canonicalize, lint; and the bytes as a DER Name.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("dn_parse_check.rs");

fuzz_target!(|data: &[u8]| {
    check_dn_input(data);
});
