//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the same functions the
//! fuzz targets call (`fuzz/fuzz_targets/dn_parse_check.rs` and `entry.rs`, pulled in with
//! `include!`), so every input the fuzzer found interesting stays covered under `cargo test`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

include!("../fuzz/fuzz_targets/dn_parse_check.rs");
include!("../fuzz/fuzz_targets/entry.rs");

/// Runs `check` on every file of `fuzz/corpus/<target>/` (in name order); fails naming the
/// file that panics, and when the corpus has fewer than `min` files.
fn replay(target: &str, min: usize, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let dir = format!("{}/fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in &paths {
        let data = std::fs::read(p).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            panic!("corpus file {} panics: {panic:?}", p.display());
        }
    }
    assert!(
        paths.len() >= min,
        "{target}: the corpus has only {} files",
        paths.len()
    );
}

#[test]
fn replay_dn_parse_corpus() {
    replay("dn_parse", 30, check_dn_input);
}

#[test]
fn replay_cert_parse_corpus() {
    replay("cert_parse", 20, check_certificate);
}

#[test]
fn replay_crl_parse_corpus() {
    replay("crl_parse", 10, check_crl);
}

#[test]
fn replay_chain_verify_corpus() {
    let anchor = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/anchor.der")).unwrap();
    replay("chain_verify", 5, |d| check_chain(d, &anchor));
}

#[test]
fn replay_settings_file_corpus() {
    replay("settings_file", 10, check_settings);
}

#[test]
fn replay_mapping_rules_corpus() {
    replay("mapping_rules", 10, check_mapping);
}

#[test]
fn replay_ldap_escape_corpus() {
    replay("ldap_escape", 10, check_ldap_escape);
}

#[test]
fn replay_authenticate_corpus() {
    replay("authenticate", 10, check_authenticate);
}

/// The checks can fail: an escaped filter that widened, or explain disagreeing with
/// authenticate, would panic. Here a known-good input passes and the seeds that encode the
/// example client log in.
#[test]
fn the_whole_path_check_runs_the_example_client() {
    let jane = jane_chain();
    let mut input = vec![0u8, 1];
    input.extend((jane[0].len() as u16).to_be_bytes());
    input.extend_from_slice(&jane[0]);
    input.extend_from_slice(&jane[1]);
    check_authenticate(&input);
    let a = &example_authenticators()[0];
    let client = a.verify_client(jane, fuzz_now()).unwrap();
    assert_eq!(
        a.authenticate_blocking(&client, None).unwrap().user(),
        "CN=Jane Doe,O=MongoDB,C=US"
    );
    check_ldap_escape(b"CN=x)(uid=*");
}
