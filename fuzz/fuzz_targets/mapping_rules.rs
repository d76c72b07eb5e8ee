//! Fuzz target: user-to-DN mapping rules (substitution, ldapQuery) and query templates.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_mapping(data);
});
