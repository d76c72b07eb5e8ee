//! Chain benchmarks (placeholder until the chain branch lands).
fn main() {}
