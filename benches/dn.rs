//! DN benchmarks (work in progress).
fn main() {}
