//! Replays the fuzz corpus (`fuzz/corpus/dn_parse/`) through the fuzz target's checks, so every
//! input the fuzzer found interesting stays covered under plain `cargo test`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

include!("../fuzz/fuzz_targets/dn_parse_check.rs");

#[test]
fn replay_dn_parse_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/dn_parse");
    let mut n = 0;
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let data = std::fs::read(&p).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check_dn_input(&data)) {
            panic!("corpus file {} panics: {panic:?}", p.display());
        }
        n += 1;
    }
    assert!(n >= 30, "corpus has only {n} files");
}
