//! Fuzz target: settings-file TOML → `SettingsFile`, then both phases under the loaded settings.
#![no_main]

use libfuzzer_sys::fuzz_target;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
include!("entry.rs");

fuzz_target!(|data: &[u8]| {
    check_settings(data);
});
