//! Fuzz target: RFC 4515 escaping of `{USER}` in a filter template; the filter never widens.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_ldap_escape(data);
});
